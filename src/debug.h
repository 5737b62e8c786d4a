/* SPDX-License-Identifier: MIT */
/*
 * debug.h - the debug modes, chosen with BUDDYMALLOC_CONF=debug=...:
 *   guard   a page no one may touch after every large object and at the
 *           end of every slab (like the kernel's DEBUG_PAGEALLOC);
 *   poison  freed memory is filled with 0x5a and checked when handed out
 *           again, so a write after free is reported;
 *   junk    new allocations are filled with 0xa5 (calloc excepted).
 * Combine them with '+': debug=guard+poison+junk.  With any of them on,
 * small objects bypass the per-thread fast path.
 */
#ifndef BM_DEBUG_H
#define BM_DEBUG_H

#include "bm.h"

#define BM_DEBUG_GUARD	1u
#define BM_DEBUG_POISON	2u
#define BM_DEBUG_JUNK	4u

#define BM_POISON_BYTE	0x5a
#define BM_JUNK_BYTE	0xa5

extern BM_HIDDEN unsigned int bm_debug;	/* BM_DEBUG_* bits in force */

/* What makes the slab slow path take its hooked branch: bm_debug's
 * modes, and BM_HOOK_PROF while the heap profiler samples (prof.h).
 * One word, so the path without hooks tests once, as it did before the
 * profiler. */
#define BM_HOOK_PROF	0x100u
extern BM_HIDDEN unsigned int bm_alloc_hooks;

/* The first byte of [p + from, p + to) that is not the poison byte, or to. */
size_t bm_poison_check(const void *p, size_t from, size_t to);

#endif /* BM_DEBUG_H */
