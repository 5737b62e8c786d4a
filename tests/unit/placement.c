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
 *   aligned stays    an allocation that asks for alignment never does;
 *   best fit         a run of 4 MiB or more (not a power of two) takes
 *                    the smallest free extent that holds it, even where
 *                    a block of its order is free in a larger one;
 *   top last         the extent at the zone's top is taken last, however
 *                    short: the zone grows into it;
 *   grown in place   a run no extent holds, after the zone grows, starts
 *                    in the free tail below the new memory.
 *
 * The zone is filled with order-9 blocks (no section committed), then
 * chosen ones are freed, so the free lists hold exactly what a case
 * says.
 */
#include "pagetest.h"
#include "buddy.h"

#define FILL_MAX	128
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
	expect_u64_eq(pt_zone()->free_area[BLOCK_ORDER + 1].nr_free +
		      pt_zone()->free_area[BLOCK_ORDER + 2].nr_free, 0,
		      "no order-10 or order-11 block left free");
}

/* The filled block at pfn, taken out of the fill (NULL if none). */
static struct page *take(uint32_t pfn)
{
	for (unsigned int i = 0; i < FILL_MAX; i++)
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

/* Put p back in a free slot of the fill. */
static void refill_with(struct page *p)
{
	for (unsigned int i = 0; i < FILL_MAX; i++)
		if (!fill[i]) {
			fill[i] = p;
			return;
		}
}

/* Filled blocks from pfn on, n of them, all in the fill?  (Taken out.) */
static bool take_run(uint32_t pfn, unsigned int n, struct page **out)
{
	for (unsigned int k = 0; k < n; k++)
		if (!(out[k] = take(pfn + k * BLOCK))) {
			while (k--)
				refill_with(out[k]);
			return false;
		}
	return true;
}

/* Give blocks freed by a case back to the fill, every order-9 block the
 * zone has free (no section committed). */
static void refill(void)
{
	struct page *p;

	while ((p = bm_alloc_pages(GFP_USER | __GFP_NOCOMMIT | __GFP_HARDER, BLOCK_ORDER)))
		refill_with(p);
}

/* Is the page at pfn allocated (not free)? */
static bool allocated(uint32_t pfn)
{
	struct zone *z = pt_zone();
	bool free;

	bm_lock(&z->lock);
	free = bm__pfn_is_free(z, pfn);
	bm_unlock(&z->lock);
	return !free;
}

/* n filled blocks from a pfn where mask says, with allocated pages on
 * either side and all below below: taken out, into out.  Their pfn, or
 * PFN_NONE. */
static uint32_t take_extent(unsigned int n, uint32_t mask, uint32_t match, uint32_t above,
			    uint32_t below, struct page **out)
{
	for (unsigned int i = 0; i < FILL_MAX; i++) {
		uint32_t pfn = fill[i] ? page_to_pfn(fill[i]) : 0;

		if (fill[i] && (pfn & mask) == match && pfn >= above && pfn + n * BLOCK <= below &&
		    pfn > pt_zone()->zone_start_pfn && allocated(pfn - 1) &&
		    allocated(pfn + n * BLOCK) && take_run(pfn, n, out))
			return pfn;
	}
	return PFN_NONE;
}

static void free_blocks(struct page **p, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		bm_free_pages(p[k], BLOCK_ORDER);
}

/* Five blocks free from an order-11 boundary (2,560 pages: an order-11
 * block and one more) and, higher up, three from an odd block (1,536,
 * no order-11 block): 1,280 pages come from the three, the smaller fit,
 * where the buddy takes the order-11 block. */
static void test_best_fit(void)
{
	struct zone *z = pt_zone();
	uint32_t end, lo, hi;
	struct page *a[5], *b[3], *p;

	pt_grow(16);	/* room for the cases below */
	refill();
	end = z->zone_start_pfn + z->managed_pages;
	lo = take_extent(5, 4 * BLOCK - 1, 0, 0, end, a);
	expect_u_ne(lo, PFN_NONE, "five blocks from an order-11 boundary filled");
	if (lo == PFN_NONE)
		return;
	hi = take_extent(3, 2 * BLOCK - 1, BLOCK, lo + 6 * BLOCK, end, b);
	expect_u_ne(hi, PFN_NONE, "three blocks from an odd one filled, higher up");
	if (hi == PFN_NONE) {
		for (int k = 0; k < 5; k++)
			refill_with(a[k]);
		return;
	}
	free_blocks(a, 5);
	free_blocks(b, 3);
	expect_u64_ge(z->free_area[BLOCK_ORDER + 2].nr_free, 1, "an order-11 block free");
	p = bm_alloc_pages_exact(1280, GFP_USER);
	expect_ptr_not_null(p, "1,280 pages");
	if (p) {
		expect_u_eq(page_to_pfn(p), hi, "from the smaller extent, not the order-11 block");
		CHECK_INVARIANTS();
		bm_free_pages_exact(p, 1280);
	}
	CHECK_INVARIANTS();
	refill();
}

static uint32_t top_extent = PFN_NONE, low_extent = PFN_NONE;

/* The zone's last three blocks free (the top extent: 1,536 pages, or
 * 2,048 with the watermark's free block below them) and five below,
 * apart from any other free page (2,560): 1,280 pages come from the
 * five. */
static void test_top_last(void)
{
	struct zone *z = pt_zone();
	uint32_t end = z->zone_start_pfn + z->managed_pages, top = end - 3 * BLOCK;
	struct page *a[5], *p;

	low_extent = take_extent(5, 0, 0, 0, top - 2 * BLOCK, a);
	expect_u_ne(low_extent, PFN_NONE, "five blocks filled below the top");
	if (low_extent == PFN_NONE)
		return;
	for (uint32_t pfn = top; pfn < end; pfn += BLOCK)
		if ((p = take(pfn)))
			bm_free_pages(p, BLOCK_ORDER);
	while (!allocated(top - 1))
		top -= BLOCK;
	expect_u_lt(end - top, 5 * BLOCK, "the top extent shorter than the one below");
	top_extent = top;
	free_blocks(a, 5);
	p = bm_alloc_pages_exact(1280, GFP_USER);
	expect_ptr_not_null(p, "1,280 pages");
	if (p) {
		expect_u_eq(page_to_pfn(p), low_extent, "from the extent below, not the shorter top");
		bm_free_pages_exact(p, 1280);
	}
	CHECK_INVARIANTS();
}

/* With those two extents free, 2,000 pages take the one below and 1,280
 * the top one, leaving a tail of 256 or 768 there: 1,280 more fit
 * nowhere, the zone grows by a block, and the run starts in the tail,
 * running on into the new memory. */
static void test_grown_in_place(void)
{
	struct zone *z = pt_zone();
	uint32_t managed = z->managed_pages;
	struct page *below, *top, *p;

	expect_u_ne(top_extent, PFN_NONE, "the top extent free (test_top_last)");
	if (top_extent == PFN_NONE)
		return;
	below = bm_alloc_pages_exact(2000, GFP_USER);
	top = bm_alloc_pages_exact(1280, GFP_USER);
	expect_ptr_not_null(below, "2,000 pages");
	expect_ptr_not_null(top, "1,280 pages");
	if (!below || !top)
		return;
	expect_u_eq(page_to_pfn(below), low_extent, "2,000 pages from the extent below");
	expect_u_eq(page_to_pfn(top), top_extent, "1,280 from the top");
	expect_u_eq(z->managed_pages, managed, "the zone did not grow for them");
	p = bm_alloc_pages_exact(1280, GFP_USER);
	expect_ptr_not_null(p, "1,280 more");
	if (p) {
		expect_u_gt(z->managed_pages, managed, "the zone grew");
		expect_u_eq(page_to_pfn(p), top_extent + 1280, "from the top's free tail on");
		bm_free_pages_exact(p, 1280);
	}
	bm_free_pages_exact(top, 1280);
	bm_free_pages_exact(below, 2000);
	CHECK_INVARIANTS();
}

static const struct test_case cases[] = {
	TEST_CASE(test_lowest_first),
	TEST_CASE(test_run_fit),
	TEST_CASE(test_run_fit_power_of_two),
	TEST_CASE(test_aligned_never_a_run),
	TEST_CASE(test_best_fit),
	TEST_CASE(test_top_last),
	TEST_CASE(test_grown_in_place),
};

int main(void)
{
	/* 8 MiB blocks and sections, no reclaim thread to move things, a
	 * low watermark that leaves one order-9 block free. */
	pt_setup("max_order=11,section_size=8M,reclaim=off,min_free_kbytes=8");
	pt_grow(8);
	fill_zone();
	expect_u_ge(nr_fill, 8, "the zone filled with order-9 blocks");
	RUN_TESTS(cases);
	return test_exit();
}
