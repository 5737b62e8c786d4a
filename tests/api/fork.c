/* SPDX-License-Identifier: MIT */
/*
 * fork.c - fork while 4 threads allocate and free.  Fifty times, the main
 * thread forks; the child, which may have been forked while another
 * thread held an allocator lock, must be able to malloc, check and free
 * blocks of every size range and exit 0 (a deadlock is killed by alarm and
 * counts as a failure).  The parent's blocks must be intact meanwhile.
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>

enum { WORKERS = 4, FORKS = 50, SLOTS = 256 };

static atomic_int stop;
static atomic_long worker_failures;

static void *worker(void *arg)
{
	unsigned long long seed = 1000 + (uintptr_t)arg;
	void *p[SLOTS] = { 0 };
	size_t sz[SLOTS] = { 0 };
	uint64_t id = (uint64_t)(uintptr_t)arg << 40;

	while (!atomic_load(&stop)) {
		unsigned i = (unsigned)(test_rand(&seed) % SLOTS);

		if (p[i]) {
			if (pat_check(p[i], sz[i], i + id) != (size_t)-1)
				atomic_fetch_add(&worker_failures, 1);
			free(p[i]);
			p[i] = NULL;
		} else {
			unsigned long long r = test_rand(&seed);
			sz[i] = r % 64 == 0 ? 1 + r % (512u << 10) : 1 + r % 2000;
			p[i] = (r >> 20) % 4 == 0 ? memalign(64, sz[i]) : malloc(sz[i]);
			if (p[i])
				pat_fill(p[i], sz[i], i + id);
		}
	}
	for (unsigned i = 0; i < SLOTS; i++)
		free(p[i]);
	return NULL;
}

/* In the child: every kind of allocation, checked, then exit(0). */
static void child(void)
{
	static const size_t sizes[] = { 1, 16, 100, 1000, 4096, 20000, 100000, 1u << 20, 8u << 20 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t n = sizeof(sizes) / sizeof(sizes[0]);

	alarm(20);
	for (size_t i = 0; i < n; i++) {
		p[i] = malloc(sizes[i]);
		if (!p[i])
			_exit(2);
		pat_fill(p[i], sizes[i], i);
	}
	void *c = calloc(1000, 10);
	if (!c || !all_zero(c, 10000))
		_exit(3);
	c = realloc(c, 300000);
	if (!c)
		_exit(4);
	for (size_t i = 0; i < n; i++) {
		if (pat_check(p[i], sizes[i], i) != (size_t)-1)
			_exit(5);
		free(p[i]);
	}
	free(c);
	/* A thread in the child allocates too. */
	pthread_t t;
	atomic_store(&stop, 1);
	if (pthread_create(&t, NULL, worker, (void *)99) != 0)
		_exit(6);
	pthread_join(t, NULL);
	exit(0);
}

static void test_fork_while_allocating(void)
{
	pthread_t t[WORKERS];
	void *mine = malloc(5000);

	CHECK(mine != NULL);
	if (mine)
		pat_fill(mine, 5000, 4242);
	for (uintptr_t i = 0; i < WORKERS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (int f = 0; f < FORKS; f++) {
		usleep(2000);
		fflush(NULL);
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0)
			child();
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "fork %d: child %s %d\n", f,
				WIFEXITED(st) ? "exited" : "killed by signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			CHECK(0);
		}
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(atomic_load(&worker_failures), 0);
	CHECK(mine == NULL || pat_check(mine, 5000, 4242) == (size_t)-1);
	free(mine);
}

int main(void)
{
	RUN_TEST(test_fork_while_allocating);
	return test_exit();
}
