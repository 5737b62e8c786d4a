/* SPDX-License-Identifier: MIT */
/*
 * bm.h - definitions every file of libbuddymalloc shares.
 *
 * Glossary (the kernel's names where the concept is the kernel's):
 *   page        4 KiB unit; described by a struct page (page.h) kept out of
 *               band in one virtually contiguous array, the bm_mem_map.
 *   pfn         page frame number: (addr - bm_base) >> PAGE_SHIFT.
 *   order       a block of 2^order pages, aligned to its size.
 *   node        one NUMA node: a slice of the reserved range and its zone.
 *   zone        the pages of a node with one backing kind, managed by the
 *               buddy free lists free_area[order].free_list[migratetype].
 *   section     the unit in which a zone's reserved range is committed.
 *   pageblock   2^pageblock_order pages grouped by migratetype.
 *   watermark   min/low/high free-page levels of a zone.
 *
 * Internal names that cross files carry the prefix bm_; static helpers in
 * a file use the kernel's plain names, with a "__" prefix for the variant
 * whose caller holds the zone lock.
 */
#ifndef BM_H
#define BM_H

#include <config.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)	/* 4 KiB */
#define PAGE_MASK		(~(PAGE_SIZE - 1))

/* Compile-time ceilings; the values in use come from the configuration. */
#define MAX_ORDER_LIMIT		20	/* largest max_order: 4 GiB blocks */
#define MAX_NUMNODES		64
#define PFN_NONE		UINT32_MAX	/* end of a pfn-linked list */

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define BM_HIDDEN		__attribute__((visibility("hidden")))
#define BM_EXPORT		__attribute__((visibility("default")))
#define BM_NOINLINE		__attribute__((noinline))
#define BM_COLD			__attribute__((cold, noinline))
#define BM_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BM_ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((uintptr_t)(a) - 1))
#define BM_ALIGN_DOWN(x, a)	((x) & ~((uintptr_t)(a) - 1))

/* Report an internal inconsistency naming the file and line, then abort. */
BM_COLD __attribute__((noreturn))
void bm_bug(const char *file, int line, const char *cond);

/* BM_BUG_ON checks an invariant always; BM_DEBUG_BUG_ON only in debug builds. */
#define BM_BUG_ON(cond) \
	do { if (unlikely(cond)) bm_bug(__FILE__, __LINE__, #cond); } while (0)
#ifdef BM_DEBUG
#define BM_DEBUG_BUG_ON(cond)	BM_BUG_ON(cond)
#else
#define BM_DEBUG_BUG_ON(cond)	do { (void)sizeof(cond); } while (0)
#endif

static inline unsigned int bm_ilog2(uint64_t x)
{
	return 63u - (unsigned int)__builtin_clzll(x);
}

static inline bool bm_is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

/* Smallest order whose block holds nr_pages (nr_pages >= 1). */
static inline unsigned int bm_order_for_pages(uint64_t nr_pages)
{
	return nr_pages <= 1 ? 0 : bm_ilog2(nr_pages - 1) + 1;
}

#endif /* BM_H */
