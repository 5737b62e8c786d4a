/* SPDX-License-Identifier: MIT */
/* fault_inject.c - fail_nth and fail_every make exactly the chosen page
 * allocations fail, with ENOMEM, and nothing leaks. */
#include "pagetest.h"

#include <errno.h>

static void test_fail_nth_once(void)
{
	struct page *p[8];

	bm_fault_inject_set(3, 0);
	for (int i = 0; i < 8; i++) {
		errno = 0;
		p[i] = bm_alloc_pages(GFP_USER, 0);
		if (i == 2) {
			CHECK(p[i] == NULL);
			CHECK_EQ(errno, ENOMEM);
		} else {
			CHECK(p[i] != NULL);
		}
	}
	for (int i = 0; i < 8; i++)
		if (p[i])
			bm_free_pages(p[i], 0);
	bm_fault_inject_set(0, 0);
	CHECK(pt_only_max_order_blocks());
}

static void test_fail_every(void)
{
	int failed = 0;

	bm_fault_inject_set(0, 4);
	for (int i = 1; i <= 40; i++) {
		struct page *p = bm_alloc_pages_exact(3, GFP_SLAB);

		if (!p) {
			failed++;
			CHECK_EQ(i % 4, 0);
		} else {
			bm_free_pages_exact(p, 3);
		}
	}
	CHECK_EQ(failed, 10);
	bm_fault_inject_set(0, 0);
	CHECK_INVARIANTS();
	CHECK(pt_only_max_order_blocks());
}

static void test_conf_key(void)
{
	/* The key sets the same state the call does. */
	CHECK_EQ(bm_opt_fail_nth, 2);
	CHECK_EQ(bm_options_parse("fail_nth=abc"), 1);
	CHECK_EQ(bm_opt_fail_nth, 2);
}

int main(void)
{
	struct page *a, *b;

	pt_setup("fail_nth=2");
	a = bm_alloc_pages(GFP_USER, 0);	/* first: succeeds */
	b = bm_alloc_pages(GFP_USER, 0);	/* second: injected failure */
	CHECK(a != NULL);
	CHECK(b == NULL);
	if (a)
		bm_free_pages(a, 0);
	RUN_TEST(test_conf_key);
	RUN_TEST(test_fail_nth_once);
	RUN_TEST(test_fail_every);
	return test_exit();
}
