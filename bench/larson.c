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
 * -m R: the original program's shape instead of 8 generations: a
 * generation makes R rounds over its slots (R x slots replacements per
 * thread), a new thread takes over the array its predecessor used, and
 * the generations follow one another until -n is done; the main thread shuffles the first objects over every thread's slots and
 * replaces 4 x the slots at random before the clock starts.
 * mimalloc-bench runs the original as `larson 5 8 1000 5000 100 4141 N`
 * (5 s, 8-1000 B, 5000 slots per thread, 100 rounds); bench/run's
 * larson-orig row is -s 8 -S 1000 -x 5000 -m 100, with a fixed amount of
 * work instead of 5 s so that its time compares like every other row's.
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
	long ops = 0, gens = LARSON_GENERATIONS, rounds;
	void **all;
	int g, i;
	size_t k, n;

	bench_parse(&a, argc, argv,
		    "server simulation: slot replacement, slots handed to new threads");
	if (a.extra < 1)
		a.extra = 1;
	ls = bench_threads_new(a.threads, sizeof(*ls));
	bench_rng_seed(&rng, a.seed);
	n = (size_t)a.threads * (size_t)a.extra;
	all = bench_xmalloc(sizeof(void *) * n);
	for (k = 0; k < n; k++)
		all[k] = bench_alloc(bench_rng_range(&rng, a.min_size, a.max_size), 1);
	rounds = a.iters / a.threads / LARSON_GENERATIONS;
	if (a.mode > 0) {
		rounds = a.mode * a.extra;
		gens = a.iters / a.threads / rounds;
		if (gens < 1)
			gens = 1;
		bench_shuffle(&rng, all, n);
		for (k = 0; k < 4 * n; k++) {
			size_t v = (size_t)bench_rng_below(&rng, n);

			free(all[v]);
			all[v] = bench_alloc(bench_rng_range(&rng, a.min_size,
							     a.max_size), 1);
		}
	}
	for (i = 0; i < a.threads; i++) {
		ls[i].slots = all + (size_t)i * (size_t)a.extra;
		ls[i].rounds = rounds;
	}
	t0 = bench_now();
	for (g = 0; g < gens; g++) {
		/*
		 * The arrays rotate so each generation inherits a neighbour's;
		 * in the original's shape a new thread takes over its
		 * predecessor's own array.
		 */
		void **first = ls[0].slots;

		a.seed += (unsigned long)g;
		ops += bench_run_threads(&a, a.threads, ls, sizeof(*ls),
					 larson_thread);
		if (a.mode > 0)
			continue;
		for (i = 0; i + 1 < a.threads; i++)
			ls[i].slots = ls[i + 1].slots;
		ls[a.threads - 1].slots = first;
	}
	el = bench_now() - t0;
	for (k = 0; k < n; k++)
		free(all[k]);
	free(all);
	free(ls);
	bench_result(&a, ops, el, "generations=%ld", gens);
	return 0;
}
