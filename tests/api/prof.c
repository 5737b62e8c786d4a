/* SPDX-License-Identifier: MIT */
/*
 * prof.c - the heap profiler through the API (BUDDYMALLOC_CONF=prof=1):
 * the sampling rate, samples freed, reallocated, forked and taken by
 * several threads, the leak report, the file names and the errors of
 * buddymalloc_prof_dump.  Each case runs this program again with the
 * configuration it needs (the configuration is read at start-up); the
 * child writes profiles into a scratch directory ($PROF_DIR) and the
 * parent reads them.  That google-pprof and jeprof render the profiles
 * is tests/programs/prof.sh.
 */
#include "api.h"

#include <buddymalloc.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>

static char dir[256];
static char out[1 << 16];

/* ------------------------------------------------------------ helpers */

static int child(const char *mode, const char *extra)
{
	char conf[512];

	snprintf(conf, sizeof(conf), "prof=1,prof_prefix=%s/p%s%s", dir, *extra ? "," : "", extra);
	return run_self(mode, conf, out, sizeof(out), 120);
}

static const char *prof_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", getenv("PROF_DIR"), name);
	return path;
}

/* The header counts of a profile: live and all samples, their bytes. */
struct header { unsigned long live_n, live_b, all_n, all_b, rate; };

static int read_header_raw(const char *path, struct header *h)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "heap profile: %lu: %lu [%lu: %lu] @ heap_v2/%lu", &h->live_n, &h->live_b,
		   &h->all_n, &h->all_b, &h->rate);
	fclose(f);
	return n == 5;
}

/* What the child's libraries allocated before its mode ran and keep for
 * good (the UBSan runtime's libstdc++ reserves a 72704-byte exception
 * pool at start-up, sampled at most rates): the live part of a profile
 * is counted from the child's baseline dump, MODE_base.heap. */
static int read_header(const char *path, struct header *h)
{
	char base[512];
	const char *slash = strrchr(path, '/'), *us = strrchr(path, '_');
	const char *dot = strrchr(path, '.');
	struct header b;

	if (!read_header_raw(path, h))
		return 0;
	/* PROF_DIR/MODE[_WHAT].heap -> PROF_DIR/MODE_base.heap */
	if (!slash || !dot)
		return 1;
	snprintf(base, sizeof(base), "%.*s_base.heap",
		 (int)((us && us > slash ? us : dot) - path), path);
	if (read_header_raw(base, &b)) {
		h->live_n -= b.live_n < h->live_n ? b.live_n : h->live_n;
		h->live_b -= b.live_b < h->live_b ? b.live_b : h->live_b;
	}
	return 1;
}

/* Does the file hold a MAPPED_LIBRARIES section naming a mapping? */
static int has_maps(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int state = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (state == 0 && !strcmp(line, "MAPPED_LIBRARIES:\n"))
			state = 1;
		else if (state == 1 && strstr(line, "r-xp"))
			state = 2;
	fclose(f);
	return state == 2;
}

static void remove_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[600];

	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
}

/* Files in the directory whose names start with prefix and end with suffix. */
static int count_files(const char *prefix, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), s = strlen(suffix);

		if (!strncmp(e->d_name, prefix, strlen(prefix)) && l >= s &&
		    !strcmp(e->d_name + l - s, suffix))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void dump_or_die(const char *name)
{
	if (buddymalloc_prof_dump(prof_path(name)) != 0) {
		fprintf(stderr, "buddymalloc_prof_dump(%s): %s\n", name, strerror(errno));
		exit(3);
	}
}

/* ---------------------------------------------------- child programs */

#define RATE_OBJS	(1u << 20)	/* 64 MiB in 64-byte objects */

/* 64 MiB in 64-byte objects, all live, with prof_sample=64k: about
 * 1024 samples. */
static int rate(void)
{
	/* not malloc: the array would be a sample of its own */
	void **v = mmap(NULL, RATE_OBJS * sizeof(*v), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	for (unsigned int i = 0; i < RATE_OBJS; i++)
		v[i] = malloc(64);
	dump_or_die("rate.heap");
	for (unsigned int i = 0; i < RATE_OBJS; i++)
		free(v[i]);
	dump_or_die("rate_freed.heap");
	return 0;
}

#define LEAK_OBJS	4096

static void *volatile leak_keep[LEAK_OBJS];

__attribute__((noinline)) static void leak_alloc(void)
{
	for (unsigned int i = 0; i < LEAK_OBJS; i++)
		leak_keep[i] = malloc(1000);	/* 4 MB */
}

/* Keep the objects (leak) or free them (noleak); prof_leak=1 reports. */
static int leak(bool keep)
{
	leak_alloc();
	if (!keep)
		for (unsigned int i = 0; i < LEAK_OBJS; i++)
			free(leak_keep[i]);
	return 0;
}

/* With prof_sample=1 every allocation is a sample: small ones are whole
 * pages.  Realloc them within and across sizes, calloc, align, free;
 * the contents must survive and nothing may stay live. */
static int realloc_free(void)
{
	static const size_t sizes[] = { 8, 64, 100, 4000, 5000, 40000, 200000, 100 << 20, 300, 16 };
	unsigned char *p = malloc(1);
	size_t have = 1;
	void *a;
	int *z;

	if (!p || ((uintptr_t)p & 4095))
		return 10;	/* a sample is a page of its own */
	p[0] = 0x11;
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		size_t keep = have < sizes[i] ? have : sizes[i];

		p = realloc(p, sizes[i]);
		if (!p)
			return 11;
		for (size_t j = 0; j < keep; j += 997)
			if (p[j] != (unsigned char)(j * 7 + 0x11))
				return 12;
		for (size_t j = 0; j < sizes[i]; j += 997)
			p[j] = (unsigned char)(j * 7 + 0x11);
		have = sizes[i];
	}
	free(p);
	z = calloc(1000, sizeof(int));
	for (int i = 0; i < 1000; i++)
		if (!z || z[i])
			return 13;
	free(z);
	if (posix_memalign(&a, 8192, 100) || ((uintptr_t)a & 8191))
		return 14;
	free(a);
	a = aligned_alloc(64, 64);
	if (!a || ((uintptr_t)a & 63))
		return 15;
	free(a);
	dump_or_die("realloc.heap");
	return 0;
}

/* The parent's samples are the child's too: each frees its half and
 * dumps; both profiles count the other half only. */
static int fork_child(void)
{
	void *v[200];
	pid_t pid;
	int status;

	for (int i = 0; i < 200; i++)
		v[i] = malloc(100);
	if (buddymalloc_prof_dump(NULL) != 0)	/* PREFIX.PID.0.m.heap */
		return 22;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 20;
	for (int i = pid == 0 ? 0 : 100; i < (pid == 0 ? 100 : 200); i++)
		free(v[i]);
	for (int i = 0; i < 1000; i++)	/* sampling goes on in both */
		free(malloc(50));
	dump_or_die(pid == 0 ? "fork_child.heap" : "fork_parent.heap");
	if (pid == 0)
		exit(0);	/* its exit profile too */
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 21;
	return 0;
}

#define THREADS		4
#define THREAD_OBJS	20000

static _Atomic int threads_done;

static void *thread_work(void *arg)
{
	void **v = arg;

	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < THREAD_OBJS; i++)
			v[i] = malloc((size_t)(16 + (i % 64) * 16));
		for (int i = round == 4 ? THREAD_OBJS / 2 : 0; i < THREAD_OBJS; i++)
			free(v[i]);
	}
	threads_done++;
	return NULL;
}

/* Threads allocate and free while the main thread dumps; each keeps
 * half of its last round. */
static int threads(void)
{
	static void *v[THREADS][THREAD_OBJS];
	pthread_t t[THREADS];
	int dumps = 0;

	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_work, v[i]))
			return 30;
	while (threads_done < THREADS) {
		dump_or_die("threads_during.heap");
		dumps++;
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	dump_or_die("threads_kept.heap");
	for (int i = 0; i < THREADS; i++)
		for (int j = 0; j < THREAD_OBJS / 2; j++)
			free(v[i][j]);
	dump_or_die("threads_freed.heap");
	fprintf(stderr, "dumps while the threads ran: %d\n", dumps);
	return 0;
}

/* buddymalloc_prof_dump(NULL) and the file names; prof_interval. */
static int names(void)
{
	void **v = malloc(4096 * sizeof(*v));

	fprintf(stderr, "pid %d\n", (int)getpid());
	if (buddymalloc_prof_dump(NULL) != 0)
		return 40;
	for (int i = 0; i < 4096; i++)	/* 16 MiB */
		v[i] = malloc(4096);
	for (int i = 0; i < 4096; i++)
		free(v[i]);
	free(v);
	if (buddymalloc_prof_dump("/nonexistent-dir/x.heap") != -1 || errno != ENOENT)
		return 41;
	return 0;
}

#define MIXED_N		50000

static void *volatile mixed_keep[2][MIXED_N];

/* Two size classes taken in turn, all kept: each must be sampled at its
 * own rate, whichever bin happens to be refilled when. */
static int mixed(void)
{
	for (unsigned int i = 0; i < MIXED_N; i++) {
		mixed_keep[0][i] = malloc(32);
		mixed_keep[1][i] = malloc(1024);
	}
	dump_or_die("mixed.heap");
	return 0;
}

/* prof=0: the API says so. */
static int off(void)
{
	free(malloc(10));
	if (buddymalloc_prof_dump(NULL) != -1 || errno != ENOENT)
		return 50;
	return 0;
}

/* -------------------------------------------------------------- cases */

static void test_rate(void)
{
	struct header h, f;
	int st = child("rate", "prof_sample=64k");

	expect_d_eq(st, 0, "child: %s", out);
	expect_true(read_header(prof_path("rate.heap"), &h), "a profile header");
	/* 1024 expected, standard deviation 32: a generous window */
	expect_u64_ge(h.live_n, 850, "live samples of 64 MiB at 1 per 64 KiB");
	expect_u64_le(h.live_n, 1200, "live samples of 64 MiB at 1 per 64 KiB");
	expect_u64_le(h.live_b, h.live_n * 64 + 1024, "each sample counts its 64 bytes");
	expect_u64_ge(h.live_b, h.live_n * 64 - 1024, "each sample counts its 64 bytes");
	expect_u64_eq(h.rate, 65536, "the rate in the header");
	expect_true(has_maps(prof_path("rate.heap")), "MAPPED_LIBRARIES with the text mappings");
	expect_true(read_header(prof_path("rate_freed.heap"), &f), "a profile header");
	/* what the C library allocated for itself may stay (a sample of
	 * its 288-byte TLS block, 1 time in 230) */
	expect_u64_le(f.live_n, 2, "every sample of the 64-byte objects freed");
	expect_u64_le(f.live_b, 1024, "every sample of the 64-byte objects freed");
	expect_u64_ge(f.all_n, h.live_n, "the samples are still counted as allocated");
}

static void test_leak(void)
{
	unsigned long bytes = 0, objs = 0;
	const char *l;
	int st = child("noleak", "prof_leak=1,prof_sample=64k");

	expect_d_eq(st, 0, "child: %s", out);
	/* No leak after every object was freed, but for what the libraries
	 * kept from before main (see read_header): at most the samples of
	 * the baseline. */
	if (!strstr(out, "leak report: no sampled object is still allocated")) {
		struct header b = { 0 };
		const char *k = strstr(out, " stacks (");
		unsigned long samples = ~0UL;

		expect_true(read_header_raw(prof_path("noleak_base.heap"), &b), "the baseline");
		expect_true(k && sscanf(k, " stacks (%lu samples", &samples) == 1,
			    "a leak report: %s", out);
		expect_u64_le(samples, b.live_n,
			      "no leak after every object was freed, beyond the baseline's: %s", out);
	}
	expect_d_eq(count_files("p.", ".f.heap"), 1, "prof_leak writes the exit profile");
	remove_files();

	st = child("leak", "prof_leak=1,prof_sample=64k");
	expect_d_eq(st, 0, "child: %s", out);
	l = strstr(out, "leak report: ~");
	expect_true(l && sscanf(l, "leak report: ~%lu bytes in ~%lu objects", &bytes, &objs) == 2,
		    "a leak report: %s", out);
	/* 4096 objects of 1000 bytes; 1008-byte class: ~64 samples */
	expect_u64_ge(bytes, 2000000, "the leak's estimated bytes (4 MB leaked): %s", out);
	expect_u64_le(bytes, 7000000, "the leak's estimated bytes (4 MB leaked): %s", out);
	expect_true(strstr(out, "allocated from:\n    #0 0x") != NULL, "the stack: %s", out);
	/* a static function, named from the program's symbol table */
	expect_true(strstr(out, " leak_alloc+0x") != NULL, "the allocating function: %s", out);
	expect_true(strstr(out, "google-pprof --text") != NULL, "how to see it by function");
	expect_d_eq(count_files("p.", ".f.heap"), 1, "prof_leak writes the exit profile");
	remove_files();
}

static void test_realloc_free(void)
{
	struct header h;
	int st = child("realloc", "prof_sample=1");

	expect_d_eq(st, 0, "child (its exit code names the failed step): %s", out);
	expect_true(read_header(prof_path("realloc.heap"), &h), "a profile header");
	expect_u64_eq(h.live_n, 0, "nothing stays live");
	expect_u64_eq(h.live_b, 0, "nothing stays live");
	expect_u64_ge(h.all_n, 10, "every allocation was a sample");
}

static void test_fork(void)
{
	struct header c, p;
	int st = child("fork", "prof_sample=1");

	expect_d_eq(st, 0, "child: %s", out);
	expect_true(read_header(prof_path("fork_child.heap"), &c), "the fork child's profile");
	expect_true(read_header(prof_path("fork_parent.heap"), &p), "the parent's profile");
	expect_u64_eq(c.live_n, 100, "the child keeps the half it did not free");
	expect_u64_eq(p.live_n, 100, "the parent keeps the half it did not free");
	/* exit profiles: the parent's, its second file, and the child's,
	 * under its own pid, its first */
	expect_d_eq(count_files("p.", ".0.m.heap"), 1, "the parent's dump before the fork");
	expect_d_eq(count_files("p.", ".1.f.heap"), 1, "the parent's exit profile");
	expect_d_eq(count_files("p.", ".0.f.heap"), 1, "the child's exit profile");
	remove_files();
}

static void test_threads(void)
{
	struct header h, f;
	int st = child("threads", "prof_sample=4k");

	expect_d_eq(st, 0, "child: %s", out);
	expect_true(read_header(prof_path("threads_kept.heap"), &h), "a profile header");
	expect_true(read_header(prof_path("threads_freed.heap"), &f), "a profile header");
	/* kept: 4 x 10000 objects of 16..1024 bytes, about 20 MB: ~5000
	 * samples at 1 per 4 KiB */
	expect_u64_ge(h.live_n, 3000, "samples of the objects the threads kept");
	expect_u64_le(h.live_n, 8000, "samples of the objects the threads kept");
	/* glibc keeps each thread's TLS block (288 bytes, calloc'd by
	 * pthread_create) with its cached stack: at most those stay */
	expect_u64_le(f.live_n, THREADS, "all the threads' objects freed");
	expect_u64_le(f.live_b, THREADS * 1024, "all the threads' objects freed");
	expect_u64_gt(f.all_n, h.live_n, "the freed rounds were sampled too");
	remove_files();
}

static void test_names_interval(void)
{
	char name[64];
	int pid = 0, st = child("names", "prof_interval=4M,prof_sample=64k");
	const char *l = strstr(out, "pid ");

	expect_d_eq(st, 0, "child: %s", out);
	expect_true(l && sscanf(l, "pid %d", &pid) == 1, "the child's pid: %s", out);
	snprintf(name, sizeof(name), "p.%d.0.m.heap", pid);
	expect_d_eq(count_files(name, ""), 1, "buddymalloc_prof_dump(NULL) writes %s", name);
	snprintf(name, sizeof(name), "p.%d.", pid);
	/* 16 MiB allocated, a profile per 4 MiB: 4, give or take sampling */
	expect_d_ge(count_files(name, ".i.heap"), 2, "interval profiles");
	expect_d_le(count_files(name, ".i.heap"), 7, "interval profiles");
	expect_d_eq(count_files(name, ".f.heap"), 1, "the exit profile");
	remove_files();
}

/* The live samples of a profile whose objects are size bytes. */
static unsigned long samples_of_size(const char *path, unsigned long size)
{
	char line[4096];
	unsigned long n, b, total = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && strcmp(line, "\n"))
		if (sscanf(line, "%lu: %lu [", &n, &b) == 2 && n && b == n * size)
			total += n;
	fclose(f);
	return total;
}

static void test_mixed_classes(void)
{
	unsigned long small, big;
	int st = child("mixed", "prof_sample=8k");

	expect_d_eq(st, 0, "child: %s", out);
	small = samples_of_size(prof_path("mixed.heap"), 32);
	big = samples_of_size(prof_path("mixed.heap"), 1024);
	/* 50000 x (1 - exp(-size / 8192)): 195 and 5875 */
	expect_u64_ge(small, 145, "samples of the 32-byte objects");
	expect_u64_le(small, 245, "samples of the 32-byte objects");
	expect_u64_ge(big, 5300, "samples of the 1024-byte objects");
	expect_u64_le(big, 6450, "samples of the 1024-byte objects");
	remove_files();
}

static void test_off(void)
{
	int st = run_self("off", "prof=0", out, sizeof(out), 60);

	expect_d_eq(st, 0, "child (prof_dump with prof=0 must fail with ENOENT): %s", out);
}

int main(int argc, char **argv)
{
	if (!bm_active())
		return bm_not_active();
	if (argc > 1) {
		char base[64];

		/* The baseline read_header counts from (off: no profile). */
		snprintf(base, sizeof(base), "%s_base.heap", argv[1]);
		if (strcmp(argv[1], "off"))
			dump_or_die(base);
		if (!strcmp(argv[1], "rate"))
			return rate();
		if (!strcmp(argv[1], "leak"))
			return leak(true);
		if (!strcmp(argv[1], "noleak"))
			return leak(false);
		if (!strcmp(argv[1], "realloc"))
			return realloc_free();
		if (!strcmp(argv[1], "fork"))
			return fork_child();
		if (!strcmp(argv[1], "threads"))
			return threads();
		if (!strcmp(argv[1], "names"))
			return names();
		if (!strcmp(argv[1], "mixed"))
			return mixed();
		if (!strcmp(argv[1], "off"))
			return off();
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/bm-prof.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	setenv("PROF_DIR", dir, 1);
	RUN_TEST(test_rate);
	remove_files();
	RUN_TEST(test_leak);
	RUN_TEST(test_realloc_free);
	remove_files();
	RUN_TEST(test_fork);
	RUN_TEST(test_threads);
	RUN_TEST(test_names_interval);
	RUN_TEST(test_mixed_classes);
	RUN_TEST(test_off);
	remove_files();
	rmdir(dir);
	return test_exit();
}
