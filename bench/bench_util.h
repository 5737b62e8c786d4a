/* SPDX-License-Identifier: MIT */
/*
 * bench_util.h - helpers shared by every workload under bench/.
 *
 * Argument parsing, a monotonic clock, a small per-thread RNG, thread
 * start/join, page touching, /proc/self/statm sampling and the single
 * machine-readable result line that bench/run parses:
 *
 *	workload=NAME threads=T ops=N elapsed=S ops_per_s=R [key=value ...]
 *
 * Every workload is a standalone program that never links against an
 * allocator: bench/run swaps the allocator with LD_PRELOAD.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_THREADS	256
#define BENCH_PAGE		4096
#define BENCH_CACHELINE		64

#define BENCH_NOINLINE		__attribute__((noinline))
#define BENCH_UNUSED		__attribute__((unused))

/* ------------------------------------------------------------ arguments */

/*
 * Options every workload takes.  A workload fills in its defaults, then
 * bench_parse() overrides them from the command line:
 *
 *	-t N	threads			-n N	iterations (total work)
 *	-s N	smallest size		-S N	largest size
 *	-r N	seed			--quick	the short CI run
 *	-x N	workload-specific extra knob
 *	-m N	a second workload-specific knob (a mode or a shape; 0: the
 *		workload's usual shape)
 */
struct bench_args {
	const char *name;
	int threads;
	long iters;
	long quick_iters;
	size_t min_size;
	size_t max_size;
	long extra;
	long mode;
	unsigned long seed;
	int quick;
};

static inline void bench_usage(const struct bench_args *a, const char *what)
{
	fprintf(stderr,
		"usage: %s [-t threads] [-n iterations] [-s min_size] "
		"[-S max_size] [-x extra] [-m mode] [-r seed] [--quick]\n"
		"  %s\n"
		"  defaults: -t %d -n %ld (--quick: %ld) -s %zu -S %zu -x %ld "
		"-m %ld\n",
		a->name, what, a->threads, a->iters, a->quick_iters,
		a->min_size, a->max_size, a->extra, a->mode);
}

static inline long bench_num(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	}
	if (*end == '\0' && v >= 0)
		return (long)v;
bad:
	fprintf(stderr, "bad number: %s\n", s);
	exit(2);
}

/* Parse argv into @a; @what is the one-line description for -h. */
static inline void bench_parse(struct bench_args *a, int argc, char **argv,
			       const char *what)
{
	int i, quick_n = 0;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--quick")) {
			a->quick = 1;
			continue;
		}
		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			bench_usage(a, what);
			exit(0);
		}
		if (o[0] != '-' || !o[1] || o[2] || !v) {
			bench_usage(a, what);
			exit(2);
		}
		switch (o[1]) {
		case 't': a->threads = (int)bench_num(v); break;
		case 'n': a->iters = bench_num(v); quick_n = 1; break;
		case 's': a->min_size = (size_t)bench_num(v); break;
		case 'S': a->max_size = (size_t)bench_num(v); break;
		case 'x': a->extra = bench_num(v); break;
		case 'm': a->mode = bench_num(v); break;
		case 'r': a->seed = (unsigned long)bench_num(v); break;
		default: bench_usage(a, what); exit(2);
		}
		i++;
	}
	if (a->quick && !quick_n)
		a->iters = a->quick_iters;
	if (a->threads < 1)
		a->threads = 1;
	if (a->threads > BENCH_MAX_THREADS)
		a->threads = BENCH_MAX_THREADS;
	if (a->min_size < 1)
		a->min_size = 1;
	if (a->max_size < a->min_size)
		a->max_size = a->min_size;
	if (a->iters < 1)
		a->iters = 1;
}

/* ----------------------------------------------------------------- time */

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void bench_sleep(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ RNG */

/* xorshift64* seeded through splitmix64: fast, good enough, per thread. */
struct bench_rng {
	uint64_t s;
};

static inline void bench_rng_seed(struct bench_rng *r, uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	r->s = (z ^ (z >> 31)) | 1;
}

static inline uint64_t bench_rng_next(struct bench_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n). */
static inline uint64_t bench_rng_below(struct bench_rng *r, uint64_t n)
{
	return n ? (uint64_t)(((unsigned __int128)bench_rng_next(r) * n) >> 64) : 0;
}

/* Uniform in [lo, hi]. */
static inline size_t bench_rng_range(struct bench_rng *r, size_t lo, size_t hi)
{
	return lo + (size_t)bench_rng_below(r, (uint64_t)(hi - lo) + 1);
}

/*
 * Log-uniform in [lo, hi]: every power-of-two band is equally likely, so
 * small sizes dominate by count and large ones by bytes, as in real heaps.
 */
static inline size_t bench_rng_logsize(struct bench_rng *r, size_t lo, size_t hi)
{
	int lb = 63 - __builtin_clzll(lo), hb = 63 - __builtin_clzll(hi);
	int b = lb + (int)bench_rng_below(r, (uint64_t)(hb - lb) + 1);
	size_t base = (size_t)1 << b, s;

	s = base + (size_t)bench_rng_below(r, base);
	return s < lo ? lo : s > hi ? hi : s;
}

/* Fisher-Yates shuffle of a pointer array. */
static inline void bench_shuffle(struct bench_rng *r, void **v, size_t n)
{
	size_t i, j;
	void *t;

	for (i = n; i > 1; i--) {
		j = (size_t)bench_rng_below(r, i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* --------------------------------------------------------------- memory */

static inline void bench_oom(size_t size)
{
	fprintf(stderr, "allocation of %zu bytes failed\n", size);
	exit(3);
}

static inline void *bench_xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		bench_oom(size);
	return p;
}

/* Write the first and last byte and one byte per page, as a user would. */
static inline void bench_touch(void *p, size_t size, unsigned char v)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < size; i += BENCH_PAGE)
		c[i] = v;
	c[size - 1] = v;
}

/* Sum a few bytes so the compiler must keep the writes. */
static inline unsigned bench_peek(const void *p, size_t size)
{
	const unsigned char *c = p;

	return c[0] + c[size / 2] + c[size - 1];
}

/* Allocate @size bytes and touch them; abort on failure. */
static inline void *bench_alloc(size_t size, unsigned char v)
{
	void *p = bench_xmalloc(size);

	bench_touch(p, size, v);
	return p;
}

/* Fill v[0..n) with touched objects of log-uniform size in [lo, hi]. */
static inline void bench_alloc_batch(struct bench_rng *r, void **v, size_t n,
				     size_t lo, size_t hi)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = bench_alloc(bench_rng_logsize(r, lo, hi), (unsigned char)i);
}

/* Free v[from..to) in LIFO (@lifo) or FIFO order. */
static inline void bench_free_range(void **v, size_t from, size_t to, int lifo)
{
	size_t i;

	for (i = from; i < to; i++)
		free(v[lifo ? to - 1 - (i - from) : i]);
}

/* Resident set size in KiB, from /proc/self/statm. */
static inline long bench_rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * The RSS timeline (light-use, mixed-heap): one line per sample, and one
 * per event, written with write(2) from a stack buffer so that sampling
 * allocates nothing (stdio's buffer would be malloc'd):
 *
 *	sample t_ms=MS rss_kib=KIB minflt=FAULTS
 *	mark NAME t_ms=MS rss_kib=KIB
 *
 * t_ms counts from @t0 (bench_now()).  bench/run reads them.
 */
static inline long bench_rss_kib_raw(void)
{
	char buf[128];
	const char *p;
	long rss = 0;
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strchr(buf, ' ');
	if (!p)
		return -1;
	for (p++; *p >= '0' && *p <= '9'; p++)
		rss = rss * 10 + (*p - '0');
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static inline void bench_timeline_line(const char *what, double t0)
{
	struct rusage ru;
	char buf[160];
	double ms = (bench_now() - t0) * 1e3;
	long rss = bench_rss_kib_raw();
	int n;

	if (what)
		n = snprintf(buf, sizeof(buf), "mark %s t_ms=%.1f rss_kib=%ld\n",
			     what, ms, rss);
	else
		n = snprintf(buf, sizeof(buf),
			     "sample t_ms=%.1f rss_kib=%ld minflt=%ld\n", ms, rss,
			     getrusage(RUSAGE_SELF, &ru) ? -1L : ru.ru_minflt);
	if (n > 0 && write(STDOUT_FILENO, buf, (size_t)n) < 0)
		return;
}

/* One RSS sample / one event mark, as above. */
static inline void bench_sample(double t0)
{
	bench_timeline_line(NULL, t0);
}

static inline void bench_mark(const char *what, double t0)
{
	bench_timeline_line(what, t0);
}

/* A thread that samples every @interval seconds from bench_sampler_start()
 * to bench_sampler_stop() (which takes a last sample), on a fixed
 * schedule so that slow samples do not drift. */
struct bench_sampler {
	pthread_t tid;
	double t0, interval;
	_Atomic int stop;
};

static inline void *bench_sampler_fn(void *arg)
{
	struct bench_sampler *s = arg;
	struct timespec next;
	long ns = (long)(s->interval * 1e9);

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&s->stop)) {
		bench_sample(s->t0);
		next.tv_nsec += ns;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
	}
	return NULL;
}

static inline void bench_sampler_start(struct bench_sampler *s, double t0,
				       double interval)
{
	s->t0 = t0;
	s->interval = interval;
	atomic_store(&s->stop, 0);
	if (pthread_create(&s->tid, NULL, bench_sampler_fn, s)) {
		perror("pthread_create");
		exit(4);
	}
}

static inline void bench_sampler_stop(struct bench_sampler *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->tid, NULL);
	bench_sample(s->t0);
}

/* A sink that the optimiser cannot see through. */
static _Atomic unsigned long bench_sink_v BENCH_UNUSED;

static inline void bench_sink(unsigned long v)
{
	atomic_fetch_add_explicit(&bench_sink_v, v, memory_order_relaxed);
}

/*
 * Shared by cache-scratch and cache-thrash: @iters times malloc an object
 * of @size, write each of its bytes @writes times, free it.  Two threads
 * doing this on objects that share a cache line thrash that line.
 */
static inline void bench_write_loop(long iters, size_t size, long writes)
{
	long i, w;
	size_t j;

	for (i = 0; i < iters; i++) {
		volatile char *o = bench_xmalloc(size);

		for (w = 0; w < writes; w++)
			for (j = 0; j < size; j++)
				o[j]++;
		free((void *)o);
	}
}

/* -------------------------------------------------------------- threads */

/*
 * Per-thread context; workloads embed it first in their own struct and
 * pass an array of those to bench_run_threads().
 */
struct bench_thread {
	pthread_t tid;
	int id;
	long ops;
	long bad;		/* content checks that failed (checked workloads) */
	struct bench_rng rng;
	const struct bench_args *args;
};

/*
 * Start @n threads on @fn, each given &ctx[i] (ctx elements are @stride
 * bytes apart and begin with a struct bench_thread), wait for all of them
 * and return the sum of their ops.
 */
static inline long bench_run_threads(const struct bench_args *a, int n,
				     void *ctx, size_t stride,
				     void *(*fn)(void *))
{
	long ops = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct bench_thread *t = (void *)((char *)ctx + stride * i);

		t->id = i;
		t->args = a;
		bench_rng_seed(&t->rng, a->seed * 1000003u + (unsigned)i);
		if (pthread_create(&t->tid, NULL, fn, t)) {
			perror("pthread_create");
			exit(4);
		}
	}
	for (i = 0; i < n; i++) {
		struct bench_thread *t = (void *)((char *)ctx + stride * i);

		pthread_join(t->tid, NULL);
		ops += t->ops;
	}
	return ops;
}

/* Zeroed array of @n thread contexts of @size bytes each. */
static inline void *bench_threads_new(int n, size_t size)
{
	void *p = calloc((size_t)n, size);

	if (!p)
		bench_oom(size * (size_t)n);
	return p;
}

/* --------------------------------------------------------------- result */

/*
 * Print the result line; @fmt adds workload-specific key=value pairs
 * (or NULL).  The line always ends the program's stdout.
 */
static inline void bench_result(const struct bench_args *a, long ops,
				double elapsed, const char *fmt, ...)
{
	va_list ap;

	printf("workload=%s threads=%d ops=%ld elapsed=%.6f ops_per_s=%.0f",
	       a->name, a->threads, ops, elapsed,
	       elapsed > 0 ? (double)ops / elapsed : 0.0);
	if (fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

/*
 * For workloads that check contents: run @fn on a->threads threads over
 * @ctx (as bench_run_threads), print the result line with the failed
 * checks summed as @key=N, and return the exit status: 1, with "@name: N
 * @what" on stderr, when any check failed.
 */
static inline int bench_run_checked(const struct bench_args *a, void *ctx,
				    size_t stride, void *(*fn)(void *),
				    const char *key, const char *what)
{
	double t0 = bench_now(), el;
	long ops = bench_run_threads(a, a->threads, ctx, stride, fn), bad = 0;

	el = bench_now() - t0;
	for (int i = 0; i < a->threads; i++)
		bad += ((struct bench_thread *)((char *)ctx + (size_t)i * stride))->bad;
	bench_result(a, ops, el, "%s=%ld", key, bad);
	if (bad) {
		fprintf(stderr, "%s: %ld %s\n", a->name, bad, what);
		return 1;
	}
	return 0;
}

#endif /* BENCH_UTIL_H */
