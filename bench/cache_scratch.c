/* SPDX-License-Identifier: MIT */
/*
 * cache_scratch.c - passive false sharing, after Hoard's cache-scratch.
 *
 * The main thread allocates one small object per worker, back to back, so
 * they likely share cache lines, and hands one to each worker.  Each
 * worker frees its object at once, then repeatedly allocates an object
 * of the same size, writes it many times and frees it.  An allocator that
 * gives the freed (shared-line) memory back to the worker that freed it
 * makes the workers fight over one cache line for the whole run.
 *
 * -t workers, -n total object lifetimes, -x writes per byte, -s size.
 * Written from the Hoard paper's description (Berger et al., ASPLOS 2000).
 */
#include "bench_util.h"

struct scratch {
	struct bench_thread t;
	void *given;
	long iters;
};

static void *scratch_thread(void *arg)
{
	struct scratch *s = arg;
	const struct bench_args *a = s->t.args;

	free(s->given);
	bench_write_loop(s->iters, a->min_size, a->extra);
	s->t.ops = s->iters;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "cache-scratch", .threads = 2, .iters = 4000000,
		.quick_iters = 500000, .min_size = 8, .max_size = 8,
		.extra = 100, .seed = 1,
	};
	struct scratch *ss;
	double t0, el;
	long ops;
	int i;

	bench_parse(&a, argc, argv,
		    "passive false sharing: objects freed by the thread they were handed to");
	ss = bench_threads_new(a.threads, sizeof(*ss));
	for (i = 0; i < a.threads; i++) {
		ss[i].given = bench_alloc(a.min_size, 0);
		ss[i].iters = a.iters / a.threads;
	}
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, ss, sizeof(*ss), scratch_thread);
	el = bench_now() - t0;
	free(ss);
	bench_result(&a, ops, el, "size=%zu writes=%ld", a.min_size, a.extra);
	return 0;
}
