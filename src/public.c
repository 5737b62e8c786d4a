/* SPDX-License-Identifier: MIT */
/* public.c - the functions of include/buddymalloc.h. */
#include "bm.h"
#include "check.h"
#include "page_alloc.h"
#include "reclaim.h"
#include "vmstat.h"

#include <buddymalloc.h>

BM_EXPORT void buddymalloc_stats_print(int fd)
{
	bm_init();
	bm_stats_print(fd);
}

BM_EXPORT unsigned long buddymalloc_check(int fd)
{
	bm_init();
	return bm_check_invariants(fd);
}

BM_EXPORT size_t buddymalloc_reclaim(void)
{
	if (!bm_init())
		return 0;
	return bm_reclaim_all() << PAGE_SHIFT;
}
