/* SPDX-License-Identifier: MIT */
/*
 * large.c - large objects, 64 KiB to 64 MiB.
 *
 * Each thread keeps a few large blocks alive and repeatedly replaces a
 * random one with a block of log-uniform size between -s and -S,
 * touching every page of it.  This is where allocators hand memory to
 * and take it back from the kernel (mmap/munmap, madvise, caching), so
 * system time and peak RSS matter as much as wall time here.
 *
 * -t threads, -n total replacements, -x live blocks per thread.
 */
#include "bench_util.h"

struct lg {
	struct bench_thread t;
	long iters;
};

static void *lg_thread(void *arg)
{
	struct lg *l = arg;
	const struct bench_args *a = l->t.args;
	size_t n = (size_t)a->extra;
	void **live = calloc(n, sizeof(void *));
	unsigned long sum = 0;
	long i;

	if (!live)
		bench_oom(n * sizeof(void *));
	for (i = 0; i < l->iters; i++) {
		size_t k = (size_t)bench_rng_below(&l->t.rng, n);
		size_t sz = bench_rng_logsize(&l->t.rng, a->min_size, a->max_size);

		free(live[k]);
		live[k] = bench_alloc(sz, (unsigned char)i);
		sum += bench_peek(live[k], sz);
	}
	bench_free_range(live, 0, n, 0);
	free(live);
	bench_sink(sum);
	l->t.ops = l->iters;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "large", .threads = 2, .iters = 400,
		.quick_iters = 60, .min_size = 64 << 10, .max_size = 64 << 20,
		.extra = 4, .seed = 1,
	};
	struct lg *ls;
	double t0, el;
	long ops;
	int i;

	bench_parse(&a, argc, argv, "replace large blocks (64 KiB - 64 MiB), touching every page");
	if (a.extra < 1)
		a.extra = 1;
	ls = bench_threads_new(a.threads, sizeof(*ls));
	for (i = 0; i < a.threads; i++)
		ls[i].iters = a.iters / a.threads;
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, ls, sizeof(*ls), lg_thread);
	el = bench_now() - t0;
	free(ls);
	bench_result(&a, ops, el, NULL);
	return 0;
}
