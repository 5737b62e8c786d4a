/* SPDX-License-Identifier: MIT */
/*
 * reclaim.h - giving memory back: watermark-driven reclaim (drain pcp
 * lists, shrink empty slabs, before a zone commits another section) and
 * decay-driven return of free pageblocks to the OS.
 */
#ifndef BM_RECLAIM_H
#define BM_RECLAIM_H

#include "mmzone.h"

/* On the allocation and free slow paths: advance the reclaim clock and,
 * every decay_ms / 4, give back the free pageblocks idle past decay_ms
 * (inline mode) or make sure the reclaim thread runs (thread mode). */
void bm_reclaim_tick(void);

/* A zone is below low with no committed memory left to hand out: drain
 * this thread's pcp lists, ask the others to drain theirs, shrink empty
 * slabs.  Called without locks held. */
void bm_reclaim_low(struct zone *z);

/* Give back everything that can go: this thread's caches, empty slabs,
 * and every free page (malloc_trim, buddymalloc_reclaim).  Returns the
 * pages given back to the OS. */
size_t bm_reclaim_all(void);

/* Bumped to ask every thread to drain its pcp lists on its next slow path. */
extern _Atomic unsigned int bm_drain_gen;

/* fork: the child has no reclaim thread. */
void bm_reclaim_fork_child(void);

#endif /* BM_RECLAIM_H */
