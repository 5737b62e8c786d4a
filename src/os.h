/* SPDX-License-Identifier: MIT */
/* os.h - the one place that talks to the kernel about memory. */
#ifndef BM_OS_H
#define BM_OS_H

#include "bm.h"

/* Reserve size bytes of address space aligned to align (a power of two),
 * inaccessible and uncharged.  NULL on failure. */
void *bm_os_reserve(size_t size, size_t align);
/* Make [addr, addr + size) of a reservation readable and writable. */
bool bm_os_commit(void *addr, size_t size);
/* Drop the contents of [addr, addr + size); it reads as zero afterwards. */
void bm_os_discard(void *addr, size_t size);
void bm_os_unmap(void *addr, size_t size);
/* Make a page range inaccessible (guard) or accessible again. */
void bm_os_protect(void *addr, size_t size, bool accessible);

#endif /* BM_OS_H */
