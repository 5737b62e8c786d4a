/* SPDX-License-Identifier: MIT */
/* slab_reclaim.h - the slab's shrinker (slab_reclaim.c). */
#ifndef BM_SLAB_RECLAIM_H
#define BM_SLAB_RECLAIM_H

#include "slab.h"

/* Register the shrinker with reclaim (slab init). */
void bm_slab_reclaim_init(void);
/* The objects of s that sat in pages given back, on a list again (the
 * slab's owner, when it has no others). */
void **bm_slab_restore_returned(struct slab *s, unsigned int cls);

#endif /* BM_SLAB_RECLAIM_H */
