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

#include "mmzone.h"
#include "options.h"

#define PCP_MAX_ORDER	5	/* every slab order (SLAB_MAX_ORDER) */
/* Exact runs (alloc_pages_exact: page objects of up to 16 pages that are
 * not a power-of-two block the lists above hold) are cached too, one list
 * per length, up to PCP_RUN_HIGH each and twice pcp_high pages in all:
 * else every such object takes the zone lock (docs/performance.md). */
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
	bool		live;		/* the thread's caches are live (tcache.c) */
	unsigned int	drain_gen;	/* bm_drain_gen last drained at (reclaim.c) */
};

/* The calling thread's lists.  Only used while live: a thread's exit
 * (tcache.c) drains them and clears live. */
extern BM_HIDDEN __thread struct per_cpu_pages bm_pcp __attribute__((tls_model("initial-exec")));

/* Blocks of an order an empty list takes at once: at least 1. */
static inline uint32_t bm_pcp_batch(unsigned int order)
{
	uint32_t b = (uint32_t)(bm_opt_pcp_batch >> order);
	return b ? b : 1;
}

/* The hottest block of 2^order pages and type mt, or NULL when that list
 * is empty: the page allocator (page_alloc.c) then refills the list from
 * the zone with rmqueue_bulk and records it with bm_pcp_refilled.
 * *zero: the block is known to be zero. */
struct page *bm_pcp_alloc(struct per_cpu_pages *pcp, unsigned int order, int mt, bool *zero);
/* The list of that order and type, the lists set up for the thread's
 * zone first (pcp->zone is the zone to refill from). */
struct page_list *bm_pcp_list(struct per_cpu_pages *pcp, unsigned int order, int mt);
void bm_pcp_refilled(struct per_cpu_pages *pcp, unsigned int order, int mt, uint32_t n);
/* False when the page belongs to another zone: free it directly.  A list
 * past high gives a batch back to the buddy. */
bool bm_pcp_free(struct per_cpu_pages *pcp, struct page *page, unsigned int order);

/* The same for exact runs of nr_pages (at most PCP_RUN_MAX). */
struct page *bm_pcp_alloc_run(struct per_cpu_pages *pcp, uint32_t nr_pages, bool *zero);
struct page_list *bm_pcp_run_list(struct per_cpu_pages *pcp, uint32_t nr_pages);
void bm_pcp_run_refilled(struct per_cpu_pages *pcp, uint32_t nr_pages, uint32_t n);
bool bm_pcp_free_run(struct per_cpu_pages *pcp, struct page *page, uint32_t nr_pages);

/* Give every cached block back to its zone; returns the pages. */
size_t bm_pcp_drain(struct per_cpu_pages *pcp);

#endif /* BM_PCP_H */
