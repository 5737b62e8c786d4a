/* SPDX-License-Identifier: MIT */
/*
 * prof_alloc.h - the allocation slow paths while the heap profiler
 * samples (prof=1, see prof.h); malloc.c calls them, only then.
 */
#ifndef BM_PROF_ALLOC_H
#define BM_PROF_ALLOC_H

#include "bm.h"

/* An object of class cls for the calling thread, whose cache is live
 * and not in a debug mode: a sample, or an object of its bin, which it
 * refills with no more objects than the bytes up to the next sample. */
void *bm_prof_slab_alloc(unsigned int cls);

/* Count size bytes allocated; when they make a sample, a sampled block
 * of size bytes (whole pages) aligned to align, else NULL. */
void *bm_prof_maybe_sample(size_t size, size_t align, bool zero);

#endif /* BM_PROF_ALLOC_H */
