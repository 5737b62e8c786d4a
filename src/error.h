/* SPDX-License-Identifier: MIT */
/* error.h - reports of bad pointers handed to the allocator. */
#ifndef BM_ERROR_H
#define BM_ERROR_H

/* "libbuddymalloc: invalid <op> of <p>: <what>" on stderr, then abort
 * unless abort_on_error=0. */
void bm_bad_pointer(const char *op, const void *p, const char *what);

#endif /* BM_ERROR_H */
