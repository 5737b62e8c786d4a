/* SPDX-License-Identifier: MIT */
/* fill.c - allocate 1 MiB blocks, touching each, until malloc says no;
 * print how many MiB it got (ulimit.sh runs it under RLIMIT_AS). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	size_t n = 0;
	char *p;

	while ((p = malloc(1 << 20)) != NULL) {
		p[0] = 1;
		n++;
	}
	printf("%zu\n", n);
	return 0;
}
