/* SPDX-License-Identifier: MIT */
/*
 * class_map.c - the class map (page.h), free's first lookup: every page
 * of a slab reads its size class + 1, every other page 0 (a block of the
 * page allocator, a page of the range never committed), and a slab given
 * back reads 0 again.  The same in a range that grows a section at a
 * time under an address-space limit (node.c), with sections of 2 MiB,
 * whose maps share pages: each section's part must be readable and
 * writable as it is committed.
 */
#include "slabtest.h"
#include "page_alloc.h"
#include "slab_node.h"

#include <sys/resource.h>
#include <sys/wait.h>

static const size_t sizes[] = { 16, 1024, 4096, 9216, 32768 };

/* A sanitizer's shadow memory does not fit under an address-space
 * limit: there the growable case is not run. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER	1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER	0
#endif

/* The map of the 2^order pages from pfn: all v?  The first that is not
 * in *bad. */
static bool map_is(uint32_t pfn, unsigned int order, unsigned int v, uint32_t *bad)
{
	for (uint32_t i = 0; i < (1u << order); i++)
		if (pcm_class(bm_page_class[pfn + i]) != v) {
			*bad = pfn + i;
			return false;
		}
	return true;
}

/* New slabs of each class read their class on every page, and 0 once
 * given back. */
static void check_slabs(void)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int cls = size_to_class(sizes[i]);
		struct slab *s = bm_new_slab(cls);
		uint32_t pfn, bad = 0;

		expect_ptr_not_null(s, "%zu B: a new slab", sizes[i]);
		if (!s)
			continue;
		pfn = page_to_pfn(slab_page(s));
		expect_true(map_is(pfn, s->order, cls + 1, &bad),
			    "%zu B: all %u pages of the slab read class %u + 1 (pfn %u reads %u)",
			    sizes[i], 1u << s->order, cls, bad, pcm_class(bm_page_class[bad]));
		bm_discard_slab(s);
		expect_true(map_is(pfn, bm_class_order[cls], 0, &bad),
			    "%zu B: a slab given back reads 0 (pfn %u reads %u)",
			    sizes[i], bad, pcm_class(bm_page_class[bad]));
	}
}

static void test_slab_pages(void)
{
	struct page *page = bm_alloc_pages(0, 3);
	uint32_t bad = 0;

	check_slabs();
	expect_ptr_not_null(page, "a block of 8 pages");
	if (page) {
		expect_true(map_is(page_to_pfn(page), 3, 0, &bad),
			    "a block of the page allocator reads 0 (pfn %u)", bad);
		bm_free_pages(page, 3);
	}
	/* The last page of the range: reserved, never committed, readable. */
	expect_u64_eq(bm_page_class[(bm_span >> PAGE_SHIFT) - 1], 0,
		      "the range's last page reads 0");
}

/* Objects from many slabs, over several 2 MiB sections of a range that
 * grows: each object's page reads its class. */
#define GROW_OBJECTS	4000
static void test_growable(void)
{
	unsigned int cls = size_to_class(4096);
	uint32_t wrong = 0, sections = 0;
	struct zone *z = pt_zone();

	CHECK(bm_tcache_init());
	for (int i = 0; i < GROW_OBJECTS; i++) {
		void *o = obj_alloc(cls);

		if (!o)
			break;
		wrong += pcm_class(bm_page_class[addr_to_pfn(o)]) != cls + 1;
	}
	sections = z->nr_sections;
	expect_u64_eq(wrong, 0, "objects whose page does not read their class");
	expect_true(sections >= 4, "the objects took %u sections of 2 MiB (want 4 or more)",
		    sections);
	check_slabs();
}

int main(int argc, char **argv)
{
	pid_t pid;
	int st = 0;

	(void)argc;
	(void)argv;
	pid = UNDER_SANITIZER ? 0 : fork();
	CHECK(pid >= 0);
	if (UNDER_SANITIZER)
		printf("growable case not run under a sanitizer\n");
	else if (pid == 0) {
		/* An address-space limit: the range grows a section at a time. */
		struct rlimit rl = { 1ULL << 30, 1ULL << 30 };

		CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
		pt_setup("section_size=2M,max_order=9");
		RUN_TEST(test_growable);
		exit(test_exit());
	}
	if (!UNDER_SANITIZER) {
		CHECK(waitpid(pid, &st, 0) == pid);
		expect_true(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			    "the growable range's case passed (status 0x%x)", st);
	}
	pt_setup("section_size=16M");
	RUN_TEST(test_slab_pages);
	return test_exit();
}
