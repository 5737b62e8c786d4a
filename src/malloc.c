/* SPDX-License-Identifier: MIT */
/*
 * malloc.c - the exported allocation functions and their slow paths.
 * The fast paths are inline in malloc_fast.h; realloc is realloc.c, the
 * glibc extras glibc_compat.c, pointer classification classify.c.
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
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- slow paths */

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

/* ---------------------------------------------------------- exports */

BM_EXPORT void *malloc(size_t size)
{
	void *p = do_malloc(size);

	VG_ALLOC(p, size, false);
	return p;
}

BM_EXPORT void free(void *p)
{
	api_free(p);
}

BM_EXPORT void *calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (unlikely(__builtin_mul_overflow(n, size, &total))) {
		errno = ENOMEM;
		return NULL;
	}
	if (total > SLAB_MAX_SIZE) {	/* pages known to be zero stay unwritten */
		p = bm_large_alloc_slow(total, 0, true);
	} else {
		p = do_malloc(total);
		if (p)
			memset(p, 0, total);
	}
	VG_ALLOC(p, total, true);
	return p;
}

BM_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (!bm_is_pow2(align) || align % sizeof(void *))
		return EINVAL;
	p = do_aligned(align, size);
	if (!p) {
		errno = saved;	/* posix_memalign reports by its return value */
		return ENOMEM;
	}
	VG_ALLOC(p, size, false);
	*out = p;
	return 0;
}

void *bm_aligned_internal(size_t align, size_t size)
{
	void *p = do_aligned(align, size);

	VG_ALLOC(p, size, false);
	return p;
}

BM_EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (!bm_is_pow2(align)) {
		errno = EINVAL;
		return NULL;
	}
	return bm_aligned_internal(align, size);
}

BM_EXPORT size_t malloc_usable_size(void *p)
{
	size_t usable = 0;

	if (p && bm_classify(p, "malloc_usable_size", &usable) == OBJ_BAD)
		return 0;
	return usable;
}

BM_EXPORT void free_sized(void *p, size_t size)
{
	(void)size;
	api_free(p);
}

BM_EXPORT void free_aligned_sized(void *p, size_t align, size_t size)
{
	(void)align;
	(void)size;
	api_free(p);
}

/* C++ operators call these (new_delete.c). */
void *bm_malloc_internal(size_t size)
{
	void *p = do_malloc(size);

	VG_ALLOC(p, size, false);
	return p;
}

void bm_free_internal(void *p)
{
	api_free(p);
}
