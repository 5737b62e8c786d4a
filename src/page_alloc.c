/* SPDX-License-Identifier: MIT */
/*
 * page_alloc.c - alloc_pages: the thread's pcp lists and their refill,
 * the zonelist walk, the watermark gate, zone growth, fault injection
 * and the checks on free.
 *
 * Allocation walks the zonelist the memory policy picks (mempolicy.c),
 * counting NUMA hits and misses as the kernel does.  A zone that would
 * have to commit another section reclaims first (reclaim.c, with the
 * lock dropped); then, under its lock, a zone below its low watermark
 * grows, and a zone still below min is skipped unless __GFP_HARDER.
 * Then the buddy takes the block.
 */
#include "bm.h"
#include "buddy.h"
#include "error.h"
#include "fmt.h"
#include "mempolicy.h"
#include "node.h"
#include "options.h"
#include "page_alloc.h"
#include "pcp.h"
#include "reclaim.h"
#include "watermark.h"

#include <errno.h>
#include <string.h>

/* ------------------------------------------------------- fault injection */

static bool		fail_enabled;
static _Atomic uint64_t	fail_count;
static uint64_t		fail_nth, fail_every;

void bm_fault_inject_set(uint64_t nth, uint64_t every)
{
	atomic_store(&fail_count, 0);
	fail_nth = nth;
	fail_every = every;
	fail_enabled = nth || every;
}

/* The kernel's should_fail_alloc_page(): only reached when enabled. */
static BM_NOINLINE bool should_fail_alloc_page(void)
{
	uint64_t n = atomic_fetch_add(&fail_count, 1) + 1;

	return n == fail_nth || (fail_every && n % fail_every == 0);
}

/* May the zone give a block of this order?  Grows it below low; says no
 * below min.  (zone->lock held) */
static bool __zone_allow(struct zone *z, unsigned int order, gfp_t gfp)
{
	unsigned int alloc_flags = (gfp & __GFP_HARDER) ? ALLOC_HARDER : 0;

	bm_lock_assert_held(&z->lock);
	if (likely(bm__zone_watermark_ok(z, order, WMARK_LOW, alloc_flags)))
		return true;
	zone_event(z, watermark_low, 1);
	while (bm__zone_grow(z, !(gfp & __GFP_NOCOMMIT)) &&
	       !bm__zone_watermark_ok(z, order, WMARK_LOW, alloc_flags))
		;
	return bm__zone_watermark_ok(z, order, WMARK_MIN, alloc_flags);
}

/* Below low with nothing committed left to hand out: the next step would
 * commit a section, so reclaim first (with the lock dropped). */
static inline bool __zone_needs_reclaim(const struct zone *z, unsigned int order)
{
	return z->managed_pages == z->present_pages && z->present_pages &&
	       !bm__zone_watermark_ok(z, order, WMARK_LOW, 0);
}

/* The kernel's zone_statistics for n allocations z served: hit or miss
 * against the node they were meant for, local or other against the node
 * the thread runs on.  The preferred zone's numa_foreign is the caller's,
 * after this lock is dropped.  (z->lock held) */
static void __zone_statistics(struct zone *z, const struct alloc_context *ac, uint32_t n)
{
	bm_lock_assert_held(&z->lock);
	if (likely(z->node == ac->preferred_nid)) {
		zone_event(z, numa_hit, n);
		if (ac->interleave)
			zone_event(z, interleave_hit, n);
	} else {
		zone_event(z, numa_miss, n);
	}
	if (z->node == ac->local_nid)
		zone_event(z, local_node, n);
	else
		zone_event(z, other_node, n);
}

static void count_numa_foreign(const struct zone *z, const struct alloc_context *ac,
			       uint32_t n)
{
	if (unlikely(z->node != ac->preferred_nid)) {
		struct zone *pref = &bm_nodes[ac->preferred_nid].zones[ZONE_NORMAL];

		zone_event_locked(pref, numa_foreign, n);
	}
}

/* Free pages to spare, but no block of the order: the zone would grow
 * for want of a block that its free pages, some of them held in pcp
 * lists, might make.  (zone->lock held) */
static inline bool __zone_fragmented(const struct zone *z, unsigned int order)
{
	return order && z->nr_free_pages > z->watermark[WMARK_HIGH] + (2u << order) &&
	       !bm__zone_has_order(z, order);
}

/* Lock the zone for an allocation, reclaiming first when the next step
 * would commit a section, or draining pcp lists when it would grow the
 * zone only because free memory is in pieces (with the lock dropped
 * meanwhile). */
static void zone_lock_for_alloc(struct zone *z, unsigned int order)
{
	bm_lock(&z->lock);
	if (unlikely(__zone_needs_reclaim(z, order))) {
		bm_unlock(&z->lock);
		bm_reclaim_low(z);
		bm_lock(&z->lock);
	} else if (unlikely(__zone_fragmented(z, order))) {
		bm_unlock(&z->lock);
		bm_reclaim_fragmented(z);
		bm_lock(&z->lock);
	}
}

/*
 * Runs of this many pages or more, powers of two aside, are placed best
 * fit over the free extents (bm__find_best_extent), always: the buddy
 * would take a block of the next power of two, and the tail it gives
 * back, up to half the block, is of use only to smaller requests.  Best
 * fit kept mimalloc-bench's malloc-large (5-25 MiB buffers) at 502 MB of
 * peak RSS where the buddy's blocks spread it to 641 MB, in less time.  The
 * scan costs tens of microseconds, nothing beside touching 4 MiB, and
 * smaller runs keep the buddy's lowest-first placement, which packs a
 * mixed heap at the bottom of the zone so that its emptied top merges
 * and goes back (purge_on_free); best fit for them too took the
 * mixed-heap bench from 52 to 75 MiB of peak RSS and 1.6 times the time
 * (docs/performance.md).
 */
#define RUN_BEST_FIT_PAGES	((4u << 20) >> PAGE_SHIFT)

/* A run placed best fit: a large one that is not a power of two (a
 * block of its own order has no tail to give back). */
static inline bool run_best_fit(uint32_t nr)
{
	return nr >= RUN_BEST_FIT_PAGES && (nr & (nr - 1));
}

/* An exact run of nr pages out of free blocks back to back: a large one
 * best fit, a smaller one, for a zone with no free block of the order
 * that would hold it, lowest first (bm__find_free_run), the alternative
 * being to grow the zone while its free memory, in pieces, has room.
 * Only above the low watermark.  (zone->lock held) */
static struct page *__rmqueue_free_run(struct zone *z, uint32_t nr, gfp_t gfp,
				       unsigned int *clean)
{
	int mt = gfp_migratetype(gfp);
	uint32_t pfn;
	struct page *page;

	bm_lock_assert_held(&z->lock);
	if (z->nr_free_pages <= nr + z->watermark[WMARK_LOW])
		return NULL;
	pfn = run_best_fit(nr) ? bm__find_best_extent(z, nr) : bm__find_free_run(z, nr, mt);
	if (pfn == PFN_NONE || !bm__claim_free_range(z, pfn, nr, clean))
		return NULL;
	page = pfn_to_page(pfn);
	set_page_flags(page, PG_head);
	page->order = (uint8_t)bm_order_for_pages(nr);
	page->migratetype = (uint8_t)mt;
	page->nr_pages = nr;
	page->private = 0;	/* no tail to trim: nr pages exactly */
	z->events[ZE_alloc_blocks]++;
	return page;
}

/* Take a block from one zone: 2^order pages, or, when nr_run is not 0,
 * an exact run of nr_run pages (page->nr_pages says which it got). */
static struct page *rmqueue(struct zone *z, unsigned int order, uint32_t nr_run, gfp_t gfp,
			    unsigned int *clean, const struct alloc_context *ac)
{
	struct page *page = NULL;
	bool best_fit = run_best_fit(nr_run);

	zone_lock_for_alloc(z, order);
	if (best_fit || (nr_run && !bm__zone_has_order(z, order)))
		page = __rmqueue_free_run(z, nr_run, gfp, clean);
	/* Grown, the zone's top extent runs on into the new memory: a large
	 * run may start in the free tail below it. */
	if (!page && __zone_allow(z, order, gfp) &&
	    !(best_fit && (page = __rmqueue_free_run(z, nr_run, gfp, clean))))
		page = bm__rmqueue(z, order, gfp_migratetype(gfp), clean);
	if (page)
		__zone_statistics(z, ac, 1);
	else
		zone_event(z, alloc_fail, 1);
	bm_unlock(&z->lock);
	if (page)
		count_numa_foreign(z, ac, 1);
	return page;
}

/* Take up to count blocks of the order into list (PG_pcp), each cut to
 * nr_pages with the tail given back.  (One zone lock for them all.) */
static uint32_t rmqueue_bulk(struct zone *z, unsigned int order, uint32_t nr_pages,
			     int mt, gfp_t gfp, uint32_t count, struct page_list *list)
{
	struct alloc_context ac = {
		.preferred_nid = z->node, .local_nid = bm_local_node(),
	};
	uint32_t n = 0, tail = (1u << order) - nr_pages;

	if (unlikely(fail_enabled) && should_fail_alloc_page())
		return 0;
	zone_lock_for_alloc(z, order);
	if (__zone_allow(z, order, gfp)) {
		for (; n < count; n++) {
			unsigned int clean;
			struct page *page = bm__rmqueue(z, order, mt, &clean);

			if (!page)
				break;
			if (tail)
				bm__trim_block(z, page, nr_pages, clean);
			set_page_flags(page, PG_head | PG_pcp | (clean & PG_zero));
			page_list_add_tail(list, page);
		}
	}
	if (n)
		__zone_statistics(z, &ac, n);
	else
		zone_event(z, alloc_fail, 1);
	bm_unlock(&z->lock);
	return n;
}


/* Find a zone with the block; *clean says what its contents are. */
static struct page *get_page_from_zonelist(gfp_t gfp, unsigned int order, uint32_t nr_run,
					   unsigned int *clean)
{
	struct alloc_context ac;

	bm_prepare_alloc_context(gfp, &ac);
	for (struct zone **zp = ac.zonelist->zones; *zp; zp++) {
		struct page *page;

		if (!(ac.nodemask & (1ULL << (*zp)->node)))
			continue;
		page = rmqueue(*zp, order, nr_run, gfp, clean, &ac);
		if (page)
			return page;
		if (gfp & __GFP_THISNODE)
			break;
	}
	return NULL;
}

static struct page *alloc_pages_nozero(gfp_t gfp, unsigned int order, uint32_t nr_run,
					unsigned int *clean)
{
	struct page *page;

	if (unlikely(order > bm_max_order))
		goto fail;
	if (unlikely(fail_enabled) && should_fail_alloc_page())
		goto fail;
	page = get_page_from_zonelist(gfp, order, nr_run, clean);
	if (likely(page))
		return page;
fail:
	errno = ENOMEM;
	return NULL;
}

/* Blocks up to this many pages are cleared even when known zero: a page
 * read before it is written costs two faults (the zero page, then copy
 * on write), a cleared page one (docs/performance.md).  Larger blocks
 * stay lazy: a big zeroed array is often used sparsely. */
#define EAGER_ZERO_PAGES	256	/* 1 MiB */

static void prep_new_page(struct page *page, size_t nr_pages, gfp_t gfp, bool zero)
{
	if ((gfp & __GFP_ZERO) && (!zero || nr_pages <= EAGER_ZERO_PAGES))
		memset(page_address(page), 0, nr_pages << PAGE_SHIFT);
}

/* May this allocation go through the thread's pcp lists?  Not for a
 * given node, under interleave, or before the thread's cache is live. */
static inline bool pcp_usable(gfp_t gfp)
{
	return bm_pcp.live && gfp_node(gfp) < 0 && bm_mempolicy_pcp_ok();
}

/* A block from the thread's pcp list, which refills from its zone when
 * empty (a slow path: reclaim ticks here). */
static struct page *pcp_alloc(gfp_t gfp, unsigned int order)
{
	int mt = gfp_migratetype(gfp);
	struct page *page;
	uint32_t n;
	bool zero;

	page = bm_pcp_alloc(&bm_pcp, order, mt, &zero);
	if (unlikely(!page)) {
		bm_reclaim_tick();
		n = rmqueue_bulk(bm_pcp.zone, order, 1u << order, mt, gfp,
				 bm_pcp_batch(order), bm_pcp_list(&bm_pcp, order, mt));
		if (!n) {
			errno = ENOMEM;
			return NULL;
		}
		bm_pcp_refilled(&bm_pcp, order, mt, n);
		page = bm_pcp_alloc(&bm_pcp, order, mt, &zero);
	}
	prep_new_page(page, (size_t)1 << order, gfp, zero);
	return page;
}

/* An exact run from the thread's run lists, refilled PCP_RUN_BATCH at a
 * time; NULL when the zone has none (the caller walks the zonelist). */
static struct page *pcp_alloc_run(gfp_t gfp, uint32_t nr_pages)
{
	struct page *page;
	uint32_t n;
	bool zero;

	page = bm_pcp_alloc_run(&bm_pcp, nr_pages, &zero);
	if (unlikely(!page)) {
		n = rmqueue_bulk(bm_pcp.zone, bm_order_for_pages(nr_pages), nr_pages,
				 MIGRATE_MOVABLE, gfp, PCP_RUN_BATCH,
				 bm_pcp_run_list(&bm_pcp, nr_pages));
		if (!n)
			return NULL;
		bm_pcp_run_refilled(&bm_pcp, nr_pages, n);
		page = bm_pcp_alloc_run(&bm_pcp, nr_pages, &zero);
	}
	prep_new_page(page, nr_pages, gfp, zero);
	return page;
}

struct page *bm_alloc_pages(gfp_t gfp, unsigned int order)
{
	unsigned int clean = 0;
	struct page *page;

	if (order <= PCP_MAX_ORDER && pcp_usable(gfp)) {
		page = pcp_alloc(gfp, order);
		/* An empty preferred zone: the zonelist walk tries the rest. */
		if (likely(page) || bm_nr_nodes == 1)
			return page;
	}
	page = alloc_pages_nozero(gfp, order, 0, &clean);
	if (page)
		prep_new_page(page, (size_t)1 << order, gfp, clean & PG_zero);
	return page;
}

struct page *bm_alloc_pages_exact(size_t nr_pages, gfp_t gfp)
{
	return bm_alloc_pages_exact_aligned(nr_pages, 0, gfp);
}

struct page *bm_alloc_pages_exact_aligned(size_t nr_pages, unsigned int align_order,
					  gfp_t gfp)
{
	unsigned int order;
	struct page *page;
	struct zone *z;
	unsigned int clean = 0;

	if (nr_pages == 0 || nr_pages > (1ul << MAX_ORDER_LIMIT)) {
		errno = ENOMEM;
		return NULL;
	}
	if (nr_pages <= PCP_RUN_MAX && !align_order && pcp_usable(gfp)) {
		page = pcp_alloc_run(gfp, (uint32_t)nr_pages);
		if (page)
			return page;
	}
	order = bm_order_for_pages(nr_pages);
	if (order < align_order)
		order = align_order;
	/* No alignment asked beyond the page: free blocks back to back may
	 * serve it where no block of its order is free. */
	page = alloc_pages_nozero(gfp, order, align_order ? 0 : (uint32_t)nr_pages, &clean);
	if (!page)
		return NULL;
	if (page->nr_pages != nr_pages) {	/* a block: give its tail back */
		z = page_zone(page);
		bm_lock(&z->lock);
		bm__trim_block(z, page, (uint32_t)nr_pages, clean);
		bm_unlock(&z->lock);
	}
	prep_new_page(page, nr_pages, gfp, clean & PG_zero);
	return page;
}

/* ------------------------------------------------------------------ free */

/* Is page the head of an allocated block of nr pages (a buddy block,
 * aligned to its size, when is_block)?  Reports if not. */
static bool free_pages_check(const struct page *page, size_t nr_pages, bool is_block)
{
	if (unlikely(!bm_addr_in_range(page_address(page)))) {
		bm_bad_pointer("free", page_address(page), "not in the allocator's range");
		return false;
	}
	if (unlikely(PageBuddy(page) || (page->flags & PG_pcp))) {
		bm_bad_pointer("free", page_address(page), "already free (double free)");
		return false;
	}
	if (unlikely(!PageHead(page))) {
		bm_bad_pointer("free", page_address(page), "not the start of an allocated block");
		return false;
	}
	if (unlikely(page->nr_pages != nr_pages)) {
		bm_bad_pointer("free", page_address(page), "freed with a size it was not allocated with");
		return false;
	}
	if (unlikely(is_block && (page_to_pfn(page) & (nr_pages - 1)))) {
		bm_bad_pointer("free", page_address(page), "not a block of the order it is freed as");
		return false;
	}
	return true;
}

static void __free_pages_ok(struct page *page, size_t nr_pages)
{
	struct zone *z = page_zone(page);

	bm_lock(&z->lock);
	set_page_flags(page, 0);
	zone_event(z, pgfree, nr_pages);
	zone_event(z, free_blocks, 1);
	bm__free_pages_range(z, page_to_pfn(page), (uint32_t)nr_pages, 0);
	bm_unlock(&z->lock);
}

void bm_free_pages(struct page *page, unsigned int order)
{
	struct zone *z;

	if (!free_pages_check(page, (size_t)1 << order, true))
		return;
	z = page_zone(page);
	if (!(order <= PCP_MAX_ORDER && pcp_usable(0) && bm_pcp_free(&bm_pcp, page, order)))
		__free_pages_ok(page, (size_t)1 << order);
	bm_reclaim_note_free(z);
}

void bm_free_pages_exact(struct page *page, size_t nr_pages)
{
	struct zone *z;

	if (!free_pages_check(page, nr_pages, false))
		return;
	z = page_zone(page);
	if (!(nr_pages <= PCP_RUN_MAX && pcp_usable(0) &&
	      bm_pcp_free_run(&bm_pcp, page, (uint32_t)nr_pages)))
		__free_pages_ok(page, nr_pages);
	bm_reclaim_note_free(z);
}

bool bm_resize_pages_exact(struct page *page, size_t new_nr)
{
	struct zone *z = page_zone(page);
	uint32_t pfn = page_to_pfn(page), old_nr = page->nr_pages;
	bool ok = true;

	if (new_nr == 0 || new_nr > (1ul << bm_max_order))
		return false;
	bm_lock(&z->lock);
	if (new_nr < old_nr) {
		bm__free_pages_range(z, pfn + (uint32_t)new_nr, old_nr - (uint32_t)new_nr, 0);
		zone_event(z, pgfree, old_nr - new_nr);
	} else if (new_nr > old_nr) {
		ok = bm__claim_free_range(z, pfn + old_nr, (uint32_t)new_nr - old_nr, NULL);
	}
	if (ok)
		page->nr_pages = (uint32_t)new_nr;
	bm_unlock(&z->lock);
	return ok;
}
