/* SPDX-License-Identifier: MIT */
/*
 * placement.c - where large blocks go (#16: a mixed heap must not spread
 * over new sections while free memory of the right size exists).
 *
 *   lowest first     a block of order 4 and up comes from the lowest
 *                    address on its free list, not the one freed last;
 *   run fit          an exact run with no free block of its order comes
 *                    from free blocks back to back, lowest first, and the
 *                    zone does not grow; a power of two length too,
 *                    since a large object needs no alignment;
 *   aligned stays    an allocation that asks for alignment never does.
 *
 * The zone is filled with order-9 blocks (no section committed), then
 * chosen ones are freed, so the free lists hold exactly what a case
 * says.
 */
#include "pagetest.h"
#include "buddy.h"

#define FILL_MAX	64
#define BLOCK_ORDER	9
#define BLOCK		(1u << BLOCK_ORDER)

static struct page *fill[FILL_MAX];
static unsigned int nr_fill;

/* Every order-9 block the zone has, without growing it. */
static void fill_zone(void)
{
	struct page *p;

	while (nr_fill < FILL_MAX &&
	       (p = bm_alloc_pages(GFP_USER | __GFP_NOCOMMIT | __GFP_HARDER, BLOCK_ORDER)))
		fill[nr_fill++] = p;
	expect_u64_eq(pt_zone()->free_area[BLOCK_ORDER + 1].nr_free, 0,
		      "no order-10 block left free");
}

/* The filled block at pfn, taken out of the fill (NULL if none). */
static struct page *take(uint32_t pfn)
{
	for (unsigned int i = 0; i < nr_fill; i++)
		if (fill[i] && page_to_pfn(fill[i]) == pfn) {
			struct page *p = fill[i];

			fill[i] = NULL;
			return p;
		}
	return NULL;
}

/* Two filled blocks back to back that are not buddies: the first at an
 * odd block index.  Returns the first's pfn, or PFN_NONE. */
static uint32_t pair_not_buddies(void)
{
	for (unsigned int i = 0; i < nr_fill; i++) {
		uint32_t pfn;

		if (!fill[i])
			continue;
		pfn = page_to_pfn(fill[i]);
		if (((pfn / BLOCK) & 1) && pfn + BLOCK < pt_zone()->zone_start_pfn +
		    pt_zone()->managed_pages) {
			for (unsigned int j = 0; j < nr_fill; j++)
				if (fill[j] && page_to_pfn(fill[j]) == pfn + BLOCK)
					return pfn;
		}
	}
	return PFN_NONE;
}

static void test_lowest_first(void)
{
	uint32_t lo = page_to_pfn(fill[1]), hi = page_to_pfn(fill[nr_fill - 2]);
	struct page *p;

	expect_u_lt(lo, hi, "two filled blocks, low and high");
	bm_free_pages(take(lo), BLOCK_ORDER);
	bm_free_pages(take(hi), BLOCK_ORDER);	/* freed last: first on the list */
	p = bm_alloc_pages(GFP_USER, BLOCK_ORDER);
	expect_ptr_not_null(p, "an order-9 block");
	if (!p)
		return;
	expect_u_eq(page_to_pfn(p), lo, "the lower block, not the one freed last");
	p = bm_alloc_pages(GFP_USER, BLOCK_ORDER);
	expect_ptr_not_null(p, "the other one");
	CHECK_INVARIANTS();
}

static void run_fit(uint32_t nr)
{
	uint32_t pfn = pair_not_buddies();
	uint64_t commits = pt_event(ZE_section_commit);
	struct page *a, *b, *far = NULL, *p;

	expect_u_ne(pfn, PFN_NONE, "two neighbouring order-9 blocks that are not buddies");
	if (pfn == PFN_NONE)
		return;
	a = take(pfn);
	b = take(pfn + BLOCK);
	/* A third free block, for the low watermark, away from the pair. */
	for (unsigned int i = 0; i < nr_fill && !far; i++)
		if (fill[i] && (page_to_pfn(fill[i]) + BLOCK < pfn ||
				page_to_pfn(fill[i]) > pfn + 2 * BLOCK)) {
			far = fill[i];
			fill[i] = NULL;
		}
	bm_free_pages(a, BLOCK_ORDER);
	bm_free_pages(b, BLOCK_ORDER);
	if (far)
		bm_free_pages(far, BLOCK_ORDER);
	expect_u64_eq(pt_zone()->free_area[BLOCK_ORDER + 1].nr_free, 0,
		      "still no free order-10 block");
	p = bm_alloc_pages_exact(nr, GFP_USER);
	expect_ptr_not_null(p, "a run of %u pages", nr);
	if (!p)
		return;
	expect_u_eq(page_to_pfn(p), pfn, "%u pages from the two free blocks back to back", nr);
	expect_u_eq(p->nr_pages, nr, "exactly %u pages", nr);
	expect_u64_eq(pt_event(ZE_section_commit), commits, "and the zone did not grow");
	CHECK_INVARIANTS();
	bm_free_pages_exact(p, nr);
	CHECK_INVARIANTS();
	/* Give the pair back to the fill for the next case. */
	fill[nr_fill++ % FILL_MAX] = bm_alloc_pages(GFP_USER | __GFP_NOCOMMIT | __GFP_HARDER, BLOCK_ORDER);
	fill[nr_fill++ % FILL_MAX] = bm_alloc_pages(GFP_USER | __GFP_NOCOMMIT | __GFP_HARDER, BLOCK_ORDER);
	if (far)
		fill[nr_fill++ % FILL_MAX] = bm_alloc_pages(GFP_USER | __GFP_NOCOMMIT | __GFP_HARDER,
							   BLOCK_ORDER);
}

static void test_run_fit(void)
{
	run_fit(768);
}

static void test_run_fit_power_of_two(void)
{
	run_fit(1024);
}

/* An aligned request takes a block of its order, never a run. */
static void test_aligned_never_a_run(void)
{
	uint32_t pfn = pair_not_buddies();
	struct page *a, *b, *p;

	if (pfn == PFN_NONE) {
		expect_true(false, "no pair left");
		return;
	}
	a = take(pfn);
	b = take(pfn + BLOCK);
	bm_free_pages(a, BLOCK_ORDER);
	bm_free_pages(b, BLOCK_ORDER);
	p = bm_alloc_pages_exact_aligned(768, BLOCK_ORDER + 1, GFP_USER);
	if (p) {
		expect_u_eq(page_to_pfn(p) & ((2 * BLOCK) - 1), 0, "aligned to 4 MiB");
		expect_u_ne(page_to_pfn(p), pfn, "not the unaligned pair");
		bm_free_pages_exact(p, 768);
	}
	CHECK_INVARIANTS();
}

static const struct test_case cases[] = {
	TEST_CASE(test_lowest_first),
	TEST_CASE(test_run_fit),
	TEST_CASE(test_run_fit_power_of_two),
	TEST_CASE(test_aligned_never_a_run),
};

int main(void)
{
	/* 4 MiB blocks and sections, no reclaim thread to move things. */
	pt_setup("max_order=10,section_size=4M,reclaim=off");
	pt_grow(8);
	fill_zone();
	expect_u_ge(nr_fill, 8, "the zone filled with order-9 blocks");
	RUN_TESTS(cases);
	return test_exit();
}
