/* SPDX-License-Identifier: MIT */
/*
 * glibc_thread.c - random replacement in a per-thread working set, after
 * glibc's bench-malloc-thread.
 *
 * Each thread owns a working set of slots and, in a tight loop, frees a
 * random slot and allocates a new block there, with sizes drawn from a
 * distribution where the chance of a size falls off as about 1/size
 * (log-uniform, from 4 bytes to 32 KiB).  Threads share nothing, so this measures the
 * single-thread fast path and how well it scales with -t.
 *
 * -t threads, -n total replacements, -x working-set slots.
 * Written from the description of glibc's benchtests/bench-malloc-thread.c.
 */
#include "bench_util.h"

#define GT_MAX_SIZE	32768

struct gt {
	struct bench_thread t;
	long iters;
};

static void *gt_thread(void *arg)
{
	struct gt *g = arg;
	const struct bench_args *a = g->t.args;
	size_t n = (size_t)a->extra;
	void **ws = calloc(n, sizeof(void *));
	long i;

	if (!ws)
		bench_oom(n * sizeof(void *));
	for (i = 0; i < g->iters; i++) {
		size_t k = (size_t)bench_rng_below(&g->t.rng, n);
		size_t sz = bench_rng_logsize(&g->t.rng, a->min_size, a->max_size);

		free(ws[k]);
		ws[k] = bench_xmalloc(sz);
		*(char *)ws[k] = (char)i;
	}
	bench_free_range(ws, 0, n, 0);
	free(ws);
	g->t.ops = g->iters;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "glibc-thread", .threads = 2, .iters = 24000000,
		.quick_iters = 3000000, .min_size = 4, .max_size = GT_MAX_SIZE,
		.extra = 1024, .seed = 1,
	};
	struct gt *gs;
	double t0, el;
	long ops;
	int i;

	bench_parse(&a, argc, argv,
		    "per-thread random replacement, sizes ~ 1/size up to 32 KiB");
	if (a.extra < 1)
		a.extra = 1;
	gs = bench_threads_new(a.threads, sizeof(*gs));
	for (i = 0; i < a.threads; i++)
		gs[i].iters = a.iters / a.threads;
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, gs, sizeof(*gs), gt_thread);
	el = bench_now() - t0;
	free(gs);
	bench_result(&a, ops, el, "working_set=%ld", a.extra);
	return 0;
}
