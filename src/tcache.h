/* SPDX-License-Identifier: MIT */
/*
 * tcache.h - the per-thread cache: one bin per size class (the active
 * slab's free objects) and the pcp page lists.  It lives in initial-exec
 * TLS, so reaching it is one register-relative load and costs no malloc.
 *
 * Life: NONE (all zero: the first slow path sets it up), LIVE, DEAD (the
 * thread's TSD destructor gave everything back; later calls on this
 * thread, from other destructors, bypass the caches).
 */
#ifndef BM_TCACHE_H
#define BM_TCACHE_H

#include "pcp.h"
#include "slab.h"

enum tcache_state { TC_NONE, TC_LIVE, TC_DEAD };

struct thread_cache {
	struct tcache_bin	bins[NR_SIZE_CLASSES];	/* hot: first */
	struct per_cpu_pages	pcp;
	int			state;			/* enum tcache_state */
	struct tcache_bin	debug_bins[NR_SIZE_CLASSES];	/* debug modes only */
	unsigned int		drain_gen;		/* bm_drain_gen last drained at */
	unsigned int		refills;		/* freelist swaps: every 8th ticks reclaim */
	unsigned int		slow_refills;		/* bm_slab_refill calls: the owned-slab clock */
	unsigned int		scan_cls;		/* the next bin whose kept slabs are looked at */
	unsigned int		reclaim_ticks;		/* bm_reclaim_tick calls: every 8th reads the clock */
};

extern BM_HIDDEN __thread struct thread_cache bm_tc __attribute__((tls_model("initial-exec")));

/* Threads whose cache is live (slab.c shares the kept-slab budget out). */
extern BM_HIDDEN _Atomic unsigned int bm_nr_threads;

/* Set up the calling thread's cache (first slow path). False if the
 * allocator cannot start or the thread is exiting. */
bool bm_tcache_init(void);

/* Give back the calling thread's slabs and pages (thread exit, trim). */
void bm_tcache_flush(struct thread_cache *tc);

/* Process-wide: create the thread-exit key.  Called once from init. */
bool bm_tcache_setup(void);

/* In a fork child: only the forking thread is left. */
void bm_tcache_fork_child(void);

#endif /* BM_TCACHE_H */
