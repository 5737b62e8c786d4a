/* SPDX-License-Identifier: MIT */
/*
 * classify.h - what a pointer handed to free, realloc or
 * malloc_usable_size is: the slow path's full check, after the fast
 * path's cheap one failed.  A bad pointer is reported, naming it.
 */
#ifndef BM_CLASSIFY_H
#define BM_CLASSIFY_H

#include "bm.h"

enum obj_kind { OBJ_BAD, OBJ_BOOTSTRAP, OBJ_HUGE, OBJ_SLAB, OBJ_LARGE };

/* What p is and how much of it is usable; reports a bad p for op. */
enum obj_kind bm_classify(const void *p, const char *op, size_t *usable);

#endif /* BM_CLASSIFY_H */
