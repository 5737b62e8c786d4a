/* SPDX-License-Identifier: MIT */
/*
 * gfp.h - the flags of a page allocation (the kernel's gfp_t): the
 * migratetype in the low bits, then modifiers and a node.  Below every
 * layer that passes them on.
 */
#ifndef BM_GFP_H
#define BM_GFP_H

#include "page.h"

/* gfp flags: the migratetype in the low bits, then modifiers. */
typedef unsigned int gfp_t;
#define __GFP_MT_MASK	0x3u
#define __GFP_ZERO	(1u << 2)	/* contents zeroed (skipped when known zero) */
#define __GFP_NOCOMMIT	(1u << 3)	/* never commit a new section for this */
#define __GFP_HARDER	(1u << 4)	/* may use half of the min reserve */
#define __GFP_THISNODE	(1u << 5)	/* only the preferred node's zones */
/* A node the allocation is meant for (our index), overriding the policy. */
#define __GFP_NODE_SHIFT	8
#define __GFP_NODE(nid)		((gfp_t)((nid) + 1) << __GFP_NODE_SHIFT)

#define GFP_SLAB	((gfp_t)MIGRATE_UNMOVABLE)
#define GFP_USER	((gfp_t)MIGRATE_MOVABLE)
#define GFP_CACHE	((gfp_t)MIGRATE_RECLAIMABLE)

static inline int gfp_migratetype(gfp_t gfp) { return (int)(gfp & __GFP_MT_MASK); }
/* The node of __GFP_NODE, -1 when none. */
static inline int gfp_node(gfp_t gfp) { return (int)(gfp >> __GFP_NODE_SHIFT) - 1; }

#endif /* BM_GFP_H */
