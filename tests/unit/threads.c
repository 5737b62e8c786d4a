/* SPDX-License-Identifier: MIT */
/* threads.c - four threads allocating and freeing random orders at once
 * leave the zone consistent and whole. */
#include "pagetest.h"

#include <pthread.h>

#define THREADS	4
#define OPS	200000
#define SLOTS	256

static void *worker(void *arg)
{
	unsigned long long rng = 0x1234567ULL * (uintptr_t)arg + 1;
	struct page *page[SLOTS] = { 0 };
	unsigned int order[SLOTS];
	long bad = 0;

	for (int i = 0; i < OPS; i++) {
		int k = (int)(test_rand(&rng) % SLOTS);

		if (page[k]) {
			if (*(uintptr_t *)page_address(page[k]) != (uintptr_t)page[k])
				bad++;
			bm_free_pages(page[k], order[k]);
			page[k] = NULL;
		} else {
			order[k] = (unsigned int)(test_rand(&rng) % 6);
			page[k] = bm_alloc_pages((gfp_t)(k % MIGRATE_TYPES), order[k]);
			if (!page[k])
				bad++;
			else
				*(uintptr_t *)page_address(page[k]) = (uintptr_t)page[k];
		}
	}
	for (int k = 0; k < SLOTS; k++)
		if (page[k])
			bm_free_pages(page[k], order[k]);
	return (void *)bad;
}

static void test_concurrent_alloc_free(void)
{
	pthread_t t[THREADS];

	for (uintptr_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
	for (int i = 0; i < THREADS; i++) {
		void *bad;
		pthread_join(t[i], &bad);
		CHECK_EQ((uintptr_t)bad, 0);
	}
	CHECK_INVARIANTS();
	CHECK(pt_only_max_order_blocks());
}

int main(void)
{
	pt_setup("section_size=16M");
	RUN_TEST(test_concurrent_alloc_free);
	return test_exit();
}
