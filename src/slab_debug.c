/* SPDX-License-Identifier: MIT */
/* slab_debug.c - small objects in the debug modes (debug.h): taken from
 * the thread's debug bin, their poison checked, junk written. */
#include "bm.h"
#include "debug.h"
#include "error.h"
#include "slab.h"

#include <string.h>

void *bm_debug_slab_alloc(unsigned int cls)
{
	struct tcache_bin *bin = &bm_tc.debug_bins[cls];
	uint32_t size = bm_class_size[cls];
	void **obj = bin->freelist;

	if (!obj && !(obj = bm_slab_refill(bin, cls)))
		return NULL;
	bin->freelist = fl_next(obj);
	/* Only an object that was freed carries the marker (and the poison). */
	if ((bm_debug & BM_DEBUG_POISON) && obj[1] == (void *)free_marker(obj) &&
	    bm_poison_check(obj, 16, size) != size)
		bm_bad_object("malloc", obj, "written after it was freed (poison changed)", size);
	obj[1] = NULL;
	if (bm_debug & BM_DEBUG_JUNK)
		memset(obj, BM_JUNK_BYTE, size);
	return obj;
}
