/* SPDX-License-Identifier: MIT */
/*
 * commit.c - the page descriptors are charged as their memory is (#15,
 * point 2): the bm_mem_map is readable everywhere (free() may read the
 * descriptor of any address in the range, and an uncommitted one reads
 * as zero) but writable only over committed sections.  A read-only
 * private mapping is not charged against the commit limit; a writable
 * one is, whole, so under vm.overcommit_memory=2 a process that made one
 * malloc was charged 512 MiB for the descriptors of the default 64 GiB
 * reserve.  Checked in /proc/self/maps: the mapping that holds the
 * descriptors of committed sections is "rw", the one past them "r-".
 */
#include "pagetest.h"

#include <string.h>

/* The permissions ("rw-p", "r--p") of the mapping that holds addr. */
static bool perms_of(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 &&
		    (uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
			memcpy(perms, p, 5);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static void expect_perms(const struct page *p, const char *want, const char *what)
{
	char perms[5] = "";

	expect_true(perms_of(p, perms), "%s: a mapping holds the descriptor", what);
	expect_true(strncmp(perms, want, 3) == 0, "%s: descriptors %s, want %.3s", what,
		    perms, want);
}

static void test_descriptors_follow_sections(void)
{
	struct zone *z = pt_zone();
	uint32_t end = z->zone_start_pfn + z->present_pages;

	expect_u_gt(z->present_pages, 0, "a section is committed");
	expect_perms(pfn_to_page(z->zone_start_pfn), "rw-", "the first committed page");
	expect_perms(pfn_to_page(end - 1), "rw-", "the last committed page");
	expect_perms(pfn_to_page(end), "r--", "the first page past the committed sections");
	expect_u64_eq(pfn_to_page(end)->flags, 0, "an uncommitted descriptor reads as zero");
	pt_grow((z->present_pages >> bm_max_order) + 1);
	expect_u_gt(z->zone_start_pfn + z->present_pages, end, "another section committed");
	expect_perms(pfn_to_page(end), "rw-", "the new section's first page");
	expect_perms(pfn_to_page(z->zone_start_pfn + z->present_pages), "r--",
		     "past the new section");
	CHECK_INVARIANTS();
}

static const struct test_case cases[] = {
	TEST_CASE(test_descriptors_follow_sections),
};

int main(void)
{
	pt_setup("max_order=10,section_size=4M,reclaim=off");
	pt_grow(1);
	RUN_TESTS(cases);
	return test_exit();
}
