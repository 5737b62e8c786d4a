/* SPDX-License-Identifier: MIT */
/*
 * numa.c - NUMA behaviour on faked machines of 2, 4 and 8 nodes (hwloc
 * XML topologies with asymmetric distances, numa-topologies.sh) and on
 * the real one.
 *
 * Without arguments the test runs every case as a child process: the
 * topology is read once, at the allocator's first use, so each machine
 * and each process policy needs a fresh process.
 */
#define _GNU_SOURCE
#define PT_ANY_NODE	/* it tests the process policy itself */
#include "pagetest.h"
#include "mempolicy.h"
#include "numastat.h"
#include "os.h"
#include "tcache.h"
#include "topology.h"

#include <errno.h>
#include <linux/mempolicy.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CONF		"node_reserve=1G,section_size=64M"
#define NR_INTERLEAVE	100000

static int nr_expected;		/* nodes of the faked machine, 0: the real one */

/* ------------------------------------------------------------- helpers */

static int node_of(struct page *page)
{
	return page_zone(page)->node;
}

static uint64_t stat_of(int nid, int which)
{
	struct bm_node_stats st;

	bm_node_stats(nid, &st);
	return st.numa[which];
}

static uint64_t stat_sum(int which)
{
	uint64_t sum = 0;

	for (int n = 0; n < bm_nr_nodes; n++)
		sum += stat_of(n, which);
	return sum;
}

static bool pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0 && sched_getcpu() == cpu;
}

/* The distance rows numa-topologies.sh wrote. */
static const uint16_t dist2[2][2] = { { 10, 21 }, { 24, 10 } };
static const uint16_t dist4[4][4] = {
	{ 10, 16, 22, 28 }, { 16, 10, 16, 22 }, { 22, 16, 10, 16 }, { 30, 22, 16, 10 },
};

static uint16_t expected_distance(int a, int b)
{
	if (nr_expected == 2)
		return dist2[a][b];
	if (nr_expected == 4)
		return dist4[a][b];
	if (a == b)
		return 10;
	if (a / 4 == b / 4)
		return 16;
	if (a % 4 == b % 4)
		return a < 4 ? 28 : 30;
	return 32;
}

/* ---------------------------------------------------------------- tests */

static void test_topology(void)
{
	CHECK_EQ(bm_nr_nodes, nr_expected);
	CHECK(!strcmp(bm_topo.source, "hwloc"));
	for (int a = 0; a < bm_nr_nodes; a++) {
		CHECK_EQ(bm_topo.os_node[a], a);
		CHECK_EQ(bm_cpu_node[a], a);		/* PU a sits on node a */
		for (int b = 0; b < bm_nr_nodes; b++)
			CHECK_EQ(bm_topo.distance[a][b], expected_distance(a, b));
	}
}

/* Local first, every node once, nearest first. */
static void test_zonelist_order(void)
{
	for (int n = 0; n < bm_nr_nodes; n++) {
		struct zone **zl = bm_nodes[n].zonelist.zones;
		uint64_t seen = 0;
		int k = 0;

		CHECK_EQ(zl[0]->node, n);
		for (; zl[k]; k++) {
			CHECK(!(seen & (1ULL << zl[k]->node)));
			seen |= 1ULL << zl[k]->node;
			if (k)
				CHECK(bm_topo.distance[n][zl[k - 1]->node] <=
				      bm_topo.distance[n][zl[k]->node]);
		}
		CHECK_EQ(k, bm_nr_nodes);
	}
}

/* The line 0-1-2-3: exact lists; 1 and 2 break their ties towards the
 * higher node, as the kernel's "prefer the next node" does. */
static void test_zonelist_line(void)
{
	static const int want[4][4] = {
		{ 0, 1, 2, 3 }, { 1, 2, 0, 3 }, { 2, 3, 1, 0 }, { 3, 2, 1, 0 },
	};

	for (int n = 0; n < 4; n++)
		for (int k = 0; k < 4; k++)
			CHECK_EQ(bm_nodes[n].zonelist.zones[k]->node, want[n][k]);
}

/* Two groups of four equidistant nodes: the ties spread, so no node of
 * a group is the first fallback of two others. */
static void test_zonelist_spread(void)
{
	for (int g = 0; g < 8; g += 4) {
		uint64_t second = 0;

		for (int n = g; n < g + 4; n++) {
			int m = bm_nodes[n].zonelist.zones[1]->node;

			CHECK(m / 4 == g / 4);
			CHECK(!(second & (1ULL << m)));
			second |= 1ULL << m;
		}
		/* The partner in the other group comes right after the group. */
		for (int n = g; n < g + 4; n++)
			CHECK_EQ(bm_nodes[n].zonelist.zones[4]->node, (n + 4) % 8);
	}
}

static struct page *pages[NR_INTERLEAVE];

/* Round-robin over the policy's nodes: each within 5% of the mean. */
static void interleave_over(uint64_t nodes)
{
	uint64_t count[MAX_NUMNODES] = { 0 };
	uint64_t hits = stat_sum(NUMA_INTERLEAVE_HIT);
	int nr = __builtin_popcountll(nodes);

	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_INTERLEAVE, .nodes = nodes };
	for (int i = 0; i < NR_INTERLEAVE; i++) {
		pages[i] = bm_alloc_pages(GFP_USER, 0);
		CHECK(pages[i] != NULL);
		if (pages[i])
			count[node_of(pages[i])]++;
	}
	for (int n = 0; n < bm_nr_nodes; n++) {
		if (!(nodes & (1ULL << n))) {
			CHECK_EQ(count[n], 0);
			continue;
		}
		CHECK(count[n] * 100 >= (uint64_t)NR_INTERLEAVE / nr * 95);
		CHECK(count[n] * 100 <= (uint64_t)NR_INTERLEAVE / nr * 105);
	}
	CHECK_EQ(stat_sum(NUMA_INTERLEAVE_HIT) - hits, NR_INTERLEAVE);
	for (int i = 0; i < NR_INTERLEAVE; i++)
		if (pages[i])
			bm_free_pages(pages[i], 0);
	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_LOCAL };
}

static void test_interleave(void)
{
	interleave_over((1ULL << bm_nr_nodes) - 1);
	if (bm_nr_nodes >= 4)
		interleave_over((1ULL << 1) | (1ULL << 3));
}

#define BLOCK_ORDER	9	/* 2 MiB */
static struct page *blocks[4096];
static int nr_blocks;

/* bind to the last node: every block from it, then ENOMEM (no fallback);
 * preferred then spills to the next node of its zonelist, counted as a
 * miss there and foreign on the node meant.  Blocks stay allocated. */
static void test_bind_then_preferred(void)
{
	int last = bm_nr_nodes - 1;
	int next = bm_nodes[last].zonelist.zones[1]->node;
	uint64_t miss = stat_of(next, NUMA_MISS), foreign = stat_of(last, NUMA_FOREIGN);
	struct page *p;

	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_BIND, .nodes = 1ULL << last };
	errno = 0;
	while (nr_blocks < (int)BM_ARRAY_SIZE(blocks) &&
	       (p = bm_alloc_pages(GFP_USER, BLOCK_ORDER)) != NULL) {
		CHECK_EQ(node_of(p), last);
		blocks[nr_blocks++] = p;
	}
	CHECK_EQ(errno, ENOMEM);
	CHECK(nr_blocks >= 400);		/* 1 GiB less the min reserve */
	/* An explicit node, strictly: none left there either. */
	CHECK(bm_alloc_pages(__GFP_NODE(last) | __GFP_THISNODE, BLOCK_ORDER) == NULL);

	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_PREFERRED, .node = last };
	for (int i = 0; i < 8; i++) {
		p = bm_alloc_pages(GFP_USER, BLOCK_ORDER);
		CHECK(p != NULL);
		if (!p)
			break;
		CHECK_EQ(node_of(p), next);
		blocks[nr_blocks++] = p;
	}
	CHECK_EQ(stat_of(next, NUMA_MISS) - miss, 8);
	CHECK_EQ(stat_of(last, NUMA_FOREIGN) - foreign, 8);
	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_LOCAL };
}

/* A zone whose node has less memory than its reserve (node_pages, as
 * sysfs meminfo gives it on a real machine): bind to it ends in ENOMEM
 * once the node's memory is committed, however much reserve is left;
 * preferred then spills to the next node.  The blocks are freed again. */
static void test_node_size(void)
{
	int nid = bm_nr_nodes - 2;	/* the last one is full (above) */
	struct zone *z = &bm_nodes[nid].zones[ZONE_NORMAL];
	uint64_t cap = z->present_pages + 2ULL * bm_section_pages;
	uint64_t free_before = z->nr_free_pages;
	int first = nr_blocks, got = 0;
	struct page *p;

	bm_lock(&z->lock);
	z->node_pages = (uint32_t)cap;
	bm_unlock(&z->lock);
	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_BIND, .nodes = 1ULL << nid };
	errno = 0;
	while (nr_blocks < (int)BM_ARRAY_SIZE(blocks) &&
	       (p = bm_alloc_pages(GFP_USER, BLOCK_ORDER)) != NULL) {
		CHECK_EQ(node_of(p), nid);
		blocks[nr_blocks++] = p;
		got++;
	}
	CHECK_EQ(errno, ENOMEM);
	CHECK_EQ(z->present_pages, cap);	/* grew to the node's size, no further */
	CHECK((uint64_t)got << BLOCK_ORDER <= free_before + 2ULL * bm_section_pages);
	CHECK((uint64_t)got << BLOCK_ORDER >= 2ULL * bm_section_pages / 2);
	/* Two nodes: the other one was filled above. */
	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_PREFERRED, .node = nid };
	p = bm_nr_nodes > 2 ? bm_alloc_pages(GFP_USER, BLOCK_ORDER) : NULL;
	CHECK(bm_nr_nodes == 2 || (p != NULL && node_of(p) != nid));
	if (p)
		bm_free_pages(p, BLOCK_ORDER);
	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_LOCAL };
	while (nr_blocks > first)
		bm_free_pages(blocks[--nr_blocks], BLOCK_ORDER);
	bm_lock(&z->lock);
	z->node_pages = 0;
	bm_unlock(&z->lock);
}

/* The nodes the process may use (numactl --membind, a cpuset): "all"
 * means those, and every allocation context keeps inside them, local
 * included, whatever node the thread runs on. */
static void test_mems_allowed(void)
{
	uint64_t allowed = 1ULL << (bm_nr_nodes - 1);
	struct bm_mempolicy pol;
	struct alloc_context ac;

	bm_mems_allowed = allowed;
	CHECK(bm_mempolicy_parse("interleave", &pol));
	CHECK_EQ(pol.nodes, allowed);
	bm_policy = (struct bm_mempolicy){ .mode = MPOL_MODE_LOCAL };
	bm_prepare_alloc_context(GFP_USER, &ac);
	CHECK_EQ(ac.nodemask, allowed);
	CHECK_EQ(ac.preferred_nid, bm_nr_nodes - 1);
	CHECK_EQ(bm_mempolicy_node(), bm_nr_nodes - 1);
	bm_mems_allowed = ~0ULL;
}

/* The counters' arithmetic, after everything above. */
static void test_stats_arithmetic(void)
{
	CHECK_EQ(stat_sum(NUMA_MISS), stat_sum(NUMA_FOREIGN));
	CHECK(stat_sum(NUMA_MISS) >= 8);
	for (int n = 0; n < bm_nr_nodes; n++)
		CHECK_EQ(stat_of(n, NUMA_HIT) + stat_of(n, NUMA_MISS),
			 stat_of(n, NUMA_LOCAL) + stat_of(n, NUMA_OTHER));
	while (nr_blocks)
		bm_free_pages(blocks[--nr_blocks], BLOCK_ORDER);
}

/* A thread pinned to node N's cpu gets node N's pages, through its pcp
 * too; moved to another node's cpu, it refills there. */
struct pinned {
	int		cpu[2];
	struct page	*page[2];
};

static void *pinned_thread(void *arg)
{
	struct pinned *pin = arg;

	bm_tcache_init();
	for (int i = 0; i < 2; i++) {
		if (!pin_to_cpu(pin->cpu[i]))
			return NULL;
		pin->page[i] = bm_alloc_pages(GFP_USER, 0);
	}
	return NULL;
}

/* Two cpus the process may run on that sit on different nodes of the
 * faked machine (a container's cpuset may not hold cpus 0 and 1). */
static bool two_node_cpus(int cpu[2])
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return false;
	cpu[0] = -1;
	for (int c = 0; c < CPU_SETSIZE && c < BM_MAX_CPUS; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (cpu[0] < 0) {
			cpu[0] = c;
		} else if (bm_cpu_node[c] != bm_cpu_node[cpu[0]]) {
			cpu[1] = c;
			return true;
		}
	}
	return false;
}

static void test_pinned_thread(void)
{
	int cpu[2];
	pthread_t t;

	if (!two_node_cpus(cpu)) {
		fprintf(stderr, "SKIP: pinned threads need cpus on two nodes\n");
		return;
	}
	for (int first = 0; first < 2; first++) {
		struct pinned pin = { { cpu[first], cpu[!first] }, { NULL, NULL } };
		int here = bm_cpu_node[cpu[0]];

		pthread_create(&t, NULL, pinned_thread, &pin);
		pthread_join(t, NULL);
		CHECK(pin.page[0] && pin.page[1]);
		if (!pin.page[0] || !pin.page[1])
			return;
		CHECK_EQ(node_of(pin.page[0]), bm_cpu_node[cpu[first]]);
		CHECK_EQ(node_of(pin.page[1]), bm_cpu_node[cpu[!first]]);
		/* Freed here (cpu[0]'s node, our pcp live): the other node's
		 * page goes home to its zone, not onto this thread's lists. */
		CHECK(pin_to_cpu(cpu[0]));
		bm_tcache_init();
		for (int i = 0; i < 2; i++) {
			struct zone *z = page_zone(pin.page[i]);
			uint64_t free_before;

			bm_lock(&z->lock);
			free_before = z->nr_free_pages;
			bm_unlock(&z->lock);
			bm_free_pages(pin.page[i], 0);
			if (z->node != here) {
				CHECK_EQ(z->nr_free_pages, free_before + 1);
				CHECK(!(page_flags(pin.page[i]) & PG_pcp));
			}
		}
	}
}

/* ------------------------------------------------- process policy, real */

static void test_process_policy(const char *which)
{
	CHECK(!strcmp(bm_policy_source, "process policy"));
	if (!strcmp(which, "interleave")) {
		CHECK_EQ(bm_policy.mode, MPOL_MODE_INTERLEAVE);
		CHECK_EQ(bm_policy.nodes, 1);
	} else if (!strcmp(which, "bind")) {
		CHECK_EQ(bm_policy.mode, MPOL_MODE_BIND);
		CHECK_EQ(bm_policy.nodes, 1);
	} else {
		CHECK_EQ(bm_policy.mode, MPOL_MODE_PREFERRED);
		CHECK_EQ(bm_policy.node, 0);
	}
}

/* move_pages(2) on the real machine: every page handed out sits on the
 * node whose zone it came from. */
static void test_physical_node(void)
{
	enum { N = 64 };
	void *addr[N];
	int status[N];
	struct page *p = bm_alloc_pages(GFP_USER, 6);
	long rc;

	CHECK(p != NULL);
	if (!p)
		return;
	for (int i = 0; i < N; i++) {
		addr[i] = (char *)page_address(p) + ((size_t)i << PAGE_SHIFT);
		*(volatile char *)addr[i] = 1;
		status[i] = -1;
	}
	rc = syscall(SYS_move_pages, 0, (unsigned long)N, addr, NULL, status, 0);
	if (rc != 0 && (errno == ENOSYS || errno == EPERM)) {
		fprintf(stderr, "SKIP: move_pages: %s\n", strerror(errno));
	} else {
		CHECK_EQ(rc, 0);
		for (int i = 0; i < N; i++)
			CHECK_EQ(status[i], bm_topo.os_node[node_of(p)]);
	}
	bm_free_pages(p, 6);
}

/* A real machine's sysfs, faked: nodes 0-3 online, the process allowed
 * 0, 1 and 3; cpus in ranges; distances listed over the online nodes. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_sysfs(void)
{
	static const char *const cpus[4] = { "0-1,8\n", "2-3\n", "4-5\n", "6-7,9-10\n" };
	static const char *const dist[4] = {
		"10 12 20 30\n", "12 10 20 31\n", "20 20 10 20\n", "30 31 20 10\n",
	};
	static const uint8_t cpu_node[11] = { 0, 0, 1, 1, 0, 0, 2, 2, 0, 2, 2 };
	char root[] = "/tmp/bm-sysfs-XXXXXX", dir[4096], rootdir[4096];
	struct bm_os_nodemask mask = { { 0 } };

	CHECK(mkdtemp(root) != NULL);
	write_file(root, "online", "0-3\n");
	for (int n = 0; n < 4; n++) {
		snprintf(dir, sizeof(dir), "%s/node%d", root, n);
		CHECK(mkdir(dir, 0700) == 0);
		write_file(dir, "cpulist", cpus[n]);
		write_file(dir, "distance", dist[n]);
		if (n != 1)	/* node 1's meminfo is missing: size unknown */
			write_file(dir, "meminfo", n == 0 ?
				   "Node 0 MemTotal:        3567176 kB\nNode 0 MemFree:   3000000 kB\n" :
				   "Node 3 MemTotal:         524288 kB\nNode 3 MemFree:     1000 kB\n");
	}
	mask.bits[0] = 0xb;		/* nodes 0, 1 and 3 */
	snprintf(rootdir, sizeof(rootdir), "%s/", root);
	CHECK(bm_topology_sysfs(rootdir, &mask));
	CHECK_EQ(bm_topo.nr_nodes, 3);
	CHECK(!strcmp(bm_topo.source, "sysfs"));
	CHECK_EQ(bm_topo.os_node[0], 0);
	CHECK_EQ(bm_topo.os_node[1], 1);
	CHECK_EQ(bm_topo.os_node[2], 3);
	for (int c = 0; c < 11; c++)
		CHECK_EQ(bm_cpu_node[c], cpu_node[c]);	/* node 2's cpus: none */
	CHECK_EQ(bm_topo.distance[0][1], 12);
	CHECK_EQ(bm_topo.distance[1][2], 31);
	CHECK_EQ(bm_topo.distance[2][0], 30);
	CHECK_EQ(bm_topo.distance[2][2], 10);
	/* The node sizes from meminfo, 0 where it cannot be read. */
	CHECK_EQ(bm_topo.mem_bytes[0], 3567176ULL << 10);
	CHECK_EQ(bm_topo.mem_bytes[1], 0);
	CHECK_EQ(bm_topo.mem_bytes[2], 512ULL << 20);
	CHECK(bm_topo.cpus_known);
	/* The kernel's reserve, split by node size: node 2's share of
	 * 90000 kB; 0 for a node of unknown size or without the file. */
	write_file(root, "min_free_kbytes", "90000\n");
	snprintf(dir, sizeof(dir), "%s/min_free_kbytes", root);
	CHECK_EQ(bm_topology_node_reserve(2, dir),
		 (uint64_t)((90000ULL << 10) * (unsigned __int128)(512ULL << 20) /
			    ((3567176ULL << 10) + (512ULL << 20))));
	CHECK_EQ(bm_topology_node_reserve(1, dir), 0);
	CHECK_EQ(bm_topology_node_reserve(2, "/nonexistent/min_free_kbytes"), 0);
	snprintf(dir, sizeof(dir), "rm -rf '%s'", root);
	CHECK(system(dir) == 0);
	/* A root that is not there: false, nothing claimed. */
	CHECK(!bm_topology_sysfs("/nonexistent/", &mask));
}

/* ---------------------------------------------------------------- cases */

static int run_case(const char *name, const char *arg)
{
	if (!strcmp(name, "sysfs")) {	/* no allocator: only the reader */
		RUN_TEST(test_sysfs);
		return test_exit();
	}
	pt_setup(CONF);
	if (!strcmp(name, "machine")) {
		nr_expected = atoi(arg);
		RUN_TEST(test_topology);
		if (bm_nr_nodes != nr_expected)
			return test_exit();	/* the rest needs the machine */
		RUN_TEST(test_zonelist_order);
		if (nr_expected == 4)
			RUN_TEST(test_zonelist_line);
		if (nr_expected == 8)
			RUN_TEST(test_zonelist_spread);
		RUN_TEST(test_interleave);
		RUN_TEST(test_bind_then_preferred);
		RUN_TEST(test_node_size);
		RUN_TEST(test_mems_allowed);
		RUN_TEST(test_stats_arithmetic);
		RUN_TEST(test_pinned_thread);
		RUN_TEST(test_physical_node);	/* node 0 is real: bound there */
	} else if (!strcmp(name, "policy")) {
		test_process_policy(arg);
		fprintf(stderr, "%s: process policy %s\n",
			test_failures ? "FAIL" : "PASS", arg);
	} else {
		RUN_TEST(test_physical_node);
	}
	return test_exit();
}

/* Run a case in a child with the machine and the process policy given. */
static int spawn(char *self, const char *name, const char *arg, const char *xml, int mode)
{
	char path[4096];
	const char *srcdir = getenv("srcdir");
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		unsigned long mask = 1;

		if (xml) {
			snprintf(path, sizeof(path), "%s/tests/unit/%s", srcdir ? srcdir : ".", xml);
			if (access(path, R_OK) != 0) {
				fprintf(stderr, "%s: %s (set srcdir)\n", path, strerror(errno));
				_exit(1);
			}
			setenv("HWLOC_XMLFILE", path, 1);
		}
		if (mode >= 0 && syscall(SYS_set_mempolicy, mode, &mask, 64UL) != 0) {
			fprintf(stderr, "SKIP: set_mempolicy: %s\n", strerror(errno));
			_exit(0);
		}
		execl(self, self, name, arg, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "FAIL: case %s %s\n", name, arg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc == 3)
		return run_case(argv[1], argv[2]);
	failed += spawn(argv[0], "real", "-", NULL, -1);
	failed += spawn(argv[0], "sysfs", "-", NULL, -1);
	failed += spawn(argv[0], "machine", "2", "numa-2.xml", -1);
	failed += spawn(argv[0], "machine", "4", "numa-4.xml", -1);
	failed += spawn(argv[0], "machine", "8", "numa-8.xml", -1);
	failed += spawn(argv[0], "policy", "interleave", "numa-2.xml", MPOL_INTERLEAVE);
	failed += spawn(argv[0], "policy", "bind", "numa-2.xml", MPOL_BIND);
	failed += spawn(argv[0], "policy", "preferred", "numa-2.xml", MPOL_PREFERRED);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
