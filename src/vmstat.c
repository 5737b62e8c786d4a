/* SPDX-License-Identifier: MIT */
/*
 * vmstat.c - buddyinfo, pagetypeinfo, zoneinfo and vmstat reports.
 * Each zone is read under its lock into a snapshot, then printed with the
 * lock dropped, so printing never blocks allocation for long.
 */
#include "bm.h"
#include "large.h"
#include "numastat.h"
#include "slab.h"
#include "reclaim.h"
#include "vmstat.h"

#include <string.h>

static const char *const migratetype_names[MIGRATE_TYPES] = {
	[MIGRATE_UNMOVABLE] = "Unmovable",
	[MIGRATE_MOVABLE] = "Movable",
	[MIGRATE_RECLAIMABLE] = "Reclaimable",
};

static const char *const zone_event_names[NR_ZONE_EVENTS] = {
#define BM_EVENT_NAME(name, help) #name,
	BM_ZONE_EVENTS(BM_EVENT_NAME)
#undef BM_EVENT_NAME
};

struct zone_snapshot {
	uint64_t	nr_free[MAX_ORDER_LIMIT + 1][MIGRATE_TYPES];
	uint64_t	pageblocks[MIGRATE_TYPES];
	uint64_t	free_pages;
	uint64_t	free_returned;
	uint64_t	watermark[NR_WMARK];
	uint64_t	spanned, present, managed, sections;
	uint64_t	events[NR_ZONE_EVENTS];
};

static void zone_snapshot(struct zone *z, struct zone_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	bm_lock(&z->lock);
	for (unsigned int o = 0; o <= bm_max_order; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++)
			for (struct page *p = page_list_first(&z->free_area[o].free_list[t]);
			     p; p = p->next == PFN_NONE ? NULL : pfn_to_page(p->next))
				s->nr_free[o][t]++;
	for (uint32_t i = 0; i < z->present_pages; i += 1u << bm_pageblock_order)
		s->pageblocks[*pageblock_mt_of(z->zone_start_pfn + i) % MIGRATE_TYPES]++;
	s->free_pages = z->nr_free_pages;
	s->free_returned = z->nr_free_returned;
	memcpy(s->watermark, z->watermark, sizeof(s->watermark));
	s->spanned = z->spanned_pages;
	s->present = z->present_pages;
	s->managed = z->managed_pages;
	s->sections = z->nr_sections;
	memcpy(s->events, z->events, sizeof(s->events));
	bm_unlock(&z->lock);
}

#define for_each_zone(z) \
	for (int _n = 0; _n < bm_nr_nodes; _n++) \
		for (struct zone *z = bm_nodes[_n].zones; \
		     z < bm_nodes[_n].zones + MAX_NR_ZONES; z++)

void bm_buddyinfo(struct bm_out *o)
{
	struct zone_snapshot s;

	for_each_zone(z) {
		zone_snapshot(z, &s);
		bm_outf(o, "Node %d, zone %8s", z->node, zone_name(z));
		for (unsigned int ord = 0; ord <= bm_max_order; ord++) {
			uint64_t n = 0;
			for (int t = 0; t < MIGRATE_TYPES; t++)
				n += s.nr_free[ord][t];
			bm_outf(o, " %6lu", (unsigned long)n);
		}
		bm_outf(o, "\n");
	}
}

void bm_pagetypeinfo(struct bm_out *o)
{
	struct zone_snapshot s;

	bm_outf(o, "Page block order: %u\nPages per block:  %u\n\n",
		bm_pageblock_order, 1u << bm_pageblock_order);
	bm_outf(o, "Free pages count per migrate type at order");
	for (unsigned int ord = 0; ord <= bm_max_order; ord++)
		bm_outf(o, " %6u", ord);
	bm_outf(o, "\n");
	for_each_zone(z) {
		zone_snapshot(z, &s);
		for (int t = 0; t < MIGRATE_TYPES; t++) {
			bm_outf(o, "Node %4d, zone %8s, type %12s", z->node,
				zone_name(z), migratetype_names[t]);
			for (unsigned int ord = 0; ord <= bm_max_order; ord++)
				bm_outf(o, " %6lu", (unsigned long)s.nr_free[ord][t]);
			bm_outf(o, "\n");
		}
	}
	bm_outf(o, "\nNumber of blocks type    ");
	for (int t = 0; t < MIGRATE_TYPES; t++)
		bm_outf(o, " %12s", migratetype_names[t]);
	bm_outf(o, "\n");
	for_each_zone(z) {
		zone_snapshot(z, &s);
		bm_outf(o, "Node %d, zone %8s", z->node, zone_name(z));
		for (int t = 0; t < MIGRATE_TYPES; t++)
			bm_outf(o, " %12lu", (unsigned long)s.pageblocks[t]);
		bm_outf(o, "\n");
	}
}

void bm_zoneinfo(struct bm_out *o)
{
	struct zone_snapshot s;

	for_each_zone(z) {
		zone_snapshot(z, &s);
		bm_outf(o, "Node %d, zone %8s\n", z->node, zone_name(z));
		bm_outf(o, "  pages free     %lu\n", (unsigned long)s.free_pages);
		bm_outf(o, "        backed   %lu\n",
			(unsigned long)(s.free_pages - s.free_returned));
		bm_outf(o, "        returned %lu\n", (unsigned long)s.free_returned);
		bm_outf(o, "        min      %lu\n", (unsigned long)s.watermark[WMARK_MIN]);
		bm_outf(o, "        low      %lu\n", (unsigned long)s.watermark[WMARK_LOW]);
		bm_outf(o, "        high     %lu\n", (unsigned long)s.watermark[WMARK_HIGH]);
		bm_outf(o, "        spanned  %lu\n", (unsigned long)s.spanned);
		bm_outf(o, "        present  %lu\n", (unsigned long)s.present);
		bm_outf(o, "        managed  %lu\n", (unsigned long)s.managed);
		bm_outf(o, "        sections %lu\n", (unsigned long)s.sections);
	}
}

uint64_t bm_zone_event_sum(enum zone_event e)
{
	uint64_t sum = 0;

	for_each_zone(z) {
		bm_lock(&z->lock);
		sum += z->events[e];
		bm_unlock(&z->lock);
	}
	return sum;
}

void bm_vmstat(struct bm_out *o)
{
	for (int e = 0; e < NR_ZONE_EVENTS; e++)
		bm_outf(o, "%s %lu\n", zone_event_names[e],
			(unsigned long)bm_zone_event_sum((enum zone_event)e));
	bm_reclaim_vmstat(o);
}

void bm_slabinfo(struct bm_out *o)
{
	bm_outf(o, "# name        <objsize> <objperslab> <pagesperslab> : slabdata "
		"<active> <partial> <full> <empty> <total> : <allocated> <freed>\n");
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		uint64_t active = 0, partial = 0, full = 0, empty = 0, total = 0;
		uint64_t allocs = 0, frees = 0;

		for (int n = 0; n < bm_nr_nodes; n++) {
			struct slab_cache_node *sn = &bm_slab_nodes[n][c];

			bm_lock(&sn->lock);
			partial += sn->nr_partial;
			full += sn->nr_full;
			empty += sn->nr_empty;
			total += sn->nr_slabs;
			allocs += sn->nr_alloc_slab;
			frees += sn->nr_free_slab;
			bm_unlock(&sn->lock);
		}
		if (!allocs)
			continue;
		active = total - partial - full - empty;
		bm_outf(o, "size-%-7u %9u %12u %14u : slabdata %8lu %9lu %6lu %7lu %7lu : %11lu %7lu\n",
			bm_class_size[c], bm_class_size[c], bm_class_objects[c],
			1u << bm_class_order[c], (unsigned long)active,
			(unsigned long)partial, (unsigned long)full,
			(unsigned long)empty, (unsigned long)total,
			(unsigned long)allocs, (unsigned long)frees);
	}
}

void bm_usage(struct bm_usage *u)
{
	struct zone_snapshot s;

	memset(u, 0, sizeof(*u));
	for_each_zone(z) {
		zone_snapshot(z, &s);
		u->committed += s.present << PAGE_SHIFT;
		u->free += s.free_pages << PAGE_SHIFT;
		for (unsigned int o = 0; o <= bm_max_order; o++)
			for (int t = 0; t < MIGRATE_TYPES; t++)
				u->free_blocks += s.nr_free[o][t];
	}
	bm_huge_stats(&u->huge_count, &u->huge_bytes);
}

void bm_stats_print(int fd)
{
	char buf[4096];
	struct bm_out o;

	bm_out_init(&o, fd, buf, sizeof(buf));
	bm_outf(&o, "--- libbuddymalloc buddyinfo ---\n");
	bm_buddyinfo(&o);
	bm_outf(&o, "--- libbuddymalloc pagetypeinfo ---\n");
	bm_pagetypeinfo(&o);
	bm_outf(&o, "--- libbuddymalloc zoneinfo ---\n");
	bm_zoneinfo(&o);
	bm_outf(&o, "--- libbuddymalloc slabinfo ---\n");
	bm_slabinfo(&o);
	bm_outf(&o, "--- libbuddymalloc numastat ---\n");
	bm_numastat(&o);
	bm_outf(&o, "--- libbuddymalloc vmstat ---\n");
	bm_vmstat(&o);
	bm_out_flush(&o);
}
