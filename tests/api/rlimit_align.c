/* SPDX-License-Identifier: MIT */
/*
 * rlimit_align.c - under a small RLIMIT_AS, where the allocator cannot
 * reserve its range and serves from its bootstrap arena, no block is
 * ever misaligned, and the failure is reported once, not on every call
 * (#15, points 1 and 5; glibc's tst-malloc-thread-fail runs under a
 * 200 MiB limit).
 *
 * The test runs itself again with RLIMIT_AS set before exec, so the
 * first malloc, which sets the allocator up, already sees the limit.
 * Fails without our allocator (skips only with
 * BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#include "api.h"

#include <malloc.h>
#include <sys/resource.h>

#define LIMIT	(200UL << 20)

static int misaligned(const void *p, size_t align)
{
	return p && ((uintptr_t)p & (align - 1));
}

static int child(void)
{
	int bad = 0;

	for (size_t align = 16; align <= 4096; align *= 2)
		for (size_t size = 1; size <= 8192; size = size * 3 + 1) {
			void *p = NULL;

			if (posix_memalign(&p, align, size) == 0 && misaligned(p, align))
				bad++;
			free(p);
			p = aligned_alloc(align, size);
			bad += misaligned(p, align);
			free(p);
			p = memalign(align, size);
			bad += misaligned(p, align);
			free(p);
		}
	bad += misaligned(valloc(100), 4096);
	bad += misaligned(pvalloc(100), 4096);
	for (int i = 0; i < 100; i++)
		free(malloc(64));	/* each would have warned again */
	if (bad)
		fprintf(stderr, "%d misaligned blocks\n", bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	static char out[1 << 16];
	char *const args[] = { argv[0], (char *)"child", NULL };
	extern char **environ;
	struct rlimit rl = { LIMIT, LIMIT };
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	const char *warn, *again;

	if (argc > 1)
		return child();
	if (!bm_active())
		return bm_not_active();
	if (pipe(fds) != 0)
		return 99;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		setrlimit(RLIMIT_AS, &rl);
		execve("/proc/self/exe", args, environ);
		_exit(126);
	}
	close(fds[1]);
	while (len + 1 < sizeof(out) && (n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "under RLIMIT_AS=%lu MiB every aligned block is aligned (status 0x%x): %s",
		    LIMIT >> 20, status, out);
	warn = strstr(out, "cannot reserve");
	again = warn ? strstr(warn + 1, "cannot reserve") : NULL;
	expect_ptr_null(again, "the address-space failure is reported once:\n%s", out);
	return test_exit();
}
