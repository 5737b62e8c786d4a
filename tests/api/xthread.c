/* SPDX-License-Identifier: MIT */
/*
 * xthread.c - cross-thread frees.  Producer threads allocate objects of
 * several sizes (16 bytes to 1 MiB), fill them with a pattern of their id
 * and pass them through a queue to consumer threads, which check the
 * pattern and free them.  Then objects allocated by threads that have
 * exited are checked and freed by the main thread, and the memory freed
 * that way must be reusable.
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <pthread.h>

enum { PRODUCERS = 4, CONSUMERS = 4, PER_PRODUCER = 25000, QLEN = 1024 };

struct obj {
	void *p;
	size_t size;
	uint64_t id;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct obj q[QLEN];
	unsigned head, tail, count, producers_left;
} queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
	.producers_left = PRODUCERS,
};

static const size_t sizes[] = { 16, 24, 64, 100, 256, 1000, 3000, 4096, 9000, 20000, 70000, 300000, 1u << 20 };

static size_t pick_size(unsigned long long *seed)
{
	unsigned long long r = test_rand(seed);
	size_t n = sizeof(sizes) / sizeof(sizes[0]);
	/* The two largest sizes are rare. */
	size_t i = (r % 100) < 2 ? n - 1 - (r >> 32) % 2 : (r >> 32) % (n - 2);

	return sizes[i] - (r >> 50) % 8;
}

static void push(struct obj o)
{
	pthread_mutex_lock(&queue.lock);
	while (queue.count == QLEN)
		pthread_cond_wait(&queue.not_full, &queue.lock);
	queue.q[queue.tail] = o;
	queue.tail = (queue.tail + 1) % QLEN;
	queue.count++;
	pthread_cond_signal(&queue.not_empty);
	pthread_mutex_unlock(&queue.lock);
}

static int pop(struct obj *o)
{
	pthread_mutex_lock(&queue.lock);
	while (queue.count == 0 && queue.producers_left)
		pthread_cond_wait(&queue.not_empty, &queue.lock);
	if (queue.count == 0) {
		pthread_mutex_unlock(&queue.lock);
		return 0;
	}
	*o = queue.q[queue.head];
	queue.head = (queue.head + 1) % QLEN;
	queue.count--;
	pthread_cond_signal(&queue.not_full);
	pthread_mutex_unlock(&queue.lock);
	return 1;
}

static void *producer(void *arg)
{
	uintptr_t n = (uintptr_t)arg;
	unsigned long long seed = 0xabcdefULL + n * 7919;
	long failures = 0;

	for (uint64_t i = 0; i < PER_PRODUCER; i++) {
		struct obj o = { .size = pick_size(&seed), .id = ((uint64_t)n << 40) | i };

		o.p = malloc(o.size);
		if (!o.p) {
			failures++;
			continue;
		}
		pat_fill(o.p, o.size, o.id);
		push(o);
	}
	pthread_mutex_lock(&queue.lock);
	queue.producers_left--;
	pthread_cond_broadcast(&queue.not_empty);
	pthread_mutex_unlock(&queue.lock);
	return (void *)failures;
}

static void *consumer(void *arg)
{
	long *count = arg;
	long failures = 0;
	struct obj o;

	while (pop(&o)) {
		size_t off = pat_check(o.p, o.size, o.id);

		if (off != (size_t)-1) {
			fprintf(stderr, "object %llx (%zu bytes) corrupted at %zu\n",
				(unsigned long long)o.id, o.size, off);
			failures++;
		}
		/* Hold a few blocks of our own meanwhile, so both kinds of
		 * free mix in this thread. */
		void *mine = malloc(o.size / 2 + 1);
		if (mine)
			memset(mine, 0x77, o.size / 2 + 1);
		free(o.p);
		free(mine);
		(*count)++;
	}
	return (void *)failures;
}

static void test_producer_consumer(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	long counts[CONSUMERS] = { 0 }, total = 0;
	void *ret;

	for (uintptr_t i = 0; i < CONSUMERS; i++)
		CHECK_EQ(pthread_create(&c[i], NULL, consumer, &counts[i]), 0);
	for (uintptr_t i = 0; i < PRODUCERS; i++)
		CHECK_EQ(pthread_create(&p[i], NULL, producer, (void *)i), 0);
	for (int i = 0; i < PRODUCERS; i++) {
		pthread_join(p[i], &ret);
		CHECK_EQ((long)ret, 0);
	}
	for (int i = 0; i < CONSUMERS; i++) {
		pthread_join(c[i], &ret);
		CHECK_EQ((long)ret, 0);
		total += counts[i];
	}
	CHECK_EQ(total, (long)PRODUCERS * PER_PRODUCER);
}

/* Objects of exited threads, freed by the main thread. */
enum { BATCH = 20000 };

static struct obj orphans[BATCH];

static void *allocate_and_exit(void *arg)
{
	uintptr_t n = (uintptr_t)arg;
	unsigned long long seed = 77 + n;

	for (size_t i = n; i < BATCH; i += 4) {
		orphans[i].size = pick_size(&seed);
		orphans[i].id = i;
		orphans[i].p = malloc(orphans[i].size);
		if (orphans[i].p)
			pat_fill(orphans[i].p, orphans[i].size, i);
	}
	return NULL;
}

static void test_free_after_thread_exit(void)
{
	for (int round = 0; round < 3; round++) {
		pthread_t t[4];

		for (uintptr_t i = 0; i < 4; i++)
			CHECK_EQ(pthread_create(&t[i], NULL, allocate_and_exit, (void *)i), 0);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		for (size_t i = 0; i < BATCH; i++) {
			CHECK(orphans[i].p != NULL);
			if (!orphans[i].p)
				continue;
			CHECK(pat_check(orphans[i].p, orphans[i].size, orphans[i].id) == (size_t)-1);
		}
		/* Free in an order unlike the allocation order. */
		for (size_t i = 0; i < BATCH; i++) {
			size_t j = (i * 7919) % BATCH;
			free(orphans[j].p);
			orphans[j].p = NULL;
		}
		/* The memory is usable again from here. */
		for (size_t i = 0; i < BATCH; i++) {
			orphans[i].p = malloc(orphans[i].size);
			CHECK(orphans[i].p != NULL);
			if (orphans[i].p)
				pat_fill(orphans[i].p, orphans[i].size, i + 1);
		}
		for (size_t i = 0; i < BATCH; i++) {
			if (orphans[i].p)
				CHECK(pat_check(orphans[i].p, orphans[i].size, i + 1) == (size_t)-1);
			free(orphans[i].p);
			orphans[i].p = NULL;
		}
	}
}

int main(void)
{
	RUN_TEST(test_producer_consumer);
	RUN_TEST(test_free_after_thread_exit);
	return test_exit();
}
