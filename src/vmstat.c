/* SPDX-License-Identifier: MIT */
/*
 * vmstat.c - buddyinfo, pagetypeinfo, zoneinfo and vmstat reports.
 * Each zone is read under its lock into a snapshot, then printed with the
 * lock dropped, so printing never blocks allocation for long.
 */
#include "bm.h"
#include "large.h"
#include "options.h"
#include "numastat.h"
#include "slab.h"
#include "reclaim.h"
#include "vmstat.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
			     p; p = page_list_next(p))
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

/* Objects of slab s the program holds.  An owned slab's free objects
 * are on its freelist (local_free), its remote list, in pages given back
 * (returned_objs), not yet carved, or in the owner's bin: those last are
 * counted as held.  A listed slab counts them in inuse, remote frees not
 * yet collected included. */
static uint64_t slab_objects_held(struct slab *s)
{
	uint64_t remote = remote_count(atomic_load_explicit(&s->remote, memory_order_relaxed));
	uint64_t held, freed;

	if (atomic_load_explicit(&s->state, memory_order_relaxed) == SLAB_ACTIVE) {
		held = atomic_load_explicit(&s->carved, memory_order_relaxed);
		freed = __atomic_load_n(&s->local_free, __ATOMIC_RELAXED) + remote +
			__atomic_load_n(&s->returned_objs, __ATOMIC_RELAXED);
	} else {
		held = atomic_load_explicit(&s->inuse, memory_order_relaxed);
		freed = remote;
	}
	return held > freed ? held - freed : 0;
}

/* Walk a zone's committed descriptors: slabs and large objects.  The
 * blocks change under us; every length read is bounded, so a torn read
 * only misplaces a block in the counts. */
static void zone_walk(const struct zone *z, uint32_t present, struct bm_stats *st)
{
	uint32_t pfn = z->zone_start_pfn, end = pfn + present;

	while (pfn < end) {
		struct page *p = pfn_to_page(pfn);
		unsigned int flags = page_flags(p);
		uint32_t nr = 1;

		if (flags & (PG_buddy | PG_pcp)) {
			unsigned int order = __atomic_load_n(&p->order, __ATOMIC_RELAXED);

			nr = 1u << (order <= MAX_ORDER_LIMIT ? order : 0);
		} else if (flags & PG_head) {
			nr = __atomic_load_n(&p->nr_pages, __ATOMIC_RELAXED);
			if (nr == 0 || nr > end - pfn)
				nr = 1;
			if (flags & PG_slab) {
				struct slab *s = page_slab(p);
				unsigned int cls = __atomic_load_n(&s->size_class, __ATOMIC_RELAXED);

				if (cls < NR_SIZE_CLASSES)
					st->allocated += slab_objects_held(s) * bm_class_size[cls];
				st->active += (uint64_t)nr << PAGE_SHIFT;
			} else if (flags & PG_large) {
				st->allocated += (uint64_t)(nr - !!(flags & PG_guard)) << PAGE_SHIFT;
				st->active += (uint64_t)nr << PAGE_SHIFT;
			}
		}
		pfn += nr;
	}
}

void bm_stats_read(struct bm_stats *st)
{
	size_t huge_count, huge_bytes;
	uint64_t backed = 0;

	memset(st, 0, sizeof(*st));
	for_each_zone(z) {
		uint32_t present;

		bm_lock(&z->lock);
		present = z->present_pages;
		st->committed += (uint64_t)present << PAGE_SHIFT;
		st->free += z->nr_free_pages << PAGE_SHIFT;
		st->returned += z->nr_free_returned << PAGE_SHIFT;
		backed += (uint64_t)(z->managed_pages - z->nr_free_returned) << PAGE_SHIFT;
		bm_unlock(&z->lock);
		st->metadata += (uint64_t)present * sizeof(struct page);
		zone_walk(z, present, st);
	}
	bm_huge_stats(&huge_count, &huge_bytes);
	st->huge = huge_bytes;
	st->huge_objects = huge_count;
	st->allocated += huge_bytes;
	st->active += huge_bytes;
	st->metadata += sizeof(bm_nodes) + sizeof(bm_slab_nodes);
	st->resident = backed + huge_bytes + st->metadata;
}

static const struct stat_row {
	const char	*name;
	size_t		offset;
} stat_rows[] = {
#define BM_STAT_ROW(name, help) { #name, offsetof(struct bm_stats, name) },
	BM_STATS(BM_STAT_ROW)
#undef BM_STAT_ROW
};

static uint64_t stat_value(const struct bm_stats *st, const struct stat_row *r)
{
	return *(const uint64_t *)(const void *)((const char *)st + r->offset);
}

bool bm_stat_get(const char *name, uint64_t *value)
{
	struct bm_stats st;

	for (size_t i = 0; i < BM_ARRAY_SIZE(stat_rows); i++)
		if (!strcmp(stat_rows[i].name, name)) {
			bm_stats_read(&st);
			*value = stat_value(&st, &stat_rows[i]);
			return true;
		}
	return false;
}

/* The program's command line from /proc/self/cmdline, its arguments
 * joined by spaces; program_invocation_name when /proc is not there. */
static void print_program(struct bm_out *o)
{
	char buf[256];
	ssize_t n = bm_os_read_file("/proc/self/cmdline", buf, sizeof(buf));

	if (n <= 0) {
		bm_outf(o, "%s", program_invocation_name);
		return;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\n')
			buf[i] = ' ';
	buf[n] = '\0';
	bm_outf(o, "%s%s", buf, n == (ssize_t)sizeof(buf) - 1 ? "..." : "");
}

static void print_header(struct bm_out *o)
{
	bm_outf(o, "--- libbuddymalloc process ---\n");
	bm_outf(o, "pid %d\n", (int)getpid());
	bm_outf(o, "program ");
	print_program(o);
	bm_outf(o, "\nversion %s\n", PACKAGE_VERSION);
	bm_outf(o, "--- libbuddymalloc settings ---\n");
	bm_options_print(o, "");
}

static void print_summary(struct bm_out *o)
{
	struct bm_stats st;

	bm_stats_read(&st);
	bm_outf(o, "--- libbuddymalloc summary ---\n");
	for (size_t i = 0; i < BM_ARRAY_SIZE(stat_rows); i++)
		bm_outf(o, "%s %llu\n", stat_rows[i].name,
			(unsigned long long)stat_value(&st, &stat_rows[i]));
}

void bm_stats_print(int fd)
{
	char buf[4096];
	struct bm_out o;
	int saved_errno = errno;

	bm_out_init(&o, fd, buf, sizeof(buf));
	print_header(&o);
	print_summary(&o);
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
	errno = saved_errno;
}
