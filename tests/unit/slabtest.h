/* SPDX-License-Identifier: MIT */
/* slabtest.h - the slab tests allocate as malloc.c does: pop the bin's
 * free list, refill it when it is empty. */
#ifndef BM_SLABTEST_H
#define BM_SLABTEST_H

#include "pagetest.h"
#include "slab.h"
#include "tcache.h"

static inline void *obj_alloc(unsigned int cls)
{
	struct tcache_bin *bin = &bm_tc.bins[cls];
	void **obj = bin->freelist;

	if (!obj)
		return bm_slab_alloc_refill(bin, cls);
	/* An object not marked free at the head is reported there. */
	return bin_pop(bin, obj) ? obj : bm_bin_bad(cls, obj);
}

#endif /* BM_SLABTEST_H */
