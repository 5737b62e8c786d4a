/* SPDX-License-Identifier: MIT */
/*
 * reclaim.c - freed memory goes back to the operating system.
 *
 * Two threads allocate about 1 GiB, half in small objects (16 B - 1 KiB)
 * and half in large ones (64 KiB - 1 MiB), and touch all of it.  The main
 * thread then frees 90% of the objects in random order, then the rest.
 * Within decay_ms + 1 s of each step resident memory must fall:
 *   after 90%: to within 5% of the pinned bytes plus a small fixed
 *     slack.  Pinned: the 4 KiB pages that hold a byte of a live object
 *     (or of the test's bookkeeping).  No allocator that does not move
 *     objects can give those back, and here they are about twice the
 *     live bytes: small objects that survive at random keep their pages
 *     (docs/reclaim.md has the numbers, also for glibc, jemalloc,
 *     mimalloc and tcmalloc);
 *   after all: to within 10% of the bytes still live (the test's own
 *     bookkeeping) plus a small fixed slack;
 *   reclaim=inline  while the program keeps calling malloc and free lightly;
 *   reclaim=thread  while it sleeps (the reclaim thread does the work).
 * Finally malloc_trim(0) must bring it down at once.
 *
 * The program runs itself once per mode with BUDDYMALLOC_CONF set, since
 * the configuration is read at start-up.  Fails without our allocator
 * (skips only with BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#include "api.h"

#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#define TOTAL		(1024UL << 20)	/* bytes allocated in all */
#define THREADS		2
#define DECAY_MS	300
#define SLACK		(24UL << 20)	/* allocator and program overhead */

struct obj {
	void	*p;
	size_t	size;
};

struct arena {
	struct obj	*objs;
	size_t		n, cap;
	unsigned long long rng;
};

static struct arena arenas[THREADS];

static void push(struct arena *a, size_t size)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4096;
		a->objs = realloc(a->objs, a->cap * sizeof(*a->objs));
		if (!a->objs)
			abort();
	}
	a->objs[a->n].p = malloc(size);
	if (!a->objs[a->n].p)
		abort();
	memset(a->objs[a->n].p, 0x6b, size);
	a->objs[a->n++].size = size;
}

/* Half the bytes in bursts of small objects, half in large ones. */
static void *allocate(void *arg)
{
	struct arena *a = arg;
	size_t done = 0;

	while (done < TOTAL / THREADS) {
		if (test_rand(&a->rng) & 1) {
			size_t size = (64UL << 10) << (test_rand(&a->rng) % 5);
			push(a, size);
			done += size;
		} else {
			for (int i = 0; i < 256; i++) {
				size_t size = 16 + test_rand(&a->rng) % 1009;
				push(a, size);
				done += size;
			}
		}
	}
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Light activity for the inline mode: a few pairs every millisecond. */
static void light_activity(unsigned long long *rng)
{
	void *p[8];

	for (int i = 0; i < 8; i++)
		p[i] = malloc(i == 7 ? 100000 : 16 + test_rand(rng) % 500);
	for (int i = 0; i < 8; i++)
		free(p[i]);
	usleep(1000);
}

/* Wait up to DECAY_MS + 1 s for RSS <= bound; returns ms taken or -1. */
static long wait_for_rss(long bound, bool inline_mode, unsigned long long *rng)
{
	uint64_t start = now_ms();

	for (;;) {
		uint64_t t = now_ms() - start;
		long rss = rss_bytes();

		if (rss <= bound)
			return (long)t;
		if (t > DECAY_MS + 1000) {
			fprintf(stderr, "RSS %ld MiB still above %ld MiB after %lu ms\n",
				rss >> 20, bound >> 20, (unsigned long)t);
			return -1;
		}
		if (inline_mode)
			light_activity(rng);
		else
			usleep(20000);
	}
}

static size_t bookkeeping(void)
{
	size_t b = 0;

	for (int t = 0; t < THREADS; t++)
		b += arenas[t].cap * sizeof(struct obj);
	return b;
}

static int cmp_page(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static size_t add_pages(uintptr_t *pages, size_t n, const void *p, size_t size)
{
	for (uintptr_t pg = (uintptr_t)p >> 12; pg <= ((uintptr_t)p + size - 1) >> 12; pg++)
		pages[n++] = pg;
	return n;
}

/* Bytes in the 4 KiB pages holding a byte of the live objects order[from..n),
 * of the bookkeeping, or of this function's own array. */
static size_t pinned_bytes(struct obj **order, size_t from, size_t n)
{
	size_t cap = 3 + (n * sizeof(*order)) / 4096 + 1, m = 0, distinct = 0;
	uintptr_t *pages;

	for (size_t k = from; k < n; k++)
		cap += order[k]->size / 4096 + 2;
	for (int t = 0; t < THREADS; t++)
		cap += arenas[t].cap * sizeof(struct obj) / 4096 + 2;
	cap += cap * sizeof(*pages) / 4096 + 2;
	pages = malloc(cap * sizeof(*pages));
	if (!pages)
		abort();
	for (size_t k = from; k < n; k++)
		m = add_pages(pages, m, order[k]->p, order[k]->size);
	for (int t = 0; t < THREADS; t++)
		m = add_pages(pages, m, arenas[t].objs, arenas[t].cap * sizeof(struct obj));
	m = add_pages(pages, m, order, n * sizeof(*order));
	m = add_pages(pages, m, pages, cap * sizeof(*pages));
	qsort(pages, m, sizeof(*pages), cmp_page);
	for (size_t i = 0; i < m; i++)
		distinct += i == 0 || pages[i] != pages[i - 1];
	free(pages);
	return distinct * 4096;
}

static int scenario(bool inline_mode)
{
	pthread_t th[THREADS];
	struct obj **order;
	size_t n = 0, k = 0, live = 0, pinned;
	unsigned long long rng = 42;
	long base = rss_bytes(), peak, t;

	for (int i = 0; i < THREADS; i++) {
		arenas[i].rng = 1000 + (unsigned long long)i;
		CHECK(pthread_create(&th[i], NULL, allocate, &arenas[i]) == 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++)
		n += arenas[i].n;
	peak = rss_bytes();
	fprintf(stderr, "%s: %zu objects, RSS %ld MiB\n",
		inline_mode ? "inline" : "thread", n, peak >> 20);
	CHECK(peak > (long)(TOTAL * 9 / 10));

	/* Free 90% in random order (shuffled), from this thread. */
	order = malloc(n * sizeof(*order));
	for (int i = 0; i < THREADS; i++)
		for (size_t j = 0; j < arenas[i].n; j++)
			order[k++] = &arenas[i].objs[j];
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = test_rand(&rng) % (i + 1);
		struct obj *tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (k = 0; k < n * 9 / 10; k++) {
		free(order[k]->p);
		order[k]->p = NULL;
	}
	for (; k < n; k++)
		live += order[k]->size;
	live += bookkeeping() + n * sizeof(*order);
	pinned = pinned_bytes(order, n * 9 / 10, n);
	t = wait_for_rss(base + (long)(pinned + pinned / 20 + SLACK), inline_mode, &rng);
	fprintf(stderr, "%s: 90%% freed, %zu MiB live, %zu MiB pinned: RSS %ld MiB after %ld ms\n",
		inline_mode ? "inline" : "thread", live >> 20, pinned >> 20,
		rss_bytes() >> 20, t);
	CHECK(t >= 0);

	/* Then the rest. */
	for (k = n * 9 / 10; k < n; k++)
		free(order[k]->p);
	live = bookkeeping() + n * sizeof(*order);
	t = wait_for_rss(base + (long)(live + live / 10 + SLACK), inline_mode, &rng);
	fprintf(stderr, "%s: all freed: RSS %ld MiB after %ld ms\n",
		inline_mode ? "inline" : "thread", rss_bytes() >> 20, t);
	CHECK(t >= 0);

	/* And malloc_trim(0) gives back what is left at once. */
	free(order);
	for (int i = 0; i < THREADS; i++)
		free(arenas[i].objs);
	malloc_trim(0);
	fprintf(stderr, "%s: after malloc_trim(0): RSS %ld MiB\n",
		inline_mode ? "inline" : "thread", rss_bytes() >> 20);
	CHECK(rss_bytes() <= base + (long)(SLACK / 2));
	return test_exit();
}

int main(int argc, char **argv)
{
	static char out[16384];
	const char *modes[] = { "inline", "thread" };

	if (!bm_active())
		return bm_not_active();
	if (argc > 1)
		return scenario(strcmp(argv[1], "inline") == 0);
	for (int i = 0; i < 2; i++) {
		char conf[128];
		int status;

		snprintf(conf, sizeof(conf), "reclaim=%s,decay_ms=%d", modes[i], DECAY_MS);
		status = run_self(modes[i], conf, out, sizeof(out), 120);
		fputs(out, stderr);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	return test_exit();
}
