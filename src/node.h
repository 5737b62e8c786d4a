/* SPDX-License-Identifier: MIT */
/* node.h - the reserved range, the nodes in it and section commit. */
#ifndef BM_NODE_H
#define BM_NODE_H

#include "mmzone.h"

/* Reserve the range and the bm_mem_map for nr_nodes nodes; false on failure. */
bool bm_nodes_init(int nr_nodes);

/* Give the buddy another max-order block of committed memory, first
 * committing the next section when may_commit allows and none is left
 * (zone->lock held).  False when the zone cannot grow. */
bool bm__zone_grow(struct zone *z, bool may_commit);

int bm_local_node_slow(void);

/* The node the calling thread runs on: the kernel's numa_node_id(). */
static inline int bm_local_node(void)
{
	if (likely(bm_nr_nodes == 1))
		return 0;
	return bm_local_node_slow();
}

#endif /* BM_NODE_H */
