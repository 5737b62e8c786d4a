/* SPDX-License-Identifier: MIT */
/*
 * mempolicy.h - which nodes an allocation may come from, and in what
 * order: the kernel's memory policies, process-wide.
 *
 *   local        the zonelist of the node the thread runs on
 *   preferred:N  node N's zonelist: N first, then the nodes nearest it
 *   bind:NODES   the local zonelist, only NODES; no memory there is ENOMEM
 *   interleave   page allocations round-robin over NODES (all by default),
 *                each from that node's zonelist
 *
 * BUDDYMALLOC_CONF's numa_policy sets it; by default it is the policy the
 * process already has (get_mempolicy), so numactl --interleave and
 * --membind work as they do for the kernel's own allocations.  Node
 * numbers are the kernel's, as numactl and /sys show them.
 */
#ifndef BM_MEMPOLICY_H
#define BM_MEMPOLICY_H

#include "mmzone.h"
#include "gfp.h"

enum mempolicy_mode {
	MPOL_MODE_LOCAL,
	MPOL_MODE_PREFERRED,
	MPOL_MODE_BIND,
	MPOL_MODE_INTERLEAVE,
};

struct bm_mempolicy {
	enum mempolicy_mode	mode;
	int			node;		/* preferred: our node index */
	uint64_t		nodes;		/* bind, interleave: our node indices */
};

extern struct bm_mempolicy	bm_policy;
extern const char		*bm_policy_source;	/* where it came from */
/* Our nodes the process may use (cpuset, numactl --membind); every
 * policy and every fallback stays inside them. */
extern uint64_t			bm_mems_allowed;

/* Parse a numa_policy value into *pol (node numbers checked against the
 * topology); false on a bad value. */
bool bm_mempolicy_parse(const char *s, struct bm_mempolicy *pol);
/* Set bm_policy from the configuration or the process's policy.  After
 * the topology is known. */
void bm_mempolicy_init(const char *conf);

/* Where an allocation looks for memory: the kernel's alloc_context. */
struct alloc_context {
	struct zonelist	*zonelist;	/* walked in order */
	uint64_t	nodemask;	/* nodes it may use */
	int		preferred_nid;	/* the node it is meant for */
	int		local_nid;	/* the node the thread runs on */
	bool		interleave;	/* preferred_nid chosen by interleave */
};

void bm_prepare_alloc_context(gfp_t gfp, struct alloc_context *ac);

/* The node the calling thread's allocations are meant for under the
 * policy (for interleave, the local node): the one its pcp lists and new
 * slabs take from first. */
int bm_mempolicy_node(void);

/* May page allocations go through the thread's pcp lists?  Not under
 * interleave, whose pages come from a different node each time. */
static inline bool bm_mempolicy_pcp_ok(void)
{
	return bm_policy.mode != MPOL_MODE_INTERLEAVE;
}

/* Give a direct mapping (an object beyond the largest block) the
 * policy: bound to node nid when nid >= 0, else as bm_policy says (bind,
 * interleave page by page, preferred; local leaves first touch).  Before
 * anything touches it.  False when a strict binding's nodes have not
 * size bytes free: the caller fails with ENOMEM rather than fault later. */
bool bm_mempolicy_bind_range(void *addr, size_t size, int nid);

#endif /* BM_MEMPOLICY_H */
