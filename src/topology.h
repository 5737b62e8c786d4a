/* SPDX-License-Identifier: MIT */
/*
 * topology.h - the machine's NUMA nodes, which cpu sits on which, and how
 * far apart they are.
 *
 * Discovery is lazy and cheap where it can be: one get_mempolicy call
 * counts the nodes the process may use.  Only when there are several are
 * the nodes, their cpus and distances read: from sysfs, else hwloc
 * (dlopen), else libnuma (dlopen); failing all (no /sys in a container),
 * the nodes get_mempolicy allows, with the calling cpu's node from
 * getcpu(2).  Each node's memory size comes with it (sysfs meminfo,
 * hwloc's local_memory, numa_node_size64).  A test fakes a
 * machine with HWLOC_XMLFILE / HWLOC_SYNTHETIC, which hwloc reads.
 * hwloc's and libnuma's own mallocs are served by the bootstrap arena
 * while this runs.
 */
#ifndef BM_TOPOLOGY_H
#define BM_TOPOLOGY_H

#include "bm.h"

#define BM_MAX_CPUS		4096
#define NODE_DISTANCE_LOCAL	10	/* the ACPI SLIT scale */
#define NODE_DISTANCE_REMOTE	20

struct bm_topology {
	int		nr_nodes;
	const char	*source;		/* what the nodes were found with */
	int		os_node[MAX_NUMNODES];	/* the kernel's id of each of our nodes */
	uint64_t	mem_bytes[MAX_NUMNODES];	/* its memory (MemTotal); 0: unknown */
	uint16_t	distance[MAX_NUMNODES][MAX_NUMNODES];
	bool		cpus_known;		/* bm_cpu_node is filled; else getcpu() says */
	bool		faked;			/* HWLOC_XMLFILE or _SYNTHETIC: not the kernel's nodes */
};

extern struct bm_topology	bm_topo;
/* Our node of each cpu (0 for cpus no node claims). */
extern uint8_t			bm_cpu_node[BM_MAX_CPUS];

/* Find the nodes; never fails (one node at worst).  Called once, from
 * init, with the bootstrap arena serving this thread's mallocs. */
void bm_topology_init(void);

/* Read the nodes of the mask (kernel ids), their cpus and distances from
 * a sysfs node directory (root ends in '/'; tests pass a fake one).
 * False when it cannot be read. */
struct bm_os_nodemask;
bool bm_topology_sysfs(const char *root, const struct bm_os_nodemask *nodes);

/* Our node of a kernel node id, -1 if none. */
int bm_topology_node_of_os(int os_node);

/* The memory the kernel has free on our node nid (MemFree of its sysfs
 * meminfo), in bytes; UINT64_MAX when it cannot be read. */
uint64_t bm_topology_node_free(int nid);

/* The kernel's reserve on our node nid (its zones' min watermarks), in
 * bytes: the node's share, by MemTotal, of vm.min_free_kbytes as read
 * from path (the kernel splits it among its zones by size); 0 when
 * either cannot be read. */
#define BM_MIN_FREE_KBYTES	"/proc/sys/vm/min_free_kbytes"
uint64_t bm_topology_node_reserve(int nid, const char *path);

#endif /* BM_TOPOLOGY_H */
