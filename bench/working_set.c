/* SPDX-License-Identifier: MIT */
/*
 * working_set.c - random replacement in a working set larger than the
 * cache (issue 13).
 *
 * Each thread keeps its own array of slots, fills it, then replaces a
 * random slot with a new object of uniform size in [min, max] and
 * touches it (first and last byte), for a fixed number of iterations.
 * With enough slots the live objects (about 25 MB at 50,000 slots of
 * 8-1,000 B) no longer fit in the cache, so every free lands on a line
 * no one has touched for a long time, and what malloc hands back next
 * decides whether the write that follows misses too.  Nothing is
 * handed between threads: the threads only share the allocator.
 *
 * -t threads, -n total replacements (divided among the threads),
 * -x slots per thread, -s/-S object sizes.
 */
#include "bench_util.h"

struct ws {
	struct bench_thread t;
	long iters;
};

static void *ws_thread(void *arg)
{
	struct ws *w = arg;
	const struct bench_args *a = w->t.args;
	size_t n = (size_t)a->extra, k;
	void **slot = bench_xmalloc(n * sizeof(*slot));
	long i;

	for (k = 0; k < n; k++)
		slot[k] = bench_alloc(bench_rng_range(&w->t.rng, a->min_size,
						      a->max_size), 1);
	for (i = 0; i < w->iters; i++) {
		k = (size_t)bench_rng_below(&w->t.rng, n);
		free(slot[k]);
		slot[k] = bench_alloc(bench_rng_range(&w->t.rng, a->min_size,
						      a->max_size),
				      (unsigned char)i);
	}
	for (k = 0; k < n; k++)
		free(slot[k]);
	free(slot);
	w->t.ops = w->iters;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "working-set", .threads = 1, .iters = 10000000,
		.quick_iters = 1000000, .min_size = 8, .max_size = 1000,
		.extra = 50000, .seed = 1,
	};
	struct ws *ws;
	double t0;
	long ops;
	int i;

	bench_parse(&a, argc, argv,
		    "random replacement in per-thread slot arrays larger than the cache");
	if (a.extra < 1)
		a.extra = 1;
	ws = bench_threads_new(a.threads, sizeof(*ws));
	for (i = 0; i < a.threads; i++)
		ws[i].iters = a.iters / a.threads;
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, ws, sizeof(*ws), ws_thread);
	bench_result(&a, ops, bench_now() - t0, "slots=%ld", a.extra);
	free(ws);
	return 0;
}
