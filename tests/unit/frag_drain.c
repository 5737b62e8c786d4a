/* SPDX-License-Identifier: MIT */
/* frag_drain.c - a zone whose free memory is in pieces because pcp lists
 * hold the pages between them drains the lists and merges before it
 * grows, instead of taking fresh memory. */
#include "pagetest.h"
#include "buddy.h"
#include "tcache.h"

#define NR_ALLOC	960	/* of the zone's first 1024-page block */
#define GLUE_EVERY	32	/* one page kept back in each 32 */

static void test_drain_before_growing(void)
{
	static struct page *pages[NR_ALLOC];
	struct zone *z = pt_zone();
	uint64_t drains = pt_event(ZE_frag_drain);
	struct page *big;

	CHECK(bm_tcache_init());
	pt_grow(1);
	CHECK_EQ(z->managed_pages, 1u << bm_max_order);
	for (int i = 0; i < NR_ALLOC; i++) {
		pages[i] = bm_alloc_pages(GFP_USER, 0);
		CHECK(pages[i] != NULL);
		if (!pages[i])
			return;
	}
	CHECK_EQ(z->managed_pages, 1u << bm_max_order);
	/* The glue pages last, so they are the hottest on the pcp list and
	 * stay there while the list drains its cold end to the buddy. */
	for (int i = 0; i < NR_ALLOC; i++)
		if (i % GLUE_EVERY)
			bm_free_pages(pages[i], 0);
	for (int i = 0; i < NR_ALLOC; i += GLUE_EVERY)
		bm_free_pages(pages[i], 0);
	bm_lock(&z->lock);
	CHECK(!bm__zone_has_order(z, 7));
	bm_unlock(&z->lock);
	CHECK(z->nr_free_pages > z->watermark[WMARK_HIGH] + 256);

	big = bm_alloc_pages(GFP_USER, 7);
	CHECK(big != NULL);
	CHECK_EQ(z->managed_pages, 1u << bm_max_order);	/* no growth */
	CHECK_EQ(pt_event(ZE_frag_drain), drains + 1);
	if (big)
		bm_free_pages(big, 7);
	bm_tcache_flush(&bm_tc);
	CHECK_INVARIANTS();
}

int main(void)
{
	pt_setup("max_order=10,section_size=16M,min_free_kbytes=64,pcp_high=64,pcp_batch=8");
	RUN_TEST(test_drain_before_growing);
	return test_exit();
}
