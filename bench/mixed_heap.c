/* SPDX-License-Identifier: MIT */
/*
 * mixed_heap.c - a long-lived heap of mixed sizes, churned in place.
 *
 * One thread keeps -x slots (4096) of random sizes: 88% small (8-520 B,
 * uniform), 11% medium (512 B - 64 KiB, log-uniform) and 1% large
 * (64 KiB - 4 MiB, log-uniform), about 50 MiB live.  It fills them, then
 * -n times (3M; --quick 300k) frees a random slot and allocates a new
 * block into it, writing its first, middle and last byte.  The PRNG seed
 * is fixed (-r), so every allocator sees the same sequence.  What it
 * shows is the peak RSS and the time of a heap whose live size stays
 * flat while large and small blocks come and go: an allocator that
 * fragments, or that keeps what it freed, grows above the live size.
 *
 * The loop checks the clock every 4096 replacements and prints RSS at
 * most every 50 ms (write(2), no allocation), and once at the end:
 *
 *	sample t_ms=MS rss_kib=KIB minflt=FAULTS
 *	mark loop_done t_ms=MS rss_kib=KIB
 */
#include "bench_util.h"

#define MH_SAMPLE_S	0.05
#define MH_CHECK	4096

static size_t mh_size(struct bench_rng *r)
{
	uint64_t c = bench_rng_below(r, 100);

	if (c < 88)
		return bench_rng_range(r, 8, 520);
	if (c < 99)
		return bench_rng_logsize(r, 512, 64 << 10);
	return bench_rng_logsize(r, 64 << 10, 4 << 20);
}

static void *mh_new(struct bench_rng *r, unsigned char v)
{
	size_t sz = mh_size(r);
	unsigned char *p = bench_xmalloc(sz);

	p[0] = v;
	p[sz / 2] = v;
	p[sz - 1] = v;
	return p;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "mixed-heap", .threads = 1, .iters = 3000000,
		.quick_iters = 300000, .min_size = 8, .max_size = 4 << 20,
		.extra = 4096, .seed = 1,
	};
	struct bench_rng rng;
	double t0, next, el;
	long i, nslots, end_kib;
	void **slot;

	bench_parse(&a, argc, argv,
		    "4096 slots of mixed sizes (88% 8-520 B, 11% to 64 KiB, 1% "
		    "to 4 MiB), one replaced at random -n times");
	nslots = a.extra < 1 ? 1 : a.extra;
	bench_rng_seed(&rng, a.seed);
	t0 = bench_now();
	bench_sample(t0);
	next = t0 + MH_SAMPLE_S;
	slot = bench_xmalloc((size_t)nslots * sizeof(void *));
	for (i = 0; i < nslots; i++)
		slot[i] = mh_new(&rng, (unsigned char)i);
	for (i = 0; i < a.iters; i++) {
		size_t j = (size_t)bench_rng_below(&rng, (uint64_t)nslots);

		free(slot[j]);
		slot[j] = mh_new(&rng, (unsigned char)i);
		if ((i & (MH_CHECK - 1)) == MH_CHECK - 1 && bench_now() >= next) {
			bench_sample(t0);
			next += MH_SAMPLE_S;
			if (next < bench_now())
				next = bench_now() + MH_SAMPLE_S;
		}
	}
	el = bench_now() - t0;
	end_kib = bench_rss_kib_raw();
	bench_mark("loop_done", t0);
	bench_free_range(slot, 0, (size_t)nslots, 0);
	free(slot);
	bench_result(&a, a.iters, el, "slots=%ld rss_end_kib=%ld", nslots,
		     end_kib);
	return 0;
}
