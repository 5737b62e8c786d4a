/* SPDX-License-Identifier: MIT */
/* watermark.h - per-zone min/low/high free-page levels. */
#ifndef BM_WATERMARK_H
#define BM_WATERMARK_H

#include "mmzone.h"

/* Allocation flags that change the watermark a check uses. */
#define ALLOC_HARDER	(1u << 0)	/* may use half of the min reserve */

/* Recompute the watermarks from managed_pages (zone->lock held). */
void bm__setup_zone_watermarks(struct zone *z);

/* The min watermark in pages for a zone of managed pages. */
uint64_t bm_min_free_pages(uint64_t managed);

/* Would taking a block of 2^order pages leave the zone above mark, and is
 * there a block that large?  (zone->lock held) */
bool bm__zone_watermark_ok(const struct zone *z, unsigned int order,
			 enum zone_watermarks mark, unsigned int alloc_flags);

#endif /* BM_WATERMARK_H */
