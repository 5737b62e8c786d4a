/* SPDX-License-Identifier: MIT */
/*
 * node.c - the reserved range and memory hot-add.
 *
 * At start-up one range of nr_nodes * node_reserve bytes is reserved
 * (PROT_NONE, so it costs neither memory nor commit charge), and beside it
 * the bm_mem_map that describes every page of it.  A zone grows a section at a
 * time: the section and its descriptors become read-write and the section
 * is handed to the buddy allocator in max-order blocks, as the kernel hands
 * bootmem over.  Fresh sections are known to be zero.  With several nodes
 * each node has its slice of the range, a section is bound (mbind) to its
 * node as it is committed, and each node's zonelist orders the zones by
 * distance.
 */
#include "bm.h"
#include "buddy.h"
#include "fmt.h"
#include "node.h"
#include "options.h"
#include "os.h"
#include "topology.h"
#include "watermark.h"

#include <sched.h>
#include <sys/resource.h>

/* ------------------------------------------------------------ zonelists
 * As the kernel's build_zonelists: each node's own zone first, then the
 * others nearest first.  Among nodes at the same distance a node that is
 * already some other node's next choice weighs more (load), and a node
 * below this one a little more, so ties spread: in a group of four
 * equidistant nodes each picks a different neighbour, rather than all
 * spilling onto the lowest-numbered one. */

static int next_best_node(int nid, uint64_t used, const uint64_t *load)
{
	uint64_t best_val = UINT64_MAX;
	int best = -1;

	for (int m = 0; m < bm_nr_nodes; m++) {
		uint64_t val;

		if (used & (1ULL << m))
			continue;
		val = (uint64_t)bm_topo.distance[nid][m] * 2 + (m < nid);
		val = val * MAX_NUMNODES * MAX_NUMNODES + load[m];
		if (val < best_val) {
			best_val = val;
			best = m;
		}
	}
	return best;
}

static void build_zonelists(void)
{
	uint64_t load[MAX_NUMNODES] = { 0 };

	for (int nid = 0; nid < bm_nr_nodes; nid++) {
		struct zonelist *zl = &bm_nodes[nid].zonelist;
		uint64_t used = 1ULL << nid;
		uint64_t weight = (uint64_t)bm_nr_nodes;
		int prev = nid, k = 0, m;

		zl->zones[k++] = &bm_nodes[nid].zones[ZONE_NORMAL];
		while ((m = next_best_node(nid, used, load)) >= 0) {
			if (bm_topo.distance[nid][m] != bm_topo.distance[nid][prev])
				load[m] += weight;
			weight--;
			used |= 1ULL << m;
			zl->zones[k++] = &bm_nodes[m].zones[ZONE_NORMAL];
			prev = m;
		}
		zl->zones[k] = NULL;
	}
}

/* ----------------------------------------------------------- local node */

int bm_local_node_slow(void)
{
	int cpu = sched_getcpu();	/* rseq or vDSO: no system call */

	return cpu >= 0 && cpu < BM_MAX_CPUS ? bm_cpu_node[cpu] : 0;
}

/* ---------------------------------------------------------------- range */

/* Bind [addr, addr + size) to node nid before anything touches it, so its
 * pages come from that node: each section as it is committed, and the
 * node's slice of the bm_mem_map (the kernel, too, puts a node's struct pages
 * on the node).  A node the kernel does not have (a faked topology) stays
 * unbound, with one warning. */
static void node_bind(int nid, void *addr, size_t size)
{
	static bool unbound[MAX_NUMNODES], warned;
	int os = bm_topo.os_node[nid];

	if (bm_nr_nodes == 1 || unbound[nid] || bm_os_bind(addr, size, os))
		return;
	unbound[nid] = true;
	if (!warned)
		bm_warn("node %d: the kernel will not bind memory to it (a faked topology?); "
			"the pages of such nodes are not bound", os);
	warned = true;
}

/* Under RLIMIT_AS the halving above stops at a power of two, which can
 * be half of what the limit leaves: take, for one node, what the limit
 * still allows, in whole sections, less a headroom for the program's own
 * mappings (thread stacks of 8 MiB each, libraries it loads later,
 * objects past the largest block): an eighth of the limit, at least
 * LIMITED_HEADROOM.  base holds a reservation of span bytes; returns the
 * span it holds on return. */
#define LIMITED_HEADROOM	(64ULL << 20)

static uint64_t limited_span(void **base, uint64_t span, uint64_t section)
{
	struct rlimit rl;
	uint64_t used = 0, want, headroom;
	void *bigger;

	if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return span;
	used = bm_os_mapped_bytes();
	if (!used || used >= rl.rlim_cur)
		return span;
	/* What the limit leaves, counting our reservation as free again,
	 * less the headroom; the page descriptors take 1/128 of the span. */
	want = rl.rlim_cur - used + span;
	headroom = rl.rlim_cur / 8 > LIMITED_HEADROOM ? rl.rlim_cur / 8 : LIMITED_HEADROOM;
	if (want <= headroom)
		return span;
	want -= headroom;
	want -= want / 128;
	want = BM_ALIGN_DOWN(want, section);
	if (want <= span)
		return span;
	bm_os_unmap(*base, span);
	for (; want > span; want -= section) {
		bigger = bm_os_reserve(want, section);
		if (bigger) {
			*base = bigger;
			return want;
		}
	}
	*base = bm_os_reserve(span, section);	/* the one that fitted before */
	return *base ? span : 0;
}

bool bm_nodes_init(int nr_nodes)
{
	uint64_t section = bm_opt_section_size;
	uint64_t span = 1ULL << (bm_order_for_pages(bm_opt_node_reserve >> PAGE_SHIFT) + PAGE_SHIFT);
	uint64_t total;
	void *base = NULL;

	/* pfns are 32 bits wide; PFN_NONE stays out of range. */
	while ((span >> PAGE_SHIFT) * (uint64_t)nr_nodes >= PFN_NONE)
		span >>= 1;
	/* A busy or limited address space: ask for less until it fits. */
	for (; span >= section; span >>= 1) {
		base = bm_os_reserve(span * (uint64_t)nr_nodes, section);
		if (base)
			break;
	}
	if (!base)
		return false;
	if (nr_nodes == 1 && span < (1ULL << (bm_order_for_pages(bm_opt_node_reserve >> PAGE_SHIFT) +
					      PAGE_SHIFT)))
		span = limited_span(&base, span, section);
	if (!span)
		return false;
	total = span * (uint64_t)nr_nodes;
	/* The whole bm_mem_map is readable from the start, so free() can read
	 * the descriptor of any address in the range, committed or not,
	 * without a fault (an uncommitted one reads as zero: no state).  It
	 * is read-only until its section is committed: a read-only private
	 * mapping is not charged against the commit limit, and a writable
	 * one is, whole, touched or not (512 MiB for the default 64 GiB
	 * reserve, under vm.overcommit_memory=2). */
	bm_mem_map = bm_os_reserve((total >> PAGE_SHIFT) * sizeof(struct page), PAGE_SIZE);
	if (bm_mem_map && !bm_os_readonly(bm_mem_map, (total >> PAGE_SHIFT) * sizeof(struct page)))
		bm_mem_map = NULL;
	if (!bm_mem_map) {
		bm_os_unmap(base, total);
		return false;
	}
	bm_base_set((uintptr_t)base);
	bm_span = total;
	bm_section_pages = (uint32_t)(section >> PAGE_SHIFT);
	bm_nr_nodes = nr_nodes;
	/* One node may span a length that is not a power of two (a limited
	 * address space): every pfn's node must still come out as 0. */
	bm_node_pfn_shift = nr_nodes == 1 ? 31 : bm_ilog2(span >> PAGE_SHIFT);
	for (int i = 0; i < nr_nodes; i++) {
		struct node *n = &bm_nodes[i];

		n->id = i;
		n->nr_pages = (uint32_t)(span >> PAGE_SHIFT);
		n->start_pfn = (uint32_t)i * n->nr_pages;
		bm_zone_init(&n->zones[ZONE_NORMAL], i, n->start_pfn, n->nr_pages);
		node_bind(i, pfn_to_page(n->start_pfn), (size_t)n->nr_pages * sizeof(struct page));
	}
	build_zonelists();
	return true;
}

/* Commit the zone's next section: the memory becomes read-write, its
 * descriptors are still all zero (free of state, pageblocks movable). */
static bool __zone_commit_section(struct zone *z)
{
	uint32_t pfn = z->zone_start_pfn + z->present_pages;
	uint32_t nr = bm_section_pages;

	if (z->present_pages + nr > z->spanned_pages)
		return false;
	/* The section's descriptors first: they become writable (and
	 * charged) with the memory they describe. */
	if (!bm_os_commit(pfn_to_page(pfn), (size_t)nr * sizeof(struct page)) ||
	    !bm_os_commit(pfn_to_addr(pfn), (size_t)nr << PAGE_SHIFT))
		return false;
	node_bind(z->node, pfn_to_addr(pfn), (size_t)nr << PAGE_SHIFT);
	if (z->thp)
		bm_os_hugepage(pfn_to_addr(pfn), (size_t)nr << PAGE_SHIFT);
	z->present_pages += nr;
	z->nr_sections++;
	zone_event(z, section_commit, 1);
	return true;
}

/* Past thp_min (off by default) a zone advises transparent huge pages on
 * all it has committed and on each later section: a big heap gains on
 * TLB misses and faults, a small one would pay 2 MiB of RSS per huge page
 * it touches, and partial give-back splits huge pages; the figures are
 * in docs/performance.md.  One advice over the zone's contiguous
 * committed range keeps it one mapping. */
static void zone_thp_check(struct zone *z)
{
	if (z->thp || !bm_opt_thp_min || (uint64_t)z->managed_pages << PAGE_SHIFT <= bm_opt_thp_min)
		return;
	z->thp = true;
	bm_os_hugepage(pfn_to_addr(z->zone_start_pfn), (size_t)z->present_pages << PAGE_SHIFT);
}

bool bm__zone_grow(struct zone *z, bool may_commit)
{
	uint32_t block = 1u << bm_max_order;

	bm_lock_assert_held(&z->lock);
	BM_DEBUG_BUG_ON(z->managed_pages > z->present_pages ||
			z->present_pages > z->spanned_pages);
	if (z->managed_pages == z->present_pages &&
	    (!may_commit || !__zone_commit_section(z)))
		return false;
	/* Deferred initialisation, as the kernel's deferred struct page
	 * init: hand committed memory to the buddy one max-order block at a
	 * time, so a program that needs 1 MiB writes a few descriptors
	 * rather than a whole section's worth. */
	bm__free_pages_range(z, z->zone_start_pfn + z->managed_pages, block, PG_CLEAN);
	z->managed_pages += block;
	bm__setup_zone_watermarks(z);
	zone_thp_check(z);
	return true;
}
