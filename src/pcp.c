/* SPDX-License-Identifier: MIT */
/* pcp.c - per-thread page caches (see pcp.h).  Only the owning thread
 * touches its pcp lists; the zone lock is taken to refill and drain. */
#include "bm.h"
#include "buddy.h"
#include "mempolicy.h"
#include "node.h"
#include "options.h"
#include "pcp.h"

#include <string.h>

__thread struct per_cpu_pages bm_pcp __attribute__((tls_model("initial-exec")));

static inline uint32_t pcp_high(unsigned int order)
{
	uint32_t h = (uint32_t)(bm_opt_pcp_high >> order);
	return h > 2 * bm_pcp_batch(order) ? h : 2 * bm_pcp_batch(order);
}

/* Give up to count blocks or runs back from a list's cold end to the
 * buddy, under one zone lock; each is page->nr_pages long.  The kernel's
 * free_pcppages_bulk.  Returns how many moved. */
static uint32_t free_pcppages_bulk(struct zone *z, struct page_list *list, uint32_t count)
{
	uint32_t n = 0;

	bm_lock(&z->lock);
	for (; n < count && !page_list_empty(list); n++) {
		struct page *page = pfn_to_page(list->last);	/* the coldest */
		uint32_t nr = page->nr_pages;	/* a block's or an exact run's */

		page_list_del(list, page);
		set_page_flags(page, 0);
		zone_event(z, pgfree, nr);
		zone_event(z, free_blocks, 1);
		bm__free_pages_range(z, page_to_pfn(page), nr, 0);
	}
	bm_unlock(&z->lock);
	return n;
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

/* Set the lists up for the policy's zone (first use), or send them home
 * when the thread moved to another node. */
static inline void pcp_prepare(struct per_cpu_pages *pcp)
{
	if (unlikely(!pcp->zone))
		pcp_init(pcp);
	if (unlikely(bm_nr_nodes > 1))
		pcp_follow_policy(pcp);
}

/* Take the hottest block or run of a list; *zero: known zero. */
static struct page *pcp_take(struct page_list *list, bool *zero)
{
	struct page *page = pfn_to_page(list->first);

	page_list_del(list, page);
	*zero = page->flags & PG_zero;
	set_page_flags(page, PG_head);
	return page;
}

struct page_list *bm_pcp_list(struct per_cpu_pages *pcp, unsigned int order, int mt)
{
	pcp_prepare(pcp);
	return &pcp->lists[order][mt];
}

struct page *bm_pcp_alloc(struct per_cpu_pages *pcp, unsigned int order, int mt, bool *zero)
{
	struct page_list *list = bm_pcp_list(pcp, order, mt);

	BM_DEBUG_BUG_ON(page_list_empty(list) != (pcp->count[order][mt] == 0));
	if (page_list_empty(list))
		return NULL;
	pcp->count[order][mt]--;
	return pcp_take(list, zero);
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
		pcp->count[order][mt] -= free_pcppages_bulk(pcp->zone,
				&pcp->lists[order][mt], bm_pcp_batch(order));
	BM_DEBUG_BUG_ON(pcp->count[order][mt] > pcp_high(order) ||
			page_list_empty(&pcp->lists[order][mt]));
	return true;
}

/* ----------------------------------------------------------- exact runs
 * A run mostly comes back to the list it will be taken from, as programs
 * free and allocate objects of the same sizes; an empty list refills
 * PCP_RUN_BATCH runs under one zone lock. */

struct page_list *bm_pcp_run_list(struct per_cpu_pages *pcp, uint32_t nr_pages)
{
	pcp_prepare(pcp);
	return &pcp->runs[nr_pages];
}

struct page *bm_pcp_alloc_run(struct per_cpu_pages *pcp, uint32_t nr_pages, bool *zero)
{
	struct page_list *list = bm_pcp_run_list(pcp, nr_pages);

	if (page_list_empty(list))
		return NULL;
	pcp->run_count[nr_pages]--;
	pcp->run_pages -= nr_pages;
	return pcp_take(list, zero);
}

void bm_pcp_refilled(struct per_cpu_pages *pcp, unsigned int order, int mt, uint32_t n)
{
	pcp->count[order][mt] += n;
}

void bm_pcp_run_refilled(struct per_cpu_pages *pcp, uint32_t nr_pages, uint32_t n)
{
	pcp->run_count[nr_pages] += (uint8_t)n;
	pcp->run_pages += n * nr_pages;
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
		uint32_t n = free_pcppages_bulk(pcp->zone, list,
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
		pages += (size_t)free_pcppages_bulk(pcp->zone, &pcp->runs[n],
						       UINT32_MAX) * n;
		pcp->run_count[n] = 0;
	}
	pcp->run_pages = 0;
	for (unsigned int o = 0; o <= PCP_MAX_ORDER; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++) {
			pages += (size_t)free_pcppages_bulk(pcp->zone,
					&pcp->lists[o][t], UINT32_MAX) << o;
			pcp->count[o][t] = 0;
		}
	return pages;
}
