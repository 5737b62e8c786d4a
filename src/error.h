/* SPDX-License-Identifier: MIT */
/* error.h - reports of bad pointers handed to the allocator. */
#ifndef BM_ERROR_H
#define BM_ERROR_H

#include <stddef.h>

/* "libbuddymalloc: invalid <op> of <p>: <what>" on stderr, then abort
 * unless abort_on_error=0. */
void bm_bad_pointer(const char *op, const void *p, const char *what);
/* The same naming the size class of a small object (size > 0). */
void bm_bad_object(const char *op, const void *p, const char *what, size_t size);

#endif /* BM_ERROR_H */
