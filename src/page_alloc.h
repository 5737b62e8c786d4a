/* SPDX-License-Identifier: MIT */
/*
 * page_alloc.h - the internal page allocator API: alloc_pages and friends.
 * Callable from any thread, without locks held; never calls malloc.
 */
#ifndef BM_PAGE_ALLOC_H
#define BM_PAGE_ALLOC_H

#include "mmzone.h"

/* gfp flags: the migratetype in the low bits, then modifiers. */
typedef unsigned int gfp_t;
#define __GFP_MT_MASK	0x3u
#define __GFP_ZERO	(1u << 2)	/* contents zeroed (skipped when known zero) */
#define __GFP_NOCOMMIT	(1u << 3)	/* never commit a new section for this */
#define __GFP_HARDER	(1u << 4)	/* may use half of the min reserve */
#define __GFP_THISNODE	(1u << 5)	/* only the preferred node's zones */
/* A node the allocation is meant for (our index), overriding the policy. */
#define __GFP_NODE_SHIFT	8
#define __GFP_NODE(nid)		((gfp_t)((nid) + 1) << __GFP_NODE_SHIFT)

#define GFP_SLAB	((gfp_t)MIGRATE_UNMOVABLE)
#define GFP_USER	((gfp_t)MIGRATE_MOVABLE)
#define GFP_CACHE	((gfp_t)MIGRATE_RECLAIMABLE)

static inline int gfp_migratetype(gfp_t gfp) { return (int)(gfp & __GFP_MT_MASK); }
/* The node of __GFP_NODE, -1 when none. */
static inline int gfp_node(gfp_t gfp) { return (int)(gfp >> __GFP_NODE_SHIFT) - 1; }

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
