/* SPDX-License-Identifier: MIT */
/*
 * node.c - the reserved range and memory hot-add.
 *
 * At start-up one range of nr_nodes * node_reserve bytes is reserved
 * (PROT_NONE, so it costs neither memory nor commit charge), and beside it
 * the mem_map that describes every page of it.  A zone grows a section at a
 * time: the section and its descriptors become read-write and the section
 * is handed to the buddy allocator in max-order blocks, as the kernel hands
 * bootmem over.  Fresh sections are known to be zero.
 */
#include "bm.h"
#include "buddy.h"
#include "fmt.h"
#include "node.h"
#include "options.h"
#include "os.h"
#include "watermark.h"

uintptr_t	bm_base;
uintptr_t	bm_span;
struct page	*mem_map;
struct node	bm_nodes[MAX_NUMNODES];
int		bm_nr_nodes;
uint32_t	bm_section_pages;

/* Zonelist order for now: the node's own zone, then the others by id. */
static void build_zonelist(struct node *n)
{
	int k = 0;

	for (int i = 0; i < bm_nr_nodes; i++) {
		struct node *m = &bm_nodes[(n->id + i) % bm_nr_nodes];
		n->zonelist.zones[k++] = &m->zones[ZONE_NORMAL];
	}
	n->zonelist.zones[k] = NULL;
}

bool bm_nodes_init(int nr_nodes)
{
	uint64_t section = opt_section_size;
	uint64_t span = BM_ALIGN_UP(opt_node_reserve, section);
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
	total = span * (uint64_t)nr_nodes;
	/* The whole mem_map is readable and writable from the start (and costs
	 * nothing until touched): free() can read the descriptor of any
	 * address in the range, committed or not, without a fault. */
	mem_map = bm_os_reserve((total >> PAGE_SHIFT) * sizeof(struct page), PAGE_SIZE);
	if (mem_map && !bm_os_commit(mem_map, (total >> PAGE_SHIFT) * sizeof(struct page)))
		mem_map = NULL;
	if (!mem_map) {
		bm_os_unmap(base, total);
		return false;
	}
	bm_base = (uintptr_t)base;
	bm_span = total;
	bm_section_pages = (uint32_t)(section >> PAGE_SHIFT);
	bm_nr_nodes = nr_nodes;
	for (int i = 0; i < nr_nodes; i++) {
		struct node *n = &bm_nodes[i];

		n->id = i;
		n->nr_pages = (uint32_t)(span >> PAGE_SHIFT);
		n->start_pfn = (uint32_t)i * n->nr_pages;
		bm_zone_init(&n->zones[ZONE_NORMAL], i, n->start_pfn, n->nr_pages);
	}
	for (int i = 0; i < nr_nodes; i++)
		build_zonelist(&bm_nodes[i]);
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
	if (!bm_os_commit(pfn_to_addr(pfn), (size_t)nr << PAGE_SHIFT))
		return false;
	z->present_pages += nr;
	z->nr_sections++;
	zone_event(z, section_commit, 1);
	return true;
}

bool __zone_grow(struct zone *z, bool may_commit)
{
	uint32_t block = 1u << bm_max_order;

	if (z->managed_pages == z->present_pages &&
	    (!may_commit || !__zone_commit_section(z)))
		return false;
	/* Deferred initialisation, as the kernel's deferred struct page
	 * init: hand committed memory to the buddy one max-order block at a
	 * time, so a program that needs 1 MiB writes a few descriptors
	 * rather than a whole section's worth. */
	__free_pages_range(z, z->zone_start_pfn + z->managed_pages, block, PG_CLEAN);
	z->managed_pages += block;
	__setup_zone_watermarks(z);
	return true;
}
