/* SPDX-License-Identifier: MIT */
/*
 * check.c - the invariant walk.
 *
 * Checks, per zone: every block on free_area[o].free_list[t] is a free
 * block of order o and type t, aligned to its order, inside the committed
 * range, with consistent links and no free buddy of the same order beside
 * it, with no more dirty pages than pages and none when clean; the
 * per-order counts, nr_free_pages and nr_free_dirty match the lists; and a linear
 * walk of the committed pages finds each page in exactly one place: inside
 * one free block, inside one allocated block, or committed but not yet
 * handed to the buddy (deferred), never two of these, never none.
 */
#include "bm.h"
#include "check.h"
#include "fmt.h"
#include "slab_node.h"

struct walk {
	struct bm_out	*out;
	unsigned long	bad;
};

static void complain(struct walk *w, const struct zone *z, uint32_t pfn,
		     const char *what)
{
	if (w->bad++ < 20)
		bm_outf(w->out, "check: node %d zone %s pfn %u: %s\n",
			z->node, zone_name(z), pfn, what);
}

static uint64_t check_free_lists(struct walk *w, const struct zone *z)
{
	uint32_t lo = z->zone_start_pfn, hi = lo + z->managed_pages;
	uint64_t pages = 0, dirty = 0;

	for (unsigned int o = 0; o <= bm_max_order; o++) {
		uint64_t blocks = 0;

		for (int t = 0; t < MIGRATE_TYPES; t++) {
			uint32_t prev = PFN_NONE;

			for (uint32_t pfn = z->free_area[o].free_list[t].first;
			     pfn != PFN_NONE; pfn = pfn_to_page(pfn)->next) {
				const struct page *p;

				if (pfn < lo || pfn >= hi) {
					complain(w, z, pfn, "free list entry outside the zone");
					break;
				}
				p = pfn_to_page(pfn);
				if (!PageBuddy(p) || p->order != o || p->migratetype != t)
					complain(w, z, pfn, "free list entry with wrong state");
				if (pfn & ((1u << o) - 1))
					complain(w, z, pfn, "free block not aligned to its order");
				if (p->nr_pages > (1u << o) ||
				    ((p->flags & PG_CLEAN) && p->nr_pages))
					complain(w, z, pfn, "free block with wrong dirty pages");
				dirty += p->nr_pages;
				if (p->prev != prev)
					complain(w, z, pfn, "free list prev link broken");
				if (o < bm_max_order) {
					const struct page *b = pfn_to_page(pfn ^ (1u << o));
					if (PageBuddy(b) && b->order == o)
						complain(w, z, pfn, "free block beside a free buddy of its order");
				}
				if (++blocks > z->present_pages) {
					complain(w, z, pfn, "free list loops");
					break;
				}
				prev = pfn;
			}
			if (z->free_area[o].free_list[t].last != prev)
				complain(w, z, prev, "free list tail pointer wrong");
		}
		if (blocks != z->free_area[o].nr_free)
			complain(w, z, 0, "free_area nr_free differs from its lists");
		pages += blocks << o;
	}
	if (pages != z->nr_free_pages)
		complain(w, z, 0, "nr_free_pages differs from the free lists");
	if (dirty != z->nr_free_dirty)
		complain(w, z, 0, "nr_free_dirty differs from the free lists");
	return pages;
}

static void check_linear(struct walk *w, const struct zone *z, uint64_t listed)
{
	uint32_t lo = z->zone_start_pfn, hi = lo + z->managed_pages;
	uint64_t free = 0, used = 0;

	for (uint32_t pfn = lo; pfn < hi;) {
		const struct page *p = pfn_to_page(pfn);
		uint32_t n;

		if (PageBuddy(p) || (p->flags & PG_isolated))
			n = 1u << p->order;
		else if (PageHead(p))
			n = p->nr_pages;
		else {
			complain(w, z, pfn, "page in no place (neither free nor allocated)");
			pfn++;
			continue;
		}
		if (n == 0 || pfn + n > hi) {
			complain(w, z, pfn, "block runs past the committed range");
			break;
		}
		for (uint32_t i = 1; i < n; i++)
			if (pfn_to_page(pfn + i)->flags & (PG_buddy | PG_head))
				complain(w, z, pfn + i, "block head inside another block");
		/* The class map: a slab's class + 1 on each of its pages,
		 * 0 on every other page; an owner key only on a carved page
		 * of a slab (its owner may be carving, which only adds
		 * pages), else PCM_NO_OWNER on a slab's page, 0 elsewhere. */
		for (uint32_t i = 0; i < n; i++) {
			uint32_t e = __atomic_load_n(&bm_page_class[pfn + i], __ATOMIC_ACQUIRE);
			const struct slab *s = (const struct slab *)p;

			if (pcm_class(e) != ((p->flags & PG_slab) ? p->aux8 + 1u : 0u)) {
				complain(w, z, pfn + i, "class map disagrees with the descriptors");
				break;
			}
			if (pcm_class(e) ? pcm_owner(e) != PCM_NO_OWNER &&
					   (!pcm_owner(e) || i >= slab_carved_pages(s)) :
					   pcm_owner(e) != 0) {
				complain(w, z, pfn + i, "owner key on a page not carved of a slab");
				break;
			}
		}
		if (PageBuddy(p))
			free += n;
		else
			used += n;	/* allocated, or isolated by reclaim */
		pfn += n;
	}
	if (free != listed)
		complain(w, z, 0, "free pages found by the walk differ from the lists");
	if (free + used != z->managed_pages)
		complain(w, z, 0, "free + allocated pages differ from managed pages");
	for (uint32_t pfn = hi; pfn < lo + z->present_pages; pfn++)
		if (pfn_to_page(pfn)->flags)
			complain(w, z, pfn, "deferred page with state");
}

unsigned long bm_check_invariants(int fd)
{
	char buf[1024];
	struct bm_out o;
	struct walk w = { &o, 0 };

	bm_out_init(&o, fd, buf, sizeof(buf));
	for (int n = 0; n < bm_nr_nodes; n++) {
		struct zone *z = &bm_nodes[n].zones[ZONE_NORMAL];

		bm_lock(&z->lock);
		check_linear(&w, z, check_free_lists(&w, z));
		bm_unlock(&z->lock);
	}
	bm_out_flush(&o);
	return w.bad;
}
