/* SPDX-License-Identifier: MIT */
/*
 * glibc_compat.c - the parts of glibc's malloc API that describe glibc's
 * own heap or predate posix_memalign: memalign, valloc, pvalloc,
 * malloc_trim, malloc_stats, mallinfo, mallinfo2 and mallopt.
 */
#include "bm.h"
#include "fmt.h"
#include "init.h"
#include "large.h"
#include "malloc_internal.h"
#include "reclaim.h"
#include "tcache.h"
#include "vmstat.h"

#include <errno.h>
#include <malloc.h>
#include <unistd.h>

BM_EXPORT void *memalign(size_t align, size_t size)
{
	/* Stricter than glibc, which rounds a bad alignment up: a caller
	 * asking for one has a bug worth hearing about. */
	if (!bm_is_pow2(align)) {
		errno = EINVAL;
		return NULL;
	}
	return bm_aligned_internal(align, size);
}

BM_EXPORT void *valloc(size_t size)
{
	return bm_aligned_internal(PAGE_SIZE, size);
}

BM_EXPORT void *pvalloc(size_t size)
{
	size_t rounded = BM_ALIGN_UP(size, PAGE_SIZE);

	if (rounded < size) {
		errno = ENOMEM;
		return NULL;
	}
	return bm_aligned_internal(PAGE_SIZE, rounded ? rounded : PAGE_SIZE);
}

BM_EXPORT int malloc_trim(size_t pad)
{
	(void)pad;
	if (!bm_init())
		return 0;
	bm_tcache_flush_current();
	return bm_reclaim_all() != 0;
}

/* glibc's lines first, in its layout, for the programs and scripts that
 * read them (one arena: the zones; mmap: the huge objects), then the
 * report. */
BM_EXPORT void malloc_stats(void)
{
	char buf[512];
	struct bm_out o;
	struct bm_stats st;
	size_t max_n, max_bytes;

	if (!bm_init())
		return;
	bm_stats_read(&st);
	bm_huge_peak(&max_n, &max_bytes);
	bm_out_init(&o, STDERR_FILENO, buf, sizeof(buf));
	bm_outf(&o, "Arena 0:\nsystem bytes     = %10zu\nin use bytes     = %10zu\n",
		(size_t)st.committed, (size_t)(st.allocated - st.huge));
	bm_outf(&o, "Total (incl. mmap):\nsystem bytes     = %10zu\nin use bytes     = %10zu\n",
		(size_t)(st.committed + st.huge), (size_t)st.allocated);
	bm_outf(&o, "max mmap regions = %10zu\nmax mmap bytes   = %10zu\n", max_n, max_bytes);
	bm_out_flush(&o);
	bm_stats_print(STDERR_FILENO);
}

/* In glibc's terms: arena, the memory of the heap proper (committed to
 * the zones); hblks and hblkhd, the direct mappings (huge objects);
 * uordblks, what the program holds outside those (the report's
 * "allocated" less "huge"); fordblks, the rest of the arena. */
BM_EXPORT struct mallinfo2 mallinfo2(void)
{
	struct mallinfo2 mi = { 0 };
	struct bm_usage u;
	struct bm_stats st;

	if (!bm_init())
		return mi;
	bm_usage(&u);
	bm_stats_read(&st);
	mi.arena = st.committed;
	mi.ordblks = u.free_blocks;
	mi.hblks = st.huge_objects;
	mi.hblkhd = st.huge;
	mi.uordblks = st.allocated - st.huge;
	mi.fordblks = st.committed > mi.uordblks ? st.committed - mi.uordblks : 0;
	mi.keepcost = 0;
	return mi;
}

BM_EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m2 = mallinfo2();
	struct mallinfo mi = { 0 };

	mi.arena = (int)m2.arena;
	mi.ordblks = (int)m2.ordblks;
	mi.hblks = (int)m2.hblks;
	mi.hblkhd = (int)m2.hblkhd;
	mi.uordblks = (int)m2.uordblks;
	mi.fordblks = (int)m2.fordblks;
	return mi;
}

BM_EXPORT int mallopt(int param, int value)
{
	/* glibc's tunables (M_MMAP_THRESHOLD, M_ARENA_MAX, ...) describe its
	 * own heap; accept them so programs that set them carry on. */
	(void)param;
	(void)value;
	return 1;
}
