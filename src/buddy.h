/* SPDX-License-Identifier: MIT */
/*
 * buddy.h - the zone's buddy free lists.  Every function here expects the
 * caller to hold zone->lock (hence the "__" prefix) except bm_zone_init.
 */
#ifndef BM_BUDDY_H
#define BM_BUDDY_H

#include "mmzone.h"

void bm_zone_init(struct zone *z, int node, uint32_t start_pfn, uint32_t nr_pages);

/* Take a block of 2^order pages of migratetype mt, splitting a larger one
 * or stealing from another migratetype if needed.  NULL if the zone has
 * no block that large.  The block's head is marked PG_head; *clean tells
 * what is known of its contents (PG_zero, PG_returned). */
struct page *bm__rmqueue(struct zone *z, unsigned int order, int mt, unsigned int *clean);

/* Give back the block at pfn of 2^order pages, merging with free buddies. */
/* clean: PG_CLEAN bits the block's contents have. */
void bm__free_one_page(struct zone *z, uint32_t pfn, unsigned int order, unsigned int clean);

/* Give back nr pages from pfn in the largest aligned blocks, as the kernel
 * releases bootmem (free_all_bootmem); used for new sections and for the
 * tails of exact allocations. */
void bm__free_pages_range(struct zone *z, uint32_t pfn, uint32_t nr, unsigned int clean);

/* The same, where only dirty of the nr pages (the first ones) may be
 * resident: the rest of a block whose front was taken.  A free that
 * merges into a block of z->purge_pages dirty pages or more marks it
 * for reclaim to give back (z->purge, bm_reclaim_purge). */
void bm__free_pages_range_dirty(struct zone *z, uint32_t pfn, uint32_t nr,
				unsigned int clean, uint32_t dirty);

/* Should the free block p go back to the OS at once?  It holds
 * z->purge_pages dirty pages or more, and the zone keeps, without it,
 * as many dirty free pages as its use fell from its recent peak. */
bool bm__purge_ok(const struct zone *z, const struct page *p);

/* Cut a block just taken by bm__rmqueue to its first nr pages and give
 * the rest back, with what is left of its dirty pages. */
void bm__trim_block(struct zone *z, struct page *page, uint32_t nr, unsigned int clean);

/* Unlink a free block from its list (its flags are cleared). */
void bm__del_page_from_free_list(struct zone *z, struct page *p, unsigned int order);

/* Take the pages [pfn, pfn + nr) out of the free lists if every one of
 * them is free; false (and nothing changed) otherwise. */
/* Is pfn inside a free block? */
bool bm__pfn_is_free(struct zone *z, uint32_t pfn);
bool bm__claim_free_range(struct zone *z, uint32_t pfn, uint32_t nr, unsigned int *clean);
/* A run of nr free pages made of free blocks back to back, headed by a
 * block of type mt a little smaller than the run: its first pfn, or
 * PFN_NONE.  Claim it with bm__claim_free_range. */
uint32_t bm__find_free_run(struct zone *z, uint32_t nr, int mt);
/* The same at the start of the smallest free extent that holds nr pages
 * (the zone's top extent last), for large runs: best fit. */
uint32_t bm__find_best_extent(struct zone *z, uint32_t nr);

/* Is there a free block of at least this order? */
bool bm__zone_has_order(const struct zone *z, unsigned int order);

#endif /* BM_BUDDY_H */
