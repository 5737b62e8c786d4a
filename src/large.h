/* SPDX-License-Identifier: MIT */
/*
 * large.h - objects above SLAB_MAX_SIZE.
 *   large: whole pages from alloc_pages_exact (waste under one page), up to
 *          the largest buddy block; head descriptor marked PG_large.
 *   huge:  beyond that, a direct mapping, recorded in a small table so
 *          that free and realloc (mremap) recognise it.
 */
#ifndef BM_LARGE_H
#define BM_LARGE_H

#include "page_alloc.h"

/* gfp: __GFP_ZERO, and __GFP_NODE with __GFP_THISNODE for a node's
 * memory only. */
void *bm_large_alloc_gfp(size_t size, size_t align, gfp_t gfp);
static inline void *bm_large_alloc(size_t size, size_t align, bool zero)
{
	return bm_large_alloc_gfp(size, align, zero ? __GFP_ZERO : 0);
}
void bm_large_free(struct page *head);
static inline size_t bm_large_usable(const struct page *head)
{
	return (size_t)(head->nr_pages - !!(head->flags & PG_guard)) << PAGE_SHIFT;
}
/* Resize in place; false when it cannot. */
bool bm_large_resize(struct page *head, size_t size);

void *bm_huge_alloc(size_t size, size_t align);
/* Size of the huge mapping at p, 0 if p is not one. */
size_t bm_huge_usable(const void *p);
bool bm_huge_free(void *p);
/* Was p one of the last mappings freed (and not mapped again since)? */
bool bm_huge_freed_recently(const void *p);
void *bm_huge_realloc(void *p, size_t size);

void bm_huge_stats(size_t *count, size_t *bytes);
/* The most of both there have been at once (malloc_stats' "max mmap"). */
void bm_huge_peak(size_t *count, size_t *bytes);
void bm_huge_lock(void);
void bm_huge_unlock(void);
void bm_huge_reinit_lock(void);

#endif /* BM_LARGE_H */
