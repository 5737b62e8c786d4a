/* SPDX-License-Identifier: MIT */
/*
 * page_alloc.h - the internal page allocator API: alloc_pages and friends.
 * Callable from any thread, without locks held; never calls malloc.
 */
#ifndef BM_PAGE_ALLOC_H
#define BM_PAGE_ALLOC_H

#include "gfp.h"
#include "mmzone.h"

/* A block of 2^order pages; NULL with errno ENOMEM when none can be had. */
struct page *bm_alloc_pages(gfp_t gfp, unsigned int order);
/* Free a block from bm_alloc_pages; a page in the wrong state is reported. */
void bm_free_pages(struct page *page, unsigned int order);

/* nr_pages pages, the unused tail of the power-of-two block given back. */
struct page *bm_alloc_pages_exact(size_t nr_pages, gfp_t gfp);
void bm_free_pages_exact(struct page *page, size_t nr_pages);
/* The same, the block aligned to 2^align_order pages. */
struct page *bm_alloc_pages_exact_aligned(size_t nr_pages, unsigned int align_order,
					  gfp_t gfp);
/* Grow or shrink an exact allocation in place: shrinking always works,
 * growing when the pages after it are free.  False: nothing changed. */
bool bm_resize_pages_exact(struct page *page, size_t new_nr);

/* Fault injection: fail the nth page allocation from now (0: never) and
 * every nth (0: never).  BUDDYMALLOC_CONF's fail_nth/fail_every set it. */
void bm_fault_inject_set(uint64_t nth, uint64_t every);


#endif /* BM_PAGE_ALLOC_H */
