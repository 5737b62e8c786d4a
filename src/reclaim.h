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

#include <stdatomic.h>

/* What reclaim asks of the layers above it, which register it at init
 * as the kernel's caches register shrinkers: reclaim sits below the slab
 * and cannot call it. */
struct bm_shrinker {
	/* Give empty slabs back to the page allocator; returns pages. */
	size_t (*shrink)(void);
	/* Give back to the OS the pages of slabs idle since before `before`
	 * (ms); returns pages and adds the madvise calls made to *calls. */
	size_t (*give_back)(uint64_t before, size_t *calls);
};
void bm_register_shrinker(const struct bm_shrinker *s);
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

/* Give back everything that can go: this thread's pcp lists, empty
 * slabs, and every free page (malloc_trim and buddymalloc_reclaim, which
 * first flush the thread's slab bins).  Returns the
 * pages given back to the OS. */
size_t bm_reclaim_all(void);

/* Memory pressure was reported (reclaim=thread, a PSI trigger on
 * /proc/pressure/memory): give back everything free at once, as
 * bm_reclaim_all does, and count the event.  Returns pages given back. */
size_t bm_reclaim_pressure(void);

/* The reclaim counters kept here, in vmstat's shape. */
void bm_reclaim_vmstat(struct bm_out *o);

/* Set each zone's mark for bm_reclaim_kick (init, after the nodes). */
void bm_reclaim_init(void);

/* A free raised z's backed free memory past its mark (z->kick): start
 * the reclaim thread (auto mode, past reclaim_thread_min) or wake it
 * from idle.  Called without locks held. */
void bm_reclaim_kick(struct zone *z);

/* A free merged a block of z->purge_pages dirty pages or more
 * (z->purge_pfn): give it back to the OS now.  Called without locks. */
void bm_reclaim_purge(struct zone *z);

/* After a free into z: kick reclaim if the free armed it, and give back
 * the block it merged, if it marked one. */
static inline void bm_reclaim_note_free(struct zone *z)
{
	if (unlikely(atomic_load_explicit(&z->kick, memory_order_relaxed)))
		bm_reclaim_kick(z);
	if (unlikely(atomic_load_explicit(&z->purge, memory_order_relaxed)))
		bm_reclaim_purge(z);
}

/* Bumped to ask every thread to drain its pcp lists on its next slow path. */
extern _Atomic unsigned int bm_drain_gen;

/* fork: the child has no reclaim thread, closes the parent's PSI
 * trigger and, with the zone locks that fork's prepare handler took
 * still held (zones_locked), takes back the mark that starts a thread. */
void bm_reclaim_fork_child(bool zones_locked);

#endif /* BM_RECLAIM_H */
