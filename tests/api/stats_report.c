/* SPDX-License-Identifier: MIT */
/*
 * stats_report.c - the report's header and summary, buddymalloc_stat(),
 * mallinfo2's uordblks, and the reports on demand:
 *   - the header names the pid, the program, the version and every
 *     setting; the summary's names are exactly those buddymalloc_stat()
 *     takes;
 *   - a 200 MiB object (beyond the largest buddy block) is counted;
 *   - mallinfo2().uordblks grows by what the program holds (1 MiB of
 *     small objects: about 1 MiB, not the committed section);
 *   - stats_file=DIR/name.%p: each process writes its own file, a fork
 *     child included;
 *   - stats_signal: one report per signal, also with the signal sent to
 *     a thread busy in malloc and free (the handler only wakes a helper
 *     thread); without the option no handler is installed;
 *   - stats_interval_ms: reports keep coming.
 * Only meaningful with libbuddymalloc as the allocator (see api.h).
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <buddymalloc.h>
#include <dirent.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static char dir[] = "/tmp/bm-stats-XXXXXX";
static char outbuf[1 << 20];

/* The whole file at path into outbuf; its length, -1 when unreadable. */
static ssize_t slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t len = 0, n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, outbuf + len, sizeof(outbuf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	outbuf[len] = '\0';
	return len;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *at = s; (at = strstr(at, what)) != NULL; at += strlen(what))
		n++;
	return n;
}

/* Our report, printed into outbuf through a pipe-less temporary file. */
static void report_here(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/here", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	expect_d_ge(fd, 0, "a temporary file");
	buddymalloc_stats_print(fd);
	close(fd);
	slurp(path);
}

/* The value of "name N" in the report's summary; -1 if absent. */
static long long summary_value(const char *name)
{
	const char *sum = strstr(outbuf, "--- libbuddymalloc summary ---\n");
	char key[64];

	if (!sum)
		return -1;
	snprintf(key, sizeof(key), "\n%s ", name);
	const char *at = strstr(sum - 1, key), *end = strstr(strchr(sum, '\n'), "\n---");
	if (!at || (end && at > end))
		return -1;
	return strtoll(at + strlen(key), NULL, 10);
}

static void test_summary_names(void)
{
	unsigned long long v = 0;
	int names = 0;

	report_here();
	const char *sum = strstr(outbuf, "--- libbuddymalloc summary ---\n");
	expect_ptr_not_null(sum, "the report has a summary:\n%s", outbuf);
	if (!sum)
		return;
	/* every line up to the next section is a name buddymalloc_stat knows */
	for (const char *line = strchr(sum, '\n') + 1; strncmp(line, "---", 3); ) {
		char name[64];
		unsigned long long shown;

		expect_d_eq(sscanf(line, "%63s %llu", name, &shown), 2, "a 'name value' line");
		expect_d_eq(buddymalloc_stat(name, &v), 0, "buddymalloc_stat knows '%s'", name);
		names++;
		line = strchr(line, '\n') + 1;
	}
	expect_d_ge(names, 9, "allocated, active, resident, returned, metadata, huge, ...");
	for (const char *const *n = (const char *const[]){ "allocated", "active", "resident",
		"returned", "metadata", "huge", NULL }; *n; n++)
		expect_true(summary_value(*n) >= 0, "the summary has '%s'", *n);
	errno = 0;
	expect_d_eq(buddymalloc_stat("no_such_counter", &v), -1, "an unknown name");
	expect_d_eq(errno, ENOENT, "ENOENT for an unknown name");
	expect_d_eq(buddymalloc_stat("alloc", &v), -1, "a prefix is not a name");
}

static void test_huge_counted(void)
{
	unsigned long long huge0, alloc0, huge1, alloc1, n1;
	size_t size = 200u << 20;
	char *volatile p;

	expect_d_eq(buddymalloc_stat("huge", &huge0), 0, "huge");
	expect_d_eq(buddymalloc_stat("allocated", &alloc0), 0, "allocated");
	p = malloc(size);
	expect_ptr_not_null(p, "200 MiB");
	if (!p)
		return;
	memset(p, 1, 1 << 20);
	expect_d_eq(buddymalloc_stat("huge", &huge1), 0, "huge");
	expect_d_eq(buddymalloc_stat("allocated", &alloc1), 0, "allocated");
	expect_d_eq(buddymalloc_stat("huge_objects", &n1), 0, "huge_objects");
	expect_true(huge1 >= huge0 + size, "huge grew by 200 MiB: %llu -> %llu", huge0, huge1);
	expect_true(alloc1 >= alloc0 + size, "allocated grew by 200 MiB: %llu -> %llu",
		    alloc0, alloc1);
	expect_true(n1 >= 1, "one huge object at least");
	report_here();
	expect_true(summary_value("huge") >= (long long)size, "the report shows it:\n%s", outbuf);
	expect_true(mallinfo2().hblkhd >= size, "mallinfo2's hblkhd too");
	free(p);
	expect_d_eq(buddymalloc_stat("huge", &huge1), 0, "huge");
	expect_true(huge1 == huge0, "freed: huge back to %llu (%llu)", huge0, huge1);
}

static void test_mallinfo_uordblks(void)
{
	enum { N = 16384, SIZE = 64 };
	static void *objs[N];
	size_t u0 = mallinfo2().uordblks, u1, u2;

	for (int i = 0; i < N; i++)
		objs[i] = malloc(SIZE);
	u1 = mallinfo2().uordblks;
	/* 1 MiB held: within a few pages plus one slab per class of it. */
	expect_true(u1 >= u0 + (size_t)N * SIZE && u1 <= u0 + (size_t)N * SIZE + (256u << 10),
		    "uordblks grew by about 1 MiB: %zu -> %zu", u0, u1);
	/* Not the committed memory (a 128 MiB section, half of it handed to
	 * the buddy allocator): this test holds little else. */
	expect_true(u1 < (8u << 20), "uordblks counts what is held: %zu", u1);
	for (int i = 0; i < N; i++)
		free(objs[i]);
	u2 = mallinfo2().uordblks;
	expect_true(u2 <= u0 + (256u << 10), "freed: uordblks back near %zu (%zu)", u0, u2);
}

/* ------------------------------------------------ in child processes */

static atomic_int stop;

static void *churn(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		void *a[64];

		for (int i = 0; i < 64; i++)
			a[i] = malloc((size_t)(i * 37 % 2000) + 1);
		for (int i = 0; i < 64; i++)
			free(a[i]);
	}
	return NULL;
}

/* Wait up to 5 s for path to hold n reports; the number it holds. */
static int wait_reports(const char *path, int n)
{
	int have = 0;

	for (int i = 0; i < 500 && have < n; i++) {
		if (slurp(path) >= 0)
			have = count(outbuf, "--- libbuddymalloc vmstat ---\n");
		if (have < n)
			usleep(10000);
	}
	return have;
}

/* stats_signal=SIGUSR1: 20 signals to a thread in malloc and free, then a
 * fork whose child sends itself one. */
static int mode_signal(void)
{
	char path[PATH_MAX];
	pthread_t t;
	pid_t kid;
	int st, have;

	pthread_create(&t, NULL, churn, NULL);
	for (int i = 0; i < 20; i++) {
		pthread_kill(t, SIGUSR1);
		usleep(5000);
		/* one at a time: a second signal while one is pending is merged */
		snprintf(path, sizeof(path), "%s/sig.%d", dir, (int)getpid());
		if (wait_reports(path, i + 1) != i + 1)
			return 10 + i;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	kid = fork();
	if (kid == 0) {
		raise(SIGUSR1);
		snprintf(path, sizeof(path), "%s/sig.%d", dir, (int)getpid());
		_exit(wait_reports(path, 1) == 1 ? 0 : 3);
	}
	waitpid(kid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 4;
	snprintf(path, sizeof(path), "%s/sig.%d", dir, (int)getpid());
	have = wait_reports(path, 20);
	return have == 20 ? 0 : 5;
}

static int mode_no_handler(void)
{
	struct sigaction sa;

	free(malloc(10));
	sigaction(SIGUSR1, NULL, &sa);
	return sa.sa_handler == SIG_DFL ? 0 : 1;
}

static int mode_sleep(void)
{
	free(malloc(10));
	usleep(500000);
	return 0;
}

static char errbuf[1 << 16];

/* The pids of the files dir/prefix.PID, up to max of them; how many. */
static int files_of(const char *prefix, int *pids, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len = strlen(prefix);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL && n < max)
		if (!strncmp(e->d_name, prefix, len) && e->d_name[len] == '.')
			pids[n++] = atoi(e->d_name + len + 1);
	closedir(d);
	return n;
}

static void test_signal(void)
{
	char conf[256], path[PATH_MAX], want[64];
	int st;

	snprintf(conf, sizeof(conf), "stats_signal=SIGUSR1,stats_file=%s/sig.%%p", dir);
	st = run_self("--signal", conf, errbuf, sizeof(errbuf), 60);
	expect_true(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "20 reports on 20 signals, and the fork child's own (status 0x%x): %s",
		    st, errbuf);
	/* Two files, each with its writer's pid in the header. */
	int pids[4], files = files_of("sig", pids, 4);
	for (int i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/sig.%d", dir, pids[i]);
		slurp(path);
		snprintf(want, sizeof(want), "--- libbuddymalloc process ---\npid %d\n", pids[i]);
		expect_true(strstr(outbuf, want) != NULL, "%s names its own pid", path);
		expect_true(strstr(outbuf, "\nstats_signal=SIGUSR1\n") != NULL,
			    "the settings in effect");
		expect_true(strstr(outbuf, "\nversion ") != NULL &&
			    strstr(outbuf, buddymalloc_version()) != NULL, "the version");
		expect_true(strstr(outbuf, "\nprogram ") != NULL &&
			    strstr(outbuf, "stats_report --signal") != NULL, "the program");
	}
	expect_d_eq(files, 2, "one file per process");

	st = run_self("--no-handler", "stats=0", errbuf, sizeof(errbuf), 30);
	expect_true(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "no SIGUSR1 handler unless asked (status 0x%x)", st);
}

static void test_interval(void)
{
	char conf[256], path[PATH_MAX];
	int st, n = 0;

	snprintf(conf, sizeof(conf), "stats_interval_ms=50,stats_file=%s/tick.%%p", dir);
	st = run_self("--sleep", conf, errbuf, sizeof(errbuf), 30);
	expect_true(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x: %s", st, errbuf);
	int pid;
	expect_d_eq(files_of("tick", &pid, 1), 1, "one file");
	snprintf(path, sizeof(path), "%s/tick.%d", dir, pid);
	if (slurp(path) >= 0)
		n = count(outbuf, "--- libbuddymalloc vmstat ---\n");
	expect_true(n >= 3 && n <= 11, "about one report per 50 ms over 500 ms: %d", n);
}

/* Remove dir and what the tests left in it. */
static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		const char *d = getenv("BM_STATS_DIR");

		if (d)
			snprintf(dir, sizeof(dir), "%s", d);
		if (!strcmp(argv[1], "--signal"))
			return mode_signal();
		if (!strcmp(argv[1], "--no-handler"))
			return mode_no_handler();
		if (!strcmp(argv[1], "--sleep"))
			return mode_sleep();
		return 2;
	}
	if (!bm_active())
		return bm_not_active();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	setenv("BM_STATS_DIR", dir, 1);
	RUN_TEST(test_summary_names);
	RUN_TEST(test_huge_counted);
	RUN_TEST(test_mallinfo_uordblks);
	RUN_TEST(test_signal);
	RUN_TEST(test_interval);
	cleanup();
	return test_exit();
}
