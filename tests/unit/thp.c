/* SPDX-License-Identifier: MIT */
/* thp.c - a zone asks for transparent huge pages once it has handed out
 * more than thp_min, on everything committed and on each section
 * committed later, and before that refuses them, so that a kernel whose
 * THP mode is "always" (Debian's, RHEL's) does not back a small heap
 * with 2 MiB pages.  Skipped (77) on a kernel without THP. */
#include "pagetest.h"

#include <string.h>

/* Does the mapping holding addr carry the flag ("hg": VM_HUGEPAGE,
 * "nh": VM_NOHUGEPAGE) in its VmFlags? */
static bool vm_flag(const void *addr, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, hg = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			hg = strstr(line + 8, flag) != NULL;
			break;
		}
	}
	fclose(f);
	return hg;
}

static bool advised(const void *addr)	{ return vm_flag(addr, " hg"); }
static bool refused(const void *addr)	{ return vm_flag(addr, " nh"); }

static void grow_to(uint32_t blocks)
{
	struct zone *z = pt_zone();

	bm_lock(&z->lock);
	while (z->managed_pages < (blocks << bm_max_order) && bm__zone_grow(z, true))
		;
	bm_unlock(&z->lock);
}

static void test_advised_past_threshold(void)
{
	struct zone *z = pt_zone();
	void *start = pfn_to_addr(z->zone_start_pfn);

	grow_to(2);			/* 8 MiB handed out: not more than 8 */
	CHECK(!z->thp);
	CHECK(!advised(start));
	CHECK(refused(start));
	grow_to(3);			/* 12 MiB */
	CHECK(z->thp);
	CHECK(advised(start));
	CHECK(!refused(start));
	CHECK_EQ(z->nr_sections, 1);
	grow_to(5);			/* 20 MiB: a second section */
	CHECK_EQ(z->nr_sections, 2);
	CHECK(advised(pfn_to_addr(z->zone_start_pfn + bm_section_pages)));
	CHECK_INVARIANTS();
}

int main(void)
{
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
		fprintf(stderr, "no transparent huge pages in this kernel: skipped\n");
		return 77;
	}
	/* 4 MiB max-order blocks, 16 MiB sections. */
	pt_setup("max_order=10,section_size=16M,thp_min=8M");
	RUN_TEST(test_advised_past_threshold);
	return test_exit();
}
