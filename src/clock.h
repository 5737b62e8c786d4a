/* SPDX-License-Identifier: MIT */
/*
 * clock.h - the reclaim clock: a coarse ms clock that stamps free blocks
 * and listed slabs with the time they went free, so decay can tell idle
 * memory from busy memory.  Reclaim advances it on its ticks; the buddy
 * and the slab only read it.  It sits at the bottom so that reading it
 * costs no dependency on reclaim.
 */
#ifndef BM_CLOCK_H
#define BM_CLOCK_H

#include "bm.h"

/* The clock, in ms; 0 until the first tick.  Relaxed atomics. */
extern BM_HIDDEN uint64_t bm_now_ms;
/* The ms of the clock's first tick. */
extern BM_HIDDEN uint64_t bm_clock_origin_ms;

static inline uint64_t bm_clock_now(void)
{
	return __atomic_load_n(&bm_now_ms, __ATOMIC_RELAXED);
}

/* The time a stamp stands for.  What was freed before the first tick
 * carries a stamp of 0 and counts as freed then, not at boot: otherwise
 * the first decay pass would give back at once what a program freed
 * before its first slow path. */
static inline uint64_t bm_clock_stamp(uint64_t stamp)
{
	return stamp ? stamp : __atomic_load_n(&bm_clock_origin_ms, __ATOMIC_RELAXED);
}

/* Read the coarse monotonic clock, in ms. */
uint64_t bm_clock_read(void);

/* Advance the clock to now (and set its origin on the first call). */
void bm_clock_set(uint64_t now);

#endif /* BM_CLOCK_H */
