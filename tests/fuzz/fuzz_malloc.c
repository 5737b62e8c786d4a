/* SPDX-License-Identifier: MIT */
/*
 * fuzz_malloc.c - libFuzzer harness for the malloc API of libbuddymalloc.
 *
 * The binary is linked with the allocator's own sources (tests/fuzz/run-fuzz
 * builds it), so malloc and free here, and libFuzzer's own, are ours.
 *
 * The input is a sequence of operations over a table of live blocks.  Each
 * operation is an opcode byte followed by its arguments:
 *
 *   op % 10   0,1 malloc(size)         2 free(slot)        3 realloc(slot, size)
 *             4   aligned: memalign, aligned_alloc or posix_memalign
 *             5   calloc(n, m): zero-filled      6 free_sized / free_aligned_sized
 *             7   malloc_usable_size(slot)       8 requests that must fail
 *             9   buddymalloc_check()
 *   slot      one byte, modulo NSLOTS (a live block there is freed first)
 *   size      two bytes: the top two bits of the first pick the range,
 *             0..255, 0..16 KiB, 0..64 KiB, or 0..64 KiB and (one in 16)
 *             up to 8 MiB
 *   align     one byte: 2^(b % 17), 1 B to 64 KiB
 *
 * Every live block holds a pattern derived from its slot and generation
 * (fully up to 64 KiB, then one word per 16 KiB and the last page), checked
 * before every free and realloc and, after realloc, over the preserved
 * prefix.  The allocator's invariant walk runs every CHECK_EVERY operations
 * and at the end, after every block is freed; it must find nothing.
 */
#include "buddymalloc.h"

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* C23, not declared by this libc's headers; exported by libbuddymalloc. */
void free_sized(void *p, size_t size);
void free_aligned_sized(void *p, size_t align, size_t size);

#define NSLOTS		64
#define CHECK_EVERY	256		/* operations between invariant walks */
#define DENSE		(64 << 10)	/* bytes patterned in full */
#define PAGE		4096
#define STRIDE		(4 * PAGE)	/* beyond DENSE, one word per STRIDE */
/* The harness's own loops are not worth guiding the fuzzer. */
#if defined(__clang__) && __clang_major__ >= 13
#define NO_COVERAGE	__attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

#define LARGE_BUDGET	(96u << 20)	/* live bytes in blocks over DENSE */

struct block {
	unsigned char	*p;
	size_t		size;
	size_t		align;		/* requested, 0: plain malloc */
	uint64_t	seed;		/* slot and generation */
};

static struct block slots[NSLOTS];
static uint64_t generation;
static size_t large_live;
static unsigned long ops_since_check;

#define fail(...) do { \
	fprintf(stderr, "fuzz_malloc: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

/* ---------------------------------------------------------------- pattern */

/* The pattern is a function of the seed and the word index, so a prefix
 * keeps its values when a block moves.  Blocks are 16-byte aligned, so
 * the words are aligned. */
static inline uint64_t pat_word(uint64_t seed, size_t w)
{
	uint64_t x = (seed + w) * 0x9e3779b97f4a7c15ULL;

	return x ^ x >> 29;
}

static inline unsigned char pat(uint64_t seed, size_t i)
{
	return (unsigned char)(pat_word(seed, i / 8) >> (i % 8 * 8));
}

/* Fill (or check) the bytes [from, to) of a block with its pattern;
 * returns the offset of the first wrong byte, or to. */
NO_COVERAGE static size_t pattern_range(const struct block *b, size_t from, size_t to,
					bool check)
{
	size_t i = from;

	for (; i < to && i % 8; i++) {
		if (!check)
			b->p[i] = pat(b->seed, i);
		else if (b->p[i] != pat(b->seed, i))
			return i;
	}
	for (; i + 8 <= to; i += 8) {
		uint64_t *w = (uint64_t *)(void *)(b->p + i);

		if (!check)
			*w = pat_word(b->seed, i / 8);
		else if (*w != pat_word(b->seed, i / 8))
			break;		/* the byte loop finds the byte */
	}
	for (; i < to; i++) {
		if (!check)
			b->p[i] = pat(b->seed, i);
		else if (b->p[i] != pat(b->seed, i))
			return i;
	}
	return to;
}

/* Apply to the patterned bytes below limit: all of the first DENSE bytes,
 * then the first word of every STRIDE bytes and the whole last page (every
 * page touched costs a fault in a fresh mapping).  Returns the
 * offset of the first wrong byte, or SIZE_MAX. */
NO_COVERAGE static size_t pattern(const struct block *b, size_t limit, bool check)
{
	size_t size = b->size < limit ? b->size : limit;
	size_t tail = b->size > DENSE + PAGE ? b->size - PAGE : DENSE;
	size_t end, bad;

	end = size < DENSE ? size : DENSE;
	if ((bad = pattern_range(b, 0, end, check)) != end)
		return bad;
	for (size_t i = DENSE; i < tail && i < size; i += STRIDE) {
		end = i + 8 < size ? i + 8 : size;
		if ((bad = pattern_range(b, i, end, check)) != end)
			return bad;
	}
	if (tail < size && (bad = pattern_range(b, tail, size, check)) != size)
		return bad;
	return SIZE_MAX;
}

static void fill(const struct block *b)
{
	pattern(b, b->size, false);
}

static void verify(const struct block *b, size_t limit, const char *when)
{
	size_t i = pattern(b, limit, true);

	if (i != SIZE_MAX)
		fail("%s: block %p size %zu: byte %zu is 0x%02x, expected 0x%02x",
		     when, (void *)b->p, b->size, i, b->p[i], pat(b->seed, i));
}

/* ---------------------------------------------------------------- input */

struct input {
	const uint8_t	*data;
	size_t		len;
};

static uint8_t byte(struct input *in)
{
	uint8_t b;

	if (!in->len)
		return 0;
	b = *in->data++;
	in->len--;
	return b;
}

static size_t get_size(struct input *in)
{
	unsigned int b0 = byte(in), b1 = byte(in);
	size_t s;

	switch (b0 >> 6) {
	case 0:
		return b1;
	case 1:
		return ((b0 & 63) << 8 | b1) & 0x3fff;
	case 2:
		return (size_t)((b0 & 63) << 10 | b1 << 2 | (b1 & 3));
	default:
		/* One in sixteen: up to 8 MiB, over the largest buddy block. */
		if ((b0 & 15) != 15)
			return (size_t)((b0 & 63) << 8 | b1) * 4 + (b1 & 3);
		s = (size_t)((b0 >> 4) & 3) << 21 | (size_t)b1 << 13 | (b1 & 15);
		if (large_live + s > LARGE_BUDGET)
			s &= DENSE - 1;
		return s;
	}
}

static size_t get_align(struct input *in)
{
	return (size_t)1 << (byte(in) % 17);
}

/* ---------------------------------------------------------------- blocks */

static void check_alignment(const void *p, size_t align, const char *what)
{
	if (align < 16)
		align = 16;
	if ((uintptr_t)p & (align - 1))
		fail("%s returned %p, not aligned to %zu", what, p, align);
}

static void check_usable(const struct block *b, const char *what)
{
	size_t u = malloc_usable_size(b->p);

	if (u < b->size)
		fail("%s: malloc_usable_size(%p) = %zu < %zu", what, (void *)b->p, u, b->size);
}

static void account(const struct block *b, int sign)
{
	if (b->size > DENSE)
		large_live += sign > 0 ? b->size : -b->size;
}

static void set_block(unsigned int k, void *p, size_t size, size_t align, const char *what)
{
	struct block *b = &slots[k];

	if (!p)
		fail("%s(%zu) failed", what, size);
	check_alignment(p, align, what);
	b->p = p;
	b->size = size;
	b->align = align;
	b->seed = (uint64_t)k << 48 ^ ++generation;
	check_usable(b, what);
	account(b, 1);
}

static void release(unsigned int k, int how)
{
	struct block *b = &slots[k];

	if (!b->p)
		return;
	verify(b, b->size, "before free");
	account(b, -1);
	switch (how) {
	case 1:
		free_sized(b->p, b->size);
		break;
	case 2:
		free_aligned_sized(b->p, b->align ? b->align : 16, b->size);
		break;
	default:
		free(b->p);
		break;
	}
	b->p = NULL;
}

static void op_malloc(unsigned int k, size_t size)
{
	release(k, 0);
	set_block(k, malloc(size), size, 0, "malloc");
	fill(&slots[k]);
}

static void op_aligned(unsigned int k, int how, size_t align, size_t size)
{
	void *p = NULL;
	int err;

	release(k, 0);
	switch (how % 3) {
	case 0:
		p = memalign(align, size);
		set_block(k, p, size, align, "memalign");
		break;
	case 1:
		p = aligned_alloc(align, size);
		set_block(k, p, size, align, "aligned_alloc");
		break;
	default:
		if (align < sizeof(void *)) {
			p = (void *)1;
			if (posix_memalign(&p, align, size) != EINVAL || p != (void *)1)
				fail("posix_memalign(%zu, %zu) accepted a bad alignment", align, size);
			align = sizeof(void *);
		}
		err = posix_memalign(&p, align, size);
		if (err)
			fail("posix_memalign(%zu, %zu) = %d", align, size, err);
		set_block(k, p, size, align, "posix_memalign");
		break;
	}
	fill(&slots[k]);
}

static void op_calloc(unsigned int k, size_t n, size_t m)
{
	struct block *b = &slots[k];
	unsigned char *p;

	static const unsigned char zero[PAGE];
	size_t total;

	release(k, 0);
	while (n > 1 && n * m > DENSE && large_live + n * m > LARGE_BUDGET)
		n /= 2;
	total = n * m;
	p = calloc(n, m);
	set_block(k, p, total, 0, "calloc");
	for (size_t i = 0; i < total; i += PAGE) {
		size_t len = total - i < PAGE ? total - i : PAGE;

		if (memcmp(p + i, zero, len) == 0)
			continue;
		while (!p[i])
			i++;
		fail("calloc(%zu, %zu) = %p: byte %zu is 0x%02x, not zero",
		     n, m, (void *)p, i, p[i]);
	}
	fill(b);
}

static void op_realloc(unsigned int k, size_t size)
{
	struct block *b = &slots[k];
	struct block old = *b;
	void *p;

	if (!b->p) {
		p = realloc(NULL, size);
		set_block(k, p, size, 0, "realloc(NULL)");
		fill(b);
		return;
	}
	verify(b, b->size, "before realloc");
	account(b, -1);
	p = realloc(b->p, size);
	if (size == 0) {
		/* glibc's behaviour, documented: free and return NULL */
		if (p)
			fail("realloc(%p, 0) returned %p, not NULL", (void *)old.p, p);
		b->p = NULL;
		return;
	}
	if (!p)
		fail("realloc(%p, %zu) failed", (void *)old.p, size);
	check_alignment(p, 16, "realloc");
	b->p = p;
	b->size = size;
	b->align = 0;
	account(b, 1);
	check_usable(b, "realloc");
	/* The prefix kept its contents: the old pattern, wherever it was. */
	old.p = p;
	verify(&old, size, "after realloc");
	fill(b);
}

/* Requests the allocator must refuse, leaving the table alone. */
static void op_fail(unsigned int how)
{
	static volatile size_t bad_align = 48;
	void *p = (void *)1;
	int err;

	errno = 0;
	switch (how % 5) {
	case 0:
		p = malloc(SIZE_MAX - PAGE);
		break;
	case 1:
		p = calloc(SIZE_MAX / 2 + 2, 2);	/* n * m overflows */
		break;
	case 2:
		p = aligned_alloc(bad_align, 64);	/* not a power of two */
		if (p || errno != EINVAL)
			fail("aligned_alloc(%zu, 64) = %p, errno %d", bad_align, p, errno);
		return;
	case 3:
		err = posix_memalign(&p, bad_align / 2, 64);
		if (err != EINVAL || p != (void *)1)
			fail("posix_memalign(24) = %d", err);
		return;
	default:
		p = memalign(64, SIZE_MAX - 2 * PAGE);
		break;
	}
	if (p || errno != ENOMEM)
		fail("impossible request %u returned %p, errno %d", how % 5, p, errno);
}

static void invariants(const char *when)
{
	unsigned long bad = buddymalloc_check(STDERR_FILENO);

	if (bad)
		fail("%s: buddymalloc_check found %lu violations", when, bad);
	ops_since_check = 0;
}

/* ---------------------------------------------------------------- entry */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	unsigned int ops = 0;

	while (in.len && ops++ < 4096) {
		uint8_t op = byte(&in);
		unsigned int k = byte(&in) % NSLOTS;
		struct block *b = &slots[k];

		switch (op % 10) {
		case 0:
		case 1:
			op_malloc(k, get_size(&in));
			break;
		case 2:
			release(k, 0);
			break;
		case 3:
			op_realloc(k, get_size(&in));
			break;
		case 4: {
			size_t align = get_align(&in);

			op_aligned(k, op / 10, align, get_size(&in));
			break;
		}
		case 5: {
			size_t n = byte(&in), m = get_size(&in);

			while (n > 1 && n * m > (256u << 10))
				n /= 2;		/* few large products */
			op_calloc(k, n, m);
			break;
		}
		case 6:
			release(k, 1 + (op / 10) % 2);
			break;
		case 7:
			if (b->p)
				check_usable(b, "malloc_usable_size");
			else if (malloc_usable_size(NULL) != 0)
				fail("malloc_usable_size(NULL) != 0");
			break;
		case 8:
			op_fail(op / 10);
			break;
		default:
			invariants("on request");
			break;
		}
		if (++ops_since_check >= CHECK_EVERY)
			invariants("periodic");
	}
	for (unsigned int k = 0; k < NSLOTS; k++)
		release(k, 0);
	if (large_live)
		fail("accounting: %zu large bytes still live", large_live);
	invariants("after freeing every block");
	return 0;
}
