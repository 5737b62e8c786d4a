/* SPDX-License-Identifier: MIT */
/* os.c - mmap, mprotect, madvise and mbind wrappers (see os.h). */
#include "bm.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

void *bm_os_reserve(size_t size, size_t align)
{
	size_t len = size + align;
	uintptr_t start, aligned;
	void *p = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Trim the slack on both sides so the range starts aligned. */
	start = (uintptr_t)p;
	aligned = BM_ALIGN_UP(start, align);
	if (aligned > start)
		munmap(p, aligned - start);
	if (start + len > aligned + size)
		munmap((void *)(aligned + size), start + len - (aligned + size));
	return (void *)aligned;
}

bool bm_os_reserve_at(void *addr, size_t size, bool readable)
{
	int saved = errno;
	void *p = mmap(addr, size, readable ? PROT_READ : PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	errno = saved;
	if (p == MAP_FAILED)
		return false;
	if (p != addr) {	/* a kernel before 4.17 took it as a hint */
		munmap(p, size);
		errno = saved;
		return false;
	}
	return true;
}

bool bm_os_readonly(void *addr, size_t size)
{
	int saved = errno;
	bool ok = mprotect(addr, size, PROT_READ) == 0;

	errno = saved;
	return ok;
}

bool bm_os_commit(void *addr, size_t size)
{
	int saved = errno;
	bool ok = mprotect(addr, size, PROT_READ | PROT_WRITE) == 0;

	errno = saved;
	return ok;
}

void bm_os_discard(void *addr, size_t size)
{
	int saved = errno;

	madvise(addr, size, MADV_DONTNEED);
	errno = saved;
}

bool bm_os_hugepage(void *addr, size_t size, bool on)
{
	int saved = errno;
	bool ok = madvise(addr, size, on ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) == 0;

	errno = saved;
	return ok;
}

void bm_os_unmap(void *addr, size_t size)
{
	int saved = errno;

	munmap(addr, size);
	errno = saved;
}

void bm_os_protect(void *addr, size_t size, bool accessible)
{
	int saved = errno;

	mprotect(addr, size, accessible ? PROT_READ | PROT_WRITE : PROT_NONE);
	errno = saved;
}

/* ------------------------------------------------------------------ NUMA
 * Raw system calls: libnuma's wrappers would make it a start-up
 * dependency. */

int bm_os_mems_allowed(int *first, struct bm_os_nodemask *m)
{
	int nr = 0;

	*first = 0;
	if (!bm_os_get_mempolicy(NULL, m, true))
		return 1;	/* a kernel without NUMA: one node */
	for (int i = BM_OS_MAX_NODES - 1; i >= 0; i--)
		if (bm_os_nodemask_test(m, i)) {
			*first = i;
			nr++;
		}
	return nr ? nr : 1;
}

bool bm_os_get_mempolicy(int *mode, struct bm_os_nodemask *mask, bool mems_allowed)
{
	int saved = errno, m = 0;
	long rc;

	memset(mask, 0, sizeof(*mask));
	rc = syscall(SYS_get_mempolicy, &m, mask->bits, (unsigned long)BM_OS_MAX_NODES + 1,
		     NULL, mems_allowed ? MPOL_F_MEMS_ALLOWED : 0UL);
	errno = saved;
	if (mode)
		*mode = m;
	return rc == 0;
}

bool bm_os_mbind(void *addr, size_t size, int mode, const struct bm_os_nodemask *mask)
{
	int saved = errno;
	long rc;

	rc = syscall(SYS_mbind, addr, size, mode, mask->bits,
		     (unsigned long)BM_OS_MAX_NODES + 1, 0U);
	errno = saved;
	return rc == 0;
}

bool bm_os_bind(void *addr, size_t size, int os_node, bool strict)
{
	struct bm_os_nodemask m = { { 0 } };

	bm_os_nodemask_set(&m, os_node);
	return bm_os_mbind(addr, size, strict ? MPOL_BIND : MPOL_PREFERRED, &m);
}

int bm_os_open(const char *path, int flags, unsigned int mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

ssize_t bm_os_read(int fd, void *buf, size_t len)
{
	return syscall(SYS_read, fd, buf, len);
}

ssize_t bm_os_write(int fd, const void *buf, size_t len)
{
	return syscall(SYS_write, fd, buf, len);
}

int bm_os_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

ssize_t bm_os_read_file(const char *path, char *buf, size_t size)
{
	int saved = errno, fd = bm_os_open(path, O_RDONLY | O_CLOEXEC, 0);
	ssize_t n = -1;

	if (fd >= 0) {
		do
			n = bm_os_read(fd, buf, size - 1);
		while (n < 0 && errno == EINTR);
		bm_os_close(fd);
	}
	errno = saved;
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

bool bm_os_read_number(const char *path, uint64_t *out)
{
	char buf[64];
	uint64_t v = 0;
	ssize_t n = bm_os_read_file(path, buf, sizeof(buf));

	if (n <= 0 || buf[0] < '0' || buf[0] > '9')
		return false;
	for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(buf[i] - '0');
	*out = v;
	return true;
}

uint64_t bm_os_mapped_bytes(void)
{
	uint64_t pages;

	return bm_os_read_number("/proc/self/statm", &pages) ? pages * PAGE_SIZE : 0;
}

bool bm_os_strict_overcommit(void)
{
	uint64_t mode;

	return bm_os_read_number("/proc/sys/vm/overcommit_memory", &mode) && mode == 2;
}
