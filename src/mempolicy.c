/* SPDX-License-Identifier: MIT */
/* mempolicy.c - memory policies (see mempolicy.h). */
#include "bm.h"
#include "fmt.h"
#include "mempolicy.h"
#include "node.h"
#include "os.h"
#include "topology.h"

#include <linux/mempolicy.h>
#include <string.h>

struct bm_mempolicy	bm_policy = { .mode = MPOL_MODE_LOCAL };
const char		*bm_policy_source = "default";
uint64_t		bm_mems_allowed = ~0ULL;

/* The node interleave gave last, per thread as the kernel keeps il_prev
 * per task. */
static __thread int il_prev = -1;

static inline uint64_t node_bit(int nid)
{
	return 1ULL << nid;
}

static uint64_t all_nodes(void)
{
	return bm_nr_nodes == 64 ? ~0ULL : node_bit(bm_nr_nodes) - 1;
}

/* The nodes the process may use (all of them until init says). */
static uint64_t allowed_nodes(void)
{
	uint64_t m = bm_mems_allowed & all_nodes();

	return m ? m : all_nodes();
}

/* A mask of kernel node ids as a mask of ours. */
static uint64_t our_nodes(const struct bm_os_nodemask *m)
{
	uint64_t nodes = 0;

	for (int i = 0; i < bm_nr_nodes; i++)
		if (bm_os_nodemask_test(m, bm_topo.os_node[i]))
			nodes |= node_bit(i);
	return nodes;
}

/* ---------------------------------------------------------------- parse */

/* A kernel node number at s (digits only) as our index; -1 if bad. */
static int parse_node(const char **s)
{
	int os = 0, digits = 0;

	for (; **s >= '0' && **s <= '9' && digits < 5; (*s)++, digits++)
		os = os * 10 + (**s - '0');
	return digits ? bm_topology_node_of_os(os) : -1;
}

/* "all", or N and N-M joined by ',' or '+', into a mask of our nodes. */
static bool parse_nodes(const char *s, uint64_t *mask)
{
	*mask = 0;
	if (!strcmp(s, "all")) {
		*mask = allowed_nodes();
		return true;
	}
	while (*s) {
		int lo = parse_node(&s), hi = lo;

		if (*s == '-') {
			s++;
			hi = parse_node(&s);
		}
		if (lo < 0 || hi < lo)
			return false;
		for (int n = lo; n <= hi; n++)
			*mask |= node_bit(n);
		if (*s && *s != ',' && *s != '+')
			return false;
		if (*s)
			s++;
	}
	return *mask != 0;
}

bool bm_mempolicy_parse(const char *s, struct bm_mempolicy *pol)
{
	const char *arg = strchr(s, ':');
	size_t len = arg ? (size_t)(arg - s) : strlen(s);

	memset(pol, 0, sizeof(*pol));
	if (arg)
		arg++;
	if (len == 5 && !memcmp(s, "local", 5) && !arg) {
		pol->mode = MPOL_MODE_LOCAL;
		return true;
	}
	if (len == 10 && !memcmp(s, "interleave", 10)) {
		pol->mode = MPOL_MODE_INTERLEAVE;
		return parse_nodes(arg ? arg : "all", &pol->nodes);
	}
	if (len == 4 && !memcmp(s, "bind", 4) && arg) {
		pol->mode = MPOL_MODE_BIND;
		return parse_nodes(arg, &pol->nodes);
	}
	if (len == 9 && !memcmp(s, "preferred", 9) && arg) {
		pol->mode = MPOL_MODE_PREFERRED;
		pol->node = parse_node(&arg);
		return pol->node >= 0 && !*arg;
	}
	return false;
}

/* The process's own policy, its kernel node ids mapped onto ours. */
static bool process_policy(struct bm_mempolicy *pol)
{
	struct bm_os_nodemask m;
	uint64_t nodes;
	int mode;

	if (!bm_os_get_mempolicy(&mode, &m, false))
		return false;
	nodes = our_nodes(&m);
	memset(pol, 0, sizeof(*pol));
	switch (mode & ~MPOL_MODE_FLAGS) {
	case MPOL_BIND:
		pol->mode = MPOL_MODE_BIND;
		break;
	case MPOL_INTERLEAVE:
		pol->mode = MPOL_MODE_INTERLEAVE;
		break;
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
		pol->mode = MPOL_MODE_PREFERRED;
		pol->node = nodes ? __builtin_ctzll(nodes) : 0;
		return nodes != 0;	/* preferred with no node means local */
	default:
		return false;		/* default and local: ours already */
	}
	pol->nodes = nodes;
	return nodes != 0;
}

/* The nodes the process may use: its cpuset's (MPOL_F_MEMS_ALLOWED)
 * and, under numactl --membind, its bind policy's.  Everything we place
 * stays inside them: an mbind of ours overrides the process's own bind
 * for the range it covers. */
static void mems_allowed_init(void)
{
	struct bm_os_nodemask m;
	uint64_t mask = all_nodes(), nodes;
	int mode;

	bm_mems_allowed = mask;
	if (bm_nr_nodes == 1 || bm_topo.faked)
		return;		/* nothing to narrow; or the kernel's masks name other nodes */
	if (bm_os_get_mempolicy(NULL, &m, true) && (nodes = our_nodes(&m) & mask))
		mask = nodes;
	if (bm_os_get_mempolicy(&mode, &m, false) && (mode & ~MPOL_MODE_FLAGS) == MPOL_BIND &&
	    (nodes = our_nodes(&m) & mask))
		mask = nodes;
	bm_mems_allowed = mask;
}

/* The first node of nid's zonelist that mask allows. */
static int first_allowed(int nid, uint64_t mask)
{
	for (struct zone **zp = bm_nodes[nid].zonelist.zones; *zp; zp++)
		if (mask & node_bit((*zp)->node))
			return (*zp)->node;
	return nid;
}

/* Keep a configured policy inside the allowed nodes, with one warning
 * when it names others; false when none of its nodes is allowed. */
static bool policy_within_allowed(struct bm_mempolicy *pol, const char *conf)
{
	uint64_t allowed = allowed_nodes();
	bool outside;

	switch (pol->mode) {
	case MPOL_MODE_PREFERRED:
		outside = !(allowed & node_bit(pol->node));
		if (outside)
			pol->node = first_allowed(pol->node, allowed);
		break;
	case MPOL_MODE_BIND:
	case MPOL_MODE_INTERLEAVE:
		outside = pol->nodes & ~allowed;
		pol->nodes &= allowed;
		break;
	default:
		return true;
	}
	if (outside)
		bm_warn("numa_policy=%s names nodes this process may not use (its cpuset or "
			"numactl --membind); %s", conf,
			pol->mode == MPOL_MODE_PREFERRED || pol->nodes ?
			"it keeps to the allowed ones" : "ignored");
	/* Interleave over one node (what it narrows to under numactl
	 * --membind=N) is a bind to it, and strict: the kernel's interleave
	 * falls back to other nodes when that one runs low, and put 29,184
	 * pages of a 256 MiB object on node 2 under --membind=3. */
	if (pol->mode == MPOL_MODE_INTERLEAVE && pol->nodes && !(pol->nodes & (pol->nodes - 1)))
		pol->mode = MPOL_MODE_BIND;
	return pol->mode == MPOL_MODE_PREFERRED || pol->nodes;
}

void bm_mempolicy_init(const char *conf)
{
	struct bm_mempolicy pol;

	mems_allowed_init();
	if (conf && *conf) {
		if (!bm_mempolicy_parse(conf, &pol)) {
			bm_warn("numa_policy=%s: not local, interleave[:NODES], bind:NODES "
				"or preferred:N with this machine's nodes; ignored", conf);
		} else if (policy_within_allowed(&pol, conf)) {
			bm_policy = pol;
			bm_policy_source = "numa_policy";
			return;
		}
	}
	if (bm_nr_nodes > 1 && process_policy(&pol)) {
		bm_policy = pol;
		bm_policy_source = "process policy";
	}
}

/* ----------------------------------------------------------- allocation */

/* Round-robin over the policy's nodes, from the one after the last. */
static int interleave_nid(void)
{
	uint64_t nodes = bm_policy.nodes;
	int next = il_prev + 1;
	uint64_t after = next >= 64 ? 0 : nodes & ~(node_bit(next) - 1);

	il_prev = __builtin_ctzll(after ? after : nodes);
	return il_prev;
}

void bm_prepare_alloc_context(gfp_t gfp, struct alloc_context *ac)
{
	int nid = gfp_node(gfp);

	ac->local_nid = bm_local_node();
	ac->nodemask = allowed_nodes();
	ac->interleave = false;
	if (nid < 0) {
		switch (bm_policy.mode) {
		case MPOL_MODE_PREFERRED:
			nid = bm_policy.node;
			break;
		case MPOL_MODE_BIND:
			/* The local zonelist, filtered: nearest allowed first. */
			ac->nodemask = bm_policy.nodes;
			ac->preferred_nid = first_allowed(ac->local_nid, ac->nodemask);
			ac->zonelist = &bm_nodes[ac->local_nid].zonelist;
			return;
		case MPOL_MODE_INTERLEAVE:
			nid = interleave_nid();
			ac->interleave = true;
			break;
		default:
			nid = first_allowed(ac->local_nid, ac->nodemask);
		}
	}
	ac->preferred_nid = nid;
	ac->zonelist = &bm_nodes[nid].zonelist;
}

int bm_mempolicy_node(void)
{
	int local;

	/* One node: every policy names it (a slab refill asks each time). */
	if (likely(bm_nr_nodes == 1))
		return 0;
	local = bm_local_node();
	switch (bm_policy.mode) {
	case MPOL_MODE_PREFERRED:
		return bm_policy.node;
	case MPOL_MODE_BIND:
		return first_allowed(local, bm_policy.nodes);
	default:
		return first_allowed(local, allowed_nodes());
	}
}

/* ------------------------------------------------------- direct mappings */

/* Does the kernel have size bytes free on the nodes of mask?  Yes when
 * it cannot say. */
static bool nodes_have_room(uint64_t mask, size_t size)
{
	uint64_t free = 0;

	for (int n = 0; n < bm_nr_nodes; n++) {
		uint64_t f;

		if (!(mask & node_bit(n)))
			continue;
		f = bm_topology_node_free(n);
		if (f == UINT64_MAX)
			return true;
		free += f;
	}
	return free >= size;
}

bool bm_mempolicy_bind_range(void *addr, size_t size, int nid)
{
	struct bm_os_nodemask m = { { 0 } };
	uint64_t nodes = 0;
	int mode;

	if (bm_nr_nodes == 1)
		return true;
	if (nid >= 0) {
		mode = MPOL_BIND;
		nodes = node_bit(nid);
	} else {
		switch (bm_policy.mode) {
		case MPOL_MODE_BIND:
			mode = MPOL_BIND;
			nodes = bm_policy.nodes;
			break;
		case MPOL_MODE_INTERLEAVE:
			mode = MPOL_INTERLEAVE;	/* page by page, as the kernel does */
			nodes = bm_policy.nodes;
			break;
		case MPOL_MODE_PREFERRED:
			mode = MPOL_PREFERRED;
			nodes = node_bit(bm_policy.node);
			break;
		default:
			return true;		/* first touch, inside the process's own policy */
		}
	}
	if (mode == MPOL_BIND && !nodes_have_room(nodes, size))
		return false;
	for (int n = 0; n < bm_nr_nodes; n++)
		if (nodes & node_bit(n))
			bm_os_nodemask_set(&m, bm_topo.os_node[n]);
	bm_os_mbind(addr, size, mode, &m);	/* refused on a faked topology */
	return true;
}
