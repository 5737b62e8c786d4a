/* SPDX-License-Identifier: MIT */
/*
 * fallback.c - a migratetype with no free block steals from another:
 * whole pageblocks change type outright, a pageblock mostly free is
 * claimed, and a mostly used one lends a single block.
 */
#include "pagetest.h"

static unsigned int pageblocks_of(int mt)
{
	struct zone *z = pt_zone();
	unsigned int n = 0;

	for (uint32_t i = 0; i < z->present_pages; i += 1u << bm_pageblock_order)
		n += *pageblock_mt_of(z->zone_start_pfn + i) == mt;
	return n;
}

static void test_whole_pageblock_changes_type(void)
{
	/* Take the unmovable max-order block the test before left, so the
	 * next unmovable request has to steal. */
	struct page *held = bm_alloc_pages(GFP_SLAB, bm_max_order);
	unsigned int before = pageblocks_of(MIGRATE_UNMOVABLE);
	uint64_t fb, steals;
	struct page *p;

	fb = pt_event(ZE_fallback);
	steals = pt_event(ZE_pageblock_steal);
	p = bm_alloc_pages(GFP_SLAB, 0);
	CHECK(p != NULL);
	CHECK_EQ(pt_event(ZE_fallback) - fb, 1);
	CHECK_EQ(pt_event(ZE_pageblock_steal) - steals, 1);
	/* Largest first, but only one pageblock of it changes type. */
	CHECK_EQ(pageblocks_of(MIGRATE_UNMOVABLE), before + 1);
	CHECK_EQ(*pageblock_mt_of(page_to_pfn(p)), MIGRATE_UNMOVABLE);
	/* Further unmovable requests use the stolen block: no new fallback. */
	fb = pt_event(ZE_fallback);
	bm_free_pages(bm_alloc_pages(GFP_SLAB, 3), 3);
	CHECK_EQ(pt_event(ZE_fallback), fb);
	bm_free_pages(p, 0);
	if (held)
		bm_free_pages(held, bm_max_order);
	CHECK_INVARIANTS();
}

/* On a fresh zone (all movable), a request above pageblock order takes as
 * many pageblocks as it needs from the other type, no fewer. */
static void test_large_request_steals_enough(void)
{
	struct page *p = bm_alloc_pages(GFP_SLAB, bm_max_order);

	CHECK(p != NULL);
	if (!p)
		return;
	for (uint32_t i = 0; i < (1u << bm_max_order); i += 1u << bm_pageblock_order)
		CHECK_EQ(*pageblock_mt_of(page_to_pfn(p) + i), MIGRATE_UNMOVABLE);
	bm_free_pages(p, bm_max_order);
	CHECK_INVARIANTS();
}

#define NODE_PAGES	(8u << 20 >> PAGE_SHIFT)

static struct page *held[NODE_PAGES];	/* by pfn offset in the zone */

/* Allocate every page there is as movable order-0 pages. */
static void fill_zone(void)
{
	struct page *p;

	while ((p = bm_alloc_pages(GFP_USER | __GFP_HARDER, 0)) != NULL)
		held[page_to_pfn(p) - pt_zone()->zone_start_pfn] = p;
}

static void release(uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		if (held[i]) {
			bm_free_pages(held[i], 0);
			held[i] = NULL;
		}
}

/* A pageblock with little free memory lends one block and keeps its type. */
static void test_mostly_used_pageblock_lends_a_block(void)
{
	uint32_t pb = 1u << bm_pageblock_order;
	uint64_t fb, steals;
	unsigned int unmovable;
	struct page *p;

	fill_zone();
	release(pb + 64, pb + 128);	/* one order-6 block in pageblock 1 */
	unmovable = pageblocks_of(MIGRATE_UNMOVABLE);
	fb = pt_event(ZE_fallback);
	steals = pt_event(ZE_pageblock_steal);
	p = bm_alloc_pages(GFP_SLAB | __GFP_HARDER, 0);
	CHECK(p != NULL);
	CHECK_EQ(pt_event(ZE_fallback) - fb, 1);
	CHECK_EQ(pt_event(ZE_pageblock_steal), steals);
	CHECK_EQ(pageblocks_of(MIGRATE_UNMOVABLE), unmovable);
	CHECK_EQ(p->migratetype, MIGRATE_UNMOVABLE);
	CHECK_INVARIANTS();
	bm_free_pages(p, 0);
	release(0, NODE_PAGES);
	CHECK(pt_only_max_order_blocks());
}

/* A pageblock mostly free is claimed whole by the stealing type. */
static void test_mostly_free_pageblock_is_claimed(void)
{
	uint32_t pb = 1u << bm_pageblock_order;
	uint32_t start = pt_zone()->zone_start_pfn + 2 * pb;
	uint64_t steals;
	struct page *p;

	fill_zone();
	release(2 * pb + 8, 3 * pb);	/* pageblock 2: all but 8 pages free */
	CHECK_EQ(*pageblock_mt_of(start), MIGRATE_MOVABLE);
	steals = pt_event(ZE_pageblock_steal);
	p = bm_alloc_pages(GFP_SLAB | __GFP_HARDER, 0);
	CHECK(p != NULL);
	CHECK_EQ(pt_event(ZE_pageblock_steal) - steals, 1);
	CHECK_EQ(*pageblock_mt_of(start), MIGRATE_UNMOVABLE);
	CHECK(page_to_pfn(p) >= start && page_to_pfn(p) < start + pb);
	CHECK_INVARIANTS();
	bm_free_pages(p, 0);
	release(0, NODE_PAGES);
	CHECK(pt_only_max_order_blocks());
	CHECK_INVARIANTS();
}

int main(void)
{
	pt_setup("node_reserve=8M,section_size=4M,max_order=10");
	RUN_TEST(test_large_request_steals_enough);
	RUN_TEST(test_whole_pageblock_changes_type);
	RUN_TEST(test_mostly_used_pageblock_lends_a_block);
	RUN_TEST(test_mostly_free_pageblock_is_claimed);
	return test_exit();
}
