/* SPDX-License-Identifier: MIT */
/*
 * idle_return.c - with the default configuration, freed memory goes
 * back to the OS within decay_ms + 1 s whatever the program does next,
 * and only programs that grow large get a reclaim thread.
 *
 * Each case runs in a fresh process (run_self), since the configuration
 * is read at start-up:
 *   fastpath  two threads allocate BIG bytes in mixed sizes (16 B to
 *             40 KiB), touch and free them all; the main thread then only
 *             mallocs and frees one 64 B object, on the fast path, with no
 *             slow path to run inline reclaim: RSS must fall to within
 *             SLACK of where it started within decay_ms + 1 s;
 *   sleep     the same, the main thread asleep;
 *   epoll     the same, the main thread waiting in epoll_wait;
 *   small     SMALL bytes allocated and freed start no thread; BIG bytes
 *             freed then start one (a second thread in the process);
 *   optout    with reclaim=inline, the documented opt-out, BIG bytes
 *             freed start no thread;
 *   fork      a process whose thread runs forks: the child has no
 *             thread, and its own big free gets it one and its memory
 *             back.
 * Fails without our allocator (skips only with
 * BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#include "api.h"

#include <pthread.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <time.h>

#define BIG		(256UL << 20)	/* bytes the large cases allocate */
#define SMALL		(8UL << 20)	/* below reclaim_thread_min (32 MiB) */
#define SLACK		(24UL << 20)	/* allocator and program overhead */
#define DECAY_MS	1000		/* the default decay_ms */
#define THREADS		2

struct part {
	void		**objs;
	size_t		n, bytes;
	unsigned long long rng;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sizes 16 B to 40 KiB, log-uniform, touched; then all freed. */
static void *churn(void *arg)
{
	struct part *p = arg;
	size_t cap = p->bytes / 16, done = 0;

	p->objs = malloc(cap * sizeof(*p->objs));
	if (!p->objs)
		abort();
	while (done < p->bytes && p->n < cap) {
		size_t size = (size_t)16 << (test_rand(&p->rng) % 12);

		size += test_rand(&p->rng) % size;
		if (size > 40 << 10)
			size = 40 << 10;
		p->objs[p->n] = malloc(size);
		if (!p->objs[p->n])
			abort();
		memset(p->objs[p->n++], 0x5c, size);
		done += size;
	}
	for (size_t i = 0; i < p->n; i++)
		free(p->objs[i]);
	free(p->objs);
	return NULL;
}

/* Allocate and free `bytes` in THREADS threads, joined. */
static void grow_and_free(size_t bytes)
{
	struct part parts[THREADS];
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++) {
		parts[i] = (struct part){ .bytes = bytes / THREADS, .rng = 0x9e37 + (unsigned)i };
		if (pthread_create(&t[i], NULL, churn, &parts[i]) != 0)
			abort();
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

static int nr_threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Wait up to ms for the process to have `want` threads. */
static bool threads_reach(int want, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	do {
		if (nr_threads() == want)
			return true;
		usleep(10000);
	} while (now_ms() < end);
	return nr_threads() == want;
}

enum idle { IDLE_FASTPATH, IDLE_SLEEP, IDLE_EPOLL };

/* Spend about ms the way `how` says. */
static void idle_for(enum idle how, unsigned ms, int epfd)
{
	uint64_t end = now_ms() + ms;

	if (how == IDLE_SLEEP) {
		usleep(ms * 1000);
	} else if (how == IDLE_EPOLL) {
		struct epoll_event ev;

		(void)epoll_wait(epfd, &ev, 1, (int)ms);
	} else {
		while (now_ms() < end)
			for (int i = 0; i < 4096; i++) {
				void *volatile p = malloc(64);

				free(p);
			}
	}
}

/* After a big free, RSS falls to start + SLACK within decay_ms + 1 s. */
static int returns_while(enum idle how)
{
	long start = rss_bytes();
	int epfd = epoll_create1(0);
	uint64_t freed, back = 0;

	grow_and_free(BIG);
	freed = now_ms();
	while (now_ms() - freed < DECAY_MS + 1000) {
		idle_for(how, 50, epfd);
		if (rss_bytes() <= start + (long)SLACK) {
			back = now_ms() - freed;
			break;
		}
	}
	if (!back) {
		fprintf(stderr, "RSS %ld MiB %u ms after freeing %lu MiB (start %ld MiB)\n",
			rss_bytes() >> 20, DECAY_MS + 1000, BIG >> 20, start >> 20);
		return 1;
	}
	fprintf(stderr, "back to within %lu MiB of the start %lu ms after the frees\n",
		SLACK >> 20, (unsigned long)back);
	return 0;
}

static int small_then_big(void)
{
	grow_and_free(SMALL);
	usleep(300 * 1000);
	if (nr_threads() != 1) {
		fprintf(stderr, "%d threads after a small program's frees, want 1\n", nr_threads());
		return 1;
	}
	grow_and_free(BIG);
	if (!threads_reach(2, 500)) {
		fprintf(stderr, "%d threads after freeing %lu MiB, want 2 (the reclaim thread)\n",
			nr_threads(), BIG >> 20);
		return 1;
	}
	return 0;
}

static int optout(void)
{
	grow_and_free(BIG);
	usleep(500 * 1000);
	if (nr_threads() != 1) {
		fprintf(stderr, "reclaim=inline: %d threads, want 1\n", nr_threads());
		return 1;
	}
	return 0;
}

static int fork_child(void)
{
	pid_t pid;
	int status;

	grow_and_free(BIG);
	if (!threads_reach(2, 500)) {
		fprintf(stderr, "no reclaim thread before the fork\n");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		if (nr_threads() != 1) {
			fprintf(stderr, "child: %d threads right after fork, want 1\n", nr_threads());
			_exit(1);
		}
		if (returns_while(IDLE_SLEEP) != 0)
			_exit(2);
		_exit(nr_threads() == 2 ? 0 : 3);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child status 0x%x\n", status);
		return 1;
	}
	return 0;
}

static int scenario(const char *mode)
{
	if (strcmp(mode, "fastpath") == 0)
		return returns_while(IDLE_FASTPATH);
	if (strcmp(mode, "sleep") == 0)
		return returns_while(IDLE_SLEEP);
	if (strcmp(mode, "epoll") == 0)
		return returns_while(IDLE_EPOLL);
	if (strcmp(mode, "small") == 0)
		return small_then_big();
	if (strcmp(mode, "optout") == 0)
		return optout();
	if (strcmp(mode, "fork") == 0)
		return fork_child();
	return 2;
}

int main(int argc, char **argv)
{
	static const struct { const char *mode, *conf; } runs[] = {
		{ "fastpath", "" }, { "sleep", "" }, { "epoll", "" },
		{ "small", "" }, { "optout", "reclaim=inline" }, { "fork", "" },
	};
	static char out[1 << 14];

	if (!bm_active())
		return bm_not_active();
	if (argc > 1)
		return scenario(argv[1]);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		int status = run_self(runs[i].mode, runs[i].conf, out, sizeof(out), 60);

		expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			    "%s (BUDDYMALLOC_CONF=\"%s\"): status 0x%x:\n%s",
			    runs[i].mode, runs[i].conf, status, out);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			fprintf(stderr, "PASS: %s: %s", runs[i].mode, out);
	}
	return test_exit();
}
