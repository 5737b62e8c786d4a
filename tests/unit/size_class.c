/* SPDX-License-Identifier: MIT */
/*
 * size_class.c - the size classes: the constant tables match their
 * formulas, every size maps to the smallest class that holds it, waste
 * above 128 bytes stays under 12.5%, slab orders leave little tail waste,
 * and the reciprocal division is exact for every offset in a slab.
 */
#include "test.h"
#include "bm.h"
#include "page.h"
#include "size_class.h"

static void test_tables_match_formulas(void)
{
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		uint32_t want = c < 8 ? 16 * (c + 1) :
				(128u << ((c - 8) / 8)) / 8 * (9 + (c - 8) % 8);
		CHECK_EQ(bm_class_size[c], want);
		if (c)
			CHECK(bm_class_size[c] > bm_class_size[c - 1]);
	}
	CHECK_EQ(bm_class_size[NR_SIZE_CLASSES - 1], SLAB_MAX_SIZE);
}

static void test_every_size_fits_smallest_class(void)
{
	for (size_t size = 0; size <= SLAB_MAX_SIZE; size++) {
		unsigned int c = size_to_class(size);

		if (c >= NR_SIZE_CLASSES) {
			CHECK(c < NR_SIZE_CLASSES);
			return;
		}
		CHECK(bm_class_size[c] >= size);
		if (c)
			CHECK(bm_class_size[c - 1] < size);
		if (size > 128)
			CHECK((bm_class_size[c] - size) * 8 < bm_class_size[c]);
		if (test_failures > 5)
			return;
	}
}

static void test_slab_orders(void)
{
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		uint32_t bytes = PAGE_SIZE << bm_class_order[c];

		CHECK(bm_class_order[c] >= SLAB_MIN_ORDER && bm_class_order[c] <= SLAB_MAX_ORDER);
		CHECK_EQ(bm_class_objects[c], bytes / bm_class_size[c]);
		CHECK(bm_class_objects[c] >= 1);
		/* Tail waste at most 1/16 of the slab, or the least possible. */
		if ((bytes % bm_class_size[c]) * 16 > bytes)
			for (unsigned int o = SLAB_MIN_ORDER; o <= SLAB_MAX_ORDER; o++) {
				uint64_t b = PAGE_SIZE << o;
				CHECK((b % bm_class_size[c]) * 16 > b);
				CHECK((b % bm_class_size[c]) * bytes >=
				      (bytes % bm_class_size[c]) * b);
			}
	}
}

static void test_reciprocal_division(void)
{
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++)
		for (uint32_t off = 0; off < (PAGE_SIZE << SLAB_MAX_ORDER); off += 1)
			if (class_index(c, off) != off / bm_class_size[c] ||
			    class_divides(c, off) != (off % bm_class_size[c] == 0)) {
				CHECK_EQ(class_index(c, off), off / bm_class_size[c]);
				CHECK_EQ(class_divides(c, off), off % bm_class_size[c] == 0);
				return;
			}
}

int main(void)
{
	bm_size_classes_init();
	RUN_TEST(test_tables_match_formulas);
	RUN_TEST(test_every_size_fits_smallest_class);
	RUN_TEST(test_slab_orders);
	RUN_TEST(test_reciprocal_division);
	return test_exit();
}
