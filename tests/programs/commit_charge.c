/* SPDX-License-Identifier: MIT */
/*
 * commit_charge.c - what the process would be charged under strict
 * overcommit (vm.overcommit_memory=2): the kernel charges every writable
 * private mapping whole, touched or not.  Allocates SIZE bytes as
 * objects of PIECE bytes, touching each, and prints the charge in KiB:
 * the sum of the writable private mappings of /proc/self/smaps.
 *   commit_charge SIZE PIECE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long charge_kib(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perm[8];
	unsigned long lo, hi, kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 &&
		    perm[1] == 'w' && perm[3] == 'p')
			kib += (hi - lo) >> 10;
	fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	size_t piece = argc > 2 ? strtoull(argv[2], NULL, 0) : size;

	for (size_t got = 0; got < size; got += piece) {
		char *p = malloc(piece);

		if (!p) {
			perror("malloc");
			return 1;
		}
		memset(p, 1, piece);
	}
	printf("%lu\n", charge_kib());
	return 0;
}
