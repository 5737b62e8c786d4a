/* SPDX-License-Identifier: MIT */
/*
 * slab_threads.c - the slab layer under cross-thread frees and thread exit,
 * driven through its internal API exactly as malloc.c drives it: a thread
 * sets up its cache with bm_tcache_init(), pops objects from its bin (or
 * bm_slab_alloc_refill when the bin is empty), frees onto the active
 * slab's list when it is the bin's and with bm_slab_free_remote()
 * otherwise (malloc.c also frees locally into kept slabs; this test
 * sends those through the remote path, which is just as valid).
 *
 * Waves of producer threads allocate objects of random classes, fill them
 * and pass them to consumers through queues, then exit with objects still
 * in flight, so their slabs go back to the node lists and the consumers'
 * remote frees find them unowned (the full-slab notify and the emptied-
 * slab paths).  Consumers check every object, free it, and allocate and
 * free objects of their own on the side.  At the end every object is
 * back, every slab is on a node list, none is full, and the invariant walk
 * finds nothing.
 */
#include "slabtest.h"

#include <pthread.h>
#include <string.h>

#define WAVES		6
#define PRODUCERS	4	/* per wave */
#define CONSUMERS	3
#define PER_PRODUCER	6000	/* objects each producer hands out */
#define LOCAL_SLOTS	64	/* objects a thread keeps for itself */
#define QUEUE_LEN	1024

/* ------------------------------------------------------ the slab API */

static long bad_frees;

static void obj_free(void *p)
{
	struct page *page = virt_to_page(p);
	struct tcache_bin *bin;
	struct slab *s;
	uint32_t off;

	if (!(page->flags & PG_slab)) {
		__atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED);
		return;
	}
	s = obj_slab(page, p, &off);
	bin = &bm_tc.bins[page->aux8];
	if (!class_divides(page->aux8, off) || bm_slab_check_free(s, p, bin)) {
		__atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED);
		return;
	}
	if (bin->slab == s) {
		fl_set(p, bin->freelist);
		((void **)p)[1] = (void *)free_marker(p);
		bin->freelist = p;
		return;
	}
	bm_slab_free_remote(s, p);
}

/* ---------------------------------------------------------- contents */

/* Mostly small classes, some of every size up to 16 KiB. */
static unsigned int pick_class(unsigned long long *rng)
{
	unsigned long long r = test_rand(rng);

	return (unsigned int)(r % 4 ? r >> 8 & 15 : r >> 8 & (NR_SIZE_CLASSES - 1));
}

/* Every word of the object: its address mixed with a tag, so an object
 * handed out twice, or written after it was freed, shows. */
static void obj_fill(void *p, unsigned int cls, uint64_t tag)
{
	uint64_t *w = p;

	for (uint32_t i = 0; i < bm_class_size[cls] / 8; i++)
		w[i] = (uintptr_t)p ^ tag ^ i * 0x9e3779b97f4a7c15ULL;
}

static bool obj_ok(void *p, unsigned int cls, uint64_t tag)
{
	uint64_t *w = p;

	for (uint32_t i = 0; i < bm_class_size[cls] / 8; i++)
		if (w[i] != ((uintptr_t)p ^ tag ^ i * 0x9e3779b97f4a7c15ULL))
			return false;
	return true;
}

/* ------------------------------------------------------------- queues */

struct item {
	void		*p;
	unsigned int	cls;
	uint64_t	tag;
};

struct queue {
	pthread_mutex_t	lock;
	pthread_cond_t	nonempty, nonfull;
	struct item	ring[QUEUE_LEN];
	unsigned int	head, len;
	bool		closed;
};

static struct queue queues[CONSUMERS];

static void queue_put(struct queue *q, struct item it)
{
	pthread_mutex_lock(&q->lock);
	while (q->len == QUEUE_LEN)
		pthread_cond_wait(&q->nonfull, &q->lock);
	q->ring[(q->head + q->len++) % QUEUE_LEN] = it;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

/* False when the queue is closed and drained. */
static bool queue_get(struct queue *q, struct item *it)
{
	pthread_mutex_lock(&q->lock);
	while (!q->len && !q->closed)
		pthread_cond_wait(&q->nonempty, &q->lock);
	if (!q->len) {
		pthread_mutex_unlock(&q->lock);
		return false;
	}
	*it = q->ring[q->head];
	q->head = (q->head + 1) % QUEUE_LEN;
	q->len--;
	pthread_cond_signal(&q->nonfull);
	pthread_mutex_unlock(&q->lock);
	return true;
}

/* ------------------------------------------------------------ threads */

struct local {
	void		*p[LOCAL_SLOTS];
	unsigned int	cls[LOCAL_SLOTS];
	uint64_t	tag;
};

static long failures;		/* allocation failures and bad contents */
static long handed_out, checked;

static void fail_one(void)
{
	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
}

/* Replace one of the thread's own objects: a local free, mostly. */
static void local_churn(struct local *l, unsigned long long *rng)
{
	unsigned int k = (unsigned int)(test_rand(rng) % LOCAL_SLOTS);

	if (l->p[k]) {
		if (!obj_ok(l->p[k], l->cls[k], l->tag ^ k))
			fail_one();
		obj_free(l->p[k]);
	}
	l->cls[k] = pick_class(rng);
	l->p[k] = obj_alloc(l->cls[k]);
	if (!l->p[k])
		fail_one();
	else
		obj_fill(l->p[k], l->cls[k], l->tag ^ k);
}

static void local_release(struct local *l)
{
	for (unsigned int k = 0; k < LOCAL_SLOTS; k++)
		if (l->p[k]) {
			if (!obj_ok(l->p[k], l->cls[k], l->tag ^ k))
				fail_one();
			obj_free(l->p[k]);
			l->p[k] = NULL;
		}
}

static void *producer(void *arg)
{
	unsigned long long rng = 0x9e3779b9ULL * (uintptr_t)arg + 7;
	struct local l = { .tag = (uintptr_t)arg << 32 };

	if (!bm_tcache_init() || bm_tc.state != TC_LIVE) {
		fail_one();
		return NULL;
	}
	for (int i = 0; i < PER_PRODUCER; i++) {
		struct item it = { .cls = pick_class(&rng), .tag = test_rand(&rng) };

		it.p = obj_alloc(it.cls);
		if (!it.p) {
			fail_one();
			continue;
		}
		obj_fill(it.p, it.cls, it.tag);
		queue_put(&queues[test_rand(&rng) % CONSUMERS], it);
		__atomic_fetch_add(&handed_out, 1, __ATOMIC_RELAXED);
		if (i % 4 == 0)
			local_churn(&l, &rng);
	}
	local_release(&l);
	/* Exit with objects still queued: the TSD destructor hands this
	 * thread's slabs to the node lists while consumers free into them. */
	return NULL;
}

static void *consumer(void *arg)
{
	struct queue *q = &queues[(uintptr_t)arg];
	unsigned long long rng = 0x51ed27ULL * ((uintptr_t)arg + 1);
	struct local l = { .tag = ((uintptr_t)arg + 1000) << 32 };
	struct item it;

	if (!bm_tcache_init()) {
		fail_one();
		return NULL;
	}
	while (queue_get(q, &it)) {
		if (!obj_ok(it.p, it.cls, it.tag))
			fail_one();
		obj_free(it.p);
		__atomic_fetch_add(&checked, 1, __ATOMIC_RELAXED);
		local_churn(&l, &rng);
	}
	local_release(&l);
	return NULL;
}

/* -------------------------------------------------------------- tests */

static void test_cross_thread_frees(void)
{
	pthread_t prod[PRODUCERS], cons[CONSUMERS];

	for (uintptr_t c = 0; c < CONSUMERS; c++) {
		pthread_mutex_init(&queues[c].lock, NULL);
		pthread_cond_init(&queues[c].nonempty, NULL);
		pthread_cond_init(&queues[c].nonfull, NULL);
		CHECK(pthread_create(&cons[c], NULL, consumer, (void *)c) == 0);
	}
	/* Waves of producers: each exits while the next starts, so thread
	 * exit races with remote frees into the slabs it gave back. */
	for (uintptr_t w = 0; w < WAVES; w++) {
		for (uintptr_t i = 0; i < PRODUCERS; i++)
			CHECK(pthread_create(&prod[i], NULL, producer,
					     (void *)(w * PRODUCERS + i + 1)) == 0);
		for (int i = 0; i < PRODUCERS; i++)
			pthread_join(prod[i], NULL);
	}
	for (int c = 0; c < CONSUMERS; c++) {
		pthread_mutex_lock(&queues[c].lock);
		queues[c].closed = true;
		pthread_cond_broadcast(&queues[c].nonempty);
		pthread_mutex_unlock(&queues[c].lock);
	}
	for (int c = 0; c < CONSUMERS; c++)
		pthread_join(cons[c], NULL);

	CHECK_EQ(failures, 0);
	CHECK_EQ(bad_frees, 0);
	CHECK_EQ(handed_out, (long)WAVES * PRODUCERS * PER_PRODUCER);
	CHECK_EQ(checked, handed_out);
}

/* Every thread has exited: every slab sits on a node list, and with every
 * object free none can be full (the first remote free into a full slab
 * moves it). */
static void test_slabs_returned(void)
{
	uint64_t slabs = 0;

	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		struct slab_cache_node *n = &bm_slab_nodes[0][c];

		bm_lock(&n->lock);
		CHECK_EQ(n->nr_slabs, n->nr_partial + n->nr_full + n->nr_empty);
		CHECK_EQ(n->nr_full, 0);
		CHECK_EQ(n->nr_alloc_slab - n->nr_free_slab, n->nr_slabs);
		slabs += n->nr_slabs;
		bm_unlock(&n->lock);
	}
	CHECK(slabs > 0);	/* the empty reserve at least */
	CHECK_INVARIANTS();
}

/* A fresh thread reuses the returned slabs: its objects are whole. */
static void *reuser(void *arg)
{
	unsigned long long rng = 99;
	struct local l = { .tag = 0xabcdULL << 40 };

	(void)arg;
	if (!bm_tcache_init())
		return (void *)1;
	for (int i = 0; i < 20000; i++)
		local_churn(&l, &rng);
	local_release(&l);
	return NULL;
}

static void test_reuse_after_exit(void)
{
	pthread_t t;
	void *ret = NULL;

	CHECK(pthread_create(&t, NULL, reuser, NULL) == 0);
	pthread_join(t, &ret);
	CHECK(ret == NULL);
	CHECK_EQ(failures, 0);
	CHECK_EQ(bad_frees, 0);
	test_slabs_returned();
}

int main(void)
{
	pt_setup("section_size=16M");
	RUN_TEST(test_cross_thread_frees);
	RUN_TEST(test_slabs_returned);
	RUN_TEST(test_reuse_after_exit);
	return test_exit();
}
