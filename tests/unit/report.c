/* SPDX-License-Identifier: MIT */
/*
 * report.c - the buddyinfo, pagetypeinfo, zoneinfo and vmstat reports have
 * the kernel's shapes and agree with the allocator's state.
 *
 * Each case sets up what it reads (a zone with memory in it, an allocation
 * of its own) and gives back what it took, so the cases run forward, then
 * reversed (RUN_TESTS_BOTH_ORDERS), and any one alone (TEST_ONLY=name).
 */
#include "pagetest.h"

#include <string.h>

static char text[16384];

static const char *capture(void (*report)(struct bm_out *))
{
	struct bm_out o;

	bm_out_init(&o, -1, text, sizeof(text) - 1);
	report(&o);
	text[o.len] = '\0';
	return text;
}

/* The zone has committed memory, all of it free and merged: what a case
 * finds whatever ran before it (each case frees what it allocates). */
static void zone_ready(void)
{
	struct zone *z = pt_zone();

	bm_free_pages(bm_alloc_pages(GFP_USER, 0), 0);
	expect_u64_gt(z->managed_pages, 0, "the zone committed a section");
	expect_u64_eq(z->nr_free_pages, z->managed_pages,
		      "nothing is allocated between the cases");
}

static void test_buddyinfo(void)
{
	unsigned long before[MAX_ORDER_LIMIT + 1], v[MAX_ORDER_LIMIT + 1];
	unsigned int from = 2;
	struct page *p;
	const char *s;
	int node = -1, pos = 0, n = 0;
	char zone[16] = "";

	zone_ready();
	for (unsigned int o = 0; o <= bm_max_order; o++)
		before[o] = (unsigned long)pt_nr_free(o);
	/* The order-2 block comes from the smallest free block of order
	 * 2 or more, split in halves: one free block of each order from 2
	 * up to below that one is left, and that one is one fewer. */
	while (from <= bm_max_order && before[from] == 0)
		from++;
	expect_u_le(from, bm_max_order, "the zone has a free block of order 2 or more");
	p = bm_alloc_pages(GFP_USER, 2);
	expect_ptr_not_null(p, "an order-2 block");
	s = capture(bm_buddyinfo);

	expect_d_eq(sscanf(s, "Node %d, zone %15s%n", &node, zone, &pos), 2,
		    "buddyinfo starts with the node and zone: '%.40s'", s);
	expect_d_eq(node, 0, "the first line is node 0's");
	expect_str_eq(zone, "Normal", "the first line is the Normal zone's");
	for (const char *q = s + pos; n <= (int)bm_max_order; n++) {
		int used;
		if (sscanf(q, "%lu%n", &v[n], &used) != 1)
			break;
		q += used;
	}
	expect_d_eq(n, (int)bm_max_order + 1, "one count per order 0..max_order");
	for (int o = 0; o < n; o++)
		expect_u64_eq(v[o], pt_nr_free((unsigned int)o),
			      "order %d: buddyinfo shows the free list's count", o);
	for (unsigned int o = 2; o < from && (int)o < n; o++)
		expect_u64_eq(v[o], before[o] + 1, "order %u: one half left by the split", o);
	if ((int)from < n)
		expect_u64_eq(v[from], before[from] - 1, "order %u: the block split", from);
	if (p)
		bm_free_pages(p, 2);
	for (unsigned int o = 0; o <= bm_max_order; o++)
		expect_u64_eq(pt_nr_free(o), before[o], "order %u: merged back after the free", o);
}

static void test_pagetypeinfo(void)
{
	const char *s;

	zone_ready();
	s = capture(bm_pagetypeinfo);
	expect_ptr_not_null(strstr(s, "Page block order: 9\n"), "pageblock_order 9:\n%s", s);
	expect_ptr_not_null(strstr(s, "Pages per block:  512\n"), "2^9 pages:\n%s", s);
	expect_ptr_not_null(strstr(s, "Free pages count per migrate type at order"), "header:\n%s", s);
	expect_ptr_not_null(strstr(s, "type    Unmovable"), "an Unmovable row:\n%s", s);
	expect_ptr_not_null(strstr(s, "type      Movable"), "a Movable row:\n%s", s);
	expect_ptr_not_null(strstr(s, "type  Reclaimable"), "a Reclaimable row:\n%s", s);
	expect_ptr_not_null(strstr(s, "Number of blocks type"), "the block counts:\n%s", s);
}

static void test_zoneinfo(void)
{
	struct zone *z = pt_zone();
	unsigned long free_pages = 0, managed = 0, min = 0, low = 0, high = 0;
	struct page *p;
	const char *s, *q;

	zone_ready();
	/* Hold some pages, so that free and managed differ. */
	p = bm_alloc_pages(GFP_USER, 3);
	expect_ptr_not_null(p, "an order-3 block");
	s = capture(bm_zoneinfo);
	expect_d_eq(strncmp(s, "Node 0, zone   Normal\n", 22), 0, "the first line: '%.30s'", s);
	q = strstr(s, "pages free");
	expect_true(q && sscanf(q, "pages free %lu", &free_pages) == 1, "a 'pages free' line");
	q = strstr(s, "\n        min ");
	expect_true(q && sscanf(q, " min %lu", &min) == 1, "a 'min' line:\n%s", s);
	q = strstr(s, "\n        low ");
	expect_true(q && sscanf(q, " low %lu", &low) == 1, "a 'low' line:\n%s", s);
	q = strstr(s, "\n        high ");
	expect_true(q && sscanf(q, " high %lu", &high) == 1, "a 'high' line:\n%s", s);
	q = strstr(s, "managed");
	expect_true(q && sscanf(q, "managed %lu", &managed) == 1, "a 'managed' line");
	expect_u64_eq(free_pages, z->nr_free_pages, "pages free");
	expect_u64_eq(free_pages + 8, z->managed_pages, "8 pages are allocated");
	expect_u64_eq(managed, z->managed_pages, "managed");
	expect_u64_eq(min, z->watermark[WMARK_MIN], "min");
	expect_u64_eq(low, z->watermark[WMARK_LOW], "low");
	expect_u64_eq(high, z->watermark[WMARK_HIGH], "high");
	if (p)
		bm_free_pages(p, 3);
}

static void test_vmstat(void)
{
	uint64_t before;
	unsigned long allocs = 0, commits = 0;
	struct page *p;
	const char *s, *q;

	zone_ready();
	before = pt_event(ZE_alloc_blocks);
	p = bm_alloc_pages(GFP_USER, 0);	/* one of our own to count */
	expect_ptr_not_null(p, "a page");
	s = capture(bm_vmstat);
	expect_d_eq(strncmp(s, "pgalloc ", 8), 0, "vmstat starts with pgalloc: '%.30s'", s);
	q = strstr(s, "\nalloc_blocks ");
	expect_true(q && sscanf(q, "\nalloc_blocks %lu", &allocs) == 1, "an alloc_blocks line");
	expect_u64_eq(allocs, pt_event(ZE_alloc_blocks), "alloc_blocks is the event count");
	expect_u64_eq(allocs, before + 1, "our allocation was counted");
	q = strstr(s, "\nsection_commit ");
	expect_true(q && sscanf(q, "\nsection_commit %lu", &commits) == 1, "a section_commit line");
	expect_u64_eq(commits, pt_zone()->nr_sections, "every committed section was counted");
	if (p)
		bm_free_pages(p, 0);
}

/* The whole report goes through write(2) to a file descriptor. */
static void test_stats_print_to_fd(void)
{
	int fd[2];
	ssize_t n;

	zone_ready();
	expect_d_eq(pipe(fd), 0, "a pipe");
	bm_stats_print(fd[1]);
	close(fd[1]);
	n = read(fd[0], text, sizeof(text) - 1);
	expect_true(n > 0, "the report came through the pipe");
	text[n > 0 ? n : 0] = '\0';
	close(fd[0]);
	expect_ptr_not_null(strstr(text, "--- libbuddymalloc buddyinfo ---\nNode 0, zone   Normal"),
			    "buddyinfo section:\n%s", text);
	expect_ptr_not_null(strstr(text, "--- libbuddymalloc pagetypeinfo ---\n"), "pagetypeinfo section");
	expect_ptr_not_null(strstr(text, "--- libbuddymalloc zoneinfo ---\n"), "zoneinfo section");
	expect_ptr_not_null(strstr(text, "--- libbuddymalloc vmstat ---\n"), "vmstat section");
}

static const struct test_case cases[] = {
	TEST_CASE(test_buddyinfo),
	TEST_CASE(test_pagetypeinfo),
	TEST_CASE(test_zoneinfo),
	TEST_CASE(test_vmstat),
	TEST_CASE(test_stats_print_to_fd),
};

int main(void)
{
	pt_setup("section_size=8M");
	RUN_TESTS_BOTH_ORDERS(cases);
	return test_exit();
}
