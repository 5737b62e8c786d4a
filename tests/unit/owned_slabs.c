/* SPDX-License-Identifier: MIT */
/*
 * owned_slabs.c - the slabs a thread owns: its active slab and the run-dry
 * slabs it keeps.  Driven through the internal API as malloc.c drives it:
 * objects pop from the bin, and a free into a slab the thread owns goes
 * on that slab's freelist.
 *
 *   - a batch that spans several slabs of one class stays owned (a bin
 *     may keep at least SLAB_OWNED_MIN, 4), so freeing it back takes no
 *     remote free;
 *   - once the thread stops using that class, the periodic scan of the
 *     bins hands the kept slabs back to the node lists;
 *   - thread exit disowns everything it still holds.
 */
#include "slabtest.h"

#include <pthread.h>
#include <sched.h>

#define SLABS	5	/* the active one and 4 kept */
#define MAX_OBJS	1024


static long remote_frees;

static void obj_free(void *p)
{
	uint32_t off;
	struct slab *s = obj_slab(virt_to_page(p), p, &off);

	CHECK(bm_slab_check_free(s, p, &bm_tc.bins[s->size_class]) == NULL);
	if (s->owner == &bm_tc) {
		slab_free_owned(s, p);
		return;
	}
	remote_frees++;
	bm_slab_free_remote(s, p);
}

static uint32_t node_slabs(unsigned int cls)
{
	struct slab_cache_node *n = &bm_slab_nodes[0][cls];

	return n->nr_partial + n->nr_full + n->nr_empty;
}

static void *owner_thread(void *arg)
{
	unsigned int cls = size_to_class(1024), small = size_to_class(16);
	struct tcache_bin *bin = &bm_tc.bins[cls];
	uint32_t batch = SLABS * bm_class_objects[cls], off;
	static void *objs[MAX_OBJS];

	(void)arg;
	CHECK(bm_tcache_init());
	if (batch > MAX_OBJS) {
		CHECK(batch <= MAX_OBJS);
		return NULL;
	}
	for (uint32_t i = 0; i < batch; i++)
		CHECK((objs[i] = obj_alloc(cls)) != NULL);
	/* All kept but the active one: none went to the node lists. */
	CHECK_EQ(bin->nr_owned, SLABS - 1);
	CHECK_EQ(node_slabs(cls), 0);
	for (uint32_t i = 0; i < batch; i++)
		obj_free(objs[i]);
	CHECK_EQ(remote_frees, 0);
	/* A second free of one of them is caught on its owned slab's list. */
	CHECK(bm_slab_check_free(obj_slab(virt_to_page(objs[0]), objs[0], &off),
				 objs[0], bin) != NULL);

	/* Use another class only: the 1 KiB bin goes idle, and the scan gives
	 * its kept slabs back (a round is 16 slow refills per bin). */
	for (int round = 0; round < 200000 && bin->nr_owned; round++) {
		void *p[40];

		for (int i = 0; i < 40; i++)
			CHECK((p[i] = obj_alloc(small)) != NULL);
		for (int i = 0; i < 40; i++)
			obj_free(p[i]);
	}
	CHECK_EQ(bin->nr_owned, 0);
	CHECK(node_slabs(cls) > 0);
	CHECK_EQ(remote_frees, 0);
	return NULL;
}

/* After the thread exits nobody owns anything: every slab is on a node
 * list or gone, and the invariant walk agrees. */
static void test_owned_slabs(void)
{
	pthread_t t;

	CHECK(pthread_create(&t, NULL, owner_thread, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_EQ(bm_check_invariants(STDERR_FILENO), 0);
}

/* The byte budget for kept slabs (512 KiB a bin) is shared out beyond 4
 * live threads; the object bound (128 objects' worth) and the floor (4
 * slabs) are not.  1 KiB objects come 32 to a 32 KiB slab, so a bin
 * keeps 16 of them with one thread and 4 with 16. */
#define FILL_SLABS	20
#define IDLE_THREADS	15

static uint32_t kept_after_fill(void)
{
	unsigned int cls = size_to_class(1024);
	struct tcache_bin *bin = &bm_tc.bins[cls];
	uint32_t n = FILL_SLABS * bm_class_objects[cls], kept;
	static void *objs[MAX_OBJS];

	CHECK(bm_tcache_init());
	CHECK(n <= MAX_OBJS);
	for (uint32_t i = 0; i < n && i < MAX_OBJS; i++)
		CHECK((objs[i] = obj_alloc(cls)) != NULL);
	kept = bin->nr_owned;
	for (uint32_t i = 0; i < n && i < MAX_OBJS; i++)
		obj_free(objs[i]);
	return kept;
}

static void *fill_thread(void *arg)
{
	*(uint32_t *)arg = kept_after_fill();
	return NULL;
}

static pthread_barrier_t idle_barrier;

static void *idle_thread(void *arg)
{
	(void)arg;
	CHECK(bm_tcache_init());	/* a live cache, then wait */
	pthread_barrier_wait(&idle_barrier);
	return NULL;
}

static uint32_t kept_in_thread(void)
{
	pthread_t t;
	uint32_t kept = 0;

	CHECK(pthread_create(&t, NULL, fill_thread, &kept) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	return kept;
}

static void test_kept_budget_shared(void)
{
	pthread_t idle[IDLE_THREADS];

	CHECK_EQ(bm_class_objects[size_to_class(1024)], 32);
	CHECK_EQ(kept_in_thread(), 16);
	CHECK(pthread_barrier_init(&idle_barrier, NULL, IDLE_THREADS + 1) == 0);
	for (int i = 0; i < IDLE_THREADS; i++)
		CHECK(pthread_create(&idle[i], NULL, idle_thread, NULL) == 0);
	while (atomic_load(&bm_nr_threads) < IDLE_THREADS)
		sched_yield();
	CHECK_EQ(kept_in_thread(), 4);
	pthread_barrier_wait(&idle_barrier);
	for (int i = 0; i < IDLE_THREADS; i++)
		CHECK(pthread_join(idle[i], NULL) == 0);
	CHECK_EQ(atomic_load(&bm_nr_threads), 0);
	CHECK_EQ(kept_in_thread(), 16);
	CHECK_EQ(bm_check_invariants(STDERR_FILENO), 0);
}

int main(void)
{
	pt_setup("section_size=16M");
	RUN_TEST(test_owned_slabs);
	RUN_TEST(test_kept_budget_shared);
	return test_exit();
}
