/* SPDX-License-Identifier: MIT */
/*
 * partial_order.c - a bin that needs a slab takes the fullest of the
 * node's first partial slabs (slab_node.c fullest_partial), not the one
 * listed last: the sparse ones are left to drain and go back empty.
 *
 * A thread fills five slabs of 1 KiB objects, frees a different share
 * of each, and exits, which lists all five as partial.  A second thread
 * then allocates one object: it must come from the slab with the most
 * objects still allocated, which is not the list's head.
 */
#include "slabtest.h"

#include <pthread.h>

#define SLABS		5
#define MAX_OBJS	256

/* Objects left allocated in slab i: the fullest (22) is neither first
 * nor last. */
static const uint32_t keep[SLABS] = { 2, 12, 22, 7, 17 };
static struct slab *slabs[SLABS];

static void *fill_thread(void *arg)
{
	unsigned int cls = size_to_class(1024);
	uint32_t per = bm_class_objects[cls], off;
	static void *objs[MAX_OBJS];

	(void)arg;
	CHECK(bm_tcache_init());
	CHECK(SLABS * per <= MAX_OBJS);
	for (uint32_t i = 0; i < SLABS * per && i < MAX_OBJS; i++)
		CHECK((objs[i] = obj_alloc(cls)) != NULL);
	/* The objects of a fresh thread come slab by slab, in order. */
	for (uint32_t k = 0; k < SLABS; k++) {
		slabs[k] = obj_slab(virt_to_page(objs[k * per]), objs[k * per], &off);
		for (uint32_t i = keep[k]; i < per; i++) {
			void *p = objs[k * per + i];

			CHECK(obj_slab(virt_to_page(p), p, &off) == slabs[k]);
			slab_free_owned(slabs[k], p);
		}
	}
	return NULL;	/* exit: the five go to the node's partial list */
}

static void *take_thread(void *arg)
{
	unsigned int cls = size_to_class(1024);
	uint32_t off;
	void *p;

	CHECK(bm_tcache_init());
	CHECK((p = obj_alloc(cls)) != NULL);
	*(struct slab **)arg = p ? obj_slab(virt_to_page(p), p, &off) : NULL;
	return NULL;
}

static void test_fullest_partial_first(void)
{
	struct slab_cache_node *n = &bm_slab_nodes[0][size_to_class(1024)];
	struct slab *got = NULL;
	pthread_t t;

	CHECK(pthread_create(&t, NULL, fill_thread, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_EQ(n->nr_partial, SLABS);
	/* Else the test could pass by the list's order alone. */
	expect_true(page_list_first(&n->partial) != slab_page(slabs[2]),
		    "the fullest slab heads the partial list: the test proves nothing");
	CHECK(pthread_create(&t, NULL, take_thread, &got) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	expect_true(got == slabs[2], "took slab %d (of 0..4, allocated %u), want 2 (%u)",
		    got == slabs[0] ? 0 : got == slabs[1] ? 1 : got == slabs[3] ? 3 :
		    got == slabs[4] ? 4 : -1,
		    got ? (unsigned int)atomic_load(&got->inuse) : 0u, keep[2]);
	CHECK_EQ(bm_check_invariants(STDERR_FILENO), 0);
}

int main(void)
{
	pt_setup("section_size=16M");
	RUN_TEST(test_fullest_partial_first);
	return test_exit();
}
