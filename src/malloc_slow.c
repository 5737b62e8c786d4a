/* SPDX-License-Identifier: MIT */
/*
 * malloc_slow.c - the slow paths of the allocation functions: the first
 * call of a thread, an empty bin, large objects, the frees the inline
 * path does not take, and aligned allocation.  Apart from malloc.c so
 * that realloc.c and glibc_compat.c, which call them, do not reach back
 * into malloc.c, which names them for a static link.
 */
#include "bm.h"
#include "bootstrap.h"
#include "classify.h"
#include "debug.h"
#include "init.h"
#include "large.h"
#include "malloc_fast.h"
#include "malloc_internal.h"
#include "prof.h"
#include "prof_alloc.h"
#include "tcache.h"

#include <errno.h>

/* Can this thread use the allocator proper?  False while it initialises
 * the allocator (recursive calls go to the bootstrap arena). */
static BM_NOINLINE bool thread_ready(void)
{
	if (bm_in_init || !bm_init())
		return false;
	bm_tcache_init();
	return bm_tc.state != TC_NONE;
}

void *bm_slab_alloc_slow(unsigned int cls)
{
	struct tcache_bin tmp = { .owned = PAGE_LIST_INIT };
	void *p;

	if (unlikely(bm_tc.state == TC_NONE) && !thread_ready())
		/* Aligned as a slab object of the class would be: do_aligned
		 * picks a class by its size's alignment. */
		return bm_bootstrap_alloc(bm_class_size[cls],
					  bm_class_size[cls] & -bm_class_size[cls] & (PAGE_SIZE - 1) ?
					  bm_class_size[cls] & -bm_class_size[cls] : PAGE_SIZE);
	if (likely(bm_tc.state == TC_LIVE)) {
		if (likely(!bm_alloc_hooks))
			return bm_slab_alloc_refill(&bm_tc.bins[cls], cls);
		if (!bm_debug)
			return bm_prof_slab_alloc(cls);
		if (bm_prof_on && (p = bm_prof_maybe_sample(bm_class_size[cls], 0, false)))
			return p;
		return bm_debug_slab_alloc(cls);
	}
	if (bm_prof_on && (p = bm_prof_maybe_sample(bm_class_size[cls], 0, false)))
		return p;
	/* An exiting thread: take one object and hand the slab back. */
	p = bm_slab_alloc_refill(&tmp, cls);
	bm_slab_deactivate_bin(&tmp);
	return p;
}

void *bm_large_alloc_slow(size_t size, size_t align, bool zero)
{
	void *p;

	if (unlikely(size > PTRDIFF_MAX)) {
		errno = ENOMEM;
		return NULL;
	}
	if (unlikely(bm_tc.state == TC_NONE) && !thread_ready())
		return bm_bootstrap_alloc(size, align);
	if (unlikely(bm_prof_on) && (p = bm_prof_maybe_sample(size, align, zero)) != NULL)
		return p;
	return bm_large_alloc(size, align, zero);
}

void bm_free_slow(void *p)
{
	size_t usable;

	if (!p)
		return;
	switch (bm_classify(p, "free", &usable)) {
	case OBJ_HUGE:
		if (unlikely(bm_prof_on))
			bm_prof_forget(p);
		/* Gone since classify looked: another thread freed it. */
		if (!bm_huge_free(p))
			bm_bad_pointer("free", p, "double free (a mapping freed already)");
		break;
	case OBJ_LARGE:
		if (unlikely(virt_to_page(p)->flags & PG_sampled))
			bm_prof_forget(p);
		bm_large_free(virt_to_page(p));
		break;
	case OBJ_SLAB: {
		uint32_t off;

		/* The marker was a false alarm (on no list): clear it, or the
		 * free would take it for a second thread's. */
		((void **)p)[1] = NULL;
		bm_debug_slab_free(obj_slab(virt_to_page(p), p, &off), p);
		break;
	}
	default:		/* bootstrap memory is never reused; bad: reported */
		break;
	}
}

void *bm_aligned_internal(size_t align, size_t size)
{
	void *p = do_aligned(align, size);

	VG_ALLOC(p, size, false);
	return p;
}
