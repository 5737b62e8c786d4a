/* SPDX-License-Identifier: MIT */
/* split_merge.c - a block of every order splits down from a max-order block
 * and merges all the way back when freed. */
#include "pagetest.h"

static void test_split_and_merge_every_order(void)
{
	uint64_t max_blocks;

	/* Eight max-order blocks: room for every order without growing. */
	pt_grow(8);
	CHECK(pt_only_max_order_blocks());
	max_blocks = pt_nr_free(bm_max_order);
	CHECK(max_blocks > 0);

	for (unsigned int order = 0; order <= bm_max_order; order++) {
		uint64_t splits = pt_event(ZE_split), merges = pt_event(ZE_merge);
		struct page *p = bm_alloc_pages(GFP_USER, order);

		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK_EQ((uintptr_t)page_address(p) & ((PAGE_SIZE << order) - 1), 0);
		CHECK_EQ(pt_event(ZE_split) - splits, bm_max_order - order);
		/* One free block at each order between the request and the top. */
		for (unsigned int o = order; o < bm_max_order; o++)
			CHECK_EQ(pt_nr_free(o), 1);
		CHECK_EQ(pt_nr_free(bm_max_order), max_blocks - 1);
		CHECK_INVARIANTS();
		bm_free_pages(p, order);
		CHECK_EQ(pt_event(ZE_merge) - merges, bm_max_order - order);
		CHECK(pt_only_max_order_blocks());
		CHECK_EQ(pt_nr_free(bm_max_order), max_blocks);
	}
}

/* Two buddies freed in either order merge; non-buddies of one order don't. */
static void test_buddies_merge_only_with_buddy(void)
{
	struct page *a = bm_alloc_pages(GFP_USER, 0);
	struct page *b = bm_alloc_pages(GFP_USER, 0);
	struct page *c = bm_alloc_pages(GFP_USER, 0);
	uint64_t merges;

	CHECK(a && b && c);
	/* Smallest-first allocation hands out pfn, pfn+1, pfn+2 in order. */
	CHECK_EQ(page_to_pfn(b), page_to_pfn(a) + 1);
	CHECK_EQ(page_to_pfn(c), page_to_pfn(a) + 2);
	merges = pt_event(ZE_merge);
	bm_free_pages(b, 0);		/* b's buddy a is in use: no merge */
	CHECK_EQ(pt_event(ZE_merge), merges);
	bm_free_pages(c, 0);		/* c's buddy (pfn+3) is free: merges up to order 1 only
					 * since pfn+0..1 is still half in use */
	CHECK(pt_event(ZE_merge) > merges);
	CHECK_INVARIANTS();
	bm_free_pages(a, 0);
	CHECK(pt_only_max_order_blocks());
	CHECK_INVARIANTS();
}

int main(void)
{
	pt_setup("max_order=10,section_size=16M");
	RUN_TEST(test_split_and_merge_every_order);
	RUN_TEST(test_buddies_merge_only_with_buddy);
	return test_exit();
}
