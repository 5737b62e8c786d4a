/* SPDX-License-Identifier: MIT */
/* public.c - the functions of include/buddymalloc.h. */
#include "bm.h"
#include "check.h"
#include "init.h"
#include "large.h"
#include "numastat.h"
#include "page_alloc.h"
#include "prof.h"
#include "reclaim.h"
#include "tcache.h"
#include "topology.h"
#include "vmstat.h"

#include <buddymalloc.h>
#include <errno.h>

#define BM_STR_(x)	#x
#define BM_STR(x)	BM_STR_(x)

BM_EXPORT const char *buddymalloc_version(void)
{
	return BM_STR(BUDDYMALLOC_VERSION_MAJOR) "." BM_STR(BUDDYMALLOC_VERSION_MINOR) "."
	       BM_STR(BUDDYMALLOC_VERSION_PATCH);
}

BM_EXPORT void buddymalloc_stats_print(int fd)
{
	bm_init();
	bm_stats_print(fd);
}

BM_EXPORT int buddymalloc_stat(const char *name, unsigned long long *value)
{
	uint64_t v;

	if (!name || !value || !bm_init() || !bm_stat_get(name, &v)) {
		errno = ENOENT;
		return -1;
	}
	*value = v;
	return 0;
}

BM_EXPORT unsigned long buddymalloc_check(int fd)
{
	bm_init();
	return bm_check_invariants(fd);
}

BM_EXPORT size_t buddymalloc_reclaim(void)
{
	if (!bm_init())
		return 0;
	bm_tcache_flush_current();
	return bm_reclaim_all() << PAGE_SHIFT;
}

BM_EXPORT int buddymalloc_nodes(int *nodes, int max)
{
	if (!bm_init())
		return 0;
	for (int i = 0; i < bm_nr_nodes && i < max; i++)
		nodes[i] = bm_topo.os_node[i];
	return bm_nr_nodes;
}

/* Our index of a kernel node id; -1 with EINVAL when we do not use it. */
static int node_index(int node)
{
	int nid = bm_init() ? bm_topology_node_of_os(node) : -1;

	if (nid < 0)
		errno = EINVAL;
	return nid;
}

BM_EXPORT void *buddymalloc_alloc_onnode(size_t size, int node)
{
	int nid = node_index(node);

	if (nid < 0)
		return NULL;
	return bm_large_alloc_gfp(size, PAGE_SIZE, __GFP_NODE(nid) | __GFP_THISNODE);
}

BM_EXPORT int buddymalloc_node_of(const void *p)
{
	if (!bm_init() || !bm_addr_in_range(p)) {
		errno = EINVAL;
		return -1;
	}
	return bm_topo.os_node[page_zone(virt_to_page(p))->node];
}

BM_EXPORT int buddymalloc_node_stats(int node, struct buddymalloc_node_stats *st)
{
	struct bm_node_stats s;
	int nid = node_index(node);

	if (nid < 0)
		return -1;
	bm_node_stats(nid, &s);
	st->committed_bytes = s.present_pages << PAGE_SHIFT;
	st->free_bytes = s.free_pages << PAGE_SHIFT;
	st->numa_hit = s.numa[NUMA_HIT];
	st->numa_miss = s.numa[NUMA_MISS];
	st->numa_foreign = s.numa[NUMA_FOREIGN];
	st->interleave_hit = s.numa[NUMA_INTERLEAVE_HIT];
	st->local_node = s.numa[NUMA_LOCAL];
	st->other_node = s.numa[NUMA_OTHER];
	return 0;
}

BM_EXPORT int buddymalloc_prof_dump(const char *path)
{
	if (!bm_init()) {
		errno = ENOMEM;
		return -1;
	}
	return bm_prof_dump(path);
}
