/* SPDX-License-Identifier: MIT */
/*
 * slab_check.c - is a small object fit to free?  Catches interior
 * pointers, never-carved objects and double frees: an object whose free
 * marker is set is a double free only if it is found on a free list
 * (free's cheap check sends only marked objects here).
 */
#include "bm.h"
#include "debug.h"
#include "slab.h"
#include "slab_node.h"

/* Is obj on the list from p?  Walks at most limit links and never leaves
 * obj's slab: a list read while another thread changes it may lead into
 * an object that is live again, whose first word is the program's. */
static bool list_contains(void **p, const void *obj, uint32_t limit)
{
	uintptr_t mask = ~(uintptr_t)class_mask(page_slab(virt_to_page(obj))->size_class);

	for (; p && limit--; p = fl_next(p)) {
		if (p == obj)
			return true;
		if (((uintptr_t)p & mask) != ((uintptr_t)obj & mask))
			return false;
	}
	return false;
}

/* Is obj on a bin's list?  Its objects may be of any slab the thread
 * owns; the walk stops at a link out of the heap and is bounded by what
 * the list can hold (a refill's objects and a bin's room). */
static bool bin_contains(void **p, const void *obj)
{
	for (uint32_t left = 2 * (PAGE_SIZE / 16) + INT16_MAX; p && left--; p = fl_next(p)) {
		if (p == obj)
			return true;
		if (!bm_addr_in_range(p))
			return false;
	}
	return false;
}

const char *bm_slab_check_free(struct slab *s, void *obj, const struct tcache_bin *bin)
{
	unsigned int cls = s->size_class;
	uint32_t off = (uint32_t)((char *)obj - (char *)slab_base(s));
	uint32_t idx = class_index(cls, off);
	uint32_t limit = bm_class_objects[cls];

	if (idx * bm_class_size[cls] != off)
		return "not the start of an allocation (interior pointer)";
	if (idx >= s->carved)
		return "never allocated";
	if (!marked_free(((void **)obj)[1], obj))
		return NULL;
	/* Marked free: believe it only if it is on a free list we can see.
	 * An unowned slab's own list changes only under its node lock. */
	/* The objects the heap profiler holds back from the bin count as
	 * the bin's (prof_alloc.c). */
	if (bin_contains(bin->freelist, obj) ||
	    (bin->slab == s && bin == &bm_tc.bins[cls] &&
	     list_contains(bm_tc.prof_stash[cls], obj, limit)) ||
	    (s->owner == &bm_tc && list_contains(s->freelist, obj, limit)) ||
	    (bm_tc.remote.slab == s && list_contains(bm_tc.remote.head, obj, limit)) ||
	    /* Another thread's owned slab: its frees go on that thread's
	     * bin, which only it may walk, so the marker is believed. */
	    (atomic_load_explicit(&s->state, memory_order_relaxed) == SLAB_ACTIVE &&
	     s->owner && s->owner != &bm_tc) ||
	    list_contains(remote_ptr(atomic_load(&s->remote)), obj, limit))
		return "double free";
	if (unlikely(bm_debug) && bm_debug_quarantined(obj))
		return "double free";
	if (atomic_load(&s->state) != SLAB_ACTIVE) {
		struct slab_cache_node *n = slab_node(s);
		bool found;

		bm_lock(&n->lock);
		found = atomic_load(&s->state) != SLAB_ACTIVE &&
			list_contains(s->freelist, obj, limit);
		bm_unlock(&n->lock);
		if (found)
			return "double free";
	}
	return NULL;
}
