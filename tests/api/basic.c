/* SPDX-License-Identifier: MIT */
/*
 * basic.c - every exported allocation function against the standard
 * behaviour: malloc, free, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign, valloc, pvalloc, malloc_usable_size, free_sized
 * and free_aligned_sized (C23, looked up at run time), malloc_trim,
 * malloc_stats, mallinfo2, mallinfo and mallopt.  Edge sizes (0, 1, every
 * size up to 4096, powers of two and +/-1 up to 64 MiB, 1 GiB), every
 * power-of-two alignment up to 1 MiB and bad ones (EINVAL), errno on
 * failure (ENOMEM) and across free, usable size >= requested, realloc
 * keeping contents, calloc memory zero also when it reuses dirty memory.
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <limits.h>
#include <malloc.h>
#include <stdalign.h>
#include <stdint.h>

/* C23, not declared by glibc 2.36. */
void free_sized(void *p, size_t size);
void free_aligned_sized(void *p, size_t alignment, size_t size);

/* Sizes hidden from the compiler so it warns about nothing and folds
 * nothing away. */
static volatile size_t v_size_max = SIZE_MAX;
static volatile size_t v_zero = 0;

static size_t pagesize;
static int strict;

/*
 * EXPECT: what POSIX and glibc document beyond the C standard (errno of
 * every failing call, memalign's EINVAL).  libbuddymalloc and glibc must do
 * it; another allocator preloaded to check this test (jemalloc, mimalloc,
 * tcmalloc) only gets a note, as some of them do not set errno.
 */
#define EXPECT(cond) do { \
	if (strict) \
		CHECK(cond); \
	else if (!(cond)) \
		fprintf(stderr, "%s:%d: note: this allocator does not give %s\n", \
			__FILE__, __LINE__, #cond); \
} while (0)
#define EXPECT_ERRNO(e) EXPECT(errno == (e))

/* The malloc in use is glibc's or libbuddymalloc's. */
static int strict_allocator(void)
{
	void *m = dlsym(RTLD_DEFAULT, "malloc");
	Dl_info d;

	if (bm_active())
		return 1;
	return m && dladdr(m, &d) && d.dli_fname && strstr(d.dli_fname, "/libc.so.6");
}

static size_t hide(size_t n)
{
	volatile size_t v = n;
	return v;
}

/* The same pointer, hidden from -Wuse-after-free after a realloc that
 * fails on purpose. */
static void *launder(void *p)
{
	void *volatile v = p;
	return v;
}

static int aligned_to(const void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

/* Every block returned by malloc is aligned for any fundamental type. */
static size_t min_align(size_t size)
{
	size_t a = alignof(max_align_t);

	/* A block smaller than max_align_t needs only its size's alignment
	 * (C17 7.22.3); only check what every allocator gives. */
	while (a > 1 && a > size)
		a >>= 1;
	return a < sizeof(void *) && size >= sizeof(void *) ? sizeof(void *) : a;
}

/* The function name resolves into the object that defines malloc. */
static int same_object_as_malloc(const char *name)
{
	void *m = dlsym(RTLD_DEFAULT, "malloc"), *f = dlsym(RTLD_DEFAULT, name);
	Dl_info a, b;

	return m && f && dladdr(m, &a) && dladdr(f, &b) && a.dli_fbase == b.dli_fbase;
}

/*
 * With libbuddymalloc in use, every function of the malloc API is its own:
 * one left to glibc would hand glibc's pointers to our free.
 */
static void test_exports(void)
{
	static const char *const names[] = {
		"malloc", "free", "calloc", "realloc", "reallocarray",
		"posix_memalign", "aligned_alloc", "memalign", "valloc",
		"pvalloc", "malloc_usable_size", "free_sized",
		"free_aligned_sized", "malloc_trim", "malloc_stats",
		"mallinfo2", "mallinfo", "mallopt",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int same = same_object_as_malloc(names[i]);

		if (bm_active() && !same) {
			fprintf(stderr, "%s is not libbuddymalloc's\n", names[i]);
			CHECK(0);
		} else if (!same) {
			fprintf(stderr, "note: %s is not from the object that defines malloc\n",
				names[i]);
		}
	}
}

static void test_malloc_zero_and_one(void)
{
	void *a = malloc(hide(0)), *b = malloc(hide(0));

	/* NULL or a unique pointer that can be freed. */
	if (a && b)
		CHECK(a != b);
	free(a);
	free(b);
	free(NULL);

	unsigned char *p = malloc(hide(1));
	CHECK(p != NULL);
	if (p) {
		p[0] = 0x5a;
		CHECK(malloc_usable_size(p) >= 1);
		CHECK(p[0] == 0x5a);
	}
	free(p);
	CHECK_EQ(malloc_usable_size(NULL), 0);
}

/* Every size 1..4096 live at once: no overlap, usable >= size, aligned. */
static void test_every_small_size(void)
{
	enum { N = 4096 };
	static unsigned char *blk[N + 1];

	for (size_t s = 1; s <= N; s++) {
		blk[s] = malloc(hide(s));
		CHECK(blk[s] != NULL);
		if (!blk[s])
			continue;
		CHECK(malloc_usable_size(blk[s]) >= s);
		CHECK(aligned_to(blk[s], min_align(s)));
		pat_fill(blk[s], s, s);
	}
	for (size_t s = 1; s <= N; s++) {
		if (!blk[s])
			continue;
		if (pat_check(blk[s], s, s) != (size_t)-1) {
			fprintf(stderr, "size %zu: contents changed\n", s);
			CHECK(0);
		}
		/* The whole usable size may be written. */
		memset(blk[s], 0xee, malloc_usable_size(blk[s]));
	}
	for (size_t s = N; s >= 1; s--)
		free(blk[s]);
}

static void touch_check(size_t s)
{
	unsigned char *p = malloc(hide(s));

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(malloc_usable_size(p) >= s);
	CHECK(aligned_to(p, min_align(s)));
	/* Write one byte per page and the last byte, then read them back. */
	for (size_t i = 0; i < s; i += pagesize)
		p[i] = (unsigned char)(i / pagesize + s);
	p[s - 1] = 0xa5;
	for (size_t i = 0; i + 1 < s; i += pagesize)
		if (p[i] != (unsigned char)(i / pagesize + s)) {
			fprintf(stderr, "size %zu: byte %zu changed\n", s, i);
			CHECK(0);
			break;
		}
	CHECK(p[s - 1] == 0xa5);
	free(p);
}

static void test_powers_of_two(void)
{
	for (size_t s = 1; s <= (64u << 20); s <<= 1) {
		if (s > 1)
			touch_check(s - 1);
		touch_check(s);
		touch_check(s + 1);
	}
	/* 1 GiB: only the first and last page are touched. */
	unsigned char *p = malloc(hide((size_t)1 << 30));
	CHECK(p != NULL);
	if (p) {
		CHECK(malloc_usable_size(p) >= ((size_t)1 << 30));
		p[0] = 1;
		p[((size_t)1 << 30) - 1] = 2;
		CHECK(p[0] == 1 && p[((size_t)1 << 30) - 1] == 2);
	}
	free(p);
}

static void test_errno(void)
{
	void *p;

	errno = 0;
	p = malloc(v_size_max);
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	errno = 0;
	p = malloc(v_size_max / 2 + 1);	/* over PTRDIFF_MAX */
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	errno = 0;
	p = calloc(v_size_max / 2, 3);
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	errno = 0;
	p = calloc(hide((size_t)1 << 33), hide((size_t)1 << 33));
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	unsigned char *q = malloc(100);
	CHECK(q != NULL);
	if (q) {
		pat_fill(q, 100, 7);
		errno = 0;
		p = reallocarray(launder(q), v_size_max / 2, 3);
		CHECK(p == NULL);
		EXPECT_ERRNO(ENOMEM);
		errno = 0;
		p = realloc(launder(q), v_size_max);
		CHECK(p == NULL);
		EXPECT_ERRNO(ENOMEM);
		/* The old block is untouched by a failed realloc. */
		q = launder(q);
		CHECK(pat_check(q, 100, 7) == (size_t)-1);
		free(q);
	}

	errno = 0;
	p = reallocarray(NULL, v_size_max / 2, 3);
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	/* errno is ENOMEM too, as glibc's: callers test it.  Called
	 * through a pointer: gcc's builtin takes errno for unchanged. */
	int (*volatile pm)(void **, size_t, size_t) = posix_memalign;

	p = (void *)1;
	errno = 0;
	CHECK_EQ(pm(&p, 64, v_size_max), ENOMEM);
	CHECK(p == (void *)1);
	EXPECT_ERRNO(ENOMEM);

	errno = 0;
	p = aligned_alloc(64, v_size_max - 63);
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	errno = 0;
	p = memalign(4096, v_size_max - 4095);
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	errno = 0;
	p = valloc(v_size_max);
	CHECK(p == NULL);
	EXPECT_ERRNO(ENOMEM);

	errno = 0;
	p = pvalloc(v_size_max - 10);
	EXPECT(p == NULL);	/* not a page from a size that wrapped round */
	EXPECT_ERRNO(ENOMEM);
	if (p)
		free(p);

	/* free keeps errno, for small, page-sized and huge blocks and NULL. */
	size_t sizes[] = { 16, 3000, 70000, 1u << 20, 64u << 20 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = malloc(hide(sizes[i]));
		CHECK(p != NULL);
		errno = 4242;
		free(p);
		CHECK_EQ(errno, 4242);
	}
	errno = 4343;
	free(NULL);
	CHECK_EQ(errno, 4343);
}

static void test_calloc(void)
{
	enum { N = 512 };
	static void *blk[N];
	size_t sizes[] = { 1, 8, 24, 100, 512, 4000, 4096, 20000, 65536, 300000, 4u << 20 };

	/* Dirty memory, freed, then calloc of the same sizes must be zero. */
	for (int round = 0; round < 3; round++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t n = sizes[k] > 65536 ? 4 : N;

			for (size_t i = 0; i < n; i++) {
				blk[i] = malloc(hide(sizes[k]));
				CHECK(blk[i] != NULL);
				if (blk[i])
					memset(blk[i], 0xa5, malloc_usable_size(blk[i]));
			}
			for (size_t i = 0; i < n; i++)
				free(blk[i]);
			for (size_t i = 0; i < n; i++) {
				blk[i] = calloc(1, hide(sizes[k]));
				CHECK(blk[i] != NULL);
				if (blk[i] && !all_zero(blk[i], sizes[k])) {
					fprintf(stderr, "calloc(1, %zu) not zero\n", sizes[k]);
					CHECK(0);
				}
				if (blk[i])
					memset(blk[i], 0x5a, sizes[k]);
			}
			for (size_t i = 0; i < n; i++)
				free(blk[i]);
		}
	}
	/* nmemb * size, both ways round, and zero. */
	unsigned char *p = calloc(hide(1000), 33);
	CHECK(p != NULL && all_zero(p, 33000));
	CHECK(p == NULL || malloc_usable_size(p) >= 33000);
	free(p);
	p = calloc(33, hide(1000));
	CHECK(p != NULL && all_zero(p, 33000));
	free(p);
	p = calloc(v_zero, 10);
	free(p);
	p = calloc(10, v_zero);
	free(p);
	/* Every size 1..4096 after the same size was dirtied. */
	for (size_t s = 1; s <= 4096; s++) {
		p = malloc(hide(s));
		if (p)
			memset(p, 0xff, s);
		free(p);
		p = calloc(hide(s), 1);
		CHECK(p != NULL);
		if (p && !all_zero(p, s)) {
			fprintf(stderr, "calloc(%zu, 1) not zero\n", s);
			CHECK(0);
		}
		free(p);
	}
}

static void realloc_pair(size_t from, size_t to, uint64_t id)
{
	unsigned char *p = malloc(hide(from)), *q;

	CHECK(p != NULL);
	if (!p)
		return;
	pat_fill(p, from, id);
	q = realloc(p, hide(to));
	CHECK(q != NULL);
	if (!q) {
		free(p);
		return;
	}
	CHECK(malloc_usable_size(q) >= to);
	CHECK(aligned_to(q, min_align(to)));
	size_t keep = from < to ? from : to;
	if (pat_check(q, keep, id) != (size_t)-1) {
		fprintf(stderr, "realloc %zu -> %zu lost contents\n", from, to);
		CHECK(0);
	}
	memset(q, 0x11, to);
	free(q);
}

static void test_realloc(void)
{
	size_t sizes[] = { 1, 7, 8, 16, 24, 100, 1000, 2048, 4095, 4096, 4097,
		10000, 16384, 16385, 40000, 65536, 131072, 250000, 1u << 20,
		(1u << 20) + 1, 5u << 20, 33u << 20 };
	size_t n = sizeof(sizes) / sizeof(sizes[0]);
	uint64_t id = 1;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			realloc_pair(sizes[i], sizes[j], id++);

	/* realloc(NULL, n) is malloc. */
	unsigned char *p = realloc(NULL, hide(100));
	CHECK(p != NULL);
	CHECK(p == NULL || malloc_usable_size(p) >= 100);

	/* Grow one byte at a time, then shrink, keeping contents. */
	pat_fill(p, 100, 99);
	for (size_t s = 101; s <= 20000 && p; s += 1 + s / 16) {
		unsigned char *q = realloc(p, hide(s));
		CHECK(q != NULL);
		if (!q)
			break;
		p = q;
		CHECK(pat_check(p, 100, 99) == (size_t)-1);
	}
	for (size_t s = 20000; s >= 100 && p; s -= 1 + s / 16) {
		unsigned char *q = realloc(p, hide(s));
		CHECK(q != NULL);
		if (!q)
			break;
		p = q;
		CHECK(pat_check(p, 100, 99) == (size_t)-1);
	}
	/* realloc(p, 0): frees p and returns NULL, or returns a new block. */
	p = realloc(p, v_zero);
	free(p);

	/* A large block grown and shrunk in steps (in place or moved). */
	size_t big = 3u << 20;
	p = malloc(hide(big));
	CHECK(p != NULL);
	if (p) {
		pat_fill(p, big, 1234);
		for (size_t s = big + 4096; s < (48u << 20); s += s / 2) {
			unsigned char *q = realloc(p, hide(s));
			CHECK(q != NULL);
			if (!q)
				break;
			p = q;
			CHECK(pat_check(p, big, 1234) == (size_t)-1);
			p[s - 1] = 1;
		}
		unsigned char *q = realloc(p, hide(big / 2));
		CHECK(q != NULL);
		if (q) {
			p = q;
			CHECK(pat_check(p, big / 2, 1234) == (size_t)-1);
		}
		free(p);
	}
}

static void test_reallocarray(void)
{
	unsigned int *p = reallocarray(NULL, 10, sizeof(*p));

	CHECK(p != NULL);
	if (!p)
		return;
	for (unsigned int i = 0; i < 10; i++)
		p[i] = i * 3;
	unsigned int *q = reallocarray(p, hide(100000), sizeof(*p));
	CHECK(q != NULL);
	if (q) {
		p = q;
		CHECK(malloc_usable_size(p) >= 100000 * sizeof(*p));
		for (unsigned int i = 0; i < 10; i++)
			CHECK_EQ(p[i], i * 3);
		p[99999] = 5;
	}
	q = reallocarray(p, hide(5), sizeof(*p));
	CHECK(q != NULL);
	if (q) {
		p = q;
		for (unsigned int i = 0; i < 5; i++)
			CHECK_EQ(p[i], i * 3);
	}
	free(p);
}

/* posix_memalign, aligned_alloc, memalign for every power of two 1..1 MiB. */
static void test_alignments(void)
{
	size_t sizes[] = { 1, 8, 24, 100, 4096, 5000, 70000 };

	for (size_t a = 1; a <= (1u << 20); a <<= 1) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t s = sizes[k];
			void *p = (void *)1;
			int r = posix_memalign(&p, a, hide(s));

			if (a < sizeof(void *)) {
				CHECK_EQ(r, EINVAL);
			} else {
				CHECK_EQ(r, 0);
				CHECK(p != NULL && aligned_to(p, a));
				CHECK(p == NULL || malloc_usable_size(p) >= s);
				if (!r && p)
					memset(p, 0x3c, s);
				if (!r)
					free(p);
			}

			/* aligned_alloc: C17 allows any size, not only multiples. */
			size_t as = s < a ? a : s;
			p = aligned_alloc(a, hide(as));
			CHECK(p != NULL && aligned_to(p, a));
			CHECK(p == NULL || malloc_usable_size(p) >= as);
			if (p)
				memset(p, 0x3d, as);
			free(p);

			p = memalign(a, hide(s));
			CHECK(p != NULL && aligned_to(p, a));
			CHECK(p == NULL || malloc_usable_size(p) >= s);
			if (p)
				memset(p, 0x3e, s);
			free(p);
		}
	}
	/* Many live aligned blocks at once do not overlap. */
	enum { N = 200 };
	static unsigned char *blk[N];
	for (size_t i = 0; i < N; i++) {
		size_t a = (size_t)16 << (i % 10), s = 1 + i * 37;
		blk[i] = memalign(a, s);
		CHECK(blk[i] != NULL && aligned_to(blk[i], a));
		if (blk[i])
			pat_fill(blk[i], s, i);
	}
	for (size_t i = 0; i < N; i++) {
		if (blk[i])
			CHECK(pat_check(blk[i], 1 + i * 37, i) == (size_t)-1);
		free(blk[i]);
	}
	/* A non-multiple size is valid for aligned_alloc since C17. */
	void *p = aligned_alloc(64, hide(100));
	CHECK(p != NULL && aligned_to(p, 64));
	free(p);
}

static void test_bad_alignments(void)
{
	size_t bad[] = { 0, 3, 6, 12, 24, 48, 100, 4095, 4097, 65537 };
	int bm = bm_active();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *p = (void *)1;

		CHECK_EQ(posix_memalign(&p, hide(bad[i]), 64), EINVAL);
		CHECK(p == (void *)1);	/* untouched on failure */

		if (bad[i] == 0)
			continue;	/* memalign(0) is malloc in glibc */
		/*
		 * A bad alignment gives NULL and EINVAL.  glibc before 2.38
		 * rounds it up to a power of two instead: accept that only when
		 * libbuddymalloc is not the allocator in use.
		 */
		errno = 0;
		p = aligned_alloc(hide(bad[i]), 4 * bad[i]);
		if (bm || !p) {
			EXPECT(p == NULL);
			EXPECT_ERRNO(EINVAL);
		} else {
			size_t a = 1;
			while (a < bad[i])
				a <<= 1;
			EXPECT(aligned_to(p, a));
		}
		free(p);

		errno = 0;
		p = memalign(hide(bad[i]), 64);
		if (bm || !p) {
			EXPECT(p == NULL);
			EXPECT_ERRNO(EINVAL);
		} else {
			size_t a = 1;
			while (a < bad[i])
				a <<= 1;
			EXPECT(aligned_to(p, a));
		}
		free(p);
	}
	/* Alignments too large to be served. */
	void *p = (void *)1;
	int r = posix_memalign(&p, hide((size_t)1 << 62), 64);
	CHECK(r == ENOMEM || r == EINVAL);
	CHECK(p == (void *)1);
	errno = 0;
	p = memalign(hide((size_t)1 << 62), 64);
	CHECK(p == NULL);
	EXPECT(errno == ENOMEM || errno == EINVAL);
	errno = 0;
	p = aligned_alloc(hide((size_t)1 << 62), (size_t)1 << 62);
	CHECK(p == NULL);
	EXPECT(errno == ENOMEM || errno == EINVAL);
}

static void test_valloc_pvalloc(void)
{
	size_t sizes[] = { 1, 100, 4095, 4096, 4097, 10000, 1u << 20, (1u << 20) + 3 };

	/* Another allocator that lacks valloc or pvalloc (jemalloc lacks
	 * pvalloc) leaves glibc's, whose blocks it cannot free. */
	if (!same_object_as_malloc("valloc") || !same_object_as_malloc("pvalloc")) {
		CHECK(!strict);
		fprintf(stderr, "note: valloc or pvalloc not the allocator's own: skipped\n");
		return;
	}

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t s = sizes[i];
		unsigned char *p = valloc(hide(s));

		CHECK(p != NULL && aligned_to(p, pagesize));
		CHECK(p == NULL || malloc_usable_size(p) >= s);
		if (p)
			memset(p, 1, s);
		free(p);

		/* pvalloc rounds the size up to whole pages. */
		size_t rounded = (s + pagesize - 1) & ~(pagesize - 1);
		p = pvalloc(hide(s));
		CHECK(p != NULL && aligned_to(p, pagesize));
		CHECK(p == NULL || malloc_usable_size(p) >= rounded);
		if (p)
			memset(p, 2, rounded);
		free(p);
	}
	void *p = pvalloc(v_zero);
	CHECK(p == NULL || aligned_to(p, pagesize));
	free(p);
}

static void test_free_sized(void)
{
	void (*fs)(void *, size_t) =
		(void (*)(void *, size_t))dlsym(RTLD_DEFAULT, "free_sized");
	void (*fas)(void *, size_t, size_t) =
		(void (*)(void *, size_t, size_t))dlsym(RTLD_DEFAULT, "free_aligned_sized");

	if (bm_active()) {
		CHECK(fs != NULL);
		CHECK(fas != NULL);
	}
	if (!fs || !fas) {
		fprintf(stderr, "free_sized/free_aligned_sized not exported: skipped\n");
		return;
	}
	for (size_t s = 1; s <= (8u << 20); s = s * 3 + 1) {
		void *p = malloc(s);
		CHECK(p != NULL);
		if (p)
			memset(p, 7, s);
		fs(p, s);
		p = calloc(s, 1);
		CHECK(p != NULL);
		fs(p, s);
		for (size_t a = 8; a <= 65536; a <<= 2) {
			size_t as = (s + a - 1) & ~(a - 1);
			p = aligned_alloc(a, as);
			CHECK(p != NULL && aligned_to(p, a));
			if (p)
				memset(p, 8, as);
			fas(p, a, as);
		}
	}
	fs(NULL, 0);
	fas(NULL, 64, 0);
	/* The free functions keep errno too. */
	void *p = malloc(40);
	errno = 77;
	fs(p, 40);
	CHECK_EQ(errno, 77);
}

/* malloc_stats writes to stderr: run it in a child to capture that. */
static void child_malloc_stats(void *arg)
{
	(void)arg;
	void *p = malloc(1000);
	malloc_stats();
	free(p);
}

static void test_trim_stats_info_opt(void)
{
	enum { N = 1000 };
	static void *blk[N];
	char *buf = malloc(1 << 16);

	CHECK(buf != NULL);
	if (!buf)
		return;

	/* malloc_trim returns 0 or 1 and leaves live memory intact. */
	for (size_t i = 0; i < N; i++) {
		blk[i] = malloc(1 + (i * 97) % 20000);
		if (blk[i])
			pat_fill(blk[i], 1 + (i * 97) % 20000, i);
	}
	for (size_t i = 0; i < N; i += 2) {
		free(blk[i]);
		blk[i] = NULL;
	}
	int t = malloc_trim(0);
	CHECK(t == 0 || t == 1);
	t = malloc_trim(1 << 20);
	CHECK(t == 0 || t == 1);
	for (size_t i = 1; i < N; i += 2)
		CHECK(blk[i] == NULL || pat_check(blk[i], 1 + (i * 97) % 20000, i) == (size_t)-1);

	/* mallinfo2 / mallinfo: with libbuddymalloc, the bytes in use count
	 * at least the blocks held. */
	size_t held = 0;
	for (size_t i = 1; i < N; i += 2)
		held += 1 + (i * 97) % 20000;
	struct mallinfo2 mi2 = mallinfo2();
	if (bm_active())
		CHECK(mi2.uordblks + mi2.hblkhd >= held);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	struct mallinfo mi = mallinfo();
#pragma GCC diagnostic pop
	if (bm_active())
		CHECK((size_t)(unsigned int)mi.uordblks + (unsigned int)mi.hblkhd >= held);
	for (size_t i = 1; i < N; i += 2)
		free(blk[i]);

	/* mallopt accepts glibc's parameters. */
	CHECK_EQ(mallopt(M_TRIM_THRESHOLD, 256 * 1024), 1);
	CHECK_EQ(mallopt(M_TOP_PAD, 64 * 1024), 1);
	CHECK_EQ(mallopt(M_MMAP_THRESHOLD, 256 * 1024), 1);
	CHECK_EQ(mallopt(M_MMAP_MAX, 65536), 1);
	CHECK_EQ(mallopt(M_ARENA_MAX, 8), 1);
	CHECK_EQ(mallopt(M_ARENA_TEST, 8), 1);
	CHECK_EQ(mallopt(M_PERTURB, 0), 1);
	CHECK_EQ(mallopt(M_MXFAST, 64), 1);
	void *p = malloc(300000);
	CHECK(p != NULL);
	free(p);

	/* malloc_stats prints something to stderr and returns. */
	int st = run_child(child_malloc_stats, NULL, NULL, NULL, buf, 1 << 16, 30);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strlen(buf) > 0);
	if (bm_active())
		CHECK(strstr(buf, "--- libbuddymalloc buddyinfo ---") != NULL);
	free(buf);
}

int main(void)
{
	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	strict = strict_allocator();
	fprintf(stderr, "libbuddymalloc is %sthe allocator in use\n", bm_active() ? "" : "NOT ");
	RUN_TEST(test_exports);
	RUN_TEST(test_malloc_zero_and_one);
	RUN_TEST(test_every_small_size);
	RUN_TEST(test_powers_of_two);
	RUN_TEST(test_errno);
	RUN_TEST(test_calloc);
	RUN_TEST(test_realloc);
	RUN_TEST(test_reallocarray);
	RUN_TEST(test_alignments);
	RUN_TEST(test_bad_alignments);
	RUN_TEST(test_valloc_pvalloc);
	RUN_TEST(test_free_sized);
	RUN_TEST(test_trim_stats_info_opt);
	return test_exit();
}
