/* SPDX-License-Identifier: MIT */
/* debug.c - the debug modes in force and the poison check (debug.h).
 * The slab's debug path is slab_debug.c. */
#include "bm.h"
#include "debug.h"

unsigned int bm_debug;
unsigned int bm_alloc_hooks;

size_t bm_poison_check(const void *p, size_t from, size_t to)
{
	const unsigned char *c = p;

	for (size_t i = from; i < to; i++)
		if (c[i] != BM_POISON_BYTE)
			return i;
	return to;
}
