/* SPDX-License-Identifier: MIT */
/* free_purge.c - a free that merges 8 MiB of dirty pages, freed as
 * smaller blocks, gives them back to the OS at once: memory that
 * fragmentation held in pieces (the mixed-size heap, #16).  A block
 * freed that large by itself, a batch the program freed together from
 * its recent peak, a block mostly resident (the program touches what it
 * allocates) and one with almost nothing resident (nothing to gain)
 * stay backed for reuse. */
#include "pagetest.h"
#include "clock.h"
#include "reclaim.h"

#include <string.h>

#define PURGE_ORDER	11	/* 8 MiB of 4 KiB pages */
#define PIECE_ORDER	9
#define PIECES		(1u << (PURGE_ORDER - PIECE_ORDER))

/* Touch a block of 8 MiB, one page in every `stride`, and free it whole
 * (which gives nothing back), then take it again in pieces: dirty first,
 * they are its pages in order.  Returns its head, or NULL. */
static struct page *dirty_pieces(struct page **piece, unsigned int stride)
{
	uint64_t purges = pt_event(ZE_free_purges);
	struct page *p = bm_alloc_pages(GFP_USER, PURGE_ORDER);

	CHECK(p != NULL);
	if (!p)
		return NULL;
	for (size_t i = 0; i < (1u << PURGE_ORDER); i += stride)
		((char *)page_address(p))[i << PAGE_SHIFT] = 0x5a;
	bm_free_pages(p, PURGE_ORDER);
	CHECK_EQ(pt_event(ZE_free_purges), purges);
	CHECK(!(p->flags & PG_CLEAN));
	for (unsigned int i = 0; i < PIECES; i++) {
		piece[i] = bm_alloc_pages(GFP_USER, PIECE_ORDER);
		CHECK(piece[i] == p + (i << PIECE_ORDER));
		if (piece[i] != p + (i << PIECE_ORDER))
			return NULL;
	}
	return p;
}

/* Frees all pieces but the last: none of them merges 8 MiB. */
static void free_all_but_last(struct page **piece)
{
	uint64_t purges = pt_event(ZE_free_purges);

	for (unsigned int i = 0; i + 1 < PIECES; i++)
		bm_free_pages(piece[i], PIECE_ORDER);
	CHECK_EQ(pt_event(ZE_free_purges), purges);
}

/* Free the last piece two decay windows on: the zone's use has not
 * fallen from its recent peak, which is now. */
static void free_last_later(struct page **piece)
{
	bm_clock_set(bm_clock_now() + 3 * bm_opt_decay_ms);
	bm_free_pages(piece[PIECES - 1], PIECE_ORDER);
}

/* Pieces touched sparsely: the merged block is mostly not resident. */
static void test_merged_block_goes_back(void)
{
	struct page *piece[PIECES], *p = dirty_pieces(piece, 16);
	uint64_t purges = pt_event(ZE_free_purges);
	uint64_t returned = pt_event(ZE_pages_returned);

	if (!p)
		return;
	free_all_but_last(piece);
	free_last_later(piece);
	CHECK_EQ(pt_event(ZE_free_purges), purges + 1);
	CHECK_EQ(pt_event(ZE_pages_returned), returned + (1u << PURGE_ORDER));
	CHECK(PageBuddy(p) && (p->flags & PG_returned));
	CHECK_EQ(*(volatile char *)page_address(p), 0);
	CHECK_INVARIANTS();
}

/* Pieces touched one page in `stride`: the merged block is checked and
 * kept, its contents intact. */
static void check_kept(unsigned int stride)
{
	struct page *piece[PIECES], *p = dirty_pieces(piece, stride);
	uint64_t purges = pt_event(ZE_free_purges);
	uint64_t kept = pt_event(ZE_purges_kept);

	if (!p)
		return;
	free_all_but_last(piece);
	free_last_later(piece);
	CHECK_EQ(pt_event(ZE_free_purges), purges);
	CHECK_EQ(pt_event(ZE_purges_kept), kept + 1);
	CHECK(PageBuddy(p) && !(p->flags & PG_CLEAN));
	CHECK_EQ(*(volatile char *)page_address(p), 0x5a);
	CHECK_INVARIANTS();
}

/* Every page touched: the program would fault it all in again. */
static void test_resident_block_stays(void)
{
	check_kept(1);
}

/* A page in 512: giving it back would gain too little for the call. */
static void test_sparse_block_stays(void)
{
	check_kept(512);
}

static void test_batch_freed_together_stays(void)
{
	struct page *piece[PIECES], *p = dirty_pieces(piece, 16);
	uint64_t purges = pt_event(ZE_free_purges);

	if (!p)
		return;
	free_all_but_last(piece);
	/* Freed in one go from the zone's recent peak: the program may
	 * allocate as much again. */
	bm_free_pages(piece[PIECES - 1], PIECE_ORDER);
	CHECK_EQ(pt_event(ZE_free_purges), purges);
	CHECK(PageBuddy(p) && !(p->flags & PG_CLEAN));
	CHECK_INVARIANTS();
}

/* purge_on_free=0: nothing goes back on a free. */
static void test_option_off(void)
{
	struct page *piece[PIECES], *p;
	uint64_t purges = pt_event(ZE_free_purges);

	bm_opt_purge_on_free = 0;
	bm_reclaim_init();	/* the zones read it */
	p = dirty_pieces(piece, 16);
	if (!p)
		return;
	free_all_but_last(piece);
	free_last_later(piece);
	CHECK_EQ(pt_event(ZE_free_purges), purges);
	CHECK(PageBuddy(p) && !(p->flags & PG_CLEAN));
	CHECK_INVARIANTS();
}

int main(void)
{
	pt_setup("max_order=11,section_size=32M");
	pt_grow(4);
	bm_clock_set(bm_clock_read());
	RUN_TEST(test_merged_block_goes_back);
	RUN_TEST(test_resident_block_stays);
	RUN_TEST(test_sparse_block_stays);
	RUN_TEST(test_batch_freed_together_stays);
	RUN_TEST(test_option_off);	/* last: it turns the give-back off */
	return test_exit();
}
