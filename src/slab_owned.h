/* SPDX-License-Identifier: MIT */
/* slab_owned.h - the run-dry slabs a thread keeps (slab_owned.c). */
#ifndef BM_SLAB_OWNED_H
#define BM_SLAB_OWNED_H

#include "slab.h"

/* Keep s, which ran dry, on the bin's list if the budget allows. */
bool bm_slab_keep_owned(const struct thread_cache *tc, struct tcache_bin *bin, struct slab *s);
/* A kept slab with objects freed since it ran dry, off the list; or NULL. */
struct slab *bm_slab_take_owned(struct tcache_bin *bin);
/* Hand the bin's kept slabs to the node lists. */
void bm_slab_release_owned(struct tcache_bin *bin);
#define OWNED_SCAN_EVERY	16	/* slow refills from one bin's scan to the next */

/* Look at the next bin; give back its kept slabs if it is idle. */
void bm_slab_scan_owned_next(struct thread_cache *tc);

/* On each slow refill of `refilled`: every OWNED_SCAN_EVERY-th, look at
 * the next bin (inline: the other refills pay a count and a test). */
static inline void bm_slab_scan_owned(struct thread_cache *tc, struct tcache_bin *refilled)
{
	refilled->last_refill = ++tc->slow_refills;
	if (tc->slow_refills % OWNED_SCAN_EVERY || tc->state != TC_LIVE)
		return;
	bm_slab_scan_owned_next(tc);
}

#endif /* BM_SLAB_OWNED_H */
