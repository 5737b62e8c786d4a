/* SPDX-License-Identifier: MIT */
/* node.h - the reserved range, the nodes in it and section commit. */
#ifndef BM_NODE_H
#define BM_NODE_H

#include "mmzone.h"

/* Reserve the range and the mem_map for nr_nodes nodes; false on failure. */
bool bm_nodes_init(int nr_nodes);

/* Give the buddy another max-order block of committed memory, first
 * committing the next section when may_commit allows and none is left
 * (zone->lock held).  False when the zone cannot grow. */
bool __zone_grow(struct zone *z, bool may_commit);

/* The node whose zones the calling thread should try first. */
static inline int bm_local_node(void)
{
	return 0;	/* one node; the NUMA issue maps cpus to nodes */
}

#endif /* BM_NODE_H */
