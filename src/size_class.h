/* SPDX-License-Identifier: MIT */
/*
 * size_class.h - the small-object size classes.
 *
 * 16 to 128 bytes in steps of 16 (every object 16-byte aligned, as the
 * x86-64 ABI and GCC's MALLOC_ABI_ALIGNMENT expect), then eight classes per
 * doubling up to 32 KiB: a request above 128 bytes wastes at most 1/9 of
 * its class (under 12.5%).  Power-of-two classes hold objects aligned to
 * their size, which memalign uses.
 */
#ifndef BM_SIZE_CLASS_H
#define BM_SIZE_CLASS_H

#include "bm.h"

#define SLAB_MAX_SIZE		32768	/* 32 KiB: larger goes to whole pages */
#define NR_SIZE_CLASSES		72	/* 8 up to 128, 8 per doubling for 8 doublings */
#define SLAB_MIN_ORDER		1	/* a slab spans two descriptors at least */
#define SLAB_MAX_ORDER		5	/* 128 KiB: four 32 KiB objects; reclaim's
					 * page bitmap holds 32 pages */
#define SLAB_MIN_OBJECTS	32	/* wanted per slab (see pick_slab_order) */

extern BM_HIDDEN const uint32_t bm_class_size[NR_SIZE_CLASSES];	/* object size */
extern BM_HIDDEN uint8_t  bm_class_order[NR_SIZE_CLASSES];	/* slab order */
extern BM_HIDDEN uint16_t bm_class_objects[NR_SIZE_CLASSES];	/* objects per slab */
/* Indexed by class + 1, the class map's code (page.h), so that free
 * indexes them with the map's byte as it is (code 0, no slab, is never
 * looked up); by class through the macros. */
extern BM_HIDDEN uint32_t bm_code_mask[NR_SIZE_CLASSES + 1];	/* slab bytes - 1 */
extern BM_HIDDEN uint64_t bm_code_divisor[NR_SIZE_CLASSES + 1];	/* UINT64_MAX / size + 1 */
#define bm_class_mask		(bm_code_mask + 1)
#define bm_class_divisor	(bm_code_divisor + 1)
extern BM_HIDDEN const uint8_t bm_class_small[1024 / 16 + 1];	/* class by (size + 15) / 16 */

/* Class of a size in 1..SLAB_MAX_SIZE (size 0 is served as 1). */
static inline unsigned int size_to_class(size_t size)
{
	size_t s;
	unsigned int k;

	if (size <= 1024)
		return bm_class_small[(size + 15) >> 4];
	s = size - 1;
	k = bm_ilog2(s);			/* 10 .. 15 */
	return 8 + (k - 7) * 8 + (unsigned int)((s >> (k - 3)) - 8);
}

/* offset / size for an offset inside a slab: the high half of a 64 by 64
 * bit product with ceil(2^64 / size), exact for every 32-bit offset
 * (Lemire, Kaser and Kurz, below).  A 32-bit reciprocal was exact only
 * while offset * size stayed near 2^32, which 64 KiB objects in 128 KiB
 * slabs (tried, see docs/performance.md) passed. */
static inline uint32_t class_index(unsigned int cls, uint32_t offset)
{
	return (uint32_t)(((unsigned __int128)offset * bm_class_divisor[cls]) >> 64);
}

/* Slab orders, objects per slab, masks and divisors (init, before any slab). */
void bm_size_classes_init(void);

/* Is a slab offset a multiple of the class size?  Lemire, Kaser and Kurz,
 * "Faster remainder by direct computation" (2019): for 32-bit n,
 * n % d == 0 exactly when n * ceil(2^64 / d) mod 2^64 < ceil(2^64 / d). */
static inline bool class_divides(unsigned int cls, uint32_t off)
{
	return (uint64_t)off * bm_class_divisor[cls] < bm_class_divisor[cls];
}

#endif /* BM_SIZE_CLASS_H */
