/* SPDX-License-Identifier: MIT */
/* classify.c - pointer classification (classify.h). */
#include "bm.h"
#include "buddy.h"
#include "bootstrap.h"
#include "classify.h"
#include "error.h"
#include "init.h"
#include "large.h"
#include "slab.h"

/* Is page free: on a pcp list, or inside a free buddy block?  A block
 * freed twice is found there: after its first free its head is a pcp
 * entry, a buddy head, or part of a block it merged into. */
static bool page_is_free(const struct page *page)
{
	struct zone *z = page_zone(page);
	bool free;

	if (page->flags & (PG_pcp | PG_buddy))
		return true;
	bm_lock(&z->lock);
	free = bm__pfn_is_free(z, page_to_pfn(page));
	bm_unlock(&z->lock);
	return free;
}

enum obj_kind bm_classify(const void *p, const char *op, size_t *usable)
{
	struct page *page;
	const char *why;

	if (!bm_addr_in_range(p)) {
		/* Before bm_init: init's own libraries (dlopen'd hwloc) free
		 * bootstrap memory while it runs. */
		if (bm_is_bootstrap(p)) {
			*usable = bm_bootstrap_size(p);
			return OBJ_BOOTSTRAP;
		}
		bm_init();	/* the configuration decides what a report does */
		if ((*usable = bm_huge_usable(p)) != 0)
			return OBJ_HUGE;
		if (bm_huge_freed_recently(p))
			bm_bad_pointer(op, p, "double free (a mapping freed already)");
		else
			bm_bad_pointer(op, p, "not allocated by libbuddymalloc");
		return OBJ_BAD;
	}
	page = virt_to_page(p);
	if (page->flags & PG_slab) {
		uint32_t off;
		struct slab *s = obj_slab(page, p, &off);

		why = bm_slab_check_free(s, (void *)p, &bm_tc.bins[s->size_class]);
		if (!why) {
			*usable = bm_class_size[s->size_class];
			return OBJ_SLAB;
		}
		bm_bad_object(op, p, why, bm_class_size[s->size_class]);
		return OBJ_BAD;
	} else if ((page->flags & (PG_head | PG_large | PG_pcp)) == (PG_head | PG_large) &&
		   p == page_address(page)) {
		*usable = bm_large_usable(page);
		return OBJ_LARGE;
	} else if (!((uintptr_t)p & (PAGE_SIZE - 1)) && page_is_free(page)) {
		why = "double free (the block is free already)";
	} else if ((uintptr_t)p & (PAGE_SIZE - 1) || page->flags & PG_head) {
		why = "not the start of an allocation (interior pointer)";
	} else {
		why = "not allocated (free memory or an interior pointer)";
	}
	bm_bad_pointer(op, p, why);
	return OBJ_BAD;
}
