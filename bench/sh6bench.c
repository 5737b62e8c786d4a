/* SPDX-License-Identifier: MIT */
/*
 * sh6bench.c - many sizes, LIFO and FIFO frees, after SmartHeap's sh6bench.
 *
 * Each thread repeats rounds of: allocate a batch of objects whose sizes
 * move through the range from round to round, free the newer half in
 * reverse (LIFO, stack-like) order, allocate that half again, then free
 * the whole batch in allocation (FIFO, queue-like) order.  All objects
 * stay on the thread that allocated them.
 *
 * -t threads, -n total allocations, -x batch size, -s/-S sizes.
 * Written from the published description of MicroQuill's sh6bench.
 */
#include "bench_util.h"

struct sh6 {
	struct bench_thread t;
	long rounds;
};

static void *sh6_thread(void *arg)
{
	struct sh6 *s = arg;
	const struct bench_args *a = s->t.args;
	size_t n = (size_t)a->extra, span = a->max_size - a->min_size + 1;
	void **v = bench_xmalloc(sizeof(void *) * n);
	long r;

	for (r = 0; r < s->rounds; r++) {
		/* a window of sizes that walks through [min, max] */
		size_t lo = a->min_size + ((size_t)r * 37) % span;
		size_t hi = lo * 4 < a->max_size ? lo * 4 : a->max_size;

		bench_alloc_batch(&s->t.rng, v, n, lo, hi);
		bench_free_range(v, n / 2, n, 1);
		bench_alloc_batch(&s->t.rng, v + n / 2, n - n / 2, lo, hi);
		bench_free_range(v, 0, n, 0);
		s->t.ops += (long)(n + n - n / 2);
	}
	free(v);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "sh6bench", .threads = 2, .iters = 20000000,
		.quick_iters = 2500000, .min_size = 1, .max_size = 1000,
		.extra = 1000, .seed = 1,
	};
	struct sh6 *ss;
	double t0, el;
	long ops, per_round;
	int i;

	bench_parse(&a, argc, argv, "many sizes, batches freed LIFO then FIFO");
	if (a.extra < 2)
		a.extra = 2;
	per_round = a.extra + a.extra - a.extra / 2;
	ss = bench_threads_new(a.threads, sizeof(*ss));
	for (i = 0; i < a.threads; i++)
		ss[i].rounds = a.iters / per_round / a.threads + 1;
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, ss, sizeof(*ss), sh6_thread);
	el = bench_now() - t0;
	free(ss);
	bench_result(&a, ops, el, "batch=%ld", a.extra);
	return 0;
}
