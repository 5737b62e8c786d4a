/* SPDX-License-Identifier: MIT */
/*
 * api.h - helpers shared by the malloc API tests: whether libbuddymalloc
 * is the malloc in use, a pattern derived from a block's id to fill and
 * check blocks with, running code in a child process with its stderr
 * captured, and the process RSS.
 */
#ifndef BM_API_H
#define BM_API_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

/*
 * True when the malloc this process calls is libbuddymalloc's: the library
 * is loaded (buddymalloc_stats_print is found) and "malloc" resolves into
 * the same object.  Under LD_PRELOAD of another allocator, or while the
 * library does not export malloc yet, this is false.
 */
static inline int bm_active(void)
{
	void *stats = dlsym(RTLD_DEFAULT, "buddymalloc_stats_print");
	void *m = dlsym(RTLD_DEFAULT, "malloc");
	Dl_info a, b;

	if (!stats || !m)
		return 0;
	if (!dladdr(stats, &a) || !dladdr(m, &b))
		return 0;
	return a.dli_fbase == b.dli_fbase;
}

/*
 * For the tests that only mean something with libbuddymalloc as the
 * allocator, when bm_active() says it is not: in the tree they are linked
 * with it, so not reaching it is a defect (a broken link, a malloc the
 * library stopped exporting), and the test fails rather than skips.  Run
 * under another allocator on purpose, BM_TEST_ALLOW_FOREIGN_MALLOC=1
 * makes it a skip (77).  Returns main's exit status:
 *
 *	if (!bm_active())
 *		return bm_not_active();
 */
static inline int bm_not_active(void)
{
	const char *allow = getenv("BM_TEST_ALLOW_FOREIGN_MALLOC");

	if (allow && strcmp(allow, "1") == 0) {
		fprintf(stderr, "libbuddymalloc is not the malloc in use, and "
			"BM_TEST_ALLOW_FOREIGN_MALLOC=1: skipped\n");
		return 77;
	}
	fprintf(stderr, "FAIL: libbuddymalloc is not the malloc in use: the test would "
		"test nothing (set BM_TEST_ALLOW_FOREIGN_MALLOC=1 to skip instead, "
		"when another allocator is meant)\n");
	return EXIT_FAILURE;
}

/* The byte at offset i of the block with this id. */
static inline unsigned char pat_byte(uint64_t id, size_t i)
{
	uint64_t x = (id + 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)(i / 8) * 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return (unsigned char)(x >> (8 * (i % 8)));
}

/* Fill n bytes at p with the pattern of id (a word at a time). */
static inline void pat_fill(void *p, size_t n, uint64_t id)
{
	unsigned char *c = p;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x = (id + 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)(i / 8) * 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 29;
		memcpy(c + i, &x, 8);
	}
	for (; i < n; i++)
		c[i] = pat_byte(id, i);
}

/* Offset of the first byte of p[0..n) that differs from id's pattern, or
 * (size_t)-1 when all match. */
static inline size_t pat_check(const void *p, size_t n, uint64_t id)
{
	const unsigned char *c = p;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x = (id + 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)(i / 8) * 0xbf58476d1ce4e5b9ULL, y;
		x ^= x >> 29;
		memcpy(&y, c + i, 8);
		if (x != y)
			break;
	}
	for (; i < n; i++)
		if (c[i] != pat_byte(id, i))
			return i;
	return (size_t)-1;
}

static inline int all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return 0;
	return 1;
}

/* Resident set size in bytes, from /proc/self/statm. */
static inline long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * sysconf(_SC_PAGESIZE);
}

/*
 * Run fn(arg) in a forked child (or, when argv is not NULL, execute argv
 * with envp in the child) with stderr on a pipe.  The child's stderr is
 * stored, NUL-terminated, in buf (at most size - 1 bytes, the rest is
 * drained); returns the wait status.  A child still running after
 * timeout_s seconds is killed with SIGKILL.
 */
static inline int run_child(void (*fn)(void *), void *arg, char *const argv[],
			    char *const envp[], char *buf, size_t size, unsigned timeout_s)
{
	int fds[2], status = -1;
	size_t len = 0;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		close(fds[1]);
		alarm(timeout_s);
		if (argv) {
			execve(argv[0], argv, envp);
			_exit(126);
		}
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		char tmp[4096];
		ssize_t r = read(fds[0], tmp, sizeof(tmp));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len + 1 < size) {
			size_t k = (size_t)r < size - 1 - len ? (size_t)r : size - 1 - len;
			memcpy(buf + len, tmp, k);
			len += k;
		}
	}
	close(fds[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/*
 * Run this program again (/proc/self/exe) with argv[1] = mode, our
 * environment and BUDDYMALLOC_CONF=conf in place of any we have (the
 * configuration is read at start-up); as run_child otherwise.
 */
static inline int run_self(const char *mode, const char *conf, char *buf, size_t size,
			   unsigned timeout_s)
{
	extern char **environ;
	static char *ev[512];
	static char self[4096], confvar[256];
	char *av[] = { self, (char *)mode, NULL };
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int ne = 0;

	if (len <= 0)
		return -1;
	self[len] = '\0';
	snprintf(confvar, sizeof(confvar), "BUDDYMALLOC_CONF=%s", conf);
	for (char **e = environ; *e && ne < 510; e++)
		if (strncmp(*e, "BUDDYMALLOC_CONF=", 17))
			ev[ne++] = *e;
	ev[ne++] = confvar;
	ev[ne] = NULL;
	return run_child(NULL, NULL, av, ev, buf, size, timeout_s);
}

#endif /* BM_API_H */
