/* SPDX-License-Identifier: MIT */
/*
 * buddy.c - the binary buddy allocator of one zone.
 *
 * Free memory is kept as blocks of 2^order pages, each aligned to its own
 * size, on free_area[order].free_list[migratetype].  Two blocks of order n
 * that together form an aligned block of order n + 1 are buddies; the pfn
 * of a block's buddy differs from its own in bit n alone:
 *
 *	buddy_pfn = pfn ^ (1 << order)		combined_pfn = pfn & buddy_pfn
 *
 * Allocation takes the first block of the smallest order that fits and
 * splits it down, putting the unused upper halves back one order lower
 * (expand).  Freeing looks at the buddy's descriptor: while the buddy is a
 * free block of the same order it is unlinked and the two merge one order
 * up.  The state of a block is read from its descriptor only, never from
 * the memory itself.  Blocks never merge beyond bm_max_order, and a
 * max-order block never crosses a section, so a buddy below max order is
 * always committed.
 *
 * Migratetypes group pages by how they are used, per pageblock, so that
 * whole pageblocks fall free together.  When a type has no block, it takes
 * one from another type (largest first, to limit fragmentation) and, when
 * it would own most of that pageblock anyway, claims the pageblock.
 *
 * All functions here run with zone->lock held.
 */
#include "bm.h"
#include "buddy.h"
#include "clock.h"
#include "options.h"


/* The types each migratetype falls back to, in order. */
static const int fallbacks[MIGRATE_TYPES][MIGRATE_TYPES - 1] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE,   MIGRATE_MOVABLE },
};

void bm_zone_init(struct zone *z, int node, uint32_t start_pfn, uint32_t nr_pages)
{
	for (unsigned int o = 0; o <= MAX_ORDER_LIMIT; o++) {
		for (int t = 0; t < MIGRATE_TYPES; t++)
			page_list_init(&z->free_area[o].free_list[t]);
		z->free_area[o].nr_free = 0;
	}
	bm_lock_init(&z->lock, LOCK_RANK_ZONE);
	z->kick_pages = UINT64_MAX;	/* reclaim sets it (bm_reclaim_init) */
	z->node = node;
	z->type = ZONE_NORMAL;
	z->zone_start_pfn = start_pfn;
	z->spanned_pages = nr_pages;
}

static inline bool page_is_buddy(const struct page *buddy, unsigned int order)
{
	return PageBuddy(buddy) && buddy->order == order;
}

/* A block on free_area[order].free_list[mt] is aligned to its size,
 * inside the zone's handed-over range, and on no list yet.  Checked in
 * debug builds, where a wrong merge or split would show first. */
static void check_new_free_block(const struct zone *z, const struct page *p,
				 unsigned int order)
{
	uint32_t pfn = page_to_pfn(p);

	BM_DEBUG_BUG_ON(order > bm_max_order);
	BM_DEBUG_BUG_ON(pfn & ((1u << order) - 1));
	BM_DEBUG_BUG_ON(pfn < z->zone_start_pfn ||
			pfn + (1u << order) > z->zone_start_pfn + z->managed_pages + (1u << bm_max_order));
	BM_DEBUG_BUG_ON(PageBuddy(p) || (p->flags & PG_pcp));
	(void)z; (void)pfn;
}

/*
 * A free block's dirty pages: how many of its pages may be resident,
 * touched since the zone last gave them back, kept in the head's
 * nr_pages.  A clean block has none.  A merge adds them up, so a backed
 * block merged with fresh buddies does not count as backed whole.  A
 * split cannot know where they lie and puts them at the front, where
 * the caller's part is, as allocation reuses blocks from the bottom up.
 * They decide one thing: when a free merges enough of them, the block
 * goes back to the OS at once (bm__free_pages_range_dirty).
 */
static inline uint32_t block_dirty(const struct page *p)
{
	return (p->flags & PG_CLEAN) ? 0 : p->nr_pages;
}

/* Take up to nr of *dirty for a part of nr pages at the front. */
static inline uint32_t take_front(uint32_t *dirty, uint32_t nr)
{
	uint32_t d = *dirty < nr ? *dirty : nr;

	*dirty -= d;
	return d;
}

static void add_to_free_list(struct zone *z, struct page *p, unsigned int order,
			     int mt, unsigned int clean, uint32_t dirty)
{
	bm_lock_assert_held(&z->lock);
	check_new_free_block(z, p, order);
	BM_DEBUG_BUG_ON(dirty > (1u << order));
	set_page_flags(p, PG_buddy | clean);
	p->order = (uint8_t)order;
	p->migratetype = (uint8_t)mt;
	p->nr_pages = clean ? 0 : dirty;
	z->nr_free_dirty += p->nr_pages;
	p->private = bm_clock_now();	/* free since */
	/* Resident blocks first: allocation takes the head, so memory the
	 * program touched before is reused before memory that is not backed
	 * (fresh or given back), which would fault in anew and add to RSS. */
	if (clean)
		page_list_add_tail(&z->free_area[order].free_list[mt], p);
	else
		page_list_add(&z->free_area[order].free_list[mt], p);
	z->free_area[order].nr_free++;
	z->nr_free_pages += 1u << order;
	if (clean & PG_returned)
		z->nr_free_returned += 1u << order;
	else if (unlikely(z->nr_free_pages - z->nr_free_returned > z->kick_pages) &&
		 z->peak_used > z->kick_pages &&
		 !atomic_load_explicit(&z->kick, memory_order_relaxed))
		/* Backed free memory is past the mark, in a zone that once had
		 * that much in use (a block merged with fresh buddies counts
		 * as backed whole, so a small program could pass the mark
		 * alone): the page allocator's free path kicks reclaim after
		 * the lock drops. */
		atomic_store_explicit(&z->kick, 1, memory_order_relaxed);
}

void bm__del_page_from_free_list(struct zone *z, struct page *p, unsigned int order)
{
	bm_lock_assert_held(&z->lock);
	BM_DEBUG_BUG_ON(!page_is_buddy(p, order));
	BM_DEBUG_BUG_ON(!z->free_area[order].nr_free);
	page_list_del(&z->free_area[order].free_list[p->migratetype], p);
	z->free_area[order].nr_free--;
	z->nr_free_pages -= 1u << order;
	z->nr_free_dirty -= block_dirty(p);
	if (p->flags & PG_returned)
		z->nr_free_returned -= 1u << order;
	set_page_flags(p, 0);
}

static void move_to_free_list(struct zone *z, struct page *p, unsigned int order, int mt)
{
	unsigned int clean = p->flags & PG_CLEAN;
	uint32_t dirty = block_dirty(p);

	bm__del_page_from_free_list(z, p, order);
	add_to_free_list(z, p, order, mt, clean, dirty);
}

/*
 * Split a block of order high down to order low; the upper halves go back
 * to the free lists.  The kernel's expand().
 *
 * Asked for order 1 with only an order-3 block (8 pages, p..p+7) free:
 *
 *	high 3 -> 2: p+4..p+7 goes on free_area[2]
 *	high 2 -> 1: p+2..p+3 goes on free_area[1]
 *	             p..p+1 is the caller's
 *
 * Each half put back is aligned to its new order, because the block was
 * aligned to the larger one: that is what lets free find it again by
 * xor (bm__free_one_page).  dirty is what the halves share of the
 * block's dirty pages, the lowest half first (block_dirty).
 */
static void expand(struct zone *z, struct page *p, unsigned int low,
		   unsigned int high, int mt, unsigned int clean, uint32_t dirty)
{
	BM_DEBUG_BUG_ON(low > high || (page_to_pfn(p) & ((1u << high) - 1)));
	while (high > low) {
		/* The halves below this one hold 2^high - 2^low pages. */
		uint32_t below = (1u << --high) - (1u << low);
		uint32_t d = dirty > below ? dirty - below : 0;

		add_to_free_list(z, p + (1u << high), high, mt, clean,
				 d < (1u << high) ? d : 1u << high);
		zone_event(z, split, 1);
	}
}

/* The lowest of the first LOWEST_SCAN blocks of a free list, resident
 * ones (at the head: add_to_free_list) before clean ones.  Large blocks
 * (LOWEST_MIN_ORDER and up) are taken lowest first rather than last
 * freed first: a heap of large objects then stays packed at the bottom
 * of the zone, where the pages it touched are, instead of spreading over
 * everything the zone ever committed (the mixed-size heap of bench/:
 * peak RSS 196 to 87 MiB; docs/design.md). */
#define LOWEST_MIN_ORDER	4
#define LOWEST_SCAN		64

static struct page *lowest_of(const struct page_list *list)
{
	uint32_t best = PFN_NONE, best_clean = PFN_NONE, pfn = list->first;

	for (unsigned int i = 0; pfn != PFN_NONE && i < LOWEST_SCAN; i++) {
		const struct page *p = pfn_to_page(pfn);

		if (p->flags & PG_CLEAN) {
			if (pfn < best_clean)
				best_clean = pfn;
		} else if (pfn < best) {
			best = pfn;
		}
		pfn = p->next;
	}
	if (best == PFN_NONE)
		best = best_clean;
	return best == PFN_NONE ? NULL : pfn_to_page(best);
}

/* The smallest block that holds 2^order pages, split down; *dirty gets
 * the dirty pages of the caller's part. */
static struct page *__rmqueue_smallest(struct zone *z, unsigned int order, int mt,
				       unsigned int *clean, uint32_t *dirty)
{
	for (unsigned int o = order; o <= bm_max_order; o++) {
		const struct page_list *list = &z->free_area[o].free_list[mt];
		struct page *p = o >= LOWEST_MIN_ORDER && mt == MIGRATE_MOVABLE ?
				 lowest_of(list) : page_list_first(list);

		if (!p)
			continue;
		uint32_t rest = block_dirty(p);

		*clean = p->flags & PG_CLEAN;
		*dirty = take_front(&rest, 1u << order);
		bm__del_page_from_free_list(z, p, o);
		expand(z, p, order, o, mt, *clean, rest);
		return p;
	}
	return NULL;
}

static void set_pageblock_mt(uint32_t pfn, unsigned int order, int mt)
{
	uint32_t nr_blocks = order > bm_pageblock_order ?
			     1u << (order - bm_pageblock_order) : 1;

	for (uint32_t i = 0; i < nr_blocks; i++)
		*pageblock_mt_of(pfn + (i << bm_pageblock_order)) = (uint8_t)mt;
}

/*
 * A block of another type was found inside a pageblock.  Count what of the
 * pageblock is free or already used as mt; when that is at least half,
 * claim the pageblock and move all its free blocks to mt, as the kernel's
 * steal_suitable_fallback() does.  Otherwise only the found block moves.
 */
static void steal_suitable_fallback(struct zone *z, struct page *found,
				    unsigned int order, int mt)
{
	uint32_t pb_pages = 1u << bm_pageblock_order;
	uint32_t start = page_to_pfn(found) & ~(pb_pages - 1);
	uint32_t good = 0;

	for (uint32_t pfn = start; pfn < start + pb_pages;) {
		struct page *p = pfn_to_page(pfn);
		uint32_t step = 1;

		if (PageBuddy(p)) {
			step = 1u << p->order;
			good += step;
		} else if (PageHead(p)) {
			step = p->nr_pages;
			if (p->migratetype == mt)
				good += step;
		}
		pfn += step;
	}
	if (good < pb_pages / 2) {
		move_to_free_list(z, found, order, mt);
		return;
	}
	for (uint32_t pfn = start; pfn < start + pb_pages;) {
		struct page *p = pfn_to_page(pfn);
		uint32_t step = PageBuddy(p) ? 1u << p->order :
				PageHead(p) ? p->nr_pages : 1;

		if (PageBuddy(p) && p->migratetype != mt)
			move_to_free_list(z, p, p->order, mt);
		pfn += step;
	}
	*pageblock_mt_of(start) = (uint8_t)mt;
	zone_event(z, pageblock_steal, 1);
}

/* Move a block of another type to mt's lists, largest first. */
static bool __rmqueue_fallback(struct zone *z, unsigned int order, int mt)
{
	for (int o = (int)bm_max_order; o >= (int)order; o--) {
		for (int i = 0; i < MIGRATE_TYPES - 1; i++) {
			int ft = fallbacks[mt][i];
			struct page *p = page_list_first(&z->free_area[o].free_list[ft]);

			if (!p)
				continue;
			zone_event(z, fallback, 1);
			if ((unsigned int)o >= bm_pageblock_order) {
				/* Whole pageblocks: take as few as the request
				 * needs, the rest of a larger block keeps its type. */
				unsigned int clean = p->flags & PG_CLEAN;
				unsigned int take = order > bm_pageblock_order ?
						    order : bm_pageblock_order;
				uint32_t rest = block_dirty(p);
				uint32_t front = take_front(&rest, 1u << take);

				bm__del_page_from_free_list(z, p, (unsigned int)o);
				expand(z, p, take, (unsigned int)o, ft, clean, rest);
				set_pageblock_mt(page_to_pfn(p), take, mt);
				add_to_free_list(z, p, take, mt, clean, front);
				zone_event(z, pageblock_steal, 1);
			} else {
				steal_suitable_fallback(z, p, (unsigned int)o, mt);
			}
			return true;
		}
	}
	return false;
}

/* The reclaim clock in windows of decay_ms. */
static inline uint64_t window_now(void)
{
	uint64_t w = __atomic_load_n(&bm_opt_decay_ms, __ATOMIC_RELAXED);

	return bm_clock_now() / (w ? w : 1);
}

/* The most pages the zone had in use in this window and the last. */
static uint64_t __recent_peak(const struct zone *z)
{
	uint64_t epoch = window_now(), peak = z->managed_pages - z->nr_free_pages;

	if (epoch == z->recent_epoch && z->recent_used[1] > peak)
		peak = z->recent_used[1];
	if (epoch <= z->recent_epoch + 1 && z->recent_used[0] > peak)
		peak = z->recent_used[0];
	return peak;
}

/* Track the most pages in use: ever (peak_used), and in this window and
 * the last (recent_used, for bm__purge_ok). */
static void __note_used(struct zone *z)
{
	uint64_t used = z->managed_pages - z->nr_free_pages, epoch = window_now();

	if (used > z->peak_used)
		z->peak_used = used;
	if (epoch != z->recent_epoch) {
		z->recent_used[1] = epoch == z->recent_epoch + 1 ? z->recent_used[0] : used;
		z->recent_used[0] = used;
		z->recent_epoch = epoch;
	} else if (used > z->recent_used[0]) {
		z->recent_used[0] = used;
	}
}

struct page *bm__rmqueue(struct zone *z, unsigned int order, int mt, unsigned int *clean)
{
	uint32_t dirty = 0;
	struct page *p;

	bm_lock_assert_held(&z->lock);
	p = __rmqueue_smallest(z, order, mt, clean, &dirty);

	if (unlikely(!p) && __rmqueue_fallback(z, order, mt))
		p = __rmqueue_smallest(z, order, mt, clean, &dirty);
	if (likely(p)) {
		BM_DEBUG_BUG_ON(page_to_pfn(p) & ((1u << order) - 1));
		set_page_flags(p, PG_head);
		p->order = (uint8_t)order;
		p->migratetype = (uint8_t)mt;
		p->nr_pages = 1u << order;
		p->private = dirty;	/* for bm__trim_block */
		z->events[ZE_pgalloc] += 1u << order;
		z->events[ZE_alloc_blocks]++;
		__note_used(z);
	}
	return p;
}

/*
 * Free a block of 2^order pages at pfn and merge it with its buddies, the
 * kernel's __free_one_page().  A block's buddy is the other half of the
 * block of twice its size: pfn ^ (1 << order).  While the buddy is free
 * and of the same order (its descriptor says PageBuddy with that order),
 * take it off its list and go up one order with the pair, whose start is
 * pfn & buddy_pfn.  Freeing pfn 6, order 1, with pfn 4 free at order 1
 * and pfn 0 free at order 2:
 *
 *	order 1: buddy 6 ^ 2 = 4 is free: merge, pfn 4, order 2
 *	order 2: buddy 4 ^ 4 = 0 is free: merge, pfn 0, order 3
 *	order 3: buddy 0 ^ 8 = 8 is not free: pfn 0 goes on free_area[3]
 *
 * The merged block is clean (zero, or given back) only if every part was;
 * its dirty pages are those of its parts (block_dirty).  Returns the pfn
 * of the merged block.
 */
static uint32_t __free_one_page(struct zone *z, uint32_t pfn, unsigned int order,
				unsigned int clean, uint32_t dirty)
{
	bm_lock_assert_held(&z->lock);
	BM_DEBUG_BUG_ON(order > bm_max_order || (pfn & ((1u << order) - 1)));
	BM_DEBUG_BUG_ON(PageBuddy(pfn_to_page(pfn)));
	while (order < bm_max_order) {
		uint32_t buddy_pfn = pfn ^ (1u << order);
		struct page *buddy = pfn_to_page(buddy_pfn);

		if (!page_is_buddy(buddy, order))
			break;
		clean &= buddy->flags;
		dirty += block_dirty(buddy);
		bm__del_page_from_free_list(z, buddy, order);
		pfn &= buddy_pfn;
		order++;
		zone_event(z, merge, 1);
	}
	add_to_free_list(z, pfn_to_page(pfn), order, *pageblock_mt_of(pfn), clean & PG_CLEAN,
			 dirty);
	return pfn;
}

void bm__free_one_page(struct zone *z, uint32_t pfn, unsigned int order, unsigned int clean)
{
	__free_one_page(z, pfn, order, clean, (clean & PG_CLEAN) ? 0 : 1u << order);
}

/*
 * Has a free of nr pages left a block to give back at once?  It has when
 * it merged with free neighbours into a block of z->purge_pages dirty
 * pages or more: memory that fragmentation had kept in pieces, now free
 * in one piece too large for the next allocations to reuse whole.
 * jemalloc gives back a dirty extent that coalesces past its oversize
 * threshold (8 MiB) the same way.  A free that big on its own does not
 * count: the program may well allocate it again, and decay is there for
 * that.  Nor does a block the program may want back soon: the zone keeps
 * as many dirty free pages as its use fell from its recent peak (a
 * batch of buffers freed together and allocated again).  (Eager
 * give-back of the mixed-size heap: docs/design.md.)
 */
bool bm__purge_ok(const struct zone *z, const struct page *p)
{
	uint32_t dirty = PageBuddy(p) ? block_dirty(p) : 0;

	bm_lock_assert_held(&z->lock);
	return z->purge_pages && dirty >= z->purge_pages &&
	       z->nr_free_dirty - dirty >=
	       __recent_peak(z) - (z->managed_pages - z->nr_free_pages);
}

static void __note_purge(struct zone *z, uint32_t head, uint32_t nr)
{
	if (nr < z->purge_pages && bm__purge_ok(z, pfn_to_page(head))) {
		z->purge_pfn = head;
		atomic_store_explicit(&z->purge, 1, memory_order_relaxed);
	}
}

void bm__free_pages_range_dirty(struct zone *z, uint32_t pfn, uint32_t nr,
				unsigned int clean, uint32_t dirty)
{
	uint32_t end = pfn + nr;

	bm_lock_assert_held(&z->lock);
	if (clean & PG_CLEAN)
		dirty = 0;
	while (pfn < end) {
		unsigned int order = pfn ? (unsigned int)__builtin_ctz(pfn) : bm_max_order;
		uint32_t head;

		if (order > bm_max_order)
			order = bm_max_order;
		while (pfn + (1u << order) > end)
			order--;
		head = __free_one_page(z, pfn, order, clean, take_front(&dirty, 1u << order));
		if (!(clean & PG_CLEAN))
			__note_purge(z, head, nr);
		pfn += 1u << order;
	}
}

void bm__free_pages_range(struct zone *z, uint32_t pfn, uint32_t nr, unsigned int clean)
{
	bm__free_pages_range_dirty(z, pfn, nr, clean, nr);
}

void bm__trim_block(struct zone *z, struct page *page, uint32_t nr, unsigned int clean)
{
	uint32_t size = page->nr_pages, dirty = (uint32_t)page->private;

	bm_lock_assert_held(&z->lock);
	BM_DEBUG_BUG_ON(nr > size);
	bm__free_pages_range_dirty(z, page_to_pfn(page) + nr, size - nr, clean,
				   dirty > nr ? dirty - nr : 0);
	page->nr_pages = nr;
	z->events[ZE_pgalloc] -= size - nr;
}

bool bm__zone_has_order(const struct zone *z, unsigned int order)
{
	bm_lock_assert_held(&z->lock);
	for (unsigned int o = order; o <= bm_max_order; o++)
		if (z->free_area[o].nr_free)
			return true;
	return false;
}

/* The head pfn of the free block that contains pfn, or PFN_NONE. */
static uint32_t free_block_containing(uint32_t pfn)
{
	for (unsigned int o = 0; o <= bm_max_order; o++) {
		uint32_t head = pfn & ~((1u << o) - 1);
		const struct page *p = pfn_to_page(head);

		if (PageBuddy(p) && p->order >= o)
			return head;
	}
	return PFN_NONE;
}

bool bm__pfn_is_free(struct zone *z, uint32_t pfn)
{
	bm_lock_assert_held(&z->lock);
	return pfn >= z->zone_start_pfn && pfn < z->zone_start_pfn + z->managed_pages &&
	       free_block_containing(pfn) != PFN_NONE;
}

bool bm__claim_free_range(struct zone *z, uint32_t pfn, uint32_t nr, unsigned int *clean_out)
{
	uint32_t end = pfn + nr, x, h;
	unsigned int all_clean = PG_CLEAN;

	bm_lock_assert_held(&z->lock);
	if (pfn < z->zone_start_pfn || end > z->zone_start_pfn + z->managed_pages)
		return false;
	for (x = pfn; x < end; x = h + (1u << pfn_to_page(h)->order))
		if ((h = free_block_containing(x)) == PFN_NONE)
			return false;
	for (x = pfn; x < end;) {
		struct page *p = pfn_to_page(h = free_block_containing(x));
		uint32_t block_end = h + (1u << p->order);
		unsigned int clean = p->flags & PG_CLEAN;
		uint32_t dirty = block_dirty(p);

		all_clean &= clean;
		bm__del_page_from_free_list(z, p, p->order);
		if (h < pfn)
			bm__free_pages_range_dirty(z, h, pfn - h, clean,
						   take_front(&dirty, pfn - h));
		take_front(&dirty, (block_end < end ? block_end : end) - (h > pfn ? h : pfn));
		if (block_end > end)
			bm__free_pages_range_dirty(z, end, block_end - end, clean, dirty);
		x = block_end;
	}
	z->events[ZE_pgalloc] += nr;
	if (clean_out)
		*clean_out = all_clean;
	return true;
}

/* The end of the free blocks back to back from pfn on (any order and
 * type), looked at up to limit at most. */
static uint32_t free_blocks_end(const struct zone *z, uint32_t pfn, uint32_t limit)
{
	uint32_t zone_end = z->zone_start_pfn + z->managed_pages;

	if (limit > zone_end)
		limit = zone_end;
	while (pfn < limit && PageBuddy(pfn_to_page(pfn)))
		pfn += 1u << pfn_to_page(pfn)->order;
	return pfn;
}

/* Free blocks that make a run of nr pages from pfn on, the first of them
 * heading it? */
static bool free_run_from(const struct zone *z, uint32_t pfn, uint32_t nr)
{
	return free_blocks_end(z, pfn, pfn + nr) >= pfn + nr;
}

/*
 * A run of nr free pages (not a power of two) where no block of the
 * order that holds it is free: free blocks of the two orders below,
 * each with free blocks behind it to make up nr pages.  The buddy
 * alone would need an aligned block of the next power of two, and the
 * zone would grow for want of one while its free memory, in pieces,
 * could hold the run.  Of the runs it finds among the first
 * RUN_FIT_SCAN heads of each list it takes the lowest, so the heap
 * stays packed at the bottom of the zone (jemalloc's extents choose
 * the same way).  Returns the run's first pfn, or PFN_NONE.
 */
#define RUN_FIT_SCAN	256

uint32_t bm__find_free_run(struct zone *z, uint32_t nr, int mt)
{
	unsigned int order = bm_order_for_pages(nr);
	uint32_t best = PFN_NONE;

	bm_lock_assert_held(&z->lock);
	for (unsigned int o = order; o-- > 0 && o + 2 >= order;) {
		uint32_t pfn = z->free_area[o].free_list[mt].first;

		for (unsigned int i = 0; pfn != PFN_NONE && i < RUN_FIT_SCAN; i++) {
			const struct page *p = pfn_to_page(pfn);

			if (pfn < best && free_run_from(z, pfn, nr))
				best = pfn;
			pfn = p->next;
		}
	}
	return best;
}

/* The free extent around the free block at pfn: the run of free blocks
 * back to back (any order, any type) that holds it, from *start for
 * *len pages.  Its rank as a fit: its length, except that the extent at
 * the zone's top ranks last, as if it had no end: the zone grows into
 * it, and its pages past the heap's are clean, taking them would only
 * add to the resident set. */
static uint32_t free_extent(const struct zone *z, uint32_t pfn, uint32_t *start, uint32_t *len)
{
	uint32_t zone_end = z->zone_start_pfn + z->managed_pages, end, h;

	while (pfn > z->zone_start_pfn && (h = free_block_containing(pfn - 1)) != PFN_NONE)
		pfn = h;
	*start = pfn;
	end = free_blocks_end(z, pfn, zone_end);
	*len = end - pfn;
	return end == zone_end ? UINT32_MAX : *len;
}

/*
 * A run of nr free pages made of free blocks back to back, where the
 * buddy alone would take an aligned block of the next power of two.
 * Of the free extents (maximal runs of free blocks) that hold nr pages
 * it takes the smallest, the lowest of equal ones, and the run starts
 * at its start; the zone's top extent comes last (free_extent).  That
 * is best fit over extents, as jemalloc's extents and glibc's large
 * bins choose: large runs of random sizes kept whole by the buddy would
 * each pin the next power of two, and the heap would spread over new
 * sections while its free memory, in pieces, had room (mimalloc-bench's
 * malloc-large: docs/performance.md).  An extent of nr pages or more
 * holds an aligned block of half the run's power of two, so the lists
 * from two orders below the run's up hold a block of every extent that
 * fits; the first RUN_FIT_SCAN heads of each are looked at.  Returns
 * the run's first pfn, or PFN_NONE.
 */
uint32_t bm__find_best_extent(struct zone *z, uint32_t nr)
{
	unsigned int order = bm_order_for_pages(nr);
	uint32_t best = PFN_NONE;
	uint64_t best_rank = UINT64_MAX;

	bm_lock_assert_held(&z->lock);
	for (unsigned int o = order >= 2 ? order - 2 : 0; o <= bm_max_order; o++) {
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			uint32_t pfn = z->free_area[o].free_list[mt].first;

			for (unsigned int i = 0; pfn != PFN_NONE && i < RUN_FIT_SCAN; i++) {
				uint32_t start, len, rank = free_extent(z, pfn, &start, &len);

				if (len >= nr && (rank < best_rank || (rank == best_rank && start < best))) {
					best = start;
					best_rank = rank;
					if (len == nr)
						return best;
				}
				pfn = pfn_to_page(pfn)->next;
			}
		}
	}
	return best;
}
