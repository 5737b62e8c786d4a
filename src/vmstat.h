/* SPDX-License-Identifier: MIT */
/* vmstat.h - the reports, in the shapes of the kernel's /proc files. */
#ifndef BM_VMSTAT_H
#define BM_VMSTAT_H

#include "fmt.h"
#include "mmzone.h"

void bm_buddyinfo(struct bm_out *o);
void bm_pagetypeinfo(struct bm_out *o);
void bm_zoneinfo(struct bm_out *o);
void bm_vmstat(struct bm_out *o);

/* Sum of one zone event over every zone. */
uint64_t bm_zone_event_sum(enum zone_event e);

void bm_slabinfo(struct bm_out *o);

/* Totals over every zone, for mallinfo. */
struct bm_usage {
	size_t	committed;	/* bytes committed to zones */
	size_t	free;		/* bytes free in the buddy lists */
	size_t	free_blocks;	/* free buddy blocks */
	size_t	huge_count;	/* direct mappings */
	size_t	huge_bytes;
};
void bm_usage(struct bm_usage *u);

/*
 * The report's summary, in bytes (huge_objects: a count).  One row per
 * counter: the summary lines of the report, the names buddymalloc_stat()
 * takes and the manual's list are all expanded from this table.
 */
/*        name          meaning */
#define BM_STATS(X) \
	X(allocated,    "bytes the program holds: live small, large and huge objects (small objects ready in a thread's cache count as held, as in jemalloc's stats.allocated)") \
	X(active,       "bytes of the pages under slabs and large objects, and of huge objects") \
	X(resident,     "bytes that may be in memory: pages handed to the buddy allocator and not given back, huge objects and metadata") \
	X(returned,     "free bytes given back to the operating system, still reserved") \
	X(metadata,     "bytes of the allocator's own: page descriptors of committed memory, node and slab tables") \
	X(huge,         "bytes of the objects beyond the largest buddy block, each mapped directly") \
	X(huge_objects, "how many such objects are live") \
	X(committed,    "bytes committed to the zones") \
	X(free,         "bytes in the buddy free lists, backed or returned")

struct bm_stats {
#define BM_STAT_FIELD(name, help) uint64_t name;
	BM_STATS(BM_STAT_FIELD)
#undef BM_STAT_FIELD
};

/* Fill *st: a walk of the committed page descriptors, without locks
 * (slabs and large objects may come and go meanwhile: a snapshot, not an
 * audit).  Never allocates. */
void bm_stats_read(struct bm_stats *st);

/* One summary counter by its name; false when no counter has that name. */
bool bm_stat_get(const char *name, uint64_t *value);

/* Every report above, in order, to fd: first the header (pid, program,
 * version, the settings in effect), then the summary, then the kernel's
 * shapes.  Never allocates. */
void bm_stats_print(int fd);

#endif /* BM_VMSTAT_H */
