/* SPDX-License-Identifier: MIT */
/*
 * malloc.c - the exported allocation functions.  The fast paths are
 * inline in malloc_fast.h, their slow paths in malloc_slow.c; realloc is
 * realloc.c, the glibc extras glibc_compat.c, pointer classification
 * classify.c.
 */
#include "bm.h"
#include "classify.h"
#include "init.h"
#include "malloc_fast.h"
#include "malloc_internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

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
	void *p;

	if (!bm_is_pow2(align) || align % sizeof(void *))
		return EINVAL;
	p = do_aligned(align, size);
	/* Out of memory, errno is ENOMEM too, as glibc leaves it: callers
	 * test it (glibc's tst-malloc-thread-fail aborts on another). */
	if (!p)
		return ENOMEM;
	VG_ALLOC(p, size, false);
	*out = p;
	return 0;
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

/* A static link (libbuddymalloc.a): the member defining malloc takes the
 * members of realloc.c and glibc_compat.c along.  Without that, a
 * reference that comes later in the link (libstdc++'s demangler calls
 * realloc) pulls libc.a's malloc.o, whose malloc and free collide with
 * ours.  (Their slow paths live in malloc_slow.c, so this makes no
 * cycle.) */
__attribute__((used)) static void *const bm_static_family[] = {
	(void *)realloc, (void *)memalign,
};

/* The allocator starts on its first call.  A program asking for reports
 * on a signal or a timer may get the signal before it allocates: then
 * start at load time, so the handler is there from main on. */
__attribute__((constructor)) static void bm_start_for_reports(void)
{
	const char *conf = secure_getenv("BUDDYMALLOC_CONF");

	if (conf && (strstr(conf, "stats_signal=") || strstr(conf, "stats_interval_ms=")))
		bm_init();
}
