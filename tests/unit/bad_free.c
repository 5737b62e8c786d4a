/* SPDX-License-Identifier: MIT */
/*
 * bad_free.c - pages handed back in the wrong state are reported with
 * their address and abort the process; with abort_on_error=0 they are
 * reported and ignored, and the allocator stays consistent.
 */
#include "pagetest.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static void double_free(void *arg)
{
	struct page *p = arg;

	bm_free_pages(p, 0);
	bm_free_pages(p, 0);
}

static void interior_free(void *arg)
{
	bm_free_pages((struct page *)arg + 1, 0);
}

static void wrong_order_free(void *arg)
{
	bm_free_pages(arg, 0);
}

static void expect_report(void (*fn)(void *), void *arg, const char *what)
{
	char out[1024], addr[32];
	int status = pt_run_child(fn, arg, out, sizeof(out));

	snprintf(addr, sizeof(addr), "%p", page_address(arg) );
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(out, "libbuddymalloc: invalid free of") != NULL);
	CHECK(strstr(out, what) != NULL);
	if (fn != interior_free)
		CHECK(strstr(out, addr) != NULL);
	if (test_failures)
		fprintf(stderr, "child said: %s", out);
}

static void test_reports_abort(void)
{
	struct page *p = bm_alloc_pages(GFP_USER, 0);
	struct page *q = bm_alloc_pages(GFP_USER, 2);

	expect_report(double_free, p, "already free");
	expect_report(interior_free, q, "not the start of an allocated block");
	expect_report(wrong_order_free, q, "size it was not allocated with");
	bm_free_pages(p, 0);
	bm_free_pages(q, 2);
	CHECK_INVARIANTS();
}

static void test_report_and_go_on(void)
{
	struct page *p = bm_alloc_pages(GFP_USER, 1);

	CHECK_EQ(bm_options_parse("abort_on_error=0"), 0);
	bm_free_pages(p, 1);
	bm_free_pages(p, 1);		/* reported, ignored */
	bm_free_pages(p + 1, 0);	/* reported, ignored */
	CHECK_INVARIANTS();
	CHECK(pt_only_max_order_blocks());
}

int main(void)
{
	pt_setup("section_size=8M");
	RUN_TEST(test_reports_abort);
	RUN_TEST(test_report_and_go_on);
	return test_exit();
}
