/* SPDX-License-Identifier: MIT */
/*
 * badfree.c - bad frees are reported and abort.  free of a stack address,
 * of a static, of a pointer into the middle of a small or large allocation,
 * and a second free of a small or large block must each print a line with
 * "libbuddymalloc:" and the pointer (as %p prints it) on stderr and die by
 * SIGABRT: at the free, or for a small block freed twice, when the next
 * mallocs of its size would hand it out again.  With BUDDYMALLOC_CONF=abort_on_error=0 the same frees are
 * reported and the program goes on and exits 0.  Only meaningful with
 * libbuddymalloc as the allocator: fails when it is not the malloc in use
 * (skips only with BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <limits.h>

extern char **environ;

enum { NCASES = 8 };

static const char *const case_names[NCASES] = {
	"stack address", "static", "inside a small block",
	"inside a large block (page offset)", "inside a large block",
	"double free of a small block", "double free of a large block",
	"double free in a run-dry slab the thread keeps",
};

static char static_buf[256];

static void *launder(void *p)
{
	void *volatile v = p;
	return v;
}

/*
 * Prepare bad-free case c and return the pointer to pass to free.  The
 * pointer is printed first so the parent knows what to look for.
 */
static void *bad_pointer(int c, char *stack)
{
	char *p = NULL;

	switch (c) {
	case 0:
		p = stack + 16;
		break;
	case 1:
		p = static_buf + 64;
		break;
	case 2:
		p = malloc(100);
		p += 16;
		break;
	case 3:
		p = malloc(1u << 20);
		p += 3 * 4096;
		break;
	case 4:
		p = malloc(1u << 20);
		p += 5000;
		break;
	case 5:
		p = malloc(64);
		free(launder(p));
		break;
	case 6:
		p = malloc(1u << 20);
		free(launder(p));
		break;
	case 7:
		/* Enough objects that the first slab runs dry and is kept by
		 * the thread: its frees then go on that slab's own list. */
		p = malloc(64);
		for (int i = 0; i < 1000; i++)
			launder(malloc(64));
		free(launder(p));
		break;
	}
	fprintf(stderr, "case %d (%s): free(%p)\n", c, case_names[c], (void *)p);
	return p;
}

/* A small block freed twice is caught when it would be handed out
 * again (free does not read the block: docs/performance.md), so each
 * case goes on to allocate blocks of that size. */
static void reuse_small(void)
{
	for (int i = 0; i < 4; i++)
		launder(malloc(64));
}

static void do_case(void *arg)
{
	char stack[64];
	int c = (int)(intptr_t)arg;

	memset(stack, 1, sizeof(stack));
	free(launder(bad_pointer(c, stack)));
	reuse_small();
	/* Reached only when the bad free did not abort. */
	fprintf(stderr, "case %d: free returned\n", c);
	_exit(0);
}

/* stderr has a "libbuddymalloc:" line that names the pointer of case c. */
static int reported(const char *err, int c)
{
	char key[64], want[64];
	const char *line, *k = NULL;

	snprintf(key, sizeof(key), "case %d (", c);
	line = strstr(err, key);
	if (line)
		k = strstr(line, "free(");
	if (!k || sscanf(k, "free(%63[^)])", want) != 1)
		return 0;
	for (line = err; (line = strstr(line, "libbuddymalloc:")); line++) {
		const char *eol = strchr(line, '\n');
		const char *hit = strstr(line, want);

		if (hit && (!eol || hit < eol)) {
			/* The address ends there: not a prefix of a longer one. */
			char after = hit[strlen(want)];
			if (!((after >= '0' && after <= '9') || (after >= 'a' && after <= 'f')))
				return 1;
		}
	}
	return 0;
}

static char errbuf[1 << 16];

static void test_bad_free_aborts(void)
{
	for (int c = 0; c < NCASES; c++) {
		int st = run_child(do_case, (void *)(intptr_t)c, NULL, NULL,
				   errbuf, sizeof(errbuf), 30);

		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT) {
			fprintf(stderr, "%s: child %s %d, not SIGABRT\n", case_names[c],
				WIFEXITED(st) ? "exited" : "killed by signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			CHECK(0);
		}
		if (!reported(errbuf, c)) {
			fprintf(stderr, "%s: no libbuddymalloc: line with the pointer in:\n%s",
				case_names[c], errbuf);
			CHECK(0);
		}
	}
}

/* The child of test_bad_free_goes_on: every bad free, then more work. */
static int all_cases_go_on(void)
{
	char stack[64];

	memset(stack, 1, sizeof(stack));
	for (int c = 0; c < NCASES; c++) {
		free(launder(bad_pointer(c, stack)));
		reuse_small();
	}
	for (int i = 0; i < 1000; i++) {
		void *p = malloc((size_t)i * 37 + 1);
		if (!p)
			return 1;
		memset(p, i, (size_t)i * 37 + 1);
		free(p);
	}
	fprintf(stderr, "all bad frees done\n");
	return 0;
}

static void test_bad_free_goes_on(void)
{
	char *envp[512], self[PATH_MAX];
	char *argv[] = { self, (char *)"--go-on", NULL };
	size_t n = 0;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CHECK(len > 0);
	if (len <= 0)
		return;
	self[len] = '\0';
	for (char **e = environ; *e && n < 510; e++)
		if (strncmp(*e, "BUDDYMALLOC_CONF=", 17) != 0)
			envp[n++] = *e;
	envp[n++] = (char *)"BUDDYMALLOC_CONF=abort_on_error=0";
	envp[n] = NULL;

	int st = run_child(NULL, NULL, argv, envp, errbuf, sizeof(errbuf), 30);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "abort_on_error=0: child %s %d, stderr:\n%s",
			WIFEXITED(st) ? "exited" : "killed by signal",
			WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), errbuf);
		CHECK(0);
	}
	CHECK(strstr(errbuf, "all bad frees done") != NULL);
	for (int c = 0; c < NCASES; c++)
		if (!reported(errbuf, c)) {
			fprintf(stderr, "abort_on_error=0: %s not reported\n", case_names[c]);
			CHECK(0);
		}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--go-on") == 0)
		return all_cases_go_on();
	if (!bm_active())
		return bm_not_active();
	RUN_TEST(test_bad_free_aborts);
	RUN_TEST(test_bad_free_goes_on);
	return test_exit();
}
