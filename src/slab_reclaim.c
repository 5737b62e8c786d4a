/* SPDX-License-Identifier: MIT */
/*
 * slab_reclaim.c - the slab's part in reclaim, registered as its
 * shrinker: empty slabs go back to the page allocator (bm_slab_shrink),
 * and the pages of idle partial slabs that hold only free objects go
 * back to the OS (bm_slab_return_pages).  Their objects leave the free
 * list; the owner that next takes the slab restores them
 * (bm_slab_restore_returned) and the pages fault back in, zeroed.
 */
#include "bm.h"
#include "clock.h"
#include "debug.h"
#include "error.h"
#include "os.h"
#include "reclaim.h"
#include "slab.h"
#include "slab_node.h"
#include "slab_reclaim.h"

/* Does object [start, start + size) of slab page `page` reach a page
 * given back to the OS? */
static bool obj_in_returned(const struct page *page, uint32_t start, uint32_t size)
{
	for (uint32_t p = start >> PAGE_SHIFT; p <= (start + size - 1) >> PAGE_SHIFT; p++)
		if (page_flags(&page[p]) & PG_returned)
			return true;
	return false;
}

/* The owner takes back the pages reclaim gave away: their objects, all
 * free, go on a list again (the pages fault back in, zeroed).  Such an
 * object may start in a page that stayed: under debug=poison it is
 * marked restored, so that the zeroed tail is not taken for a write
 * after free; otherwise it carries the free marker as any other. */
void **bm_slab_restore_returned(struct slab *s, unsigned int cls)
{
	uint32_t size = bm_class_size[cls];
	struct page *page = slab_page(s);
	void **list = NULL;

	for (uint32_t i = s->carved; i-- > 0;) {
		uint32_t start = i * size;

		if (obj_in_returned(page, start, size)) {
			void **o = (void **)((char *)slab_base(s) + start);
			fl_set(o, list);
			o[1] = (bm_debug & BM_DEBUG_POISON) ? SLAB_MARKER_RESTORED
							    : (void *)free_marker(o);
			list = o;
		}
	}
	bm_clear_returned(s);
	BM_BUG_ON(!list);
	return list;
}

size_t bm_slab_shrink(void)
{
	size_t pages = 0;

	for (int node = 0; node < bm_nr_nodes; node++) {
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
			struct slab_cache_node *n = &bm_slab_nodes[node][c];
			struct page *p;

			for (;;) {
				bm_lock(&n->lock);
				p = page_list_first(&n->empty);
				if (p) {
					bm__slab_list_del(n, page_slab(p));
					n->nr_slabs--;
					n->nr_free_slab++;
				}
				bm_unlock(&n->lock);
				if (!p)
					break;
				pages += 1u << p->order;
				bm_discard_slab(page_slab(p));
			}
		}
	}
	return pages;
}

/* Take an unowned slab's remote frees onto its own list.  False when a
 * notifier is on its way (then leave the slab alone).  (node lock held) */
static bool __slab_collect_orphan(struct slab *s)
{
	uint64_t w = atomic_load_explicit(&s->remote, memory_order_acquire);
	void **list, **tail;
	uint32_t n;

	bm_lock_assert_held(&slab_node(s)->lock);
	BM_DEBUG_BUG_ON(atomic_load(&s->state) != SLAB_PARTIAL);
	if (w & (REMOTE_NOTIFYING | REMOTE_FULL))
		return false;
	if (!remote_ptr(w))
		return true;
	if (!atomic_compare_exchange_strong_explicit(&s->remote, &w, 0,
			memory_order_acq_rel, memory_order_relaxed))
		return false;
	list = remote_ptr(w);
	/* As many as the word counts: a list a double free made longer, or
	 * cyclic, is cut there (and bm_slab_lists_check reports it). */
	for (tail = list, n = remote_count(w); --n && fl_next(tail); tail = fl_next(tail))
		;
	fl_set(tail, s->freelist);
	s->freelist = list;
	atomic_fetch_sub_explicit(&s->inuse, (uint16_t)remote_count(w), memory_order_relaxed);
	return true;
}

/* Give back the pages of slab s that hold nothing but free objects;
 * their objects leave the free list.  Returns pages; counts madvise calls
 * in *calls.  (node lock held) */
static size_t __slab_return_pages(struct slab *s, size_t *calls)
{
	bm_lock_assert_held(&slab_node(s)->lock);
	unsigned int cls = s->size_class;
	uint32_t size = bm_class_size[cls], nr_pages = 1u << s->order;
	uint64_t freemap[SLAB_MAX_OBJECTS / 64] = { 0 };
	uint32_t ret = 0;	/* bitmap of pages to return (nr_pages <= 32) */
	struct page *page = slab_page(s);
	char *base = slab_base(s);
	void **list = NULL, **o, **next;
	size_t pages = 0;
	const char *why;

	/* The walks below trust the list: a double free must not make a
	 * live object's page look free. */
	if ((o = bm_slab_lists_check(s, false, &why)) != NULL) {
		bm_bad_object("free", o, why, size);
		return 0;
	}
	for (o = s->freelist; o; o = fl_next(o)) {
		uint32_t i = class_index(cls, (uint32_t)((char *)o - base));
		freemap[i / 64] |= 1ULL << (i % 64);
	}
	/* A page goes when every object touching it is free: on the free
	 * list, or off it already because it reaches a page given back
	 * before.  The carving must have passed the page, or reached the
	 * slab's end: the last page usually ends in a tail too short for an
	 * object, which must not keep it. */
	for (uint32_t p = 0; p < nr_pages; p++) {
		uint32_t lo = (p << PAGE_SHIFT) / size;
		uint32_t hi = (((p + 1) << PAGE_SHIFT) - 1) / size;
		bool all_free = (page_flags(&page[p]) & PG_returned) == 0 &&
				lo < bm_class_objects[cls] &&	/* not debug=guard's page */
				(s->carved == bm_class_objects[cls] ||
				 ((p + 1) << PAGE_SHIFT) <= (uint32_t)s->carved * size);

		for (uint32_t i = lo; all_free && i <= hi && i < s->carved; i++)
			all_free = (freemap[i / 64] & (1ULL << (i % 64))) ||
				   obj_in_returned(page, i * size, size);
		if (all_free)
			ret |= 1u << p;
	}
	if (!ret)
		return 0;
	/* Objects that reach a page going back leave the list. */
	for (o = s->freelist; o; o = next) {
		uint32_t start = (uint32_t)((char *)o - base);
		uint32_t first = start >> PAGE_SHIFT, last = (start + size - 1) >> PAGE_SHIFT;

		next = fl_next(o);
		if (ret & ((2u << last) - (1u << first))) {
			s->returned_objs++;
		} else {
			fl_set(o, list);
			list = o;
		}
	}
	s->freelist = list;
	for (uint32_t p = 0; p < nr_pages; p++) {
		uint32_t run = 0;

		while (p + run < nr_pages && (ret & (1u << (p + run)))) {
			set_page_flags(&page[p + run], page_flags(&page[p + run]) | PG_returned);
			run++;
		}
		if (run) {
			bm_os_discard(base + ((size_t)p << PAGE_SHIFT), (size_t)run << PAGE_SHIFT);
			(*calls)++;
			s->returned_pages = (uint16_t)(s->returned_pages + run);
			pages += run;
			p += run;
		}
	}
	return pages;
}

size_t bm_slab_return_pages(uint64_t before, size_t *calls)
{
	size_t pages = 0;

	for (int node = 0; node < bm_nr_nodes; node++) {
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
			struct slab_cache_node *n = &bm_slab_nodes[node][c];
			uint32_t pfn;

			bm_lock(&n->lock);
			for (pfn = n->partial.first; pfn != PFN_NONE;) {
				struct slab *s = page_slab(pfn_to_page(pfn));
				struct slab *discard = NULL;

				pfn = s->next;
				if (bm_clock_stamp(s->list_since) > before ||
				    !__slab_collect_orphan(s))
					continue;
				if (atomic_load_explicit(&s->inuse, memory_order_relaxed) == 0) {
					bm__slab_list_del(n, s);
					discard = bm__slab_make_empty(n, s);
				} else {
					pages += __slab_return_pages(s, calls);
				}
				if (discard) {
					bm_unlock(&n->lock);
					bm_discard_slab(discard);
					bm_lock(&n->lock);
					pfn = n->partial.first;	/* the list may have moved */
				}
			}
			bm_unlock(&n->lock);
		}
	}
	return pages;
}

static const struct bm_shrinker slab_shrinker = {
	.shrink = bm_slab_shrink,
	.give_back = bm_slab_return_pages,
};

void bm_slab_reclaim_init(void)
{
	bm_register_shrinker(&slab_shrinker);
}
