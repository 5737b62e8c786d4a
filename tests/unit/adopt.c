/* SPDX-License-Identifier: MIT */
/*
 * adopt.c - frees into a slab no thread owns (bin_adopts, malloc_fast.h):
 * the first thread to free into it becomes its adopter, and only the
 * adopter's frees go on its bin, with plain stores; another thread's
 * take the remote path, whose marker check reports a double free.  Adopt
 * ids are unique among live threads and pass on when a thread exits.
 */
#include "slabtest.h"
#include "malloc_fast.h"
#include "slab_node.h"

#include <pthread.h>

#define OBJS	64

static unsigned int cls;
static void *objs[OBJS];
static struct slab *shared;	/* the slab of objs[0], no thread's */

static void *owner_thread(void *arg)
{
	(void)arg;
	CHECK(bm_tcache_init());
	for (int i = 0; i < OBJS; i++)
		objs[i] = obj_alloc(cls);
	/* Let go of the slabs; the objects stay allocated. */
	bm_tcache_flush(&bm_tc);
	return NULL;
}

struct freer {
	int		obj;		/* the index it frees */
	bool		adopted;	/* bin_adopts took it */
	bool		on_bin;		/* and it heads the bin's list */
	uint16_t	id;		/* the thread's adopt id */
	void		*own;		/* its own object: the bin has a slab */
};

/* Free objs[f->obj] as free does into an unowned slab. */
static void *freer_thread(void *arg)
{
	struct freer *f = arg;
	void *p = objs[f->obj];
	struct tcache_bin *bin = &bm_tc.bins[cls];

	CHECK(bm_tcache_init());
	f->id = bm_tc.adopt_id;
	f->own = obj_alloc(cls);
	f->adopted = bin_adopts(bin, shared, p);
	f->on_bin = bin->freelist == p;
	if (!f->adopted)
		bm_slab_free_remote(shared, p);
	return NULL;
}

/* A live thread holding the adopter's id while another frees. */
static pthread_barrier_t hold_bar;
static uint16_t holder_id;

static void *holder_thread(void *arg)
{
	(void)arg;
	CHECK(bm_tcache_init());
	holder_id = bm_tc.adopt_id;
	pthread_barrier_wait(&hold_bar);	/* id taken */
	pthread_barrier_wait(&hold_bar);	/* the other has freed */
	return NULL;
}

static void run_freer(struct freer *f)
{
	pthread_t t;

	CHECK(pthread_create(&t, NULL, freer_thread, f) == 0);
	CHECK(pthread_join(t, NULL) == 0);
}

static void test_one_adopter(void)
{
	pthread_t t;
	struct freer a = { .obj = 1 }, b = { .obj = 2 }, c = { .obj = 3 };
	uint32_t off;
	uint32_t remote;

	cls = size_to_class(64);
	CHECK(pthread_create(&t, NULL, owner_thread, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	shared = obj_slab(virt_to_page(objs[0]), objs[0], &off);
	for (int i = 1; i < 4; i++)
		CHECK(obj_slab(virt_to_page(objs[i]), objs[i], &off) == shared);
	expect_true(atomic_load(&shared->state) != SLAB_ACTIVE, "the slab is no thread's");
	expect_u64_eq(atomic_load(&shared->adopter), 0, "no adopter yet");

	run_freer(&a);
	expect_true(a.id != 0, "a live thread has an adopt id");
	expect_true(a.adopted && a.on_bin, "the first freer adopts the object onto its bin");
	expect_u64_eq(atomic_load(&shared->adopter), a.id, "and is the slab's adopter");

	/* a has exited: its id is free again, and the next thread gets it
	 * (the lowest free one) with the slab it adopted. */
	remote = remote_count(atomic_load(&shared->remote));
	run_freer(&b);
	expect_u64_eq(b.id, a.id, "an exited thread's id passes to the next thread");
	expect_true(b.adopted, "so that thread adopts from the slab");

	/* While one adopter lives, nobody else adopts from its slab. */
	CHECK(pthread_barrier_init(&hold_bar, NULL, 2) == 0);
	CHECK(pthread_create(&t, NULL, holder_thread, NULL) == 0);
	pthread_barrier_wait(&hold_bar);	/* it has its id */
	run_freer(&c);
	pthread_barrier_wait(&hold_bar);
	CHECK(pthread_join(t, NULL) == 0);
	pthread_barrier_destroy(&hold_bar);
	expect_u64_eq(holder_id, a.id, "the holder has the adopter's id");
	expect_true(c.id != 0 && c.id != holder_id, "ids are unique among live threads (%u, %u)",
		    c.id, holder_id);
	expect_true(!c.adopted && !c.on_bin, "another thread does not adopt");
	expect_u64_eq(remote_count(atomic_load(&shared->remote)), remote + 1,
		      "its free went on the slab's remote list");
	expect_u64_eq(atomic_load(&shared->adopter), a.id, "the adopter stays");
}

int main(void)
{
	pt_setup("section_size=16M");
	RUN_TEST(test_one_adopter);
	return test_exit();
}
