/* SPDX-License-Identifier: MIT */
/* exact.c - alloc_pages_exact hands out exactly n pages, gives the tail of
 * the power-of-two block back, and frees reassemble the block; __GFP_ZERO
 * zeroes memory that is not known to be zero. */
#include "pagetest.h"
#include "large.h"
#include "tcache.h"

#include <string.h>

static void test_tail_given_back(void)
{
	pt_grow(8);	/* no growth midway: free-page counts stay comparable */
	for (size_t n = 1; n <= (1u << bm_max_order); n = n * 3 / 2 + 1) {
		uint64_t free_before;
		struct page *p;

		free_before = pt_zone()->nr_free_pages;
		p = bm_alloc_pages_exact(n, GFP_USER);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK_EQ(p->nr_pages, n);
		CHECK_EQ(free_before - pt_zone()->nr_free_pages, n);
		memset(page_address(p), 0xa5, n << PAGE_SHIFT);	/* all n usable */
		CHECK_INVARIANTS();
		bm_free_pages_exact(p, n);
		CHECK(pt_only_max_order_blocks());
	}
}

static void test_zero_flag(void)
{
	struct page *p = bm_alloc_pages_exact(5, GFP_USER);
	unsigned char *m;
	size_t nonzero = 0;

	CHECK(p != NULL);
	memset(page_address(p), 0xff, 5 << PAGE_SHIFT);
	bm_free_pages_exact(p, 5);
	/* The same pages come back first (smallest-first, same order lists)
	 * and are dirty now: __GFP_ZERO must clear them. */
	p = bm_alloc_pages_exact(5, GFP_USER | __GFP_ZERO);
	CHECK(p != NULL);
	m = page_address(p);
	for (size_t i = 0; i < (5 << PAGE_SHIFT); i++)
		nonzero += m[i] != 0;
	CHECK_EQ(nonzero, 0);
	bm_free_pages_exact(p, 5);
	CHECK_INVARIANTS();
}

/* A large object grown in place to a power of two is not aligned to it:
 * freeing it must not hand the buddy a misaligned block. */
static void test_resized_power_of_two_freed_as_range(void)
{
	void *a, *b;
	struct page *pb;

	pt_grow(8);
	a = bm_large_alloc(2 * PAGE_SIZE, 0, false);	/* pfn 8k */
	b = bm_large_alloc(2 * PAGE_SIZE, 0, false);	/* pfn 8k + 2 */
	CHECK(a && b);
	if (!a || !b)
		return;
	pb = virt_to_page(b);
	CHECK_EQ(page_to_pfn(pb) & 7, 2);
	CHECK(bm_large_resize(pb, 8 * PAGE_SIZE));	/* pages 8k+4..8k+9 were free */
	CHECK_EQ(pb->nr_pages, 8);
	memset(b, 0x5a, 8 * PAGE_SIZE);
	bm_large_free(pb);
	bm_large_free(virt_to_page(a));
	CHECK_INVARIANTS();
	CHECK(pt_only_max_order_blocks());
}

/* With the thread's cache live, a freed exact run waits on its pcp list
 * and is handed out again without the zone; at most PCP_RUN_HIGH wait
 * per length; a drain gives them all back and the zone is whole. */
static void test_runs_cached(void)
{
	struct page *p[PCP_RUN_HIGH + 4], *q;
	struct zone *z = pt_zone();
	uint64_t free_before, allocs;

	CHECK(bm_tcache_init());
	for (int i = 0; i < PCP_RUN_HIGH + 4; i++) {
		p[i] = bm_alloc_pages_exact(5, GFP_USER);
		CHECK(p[i] != NULL);
		if (!p[i])
			return;
	}
	free_before = z->nr_free_pages;
	bm_free_pages_exact(p[0], 5);
	CHECK_EQ(z->nr_free_pages, free_before);		/* cached */
	CHECK(page_flags(p[0]) & PG_pcp);
	allocs = pt_event(ZE_alloc_blocks);
	q = bm_alloc_pages_exact(5, GFP_USER | __GFP_ZERO);
	CHECK(q == p[0]);					/* the hottest */
	CHECK_EQ(pt_event(ZE_alloc_blocks), allocs);		/* no zone */
	CHECK(!(page_flags(q) & PG_pcp));
	CHECK_EQ(((char *)page_address(q))[4 * PAGE_SIZE + 7], 0);
	bm_free_pages_exact(q, 5);
	q = bm_alloc_pages_exact(6, GFP_USER);
	CHECK(q != NULL && q != p[0]);				/* per length */
	if (q)
		bm_free_pages_exact(q, 6);
	for (int i = 1; i < PCP_RUN_HIGH + 4; i++)
		bm_free_pages_exact(p[i], 5);
	CHECK(bm_pcp.run_count[5] <= PCP_RUN_HIGH);
	CHECK(z->nr_free_pages > free_before);			/* overflow went home */
	bm_free_pages_exact(p[0], 5);				/* double free */
	bm_tcache_flush(&bm_tc);
	CHECK_EQ(bm_pcp.run_count[5], 0);
	CHECK_INVARIANTS();
}

int main(void)
{
	pt_setup("section_size=8M,abort_on_error=0");
	RUN_TEST(test_tail_given_back);
	RUN_TEST(test_zero_flag);
	RUN_TEST(test_resized_power_of_two_freed_as_range);
	RUN_TEST(test_runs_cached);
	return test_exit();
}
