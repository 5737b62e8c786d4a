/* SPDX-License-Identifier: MIT */
/* tcache.c - per-thread cache life: set up on first use, returned at
 * thread exit through a pthread key destructor (see tcache.h). */
#include "bm.h"
#include "debug.h"
#include "tcache.h"

#include <pthread.h>

static pthread_key_t tcache_key;

/* Adopt ids (bin_adopts, malloc_fast.h): each live thread has its own,
 * 1 to ADOPT_IDS - 2, so a slab's adopter names one thread at a time
 * (the id is also the thread's owner key, slab.h, and its adopter key
 * with PCM_ADOPTED: ADOPT_IDS - 1 is not handed out, for that is
 * PCM_NO_OWNER).
 * A thread beyond them gets 0 and adopts nothing (its frees into
 * unowned slabs take the remote path).  An exited thread's id may pass
 * to a new thread with the slabs it adopted: it is gone, so they still
 * have one adopter.  In a fork child the ids of the threads that did
 * not come with it stay taken (bm_tcache_fork_child). */
#define ADOPT_IDS	PCM_ADOPTED
_Static_assert(((ADOPT_IDS - 1) | PCM_ADOPTED) == PCM_NO_OWNER, "the id not handed out");
static _Atomic uint64_t adopt_id_map[ADOPT_IDS / 64];

static uint16_t adopt_id_get(void)
{
	for (unsigned int w = 0; w < ADOPT_IDS / 64; w++) {
		/* id 0 is none, and ADOPT_IDS - 1 | PCM_ADOPTED is
		 * PCM_NO_OWNER */
		uint64_t none = (w == 0) | (w == ADOPT_IDS / 64 - 1 ? 1ULL << 63 : 0);
		uint64_t v = atomic_load_explicit(&adopt_id_map[w], memory_order_relaxed) | none;

		while (~v) {
			uint64_t bit = 1ULL << __builtin_ctzll(~v);

			v = atomic_fetch_or_explicit(&adopt_id_map[w], bit, memory_order_relaxed);
			if (!(v & bit))
				return (uint16_t)(w * 64 + (unsigned int)__builtin_ctzll(bit));
			v |= none;
		}
	}
	return 0;
}

static void adopt_id_put(uint16_t id)
{
	if (id)
		atomic_fetch_and_explicit(&adopt_id_map[id / 64], ~(1ULL << (id % 64)),
					  memory_order_relaxed);
}

/* The objects the heap profiler held back from a bin (prof=1) go back
 * on its freelist, which hands them to their slabs with the rest. */
static void unstash(struct thread_cache *tc, unsigned int c)
{
	void **stash = tc->prof_stash[c], **tail = tc->bins[c].freelist;

	if (!stash)
		return;
	tc->prof_stash[c] = NULL;
	tc->prof_stash_n[c] = 0;
	if (!tail) {
		tc->bins[c].freelist = stash;
		return;
	}
	for (uint32_t k = SLAB_MAX_OBJECTS; fl_next(tail) && --k;)	/* bounded: see bin_release */
		tail = fl_next(tail);
	fl_set(tail, stash);
}

void bm_tcache_flush(struct thread_cache *tc)
{
	if (unlikely(bm_debug))
		bm_debug_quarantine_flush();
	bm_slab_remote_flush();	/* after the quarantine, which may add to it */
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		unstash(tc, c);
		bm_slab_deactivate_bin(&tc->bins[c]);
		bm_slab_deactivate_bin(&tc->debug_bins[c]);
	}
	bm_pcp_drain(&bm_pcp);
}

void bm_tcache_flush_current(void)
{
	if (bm_tc.state == TC_LIVE)
		bm_tcache_flush(&bm_tc);
}

/* The thread is exiting: hand everything back.  Anything it allocates
 * after this (other TSD destructors) goes uncached. */
static void tcache_exit(void *arg)
{
	struct thread_cache *tc = arg;

	tc->state = TC_DEAD;
	bm_tc_self = TC_SELF_NONE;
	tc->owner_key = 0;
	bm_pcp.live = false;
	atomic_fetch_sub_explicit(&bm_nr_threads, 1, memory_order_relaxed);
	bm_tcache_flush(tc);
	adopt_id_put(tc->adopt_id);
	tc->adopt_id = 0;
}

/* Only this thread is left.  The ids of the others stay taken: the
 * class map still carries them as owner keys on the slabs they owned,
 * whose owner (a cache that did not come with the fork) no thread of
 * the child may be taken for. */
void bm_tcache_fork_child(void)
{
	atomic_store_explicit(&bm_nr_threads, bm_tc.state == TC_LIVE, memory_order_relaxed);
}

bool bm_tcache_setup(void)
{
	return pthread_key_create(&tcache_key, tcache_exit) == 0;
}

bool bm_tcache_init(void)
{
	if (bm_tc.state != TC_NONE)
		return bm_tc.state == TC_LIVE;
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		page_list_init(&bm_tc.bins[c].owned);
		bm_tc.bins[c].room = bm_bin_room[c];
		page_list_init(&bm_tc.debug_bins[c].owned);
	}
	/* LIVE first: pthread_setspecific may itself allocate. */
	bm_tc.state = TC_LIVE;
	bm_tc.adopt_id = adopt_id_get();
	bm_tc_self = &bm_tc;
	bm_tc.owner_key = bm_tc.adopt_id;
	bm_pcp.live = true;
	atomic_fetch_add_explicit(&bm_nr_threads, 1, memory_order_relaxed);
	pthread_setspecific(tcache_key, &bm_tc);
	return true;
}
