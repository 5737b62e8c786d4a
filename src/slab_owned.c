/* SPDX-License-Identifier: MIT */
/*
 * slab_owned.c - the run-dry slabs a thread keeps.  A slab whose objects
 * are all handed out stays its thread's, up to a budget per bin, rather
 * than going to the node's full list: the thread's frees into it stay
 * local (no atomic), and a kept slab with frees becomes active again
 * when the bin needs one.  A class the thread stops using gives its
 * slabs back.  (owner thread only)
 */
#include "bm.h"
#include "slab.h"
#include "slab_node.h"
#include "slab_owned.h"

#define SLAB_OWNED_MIN		4	/* run-dry slabs a bin may keep, at least, */
#define SLAB_OWNED_BYTES	(512u << 10)	/* and up to this much of them, */
#define SLAB_OWNED_OBJECTS	128	/* or as many as hold this many objects, */
#define SLAB_OWNED_THREADS	4	/* each for up to this many live threads */
#define OWNED_PROBE		4	/* kept slabs take_owned looks at, at most */

_Atomic unsigned int bm_nr_threads;

/* How many run-dry slabs a bin of class cls may keep: SLAB_OWNED_BYTES
 * of them, or SLAB_OWNED_OBJECTS objects' worth where that is more, and
 * at least SLAB_OWNED_MIN.  The byte budget is shared out beyond
 * SLAB_OWNED_THREADS live threads; the object bound is not, or big
 * objects would go the remote way.  It bounds what a thread holds for
 * itself alone (figures in docs/performance.md). */
static uint32_t owned_max(unsigned int cls)
{
	uint32_t threads = atomic_load_explicit(&bm_nr_threads, memory_order_relaxed);
	uint32_t bytes = SLAB_OWNED_BYTES, n, m;

	if (threads > SLAB_OWNED_THREADS)
		bytes = bytes / threads * SLAB_OWNED_THREADS;
	n = bytes >> (PAGE_SHIFT + bm_class_order[cls]);
	m = SLAB_OWNED_OBJECTS / bm_class_objects[cls];
	if (n < m)
		n = m;
	return n > SLAB_OWNED_MIN ? n : SLAB_OWNED_MIN;
}

/* Keep a run-dry slab owned, if the bin holds fewer than the maximum. */
bool bm_slab_keep_owned(const struct thread_cache *tc, struct tcache_bin *bin, struct slab *s)
{
	if (s->owner != tc || bin->nr_owned >= owned_max(s->size_class))
		return false;
	bin->nr_owned++;
	page_list_add_tail(&bin->owned, slab_page(s));
	return true;
}

/* An owned slab with objects freed since it ran dry, taken off the list.
 * Looks at OWNED_PROBE slabs from the head, the longest kept, and moves
 * each that has none to the tail: a walk of the whole list on every
 * refill is a cache miss per slab.  A slab with frees comes up within a
 * few refills. */
struct slab *bm_slab_take_owned(struct tcache_bin *bin)
{
	for (unsigned int i = 0; i < OWNED_PROBE && bin->owned.first != PFN_NONE; i++) {
		struct slab *s = page_slab(pfn_to_page(bin->owned.first));

		page_list_del(&bin->owned, slab_page(s));
		if (s->freelist || remote_ptr(atomic_load_explicit(&s->remote,
							memory_order_relaxed))) {
			bin->nr_owned--;
			return s;
		}
		page_list_add_tail(&bin->owned, slab_page(s));
	}
	return NULL;
}

/* Hand the bin's kept slabs to the node lists. */
void bm_slab_release_owned(struct tcache_bin *bin)
{
	while (bin->owned.first != PFN_NONE) {
		struct slab *s = page_slab(pfn_to_page(bin->owned.first));

		page_list_del(&bin->owned, slab_page(s));
		bm_deactivate_slab(s, NULL);
	}
	bin->nr_owned = 0;
}

/* Every OWNED_SCAN_EVERY slow refills, look at the next bin: if the
 * thread has not refilled it for a whole round of bins, its class is
 * idle and its kept slabs go back.  Only this thread can use their free
 * objects, and reclaim gives back pages only of slabs on the node lists
 * (the kernel's cache_reap drains idle per-cpu caches the same way).
 * (owner thread, slow path) */
void bm_slab_scan_owned_next(struct thread_cache *tc)
{
	struct tcache_bin *bin = &tc->bins[tc->scan_cls++ % NR_SIZE_CLASSES];

	if (bin->nr_owned &&
	    tc->slow_refills - bin->last_refill > OWNED_SCAN_EVERY * NR_SIZE_CLASSES)
		bm_slab_release_owned(bin);
}

