/* SPDX-License-Identifier: MIT */
/*
 * pcp.h - per-thread page caches: the kernel's per_cpu_pages, kept per
 * thread.  Blocks of order 0 to PCP_MAX_ORDER freed by a thread go on its
 * lists (hot at the head) and are handed out again without the zone lock;
 * the lists refill and drain `batch` pages at a time under the zone lock,
 * and drain when they pass `high`.
 */
#ifndef BM_PCP_H
#define BM_PCP_H

#include "page_alloc.h"

#define PCP_MAX_ORDER	3

struct per_cpu_pages {
	struct zone	*zone;					/* where the pages belong */
	uint32_t	count[PCP_MAX_ORDER + 1][MIGRATE_TYPES];	/* blocks per list */
	struct page_list lists[PCP_MAX_ORDER + 1][MIGRATE_TYPES];
};

struct page *bm_pcp_alloc(struct per_cpu_pages *pcp, gfp_t gfp, unsigned int order);
/* False when the page belongs to another zone: free it directly. */
bool bm_pcp_free(struct per_cpu_pages *pcp, struct page *page, unsigned int order);
/* Give every cached block back to its zone; returns the pages. */
size_t bm_pcp_drain(struct per_cpu_pages *pcp);

#endif /* BM_PCP_H */
