/* SPDX-License-Identifier: MIT */
/*
 * one_malloc.c - the smallest program that asks the allocator for
 * memory: one malloc(1) call, nothing else (no stdio, whose buffers
 * would be more allocations).  bench/run times it with hyperfine next to
 * `true` for the start-up cost of each allocator under LD_PRELOAD.
 * The volatile pointer keeps the compiler from eliding the call.
 */
#include <stdlib.h>

int main(void)
{
	char *volatile p = malloc(1);

	if (!p)
		return 1;
	p[0] = 1;
	return 0;
}
