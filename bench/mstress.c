/* SPDX-License-Identifier: MIT */
/*
 * mstress.c - random sizes, lifetimes and migration, after mstress.
 *
 * Simulates a server with several generations of worker threads.  Each
 * worker keeps a local array of live objects and, step by step, replaces
 * a random one (mostly small sizes, one in a hundred up to 256 KiB),
 * drops one, or swaps one with a random slot of a global transfer array.
 * Objects in the transfer array outlive the thread that made them and
 * are freed, much later, by a thread of a later generation.
 *
 * -t threads per round, -n total steps, -x local slots, -s/-S small sizes.
 * Written from the description of mstress in mimalloc-bench.
 */
#include "bench_util.h"

#define MS_ROUNDS	10
#define MS_TRANSFER	1024
#define MS_LARGE_MAX	(256 * 1024)

static _Atomic(void *) transfer[MS_TRANSFER];

struct ms {
	struct bench_thread t;
	long steps;
};

static void *ms_alloc(struct bench_rng *r, const struct bench_args *a)
{
	size_t sz;

	if (bench_rng_below(r, 100) == 0)
		sz = bench_rng_logsize(r, a->max_size, MS_LARGE_MAX);
	else
		sz = bench_rng_logsize(r, a->min_size, a->max_size);
	return bench_alloc(sz, (unsigned char)sz);
}

static void ms_step(struct ms *m, void **live, size_t n)
{
	struct bench_rng *r = &m->t.rng;
	size_t k = (size_t)bench_rng_below(r, n);
	uint64_t x = bench_rng_below(r, 100);

	if (x < 70) {
		free(live[k]);
		live[k] = ms_alloc(r, m->t.args);
	} else if (x < 90) {
		live[k] = atomic_exchange(&transfer[bench_rng_below(r, MS_TRANSFER)],
					  live[k]);
	} else {
		free(live[k]);
		live[k] = NULL;
	}
}

static void *ms_thread(void *arg)
{
	struct ms *m = arg;
	size_t n = (size_t)m->t.args->extra;
	void **live = calloc(n, sizeof(void *));
	long s;

	if (!live)
		bench_oom(n * sizeof(void *));
	for (s = 0; s < m->steps; s++)
		ms_step(m, live, n);
	bench_free_range(live, 0, n, 0);
	free(live);
	m->t.ops = m->steps;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "mstress", .threads = 2, .iters = 12000000,
		.quick_iters = 2000000, .min_size = 8, .max_size = 1024,
		.extra = 2000, .seed = 1,
	};
	struct ms *ms;
	double t0, el;
	long ops = 0;
	int i, r;

	bench_parse(&a, argc, argv,
		    "random sizes and lifetimes, objects migrate between threads");
	if (a.extra < 1)
		a.extra = 1;
	ms = bench_threads_new(a.threads, sizeof(*ms));
	t0 = bench_now();
	for (r = 0; r < MS_ROUNDS; r++) {
		for (i = 0; i < a.threads; i++)
			ms[i].steps = a.iters / a.threads / MS_ROUNDS;
		a.seed += (unsigned long)r;
		ops += bench_run_threads(&a, a.threads, ms, sizeof(*ms), ms_thread);
	}
	el = bench_now() - t0;
	for (i = 0; i < MS_TRANSFER; i++)
		free(atomic_exchange(&transfer[i], NULL));
	free(ms);
	bench_result(&a, ops, el, "rounds=%d", MS_ROUNDS);
	return 0;
}
