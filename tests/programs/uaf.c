/* SPDX-License-Identifier: MIT */
/*
 * uaf.c - writes after free, for debug_poison.sh to run under LD_PRELOAD
 * (linked with nothing of ours).  argv[1] names where the write lands in
 * a freed object: link (bytes 0-7 of a 64 B object), head (bytes 0-15),
 * marker_mid (byte 8 and byte 32), mid (byte 32), off40 (byte 40 of a
 * 100 B object, which comes back 36 allocations later).  Then it churns
 * objects of that size, so the freed one is handed out again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "mid";
	size_t size = strcmp(m, "off40") == 0 ? 100 : 64;
	volatile uintptr_t addr = (uintptr_t)malloc(size);
	/* Written through a volatile pointer: the compiler would drop a
	 * store to memory it knows is freed and never read again. */
	volatile char *p = (volatile char *)addr;

	free((void *)addr);
	if (!strcmp(m, "link"))
		for (int i = 0; i < 8; i++)
			p[i] = 0x41;
	else if (!strcmp(m, "head"))
		for (int i = 0; i < 16; i++)
			p[i] = 0x41;
	else if (!strcmp(m, "marker_mid"))
		p[8] = p[32] = 0x41;
	else if (!strcmp(m, "off40"))
		p[40] = 0x41;
	else
		p[32] = 0x41;
	for (int i = 0; i < 36; i++) {
		void *volatile q = malloc(size);
		(void)q;
	}
	for (int i = 0; i < 10000; i++) {
		void *volatile q = malloc(size);
		free(q);
	}
	return 0;
}
