/* SPDX-License-Identifier: MIT */
/*
 * realloc.c - realloc and its policy: when a block stays in place, and
 * how much a moving block is given.
 */
#include "bm.h"
#include "classify.h"
#include "large.h"
#include "malloc_fast.h"
#include "prof.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A block that realloc grows past this takes whole pages, which grow in
 * place (bm_large_resize), rather than stepping through the slab classes
 * up to SLAB_MAX_SIZE with a copy at each: a buffer grown a few bytes at
 * a time from 16 to 32 KiB would be copied eight times. */
#define REALLOC_PAGES_MIN	16384

/* Does a block of usable bytes that must grow to size bytes move to whole
 * pages rather than to a slab object? */
static inline bool realloc_to_pages(size_t usable, size_t size)
{
	return size > usable && size > REALLOC_PAGES_MIN;
}

/* Does a slab object of class cls still serve size bytes?  It shrinks in
 * place down to half its class (mimalloc's and tcmalloc's rule): a buffer
 * trimmed a little is not worth a copy, and waste stays within half. */
static inline bool slab_realloc_fits(unsigned int cls, size_t size)
{
	uint32_t usable = bm_class_size[cls];

	return size <= usable && (size >= usable / 2 || size_to_class(size) == cls);
}

/* What a block of usable bytes that must move to hold size bytes is
 * given: a growing block gets at least a quarter more (tcmalloc's rule),
 * so a buffer grown by small steps is copied O(log) times, not once per
 * size class. */
static inline size_t realloc_target(size_t usable, size_t size)
{
	size_t amortised = usable + usable / 4;

	return size > usable && size < amortised ? amortised : size;
}

/* Move p (usable bytes) to a new block for size bytes; NULL leaves p. */
static void *realloc_move(void *p, size_t usable, size_t size, bool to_pages)
{
	size_t target = realloc_target(usable, size);
	void *q = to_pages ? bm_large_alloc_slow(target, 0, false) : do_malloc(target);

	if (q) {
		VG_ALLOC(q, size, false);
		memcpy(q, p, usable < size ? usable : size);
	}
	return q;
}

BM_EXPORT void *realloc(void *p, size_t size)
{
	size_t usable;
	enum obj_kind kind;
	bool to_pages = false;
	struct slab *s;
	unsigned int cls;
	void *q;

	if (!p) {
		q = do_malloc(size);
		VG_ALLOC(q, size, false);
		return q;
	}
	if (size == 0) {		/* glibc's behaviour: free, return NULL */
		api_free(p);
		return NULL;
	}
	/* A live slab object, checked as free checks it: no classify. */
	if (!VG_ACTIVE && slab_of_live(p, &s)) {
		cls = s->size_class;
		if (slab_realloc_fits(cls, size))
			return p;
		usable = bm_class_size[cls];
		q = realloc_move(p, usable, size, realloc_to_pages(usable, size));
		if (q)
			slab_free(s, p);
		return q;
	}
	kind = bm_classify(p, "realloc", &usable);
	if (VG_ACTIVE && kind != OBJ_BAD)
		goto move;	/* memcheck knows the block's size, we do not */
	switch (kind) {
	case OBJ_BAD:
		errno = EINVAL;
		return NULL;
	case OBJ_SLAB:
		if (slab_realloc_fits(size_to_class(usable), size))
			return p;
		to_pages = realloc_to_pages(usable, size);
		break;
	case OBJ_LARGE:
		if (size > REALLOC_PAGES_MIN && bm_large_resize(virt_to_page(p), size)) {
			/* A sample's record follows its size. */
			if (unlikely(virt_to_page(p)->flags & PG_sampled))
				bm_prof_moved(p, p, size);
			return p;
		}
		/* No room after it: still pages, or the next growth would
		 * come back out of a slab with another copy. */
		to_pages = realloc_to_pages(usable, size);
		break;
	case OBJ_HUGE:
		if (size > (PAGE_SIZE << bm_max_order)) {
			q = bm_huge_realloc(p, size);
			if (q && unlikely(bm_prof_on))
				bm_prof_moved(p, q, size);
			return q;
		}
		break;
	case OBJ_BOOTSTRAP:
		break;
	}
move:
	q = realloc_move(p, usable, size, to_pages);
	if (q && kind != OBJ_BOOTSTRAP)
		api_free(p);
	return q;
}

BM_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}
