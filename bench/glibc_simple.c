/* SPDX-License-Identifier: MIT */
/*
 * glibc_simple.c - tight malloc-all/free-all loops, after glibc's
 * bench-malloc-simple.
 *
 * For each size of 16 to 1024 bytes and each batch of 25, 100, 400 and
 * 1600 objects, repeatedly allocate the whole batch and then free it.
 * Small batches live entirely in a thread cache; large ones overflow it
 * and reach the allocator's shared structures.  With -t several threads
 * run the same loops independently.
 *
 * -t threads, -n total malloc/free pairs.
 * Written from the description of glibc's benchtests/bench-malloc-simple.c.
 */
#include "bench_util.h"

static const size_t gs_sizes[] = { 16, 32, 64, 128, 256, 512, 1024 };
static const size_t gs_batches[] = { 25, 100, 400, 1600 };

#define GS_NSIZES	(sizeof(gs_sizes) / sizeof(gs_sizes[0]))
#define GS_NBATCHES	(sizeof(gs_batches) / sizeof(gs_batches[0]))

struct gs {
	struct bench_thread t;
	long pairs;
};

static unsigned long gs_loop(void **v, size_t size, size_t n, long reps)
{
	unsigned long sum = 0;
	size_t i;
	long r;

	for (r = 0; r < reps; r++) {
		for (i = 0; i < n; i++) {
			v[i] = bench_xmalloc(size);
			*(char *)v[i] = (char)i;
		}
		for (i = 0; i < n; i++) {
			sum += *(unsigned char *)v[i];
			free(v[i]);
		}
	}
	return sum;
}

static void *gs_thread(void *arg)
{
	struct gs *g = arg;
	void *v[1600];
	long per = g->pairs / (long)(GS_NSIZES * GS_NBATCHES);
	unsigned long sum = 0;
	size_t s, b;

	for (s = 0; s < GS_NSIZES; s++)
		for (b = 0; b < GS_NBATCHES; b++) {
			long reps = per / (long)gs_batches[b] + 1;

			sum += gs_loop(v, gs_sizes[s], gs_batches[b], reps);
			g->t.ops += reps * (long)gs_batches[b];
		}
	bench_sink(sum);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "glibc-simple", .threads = 1, .iters = 20000000,
		.quick_iters = 2500000, .min_size = 16, .max_size = 1024,
		.seed = 1,
	};
	struct gs *gs;
	double t0, el;
	long ops;
	int i;

	bench_parse(&a, argc, argv, "malloc a batch, free the batch, per size");
	gs = bench_threads_new(a.threads, sizeof(*gs));
	for (i = 0; i < a.threads; i++)
		gs[i].pairs = a.iters / a.threads;
	t0 = bench_now();
	ops = bench_run_threads(&a, a.threads, gs, sizeof(*gs), gs_thread);
	el = bench_now() - t0;
	free(gs);
	bench_result(&a, ops, el, "ns_per_pair=%.2f",
		     el * 1e9 * a.threads / (double)ops);
	return 0;
}
