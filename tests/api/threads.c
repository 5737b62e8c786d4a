/* SPDX-License-Identifier: MIT */
/*
 * threads.c - 100,000 short-lived threads, each allocating and freeing
 * blocks of several sizes and leaving some for the main thread to free
 * later.  Whatever a thread caches must be given back when it exits: the
 * resident set size (from /proc/self/statm) after 100,000 threads may
 * exceed the one after 10,000 by at most a few MiB.
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <pthread.h>

enum { THREADS = 100000, AT_ONCE = 4, KEEP = 2, LIMIT_MIB = 4 };

struct work {
	unsigned n;
	void *kept[KEEP];
	int failures;
};

static void *worker(void *arg)
{
	struct work *w = arg;
	static const size_t sizes[] = { 8, 40, 128, 600, 2048, 5000, 40000, 200000 };
	void *p[8];

	for (int i = 0; i < 8; i++) {
		size_t s = sizes[(w->n + (unsigned)i) % 8];

		p[i] = malloc(s);
		if (!p[i]) {
			w->failures++;
			continue;
		}
		pat_fill(p[i], s, w->n * 8u + (unsigned)i);
	}
	for (int i = 0; i < 8; i++) {
		size_t s = sizes[(w->n + (unsigned)i) % 8];

		if (p[i] && pat_check(p[i], s, w->n * 8u + (unsigned)i) != (size_t)-1)
			w->failures++;
	}
	/* Two blocks outlive the thread; the main thread frees them. */
	w->kept[0] = p[0];
	w->kept[1] = p[3];
	for (int i = 0; i < 8; i++)
		if (i != 0 && i != 3)
			free(p[i]);
	return NULL;
}

static void test_short_lived_threads(void)
{
	static struct work w[AT_ONCE * 2];
	long rss_10k = -1, rss_100k;
	int failures = 0;

	for (unsigned n = 0; n < THREADS; n += AT_ONCE) {
		pthread_t t[AT_ONCE];
		/* Alternate halves of w[] so the blocks of the previous group
		 * are freed only after the next group ran. */
		struct work *g = &w[(n / AT_ONCE) % 2 * AT_ONCE];

		for (unsigned i = 0; i < AT_ONCE; i++) {
			for (int k = 0; k < KEEP; k++)
				free(g[i].kept[k]);
			memset(&g[i], 0, sizeof(g[i]));
			g[i].n = n + i;
		}
		for (unsigned i = 0; i < AT_ONCE; i++)
			if (pthread_create(&t[i], NULL, worker, &g[i]) != 0) {
				fprintf(stderr, "pthread_create failed at thread %u\n", n + i);
				CHECK(0);
				return;
			}
		for (unsigned i = 0; i < AT_ONCE; i++) {
			pthread_join(t[i], NULL);
			failures += g[i].failures;
		}
		if (n + AT_ONCE == 10000)
			rss_10k = rss_bytes();
	}
	for (unsigned i = 0; i < AT_ONCE * 2; i++)
		for (int k = 0; k < KEEP; k++)
			free(w[i].kept[k]);
	rss_100k = rss_bytes();
	fprintf(stderr, "RSS after 10,000 threads %ld KiB, after 100,000 %ld KiB\n",
		rss_10k / 1024, rss_100k / 1024);
	CHECK_EQ(failures, 0);
	CHECK(rss_10k > 0 && rss_100k > 0);
	CHECK(rss_100k - rss_10k <= (long)LIMIT_MIB << 20);
}

int main(void)
{
	RUN_TEST(test_short_lived_threads);
	return test_exit();
}
