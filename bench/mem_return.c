/* SPDX-License-Identifier: MIT */
/*
 * mem_return.c - does freed memory go back to the kernel?
 *
 * Two threads together allocate about 1 GiB (-n MiB), half of the bytes
 * in small objects (16 B - 1 KiB) and half in large ones (64 KiB -
 * 4 MiB), interleaved.  Each thread then frees 90% of its objects in
 * random order and stays alive, calling malloc/free lightly (a burst of
 * small pairs every millisecond), as an idle server would.  The main
 * thread samples RSS from /proc/self/statm every -x milliseconds for
 * 50 samples (2.5 s at the default 50 ms: decay_ms + 1 s is 2 s for
 * libbuddymalloc, and the last 10 samples are the steady state after it)
 * and prints the timeline:
 *
 *	rss t=SECONDS kib=KIB minflt=FAULTS epoch=REALTIME [madvise=N returned=P]
 *
 * An allocator that returns memory shows RSS falling towards the 10%
 * still live; one that does not stays near the peak.  minflt is the
 * process's minor page faults so far (getrusage RUSAGE_SELF, all
 * threads), so the difference between two samples is the faults of one
 * interval: an allocator that gives pages back and takes them again
 * (give-back/refault thrash) shows faults growing in the steady state.
 * epoch (CLOCK_REALTIME) lets bench/run line the samples up with the
 * timestamps of an strace log.  When the preloaded allocator is
 * libbuddymalloc (found with dlsym, never linked), its vmstat counters
 * madvise_calls and pages_returned so far are added to each sample.
 *
 * -n MiB to allocate in total, -x sample interval in ms, -t threads.
 */
#include "bench_util.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define MR_SAMPLES	50
#define MR_KEEP_PCT	10

struct mr {
	struct bench_thread t;
	size_t bytes;		/* to allocate */
	size_t kept;		/* bytes still live after the free phase */
	void **obj;
	size_t nobj;
};

static pthread_barrier_t mr_freed;
static _Atomic int mr_stop;

static void mr_allocate(struct mr *m)
{
	size_t got = 0, cap = 1024;

	m->obj = bench_xmalloc(cap * sizeof(void *));
	while (got < m->bytes) {
		int large = bench_rng_below(&m->t.rng, 2);
		size_t sz = large ? bench_rng_logsize(&m->t.rng, 64 << 10, 4 << 20) : 0;
		size_t n = large ? 1 : (64 << 10) / 256, i;

		for (i = 0; i < n; i++) {
			if (m->nobj == cap) {
				void **o = realloc(m->obj, (cap *= 2) * sizeof(void *));

				if (!o)
					bench_oom(cap * sizeof(void *));
				m->obj = o;
			}
			if (!large)
				sz = bench_rng_logsize(&m->t.rng, 16, 1024);
			m->obj[m->nobj++] = bench_alloc(sz, 1);
			got += sz;
		}
	}
}

static void mr_free_most(struct mr *m)
{
	size_t keep = m->nobj * MR_KEEP_PCT / 100, i;

	bench_shuffle(&m->t.rng, m->obj, m->nobj);
	for (i = keep; i < m->nobj; i++)
		free(m->obj[i]);
	m->nobj = keep;
}

static void mr_idle(struct mr *m)
{
	void *v[64];
	int i;

	while (!atomic_load(&mr_stop)) {
		for (i = 0; i < 64; i++)
			v[i] = bench_alloc(bench_rng_logsize(&m->t.rng, 16, 4096), 2);
		bench_free_range(v, 0, 64, 1);
		m->t.ops += 64;
		bench_sleep(0.001);
	}
}

static void *mr_thread(void *arg)
{
	struct mr *m = arg;

	mr_allocate(m);
	mr_free_most(m);
	pthread_barrier_wait(&mr_freed);
	mr_idle(m);
	bench_free_range(m->obj, 0, m->nobj, 0);
	free(m->obj);
	return NULL;
}

/* libbuddymalloc's report, when it is the allocator: fills *madv and
 * *ret from its vmstat part; returns 0 when not available.  The report is
 * written into a memfd (it never allocates) and its tail read into a
 * static buffer, so the sampling allocates nothing itself. */
static void (*mr_stats_print)(int fd);
static int mr_stats_fd = -1;

static void mr_counters_init(void)
{
	*(void **)&mr_stats_print = dlsym(RTLD_DEFAULT, "buddymalloc_stats_print");
	if (mr_stats_print)
		mr_stats_fd = memfd_create("mem-return-stats", MFD_CLOEXEC);
}

static int mr_counters(long *madv, long *ret)
{
	static char buf[16384];
	const char *p;
	off_t end, off;
	ssize_t n;

	if (mr_stats_fd < 0 || ftruncate(mr_stats_fd, 0))
		return 0;
	lseek(mr_stats_fd, 0, SEEK_SET);
	mr_stats_print(mr_stats_fd);
	end = lseek(mr_stats_fd, 0, SEEK_END);
	off = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
	n = pread(mr_stats_fd, buf, sizeof(buf) - 1, off);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "--- libbuddymalloc vmstat ---");
	if (!p)
		return 0;
	*madv = *ret = -1;
	for (p = strchr(p, '\n'); p && *++p; p = strchr(p, '\n')) {
		if (!strncmp(p, "madvise_calls ", 14))
			*madv = atol(p + 14);
		else if (!strncmp(p, "pages_returned ", 15))
			*ret = atol(p + 15);
	}
	return *madv >= 0 && *ret >= 0;
}

static long mr_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_minflt;
}

static double mr_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *mr_main(void *arg)
{
	struct bench_args *a = arg;
	struct mr *ms = bench_threads_new(a->threads, sizeof(*ms));
	int i;

	for (i = 0; i < a->threads; i++)
		ms[i].bytes = ((size_t)a->iters << 20) / (size_t)a->threads;
	a->extra = bench_run_threads(a, a->threads, ms, sizeof(*ms), mr_thread);
	free(ms);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "mem-return", .threads = 2, .iters = 1024,
		.quick_iters = 128, .min_size = 16, .max_size = 4 << 20,
		.extra = 50, .seed = 1,
	};
	long rss[MR_SAMPLES], flt[MR_SAMPLES], base, ms, madv, ret;
	double t0, t_alloc, interval;
	pthread_t boss;
	int i;

	bench_parse(&a, argc, argv,
		    "allocate ~1 GiB, free 90%, idle lightly, sample RSS over time");
	ms = a.extra;
	if (a.quick && ms == 50)
		ms = 10;
	interval = (double)(ms < 1 ? 1 : ms) / 1000.0;
	pthread_barrier_init(&mr_freed, NULL, (unsigned)a.threads + 1);
	mr_counters_init();
	base = bench_rss_kib();
	t0 = bench_now();
	if (pthread_create(&boss, NULL, mr_main, &a))
		return 4;
	pthread_barrier_wait(&mr_freed);
	t_alloc = bench_now() - t0;
	for (i = 0; i < MR_SAMPLES; i++) {
		rss[i] = bench_rss_kib();
		flt[i] = mr_minflt();
		printf("rss t=%.3f kib=%ld minflt=%ld epoch=%.6f", interval * i,
		       rss[i], flt[i], mr_epoch());
		if (mr_counters(&madv, &ret))
			printf(" madvise=%ld returned=%ld", madv, ret);
		printf("\n");
		if (i + 1 < MR_SAMPLES)
			bench_sleep(interval);
	}
	atomic_store(&mr_stop, 1);
	pthread_join(boss, NULL);
	bench_result(&a, a.extra, bench_now() - t0,
		     "alloc_free_s=%.3f rss_base_kib=%ld rss_after_free_kib=%ld "
		     "rss_end_kib=%ld live_kib=%ld interval_ms=%ld "
		     "minflt_after_free=%ld minflt_end=%ld",
		     t_alloc, base, rss[0], rss[MR_SAMPLES - 1],
		     (long)(a.iters << 10) * MR_KEEP_PCT / 100, ms,
		     flt[0], flt[MR_SAMPLES - 1]);
	return 0;
}
