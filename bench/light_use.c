/* SPDX-License-Identifier: MIT */
/*
 * light_use.c - a burst, then light use: is the burst's memory given back?
 *
 * Two threads (-t) together allocate about 1.4 GiB (-n MiB) in mixed
 * sizes, log-uniform from 16 B to 40 KiB (-s, -S), touching every page,
 * then each frees all of its objects in random order.  When both are
 * done the main thread marks the moment (mark frees_done) and uses the
 * heap lightly: -x malloc/free pairs of 64 B and 5000 B, one pair every
 * 5 ms (400 pairs: 2 s), then sleeps 2 s more, as an idle server or a
 * build tool between jobs would.  --quick: 1/8 of the memory, 100 pairs
 * (0.5 s) and 0.5 s of sleep.
 *
 * A sampling thread prints the process's RSS (/proc/self/statm) every
 * 50 ms from start to end, with write(2) from a stack buffer, so the
 * sampling itself allocates nothing:
 *
 *	sample t_ms=MS rss_kib=KIB minflt=FAULTS
 *	mark frees_done t_ms=MS rss_kib=KIB
 *
 * An allocator that gives memory back shows RSS falling after
 * frees_done, at once or after its decay time; one that keeps it
 * shows RSS near the peak to the end.
 */
#include "bench_util.h"

#define LU_SAMPLE_S	0.05
#define LU_PAIR_S	0.005

struct lu {
	struct bench_thread t;
	size_t bytes;
};

static void *lu_thread(void *arg)
{
	struct lu *m = arg;
	const struct bench_args *a = m->t.args;
	size_t got = 0, n = 0, cap = 4096, i;
	void **obj = bench_xmalloc(cap * sizeof(void *));

	while (got < m->bytes) {
		size_t sz = bench_rng_logsize(&m->t.rng, a->min_size, a->max_size);

		if (n == cap) {
			void **o = realloc(obj, (cap *= 2) * sizeof(void *));

			if (!o)
				bench_oom(cap * sizeof(void *));
			obj = o;
		}
		obj[n] = bench_alloc(sz, (unsigned char)n);
		n++;
		got += sz;
	}
	bench_shuffle(&m->t.rng, obj, n);
	for (i = 0; i < n; i++)
		free(obj[i]);
	free(obj);
	m->t.ops = (long)n;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "light-use", .threads = 2, .iters = 1434,
		.quick_iters = 179, .min_size = 16, .max_size = 40 << 10,
		.extra = 400, .seed = 1,
	};
	struct bench_sampler smp;
	double t0, t_free, rest;
	long ops, pairs, i;
	struct lu *ms;
	unsigned sink = 0;

	bench_parse(&a, argc, argv,
		    "allocate ~1.4 GiB on 2 threads, free it all, then use the "
		    "heap lightly for 2 s and idle 2 s; RSS every 50 ms");
	pairs = a.extra;
	if (a.quick && pairs == 400)
		pairs = 100;
	rest = a.quick ? 0.5 : 2.0;
	t0 = bench_now();
	bench_sampler_start(&smp, t0, LU_SAMPLE_S);

	ms = bench_threads_new(a.threads, sizeof(*ms));
	for (i = 0; i < a.threads; i++)
		ms[i].bytes = ((size_t)a.iters << 20) / (size_t)a.threads;
	ops = bench_run_threads(&a, a.threads, ms, sizeof(*ms), lu_thread);
	free(ms);
	t_free = bench_now() - t0;
	bench_mark("frees_done", t0);

	for (i = 0; i < pairs; i++) {
		char *p = bench_xmalloc(64), *q = bench_xmalloc(5000);

		p[0] = p[63] = (char)i;
		q[0] = q[2500] = q[4999] = (char)i;
		sink += (unsigned char)p[63] + (unsigned char)q[2500];
		free(q);
		free(p);
		bench_sleep(LU_PAIR_S);
	}
	bench_sink(sink);
	bench_sleep(rest);
	bench_sampler_stop(&smp);
	bench_result(&a, ops + 2 * pairs, bench_now() - t0,
		     "alloc_free_s=%.3f frees_done_ms=%.1f pairs=%ld",
		     t_free, t_free * 1e3, pairs);
	return 0;
}
