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
/* What free needs of a class, in 32 bytes (a shift, as for a bin),
 * indexed by class + 1, the class map's code (page.h), so that free
 * indexes it with the map's class field as it is (code 0, no slab, is
 * never looked up); by class through the functions below. */
struct class_code {
	uint64_t	divisor;	/* the multiplier M: class_index */
	uint64_t	start_limit;	/* objects * e: class_starts_object */
	uint32_t	mask;		/* slab bytes - 1 */
	uint32_t	pad[3];
};
_Static_assert(sizeof(struct class_code) == 32, "the code index is a shift");
extern BM_HIDDEN struct class_code bm_class_code[NR_SIZE_CLASSES + 1];

/* Slab bytes - 1: an object's offset in its slab is its address masked
 * with it (slabs are aligned to their size). */
static inline uint32_t class_mask(unsigned int cls)	{ return bm_class_code[cls + 1].mask; }
extern BM_HIDDEN const uint8_t bm_class_small[1024 / 16 + 1];	/* class by (size + 15) / 16 */

/* Class of a size up to 1024 (size 0 is served as 1): the table. */
static inline unsigned int small_size_class(size_t size)
{
	return bm_class_small[(size + 15) >> 4];
}

/* Class of a size in 1..SLAB_MAX_SIZE (size 0 is served as 1). */
static inline unsigned int size_to_class(size_t size)
{
	size_t s;
	unsigned int k;

	if (size <= 1024)
		return small_size_class(size);
	s = size - 1;
	k = bm_ilog2(s);			/* 10 .. 15 */
	return 8 + (k - 7) * 8 + (unsigned int)((s >> (k - 3)) - 8);
}

/* offset / size for an offset inside a slab: the high half of a 64 by 64
 * bit product with the class's multiplier M = floor(2^64 / size) + 1
 * (ceil(2^64 / size), but one more for a power of two: see
 * class_starts_object), exact for every 32-bit offset.  M * size = 2^64
 * + e with 0 < e <= size, so offset * M / 2^64 = offset / size + offset
 * * e / (size * 2^64), and that second term, under 2^-32, never carries
 * the first past an integer.  (A 32-bit reciprocal was exact only while
 * offset * size stayed near 2^32, which 64 KiB objects in 128 KiB slabs,
 * tried, see docs/performance.md, passed.) */
static inline uint32_t class_index(unsigned int cls, uint32_t offset)
{
	return (uint32_t)(((unsigned __int128)offset * bm_class_code[cls + 1].divisor) >> 64);
}

/* Slab orders, objects per slab, masks and divisors (init, before any slab). */
void bm_size_classes_init(void);

/* Is a slab offset a multiple of the class size?  After Lemire, Kaser
 * and Kurz, "Faster remainder by direct computation" (2019): with
 * offset = q * size + r, offset * M mod 2^64 = r * M + q * e, which does
 * not wrap (r * M <= 2^64 - 2^64 / size + size and q * e <= offset <
 * 2^32), so it is M or more when r > 0, and q * e < 2^32, far below M,
 * when r = 0. */
static inline bool class_divides(unsigned int cls, uint32_t off)
{
	const struct class_code *k = &bm_class_code[cls + 1];

	return (uint64_t)off * k->divisor < k->divisor;
}

/* Is a slab offset the start of one of the slab's objects: a multiple q
 * of the size with q below the objects a slab has?  The same product, q
 * * e when r = 0 and M or more otherwise, against objects * e
 * (start_limit, under M): one multiply and one compare for
 * both (free's owner path, malloc_fast.h).  e must not be 0, which is
 * why M is not ceil(2^64 / size) for a power of two. */
static inline bool class_starts_object(unsigned int cls, uint32_t off)
{
	const struct class_code *k = &bm_class_code[cls + 1];

	return (uint64_t)off * k->divisor < k->start_limit;
}

#endif /* BM_SIZE_CLASS_H */
