/* SPDX-License-Identifier: MIT */
/*
 * leak_uaf.c - a program with exactly two memory errors, for memcheck
 * (tests/valgrind/run-memcheck): one block of LEAK_SIZE bytes leaked with
 * no pointer left to it ("definitely lost"), and one read of a freed block
 * of UAF_SIZE bytes ("Invalid read").  Everything else is freed correctly,
 * so any other memcheck error is a false positive of the allocator's
 * client requests.  It is linked statically with libbuddymalloc, so the
 * allocator memcheck watches is ours, not its own replacement.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEAK_SIZE	100
#define UAF_SIZE	200

/* Keep the compiler from tracking pointers through these. */
static void *volatile sink;

static __attribute__((noinline)) void leak(void)
{
	char *p = malloc(LEAK_SIZE);

	if (!p)
		exit(1);
	memset(p, 'L', LEAK_SIZE);
	sink = p;
	sink = NULL;		/* the only pointer to it is gone */
}

static __attribute__((noinline)) int use_after_free(void)
{
	char *p = malloc(UAF_SIZE);

	if (!p)
		exit(1);
	memset(p, 'U', UAF_SIZE);
	sink = p;		/* hidden from the compiler's use-after-free warning */
	free(p);
	return ((volatile char *)sink)[UAF_SIZE / 2];	/* the error: read after free */
}

int main(void)
{
	/* Correct use around the errors: none of this may be reported. */
	void *ok[64];

	for (int i = 0; i < 64; i++) {
		ok[i] = malloc((size_t)i * 37 + 1);
		if (!ok[i])
			return 1;
		memset(ok[i], i, (size_t)i * 37 + 1);
	}
	leak();
	printf("read after free: %d\n", use_after_free());
	for (int i = 0; i < 64; i++)
		free(ok[i]);
	return 0;
}
