/* SPDX-License-Identifier: MIT */
/* pcp.c - per-thread page caches (see pcp.h).  Only the owning thread
 * touches its pcp lists; the zone lock is taken to refill and drain. */
#include "bm.h"
#include "buddy.h"
#include "mempolicy.h"
#include "node.h"
#include "options.h"
#include "pcp.h"
#include "reclaim.h"

#include <errno.h>
#include <string.h>

/* batch and high in blocks of an order: at least 1 and 2 * batch. */
static inline uint32_t pcp_batch(unsigned int order)
{
	uint32_t b = (uint32_t)(bm_opt_pcp_batch >> order);
	return b ? b : 1;
}

static inline uint32_t pcp_high(unsigned int order)
{
	uint32_t h = (uint32_t)(bm_opt_pcp_high >> order);
	return h > 2 * pcp_batch(order) ? h : 2 * pcp_batch(order);
}

static inline struct zone *policy_zone(void)
{
	return &bm_nodes[bm_mempolicy_node()].zones[ZONE_NORMAL];
}

static void pcp_init(struct per_cpu_pages *pcp)
{
	pcp->zone = policy_zone();
	for (unsigned int o = 0; o <= PCP_MAX_ORDER; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++)
			page_list_init(&pcp->lists[o][t]);
	memset(pcp->count, 0, sizeof(pcp->count));
	for (unsigned int n = 0; n <= PCP_RUN_MAX; n++)
		page_list_init(&pcp->runs[n]);
	memset(pcp->run_count, 0, sizeof(pcp->run_count));
	pcp->run_pages = 0;
}

/* A thread that moved to another node's cpu takes that node's pages from
 * its next allocation on: its lists go home first, so a pcp only ever
 * holds its zone's pages.  (sched_getcpu reads the rseq area: no system
 * call, a few cycles, and only on machines with several nodes.) */
static void pcp_follow_policy(struct per_cpu_pages *pcp)
{
	struct zone *z = policy_zone();

	if (z != pcp->zone) {
		bm_pcp_drain(pcp);
		pcp->zone = z;
	}
}

struct page *bm_pcp_alloc(struct per_cpu_pages *pcp, gfp_t gfp, unsigned int order)
{
	int mt = gfp_migratetype(gfp);
	struct page_list *list;
	struct page *page;

	if (unlikely(!pcp->zone))
		pcp_init(pcp);
	if (unlikely(bm_nr_nodes > 1))
		pcp_follow_policy(pcp);
	list = &pcp->lists[order][mt];
	if (page_list_empty(list)) {
		bm_reclaim_tick();
		uint32_t n = bm_rmqueue_bulk(pcp->zone, order, mt, gfp,
					     pcp_batch(order), list);
		if (!n) {
			errno = ENOMEM;
			return NULL;
		}
		pcp->count[order][mt] += n;
	}
	page = pfn_to_page(list->first);	/* the hottest */
	page_list_del(list, page);
	pcp->count[order][mt]--;
	bm_prep_new_page(page, (size_t)1 << order, gfp, page->flags & PG_zero);
	set_page_flags(page, PG_head);
	return page;
}

bool bm_pcp_free(struct per_cpu_pages *pcp, struct page *page, unsigned int order)
{
	int mt = page->migratetype;

	if (unlikely(page_zone(page) != pcp->zone))
		return false;
	set_page_flags(page, PG_head | PG_pcp);
	page->order = (uint8_t)order;	/* an exact block resized to 2^order */
	page_list_add(&pcp->lists[order][mt], page);
	if (++pcp->count[order][mt] > pcp_high(order))
		pcp->count[order][mt] -= bm_free_pcppages_bulk(pcp->zone,
				&pcp->lists[order][mt], pcp_batch(order));
	return true;
}

/* ----------------------------------------------------------- exact runs
 * A run mostly comes back to the list it will be taken from, as programs
 * free and allocate objects of the same sizes; an empty list refills
 * PCP_RUN_BATCH runs under one zone lock. */

struct page *bm_pcp_alloc_run(struct per_cpu_pages *pcp, gfp_t gfp, uint32_t nr_pages)
{
	struct page_list *list = &pcp->runs[nr_pages];
	struct page *page;

	if (unlikely(!pcp->zone))
		pcp_init(pcp);
	if (unlikely(bm_nr_nodes > 1))
		pcp_follow_policy(pcp);
	if (page_list_empty(list)) {
		uint32_t n = bm_rmqueue_runs_bulk(pcp->zone, nr_pages, gfp, PCP_RUN_BATCH, list);

		if (!n)
			return NULL;
		pcp->run_count[nr_pages] += (uint8_t)n;
		pcp->run_pages += n * nr_pages;
	}
	page = pfn_to_page(list->first);	/* the hottest */
	page_list_del(list, page);
	pcp->run_count[nr_pages]--;
	pcp->run_pages -= nr_pages;
	bm_prep_new_page(page, nr_pages, gfp, page->flags & PG_zero);
	set_page_flags(page, PG_head);
	return page;
}

bool bm_pcp_free_run(struct per_cpu_pages *pcp, struct page *page, uint32_t nr_pages)
{
	struct page_list *list = &pcp->runs[nr_pages];

	if (unlikely(page_zone(page) != pcp->zone))
		return false;
	set_page_flags(page, PG_head | PG_pcp);
	page_list_add(list, page);
	pcp->run_pages += nr_pages;
	if (++pcp->run_count[nr_pages] > PCP_RUN_HIGH || pcp->run_pages > 2 * bm_opt_pcp_high) {
		uint32_t n = bm_free_pcppages_bulk(pcp->zone, list,
						   (pcp->run_count[nr_pages] + 1) / 2);

		pcp->run_count[nr_pages] -= n;
		pcp->run_pages -= n * nr_pages;
	}
	return true;
}

size_t bm_pcp_drain(struct per_cpu_pages *pcp)
{
	size_t pages = 0;

	if (!pcp->zone)
		return 0;
	for (uint32_t n = 1; n <= PCP_RUN_MAX; n++) {
		pages += (size_t)bm_free_pcppages_bulk(pcp->zone, &pcp->runs[n],
						       UINT32_MAX) * n;
		pcp->run_count[n] = 0;
	}
	pcp->run_pages = 0;
	for (unsigned int o = 0; o <= PCP_MAX_ORDER; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++) {
			pages += (size_t)bm_free_pcppages_bulk(pcp->zone,
					&pcp->lists[o][t], UINT32_MAX) << o;
			pcp->count[o][t] = 0;
		}
	return pages;
}
