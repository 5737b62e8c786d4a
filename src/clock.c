/* SPDX-License-Identifier: MIT */
/* clock.c - the reclaim clock (see clock.h). */
#include "clock.h"

#include <time.h>

uint64_t bm_now_ms;
uint64_t bm_clock_origin_ms;

uint64_t bm_clock_read(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Written only when it moves (the coarse clock ticks every few ms): every
 * thread ticks, and a store on each tick kept the line, which the page
 * allocator's read-only globals share, bouncing between cores. */
void bm_clock_set(uint64_t now)
{
	if (__atomic_load_n(&bm_now_ms, __ATOMIC_RELAXED) != now)
		__atomic_store_n(&bm_now_ms, now, __ATOMIC_RELAXED);
	if (unlikely(!__atomic_load_n(&bm_clock_origin_ms, __ATOMIC_RELAXED)))
		__atomic_store_n(&bm_clock_origin_ms, now, __ATOMIC_RELAXED);
}
