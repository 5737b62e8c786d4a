/* SPDX-License-Identifier: MIT */
/*
 * realloc_policy.c - libbuddymalloc's realloc keeps a block that still
 * fits (down to half its size class), gives a block that must grow at
 * least a quarter more room than it had, and copies a buffer grown a few
 * bytes at a time O(log) times rather than once per size class.  Fails
 * when libbuddymalloc is not the malloc in use (other allocators' policies
 * differ, so there would be nothing to test); skips instead only with
 * BM_TEST_ALLOW_FOREIGN_MALLOC=1 (see api.h).
 */
#include "api.h"

#include <malloc.h>

static volatile size_t v_hide;

static size_t hide(size_t n)
{
	v_hide = n;
	return v_hide;
}

/* A block of at least size bytes filled with pattern id; its usable
 * size in *usable.  NULL (a failed check) if malloc failed. */
static unsigned char *filled(size_t size, uint64_t id, size_t *usable)
{
	unsigned char *p = malloc(hide(size));

	CHECK(p != NULL);
	if (p) {
		*usable = malloc_usable_size(p);
		pat_fill(p, *usable, id);
	}
	return p;
}

/* Shrinking to half the usable size or more keeps the block; below half
 * it moves to a smaller one, with its contents. */
static void test_shrink(void)
{
	static const size_t sizes[] = { 200, 1000, 3000, 9000, 30000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t u;
		unsigned char *p = filled(sizes[i], i, &u), *q;

		if (!p)
			continue;
		/* Addresses compared as integers: p is not used after. */
		uintptr_t at = (uintptr_t)p;
		q = realloc(p, hide(u / 2 + 1));
		CHECK((uintptr_t)q == at);
		p = q;
		q = realloc(p, hide(u / 2));
		CHECK((uintptr_t)q == at);
		p = q;
		q = realloc(p, hide(u / 4));
		CHECK(q != NULL && (uintptr_t)q != at);
		if (!q) {
			free(p);
			continue;
		}
		CHECK(malloc_usable_size(q) < u / 2);
		CHECK(pat_check(q, u / 4, i) == (size_t)-1);
		free(q);
	}
}

/* A block that moves to grow gets at least a quarter more than it had. */
static void test_grow_amortised(void)
{
	static const size_t sizes[] = { 64, 500, 2000, 7000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t u;
		unsigned char *p = filled(sizes[i], 100 + i, &u), *q;

		if (!p)
			continue;
		q = realloc(p, hide(u + 1));
		CHECK(q != NULL);
		if (!q) {
			free(p);
			continue;
		}
		CHECK(malloc_usable_size(q) >= u + u / 4);
		CHECK(pat_check(q, u, 100 + i) == (size_t)-1);
		free(q);
	}
}

/* A buffer grown 16 bytes at a time from 16 bytes to 256 KiB moves at
 * most a few dozen times: once per quarter of growth through the slab
 * classes, and page blocks grow in place when the pages after them are
 * free. */
static void test_grow_moves(void)
{
	unsigned char *p = NULL;
	size_t moves = 0, len = 0;

	for (size_t s = 16; s <= (256u << 10); s += 16) {
		uintptr_t at = (uintptr_t)p;
		unsigned char *q = realloc(p, hide(s));

		CHECK(q != NULL);
		if (!q)
			break;
		moves += (uintptr_t)q != at;
		p = q;
		memset(p + len, (int)(s & 0xff), s - len);
		len = s;
		if (p[0] != 16 || p[s / 2] != (unsigned char)((s / 2 / 16 * 16 + 16) & 0xff)) {
			fprintf(stderr, "contents lost at %zu\n", s);
			CHECK(0);
			break;
		}
	}
	fprintf(stderr, "16 B to 256 KiB in 16-byte steps: %zu moves\n", moves);
	CHECK(moves <= 40);
	free(p);
}

int main(void)
{
	if (!bm_active())
		return bm_not_active();
	RUN_TEST(test_shrink);
	RUN_TEST(test_grow_amortised);
	RUN_TEST(test_grow_moves);
	return test_exit();
}
