/* SPDX-License-Identifier: MIT */
/* numastat.h - per-node statistics and the numastat report. */
#ifndef BM_NUMASTAT_H
#define BM_NUMASTAT_H

#include "fmt.h"
#include "mmzone.h"

/* In the order of buddymalloc.h's struct buddymalloc_node_stats. */
enum { NUMA_HIT, NUMA_MISS, NUMA_FOREIGN, NUMA_INTERLEAVE_HIT, NUMA_LOCAL, NUMA_OTHER,
       NR_NUMA_STATS };

struct bm_node_stats {
	uint64_t	present_pages;		/* committed */
	uint64_t	free_pages;		/* free in the buddy lists */
	uint64_t	numa[NR_NUMA_STATS];
};

/* A consistent snapshot of node nid (our index). */
void bm_node_stats(int nid, struct bm_node_stats *st);

/* The nodes, the policy, the distances and the counters, shaped like
 * numactl --hardware and numastat. */
void bm_numastat(struct bm_out *o);

#endif /* BM_NUMASTAT_H */
