/* SPDX-License-Identifier: MIT */
/* size_class.c - class sizes and slab orders (see size_class.h). */
#include "bm.h"
#include "debug.h"
#include "page.h"
#include "size_class.h"

/* The two tables malloc may read before initialisation are constant:
 * class c holds 16 * (c + 1) bytes below 128, then (128 << (c - 8) / 8) / 8 *
 * (9 + (c - 8) % 8); bm_class_small[i] is the class of i * 16 bytes (1 for
 * i = 0).  tests/unit/size_class checks both against the formulas. */
const uint32_t bm_class_size[NR_SIZE_CLASSES] = {
	16, 32, 48, 64, 80, 96, 112, 128,
	144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512,
	576, 640, 704, 768, 832, 896, 960, 1024,
	1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048,
	2304, 2560, 2816, 3072, 3328, 3584, 3840, 4096,
	4608, 5120, 5632, 6144, 6656, 7168, 7680, 8192,
	9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384,
	18432, 20480, 22528, 24576, 26624, 28672, 30720, 32768,
};

const uint8_t bm_class_small[1024 / 16 + 1] = {
	0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 16, 17, 17, 18, 18, 19, 19, 20, 20, 21, 21, 22, 22, 23,
	23, 24, 24, 24, 24, 25, 25, 25, 25, 26, 26, 26, 26, 27, 27, 27,
	27, 28, 28, 28, 28, 29, 29, 29, 29, 30, 30, 30, 30, 31, 31, 31,
	31,
};

uint8_t  bm_class_order[NR_SIZE_CLASSES];
uint16_t bm_class_objects[NR_SIZE_CLASSES];
struct class_code bm_class_code[NR_SIZE_CLASSES + 1];

/* Tail waste of a slab of this order, in 1/65536 of the slab. */
static uint32_t slab_waste(uint32_t size, unsigned int order)
{
	uint64_t bytes = PAGE_SIZE << order;

	return (uint32_t)((bytes % size) * 65536 / bytes);
}

/* The slab order for a class: the smallest whose tail waste is at most
 * 1/16 of the slab with SLAB_MIN_OBJECTS objects or more; else the
 * largest with that waste (the most objects); failing both, the order of
 * least waste (the largest on a tie).  Every refill of a bin from a new
 * or partial slab takes the class's node lock, so few objects a slab
 * make that lock a bottleneck under many threads (docs/performance.md).
 * Carving is lazy, so a larger slab costs address space, not memory, in a
 * program that uses few objects of the class. */
static unsigned int pick_slab_order(uint32_t size)
{
	unsigned int best = SLAB_MAX_ORDER;

	for (unsigned int o = SLAB_MIN_ORDER; o <= SLAB_MAX_ORDER; o++)
		if (slab_waste(size, o) <= 65536 / 16 &&
		    (PAGE_SIZE << o) / size >= SLAB_MIN_OBJECTS)
			return o;
	for (unsigned int o = SLAB_MAX_ORDER; o >= SLAB_MIN_ORDER; o--)
		if (slab_waste(size, o) <= 65536 / 16 && (PAGE_SIZE << o) / size >= 2)
			return o;
	for (unsigned int o = SLAB_MAX_ORDER; o >= SLAB_MIN_ORDER; o--)
		if (slab_waste(size, o) < slab_waste(size, best))
			best = o;
	return best;
}

void bm_size_classes_init(void)
{
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		uint32_t size = bm_class_size[c];

		bm_class_order[c] = (uint8_t)pick_slab_order(size);
		/* debug=guard keeps the last page of every slab for the guard. */
		bm_class_objects[c] = (uint16_t)(((PAGE_SIZE << bm_class_order[c]) -
			((bm_debug & BM_DEBUG_GUARD) ? PAGE_SIZE : 0)) / size);
		/* floor(2^64 / size) + 1 (size_class.h, class_index) */
		struct class_code *k = &bm_class_code[c + 1];

		k->divisor = UINT64_MAX / size + 1 + ((size & (size - 1)) == 0);
		k->start_limit = bm_class_objects[c] * (size * k->divisor);
		k->mask = (uint32_t)(PAGE_SIZE << bm_class_order[c]) - 1;
	}
}
