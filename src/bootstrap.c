/* SPDX-License-Identifier: MIT */
/* bootstrap.c - the bootstrap arena (see bootstrap.h).  Each block has a
 * 16-byte header holding its size, so realloc can copy it out. */
#include "bm.h"
#include "bootstrap.h"
#include "lock.h"

#include <errno.h>

#define BOOTSTRAP_SIZE	(1u << 20)	/* 1 MiB of .bss: untouched pages cost nothing */
#define HEADER		16

static char arena[BOOTSTRAP_SIZE] __attribute__((aligned(4096)));
static size_t used;
static bm_lock_t lock = BM_LOCK_INIT_RANK(LOCK_RANK_BOOTSTRAP);

void *bm_bootstrap_alloc(size_t size, size_t align)
{
	uintptr_t p;
	void *ret = NULL;

	if (align < 16)
		align = 16;
	if (size > BOOTSTRAP_SIZE || align > BOOTSTRAP_SIZE / 2) {
		errno = ENOMEM;
		return NULL;
	}
	bm_lock(&lock);
	p = BM_ALIGN_UP((uintptr_t)arena + used + HEADER, align);
	if (p + size <= (uintptr_t)arena + BOOTSTRAP_SIZE) {
		((size_t *)p)[-1] = size;
		used = p + size - (uintptr_t)arena;
		ret = (void *)p;
	}
	bm_unlock(&lock);
	if (!ret)
		errno = ENOMEM;
	return ret;
}

bool bm_is_bootstrap(const void *p)
{
	return (uintptr_t)p - (uintptr_t)arena < BOOTSTRAP_SIZE;
}

size_t bm_bootstrap_size(const void *p)
{
	return ((const size_t *)p)[-1];
}
