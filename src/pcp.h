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

#define PCP_MAX_ORDER	5	/* every slab order (SLAB_MAX_ORDER) */
/* Exact runs (alloc_pages_exact: page objects of up to 16 pages that are
 * not a power-of-two block the lists above hold) are cached too, one list
 * per length, up to PCP_RUN_HIGH each and twice pcp_high pages in all.
 * Without them every 20-64 KiB object took the zone lock: 16 threads on
 * 16 cores ran glibc-thread 70 times slower than mimalloc. */
#define PCP_RUN_MAX	16
#define PCP_RUN_HIGH	16
#define PCP_RUN_BATCH	4	/* runs an empty list takes at once */

struct per_cpu_pages {
	struct zone	*zone;					/* where the pages belong */
	uint32_t	count[PCP_MAX_ORDER + 1][MIGRATE_TYPES];	/* blocks per list */
	struct page_list lists[PCP_MAX_ORDER + 1][MIGRATE_TYPES];
	uint8_t		run_count[PCP_RUN_MAX + 1];		/* runs per length */
	uint32_t	run_pages;				/* in all the runs */
	struct page_list runs[PCP_RUN_MAX + 1];			/* by length, movable */
};

struct page *bm_pcp_alloc(struct per_cpu_pages *pcp, gfp_t gfp, unsigned int order);
/* False when the page belongs to another zone: free it directly. */
bool bm_pcp_free(struct per_cpu_pages *pcp, struct page *page, unsigned int order);
/* An exact run of nr_pages (at most PCP_RUN_MAX) from the thread's
 * lists, refilled from its zone; NULL when the zone has none (the caller
 * walks the zonelist). */
struct page *bm_pcp_alloc_run(struct per_cpu_pages *pcp, gfp_t gfp, uint32_t nr_pages);
/* Cache a freed exact run; false when it belongs to another zone. */
bool bm_pcp_free_run(struct per_cpu_pages *pcp, struct page *page, uint32_t nr_pages);

/* Give every cached block back to its zone; returns the pages. */
size_t bm_pcp_drain(struct per_cpu_pages *pcp);

#endif /* BM_PCP_H */
