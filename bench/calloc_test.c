/* SPDX-License-Identifier: MIT */
/*
 * calloc_test.c - zeroed allocation.
 *
 * Each thread keeps a working set of blocks and repeatedly replaces a
 * random one with calloc() of a log-uniform size from 16 bytes to 1 MiB,
 * checks that the block reads as zero at its start, middle, end and on
 * every page, then dirties it.  Recycled memory must be cleared, fresh
 * pages from the kernel need not be: allocators that know the
 * difference skip the memset.  A non-zero byte fails the run.
 *
 * -t threads, -n total callocs, -x working-set slots, -s/-S sizes.
 */
#include "bench_util.h"

struct ct {
	struct bench_thread t;
	long iters;
};

static int ct_zero(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i += BENCH_PAGE)
		if (p[i])
			return 0;
	return !p[size / 2] && !p[size - 1];
}

static void *ct_thread(void *arg)
{
	struct ct *c = arg;
	const struct bench_args *a = c->t.args;
	size_t n = (size_t)a->extra;
	void **ws = calloc(n, sizeof(void *));
	long i;

	if (!ws)
		bench_oom(n * sizeof(void *));
	for (i = 0; i < c->iters; i++) {
		size_t k = (size_t)bench_rng_below(&c->t.rng, n);
		size_t sz = bench_rng_logsize(&c->t.rng, a->min_size, a->max_size);

		free(ws[k]);
		ws[k] = calloc(1, sz);
		if (!ws[k])
			bench_oom(sz);
		c->t.bad += !ct_zero(ws[k], sz);
		bench_touch(ws[k], sz, 0xff);
	}
	bench_free_range(ws, 0, n, 0);
	free(ws);
	c->t.ops = c->iters;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "calloc", .threads = 2, .iters = 150000,
		.quick_iters = 15000, .min_size = 16, .max_size = 1 << 20,
		.extra = 256, .seed = 1,
	};
	struct ct *cs;
	int i, status;

	bench_parse(&a, argc, argv, "calloc of 16 B - 1 MiB, checked for zeroes");
	if (a.extra < 1)
		a.extra = 1;
	cs = bench_threads_new(a.threads, sizeof(*cs));
	for (i = 0; i < a.threads; i++)
		cs[i].iters = a.iters / a.threads;
	status = bench_run_checked(&a, cs, sizeof(*cs), ct_thread, "not_zero",
				   "blocks were not zeroed");
	free(cs);
	return status;
}
