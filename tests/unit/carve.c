/* SPDX-License-Identifier: MIT */
/*
 * carve.c - how many fresh objects a refill carves from a new slab: on
 * the slab's first carve, the objects that start in its first page (a
 * program that asks for one object faults in one page); on the next,
 * page by page until 8 objects or 4 pages, so a class in demand takes a
 * slow refill per 8 objects, not per 4 (1 KiB) or per 1 (4 KiB).
 */
#include "slabtest.h"

struct carve_case {
	size_t		size;
	uint32_t	first, second;	/* objects of the first and second carve */
};

static const struct carve_case cases[] = {
	{ 16, 256, 256 },	/* a page holds plenty: one page each time */
	{ 512, 8, 8 },
	{ 1024, 4, 8 },		/* two pages */
	{ 4096, 1, 4 },		/* four pages, the byte bound */
};

/* A refill of the empty bin of class cls: its count, its objects taken. */
static uint32_t refill_taken(unsigned int cls)
{
	struct tcache_bin *bin = &bm_tc.bins[cls];
	uint32_t count = 0, n = 0;
	void **list = bm_slab_refill_count(bin, cls, &count);

	for (void **o = list; o; o = fl_next(o))
		n++;
	expect_u64_eq(n, count, "class %u: the list's length is its count", cls);
	bin->freelist = NULL;	/* taken: they stay allocated */
	return count;
}

static void test_carve_sizes(void)
{
	CHECK(bm_tcache_init());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int cls = size_to_class(cases[i].size);
		uint32_t first = refill_taken(cls), second = refill_taken(cls);

		expect_u64_eq(first, cases[i].first, "%zu B: first carve", cases[i].size);
		expect_u64_eq(second, cases[i].second, "%zu B: second carve", cases[i].size);
	}
}

int main(void)
{
	pt_setup("section_size=16M");
	RUN_TEST(test_carve_sizes);
	return test_exit();
}
