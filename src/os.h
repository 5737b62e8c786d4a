/* SPDX-License-Identifier: MIT */
/* os.h - the one place that talks to the kernel about memory. */
#ifndef BM_OS_H
#define BM_OS_H

#include "bm.h"

#include <sys/types.h>

/* Reserve size bytes of address space aligned to align (a power of two),
 * inaccessible and uncharged.  NULL on failure. */
void *bm_os_reserve(size_t size, size_t align);
/* Make [addr, addr + size) of a reservation readable and writable. */
bool bm_os_commit(void *addr, size_t size);
/* Make it readable only: untouched, it reads as zero and is not charged
 * against the commit limit. */
bool bm_os_readonly(void *addr, size_t size);
/* Reserve exactly [addr, addr + size), inaccessible or readable; false
 * when any of it is taken (MAP_FIXED_NOREPLACE) or the address space
 * limit says no. */
bool bm_os_reserve_at(void *addr, size_t size, bool readable);
/* Drop the contents of [addr, addr + size); it reads as zero afterwards. */
void bm_os_discard(void *addr, size_t size);
void bm_os_unmap(void *addr, size_t size);
/* Bytes of address space the process has mapped (/proc/self/statm), or
 * 0 when it cannot be read. */
uint64_t bm_os_mapped_bytes(void);
/* Does the kernel account commit strictly (vm.overcommit_memory=2)? */
bool bm_os_strict_overcommit(void);
/* Ask for transparent huge pages on [addr, addr + size) (MADV_HUGEPAGE:
 * given where the kernel's THP mode is "madvise" or "always"), or with
 * on false refuse them (MADV_NOHUGEPAGE: none even under "always").
 * False when the kernel refuses the advice. */
bool bm_os_hugepage(void *addr, size_t size, bool on);
/* Make a page range inaccessible (guard) or accessible again. */
void bm_os_protect(void *addr, size_t size, bool accessible);

/* open(2), read(2), write(2) and close(2) as raw system calls: not
 * cancellation points.  The allocator reads /proc and writes reports
 * while it holds its locks (init_lock, a zone's, the profiler's); a
 * pending pthread_cancel acted on inside libc's wrappers would unwind
 * the thread with the lock held, and every other thread would wait for
 * it forever (glibc's tst-malloc-stats-cancellation).  -1 and errno on
 * failure, as the wrappers. */
int bm_os_open(const char *path, int flags, unsigned int mode);
ssize_t bm_os_read(int fd, void *buf, size_t len);
ssize_t bm_os_write(int fd, const void *buf, size_t len);
int bm_os_close(int fd);
/* Read a small file (/proc, /sys) into buf, NUL-terminated, in one read
 * with those calls: the bytes read, or -1 (errno left as it was). */
ssize_t bm_os_read_file(const char *path, char *buf, size_t size);
/* The leading decimal number of a small /proc file; false when it
 * cannot be read. */
bool bm_os_read_number(const char *path, uint64_t *out);

/* NUMA: a set of the kernel's node ids. */
#define BM_OS_MAX_NODES		1024
struct bm_os_nodemask {
	uint64_t	bits[BM_OS_MAX_NODES / 64];
};

static inline bool bm_os_nodemask_test(const struct bm_os_nodemask *m, int node)
{
	return (m->bits[node / 64] >> (node % 64)) & 1;
}

/* The calling thread's memory policy (MPOL_* in *mode, when mode is not
 * NULL) and its nodes, or with mems_allowed the nodes it may use at all.
 * False where the kernel has no NUMA support. */
bool bm_os_get_mempolicy(int *mode, struct bm_os_nodemask *mask, bool mems_allowed);
/* How many nodes the process may use (1 without NUMA support), the
 * lowest of them in *first, all of them in *mask. */
int bm_os_mems_allowed(int *first, struct bm_os_nodemask *mask);
static inline void bm_os_nodemask_set(struct bm_os_nodemask *m, int node)
{
	m->bits[node / 64] |= 1ULL << (node % 64);
}

/* mbind(2): the pages of [addr, addr + size) come, at first touch, from
 * the nodes of mask as mode (MPOL_BIND, MPOL_PREFERRED, MPOL_INTERLEAVE)
 * says.  False when the kernel refuses (a node it does not have). */
bool bm_os_mbind(void *addr, size_t size, int mode, const struct bm_os_nodemask *mask);
/* Bind [addr, addr + size) to kernel node os_node: strictly (MPOL_BIND,
 * the pages come from that node or not at all) or preferring it. */
bool bm_os_bind(void *addr, size_t size, int os_node, bool strict);

#endif /* BM_OS_H */
