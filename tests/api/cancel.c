/* SPDX-License-Identifier: MIT */
/*
 * cancel.c - a thread with a cancellation request pending goes through
 * the allocator's reports and file opens whole: none of them is a
 * cancellation point, so it is never unwound holding one of the
 * allocator's locks (which would hang every other thread), and
 * malloc_stats prints all of its output, glibc's lines first (glibc's
 * tst-malloc-stats-cancellation asks both).
 *
 * Each case runs in a thread cancelled before it starts (a barrier
 * holds it): what it prints goes to a pipe in place of fd 2, the thread
 * is then cancelled at its first real cancellation point, and the main
 * thread checks the output and that malloc, free and another report
 * still go through.
 */
#include "api.h"

#include <buddymalloc.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static pthread_barrier_t gate;
static char out[1 << 18];
static size_t out_len;
static int pipe_rd;

static void *drain(void *arg)
{
	ssize_t n;

	(void)arg;
	while (out_len < sizeof(out) - 1 &&
	       (n = read(pipe_rd, out + out_len, sizeof(out) - 1 - out_len)) > 0)
		out_len += (size_t)n;
	out[out_len] = '\0';
	return NULL;
}

static void *stats_thread(void *arg)
{
	void (*report)(void) = (void (*)(void))arg;

	pthread_barrier_wait(&gate);	/* not a cancellation point */
	report();
	/* The first cancellation point: here the thread ends. */
	for (;;)
		pause();
	return NULL;
}

static void call_malloc_stats(void) { malloc_stats(); }
static void call_stats_print(void) { buddymalloc_stats_print(2); }
static void call_prof_dump(void)
{
	/* Profiling is off in this process: ENOENT, no file opened. */
	(void)buddymalloc_prof_dump("/dev/null");
	buddymalloc_stats_print(2);
}

/* Run report in a thread cancelled in advance; its stderr output. */
static const char *run_cancelled(void (*report)(void))
{
	int p[2], saved = dup(2);
	pthread_t t, d;
	void *rv;

	CHECK(saved >= 0 && pipe(p) == 0);
	CHECK(dup2(p[1], 2) == 2);
	close(p[1]);
	pipe_rd = p[0];
	out_len = 0;
	CHECK_EQ(pthread_create(&d, NULL, drain, NULL), 0);
	CHECK_EQ(pthread_barrier_init(&gate, NULL, 2), 0);
	CHECK_EQ(pthread_create(&t, NULL, stats_thread, (void *)report), 0);
	CHECK_EQ(pthread_cancel(t), 0);
	pthread_barrier_wait(&gate);
	CHECK_EQ(pthread_join(t, &rv), 0);
	expect_true(rv == PTHREAD_CANCELED, "the thread was cancelled after the report");
	pthread_barrier_destroy(&gate);
	/* Back to the real stderr; the pipe's last writer goes. */
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	CHECK_EQ(pthread_join(d, NULL), 0);
	close(p[0]);
	return out;
}

/* The allocator still works from another thread: no lock was left held. */
static void still_works(void)
{
	void *v[64];

	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	for (int i = 0; i < 64; i++) {
		v[i] = malloc((size_t)16 << (i % 20));
		CHECK(v[i] != NULL);
	}
	for (int i = 0; i < 64; i++)
		free(v[i]);
	CHECK(fd >= 0);
	buddymalloc_stats_print(fd);
	close(fd);
}

static void test_malloc_stats(void)
{
	/* Past the largest buddy block: a direct mapping, "max mmap" counts it. */
	void *big = malloc((size_t)256 << 20);
	const char *o;

	CHECK(big != NULL);
	free(big);
	o = run_cancelled(call_malloc_stats);
	expect_true(strncmp(o, "Arena 0:\nsystem bytes     = ", 28) == 0,
		    "glibc's lines first: '%.40s'", o);
	expect_true(strstr(o, "max mmap regions =          1\n") != NULL,
		    "one direct mapping at most");
	expect_true(strstr(o, "max mmap bytes   =  268435456\n") != NULL, "256 MiB at most");
	expect_true(strstr(o, "--- libbuddymalloc summary ---") != NULL, "the report follows");
	expect_true(strstr(o, "\nreclaim_thread_starts ") != NULL,
		    "the report to its last line (%zu bytes)", out_len);
	still_works();
}

static void test_stats_print(void)
{
	const char *o = run_cancelled(call_stats_print);

	expect_true(strncmp(o, "--- libbuddymalloc process ---", 30) == 0, "the report");
	expect_true(strstr(o, "\nreclaim_thread_starts ") != NULL,
		    "the report to its last line (%zu bytes)", out_len);
	still_works();
}

static void test_prof_dump(void)
{
	const char *o = run_cancelled(call_prof_dump);

	expect_true(strstr(o, "\nreclaim_thread_starts ") != NULL, "the report after it");
	still_works();
}

int main(void)
{
	if (!bm_active())
		return bm_not_active();
	RUN_TEST(test_malloc_stats);
	RUN_TEST(test_stats_print);
	RUN_TEST(test_prof_dump);
	return test_exit();
}
