/* SPDX-License-Identifier: MIT */
/*
 * topology.c - node discovery (see topology.h).
 *
 * Order: a faked machine (HWLOC_XMLFILE, HWLOC_SYNTHETIC) only hwloc can
 * read.  A real machine with several nodes: sysfs first, then hwloc, then
 * libnuma, then one node.  hwloc and libnuma are opened with dlopen and
 * called through pointers looked up by name, so a program on a one-node
 * machine never loads them: loading them costs start-up time
 * (docs/numa.md).  Their
 * headers still give the types, so a signature change breaks the build,
 * not the program.
 */
#include "bm.h"
#include "fmt.h"
#include "os.h"
#include "topology.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_HWLOC
#include <hwloc.h>
#include <hwloc/distances.h>
#endif

struct bm_topology	bm_topo;
uint8_t			bm_cpu_node[BM_MAX_CPUS];

int bm_topology_node_of_os(int os_node)
{
	for (int i = 0; i < bm_topo.nr_nodes; i++)
		if (bm_topo.os_node[i] == os_node)
			return i;
	return -1;
}

/* Add a node (kernel id os); false when the table is full. */
static bool topo_add_node(int os)
{
	int i = bm_topo.nr_nodes;

	if (i == MAX_NUMNODES) {
		bm_warn("more than %d NUMA nodes: node %d and above are not used",
			MAX_NUMNODES, os);
		return false;
	}
	bm_topo.os_node[i] = os;
	bm_topo.nr_nodes = i + 1;
	return true;
}

static void topo_set_cpu(unsigned int cpu, int node)
{
	if (cpu < BM_MAX_CPUS)
		bm_cpu_node[cpu] = (uint8_t)node;
}

/* The SLIT default where the source gives no distances. */
static void topo_default_distances(void)
{
	for (int a = 0; a < bm_topo.nr_nodes; a++)
		for (int b = 0; b < bm_topo.nr_nodes; b++)
			bm_topo.distance[a][b] = a == b ? NODE_DISTANCE_LOCAL
							: NODE_DISTANCE_REMOTE;
}

static void topo_reset(void)
{
	memset(&bm_topo, 0, sizeof(bm_topo));
	memset(bm_cpu_node, 0, sizeof(bm_cpu_node));
}

/* Look a symbol up into a typed pointer; the caller checks for NULL. */
#define TOPO_SYM(handle, fn)	((__typeof__(&fn))dlsym(handle, #fn))

/* ----------------------------------------------------------------- hwloc */
#ifdef HAVE_HWLOC
struct hwloc_api {
	__typeof__(&hwloc_topology_init)		init;
	__typeof__(&hwloc_topology_set_all_types_filter) filter;
	__typeof__(&hwloc_topology_set_type_filter)	type_filter;
	__typeof__(&hwloc_topology_load)		load;
	__typeof__(&hwloc_topology_destroy)		destroy;
	__typeof__(&hwloc_get_nbobjs_by_depth)		nbobjs;
	__typeof__(&hwloc_get_obj_by_depth)		obj;
	__typeof__(&hwloc_bitmap_first)			first;
	__typeof__(&hwloc_bitmap_next)			next;
	__typeof__(&hwloc_distances_get_by_type)	dist_get;
	__typeof__(&hwloc_distances_release)		dist_release;
};

static bool hwloc_api_open(void *h, struct hwloc_api *api)
{
	api->init = TOPO_SYM(h, hwloc_topology_init);
	api->filter = TOPO_SYM(h, hwloc_topology_set_all_types_filter);
	api->type_filter = TOPO_SYM(h, hwloc_topology_set_type_filter);
	api->load = TOPO_SYM(h, hwloc_topology_load);
	api->destroy = TOPO_SYM(h, hwloc_topology_destroy);
	api->nbobjs = TOPO_SYM(h, hwloc_get_nbobjs_by_depth);
	api->obj = TOPO_SYM(h, hwloc_get_obj_by_depth);
	api->first = TOPO_SYM(h, hwloc_bitmap_first);
	api->next = TOPO_SYM(h, hwloc_bitmap_next);
	api->dist_get = TOPO_SYM(h, hwloc_distances_get_by_type);
	api->dist_release = TOPO_SYM(h, hwloc_distances_release);
	return api->init && api->filter && api->type_filter && api->load && api->destroy && api->nbobjs &&
	       api->obj && api->first && api->next && api->dist_get && api->dist_release;
}

/* hwloc's distance matrix, latency-like, onto our nodes.  Values above
 * the SLIT range (nanoseconds, say) are kept in ratio to the smallest. */
static void hwloc_distances(const struct hwloc_api *api, hwloc_topology_t t)
{
	struct hwloc_distances_s *d = NULL;
	unsigned int nr = 1;
	uint64_t lo = UINT64_MAX;

	topo_default_distances();
	if (api->dist_get(t, HWLOC_OBJ_NUMANODE, &nr, &d, 0, 0) != 0 || nr == 0 || !d)
		return;
	for (unsigned int i = 0; i < d->nbobjs * d->nbobjs; i++)
		if (d->values[i] && d->values[i] < lo)
			lo = d->values[i];
	for (unsigned int a = 0; a < d->nbobjs; a++)
		for (unsigned int b = 0; b < d->nbobjs; b++) {
			unsigned int x = d->objs[a]->logical_index;
			unsigned int y = d->objs[b]->logical_index;
			uint64_t v = d->values[a * d->nbobjs + b];

			if (x >= (unsigned int)bm_topo.nr_nodes || y >= (unsigned int)bm_topo.nr_nodes)
				continue;
			if (lo > NODE_DISTANCE_LOCAL)
				v = v * NODE_DISTANCE_LOCAL / lo;
			bm_topo.distance[x][y] = (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v);
		}
	api->dist_release(t, d);
}

static bool hwloc_discover(void)
{
	struct hwloc_api api;
	hwloc_topology_t t;
	void *h = dlopen(BM_HWLOC_SONAME, RTLD_NOW | RTLD_LOCAL);
	bool ok = false;
	int n;

	if (!h)
		return false;
	if (!hwloc_api_open(h, &api) || api.init(&t) != 0)
		goto out;
	/* Caches, cores and I/O are not needed: only NUMA nodes, PUs (which
	 * cannot be filtered) and the levels nodes hang from, which give a
	 * node its cpuset. */
	api.filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
	api.type_filter(t, HWLOC_OBJ_PACKAGE, HWLOC_TYPE_FILTER_KEEP_STRUCTURE);
	api.type_filter(t, HWLOC_OBJ_DIE, HWLOC_TYPE_FILTER_KEEP_STRUCTURE);
	api.type_filter(t, HWLOC_OBJ_GROUP, HWLOC_TYPE_FILTER_KEEP_STRUCTURE);
	if (api.load(t) != 0)
		goto destroy;
	n = api.nbobjs(t, HWLOC_TYPE_DEPTH_NUMANODE);
	for (int i = 0; i < n; i++) {
		hwloc_obj_t o = api.obj(t, HWLOC_TYPE_DEPTH_NUMANODE, (unsigned int)i);

		if (!topo_add_node((int)o->os_index))
			break;
		bm_topo.mem_bytes[i] = o->attr ? o->attr->numanode.local_memory : 0;
		for (int cpu = api.first(o->cpuset); cpu >= 0; cpu = api.next(o->cpuset, cpu))
			topo_set_cpu((unsigned int)cpu, i);
	}
	ok = bm_topo.nr_nodes > 0;
	if (ok) {
		hwloc_distances(&api, t);
		bm_topo.source = "hwloc";
		bm_topo.cpus_known = true;
	}
destroy:
	api.destroy(t);
out:
	dlclose(h);
	return ok;
}
#else
static bool hwloc_discover(void) { return false; }
#endif /* HAVE_HWLOC */

/* --------------------------------------------------------------- libnuma */
#ifdef HAVE_NUMA
#include <numa.h>

static bool libnuma_discover(void)
{
	void *h = dlopen(BM_NUMA_SONAME, RTLD_NOW | RTLD_LOCAL);
	__typeof__(&numa_available) available;
	__typeof__(&numa_max_node) max_node;
	__typeof__(&numa_node_size64) node_size;
	__typeof__(&numa_num_configured_cpus) nr_cpus;
	__typeof__(&numa_node_of_cpu) node_of_cpu;
	__typeof__(&numa_distance) distance;
	bool ok = false;

	if (!h)
		return false;
	available = TOPO_SYM(h, numa_available);
	max_node = TOPO_SYM(h, numa_max_node);
	node_size = TOPO_SYM(h, numa_node_size64);
	nr_cpus = TOPO_SYM(h, numa_num_configured_cpus);
	node_of_cpu = TOPO_SYM(h, numa_node_of_cpu);
	distance = TOPO_SYM(h, numa_distance);
	if (!available || !max_node || !node_size || !nr_cpus || !node_of_cpu ||
	    !distance || available() < 0)
		goto out;
	for (int os = 0; os <= max_node(); os++) {
		long long size = node_size(os, NULL);

		if (size <= 0)
			continue;
		if (!topo_add_node(os))
			break;
		bm_topo.mem_bytes[bm_topo.nr_nodes - 1] = (uint64_t)size;
	}
	for (int cpu = 0; cpu < nr_cpus(); cpu++) {
		int i = bm_topology_node_of_os(node_of_cpu(cpu));

		if (i >= 0)
			topo_set_cpu((unsigned int)cpu, i);
	}
	for (int a = 0; a < bm_topo.nr_nodes; a++)
		for (int b = 0; b < bm_topo.nr_nodes; b++) {
			int d = distance(bm_topo.os_node[a], bm_topo.os_node[b]);

			bm_topo.distance[a][b] = (uint16_t)(d > 0 ? d : a == b ?
					NODE_DISTANCE_LOCAL : NODE_DISTANCE_REMOTE);
		}
	ok = bm_topo.nr_nodes > 0;
	if (ok) {
		bm_topo.source = "libnuma";
		bm_topo.cpus_known = true;
	}
out:
	dlclose(h);
	return ok;
}
#else
static bool libnuma_discover(void) { return false; }
#endif /* HAVE_NUMA */

/* ----------------------------------------------------------------- sysfs
 * What hwloc's Linux backend and libnuma read themselves, read directly:
 * a few small files, no library, no foreign constructor inside our first
 * malloc.  Loading hwloc on a real machine also loads its plugins
 * (libxml2, ICU, libstdc++, OpenCL, X11 on Debian). */

#define SYSFS_NODE	"/sys/devices/system/node/"

/* Read a small sysfs file into buf (NUL-terminated); false on failure. */
static bool sysfs_read(const char *path, char *buf, size_t size)
{
	return bm_os_read_file(path, buf, size) > 0;
}

/* root "node<os>/<leaf>" into path (PATH_MAX bytes). */
static void node_path(char *path, const char *root, int os, const char *leaf)
{
	char digits[12];
	int n = 0;

	do
		digits[n++] = (char)('0' + os % 10);
	while ((os /= 10) > 0);
	path = stpcpy(stpcpy(path, root), "node");
	while (n)
		*path++ = digits[--n];
	*path++ = '/';
	strcpy(path, leaf);
}

static unsigned long parse_ulong(const char **s)
{
	unsigned long v = 0;

	while (**s >= '0' && **s <= '9')
		v = v * 10 + (unsigned long)(*(*s)++ - '0');
	return v;
}

/* Call fn(i, arg) for each i of a kernel list such as "0-3,8,10-11". */
static void for_each_in_list(const char *s, void (*fn)(unsigned long, int), int arg)
{
	while (*s >= '0' && *s <= '9') {
		unsigned long lo = parse_ulong(&s), hi = lo;

		if (*s == '-') {
			s++;
			hi = parse_ulong(&s);
		}
		for (unsigned long i = lo; i <= hi && i < BM_MAX_CPUS * 4; i++)
			fn(i, arg);
		if (*s == ',')
			s++;
	}
}

/* The kB value of "Node N <key>:   123 kB" in a node's meminfo, in bytes;
 * UINT64_MAX when the file or the key is missing. */
static uint64_t sysfs_meminfo(const char *root, int os, const char *key)
{
	char path[PATH_MAX], buf[4096];
	const char *s;

	if (strlen(root) > PATH_MAX - 32)
		return UINT64_MAX;
	node_path(path, root, os, "meminfo");
	if (!sysfs_read(path, buf, sizeof(buf)) || !(s = strstr(buf, key)))
		return UINT64_MAX;
	s += strlen(key);
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return UINT64_MAX;
	return (uint64_t)parse_ulong(&s) << 10;
}

uint64_t bm_topology_node_free(int nid)
{
	return sysfs_meminfo(SYSFS_NODE, bm_topo.os_node[nid], "MemFree:");
}

uint64_t bm_topology_node_reserve(int nid, const char *path)
{
	uint64_t kbytes, total = 0;

	for (int i = 0; i < bm_topo.nr_nodes; i++)
		total += bm_topo.mem_bytes[i];
	if (!total || !bm_topo.mem_bytes[nid] || !bm_os_read_number(path, &kbytes))
		return 0;
	return (uint64_t)((unsigned __int128)(kbytes << 10) * bm_topo.mem_bytes[nid] / total);
}

static void sysfs_cpu(unsigned long cpu, int node)
{
	topo_set_cpu((unsigned int)cpu, node);
}

static int online[MAX_NUMNODES], nr_online;

static void sysfs_online(unsigned long os, int unused)
{
	(void)unused;
	if (nr_online < MAX_NUMNODES)
		online[nr_online++] = (int)os;
}

bool bm_topology_sysfs(const char *root, const struct bm_os_nodemask *nodes)
{
	char path[PATH_MAX], buf[4096];

	nr_online = 0;
	if (strlen(root) > PATH_MAX - 32)
		return false;
	stpcpy(stpcpy(path, root), "online");
	if (!sysfs_read(path, buf, sizeof(buf)))
		return false;
	for_each_in_list(buf, sysfs_online, 0);
	for (int k = 0; k < nr_online; k++)
		if (bm_os_nodemask_test(nodes, online[k]) && !topo_add_node(online[k]))
			break;
	topo_default_distances();
	for (int i = 0; i < bm_topo.nr_nodes; i++) {
		const char *d = buf;
		uint64_t mem = sysfs_meminfo(root, bm_topo.os_node[i], "MemTotal:");

		bm_topo.mem_bytes[i] = mem == UINT64_MAX ? 0 : mem;
		node_path(path, root, bm_topo.os_node[i], "cpulist");
		if (sysfs_read(path, buf, sizeof(buf)))
			for_each_in_list(buf, sysfs_cpu, i);
		/* One distance per online node, in the online list's order. */
		node_path(path, root, bm_topo.os_node[i], "distance");
		if (!sysfs_read(path, buf, sizeof(buf)))
			continue;
		for (int k = 0; k < nr_online && *d; k++) {
			unsigned long v;
			int j = bm_topology_node_of_os(online[k]);

			while (*d == ' ')
				d++;
			v = parse_ulong(&d);
			if (j >= 0 && v)
				bm_topo.distance[i][j] = (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v);
		}
	}
	if (bm_topo.nr_nodes > 0) {
		bm_topo.source = "sysfs";
		bm_topo.cpus_known = true;
	}
	return bm_topo.nr_nodes > 0;
}

/* ------------------------------------------------------------------ init */

static bool faked_topology(void)
{
	return getenv("HWLOC_XMLFILE") || getenv("HWLOC_SYNTHETIC");
}

void bm_topology_init(void)
{
	struct bm_os_nodemask allowed;
	int first;
	int nr = bm_os_mems_allowed(&first, &allowed);

	topo_reset();
	if (faked_topology()) {
		if (hwloc_discover()) {
			bm_topo.faked = true;
			return;
		}
		topo_reset();
	} else if (nr > 1) {
		/* A discovery that finds fewer nodes than the kernel allows
		 * is not taken: hwloc without /sys falls back to one node. */
		if (bm_topology_sysfs(SYSFS_NODE, &allowed) ||
		    (topo_reset(), hwloc_discover() && bm_topo.nr_nodes >= nr) ||
		    (topo_reset(), libnuma_discover() && bm_topo.nr_nodes >= nr))
			return;
		/* No /sys (a container): the nodes the kernel allows us, whose
		 * cpus getcpu() names as threads run; better than calling the
		 * memory of every node node 0. */
		topo_reset();
		for (int os = 0; os < BM_OS_MAX_NODES; os++)
			if (bm_os_nodemask_test(&allowed, os) && !topo_add_node(os))
				break;
		topo_default_distances();
		bm_topo.source = "get_mempolicy (no /sys)";
		return;
	}
	/* One node: the one the process may use. */
	topo_add_node(first);
	topo_default_distances();
	bm_topo.cpus_known = true;	/* all of them on node 0 */
	bm_topo.source = "one node";
}
