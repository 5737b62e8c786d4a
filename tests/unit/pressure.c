/* SPDX-License-Identifier: MIT */
/*
 * pressure.c - what the reclaim thread does when the kernel reports
 * memory pressure: every free page goes back at once, whatever the decay
 * and the high watermark keep, and the event is counted in vmstat.
 */
#include "pagetest.h"
#include "reclaim.h"

#include <string.h>

static uint64_t backed(void)
{
	struct zone *z = pt_zone();
	uint64_t n;

	bm_lock(&z->lock);
	n = z->nr_free_pages - z->nr_free_returned;
	bm_unlock(&z->lock);
	return n;
}

/* The vmstat report holds this line. */
static bool vmstat_has(const char *line)
{
	static char buf[65536];
	int fds[2];
	ssize_t len;

	if (pipe(fds) != 0)
		return false;
	bm_stats_print(fds[1]);
	close(fds[1]);
	len = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	return strstr(buf, line) != NULL;
}

static void test_pressure_returns_everything(void)
{
	enum { BLOCKS = 8, ORDER = 9 };
	struct page *p[BLOCKS];
	uint64_t returned = pt_event(ZE_pages_returned);
	size_t pages;

	CHECK(vmstat_has("\npressure_events 0\n"));
	for (int i = 0; i < BLOCKS; i++) {
		p[i] = bm_alloc_pages(GFP_USER, ORDER);
		CHECK(p[i] != NULL);
		memset(page_address(p[i]), 1, PAGE_SIZE << ORDER);
	}
	for (int i = 0; i < BLOCKS; i++)
		bm_free_pages(p[i], ORDER);
	/* A decay of an hour keeps them. */
	CHECK(backed() >= BLOCKS << ORDER);
	pages = bm_reclaim_pressure();
	CHECK(pages >= BLOCKS << ORDER);
	CHECK_EQ(backed(), 0);
	CHECK(pt_event(ZE_pages_returned) - returned >= BLOCKS << ORDER);
	CHECK(vmstat_has("\npressure_events 1\n"));
	CHECK_INVARIANTS();
}

int main(void)
{
	pt_setup("reclaim=thread,decay_ms=3600000");
	RUN_TEST(test_pressure_returns_everything);
	return test_exit();
}
