/* SPDX-License-Identifier: MIT */
/*
 * watermark.c - the watermark arithmetic, and a zone below its low
 * watermark committing its next section before it runs dry.
 */
#include "pagetest.h"
#include "watermark.h"

#include <string.h>

/* min_free_kbytes = sqrt(16 * zone KiB), clamped to [128 KiB, 256 MiB],
 * in 4 KiB pages (the kernel's rule of thumb).  Expected values worked by
 * hand, not by the formula under test. */
static void test_min_free_rule(void)
{
	bm_opt_min_free_kbytes = 0;	/* derived, the default */
	/* 64 pages = 256 KiB: sqrt(16 * 256) = 64 KiB, below the floor:
	 * 128 KiB = 32 pages. */
	expect_u64_eq(bm_min_free_pages(64), 32, "256 KiB zone: the 128 KiB floor");
	/* 256 pages = 1 MiB: sqrt(16 * 1024) = 128 KiB, the floor exactly. */
	expect_u64_eq(bm_min_free_pages(256), 32, "1 MiB zone: 128 KiB");
	/* 1024 pages = 4 MiB: sqrt(16 * 4096) = 256 KiB = 64 pages. */
	expect_u64_eq(bm_min_free_pages(1024), 64, "4 MiB zone: 256 KiB");
	/* 3000 pages = 12000 KiB: sqrt(192000) = 438.17 -> 438 KiB
	 * (438^2 = 191844, 439^2 = 192721) -> 109 pages (438 / 4 = 109.5). */
	expect_u64_eq(bm_min_free_pages(3000), 109, "12000 KiB zone: rounded down twice");
	/* 262144 pages = 1 GiB: sqrt(16 * 1048576) = 4096 KiB = 1024 pages. */
	expect_u64_eq(bm_min_free_pages(262144), 1024, "1 GiB zone: 4 MiB");
	/* 2^30 pages = 4 TiB: sqrt(16 * 2^32) = 2^18 KiB = 256 MiB: the ceiling
	 * exactly; 2^32 pages = 16 TiB: sqrt(2^38) = 2^19 KiB, clamped to it. */
	expect_u64_eq(bm_min_free_pages(1ULL << 30), 65536, "4 TiB zone: 256 MiB");
	expect_u64_eq(bm_min_free_pages(1ULL << 32), 65536, "16 TiB zone: the 256 MiB ceiling");
	expect_u64_eq(bm_min_free_pages(1ULL << 40), 65536, "2^40 pages: the ceiling");
	/* min_free_kbytes set: taken as it is, whatever the zone. */
	bm_opt_min_free_kbytes = 1024;
	expect_u64_eq(bm_min_free_pages(64), 256, "min_free_kbytes=1024: 256 pages");
	expect_u64_eq(bm_min_free_pages(1ULL << 32), 256, "min_free_kbytes=1024: 256 pages");
	bm_opt_min_free_kbytes = 0;
}

struct wm_case {
	uint64_t	managed;		/* pages */
	uint64_t	scale;			/* watermark_scale_factor */
	uint64_t	min_free_kbytes;	/* 0: derived */
	uint64_t	min, low, high;		/* expected, worked by hand */
};

/*
 * min = min_free_kbytes / 4 pages, at most managed / 4 (a small zone
 * keeps most of itself usable); gap = max(min / 4, managed * scale /
 * 10000); low = min + gap, high = min + 2 * gap.
 */
static const struct wm_case wm_cases[] = {
	/* 64 pages: min 32 (128 KiB floor) > 64 / 4 = 16: min 16.
	 * scale 10: 64 * 10 / 10000 = 0 < 16 / 4 = 4: gap 4. */
	{ 64, 10, 0,		16, 20, 24 },
	/* scale 1000: 64000 / 10000 = 6 > 4: gap 6. */
	{ 64, 1000, 0,		16, 22, 28 },
	/* 256 pages: min 32 (128 KiB; 256 / 4 = 64 does not clamp it);
	 * gap max(32 / 4 = 8, 2560 / 10000 = 0) = 8. */
	{ 256, 10, 0,		32, 40, 48 },
	/* scale 1000: 256000 / 10000 = 25 > 8. */
	{ 256, 1000, 0,		32, 57, 82 },
	/* 1024 pages (the 4 MiB section below): min 64; scale 100:
	 * 102400 / 10000 = 10 < 64 / 4 = 16: gap 16. */
	{ 1024, 100, 0,		64, 80, 96 },
	/* 3000 pages: min 109; scale 10: 3 < 27 (109 / 4): gap 27. */
	{ 3000, 10, 0,		109, 136, 163 },
	/* scale 1000: 300 > 27. */
	{ 3000, 1000, 0,	109, 409, 709 },
	/* min_free_kbytes=1024: 256 pages (750 = 3000 / 4 does not clamp);
	 * gap max(3, 64) = 64. */
	{ 3000, 10, 1024,	256, 320, 384 },
	/* min_free_kbytes=1024 on 64 pages: 256 > 16, clamped to 16. */
	{ 64, 10, 1024,		16, 20, 24 },
	/* 1 GiB: min 1024; scale 10: 2621440 / 10000 = 262 > 256. */
	{ 262144, 10, 0,	1024, 1286, 1548 },
	/* scale 1000: 262144000 / 10000 = 26214. */
	{ 262144, 1000, 0,	1024, 27238, 53452 },
	/* 2^30 pages = 4 TiB: min 65536, the ceiling exactly;
	 * 2^30 * 10 / 10000 = 1073741. */
	{ 1ULL << 30, 10, 0,	65536, 1139277, 2213018 },
	/* The largest zone (managed_pages is 32 bits): 2^32 - 1 pages:
	 * sqrt(16 * 4 * (2^32 - 1)) = 524287 KiB, clamped to 262144 KiB =
	 * 65536 pages; scale 10: 42949672950 / 10000 = 4294967. */
	{ 0xffffffffULL, 10, 0,	65536, 4360503, 8655470 },
	/* scale 1000: 4294967295000 / 10000 = 429496729. */
	{ 0xffffffffULL, 1000, 0, 65536, 429562265, 859058994 },
};

/* The watermarks of zones of given sizes: a zone of our own, so its size
 * is whatever the case says. */
static void test_watermark_values(void)
{
	static struct zone z;
	uint64_t scale = bm_opt_watermark_scale_factor, mfk = bm_opt_min_free_kbytes;

	for (size_t i = 0; i < sizeof(wm_cases) / sizeof(wm_cases[0]); i++) {
		const struct wm_case *c = &wm_cases[i];

		memset(&z, 0, sizeof(z));
		bm_lock_init(&z.lock, LOCK_RANK_ZONE);
		z.managed_pages = (uint32_t)c->managed;
		expect_u64_eq(z.managed_pages, c->managed, "the case fits the zone");
		bm_opt_watermark_scale_factor = c->scale;
		bm_opt_min_free_kbytes = c->min_free_kbytes;
		bm_lock(&z.lock);	/* a "__" function: debug builds check it */
		bm__setup_zone_watermarks(&z);
		bm_unlock(&z.lock);
		expect_u64_eq(z.watermark[WMARK_MIN], c->min,
			      "min: %" PRIu64 " pages, scale %" PRIu64 ", min_free_kbytes %" PRIu64,
			      c->managed, c->scale, c->min_free_kbytes);
		expect_u64_eq(z.watermark[WMARK_LOW], c->low,
			      "low: %" PRIu64 " pages, scale %" PRIu64 ", min_free_kbytes %" PRIu64,
			      c->managed, c->scale, c->min_free_kbytes);
		expect_u64_eq(z.watermark[WMARK_HIGH], c->high,
			      "high: %" PRIu64 " pages, scale %" PRIu64 ", min_free_kbytes %" PRIu64,
			      c->managed, c->scale, c->min_free_kbytes);
	}
	bm_opt_watermark_scale_factor = scale;
	bm_opt_min_free_kbytes = mfk;
}

/* The live zone: one 4 MiB section (1024 pages) at scale 100 has
 * min 64, low 80, high 96 (worked above). */
static void test_zone_watermarks(void)
{
	struct zone *z = pt_zone();

	bm_free_pages(bm_alloc_pages(GFP_USER, 0), 0);
	expect_u_eq(bm_section_pages, 1024, "4 MiB sections (max_order 10 allows them)");
	expect_u64_eq(z->managed_pages, 1024, "one 4 MiB section committed");
	expect_u64_eq(z->watermark[WMARK_MIN], 64, "1024 pages: min");
	expect_u64_eq(z->watermark[WMARK_LOW], 80, "1024 pages, scale 100: low");
	expect_u64_eq(z->watermark[WMARK_HIGH], 96, "1024 pages, scale 100: high");
}

/* Allocate until the zone dips below low: the next allocation commits a
 * new section, long before the zone is empty. */
static void test_low_watermark_grows_zone(void)
{
	enum { MAX_PAGES = 1024 };	/* the first section, at most */
	static struct page *held[MAX_PAGES];
	struct zone *z = pt_zone();
	uint64_t commits = pt_event(ZE_section_commit), lows = pt_event(ZE_watermark_low);
	uint64_t lowest = UINT64_MAX;
	unsigned int n = 0;

	bm_free_pages(bm_alloc_pages(GFP_USER, 0), 0);
	expect_u_eq(z->nr_sections, 1, "the zone starts with one 4 MiB section");
	expect_u64_eq(z->watermark[WMARK_LOW], 80, "1024 pages, scale 100: low (see above)");
	while (z->nr_sections == 1 && n < MAX_PAGES) {
		held[n] = bm_alloc_pages(GFP_USER, 0);
		expect_ptr_not_null(held[n], "page %u", n);
		if (!held[n])
			break;
		n++;
		if (z->nr_free_pages < lowest)
			lowest = z->nr_free_pages;
	}
	expect_u64_eq(pt_event(ZE_section_commit) - commits, 1, "one section committed");
	expect_u64_gt(pt_event(ZE_watermark_low), lows, "the low watermark was hit");
	/* It grew when it reached low (80 pages free), never dipping below:
	 * 1024 - 80 = 944 pages were handed out of the first section. */
	expect_u64_eq(lowest, 80, "the first section went down to low exactly");
	expect_u_eq(n, 945, "944 pages from the first section, the 945th from the new one");
	/* The watermarks followed the bigger zone: 2048 pages = 8 MiB;
	 * min = sqrt(16 * 8192) = 362.04 -> 362 KiB -> 90 pages;
	 * gap = max(90 / 4 = 22, 2048 * 100 / 10000 = 20) = 22. */
	expect_u64_eq(z->managed_pages, 2048, "two 4 MiB sections");
	expect_u64_eq(z->watermark[WMARK_MIN], 90, "2048 pages: min");
	expect_u64_eq(z->watermark[WMARK_LOW], 112, "2048 pages, scale 100: low");
	expect_u64_eq(z->watermark[WMARK_HIGH], 134, "2048 pages, scale 100: high");
	for (unsigned int i = 0; i < n; i++)
		bm_free_pages(held[i], 0);
	CHECK_INVARIANTS();
}

/* free - 2^order + 1 must stay above the mark; ALLOC_HARDER halves it. */
static void test_watermark_ok(void)
{
	static struct zone fake;
	struct zone *z = pt_zone();

	memset(&fake, 0, sizeof(fake));
	bm_lock_init(&fake.lock, LOCK_RANK_ZONE);
	bm_lock(&fake.lock);	/* a "__" function: debug builds check it */
	fake.watermark[WMARK_MIN] = 64;
	fake.nr_free_pages = 65;
	expect_true(bm__zone_watermark_ok(&fake, 0, WMARK_MIN, 0), "65 free, min 64: one page may go");
	fake.nr_free_pages = 64;
	expect_false(bm__zone_watermark_ok(&fake, 0, WMARK_MIN, 0), "64 free, min 64: none");
	expect_true(bm__zone_watermark_ok(&fake, 0, WMARK_MIN, ALLOC_HARDER),
		    "64 free: ALLOC_HARDER goes down to min / 2 = 32");
	fake.nr_free_pages = 33;
	expect_true(bm__zone_watermark_ok(&fake, 0, WMARK_MIN, ALLOC_HARDER),
		    "33 free, ALLOC_HARDER: 33 > 32");
	fake.nr_free_pages = 32;
	expect_false(bm__zone_watermark_ok(&fake, 0, WMARK_MIN, ALLOC_HARDER),
		     "32 free, ALLOC_HARDER: 32 is not above 32");
	fake.nr_free_pages = 1000;
	expect_false(bm__zone_watermark_ok(&fake, 3, WMARK_MIN, 0),
		     "free pages enough, but no free block of order 3 in an empty zone");
	bm_unlock(&fake.lock);

	bm_lock(&z->lock);
	expect_true(bm__zone_watermark_ok(z, 0, WMARK_MIN, 0), "the live zone is above min");
	/* No block larger than max_order can ever be found. */
	expect_false(bm__zone_watermark_ok(z, bm_max_order + 1, WMARK_MIN, 0),
		     "order max_order + 1");
	bm_unlock(&z->lock);
}

int main(void)
{
	/* max_order=10: 4 MiB blocks, so 4 MiB sections (init raises a
	 * section to at least one max-order block). */
	pt_setup("max_order=10,section_size=4M,watermark_scale_factor=100");
	RUN_TEST(test_min_free_rule);
	RUN_TEST(test_watermark_values);
	RUN_TEST(test_zone_watermarks);
	RUN_TEST(test_low_watermark_grows_zone);
	RUN_TEST(test_watermark_ok);
	return test_exit();
}
