/* SPDX-License-Identifier: MIT */
/* os.c - mmap, mprotect and madvise wrappers (see os.h). */
#include "bm.h"
#include "os.h"

#include <errno.h>
#include <sys/mman.h>

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
