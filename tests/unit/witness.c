/* SPDX-License-Identifier: MIT */
/*
 * witness.c - the debug build's checks catch what they promise (built
 * and run only with --enable-debug, which make check-debug does).
 *
 * Each case breaks one rule in a child process and expects it to die by
 * SIGABRT with the report naming the rule: a lock taken inside one of a
 * higher rank, two locks of one rank, an unlock by a thread that does
 * not hold the lock, a lock that was never given a rank, a "__"
 * function called without its lock, and a block freed twice into the
 * buddy.  One case does what fork's lock-all does (bm_lock_nested) and
 * must live.
 */
#include "pagetest.h"
#include "slab.h"
#include "buddy.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

/* fn as pt_run_child calls it. */
static void call(void *fn)
{
	((void (*)(void))fn)();
}

static void expect_abort(void (*fn)(void), const char *name, const char *report)
{
	char out[1024];
	int status = pt_run_child(call, (void *)fn, out, sizeof(out));

	expect_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		    "%s: the child dies by SIGABRT (status 0x%x)", name, status);
	expect_true(strstr(out, report) != NULL, "%s: the report says \"%s\"; it said: %s",
		    name, report, out);
}

static struct zone *zone0(void)
{
	return pt_zone();
}

static void zone_then_slab_node(void)
{
	bm_lock(&zone0()->lock);
	bm_lock(&bm_slab_nodes[0][0].lock);	/* rank 3 inside rank 4 */
}

static void two_zone_locks(void)
{
	static struct zone other;

	bm_lock_init(&other.lock, LOCK_RANK_ZONE);
	bm_lock(&zone0()->lock);
	bm_lock(&other.lock);
}

static void *take_zone_lock(void *arg)
{
	(void)arg;
	bm_lock(&zone0()->lock);
	return NULL;
}

static void unlock_by_other_thread(void)
{
	pthread_t t;

	pthread_create(&t, NULL, take_zone_lock, NULL);
	pthread_join(t, NULL);
	bm_unlock(&zone0()->lock);
}

static void lock_without_rank(void)
{
	static bm_lock_t l;	/* zero: never given a rank */

	bm_lock(&l);
}

static void locked_function_unlocked(void)
{
	(void)bm__zone_has_order(zone0(), 0);
}

static void double_free_into_buddy(void)
{
	struct zone *z = zone0();
	struct page *p = bm_alloc_pages(GFP_USER, 2);

	if (!p)
		return;
	bm_lock(&z->lock);
	bm__free_one_page(z, page_to_pfn(p), 2, 0);
	bm__free_one_page(z, page_to_pfn(p), 2, 0);	/* already a free block */
	bm_unlock(&z->lock);
}

static void lock_all_nested(void)
{
	static struct zone other;

	bm_lock_init(&other.lock, LOCK_RANK_ZONE);
	bm_lock_nested(&zone0()->lock);
	bm_lock_nested(&other.lock);
	bm_unlock(&other.lock);
	bm_unlock(&zone0()->lock);
	bm_lock(&zone0()->lock);	/* all released: a plain lock is fine again */
	bm_unlock(&zone0()->lock);
}

static void test_rank_order(void)
{
	expect_abort(zone_then_slab_node, "rank order", "lock taken inside one of a higher rank");
}

static void test_same_rank(void)
{
	expect_abort(two_zone_locks, "same rank", "second lock of one rank taken");
}

static void test_unlock_holder(void)
{
	expect_abort(unlock_by_other_thread, "holder", "unlock by a thread that does not hold it");
}

static void test_rankless(void)
{
	expect_abort(lock_without_rank, "rank", "lock without a rank");
}

static void test_locked_function(void)
{
	expect_abort(locked_function_unlocked, "__ function", "called without the lock held");
}

static void test_buddy_invariant(void)
{
	expect_abort(double_free_into_buddy, "buddy", "BUG at");
}

static void test_nested_lock_all(void)
{
	char out[1024];
	int status = pt_run_child(call, (void *)lock_all_nested, out, sizeof(out));

	expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "fork's lock-all of one rank is allowed (status 0x%x): %s", status, out);
}

static const struct test_case cases[] = {
	TEST_CASE(test_rank_order),
	TEST_CASE(test_same_rank),
	TEST_CASE(test_unlock_holder),
	TEST_CASE(test_rankless),
	TEST_CASE(test_locked_function),
	TEST_CASE(test_buddy_invariant),
	TEST_CASE(test_nested_lock_all),
};

int main(void)
{
	pt_setup("");
	RUN_TESTS(cases);
	return test_exit();
}
