/* SPDX-License-Identifier: MIT */
/* dirty_first.c - free lists hand out blocks the program touched before
 * blocks that are not backed (fresh or given back): reusing resident
 * memory costs no page fault and no RSS. */
#include "pagetest.h"

#include <string.h>

static struct page *touched_block(unsigned int order)
{
	struct page *p = bm_alloc_pages(GFP_USER, order);

	CHECK(p != NULL);
	if (p)
		memset(page_address(p), 0x5a, PAGE_SIZE << order);
	return p;
}

/* Add one fresh max-order block to the zone: it goes on the free list
 * after the dirty one freed before it. */
static void grow_one(void)
{
	struct zone *z = pt_zone();

	bm_lock(&z->lock);
	CHECK(bm__zone_grow(z, true));
	bm_unlock(&z->lock);
}

static void test_dirty_block_before_fresh(void)
{
	unsigned int order = bm_max_order;
	struct page *p = touched_block(order), *q;

	if (!p)
		return;
	bm_free_pages(p, order);
	grow_one();
	q = bm_alloc_pages(GFP_USER, order);
	CHECK(q == p);
	CHECK(q && !(q->flags & PG_CLEAN));
	if (q)
		bm_free_pages(q, order);
	CHECK_INVARIANTS();
}

/* A split takes the dirty block too, and its halves stay dirty. */
static void test_split_takes_dirty(void)
{
	unsigned int order = bm_max_order;
	struct page *p = touched_block(order), *q;
	uint32_t lo, hi;

	if (!p)
		return;
	lo = page_to_pfn(p);
	hi = lo + (1u << order);
	bm_free_pages(p, order);
	grow_one();
	for (unsigned int o = 0; o < order; o++) {
		q = bm_alloc_pages(GFP_USER, o);
		CHECK(q != NULL);
		if (!q)
			continue;
		CHECK(page_to_pfn(q) >= lo && page_to_pfn(q) < hi);
		bm_free_pages(q, o);
	}
	CHECK_INVARIANTS();
}

int main(void)
{
	pt_setup("max_order=10,section_size=16M");
	RUN_TEST(test_dirty_block_before_fresh);
	RUN_TEST(test_split_takes_dirty);
	return test_exit();
}
