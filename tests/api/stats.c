/* SPDX-License-Identifier: MIT */
/*
 * stats.c - the report.  With BUDDYMALLOC_STATS=1, and with
 * BUDDYMALLOC_CONF=stats=1, a program prints at exit on stderr the
 * sections "--- libbuddymalloc buddyinfo ---", "zoneinfo", "slabinfo" and
 * "vmstat", the vmstat section counting some activity (a nonzero value);
 * without either, nothing.  malloc_stats() prints the same report on
 * demand.  Only meaningful with libbuddymalloc as the allocator: fails
 * when it is not the malloc in use (skips only with
 * BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <limits.h>
#include <malloc.h>

extern char **environ;

static const char *const sections[] = {
	"--- libbuddymalloc buddyinfo ---\n",
	"--- libbuddymalloc zoneinfo ---\n",
	"--- libbuddymalloc slabinfo ---\n",
	"--- libbuddymalloc vmstat ---\n",
};

static char errbuf[1 << 20];

/* Every section is there, in order, and vmstat has a nonzero value. */
static int full_report(const char *out)
{
	const char *at = out;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const char *s = strstr(at, sections[i]);

		if (!s) {
			fprintf(stderr, "missing or out of order: %s", sections[i]);
			return 0;
		}
		at = s + strlen(sections[i]);
	}
	/* "name value" lines up to the next section or the end. */
	for (const char *line = at; *line && strncmp(line, "---", 3) != 0;) {
		const char *sp = strchr(line, ' '), *eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		if (sp && sp < eol && strtoull(sp + 1, NULL, 10) > 0)
			return 1;
		line = *eol ? eol + 1 : eol;
	}
	fprintf(stderr, "vmstat shows no activity\n");
	return 0;
}

static int work(void)
{
	void *p[1000];

	for (int i = 0; i < 1000; i++) {
		p[i] = malloc((size_t)(i % 50) * 100 + 1);
		if (!p[i])
			return 1;
	}
	for (int i = 0; i < 1000; i++)
		free(p[i]);
	fprintf(stderr, "work done\n");
	return 0;
}

/* Run this program with --work and env var kv (NULL: none of ours). */
static int run_with(const char *kv)
{
	static char self[PATH_MAX];
	char *argv[] = { self, (char *)"--work", NULL };
	char *envp[512];
	size_t n = 0;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0)
		return -1;
	self[len] = '\0';
	for (char **e = environ; *e && n < 510; e++)
		if (strncmp(*e, "BUDDYMALLOC_", 12) != 0)
			envp[n++] = *e;
	if (kv)
		envp[n++] = (char *)kv;
	envp[n] = NULL;
	return run_child(NULL, NULL, argv, envp, errbuf, sizeof(errbuf), 30);
}

static void test_stats_at_exit(void)
{
	static const char *const ways[] = { "BUDDYMALLOC_STATS=1", "BUDDYMALLOC_CONF=stats=1" };

	for (size_t i = 0; i < 2; i++) {
		int st = run_with(ways[i]);

		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHECK(strstr(errbuf, "work done\n") != NULL);
		if (!full_report(errbuf)) {
			fprintf(stderr, "%s: report incomplete:\n%s", ways[i], errbuf);
			CHECK(0);
		}
		/* The report comes after the program's own output: at exit. */
		const char *w = strstr(errbuf, "work done\n"), *r = strstr(errbuf, sections[0]);
		CHECK(w && r && w < r);
	}
	int st = run_with(NULL);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strstr(errbuf, "libbuddymalloc") == NULL);
}

static void print_on_demand(void *arg)
{
	(void)arg;
	if (work() == 0)
		malloc_stats();
}

static void test_malloc_stats(void)
{
	int st = run_child(print_on_demand, NULL, NULL, NULL, errbuf, sizeof(errbuf), 30);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!full_report(errbuf)) {
		fprintf(stderr, "malloc_stats: report incomplete:\n%s", errbuf);
		CHECK(0);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--work") == 0)
		return work();
	if (!bm_active())
		return bm_not_active();
	RUN_TEST(test_stats_at_exit);
	RUN_TEST(test_malloc_stats);
	return test_exit();
}
