/* SPDX-License-Identifier: MIT */
/*
 * mmzone.c - the memory model's globals: the reserved range, the page
 * descriptors that describe it, the nodes and the orders in use.  node.c
 * sets them up once at start-up; every layer from the buddy up reads them.
 * They live here, below the buddy, so that reading them does not make the
 * buddy depend on node.c, which calls down into the buddy.
 */
#include "bm.h"
#include "mmzone.h"

uintptr_t	bm_base_word;
uintptr_t	bm_span;
struct page	*bm_mem_map;
uint32_t	*bm_page_class;
struct node	bm_nodes[MAX_NUMNODES];
int		bm_nr_nodes;
unsigned int	bm_node_pfn_shift;
uint32_t	bm_section_pages;
unsigned int	bm_max_order;
unsigned int	bm_pageblock_order;
