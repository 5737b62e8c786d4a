/* SPDX-License-Identifier: MIT */
/*
 * watermark.c - zone watermarks, as the kernel derives them.
 *
 * min comes from min_free_kbytes; by default the kernel's rule of thumb,
 * sqrt(16 * zone KiB) clamped to [128 KiB, 256 MiB], so the reserve grows
 * slower than the zone.  low and high sit above min by
 * max(min / 4, managed * watermark_scale_factor / 10000) and twice that.
 */
#include "bm.h"
#include "buddy.h"
#include "options.h"
#include "watermark.h"

static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

uint64_t bm_min_free_pages(uint64_t managed)
{
	uint64_t kbytes = bm_opt_min_free_kbytes;

	if (!kbytes) {
		kbytes = isqrt(managed * (PAGE_SIZE / 1024) * 16);
		if (kbytes < 128)
			kbytes = 128;
		if (kbytes > 262144)
			kbytes = 262144;
	}
	return kbytes / (PAGE_SIZE / 1024);
}

void bm__setup_zone_watermarks(struct zone *z)
{
	uint64_t managed = z->managed_pages;

	bm_lock_assert_held(&z->lock);
	/* A node's zone sizes its reserve by the node's memory, as the
	 * kernel's does, not by the part committed so far. */
	uint64_t min = bm_min_free_pages(z->node_pages ? z->node_pages : managed);
	uint64_t gap = managed * bm_opt_watermark_scale_factor / 10000;

	if (min > managed / 4)		/* a small zone keeps most of itself usable */
		min = managed / 4;
	if (gap < min / 4)
		gap = min / 4;
	z->watermark[WMARK_MIN] = min;
	z->watermark[WMARK_LOW] = min + gap;
	z->watermark[WMARK_HIGH] = min + 2 * gap;
	BM_DEBUG_BUG_ON(z->watermark[WMARK_MIN] > z->watermark[WMARK_LOW] ||
			z->watermark[WMARK_LOW] > z->watermark[WMARK_HIGH]);
}

bool bm__zone_watermark_ok(const struct zone *z, unsigned int order,
			 enum zone_watermarks mark, unsigned int alloc_flags)
{
	int64_t free = (int64_t)z->nr_free_pages - (1 << order) + 1;
	int64_t min = (int64_t)z->watermark[mark];

	bm_lock_assert_held(&z->lock);
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 2;
	if (free <= min)
		return false;
	return order == 0 || bm__zone_has_order(z, order);
}
