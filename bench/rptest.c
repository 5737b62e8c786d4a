/* SPDX-License-Identifier: MIT */
/*
 * rptest.c - scattered alloc/free with a size distribution and
 * cross-thread handoff, after rpmalloc's benchmark (rptest in
 * mimalloc-bench).
 *
 * Each thread keeps an array of block slots.  Every loop it frees the
 * blocks batches handed to it since the last loop, frees a tenth of its
 * slots picked at random, puts new blocks into as many random slots
 * (freeing what was there), and every -m-th loop allocates another tenth
 * and hands them, as one batch, to the next thread, which frees them.
 * Sizes have a linear falloff: a size near the minimum is the most
 * likely, one near the maximum the least.  The loops run in two halves
 * with every slot freed in between, as the original runs its loop
 * sequence more than once per thread.  Every new block has its first and
 * last byte written.
 *
 * -t threads, -n total loops (divided among the threads), -x slots per
 * thread (a tenth of them per operation), -s/-S sizes, -m handoff every
 * that many loops (0: never).  Written from the published description
 * of the benchmark (rpmalloc's BENCHMARKS.md).
 */
#include "bench_util.h"
#include <sched.h>

struct rp_batch {
	struct rp_batch *next;
	size_t n;
	void *p[];
};

/*
 * Batches waiting in one thread's inbox at most: a sender finding more
 * frees its own inbox and yields until the receiver has caught up, so
 * that a thread running ahead cannot pile up memory without bound.
 */
#define RP_MAX_PENDING	4

struct rp {
	struct bench_thread t;
	_Atomic(struct rp_batch *) inbox;
	_Atomic long pending;
	long loops;
	char pad[BENCH_CACHELINE];
};

static struct rp *rp_threads;
static _Atomic int rp_running;

/* Linear falloff in [lo, hi]: the smaller of two uniform draws. */
static size_t rp_size(struct bench_rng *r, size_t lo, size_t hi)
{
	size_t a = bench_rng_range(r, lo, hi), b = bench_rng_range(r, lo, hi);

	return a < b ? a : b;
}

/* Free every block handed to @t so far; return how many batches. */
static long rp_drain(struct rp *t)
{
	struct rp_batch *b = atomic_exchange(&t->inbox, NULL), *next;
	long n = 0;
	size_t i;

	for (; b; b = next) {
		next = b->next;
		for (i = 0; i < b->n; i++)
			free(b->p[i]);
		n++;
		free(b);
	}
	atomic_fetch_sub(&t->pending, n);
	return n;
}

static void rp_push(struct rp *self, struct rp *to, struct rp_batch *b)
{
	struct rp_batch *head;

	while (atomic_load(&to->pending) >= RP_MAX_PENDING) {
		rp_drain(self);
		sched_yield();
	}
	atomic_fetch_add(&to->pending, 1);
	head = atomic_load(&to->inbox);
	do
		b->next = head;
	while (!atomic_compare_exchange_weak(&to->inbox, &head, b));
}

static void *rp_thread(void *arg)
{
	struct rp *t = arg;
	const struct bench_args *a = t->t.args;
	size_t n = (size_t)a->extra, ops = n / 10 ? n / 10 : 1, i, k;
	struct rp *next = &rp_threads[(t->t.id + 1) % a->threads];
	void **slot = calloc(n, sizeof(*slot));
	long loop, allocs = 0;

	if (!slot)
		bench_oom(n * sizeof(*slot));
	for (loop = 0; loop < t->loops; loop++) {
		if (loop == t->loops / 2)
			for (k = 0; k < n; k++) {
				free(slot[k]);
				slot[k] = NULL;
			}
		rp_drain(t);
		for (i = 0; i < ops; i++) {
			k = (size_t)bench_rng_below(&t->t.rng, n);
			free(slot[k]);
			slot[k] = NULL;
		}
		for (i = 0; i < ops; i++) {
			k = (size_t)bench_rng_below(&t->t.rng, n);
			free(slot[k]);
			slot[k] = bench_alloc(rp_size(&t->t.rng, a->min_size,
						      a->max_size),
					      (unsigned char)i);
		}
		allocs += (long)ops;
		if (a->mode > 0 && loop % a->mode == 0) {
			struct rp_batch *b = bench_xmalloc(sizeof(*b) +
							   ops * sizeof(void *));

			b->n = ops;
			for (i = 0; i < ops; i++)
				b->p[i] = bench_alloc(rp_size(&t->t.rng,
							      a->min_size,
							      a->max_size),
						      (unsigned char)i);
			rp_push(t, next, b);
			allocs += (long)ops;
		}
	}
	/* Keep freeing what comes in until every thread is done sending. */
	atomic_fetch_sub(&rp_running, 1);
	while (atomic_load(&rp_running)) {
		rp_drain(t);
		sched_yield();
	}
	rp_drain(t);
	for (k = 0; k < n; k++)
		free(slot[k]);
	free(slot);
	t->t.ops = allocs;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "rptest", .threads = 2, .iters = 50000,
		.quick_iters = 5000, .min_size = 8, .max_size = 16000,
		.extra = 1000, .mode = 2, .seed = 1,
	};
	double t0;
	long ops;
	int i;

	bench_parse(&a, argc, argv,
		    "scattered alloc/free, linear size falloff, batches freed by the next thread");
	if (a.extra < 1)
		a.extra = 1;
	rp_threads = bench_threads_new(a.threads, sizeof(*rp_threads));
	for (i = 0; i < a.threads; i++)
		rp_threads[i].loops = a.iters / a.threads;
	atomic_store(&rp_running, a.threads);
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, rp_threads, sizeof(*rp_threads),
				rp_thread);
	bench_result(&a, ops, bench_now() - t0, "slots=%ld handoff_every=%ld",
		     a.extra, a.mode);
	free(rp_threads);
	return 0;
}
