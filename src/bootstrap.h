/* SPDX-License-Identifier: MIT */
/*
 * bootstrap.h - a static arena for the allocations made before the
 * allocator can serve them: while it initialises (libc, hwloc and libnuma
 * call malloc) and from the dynamic loader.  memblock's role in the kernel.
 * Bootstrap memory is never reused: free ignores it.
 */
#ifndef BM_BOOTSTRAP_H
#define BM_BOOTSTRAP_H

#include "bm.h"

void *bm_bootstrap_alloc(size_t size, size_t align);
bool bm_is_bootstrap(const void *p);
size_t bm_bootstrap_size(const void *p);	/* usable size of p */

#endif /* BM_BOOTSTRAP_H */
