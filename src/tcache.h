/* SPDX-License-Identifier: MIT */
/*
 * tcache.h - the life of a thread's caches: its slab bins (bm_tc, slab.h)
 * and its pcp page lists (bm_pcp, pcp.h).  Both live in initial-exec
 * TLS, so reaching them is one register-relative load and costs no
 * malloc; this file sets them up and gives them back.
 *
 * Life: NONE (all zero: the first slow path sets it up), LIVE, DEAD (the
 * thread's TSD destructor gave everything back; later calls on this
 * thread, from other destructors, bypass the caches).
 */
#ifndef BM_TCACHE_H
#define BM_TCACHE_H

#include "pcp.h"
#include "slab.h"

/* Give back the calling thread's slabs and pages if it has any: the
 * first step of malloc_trim and buddymalloc_reclaim. */
void bm_tcache_flush_current(void);

/* Set up the calling thread's caches (first slow path, after bm_init).
 * False if the thread is exiting. */
bool bm_tcache_init(void);

/* Give back the calling thread's slabs and pages (thread exit, trim). */
void bm_tcache_flush(struct thread_cache *tc);

/* Process-wide: create the thread-exit key.  Called once from init. */
bool bm_tcache_setup(void);

/* In a fork child: only the forking thread is left. */
void bm_tcache_fork_child(void);

#endif /* BM_TCACHE_H */
