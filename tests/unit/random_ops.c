/* SPDX-License-Identifier: MIT */
/*
 * random_ops.c - a million and more random allocations and frees of random
 * orders and migratetypes, with the invariant walk at checkpoints and a
 * stamp in every block that must survive; freeing everything reassembles
 * max-order blocks only.
 */
#include "pagetest.h"

#include <string.h>

#define SLOTS		4096
#define OPS		1200000
#define CHECK_EVERY	200000

struct slot {
	struct page	*page;
	unsigned int	order;
	uint64_t	stamp;
};

static struct slot slots[SLOTS];

/* Mostly small orders, as real workloads ask, with the full range present. */
static unsigned int random_order(unsigned long long *rng)
{
	unsigned long long r = test_rand(rng);

	if (r % 8)
		return (unsigned int)((r >> 8) % 4);
	return (unsigned int)((r >> 8) % (bm_max_order + 1));
}

static void stamp(struct slot *s)
{
	uint64_t *first = page_address(s->page);
	uint64_t *last = (uint64_t *)((char *)first + (PAGE_SIZE << s->order)) - 1;

	*first = s->stamp;
	*last = ~s->stamp;
}

static bool stamp_ok(const struct slot *s)
{
	const uint64_t *first = page_address(s->page);
	const uint64_t *last = (const uint64_t *)((const char *)first +
				(PAGE_SIZE << s->order)) - 1;

	return *first == s->stamp && *last == ~s->stamp;
}

static void release(struct slot *s)
{
	CHECK(stamp_ok(s));
	bm_free_pages(s->page, s->order);
	s->page = NULL;
}

static void test_random_sequence_reassembles(void)
{
	unsigned long long rng = 0x9e3779b97f4a7c15ULL;
	unsigned long failures = 0;

	for (unsigned long i = 1; i <= OPS; i++) {
		struct slot *s = &slots[test_rand(&rng) % SLOTS];

		if (s->page) {
			release(s);
		} else {
			gfp_t gfp = (gfp_t)(test_rand(&rng) % MIGRATE_TYPES);

			s->order = random_order(&rng);
			s->page = bm_alloc_pages(gfp, s->order);
			if (!s->page) {
				failures++;
				continue;
			}
			CHECK_EQ(page_to_pfn(s->page) & ((1u << s->order) - 1), 0);
			s->stamp = i * 0x100000001b3ULL;
			stamp(s);
		}
		if (i % CHECK_EVERY == 0)
			CHECK_INVARIANTS();
	}
	CHECK_EQ(failures, 0);
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].page)
			release(&slots[i]);
	CHECK_INVARIANTS();
	CHECK(pt_only_max_order_blocks());
	CHECK_EQ(pt_zone()->nr_free_pages, pt_zone()->managed_pages);
	CHECK(pt_event(ZE_fallback) > 0);	/* three types over shared blocks */
	CHECK(pt_event(ZE_merge) > 0);
}

int main(void)
{
	pt_setup("section_size=32M");
	RUN_TEST(test_random_sequence_reassembles);
	return test_exit();
}
