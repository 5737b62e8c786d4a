/* SPDX-License-Identifier: MIT */
/*
 * stress.c - a long randomised stress test of the malloc API (linked with
 * libbuddymalloc); not part of make check.
 *
 *   tests/stress/stress [SECONDS [THREADS]]
 *
 * SECONDS (default 120, or $STRESS_SECONDS) and THREADS (default 8, or
 * $STRESS_THREADS).  THREADS workers run malloc, calloc, realloc, memalign,
 * posix_memalign and free on random sizes from 0 to 1 MiB, with a few up to
 * 8 MiB (over the largest buddy block); every block carries a pattern that
 * is checked before it is freed or resized and after it is resized.  A
 * worker passes blocks to the others through shared queues, so frees cross
 * threads; after a random number of operations it exits, handing half its
 * blocks to the queues, and the main thread starts a replacement.  A
 * forker thread forks every few tens of milliseconds while the workers
 * run: the child checks and frees the blocks the forker held, allocates
 * and checks more, runs buddymalloc_check() and exits 0.  At the end the
 * queues are drained and buddymalloc_check() must find no violation.
 * Exit status 0 on success; any failure prints what and aborts.
 */
#define _GNU_SOURCE
#include "buddymalloc.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64
#define SLOTS		256		/* blocks a worker holds */
#define QUEUE_LEN	512
#define DENSE		4096		/* bytes patterned in full */
#define PAGE		4096
#define FORK_SLOTS	64

#define die(...) do { \
	fprintf(stderr, "stress: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

struct block {
	unsigned char	*p;
	size_t		size;
	uint64_t	seed;
};

static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* ---------------------------------------------------------------- pattern */

static inline uint64_t pat_word(uint64_t seed, size_t w)
{
	uint64_t x = (seed + w) * 0x9e3779b97f4a7c15ULL;

	return x ^ x >> 31;
}

static inline unsigned char pat(uint64_t seed, size_t i)
{
	return (unsigned char)(pat_word(seed, i / 8) >> (i % 8 * 8));
}

/* The patterned offsets: every byte of the first DENSE, then the first
 * byte of each page and the last byte. */
static inline size_t next_off(size_t i)
{
	return i + 1 < DENSE ? i + 1 : (i / PAGE + 1) * PAGE;
}

static void fill(const struct block *b)
{
	for (size_t i = 0; i < b->size; i = next_off(i))
		b->p[i] = pat(b->seed, i);
	if (b->size)
		b->p[b->size - 1] = pat(b->seed, b->size - 1);
}

/* Check the pattern of b over [0, limit). */
static void verify(const struct block *b, size_t limit, const char *when)
{
	size_t end = b->size < limit ? b->size : limit;

	for (size_t i = 0; i < end; i = next_off(i))
		if (b->p[i] != pat(b->seed, i))
			die("%s: block %p of %zu bytes: byte %zu is 0x%02x, not 0x%02x",
			    when, (void *)b->p, b->size, i, b->p[i], pat(b->seed, i));
	if (end == b->size && end && b->p[end - 1] != pat(b->seed, end - 1))
		die("%s: block %p of %zu bytes: last byte is 0x%02x, not 0x%02x",
		    when, (void *)b->p, b->size, b->p[end - 1], pat(b->seed, end - 1));
}

static size_t random_size(uint64_t *rng)
{
	uint64_t r = rnd(rng), pick = r % 1000;

	r >>= 10;
	if (pick < 5)
		return 1 + r % (8u << 20);		/* up to 8 MiB */
	if (pick < 50)
		return r % ((1u << 20) + 1);		/* up to 1 MiB */
	if (pick < 300)
		return r % 16385;			/* slabs */
	return r % 257;
}

static void check_new(const void *p, size_t size, size_t align, const char *what)
{
	if (!p)
		die("%s(%zu) failed: %s", what, size, strerror(errno));
	if ((uintptr_t)p % (align < 16 ? 16 : align))
		die("%s(%zu) returned %p, not aligned to %zu", what, size, p, align);
	if (malloc_usable_size((void *)p) < size)
		die("%s(%zu): usable size %zu", what, size, malloc_usable_size((void *)p));
}

static void block_free(struct block *b)
{
	if (!b->p)
		return;
	verify(b, b->size, "before free");
	free(b->p);
	b->p = NULL;
}

/* One random operation on slot b. */
static void block_op(struct block *b, uint64_t *rng, uint64_t *gen)
{
	uint64_t r = rnd(rng);
	size_t size = random_size(rng), align;
	void *p = NULL;

	if (b->p && r % 4 == 0) {		/* realloc */
		struct block old = *b;

		verify(b, b->size, "before realloc");
		p = realloc(b->p, size);
		if (!size) {
			b->p = NULL;
			return;
		}
		check_new(p, size, 16, "realloc");
		old.p = p;
		verify(&old, size, "after realloc");
		b->p = p;
		b->size = size;
		fill(b);
		return;
	}
	block_free(b);
	if (r % 8 == 1)
		return;
	switch (r >> 8 & 7) {
	case 0: {
		unsigned char *z;

		size /= 4;
		z = calloc(4, size);
		check_new(z, 4 * size, 16, "calloc");
		for (size_t i = 0; i < 4 * size; i += (i < DENSE ? 1 : 61))
			if (z[i])
				die("calloc(4, %zu) = %p: byte %zu is not zero", size, (void *)z, i);
		p = z;
		size *= 4;
		break;
	}
	case 1:
		align = (size_t)1 << (r >> 16) % 17;
		p = memalign(align, size);
		check_new(p, size, align, "memalign");
		break;
	case 2:
		align = (size_t)8 << (r >> 16) % 14;
		if (posix_memalign(&p, align, size))
			p = NULL;
		check_new(p, size, align, "posix_memalign");
		break;
	default:
		p = malloc(size);
		check_new(p, size, 16, "malloc");
		break;
	}
	b->p = p;
	b->size = size;
	b->seed = ++*gen ^ r << 32;
	fill(b);
}

/* ---------------------------------------------------------------- queues */

struct queue {
	pthread_mutex_t	lock;
	struct block	ring[QUEUE_LEN];
	unsigned int	head, len;
};

static struct queue queues[MAX_THREADS];
static int nthreads;

/* Pass b to queue q; false (and b kept) when it is full. */
static bool queue_put(int q, struct block *b)
{
	struct queue *qu = &queues[q];
	bool ok;

	pthread_mutex_lock(&qu->lock);
	ok = qu->len < QUEUE_LEN;
	if (ok) {
		qu->ring[(qu->head + qu->len++) % QUEUE_LEN] = *b;
		b->p = NULL;
	}
	pthread_mutex_unlock(&qu->lock);
	return ok;
}

static bool queue_get(int q, struct block *b)
{
	struct queue *qu = &queues[q];
	bool ok;

	pthread_mutex_lock(&qu->lock);
	ok = qu->len > 0;
	if (ok) {
		*b = qu->ring[qu->head];
		qu->head = (qu->head + 1) % QUEUE_LEN;
		qu->len--;
	}
	pthread_mutex_unlock(&qu->lock);
	return ok;
}

/* ---------------------------------------------------------------- workers */

static atomic_bool stop;
static atomic_ulong total_ops, cross_frees, exits, forks;

struct worker {
	pthread_t	thread;
	int		id;
	uint64_t	seed;
	atomic_bool	done;
};

static struct worker workers[MAX_THREADS];

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t rng = w->seed | 1, gen = (uint64_t)w->id << 40;
	uint64_t quota = 2000 + rnd(&rng) % 40000, ops = 0;
	struct block *slots = calloc(SLOTS, sizeof(*slots));
	struct block b;

	if (!slots)
		die("calloc of the slot table failed");
	while (!atomic_load_explicit(&stop, memory_order_relaxed) && ops < quota) {
		uint64_t r = rnd(&rng);
		struct block *s = &slots[r % SLOTS];

		ops++;
		if (r >> 32 & 1) {
			block_op(s, &rng, &gen);
			continue;
		}
		/* Cross-thread traffic: take a block from our queue, or
		 * pass one of ours to another. */
		if (queue_get(w->id, &b)) {
			block_free(&b);
			atomic_fetch_add_explicit(&cross_frees, 1, memory_order_relaxed);
		}
		if (s->p)
			queue_put((int)((r >> 40) % (uint64_t)nthreads), s);
	}
	/* Exit: half of the blocks to the others, the rest freed here. */
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p && i % 2 == 0)
			queue_put((w->id + 1 + i) % nthreads, &slots[i]);
		block_free(&slots[i]);
	}
	free(slots);
	atomic_fetch_add_explicit(&total_ops, ops, memory_order_relaxed);
	atomic_fetch_add_explicit(&exits, 1, memory_order_relaxed);
	atomic_store(&w->done, true);
	return NULL;
}

static void start_worker(struct worker *w, uint64_t *rng)
{
	w->seed = rnd(rng);
	atomic_store(&w->done, false);
	if (pthread_create(&w->thread, NULL, worker_main, w))
		die("pthread_create failed");
}

/* ---------------------------------------------------------------- fork */

/* The child: the forker's blocks came through fork whole; free them, then
 * allocate and check more, and walk the invariants. */
static int child(struct block *held, uint64_t rng)
{
	struct block b[FORK_SLOTS] = { { 0 } };
	uint64_t gen = 1;

	for (int i = 0; i < FORK_SLOTS; i++)
		block_free(&held[i]);
	for (int i = 0; i < 4000; i++)
		block_op(&b[rnd(&rng) % FORK_SLOTS], &rng, &gen);
	for (int i = 0; i < FORK_SLOTS; i++)
		block_free(&b[i]);
	return buddymalloc_check(STDERR_FILENO) == 0 ? 0 : 3;
}

static void *forker_main(void *arg)
{
	uint64_t rng = (uintptr_t)arg | 1, gen = 7ULL << 56;
	struct block held[FORK_SLOTS] = { { 0 } };

	while (!atomic_load(&stop)) {
		struct timespec ts = { 0, 20000000 + (long)(rnd(&rng) % 60000000) };
		int status;
		pid_t pid;

		for (int i = 0; i < 200; i++)
			block_op(&held[rnd(&rng) % FORK_SLOTS], &rng, &gen);
		pid = fork();
		if (pid < 0)
			die("fork failed: %s", strerror(errno));
		if (pid == 0)
			_exit(child(held, rng));
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid failed");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			die("fork child failed: status 0x%x", status);
		atomic_fetch_add(&forks, 1);
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < FORK_SLOTS; i++)
		block_free(&held[i]);
	return NULL;
}

/* ---------------------------------------------------------------- main */

static long arg_or_env(int argc, char **argv, int i, const char *env, long def)
{
	const char *s = argc > i ? argv[i] : getenv(env);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	if (*end || v < 0) {
		fprintf(stderr, "stress: bad number '%s'\nusage: stress [SECONDS [THREADS]]\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long seconds = arg_or_env(argc, argv, 1, "STRESS_SECONDS", 120);
	uint64_t rng = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL | 1;
	struct timespec poll = { 0, 5000000 };
	pthread_t forker;
	unsigned long bad;
	time_t end;
	struct block b;

	nthreads = (int)arg_or_env(argc, argv, 2, "STRESS_THREADS", 8);
	if (nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "stress: THREADS must be 1 to %d\n", MAX_THREADS);
		return 2;
	}
	printf("stress: %ld s, %d threads, seed %llu\n", seconds, nthreads,
	       (unsigned long long)rng);
	fflush(stdout);
	for (int i = 0; i < nthreads; i++) {
		pthread_mutex_init(&queues[i].lock, NULL);
		workers[i].id = i;
		start_worker(&workers[i], &rng);
	}
	if (pthread_create(&forker, NULL, forker_main, (void *)(uintptr_t)rnd(&rng)))
		die("pthread_create failed");

	/* Thread churn: replace each worker that reached its quota. */
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		for (int i = 0; i < nthreads; i++)
			if (atomic_load(&workers[i].done)) {
				pthread_join(workers[i].thread, NULL);
				start_worker(&workers[i], &rng);
			}
		nanosleep(&poll, NULL);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < nthreads; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_join(forker, NULL);
	for (int q = 0; q < nthreads; q++)
		while (queue_get(q, &b))
			block_free(&b);

	bad = buddymalloc_check(STDERR_FILENO);
	printf("stress: %lu operations, %lu cross-thread frees, %lu thread exits, "
	       "%lu forks; buddymalloc_check: %lu violations\n",
	       atomic_load(&total_ops), atomic_load(&cross_frees), atomic_load(&exits),
	       atomic_load(&forks), bad);
	if (bad)
		die("the invariant walk found %lu violations", bad);
	if (!atomic_load(&forks) && seconds > 1)
		die("no fork completed");
	return 0;
}
