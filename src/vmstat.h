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

/* Every report above, in order, to fd. */
void bm_stats_print(int fd);

#endif /* BM_VMSTAT_H */
