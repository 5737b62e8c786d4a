/* SPDX-License-Identifier: MIT */
/*
 * numastat.c - per-node statistics: the numastat report, its counters as
 * the kernel keeps them (mmzone.h's BM_ZONE_EVENTS), and the snapshot the
 * public API hands out.
 *
 *   numa_hit + numa_miss   = allocations a node served
 *   local_node + other_node = the same, split by where the thread ran
 *   sum of numa_miss       = sum of numa_foreign
 */
#include "bm.h"
#include "mempolicy.h"
#include "numastat.h"
#include "topology.h"

#include <string.h>

static const enum zone_event numa_events[] = {
	ZE_numa_hit, ZE_numa_miss, ZE_numa_foreign,
	ZE_interleave_hit, ZE_local_node, ZE_other_node,
};

static const char *const numa_event_names[] = {
	"numa_hit", "numa_miss", "numa_foreign",
	"interleave_hit", "local_node", "other_node",
};

void bm_node_stats(int nid, struct bm_node_stats *st)
{
	struct zone *z = &bm_nodes[nid].zones[ZONE_NORMAL];

	memset(st, 0, sizeof(*st));
	bm_lock(&z->lock);
	st->present_pages = z->present_pages;
	st->free_pages = z->nr_free_pages;
	for (size_t i = 0; i < BM_ARRAY_SIZE(numa_events); i++)
		st->numa[i] = z->events[numa_events[i]];
	bm_unlock(&z->lock);
}

static void policy_line(struct bm_out *o)
{
	static const char *const modes[] = {
		[MPOL_MODE_LOCAL] = "local", [MPOL_MODE_PREFERRED] = "preferred",
		[MPOL_MODE_BIND] = "bind", [MPOL_MODE_INTERLEAVE] = "interleave",
	};
	char sep = ':';

	bm_outf(o, "policy %s", modes[bm_policy.mode]);
	if (bm_policy.mode == MPOL_MODE_PREFERRED)
		bm_outf(o, ":%d", bm_topo.os_node[bm_policy.node]);
	for (int n = 0; n < bm_nr_nodes; n++)
		if (bm_policy.mode >= MPOL_MODE_BIND && (bm_policy.nodes >> n) & 1) {
			bm_outf(o, "%c%d", sep, bm_topo.os_node[n]);
			sep = ',';
		}
	bm_outf(o, " (%s)\n", bm_policy_source);
}

void bm_numastat(struct bm_out *o)
{
	struct bm_node_stats st[MAX_NUMNODES];

	bm_outf(o, "nodes %d (%s)\n", bm_nr_nodes, bm_topo.source);
	policy_line(o);
	bm_outf(o, "%-16s", "node distances");
	for (int n = 0; n < bm_nr_nodes; n++)
		bm_outf(o, " %15d", bm_topo.os_node[n]);
	bm_outf(o, "\n");
	for (int a = 0; a < bm_nr_nodes; a++) {
		bm_outf(o, "%16d", bm_topo.os_node[a]);
		for (int b = 0; b < bm_nr_nodes; b++)
			bm_outf(o, " %15u", (unsigned int)bm_topo.distance[a][b]);
		bm_outf(o, "\n");
	}
	bm_outf(o, "%-16s", "");
	for (int n = 0; n < bm_nr_nodes; n++) {
		bm_outf(o, "         node%-3d", bm_topo.os_node[n]);
		bm_node_stats(n, &st[n]);
	}
	bm_outf(o, "\n");
	for (size_t i = 0; i < BM_ARRAY_SIZE(numa_events); i++) {
		bm_outf(o, "%-16s", numa_event_names[i]);
		for (int n = 0; n < bm_nr_nodes; n++)
			bm_outf(o, " %15lu", (unsigned long)st[n].numa[i]);
		bm_outf(o, "\n");
	}
}
