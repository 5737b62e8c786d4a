/* SPDX-License-Identifier: MIT */
/*
 * debug_modes.c - BUDDYMALLOC_CONF=debug=...: poison reports a write
 * after free when the object is handed out again, junk fills new
 * allocations (calloc still zeroes), guard puts an inaccessible page right
 * after a large object, and reclaim giving back slab pages that free
 * objects reach into does not look like a write after free to poison.
 * A write after free is reported wherever it lands in the object: the
 * free-list link (bytes 0-7), the free marker (8-15), both, the marker
 * and the middle, the middle alone; for debug=poison and debug=all
 * (#15, point 3).  A program that frees and reuses normally, across
 * threads too, gets no report.
 * Each case runs in a child started with its own
 * configuration.  Fails without our allocator (skips only with
 * BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#include "api.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

static char out[16384];

/* Run this program again with argv[1] = mode and the configuration. */
static int run_mode(const char *mode, const char *conf)
{
	return run_self(mode, conf, out, sizeof(out), 60);
}

/* Free an object, write into it, then allocate until it comes back. */
static void write_after_free(void)
{
	/* The address goes through a volatile integer: a compiler may drop
	 * a store to memory it knows is freed, and warns of it. */
	volatile uintptr_t addr = (uintptr_t)malloc(64);

	free((void *)addr);
	((volatile char *)addr)[40] = 1;
	for (int i = 0; i < 100000; i++) {
		void *volatile q = malloc(64);	/* kept: the freed one must come back */
		(void)q;
	}
}

/* Free a 64 B object, write `len` bytes at `off` into it, then churn
 * 64 B objects until the freed one has left the quarantine and been
 * handed out again. */
static void write_at(size_t off, size_t len, size_t off2)
{
	volatile uintptr_t addr = (uintptr_t)malloc(64);

	free((void *)addr);
	memset((char *)addr + off, 0x41, len);
	if (off2)
		((volatile char *)addr)[off2] = 0x42;
	for (int i = 0; i < 10000; i++) {
		void *volatile q = malloc(64);
		free(q);
	}
	for (int i = 0; i < 10000; i++) {
		void *volatile q = malloc(64);	/* kept: the freed one must come back */
		(void)q;
	}
}

static void *clean_worker(void *arg)
{
	void **v = arg;

	for (int i = 0; i < 1000; i++)
		free(v[i]);	/* remote frees */
	return NULL;
}

/* Normal use under debug=poison: no report. */
static int clean_use(void)
{
	static void *v[1000];
	pthread_t t;

	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 1000; i++) {
			v[i] = malloc((size_t)(i * 37 % 5000) + 1);
			memset(v[i], i, (size_t)(i * 37 % 5000) + 1);
		}
		for (int i = 0; i < 1000; i += 2)
			v[i] = realloc(v[i], (size_t)(i * 53 % 9000) + 1);
		pthread_create(&t, NULL, clean_worker, v);
		pthread_join(t, NULL);
	}
	return 0;
}

static int junk(void)
{
	unsigned char *p = malloc(200), *q = malloc(300000), *z = calloc(1, 200);
	int bad = 0;

	for (int i = 0; i < 200; i++)
		bad += p[i] != 0xa5 || z[i] != 0;
	for (int i = 0; i < 300000; i += 997)
		bad += q[i] != 0xa5;
	return bad ? 1 : 0;
}

static void touch_past_large(void)
{
	/* A whole number of pages, through a volatile, so a sanitizer's
	 * object-size check sees neither the size nor a write past it. */
	volatile size_t size = 25 * 4096;
	volatile char *p = malloc(size);
	size_t usable = malloc_usable_size((void *)p);

	p[usable - 1] = 1;	/* the last usable byte is fine */
	fprintf(stderr, "last byte written\n");
	p[usable] = 1;		/* the guard page */
	fprintf(stderr, "past the end written\n");
}

/* 576-byte objects, 14 to a two-page slab: the eighth (bytes 4032 to
 * 4607) straddles the pages. */
#define STRADDLE_SIZE	576
#define STRADDLE_N	(14 * 64)
static void *straddle_objs[STRADDLE_N];

static void *alloc_straddle(void *arg)
{
	(void)arg;
	for (int i = 0; i < STRADDLE_N; i++)
		straddle_objs[i] = malloc(STRADDLE_SIZE);
	return NULL;
}

/* Another thread fills slabs and exits, so they belong to no thread.
 * Freeing all but each slab's first object lets reclaim give back every
 * second page, whose objects include the straddling one; they all come
 * back, poisoned tails zeroed, when this thread allocates them again. */
static int reclaim_poison(void)
{
	size_t (*reclaim)(void) = (size_t (*)(void))dlsym(RTLD_DEFAULT, "buddymalloc_reclaim");
	pthread_t t;
	int back = 0;

	if (!reclaim || pthread_create(&t, NULL, alloc_straddle, NULL) || pthread_join(t, NULL))
		return 2;
	for (int i = 0; i < STRADDLE_N; i++)
		if ((uintptr_t)straddle_objs[i] & (2 * 4096 - 1))
			free(straddle_objs[i]);
	if (reclaim() == 0)
		return 3;
	for (int i = 0; i < STRADDLE_N; i++) {
		char *p = malloc(STRADDLE_SIZE);

		memset(p, 1, STRADDLE_SIZE);
		back += ((uintptr_t)p & (2 * 4096 - 1)) == 4032;
	}
	return back ? 0 : 4;	/* the straddling objects did come back */
}

static void test_reclaim_poison(void)
{
	int status = run_mode("reclaim_poison", "debug=poison");

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(strstr(out, "written after it was freed") == NULL);
}

static void test_poison(void)
{
	int status = run_mode("uaf", "debug=poison");

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(out, "written after it was freed") != NULL);
	/* Without poisoning the same program runs to the end. */
	status = run_mode("uaf", "debug=junk");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const struct { const char *mode; const char *what; } wa_cases[] = {
	{ "wa_link", "bytes 0-7 (the free-list link)" },
	{ "wa_0_15", "bytes 0-15 (link and marker)" },
	{ "wa_8_mid", "byte 8 (the marker) and the middle" },
	{ "wa_mid", "the middle alone" },
};

static void test_write_positions(void)
{
	static const char *const confs[] = { "debug=poison", "debug=all" };

	for (size_t c = 0; c < sizeof(confs) / sizeof(confs[0]); c++)
		for (size_t i = 0; i < sizeof(wa_cases) / sizeof(wa_cases[0]); i++) {
			int status = run_mode(wa_cases[i].mode, confs[c]);

			expect_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
				    "%s, a write into %s after free: aborted (status 0x%x): %s",
				    confs[c], wa_cases[i].what, status, out);
			expect_ptr_not_null(strstr(out, "written after it was freed"),
					    "%s, a write into %s after free: reported: %s",
					    confs[c], wa_cases[i].what, out);
		}
}

static void test_clean_use(void)
{
	int status = run_mode("clean", "debug=poison");

	expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "normal use under debug=poison (status 0x%x): %s", status, out);
	expect_ptr_null(strstr(out, "libbuddymalloc"), "no report: %s", out);
}

static void test_junk(void)
{
	int status = run_mode("junk", "debug=junk");

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_guard(void)
{
	int status = run_mode("guard", "debug=guard");

	/* Killed by SIGSEGV (a sanitizer runtime may catch it and exit). */
	CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
	CHECK(strstr(out, "last byte written") != NULL);
	CHECK(strstr(out, "past the end written") == NULL);
}

int main(int argc, char **argv)
{
	if (!bm_active())
		return bm_not_active();
	if (argc > 1) {
		if (!strcmp(argv[1], "uaf"))
			write_after_free();
		else if (!strcmp(argv[1], "junk"))
			return junk();
		else if (!strcmp(argv[1], "guard"))
			touch_past_large();
		else if (!strcmp(argv[1], "reclaim_poison"))
			return reclaim_poison();
		else if (!strcmp(argv[1], "wa_link"))
			write_at(0, 8, 0);
		else if (!strcmp(argv[1], "wa_0_15"))
			write_at(0, 16, 0);
		else if (!strcmp(argv[1], "wa_8_mid"))
			write_at(8, 1, 32);
		else if (!strcmp(argv[1], "wa_mid"))
			write_at(32, 1, 0);
		else if (!strcmp(argv[1], "clean"))
			return clean_use();
		return 0;
	}
	RUN_TEST(test_poison);
	RUN_TEST(test_junk);
	RUN_TEST(test_guard);
	RUN_TEST(test_reclaim_poison);
	RUN_TEST(test_write_positions);
	RUN_TEST(test_clean_use);
	return test_exit();
}
