/* SPDX-License-Identifier: MIT */
/* malloc_internal.h - what malloc.c offers the rest of the library. */
#ifndef BM_MALLOC_INTERNAL_H
#define BM_MALLOC_INTERNAL_H

#include <stddef.h>

/* The allocation paths without the PLT: C++ operators call these. */
void *bm_malloc_internal(size_t size);
void *bm_aligned_internal(size_t align, size_t size);
void bm_free_internal(void *p);

/* C23, not yet declared by Debian 12's glibc headers. */
void free_sized(void *p, size_t size);
void free_aligned_sized(void *p, size_t align, size_t size);

#endif /* BM_MALLOC_INTERNAL_H */
