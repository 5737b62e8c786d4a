/* SPDX-License-Identifier: MIT */
/* size_class.c - class sizes and slab orders (see size_class.h). */
#include "bm.h"
#include "page.h"
#include "size_class.h"

uint32_t bm_class_size[NR_SIZE_CLASSES];
uint8_t  bm_class_order[NR_SIZE_CLASSES];
uint16_t bm_class_objects[NR_SIZE_CLASSES];
uint32_t bm_class_magic[NR_SIZE_CLASSES];

/* The smallest slab order whose tail waste is at most 1/16 of the slab and
 * that holds at least 8 objects, within [SLAB_MIN_ORDER, SLAB_MAX_ORDER];
 * failing that, the order with the least waste. */
static unsigned int pick_slab_order(uint32_t size)
{
	unsigned int best = SLAB_MAX_ORDER;
	uint64_t best_waste = UINT64_MAX;

	for (unsigned int o = SLAB_MIN_ORDER; o <= SLAB_MAX_ORDER; o++) {
		uint64_t bytes = PAGE_SIZE << o, waste = bytes % size;

		if (waste * 16 <= bytes && bytes / size >= 8)
			return o;
		if (waste * 1000 / bytes < best_waste) {
			best_waste = waste * 1000 / bytes;
			best = o;
		}
	}
	return best;
}

void bm_size_classes_init(void)
{
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		uint32_t size;

		if (c < 8)
			size = 16 * (c + 1);
		else
			size = (128u << ((c - 8) / 8)) / 8 * (8 + (c - 8) % 8 + 1);
		bm_class_size[c] = size;
		bm_class_order[c] = (uint8_t)pick_slab_order(size);
		bm_class_objects[c] = (uint16_t)((PAGE_SIZE << bm_class_order[c]) / size);
		bm_class_magic[c] = (uint32_t)(((1ULL << 32) + size - 1) / size);
	}
}
