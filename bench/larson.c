/* SPDX-License-Identifier: MIT */
/*
 * larson.c - the Larson & Krishnan server simulation.
 *
 * Models a long-running server: each thread owns an array of slots
 * holding live objects, and repeatedly frees the object in a random slot
 * and puts a new object of random size there.  After a number of rounds
 * the thread exits and a new thread inherits its slot array, so every
 * generation frees objects that a dead thread allocated.  The main thread
 * fills the first arrays, making the first frees remote.
 *
 * -n total replacements, -x slots per thread, -s/-S object sizes.
 * Written from the published description (Larson & Krishnan, ISMM 1998).
 */
#include "bench_util.h"

#define LARSON_GENERATIONS 8

struct larson {
	struct bench_thread t;
	void **slots;
	long rounds;
};

static void *larson_thread(void *arg)
{
	struct larson *l = arg;
	const struct bench_args *a = l->t.args;
	size_t nslots = (size_t)a->extra;
	long i;

	for (i = 0; i < l->rounds; i++) {
		size_t k = (size_t)bench_rng_below(&l->t.rng, nslots);
		size_t sz = bench_rng_range(&l->t.rng, a->min_size, a->max_size);

		free(l->slots[k]);
		l->slots[k] = bench_alloc(sz, (unsigned char)i);
	}
	l->t.ops = l->rounds;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "larson", .threads = 2, .iters = 40000000,
		.quick_iters = 5000000, .min_size = 10, .max_size = 500,
		.extra = 1000, .seed = 1,
	};
	struct larson *ls;
	struct bench_rng rng;
	double t0, el;
	long ops = 0;
	int g, i;
	size_t k;

	bench_parse(&a, argc, argv,
		    "server simulation: slot replacement, slots handed to new threads");
	if (a.extra < 1)
		a.extra = 1;
	ls = bench_threads_new(a.threads, sizeof(*ls));
	bench_rng_seed(&rng, a.seed);
	for (i = 0; i < a.threads; i++) {
		ls[i].slots = bench_xmalloc(sizeof(void *) * (size_t)a.extra);
		ls[i].rounds = a.iters / a.threads / LARSON_GENERATIONS;
		for (k = 0; k < (size_t)a.extra; k++)
			ls[i].slots[k] = bench_alloc(
				bench_rng_range(&rng, a.min_size, a.max_size), 1);
	}
	t0 = bench_now();
	for (g = 0; g < LARSON_GENERATIONS; g++) {
		/* the arrays rotate so each generation inherits a neighbour's */
		void **first = ls[0].slots;

		a.seed += (unsigned long)g;
		ops += bench_run_threads(&a, a.threads, ls, sizeof(*ls),
					 larson_thread);
		for (i = 0; i + 1 < a.threads; i++)
			ls[i].slots = ls[i + 1].slots;
		ls[a.threads - 1].slots = first;
	}
	el = bench_now() - t0;
	for (i = 0; i < a.threads; i++) {
		for (k = 0; k < (size_t)a.extra; k++)
			free(ls[i].slots[k]);
		free(ls[i].slots);
	}
	free(ls);
	bench_result(&a, ops, el, "generations=%d", LARSON_GENERATIONS);
	return 0;
}
