/* SPDX-License-Identifier: MIT */
/*
 * exhaustion.c - a zone that cannot grow runs dry: allocation returns NULL
 * with ENOMEM, the min reserve is kept for __GFP_HARDER, and everything
 * recovers once memory is freed.
 */
#include "pagetest.h"

#include <errno.h>

#define NODE_PAGES	(8u << 20 >> PAGE_SHIFT)	/* node_reserve=8M */

static struct page *pages[NODE_PAGES];

static unsigned int fill(gfp_t gfp, unsigned int from)
{
	unsigned int n = from;

	while (n < NODE_PAGES && (pages[n] = bm_alloc_pages(gfp, 0)) != NULL)
		n++;
	return n;
}

static void test_exhaustion_and_recovery(void)
{
	struct zone *z = pt_zone();
	unsigned int n, n2, hard;

	errno = 0;
	n = fill(GFP_USER, 0);
	CHECK_EQ(errno, ENOMEM);
	CHECK_EQ(z->present_pages, NODE_PAGES);	/* every section committed */
	/* Ordinary allocations stop at the min watermark... */
	CHECK(z->nr_free_pages <= z->watermark[WMARK_MIN]);
	CHECK(z->nr_free_pages > 0);
	/* ...which __GFP_HARDER may dip into, down to half of it. */
	hard = fill(GFP_USER | __GFP_HARDER, n);
	CHECK(hard > n);
	CHECK(z->nr_free_pages <= z->watermark[WMARK_MIN] / 2 + 1);
	CHECK(bm_alloc_pages(GFP_USER, bm_max_order) == NULL);
	CHECK(pt_event(ZE_alloc_fail) > 0);
	CHECK_INVARIANTS();

	for (unsigned int i = 0; i < hard; i++)
		bm_free_pages(pages[i], 0);
	CHECK(pt_only_max_order_blocks());
	CHECK_INVARIANTS();

	/* Recovered: the same number of pages can be had again. */
	n2 = fill(GFP_USER, 0);
	CHECK_EQ(n2, n);
	for (unsigned int i = 0; i < n2; i++)
		bm_free_pages(pages[i], 0);
	CHECK_INVARIANTS();
}

static void test_order_above_max_fails(void)
{
	errno = 0;
	CHECK(bm_alloc_pages(GFP_USER, bm_max_order + 1) == NULL);
	CHECK_EQ(errno, ENOMEM);
	CHECK(bm_alloc_pages_exact(0, GFP_USER) == NULL);
}

int main(void)
{
	pt_setup("node_reserve=8M,section_size=4M,max_order=10");
	RUN_TEST(test_exhaustion_and_recovery);
	RUN_TEST(test_order_above_max_fails);
	return test_exit();
}
