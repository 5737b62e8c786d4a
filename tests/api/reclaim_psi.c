/* SPDX-License-Identifier: MIT */
/*
 * reclaim_psi.c - reclaim=thread watches for memory pressure (PSI).
 *
 * The reclaim thread, when it starts, sets a PSI trigger on
 * /proc/pressure/memory, where the kernel has PSI and lets this process
 * write one.  Each case runs in a child with its own configuration:
 *   inline  never opens it;
 *   thread  opens exactly one (none where PSI is missing or refused, and
 *           the program runs as before); a fork child closes the
 *           parent's at once, and its own reclaim thread opens its own.
 *
 * With the argument "pressure" (scripts/psi-pressure runs it beside a
 * memory cgroup that thrashes) it frees 256 MiB under a decay of ten
 * minutes, so that only a pressure report can give the memory back, and
 * waits for resident memory to fall.  Fails without our allocator (skips
 * only with BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#include "api.h"
#include "psitest.h"

#include <buddymalloc.h>

#include <dirent.h>
#include <stdbool.h>
#include <time.h>


static char out[16384];

/* Enough small allocations to take the slow paths (where the reclaim
 * thread starts). */
static void churn(void)
{
	static void *p[4096];

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 4096; i++)
			p[i] = malloc(16 + (size_t)(i % 64) * 16);
		for (int i = 0; i < 4096; i++)
			free(p[i]);
	}
}

/* Wait up to 3 s for `want` PSI descriptors; returns the last count. */
static int wait_psi_fds(int want)
{
	int n = psi_fds(NULL);

	for (int i = 0; i < 300 && n != want; i++) {
		churn();
		usleep(10000);
		n = psi_fds(NULL);
	}
	return n;
}

/* A failed step: say which, for the logs of a guest that keeps only
 * stderr's tail. */
static int step_failed(int code, const char *what, int fds)
{
	fprintf(stderr, "step %d failed: %s (PSI descriptors: %d)\n", code, what, fds);
	return code;
}

/* reclaim=thread: one trigger (or none); fork drops the parent's. */
static int thread_mode(void)
{
	int want = psi_possible() ? 1 : 0, status;
	pid_t pid;

	fprintf(stderr, "PSI trigger %s\n", want ? "possible" : "not possible here");
	churn();
	if (wait_psi_fds(want) != want)
		return step_failed(2, "the reclaim thread's trigger", psi_fds(NULL));
	pid = fork();
	if (pid < 0)
		return step_failed(3, "fork", psi_fds(NULL));
	if (pid == 0) {
		if (psi_fds(NULL) != 0)
			_exit(4);	/* the parent's was not closed */
		churn();	/* the child's reclaim thread starts */
		_exit(wait_psi_fds(want) == want ? 0 : 5);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return step_failed(6, "the fork child did not exit", status);
	if (WEXITSTATUS(status) != 0)
		return step_failed(WEXITSTATUS(status), "in the fork child (4: the parent's "
				   "trigger inherited, 5: no trigger of its own)", -1);
	return psi_fds(NULL) == want ? 0 : step_failed(7, "the parent's trigger after the fork",
						       psi_fds(NULL));
}

/* reclaim=inline: never. */
static int inline_mode(void)
{
	churn();
	usleep(300000);
	churn();
	return psi_fds(NULL) == 0 ? 0 : 8;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Free 256 MiB that the decay keeps for ten minutes; only a pressure
 * report gives it back.  Waits up to 60 s. */
static int pressure(void)
{
	enum { N = 256 };
	static void *p[N];
	long before, rss = 0;
	uint64_t start;

	for (int i = 0; i < N; i++) {
		p[i] = malloc(1 << 20);
		if (!p[i])
			return 9;
		memset(p[i], 1, 1 << 20);
	}
	for (int i = 0; i < N; i++)
		free(p[i]);
	churn();	/* start the reclaim thread */
	before = rss_bytes();
	fprintf(stderr, "freed 256 MiB: RSS %ld MiB, PSI trigger %s; waiting for pressure\n",
		before >> 20, wait_psi_fds(1) == 1 ? "set" : "not set (no PSI?)");
	start = now_ms();
	while (now_ms() - start < 60000) {
		rss = rss_bytes();
		if (rss < before - (200L << 20))
			break;
		usleep(100000);
	}
	fprintf(stderr, "after %lu ms: RSS %ld MiB\n", (unsigned long)(now_ms() - start), rss >> 20);
	buddymalloc_stats_print(STDERR_FILENO);
	return rss < before - (200L << 20) ? 0 : 10;
}

static int run_mode(const char *mode, const char *conf)
{
	return run_self(mode, conf, out, sizeof(out), 60);
}

static void test_thread_mode(void)
{
	int status = run_mode("thread", "reclaim=thread");

	fputs(out, stderr);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_inline_mode(void)
{
	int status = run_mode("inline", "reclaim=inline");

	fputs(out, stderr);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	if (!bm_active())
		return bm_not_active();
	if (argc > 1) {
		if (!strcmp(argv[1], "thread"))
			return thread_mode();
		if (!strcmp(argv[1], "inline"))
			return inline_mode();
		if (!strcmp(argv[1], "pressure"))
			return pressure();
		return 99;
	}
	RUN_TEST(test_thread_mode);
	RUN_TEST(test_inline_mode);
	return test_exit();
}
