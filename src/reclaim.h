/* SPDX-License-Identifier: MIT */
/*
 * reclaim.h - giving memory back: watermark-driven reclaim (drain pcp
 * lists, shrink empty slabs, before a zone commits another section) and
 * decay-driven return of free pageblocks to the OS.
 */
#ifndef BM_RECLAIM_H
#define BM_RECLAIM_H

#include "fmt.h"
#include "mmzone.h"

/* On the allocation and free slow paths: advance the reclaim clock and,
 * every decay_ms / 4, give back the free pageblocks idle past decay_ms
 * (inline mode) or make sure the reclaim thread runs (thread mode). */
void bm_reclaim_tick(void);

/* A zone is below low with no committed memory left to hand out: drain
 * this thread's pcp lists, ask the others to drain theirs, shrink empty
 * slabs.  Called without locks held. */
void bm_reclaim_low(struct zone *z);

/* A zone has free pages but not in a block of the order asked for, and
 * would grow: drain this thread's pcp lists, so their blocks merge, and
 * ask the others to drain theirs.  Called without locks held. */
void bm_reclaim_fragmented(struct zone *z);

/* Give back everything that can go: this thread's caches, empty slabs,
 * and every free page (malloc_trim, buddymalloc_reclaim).  Returns the
 * pages given back to the OS. */
size_t bm_reclaim_all(void);

/* Memory pressure was reported (reclaim=thread, a PSI trigger on
 * /proc/pressure/memory): give back everything free at once, as
 * bm_reclaim_all does, and count the event.  Returns pages given back. */
size_t bm_reclaim_pressure(void);

/* The reclaim counters kept here, in vmstat's shape. */
void bm_reclaim_vmstat(struct bm_out *o);

/* The ms of the reclaim clock's first tick.  What was freed before it
 * carries a stamp of 0 (bm_now_ms had not moved yet) and counts as freed
 * then, not at boot: otherwise the first decay pass would give back at
 * once what a program freed before its first slow path. */
extern uint64_t bm_clock_origin_ms;

static inline uint64_t bm_reclaim_stamp(uint64_t stamp)
{
	return stamp ? stamp : __atomic_load_n(&bm_clock_origin_ms, __ATOMIC_RELAXED);
}

/* Bumped to ask every thread to drain its pcp lists on its next slow path. */
extern _Atomic unsigned int bm_drain_gen;

/* fork: the child has no reclaim thread, and closes the parent's PSI
 * trigger. */
void bm_reclaim_fork_child(void);

#endif /* BM_RECLAIM_H */
