/* SPDX-License-Identifier: MIT */
/*
 * fastpath.c - cost of one malloc+free pair per size class.
 *
 * Not a workload but a micro-benchmark of the allocator's fast path.  For
 * each size from -s to -S (powers of two) it runs, after a warm-up:
 *
 *	local	one thread: p = malloc(size); write *p; free(p)
 *	remote	thread A allocates batches of 1024 objects, thread B frees
 *		them while A fills the next batch (every free is remote)
 *
 * and prints one line per size:
 *
 *	fastpath mode=local size=16 pairs=N ns_per_pair=X
 *
 * Under valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=fp_local --toggle-collect=fp_remote_alloc
 * --toggle-collect=fp_remote_free only the measured loops are counted,
 * and a dump is written after each size (CALLGRIND_DUMP_STATS_AT), so
 * the instruction count per pair is exact and repeatable.
 *
 * -x 0 local, 1 remote, 2 both; -n local pairs per size (remote: a
 * tenth, in whole batches); -s/-S size range.
 */
#include "bench_util.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_DUMP_STATS_AT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define FP_BATCH 1024

BENCH_NOINLINE void fp_local(size_t size, long n);
BENCH_NOINLINE void fp_remote_alloc(void **v, size_t size);
BENCH_NOINLINE void fp_remote_free(void **v);

/* The measured loops: global and noinline so callgrind can find them. */
BENCH_NOINLINE void fp_local(size_t size, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		volatile char *p = malloc(size);

		*p = 0;
		free((void *)p);
	}
}

BENCH_NOINLINE void fp_remote_alloc(void **v, size_t size)
{
	int i;

	for (i = 0; i < FP_BATCH; i++) {
		volatile char *p = malloc(size);

		*p = 0;
		v[i] = (void *)p;
	}
}

BENCH_NOINLINE void fp_remote_free(void **v)
{
	int i;

	for (i = 0; i < FP_BATCH; i++)
		free(v[i]);
}

static struct {
	pthread_barrier_t step;
	void *buf[2][FP_BATCH];
	long rounds;
} fr;

static void *fp_freer(void *arg)
{
	long k;

	(void)arg;
	for (k = 0; k < fr.rounds; k++) {
		pthread_barrier_wait(&fr.step);
		fp_remote_free(fr.buf[k & 1]);
	}
	return NULL;
}

/* A allocates batch k while B frees batch k - 1; one barrier per batch. */
static double fp_remote(size_t size, long pairs)
{
	pthread_t b;
	double t0;
	long k;

	fr.rounds = pairs / FP_BATCH + 1;
	pthread_barrier_init(&fr.step, NULL, 2);
	if (pthread_create(&b, NULL, fp_freer, NULL))
		exit(4);
	t0 = bench_now();
	for (k = 0; k < fr.rounds; k++) {
		fp_remote_alloc(fr.buf[k & 1], size);
		pthread_barrier_wait(&fr.step);
	}
	pthread_join(b, NULL);
	t0 = bench_now() - t0;
	pthread_barrier_destroy(&fr.step);
	return t0;
}

static void fp_report(const char *mode, size_t size, long pairs, double el)
{
	char tag[64];

	snprintf(tag, sizeof(tag), "mode=%s size=%zu pairs=%ld", mode, size, pairs);
	CALLGRIND_DUMP_STATS_AT(tag);
	printf("fastpath %s ns_per_pair=%.3f\n", tag, el * 1e9 / (double)pairs);
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "fastpath", .threads = 1, .iters = 1000000,
		.quick_iters = 100000, .min_size = 8, .max_size = 32768,
		.extra = 2, .seed = 1,
	};
	double t0, total = 0;
	long pairs = 0, rp;
	size_t s;

	bench_parse(&a, argc, argv, "ns (and, under callgrind, instructions) per malloc+free pair");
	rp = (a.iters / 10 / FP_BATCH + 1) * FP_BATCH;
	for (s = a.min_size; s <= a.max_size; s *= 2) {
		if (a.extra != 1) {
			fp_local(s, a.iters / 10 + 1);	/* warm-up, not counted */
			CALLGRIND_DUMP_STATS_AT("warm-up");
			t0 = bench_now();
			fp_local(s, a.iters);
			t0 = bench_now() - t0;
			fp_report("local", s, a.iters, t0);
			total += t0;
			pairs += a.iters;
		}
		if (a.extra != 0) {
			fp_remote(s, FP_BATCH * 4);	/* warm-up */
			CALLGRIND_DUMP_STATS_AT("warm-up");
			t0 = fp_remote(s, rp - 1);
			fp_report("remote", s, rp, t0);
			total += t0;
			pairs += rp;
		}
	}
	bench_result(&a, pairs, total, NULL);
	return 0;
}
