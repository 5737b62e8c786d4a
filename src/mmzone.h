/* SPDX-License-Identifier: MIT */
/*
 * mmzone.h - nodes, zones, free areas and their counters.  zone->lock
 * and the order it is taken in: see the lock-order block in lock.h.
 */
#ifndef BM_MMZONE_H
#define BM_MMZONE_H

#include "bm.h"
#include "lock.h"
#include "page.h"

enum zone_type {
	ZONE_NORMAL,		/* ordinary anonymous memory */
	MAX_NR_ZONES
};

enum zone_watermarks {
	WMARK_MIN,		/* only ALLOC_HARDER allocations go below */
	WMARK_LOW,		/* below: reclaim, then grow the zone */
	WMARK_HIGH,		/* where reclaim stops */
	NR_WMARK
};

/* Zone event counters, each declared once: the struct and the vmstat
 * report both expand from this list.  Updated under zone->lock. */
#define BM_ZONE_EVENTS(X) \
	X(pgalloc,		"pages handed out by the buddy allocator") \
	X(pgfree,		"pages given back to the buddy allocator") \
	X(alloc_blocks,		"block allocations served") \
	X(free_blocks,		"block frees") \
	X(split,		"blocks split in two by expand") \
	X(merge,		"buddies merged on free") \
	X(fallback,		"allocations served from another migratetype") \
	X(pageblock_steal,	"pageblocks taken over by another migratetype") \
	X(section_commit,	"sections committed") \
	X(range_grow,		"sections of address space added to a limited range") \
	X(watermark_low,	"allocations that found the zone below low") \
	X(alloc_fail,		"allocations that found no memory in this zone") \
	X(reclaim_wakeup,	"times the reclaim thread was woken by the low watermark") \
	X(direct_reclaim,	"allocations that reclaimed before committing a section") \
	X(frag_drain,		"allocations that drained pcp lists before growing a fragmented zone") \
	X(pages_drained,	"pages drained from pcp lists by reclaim") \
	X(slabs_shrunk,		"empty slabs given back to the buddy by reclaim") \
	X(pages_returned,	"free pages given back to the OS") \
	X(madvise_calls,	"madvise calls that gave pages back") \
	X(free_purges,		"blocks given back at once, a free having merged them past 8 MiB dirty") \
	X(purges_kept,	"such blocks kept: more than half, or under a 32nd, resident") \
	X(numa_hit,		"allocations served by the node they were meant for") \
	X(numa_miss,		"allocations served here, meant for another node") \
	X(numa_foreign,		"allocations meant for this node, served by another") \
	X(interleave_hit,	"interleaved allocations served by the node chosen") \
	X(local_node,		"allocations served here for a thread on this node") \
	X(other_node,		"allocations served here for a thread on another node")

enum zone_event {
#define BM_EVENT_ENUM(name, help) ZE_##name,
	BM_ZONE_EVENTS(BM_EVENT_ENUM)
#undef BM_EVENT_ENUM
	NR_ZONE_EVENTS
};

struct free_area {
	struct page_list	free_list[MIGRATE_TYPES];
	uint64_t		nr_free;	/* blocks of this order, all types */
};

struct zone {
	bm_lock_t	lock;
	struct free_area free_area[MAX_ORDER_LIMIT + 1];
	uint64_t	nr_free_pages;		/* pages in free_area */
	uint64_t	nr_free_returned;	/* of those, given back to the OS */
	uint64_t	kick_pages;		/* backed free pages that kick reclaim (reclaim.c) */
	uint64_t	peak_used;		/* the most pages handed out at once */
	_Atomic int	kick;			/* set when backed free pages rose past kick_pages */
	_Atomic int	purge;			/* set when a free merged a block to give back (buddy.c) */
	uint32_t	purge_pfn;		/* that block */
	uint32_t	purge_pages;		/* dirty pages a merge gives back at once (0: never) */
	uint64_t	nr_free_dirty;		/* of the free pages, those that may be resident */
	uint64_t	recent_used[2];		/* most pages in use this decay_ms window and the last */
	uint64_t	recent_epoch;		/* the window recent_used[0] is for */
	uint64_t	watermark[NR_WMARK];	/* in pages */
	uint32_t	zone_start_pfn;
	uint32_t	spanned_pages;		/* reserved for the zone */
	uint32_t	present_pages;		/* committed */
	uint32_t	managed_pages;		/* committed and handed to the buddy */
	uint32_t	nr_sections;		/* committed sections */
	uint32_t	node_pages;		/* the node's memory: present_pages' cap (0: none known) */
	bool		thp;			/* committed memory advised for huge pages */
	int		node;			/* owning node id */
	enum zone_type	type;
	uint64_t	events[NR_ZONE_EVENTS];
} __attribute__((aligned(64)));

/* Zones to try for an allocation, best first, NULL-terminated. */
struct zonelist {
	struct zone	*zones[MAX_NUMNODES * MAX_NR_ZONES + 1];
};

/* pg_data_t: one per NUMA node. */
struct node {
	int		id;
	uint32_t	start_pfn;
	uint32_t	nr_pages;		/* span of the node's range */
	struct zone	zones[MAX_NR_ZONES];
	struct zonelist	zonelist;
};

extern struct node	bm_nodes[MAX_NUMNODES];
extern int		bm_nr_nodes;
extern unsigned int	bm_node_pfn_shift;	/* pfn >> shift: its node */
extern unsigned int	bm_max_order;		/* largest block order in use */
extern unsigned int	bm_pageblock_order;
extern uint32_t		bm_section_pages;

static inline const char *zone_name(const struct zone *z)
{
	static const char *const names[MAX_NR_ZONES] = { "Normal" };
	return names[z->type];
}

static inline struct zone *page_zone(const struct page *p)
{
	uint32_t pfn = page_to_pfn(p);
	return &bm_nodes[pfn >> bm_node_pfn_shift].zones[ZONE_NORMAL];
}

static inline uint8_t *pageblock_mt_of(uint32_t pfn)
{
	uint32_t first = pfn & ~((1u << bm_pageblock_order) - 1);
	return &pfn_to_page(first)->pageblock_mt;
}

#define zone_event(z, e, n)	((z)->events[ZE_##e] += (n))
/* The same without the zone lock held: takes it for the update. */
#define zone_event_locked(z, e, n) \
	do { bm_lock(&(z)->lock); zone_event(z, e, n); bm_unlock(&(z)->lock); } while (0)

#endif /* BM_MMZONE_H */
