/* SPDX-License-Identifier: MIT */
/*
 * report.c - the buddyinfo, pagetypeinfo, zoneinfo and vmstat reports have
 * the kernel's shapes and agree with the allocator's state.
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

static void test_buddyinfo(void)
{
	struct page *p = bm_alloc_pages(GFP_USER, 2);	/* leaves one block at 2..max-1 */
	const char *s = capture(bm_buddyinfo);
	unsigned long v[MAX_ORDER_LIMIT + 1];
	int node, pos = 0, n = 0;
	char zone[16];

	CHECK_EQ(sscanf(s, "Node %d, zone %15s%n", &node, zone, &pos), 2);
	CHECK_EQ(node, 0);
	CHECK(strcmp(zone, "Normal") == 0);
	for (const char *q = s + pos; n <= (int)bm_max_order; n++) {
		int used;
		if (sscanf(q, "%lu%n", &v[n], &used) != 1)
			break;
		q += used;
	}
	CHECK_EQ(n, bm_max_order + 1);
	for (int o = 0; o < n; o++)
		CHECK_EQ(v[o], pt_nr_free((unsigned int)o));
	CHECK_EQ(v[2], 1);
	bm_free_pages(p, 2);
}

static void test_pagetypeinfo(void)
{
	const char *s = capture(bm_pagetypeinfo);

	CHECK(strstr(s, "Page block order: 9\n") != NULL);
	CHECK(strstr(s, "Pages per block:  512\n") != NULL);
	CHECK(strstr(s, "Free pages count per migrate type at order") != NULL);
	CHECK(strstr(s, "type    Unmovable") != NULL);
	CHECK(strstr(s, "type      Movable") != NULL);
	CHECK(strstr(s, "type  Reclaimable") != NULL);
	CHECK(strstr(s, "Number of blocks type") != NULL);
}

static void test_zoneinfo(void)
{
	const char *s = capture(bm_zoneinfo);
	unsigned long free_pages = 0, managed = 0, min = 0;
	const char *q;

	CHECK(strncmp(s, "Node 0, zone   Normal\n", 22) == 0);
	q = strstr(s, "pages free");
	CHECK(q && sscanf(q, "pages free %lu", &free_pages) == 1);
	q = strstr(s, "managed");
	CHECK(q && sscanf(q, "managed %lu", &managed) == 1);
	q = strstr(s, "min");
	CHECK(q && sscanf(q, "min %lu", &min) == 1);
	CHECK_EQ(free_pages, pt_zone()->nr_free_pages);
	CHECK_EQ(managed, pt_zone()->managed_pages);
	CHECK_EQ(min, pt_zone()->watermark[WMARK_MIN]);
}

static void test_vmstat(void)
{
	const char *s = capture(bm_vmstat);
	unsigned long allocs = 0, commits = 0;
	const char *q;

	q = strstr(s, "\nalloc_blocks ");
	CHECK(q && sscanf(q, "\nalloc_blocks %lu", &allocs) == 1);
	CHECK_EQ(allocs, pt_event(ZE_alloc_blocks));
	CHECK(allocs >= 1);	/* test_buddyinfo allocated one */
	q = strstr(s, "\nsection_commit ");
	CHECK(q && sscanf(q, "\nsection_commit %lu", &commits) == 1);
	CHECK_EQ(commits, pt_zone()->nr_sections);
	CHECK(strncmp(s, "pgalloc ", 8) == 0);
}

/* The whole report goes through write(2) to a file descriptor. */
static void test_stats_print_to_fd(void)
{
	int fd[2];
	ssize_t n;

	CHECK(pipe(fd) == 0);
	bm_stats_print(fd[1]);
	close(fd[1]);
	n = read(fd[0], text, sizeof(text) - 1);
	CHECK(n > 0);
	text[n > 0 ? n : 0] = '\0';
	close(fd[0]);
	CHECK(strstr(text, "--- libbuddymalloc buddyinfo ---\nNode 0, zone   Normal") != NULL);
	CHECK(strstr(text, "--- libbuddymalloc pagetypeinfo ---\n") != NULL);
	CHECK(strstr(text, "--- libbuddymalloc zoneinfo ---\n") != NULL);
	CHECK(strstr(text, "--- libbuddymalloc vmstat ---\n") != NULL);
}

int main(void)
{
	pt_setup("section_size=8M");
	RUN_TEST(test_buddyinfo);
	RUN_TEST(test_pagetypeinfo);
	RUN_TEST(test_zoneinfo);
	RUN_TEST(test_vmstat);
	RUN_TEST(test_stats_print_to_fd);
	return test_exit();
}
