/* SPDX-License-Identifier: MIT */
/*
 * alloc_test.c - bounded random allocation with content checks, after
 * the alloc-test benchmark.
 *
 * Each thread owns many slots and a byte budget.  Every step picks a
 * random slot: an empty slot gets a new block while the thread is under
 * budget, a full one is checked and freed.  Sizes follow a power law
 * from 8 bytes to 64 KiB.  Each block carries a tag in its first and last
 * words that is verified before the free, so an allocator that hands out
 * overlapping memory makes the run fail instead of just run fast.
 *
 * -t threads, -n total steps, -x slots per thread, -S largest size,
 * budget 32 MiB per thread.
 * Written from the description of alloc-test (ithare.com, 2016).
 */
#include "bench_util.h"

#define AT_BUDGET	(32u << 20)

struct at_block {
	void *p;
	size_t size;
};

struct at {
	struct bench_thread t;
	long steps;
};

static uint64_t at_tag(const struct at_block *b)
{
	return (uint64_t)(uintptr_t)b ^ b->size ^ 0x5bd1e995u;
}

static void at_fill(struct at_block *b, struct bench_rng *r,
		    const struct bench_args *a)
{
	uint64_t tag;

	b->size = bench_rng_logsize(r, a->min_size, a->max_size);
	b->p = bench_alloc(b->size, 0x5a);
	tag = at_tag(b);
	memcpy(b->p, &tag, sizeof(tag));
	memcpy((char *)b->p + b->size - sizeof(tag), &tag, sizeof(tag));
}

static int at_release(struct at_block *b)
{
	uint64_t head, tail, tag = at_tag(b);

	memcpy(&head, b->p, sizeof(head));
	memcpy(&tail, (char *)b->p + b->size - sizeof(tail), sizeof(tail));
	free(b->p);
	b->p = NULL;
	return head != tag || tail != tag;
}

static void *at_thread(void *arg)
{
	struct at *t = arg;
	const struct bench_args *a = t->t.args;
	size_t n = (size_t)a->extra, used = 0;
	struct at_block *v = calloc(n, sizeof(*v));
	long s;

	if (!v)
		bench_oom(n * sizeof(*v));
	for (s = 0; s < t->steps; s++) {
		struct at_block *b = &v[bench_rng_below(&t->t.rng, n)];

		if (b->p) {
			used -= b->size;
			t->t.bad += at_release(b);
		} else if (used < AT_BUDGET) {
			at_fill(b, &t->t.rng, a);
			used += b->size;
		}
	}
	for (s = 0; s < (long)n; s++)
		if (v[s].p)
			t->t.bad += at_release(&v[s]);
	free(v);
	t->t.ops = t->steps;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "alloc-test", .threads = 2, .iters = 16000000,
		.quick_iters = 2000000, .min_size = 16, .max_size = 65536,
		.extra = 8192, .seed = 1,
	};
	struct at *ts;
	int i, status;

	bench_parse(&a, argc, argv,
		    "bounded random alloc/free with power-law sizes and content checks");
	if (a.max_size < 16)
		a.max_size = 16;
	if (a.min_size < 16)
		a.min_size = 16;
	if (a.extra < 1)
		a.extra = 1;
	ts = bench_threads_new(a.threads, sizeof(*ts));
	for (i = 0; i < a.threads; i++)
		ts[i].steps = a.iters / a.threads;
	status = bench_run_checked(&a, ts, sizeof(*ts), at_thread, "corrupt",
				   "blocks were corrupted");
	free(ts);
	return status;
}
