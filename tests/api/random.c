/* SPDX-License-Identifier: MIT */
/*
 * random.c - random sequences of malloc, calloc, realloc, memalign,
 * posix_memalign, aligned_alloc and free (300,000 operations in each of
 * two threads, sizes from 1 byte to 4 MiB).  Each block is filled with a
 * pattern derived from its id; the pattern is checked intact before every
 * free and realloc (and realloc must keep it), calloc memory must be zero,
 * alignments must hold and usable sizes be at least the size asked for.
 */
#define _GNU_SOURCE 1
#include "api.h"

#include <malloc.h>
#include <pthread.h>

enum { SLOTS = 4096, OPS = 300000, THREADS = 2 };

struct slot {
	unsigned char *p;
	size_t size;
	uint64_t id;
};

struct run {
	unsigned long long seed;
	int failures;
};

static size_t rand_size(unsigned long long *s)
{
	unsigned long long r = test_rand(s);

	switch (r % 1000) {
	case 0:			/* 0.1%: up to 4 MiB */
		return 1 + (r >> 20) % (4u << 20);
	case 1 ... 20:		/* 2%: up to 256 KiB */
		return 1 + (r >> 20) % (256u << 10);
	case 21 ... 150:	/* 13%: up to 16 KiB */
		return 1 + (r >> 20) % (16u << 10);
	default:		/* small: up to 1 KiB, most under 128 */
		return 1 + (r >> 20) % ((r >> 40) % 8 ? 128 : 1024);
	}
}

static int verify(const struct slot *s, const char *what)
{
	size_t off = pat_check(s->p, s->size, s->id);

	if (off == (size_t)-1)
		return 0;
	fprintf(stderr, "block %llu (%zu bytes at %p) corrupted at offset %zu before %s\n",
		(unsigned long long)s->id, s->size, (void *)s->p, off, what);
	return 1;
}

static void *run(void *arg)
{
	struct run *r = arg;
	struct slot *slots = calloc(SLOTS, sizeof(*slots));
	unsigned long long *seed = &r->seed;
	uint64_t next_id = r->seed << 32;

	if (!slots) {
		r->failures++;
		return NULL;
	}
	for (long op = 0; op < OPS; op++) {
		struct slot *s = &slots[test_rand(seed) % SLOTS];
		unsigned kind = (unsigned)(test_rand(seed) % 16);
		size_t size = rand_size(seed);

		if (s->p) {
			r->failures += verify(s, kind < 5 ? "realloc" : "free");
			if (kind < 5) {		/* realloc */
				unsigned char *q = realloc(s->p, size);

				if (!q) {
					fprintf(stderr, "realloc(%zu) failed\n", size);
					r->failures++;
					continue;
				}
				s->p = q;
				size_t keep = size < s->size ? size : s->size;
				if (pat_check(q, keep, s->id) != (size_t)-1) {
					fprintf(stderr, "realloc %zu -> %zu lost contents\n", s->size, size);
					r->failures++;
				}
			} else {
				free(s->p);
				s->p = NULL;
				continue;
			}
		} else {
			size_t align = 0;

			switch (kind) {
			case 0 ... 7:
				s->p = malloc(size);
				break;
			case 8 ... 10:
				s->p = calloc(1, size);
				if (s->p && !all_zero(s->p, size)) {
					fprintf(stderr, "calloc(1, %zu) not zero\n", size);
					r->failures++;
				}
				break;
			case 11 ... 12:
				align = (size_t)1 << (test_rand(seed) % 17);
				s->p = memalign(align, size);
				break;
			case 13 ... 14: {
				void *p = NULL;
				align = sizeof(void *) << (test_rand(seed) % 14);
				if (posix_memalign(&p, align, size) != 0)
					p = NULL;
				s->p = p;
				break;
			}
			default:
				align = (size_t)1 << (test_rand(seed) % 13);
				s->p = aligned_alloc(align, size);
				break;
			}
			if (!s->p) {
				fprintf(stderr, "allocation of %zu (align %zu) failed\n", size, align);
				r->failures++;
				continue;
			}
			if (align && ((uintptr_t)s->p & (align - 1))) {
				fprintf(stderr, "%p not aligned to %zu\n", (void *)s->p, align);
				r->failures++;
			}
		}
		if (malloc_usable_size(s->p) < size) {
			fprintf(stderr, "usable size %zu < %zu\n", malloc_usable_size(s->p), size);
			r->failures++;
		}
		s->size = size;
		s->id = next_id++;
		pat_fill(s->p, size, s->id);
		if (r->failures > 20)
			break;
	}
	for (size_t i = 0; i < SLOTS; i++) {
		if (slots[i].p) {
			r->failures += verify(&slots[i], "final free");
			free(slots[i].p);
		}
	}
	free(slots);
	return NULL;
}

static void test_random_sequences(void)
{
	pthread_t t[THREADS];
	struct run r[THREADS];

	for (int i = 0; i < THREADS; i++) {
		r[i].seed = 0x1234567ULL * (unsigned)(i + 1) + 99;
		r[i].failures = 0;
		CHECK_EQ(pthread_create(&t[i], NULL, run, &r[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(r[i].failures, 0);
	}
}

int main(void)
{
	RUN_TEST(test_random_sequences);
	return test_exit();
}
