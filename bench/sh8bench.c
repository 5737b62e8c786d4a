/* SPDX-License-Identifier: MIT */
/*
 * sh8bench.c - sh6bench plus cross-thread frees, after SmartHeap's sh8bench.
 *
 * As in sh6bench each thread allocates batches whose sizes walk through
 * a wide range, but half of every batch goes to the next thread (a ring
 * of mailboxes) to be freed there.  Each round a thread frees its own
 * even-indexed objects in FIFO order, posts the odd-indexed ones to its
 * neighbour, and frees what its other neighbour posted in LIFO order.
 * A mailbox that is still full is drained by the poster, so no thread
 * ever waits for another.
 *
 * -t threads, -n total allocations, -x batch size, -s/-S sizes.
 * Written from the published description of MicroQuill's sh8bench.
 */
#include "bench_util.h"

struct parcel {
	size_t n;
	void *obj[];
};

struct sh8 {
	struct bench_thread t;
	long rounds;
	_Alignas(BENCH_CACHELINE) _Atomic(struct parcel *) mailbox;
};

static struct sh8 *threads;

static void parcel_free(struct parcel *p)
{
	if (p) {
		bench_free_range(p->obj, 0, p->n, 1);
		free(p);
	}
}

static void sh8_round(struct sh8 *s, void **v, size_t n, long r)
{
	const struct bench_args *a = s->t.args;
	size_t span = a->max_size - a->min_size + 1, i;
	size_t lo = a->min_size + ((size_t)r * 97) % span;
	size_t hi = lo * 8 < a->max_size ? lo * 8 : a->max_size;
	struct sh8 *next = &threads[(s->t.id + 1) % a->threads];
	struct parcel *p = bench_xmalloc(sizeof(*p) + sizeof(void *) * (n / 2));

	bench_alloc_batch(&s->t.rng, v, n, lo, hi);
	for (i = 0, p->n = 0; i < n; i++) {
		if (i & 1)
			p->obj[p->n++] = v[i];
		else
			free(v[i]);
	}
	parcel_free(atomic_exchange(&next->mailbox, p));
	parcel_free(atomic_exchange(&s->mailbox, NULL));
	s->t.ops += (long)n;
}

static void *sh8_thread(void *arg)
{
	struct sh8 *s = arg;
	size_t n = (size_t)s->t.args->extra;
	void **v = bench_xmalloc(sizeof(void *) * n);
	long r;

	for (r = 0; r < s->rounds; r++)
		sh8_round(s, v, n, r);
	free(v);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "sh8bench", .threads = 2, .iters = 4000000,
		.quick_iters = 500000, .min_size = 1, .max_size = 4096,
		.extra = 1000, .seed = 1,
	};
	double t0, el;
	long ops;
	int i;

	bench_parse(&a, argc, argv,
		    "many sizes, half of each batch freed by another thread");
	if (a.extra < 2)
		a.extra = 2;
	threads = bench_threads_new(a.threads, sizeof(*threads));
	for (i = 0; i < a.threads; i++)
		threads[i].rounds = a.iters / a.extra / a.threads + 1;
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, threads, sizeof(*threads),
				sh8_thread);
	el = bench_now() - t0;
	for (i = 0; i < a.threads; i++)
		parcel_free(atomic_exchange(&threads[i].mailbox, NULL));
	free(threads);
	bench_result(&a, ops, el, "batch=%ld", a.extra);
	return 0;
}
