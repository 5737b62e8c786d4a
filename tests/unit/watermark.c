/* SPDX-License-Identifier: MIT */
/*
 * watermark.c - the watermark arithmetic, and a zone below its low
 * watermark committing its next section before it runs dry.
 */
#include "pagetest.h"
#include "watermark.h"

static void test_min_free_rule(void)
{
	/* sqrt(16 * KiB), clamped to [128 KiB, 256 MiB], in pages. */
	CHECK_EQ(bm_min_free_pages(256), 128 / 4);		/* 1 MiB zone: floor */
	CHECK_EQ(bm_min_free_pages(262144), 4096 / 4);		/* 1 GiB: 4096 KiB */
	CHECK_EQ(bm_min_free_pages(1ULL << 40), 262144 / 4);	/* ceiling */
}

static void test_zone_watermarks(void)
{
	struct zone *z = pt_zone();
	uint64_t managed, min, gap;

	bm_free_pages(bm_alloc_pages(GFP_USER, 0), 0);
	managed = z->managed_pages;
	min = bm_min_free_pages(managed);
	if (min > managed / 4)
		min = managed / 4;
	gap = managed * bm_opt_watermark_scale_factor / 10000;
	if (gap < min / 4)
		gap = min / 4;
	CHECK_EQ(z->watermark[WMARK_MIN], min);
	CHECK_EQ(z->watermark[WMARK_LOW], min + gap);
	CHECK_EQ(z->watermark[WMARK_HIGH], min + 2 * gap);
	CHECK(z->watermark[WMARK_MIN] < z->watermark[WMARK_LOW]);
	CHECK(z->watermark[WMARK_LOW] < z->watermark[WMARK_HIGH]);
}

/* Allocate until the zone dips below low: the next allocation commits a
 * new section, long before the zone is empty. */
static void test_low_watermark_grows_zone(void)
{
	struct zone *z = pt_zone();
	uint32_t sections = z->nr_sections;
	uint64_t commits = pt_event(ZE_section_commit);
	uint64_t lowest = UINT64_MAX, low = z->watermark[WMARK_LOW];

	while (z->nr_sections == sections) {
		CHECK(bm_alloc_pages(GFP_USER, 0) != NULL);
		if (z->nr_free_pages < lowest)
			lowest = z->nr_free_pages;
	}
	CHECK_EQ(pt_event(ZE_section_commit) - commits, 1);
	CHECK(pt_event(ZE_watermark_low) > 0);
	/* It grew when it reached low, never dipping below. */
	CHECK_EQ(lowest, low);
	/* The watermarks followed the bigger zone. */
	CHECK_EQ(z->managed_pages, (uint64_t)bm_section_pages * z->nr_sections);
	CHECK_INVARIANTS();
}

static void test_watermark_ok(void)
{
	struct zone *z = pt_zone();

	bm_lock(&z->lock);
	CHECK(bm__zone_watermark_ok(z, 0, WMARK_MIN, 0));
	/* No block larger than max_order can ever be found. */
	CHECK(!bm__zone_watermark_ok(z, bm_max_order + 1, WMARK_MIN, 0));
	bm_unlock(&z->lock);
}

int main(void)
{
	pt_setup("section_size=4M,watermark_scale_factor=100");
	RUN_TEST(test_min_free_rule);
	RUN_TEST(test_zone_watermarks);
	RUN_TEST(test_low_watermark_grows_zone);
	RUN_TEST(test_watermark_ok);
	return test_exit();
}
