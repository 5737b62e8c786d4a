/* SPDX-License-Identifier: MIT */
/*
 * leak_first.c - the process's first allocation, 32 bytes, leaked: the
 * first object of the first slab, which starts at the very start of the
 * allocator's reserve.  memcheck must call it "definitely lost", not
 * "still reachable" (tests/valgrind/run-memcheck).
 */
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

int main(void)
{
	char *p = malloc(32);

	if (!p)
		return 1;
	memset(p, 'F', 32);
	sink = p;
	sink = NULL;		/* the only pointer to it is gone */
	return 0;
}
