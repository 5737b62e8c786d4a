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
#include <sys/random.h>
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
	unsigned int cpu, os_node;
	int nid;

	if (likely(bm_topo.cpus_known)) {
		int c = sched_getcpu();	/* rseq or vDSO: no system call */

		return c >= 0 && c < BM_MAX_CPUS ? bm_cpu_node[c] : 0;
	}
	/* No cpu map (no /sys): the kernel names the node itself (vDSO). */
	if (getcpu(&cpu, &os_node) != 0)
		return 0;
	nid = bm_topology_node_of_os((int)os_node);
	return nid >= 0 ? nid : 0;
}

/* ---------------------------------------------------------------- range */

/* Bind [addr, addr + size) to node nid before anything touches it, so its
 * pages come from that node: each section strictly as it is committed
 * (MPOL_BIND: a page of node 1's zone is on node 1, or the fault fails,
 * so buddymalloc_node_of and the counters never lie), and, preferring
 * it, the node's slice of the bm_mem_map (the kernel, too, puts a node's
 * struct pages on the node).  A node the kernel does not have (a faked
 * topology) stays unbound, with one warning; false for such a node. */
static bool node_bind(int nid, void *addr, size_t size, bool strict)
{
	static bool unbound[MAX_NUMNODES], warned;
	int os = bm_topo.os_node[nid];

	if (bm_nr_nodes == 1 || unbound[nid])
		return !unbound[nid];
	if (bm_os_bind(addr, size, os, strict))
		return true;
	unbound[nid] = true;
	if (!warned)
		bm_warn("node %d: the kernel will not bind memory to it (a faked topology?); "
			"the pages of such nodes are not bound", os);
	warned = true;
	return false;
}

/* A bound zone commits no more than its node's memory, and no section
 * the node has no free memory for: a fault in a strictly bound section
 * of a full node finds no page (the kernel's OOM killer), so the zone
 * says it is full first, and the allocation falls back to the next zone
 * or, under bind, fails with ENOMEM, as the kernel's own would. */
static bool zone_node_has_room(const struct zone *z, uint32_t nr)
{
	uint64_t free, untouched, reserve, ours;

	if (!z->node_pages)
		return true;
	if (z->present_pages + nr > z->node_pages)
		return false;
	/* The zone's free pages and the committed ones not yet handed to
	 * the buddy may never have been touched: the node owes them pages
	 * too.  And a margin over the kernel's own reserve, which per-cpu
	 * lists and page tables eat into: at one reserve, a full bound
	 * node once drew the OOM killer in the 4-node guest.  The reserve
	 * is the kernel's where it can be read: Debian's kernel with THP
	 * raises vm.min_free_kbytes, to 22 MiB a node in that guest, where
	 * our own estimate (watermark.c) said 2.8; twice ours was below
	 * the kernel's one, and bind-full was killed in 1 boot of 7. */
	untouched = z->nr_free_pages + z->present_pages - z->managed_pages;
	free = bm_topology_node_free(z->node);
	reserve = bm_topology_node_reserve(z->node, BM_MIN_FREE_KBYTES) >> PAGE_SHIFT;
	ours = bm_min_free_pages(z->node_pages);
	if (reserve < ours)
		reserve = ours;
	return free == UINT64_MAX || (free >> PAGE_SHIFT) >= nr + untouched + 2 * reserve;
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

/* ------------------------------------------------------- growable range
 * Under RLIMIT_AS the range cannot be reserved whole, and reserving all
 * the limit leaves (less a guessed headroom) starves the program's own
 * later mappings: thread stacks, libraries.  So one node's range starts
 * at one section, placed where nothing else maps (the kernel hands out
 * mappings top down, from below the libraries; this is far below them,
 * above the program's heap), and grows a section at a time, right after
 * itself, when the zone is full: bm_base never moves, so a pfn stays an
 * offset and a shift.  Its descriptors grow the same way after their own
 * start, below the range. */
#define GROW_HINT_BASE		(0x100000000000ULL)	/* 16 TiB */
#define GROW_HINT_SLOTS		4096			/* of 1 GiB, for some ASLR */
#define GROW_MAP_ROOM		(256ULL << 30)		/* descriptors of 32 TiB */

static bool range_growable;

/* The class map (page.h) of pages pfns: whole pages of it. */
static size_t class_map_bytes(uint64_t pages)
{
	return BM_ALIGN_UP(pages * sizeof(*bm_page_class), PAGE_SIZE);
}

/* Byte off of the class map. */
static void *class_map_at(size_t off)
{
	return (char *)bm_page_class + off;
}

/* The class map of a growable range sits in the descriptors' room, past
 * the most descriptors a 32-bit pfn can need (128 GiB). */
#define GROW_CLASS_MAP		(GROW_MAP_ROOM / 2)

static uintptr_t grow_hint(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint64_t)(uintptr_t)&r >> PAGE_SHIFT;
	return GROW_HINT_BASE + (r % GROW_HINT_SLOTS) * (1ULL << 30);
}

/* One section and its descriptors at the growable place; false (nothing
 * held) when it is taken. */
static bool reserve_growable(uint64_t section, void **base, void **map)
{
	uintptr_t at = grow_hint();

	if (!bm_os_reserve_at((void *)at, (section >> PAGE_SHIFT) * sizeof(struct page), true))
		return false;
	if (!bm_os_reserve_at((void *)(at + GROW_CLASS_MAP), class_map_bytes(section >> PAGE_SHIFT),
			      true)) {
		bm_os_unmap((void *)at, (section >> PAGE_SHIFT) * sizeof(struct page));
		return false;
	}
	if (!bm_os_reserve_at((void *)(at + GROW_MAP_ROOM), section, false)) {
		bm_os_unmap((void *)at, (section >> PAGE_SHIFT) * sizeof(struct page));
		bm_os_unmap((void *)(at + GROW_CLASS_MAP), class_map_bytes(section >> PAGE_SHIFT));
		return false;
	}
	bm_page_class = (uint32_t *)(at + GROW_CLASS_MAP);
	*map = (void *)at;
	*base = (void *)(at + GROW_MAP_ROOM);
	return true;
}

/* The next section's address space and descriptors, right after the
 * range; false at the limit or when something else took the place.
 * bm_addr_in_range reads bm_span without the lock: it only grows, and a
 * pointer into the new part exists only once this has returned. */
static bool __range_grow(struct zone *z)
{
	uint64_t section = (uint64_t)bm_section_pages << PAGE_SHIFT;
	size_t map_bytes = bm_section_pages * sizeof(struct page);
	void *mem = (void *)(bm_base + bm_span);
	void *map = bm_mem_map + (bm_span >> PAGE_SHIFT);
	/* The class map's pages not reserved yet (a section of fewer than
	 * PAGE_SIZE pages shares one with the last). */
	size_t class_have = class_map_bytes(bm_span >> PAGE_SHIFT);
	size_t class_more = class_map_bytes((bm_span >> PAGE_SHIFT) + bm_section_pages) - class_have;

	if (!range_growable || (bm_span >> PAGE_SHIFT) + bm_section_pages >= PFN_NONE)
		return false;
	if (!bm_os_reserve_at(map, map_bytes, true))
		return false;
	if (class_more && !bm_os_reserve_at(class_map_at(class_have), class_more, true)) {
		bm_os_unmap(map, map_bytes);
		return false;
	}
	if (!bm_os_reserve_at(mem, section, false)) {
		bm_os_unmap(map, map_bytes);
		if (class_more)
			bm_os_unmap(class_map_at(class_have), class_more);
		return false;
	}
	bm_span += section;
	z->spanned_pages += bm_section_pages;
	bm_nodes[z->node].nr_pages += bm_section_pages;
	zone_event(z, range_grow, 1);
	return true;
}

bool bm_nodes_init(int nr_nodes)
{
	uint64_t section = bm_opt_section_size;
	uint64_t span = 1ULL << (bm_order_for_pages(bm_opt_node_reserve >> PAGE_SHIFT) + PAGE_SHIFT);
	uint64_t total;
	void *base = NULL, *map = NULL;

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
					      PAGE_SHIFT))) {
		bm_os_unmap(base, span);
		range_growable = reserve_growable(section, &base, &map);
		if (range_growable) {
			span = section;
		} else {	/* the one that fitted, and what the limit leaves */
			base = bm_os_reserve(span, section);
			span = base ? limited_span(&base, span, section) : 0;
		}
	}
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
	bm_mem_map = map ? map : bm_os_reserve((total >> PAGE_SHIFT) * sizeof(struct page), PAGE_SIZE);
	if (bm_mem_map && !map && !bm_os_readonly(bm_mem_map, (total >> PAGE_SHIFT) * sizeof(struct page)))
		bm_mem_map = NULL;
	/* The class map likewise (a growable range has its own already). */
	if (bm_mem_map && !map) {
		bm_page_class = bm_os_reserve(class_map_bytes(total >> PAGE_SHIFT), PAGE_SIZE);
		if (bm_page_class && !bm_os_readonly(bm_page_class, class_map_bytes(total >> PAGE_SHIFT))) {
			bm_os_unmap(bm_page_class, class_map_bytes(total >> PAGE_SHIFT));
			bm_page_class = NULL;
		}
		if (!bm_page_class) {
			bm_os_unmap(bm_mem_map, (total >> PAGE_SHIFT) * sizeof(struct page));
			bm_mem_map = NULL;
		}
	}
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
		if (node_bind(i, pfn_to_page(n->start_pfn), (size_t)n->nr_pages * sizeof(struct page),
			      false) && nr_nodes > 1 && !bm_topo.faked) {
			uint64_t mem = bm_topo.mem_bytes[i] >> PAGE_SHIFT;

			n->zones[ZONE_NORMAL].node_pages = (uint32_t)(mem < n->nr_pages ? mem : n->nr_pages);
		}
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

	if ((z->present_pages + nr > z->spanned_pages && !__range_grow(z)) ||
	    !zone_node_has_room(z, nr))
		return false;
	/* The section's descriptors first: they become writable (and
	 * charged) with the memory they describe. */
	if (!bm_os_commit(pfn_to_page(pfn), (size_t)nr * sizeof(struct page)) ||
	    !bm_os_commit(class_map_at(BM_ALIGN_DOWN(pfn * sizeof(*bm_page_class), PAGE_SIZE)),
			  class_map_bytes(pfn + nr) -
			  BM_ALIGN_DOWN(pfn * sizeof(*bm_page_class), PAGE_SIZE)) ||
	    !bm_os_commit(pfn_to_addr(pfn), (size_t)nr << PAGE_SHIFT))
		return false;
	node_bind(z->node, pfn_to_addr(pfn), (size_t)nr << PAGE_SHIFT, true);
	/* Below thp_min, no huge pages even where the kernel's mode is
	 * "always" (Debian's default): touching one 4 KiB page of a small
	 * heap would make 2 MiB resident (random_ops: 57 MiB of RSS under
	 * "madvise", 2.1 GiB under "always"). */
	bm_os_hugepage(pfn_to_addr(pfn), (size_t)nr << PAGE_SHIFT, z->thp);
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
	bm_os_hugepage(pfn_to_addr(z->zone_start_pfn), (size_t)z->present_pages << PAGE_SHIFT, true);
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
