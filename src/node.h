/* SPDX-License-Identifier: MIT */
/* node.h - the reserved range, the nodes in it and section commit. */
#ifndef BM_NODE_H
#define BM_NODE_H

#include "mmzone.h"

/* Reserve the range and the mem_map for nr_nodes nodes; false on failure. */
bool bm_nodes_init(int nr_nodes);

/* Commit the zone's next section and hand it to the buddy (zone->lock held).
 * False when the zone's reservation is used up or the kernel refuses. */
bool __zone_grow(struct zone *z);

/* The node whose zones the calling thread should try first. */
static inline int bm_local_node(void)
{
	return 0;	/* one node; the NUMA issue maps cpus to nodes */
}

#endif /* BM_NODE_H */
