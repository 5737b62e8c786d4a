/* SPDX-License-Identifier: MIT */
/*
 * remote_batch.c - a thread's frees into slabs another thread owns are
 * held in its remote batch (struct remote_batch, slab.h) and pushed on
 * the slab's remote list with one compare-and-swap:
 *
 *   held         frees into one slab stay with the freer: the slab's
 *                remote count does not move;
 *   other slab   a free into another slab pushes the batch, whole;
 *   full         the REMOTE_BATCH_MAX-th free pushes it;
 *   slow path    an allocation's slow path pushes it;
 *   exit         the freer's exit pushes it, and the slab then goes
 *                back empty once its owner lets it go;
 *   twice        an object freed twice by the thread holding it is
 *                reported, not pushed twice.
 */
#include "slabtest.h"
#include "malloc_fast.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define OBJS	(REMOTE_BATCH_MAX + 12)

static unsigned int cls, cls2;
static void *objs[OBJS], *other;	/* of the owner's slab of cls; of cls2 */
static struct slab *s, *s2;
static pthread_barrier_t bar;

/* Allocates the objects and keeps its slabs active until told. */
static void *owner_thread(void *arg)
{
	(void)arg;
	CHECK(bm_tcache_init());
	for (int i = 0; i < OBJS; i++)
		objs[i] = obj_alloc(cls);
	other = obj_alloc(cls2);
	pthread_barrier_wait(&bar);	/* allocated */
	pthread_barrier_wait(&bar);	/* the freer is done */
	bm_tcache_flush(&bm_tc);	/* lets its slabs go */
	return NULL;
}

static uint32_t remote_of(struct slab *slab)
{
	return remote_count(atomic_load(&slab->remote));
}

/* Free p as free does: p's slab is the owner's, active, so the remote
 * path. */
static void remote_free(void *p)
{
	uint32_t off;

	bm_slab_free_remote(obj_slab(virt_to_page(p), p, &off), p);
}

struct seen {
	uint32_t held, held_n, after_other, after_full, batch_after_full, after_slow;
};

static void *freer_thread(void *arg)
{
	struct seen *v = arg;
	void *mine;

	CHECK(bm_tcache_init());
	for (int i = 0; i < 10; i++)
		remote_free(objs[i]);
	v->held = remote_of(s);
	v->held_n = bm_tc.remote.n;
	remote_free(other);
	v->after_other = remote_of(s);
	for (int i = 10; i < 10 + REMOTE_BATCH_MAX; i++)
		remote_free(objs[i]);
	v->after_full = remote_of(s);
	v->batch_after_full = bm_tc.remote.slab == NULL;
	remote_free(objs[10 + REMOTE_BATCH_MAX]);
	/* The slow path: the bin of an unused class is empty. */
	mine = bm_slab_alloc_refill(&bm_tc.bins[cls2 + 1], cls2 + 1);
	CHECK(mine != NULL);
	v->after_slow = remote_of(s);
	remote_free(objs[11 + REMOTE_BATCH_MAX]);	/* held until exit */
	return NULL;
}

static void test_batches(void)
{
	pthread_t o, f;
	struct seen v = { 0 };
	uint32_t off;

	cls = size_to_class(64);
	cls2 = size_to_class(256);
	CHECK(pthread_barrier_init(&bar, NULL, 2) == 0);
	CHECK(pthread_create(&o, NULL, owner_thread, NULL) == 0);
	pthread_barrier_wait(&bar);
	s = obj_slab(virt_to_page(objs[0]), objs[0], &off);
	s2 = obj_slab(virt_to_page(other), other, &off);
	for (int i = 1; i < OBJS; i++)
		CHECK(obj_slab(virt_to_page(objs[i]), objs[i], &off) == s);
	CHECK(atomic_load(&s->state) == SLAB_ACTIVE);

	CHECK(pthread_create(&f, NULL, freer_thread, &v) == 0);
	CHECK(pthread_join(f, NULL) == 0);
	expect_u_eq(v.held, 0, "ten frees into one slab are held: its remote count stays 0");
	expect_u_eq(v.held_n, 10, "the batch holds the ten");
	expect_u_eq(v.after_other, 10, "a free into another slab pushes them, all ten");
	expect_u_eq(v.after_full, 10 + REMOTE_BATCH_MAX, "the batch's %u-th object pushes it",
		    REMOTE_BATCH_MAX);
	expect_true(v.batch_after_full, "and leaves it empty");
	expect_u_eq(v.after_slow, 11 + REMOTE_BATCH_MAX, "an allocation's slow path pushes it");
	expect_u_eq(remote_of(s), 12 + REMOTE_BATCH_MAX, "the freer's exit pushes what it held");
	expect_u_eq(remote_of(s2), 1, "the other slab's object too");

	pthread_barrier_wait(&bar);
	CHECK(pthread_join(o, NULL) == 0);
	pthread_barrier_destroy(&bar);
	expect_u64_eq(atomic_load(&s->inuse), 0, "let go by its owner, the slab is empty");
	CHECK_INVARIANTS();
}

/* A second free of an object the thread holds in its batch. */
static void free_held_twice(void *arg)
{
	(void)arg;
	remote_free(objs[0]);
	remote_free(objs[0]);
}

static void *twice_owner(void *arg)
{
	(void)arg;
	CHECK(bm_tcache_init());
	objs[0] = obj_alloc(cls);
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	return NULL;
}

static void test_twice(void)
{
	pthread_t o;
	char out[1024], addr[32];
	int st;

	CHECK(pthread_barrier_init(&bar, NULL, 2) == 0);
	CHECK(pthread_create(&o, NULL, twice_owner, NULL) == 0);
	pthread_barrier_wait(&bar);
	CHECK(bm_tcache_init());
	st = pt_run_child(free_held_twice, NULL, out, sizeof(out));
	snprintf(addr, sizeof(addr), "%p", objs[0]);
	expect_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "a double free aborts");
	expect_ptr_not_null(strstr(out, "double free"), "named a double free: %s", out);
	expect_ptr_not_null(strstr(out, addr), "at its address");
	pthread_barrier_wait(&bar);
	CHECK(pthread_join(o, NULL) == 0);
	pthread_barrier_destroy(&bar);
}

int main(void)
{
	pt_setup("section_size=16M");
	RUN_TEST(test_batches);
	RUN_TEST(test_twice);
	return test_exit();
}
