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
 *
 * -m 1: the shape mimalloc-bench runs (its alloc-test 1 and alloc-testN):
 * -x slots shared out among the threads (2^18 there), about half of
 * them filled before the clock starts, no budget; a slot is picked by
 * the 80/20 rule applied six times over (80% of the picks land in the
 * hottest 20% of the slots, 80% of those in the hottest 20% of that,
 * and so on), so a few slots take most of the traffic; sizes come in
 * power-of-two classes from 5 B up to -S (1 KiB there), half of them in
 * the smallest class, a quarter in the next and so on; every byte of a
 * new block is written and every byte checked before it is freed.
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
	size_t slots;
};

/* -m 1: the slot picked by the 80/20 rule, six levels deep. */
static size_t at_pareto(struct bench_rng *r, size_t n)
{
	size_t lo = 0, len = n, hot;
	int level;

	for (level = 0; level < 6 && len > 1; level++) {
		hot = len / 5 ? len / 5 : 1;
		if (bench_rng_below(r, 5)) {	/* 4 in 5: the hot fifth */
			len = hot;
		} else {
			lo += hot;
			len -= hot;
		}
	}
	return lo + (size_t)bench_rng_below(r, len);
}

/* -m 1: class c (from 0) with probability 2^-(c+1), the last class
 * taking the rest; a size in (4 << c, 8 << c], up to @max. */
static size_t at_classsize(struct bench_rng *r, size_t max)
{
	int top = 63 - __builtin_clzll(max) - 3, c;
	size_t base;

	if (top < 0)
		top = 0;
	c = __builtin_ctzll(bench_rng_next(r) | (1ull << top));
	base = (size_t)4 << c;
	return base + 1 + (size_t)bench_rng_below(r, base);
}

static uint64_t at_tag(const struct at_block *b)
{
	return (uint64_t)(uintptr_t)b ^ b->size ^ 0x5bd1e995u;
}

static void at_fill(struct at_block *b, struct bench_rng *r,
		    const struct bench_args *a)
{
	uint64_t tag;

	if (a->mode == 1) {
		b->size = at_classsize(r, a->max_size);
		b->p = bench_xmalloc(b->size);
		memset(b->p, (unsigned char)at_tag(b), b->size);
		return;
	}
	b->size = bench_rng_logsize(r, a->min_size, a->max_size);
	b->p = bench_alloc(b->size, 0x5a);
	tag = at_tag(b);
	memcpy(b->p, &tag, sizeof(tag));
	memcpy((char *)b->p + b->size - sizeof(tag), &tag, sizeof(tag));
}

/* -m 1: every byte is the one at_fill wrote. */
static int at_bad_bytes(const struct at_block *b)
{
	const unsigned char *c = b->p, v = (unsigned char)at_tag(b);
	size_t i;

	for (i = 0; i < b->size; i++)
		if (c[i] != v)
			return 1;
	return 0;
}

static int at_release(struct at_block *b, const struct bench_args *a)
{
	uint64_t head, tail, tag = at_tag(b);
	int bad;

	if (a->mode == 1) {
		bad = at_bad_bytes(b);
	} else {
		memcpy(&head, b->p, sizeof(head));
		memcpy(&tail, (char *)b->p + b->size - sizeof(tail),
		       sizeof(tail));
		bad = head != tag || tail != tag;
	}
	free(b->p);
	b->p = NULL;
	return bad;
}

static void *at_thread(void *arg)
{
	struct at *t = arg;
	const struct bench_args *a = t->t.args;
	size_t n = t->slots, used = 0;
	struct at_block *v = calloc(n, sizeof(*v));
	long s;

	if (!v)
		bench_oom(n * sizeof(*v));
	if (a->mode == 1)	/* about half the slots filled to start */
		for (s = 0; s < (long)n; s++)
			if (bench_rng_below(&t->t.rng, 2))
				at_fill(&v[s], &t->t.rng, a);
	for (s = 0; s < t->steps; s++) {
		struct at_block *b = &v[a->mode == 1 ?
					at_pareto(&t->t.rng, n) :
					bench_rng_below(&t->t.rng, n)];

		if (b->p) {
			used -= b->size;
			t->t.bad += at_release(b, a);
		} else if (a->mode == 1 || used < AT_BUDGET) {
			at_fill(b, &t->t.rng, a);
			used += b->size;
		}
	}
	for (s = 0; s < (long)n; s++)
		if (v[s].p)
			t->t.bad += at_release(&v[s], a);
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
	for (i = 0; i < a.threads; i++) {
		ts[i].steps = a.iters / a.threads;
		ts[i].slots = (size_t)a.extra;
		if (a.mode == 1 && a.extra / a.threads > 0)
			ts[i].slots = (size_t)(a.extra / a.threads);
	}
	status = bench_run_checked(&a, ts, sizeof(*ts), at_thread, "corrupt",
				   "blocks were corrupted");
	free(ts);
	return status;
}
