/* SPDX-License-Identifier: MIT */
/* options.c - BUDDYMALLOC_CONF parsing: sizes with suffixes, ranges,
 * unknown keys and bad values reported and ignored. */
#include "test.h"
#include "bm.h"
#include "options.h"

#include <string.h>

static void test_sizes(void)
{
	uint64_t v = 0;

	CHECK(bm_parse_size("4096", 4, &v) && v == 4096);
	CHECK(bm_parse_size("128M", 4, &v) && v == 128ULL << 20);
	CHECK(bm_parse_size("2g", 2, &v) && v == 2ULL << 30);
	CHECK(bm_parse_size("64KB", 4, &v) && v == 64ULL << 10);
	CHECK(bm_parse_size("1T", 2, &v) && v == 1ULL << 40);
	CHECK(!bm_parse_size("", 0, &v));
	CHECK(!bm_parse_size("M", 1, &v));
	CHECK(!bm_parse_size("12x", 3, &v));
	CHECK(!bm_parse_size("99999999999999999999", 20, &v));
	CHECK(!bm_parse_size("17179869184G", 12, &v));	/* overflows 64 bits */
}

static void test_parse(void)
{
	CHECK_EQ(bm_options_parse("max_order=12,section_size=64M"), 0);
	CHECK_EQ(bm_opt_max_order, 12);
	CHECK_EQ(bm_opt_section_size, 64ULL << 20);
	CHECK_EQ(bm_options_parse(""), 0);
	CHECK_EQ(bm_options_parse(NULL), 0);
	CHECK_EQ(bm_options_parse(",,stats=1,"), 0);
	CHECK_EQ(bm_opt_stats, 1);
}

static void test_bad_items_ignored(void)
{
	/* Each bad item is counted and leaves the option as it was. */
	CHECK_EQ(bm_options_parse("no_such_key=1"), 1);
	CHECK_EQ(bm_options_parse("max_order"), 1);
	CHECK_EQ(bm_options_parse("max_order=99"), 1);
	CHECK_EQ(bm_opt_max_order, 12);
	CHECK_EQ(bm_options_parse("max_order=3"), 1);	/* below the minimum */
	CHECK_EQ(bm_options_parse("max_order=ten,watermark_scale_factor=20"), 1);
	CHECK_EQ(bm_opt_watermark_scale_factor, 20);
}

int main(void)
{
	RUN_TEST(test_sizes);
	RUN_TEST(test_parse);
	RUN_TEST(test_bad_items_ignored);
	return test_exit();
}
