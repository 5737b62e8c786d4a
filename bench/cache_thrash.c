/* SPDX-License-Identifier: MIT */
/*
 * cache_thrash.c - active false sharing, after Hoard's cache-thrash.
 *
 * Every worker repeatedly allocates a small object, writes it many times
 * and frees it.  The workers run at once, so an allocator that carves
 * their objects from one shared cache line makes the line bounce between
 * cores on every write.  A scalable allocator keeps each thread's small
 * objects on its own lines and runs this in time independent of -t.
 *
 * -t workers, -n total object lifetimes, -x writes per byte, -s size.
 * Written from the Hoard paper's description (Berger et al., ASPLOS 2000).
 */
#include "bench_util.h"

struct thrash {
	struct bench_thread t;
	long iters;
};

static void *thrash_thread(void *arg)
{
	struct thrash *s = arg;
	const struct bench_args *a = s->t.args;

	bench_write_loop(s->iters, a->min_size, a->extra);
	s->t.ops = s->iters;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "cache-thrash", .threads = 2, .iters = 4000000,
		.quick_iters = 500000, .min_size = 8, .max_size = 8,
		.extra = 100, .seed = 1,
	};
	struct thrash *ts;
	double t0, el;
	long ops;
	int i;

	bench_parse(&a, argc, argv,
		    "active false sharing: concurrent small objects written hard");
	ts = bench_threads_new(a.threads, sizeof(*ts));
	for (i = 0; i < a.threads; i++)
		ts[i].iters = a.iters / a.threads;
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, ts, sizeof(*ts), thrash_thread);
	el = bench_now() - t0;
	free(ts);
	bench_result(&a, ops, el, "size=%zu writes=%ld", a.min_size, a.extra);
	return 0;
}
