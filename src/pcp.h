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
/* Page runs (alloc_pages_exact: page objects that are not a power-of-two
 * block the lists above hold) are cached too, on lists by size class: a
 * run of up to 16 pages is its own class, a longer one, up to 256 pages
 * (1 MiB), is rounded up to a quarter step of its power of two (20, 24,
 * 28, 32, 40, ... 256 pages).  Up to PCP_RUN_HIGH runs per class,
 * PCP_RUN_BUDGET pages in all.  Without them every such object took the
 * zone lock: 16 threads on 16 cores ran glibc-thread 70 times slower than
 * mimalloc, and calloc of up to 1 MiB spent 6 s of system time in futex
 * waits. */
#define PCP_RUN_EXACT	16			/* runs up to this long: exact */
#define PCP_RUN_MAX	256			/* the longest run cached */
#define NR_PCP_RUN_CLASSES (PCP_RUN_EXACT + 16)	/* 4 per doubling, 16 to 256 */
#define PCP_RUN_HIGH	16			/* runs per class */
#define PCP_RUN_BUDGET	1024			/* pages in all the runs (4 MiB) */
#define PCP_RUN_BATCH	64			/* pages an empty list takes at once */

/* The class of a run of n pages (1 <= n <= PCP_RUN_MAX). */
static inline unsigned int pcp_run_class(uint32_t n)
{
	unsigned int k, step;

	if (n <= PCP_RUN_EXACT)
		return n - 1;
	k = bm_ilog2(n - 1);		/* 4 .. 7 */
	step = k - 2;			/* a quarter of 2^k, as a shift */
	return PCP_RUN_EXACT + (k - 4) * 4 + ((n - 1) >> step) - 4;
}

/* The pages of a run of class c. */
static inline uint32_t pcp_run_pages(unsigned int c)
{
	unsigned int k;

	if (c < PCP_RUN_EXACT)
		return c + 1;
	c -= PCP_RUN_EXACT;
	k = c / 4 + 4;
	return (uint32_t)(c % 4 + 5) << (k - 2);
}

struct per_cpu_pages {
	struct zone	*zone;					/* where the pages belong */
	uint32_t	count[PCP_MAX_ORDER + 1][MIGRATE_TYPES];	/* blocks per list */
	struct page_list lists[PCP_MAX_ORDER + 1][MIGRATE_TYPES];
	uint8_t		run_count[NR_PCP_RUN_CLASSES];		/* runs per class */
	uint32_t	run_pages;				/* in all the runs */
	struct page_list runs[NR_PCP_RUN_CLASSES];		/* by class, movable */
};

struct page *bm_pcp_alloc(struct per_cpu_pages *pcp, gfp_t gfp, unsigned int order);
/* False when the page belongs to another zone: free it directly. */
bool bm_pcp_free(struct per_cpu_pages *pcp, struct page *page, unsigned int order);
/* A run of class c (pcp_run_pages(c) long) from the thread's lists,
 * refilled from its zone; NULL when the zone has none (the caller walks
 * the zonelist). */
struct page *bm_pcp_alloc_run(struct per_cpu_pages *pcp, gfp_t gfp, unsigned int c);
/* Cache a freed run of class c; false when it belongs to another zone. */
bool bm_pcp_free_run(struct per_cpu_pages *pcp, struct page *page, unsigned int c);

/* Give every cached block back to its zone; returns the pages. */
size_t bm_pcp_drain(struct per_cpu_pages *pcp);

#endif /* BM_PCP_H */
