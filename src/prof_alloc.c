/* SPDX-License-Identifier: MIT */
/*
 * prof_alloc.c - allocation while the heap profiler samples (prof.h).
 *
 * The fast path pops objects from the thread's bin and never counts.
 * With prof=1 the slow path hands a bin only as many objects as fit in
 * the bytes left to its class's next sample, holding the rest of the list back
 * in thread_cache.prof_stash; the allocation that finds the bin empty
 * comes here, and is the sample when the bytes have run out.  The
 * fast path's inline swap of the thread's own frees would hand out
 * objects uncounted, so it is sent here too: bm_tc.refills is left at
 * 7, and the swap's increment then always lands on a multiple of 8,
 * which takes the slow path.  Large objects come here on their own.
 *
 * A sample is a whole-page object (large.c) whose head descriptor is
 * marked PG_sampled: free and realloc find the mark on the page path,
 * the small-object free path never needs to look.
 */
#include "bm.h"
#include "large.h"
#include "prof.h"
#include "prof_alloc.h"
#include "slab.h"

/* A sampled block: pages, marked, recorded with the caller's stack. */
static void *sample_alloc(size_t size, size_t align, bool zero)
{
	struct bm_prof_thread *pt = &bm_prof_thread;
	void *p;

	pt->busy = true;	/* what the unwinder might allocate is not sampled */
	p = bm_large_alloc(size, align, zero);
	if (p) {
		if (bm_addr_in_range(p)) {	/* else a mapping of its own */
			struct page *head = virt_to_page(p);

			set_page_flags(head, head->flags | PG_sampled);
		}
		bm_prof_record(p, size);
	}
	pt->busy = false;
	return p;
}

void *bm_prof_maybe_sample(size_t size, size_t align, bool zero)
{
	if (bm_prof_thread.busy || !bm_prof_due(PROF_STREAM_ONE, size))
		return NULL;
	return sample_alloc(size, align, zero);
}

void *bm_prof_slab_alloc(unsigned int cls)
{
	struct bm_prof_thread *pt = &bm_prof_thread;
	struct tcache_bin *bin = &bm_tc.bins[cls];
	struct slab *s = bin->slab;
	uint32_t size = bm_class_size[cls];
	uint64_t rest, room;
	uint32_t count;
	void **obj;

	bm_tc.refills = 7;	/* the next inline swap comes here (above) */
	if (!pt->busy) {
		if (bm_prof_due(cls, size) && (obj = sample_alloc(size, 0, false)) != NULL)
			return obj;
		room = (pt->left[cls] - 1) / size;
	} else {
		room = UINT64_MAX;
	}
	/* Objects for the bin: those held back, else the thread's frees
	 * into its slab (each 8th time through the full refill, which
	 * also ticks reclaim, as the inline swap does), else a refill. */
	if (bm_tc.prof_stash[cls]) {
		obj = bm_tc.prof_stash[cls];
		count = bm_tc.prof_stash_n[cls];
		bm_tc.prof_stash[cls] = NULL;
	} else if (s && s->freelist && (++pt->swaps & 7)) {
		count = s->local_free;
		obj = slab_take_local(s);
	} else {
		obj = bm_slab_refill_count(bin, cls, &count);
		if (!obj)
			return NULL;
	}
	rest = count == REFILL_COUNT_UNKNOWN ? UINT64_MAX : count;
	bin_refilled(bin, cls);
	if (unlikely(!bin_pop(bin, obj)))
		return bm_bin_bad(cls, obj);	/* reported; from a plain refill */
	if (rest != UINT64_MAX)
		rest--;		/* obj itself */
	if (rest > room) {
		/* Cut the bin's list after room objects; hold the rest back. */
		void **o = bin->freelist, **cut = NULL;
		uint64_t k = 0;

		for (; o && k < room; k++) {
			cut = o;
			o = fl_next(o);
		}
		if (o) {
			if (cut)
				fl_set(cut, NULL);
			else
				bin->freelist = NULL;
			bm_tc.prof_stash[cls] = o;
			bm_tc.prof_stash_n[cls] = rest == UINT64_MAX ? REFILL_COUNT_UNKNOWN
								: (uint32_t)(rest - k);
		}
		rest = k;
	}
	if (!pt->busy)
		pt->left[cls] -= rest * size;
	return obj;
}
