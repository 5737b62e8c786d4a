/* SPDX-License-Identifier: MIT */
/*
 * fork_deadlock.c - fork never waits for stdio while it holds the
 * allocator's locks, and a signal handler may fork (#15, point 5; after
 * glibc's tst-malloc-fork-deadlock and tst-mallocfork2).
 *
 *   stdio    threads read lines with getline from their own FILE (holding
 *            its lock, and calling realloc); one thread calls
 *            fflush(NULL) (taking glibc's stdio list lock, then each
 *            FILE's lock); the main thread forks again and again.  With
 *            the allocator's locks taken before the list lock, fork
 *            waited for the list lock, fflush for a FILE, getline in
 *            realloc for the allocator: a deadlock within a few hundred
 *            forks.
 *   signal   SIGPROF fires every 1 ms of CPU time; its handler forks (the child
 *            exits at once) while the main thread mallocs, frees and
 *            forks.  A handler's fork that interrupted malloc, or an
 *            outer fork's prepare handler, waited on a lock its own
 *            thread held.
 *
 * Each case runs in a child with a deadline: a hang is a failure, not a
 * stuck test suite.  Fails without our allocator (skips only with
 * BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#include "api.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <time.h>

#define READERS		4
#define FORKS		400
#define DEADLINE_S	60

static _Atomic int stop;

/* A file of lines of growing length, so getline reallocs. */
static FILE *lines_file(void)
{
	FILE *f = tmpfile();

	if (!f)
		abort();
	for (int i = 0; i < 2000; i++) {
		for (int j = 0; j < i % 300; j++)
			fputc('a' + j % 26, f);
		fputc('\n', f);
	}
	return f;
}

static void *reader(void *arg)
{
	FILE *f = arg;
	char *line = NULL;
	size_t cap = 0;

	while (!atomic_load(&stop)) {
		rewind(f);
		while (getline(&line, &cap, f) > 0) {
			free(line);	/* realloc from scratch each time */
			line = NULL;
			cap = 0;
		}
	}
	free(line);
	return NULL;
}

/* fflush(NULL) takes the list lock, then each FILE's; a short pause
 * between passes lets fork have the list lock too (it is not fair). */
static void *flusher(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		fflush(NULL);
		usleep(20);
	}
	return NULL;
}

static void reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void stdio_case(void *arg)
{
	pthread_t r[READERS], fl;
	FILE *files[READERS];

	(void)arg;
	for (int i = 0; i < READERS; i++) {
		files[i] = lines_file();
		pthread_create(&r[i], NULL, reader, files[i]);
	}
	pthread_create(&fl, NULL, flusher, NULL);
	for (int i = 0; i < FORKS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			void *p = malloc(100);	/* the child's heap works */

			_exit(p ? 0 : 1);
		}
		if (pid > 0)
			reap(pid);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
	pthread_join(fl, NULL);
	_exit(0);
}

static void on_prof(int sig)
{
	int saved = errno;
	pid_t pid;

	(void)sig;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		reap(pid);
	errno = saved;
}

static void signal_case(void *arg)
{
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	struct sigaction sa = { .sa_handler = on_prof };
	struct timespec start, now;
	void *keep[64] = { 0 };

	(void)arg;
	sa.sa_flags = SA_RESTART;
	/* ITIMER_PROF: run_child's deadline is an alarm (ITIMER_REAL). */
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned long i = 0;; i++) {
		unsigned int k = (unsigned int)(i % 64);

		free(keep[k]);
		keep[k] = malloc(16 + (i * 7919) % 70000);
		if (i % 256 == 0) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid > 0)
				reap(pid);
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= 2)
				break;
		}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_PROF, &it, NULL);
	_exit(0);
}

static void run_case(void (*fn)(void *), const char *name)
{
	static char out[8192];
	int status = run_child(fn, NULL, NULL, NULL, out, sizeof(out), DEADLINE_S);

	expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "%s: the child %s (status 0x%x): %s", name,
		    WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ?
		    "hung past its deadline" : "failed", status, out);
}

int main(void)
{
	if (!bm_active())
		return bm_not_active();
	run_case(stdio_case, "fork while threads hold FILE locks and realloc");
	run_case(signal_case, "fork from a signal handler");
	return test_exit();
}
