/* SPDX-License-Identifier: MIT */
/*
 * placement.c - where the kernel really puts libbuddymalloc's pages, on
 * a real multi-node kernel (the guest of run-numa-vm; issue #17).
 *
 * Every case runs in a fresh process (the allocator reads its policy
 * once), started by this program itself, through numactl where the case
 * names a numactl policy and with BUDDYMALLOC_CONF where it names a
 * numa_policy.  A case allocates, touches every page, then asks the
 * kernel with move_pages(2) (nodes NULL: query only) where each page is,
 * and compares:
 *   - the policy: no page outside the nodes it allows, the balance of
 *     interleave, ENOMEM when bind's nodes are full;
 *   - the library's view: buddymalloc_node_of() of each block against the
 *     node of each of its pages, and the node counters
 *     (buddymalloc_node_stats) against the nodes that served;
 *   - for objects above the largest buddy block, /proc/self/numa_maps:
 *     the policy of their mapping and its pages per node.
 * One line per case: PASS, FAIL or SKIP, the case and the numbers.  The
 * exit status is 1 when a case failed.
 *
 *   placement [CASE...]     the cases named (default: all but nosys)
 *   placement -l            the cases' names
 *
 * nosys expects /sys not to be mounted (run-numa-vm's init unmounts it).
 * The program's own scratch memory is mmap-ed, so that the counters only
 * see the blocks under test.
 */
#define _GNU_SOURCE 1
#include <buddymalloc.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXN		8		/* nodes this program follows */
#define MAXCPU		64
#define PAGE		4096UL
#define MIB		(1UL << 20)
#define HUGE_SIZE	(256 * MIB)	/* beyond the largest buddy block (64 MiB) */
#define ARRAY_SIZE	(48 * MIB)	/* below it: one buddy allocation */
#define CASE_TIMEOUT_S	240
#define MPOL_F_MEMS_ALLOWED	(1 << 2)

/* ------------------------------------------------------------ machine */

static int nr_nodes;			/* the kernel's nodes allowed to us */
static int node_ids[MAXN];
static int cpu_of_node[MAXN];		/* one cpu of each node, or -1 */
static int last;			/* the highest node */

static void out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(1, buf, (size_t)n) < 0)
		_exit(2);
}

static void *scratch(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		out("FAIL scratch mmap of %zu bytes: %s\n", size, strerror(errno));
		_exit(1);
	}
	return p;
}

/* The kernel's node of the calling thread's cpu (getcpu: no /sys). */
static int kernel_node_now(void)
{
	unsigned int cpu, node;

	if (syscall(SYS_getcpu, &cpu, &node, NULL) != 0)
		return -1;
	return (int)node;
}

static bool pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		return false;
	sched_yield();
	return true;
}

static bool pin_node(int node)
{
	return node >= 0 && node < MAXN && cpu_of_node[node] >= 0 &&
	       pin_cpu(cpu_of_node[node]) && kernel_node_now() == node;
}

/* The nodes from get_mempolicy(MPOL_F_MEMS_ALLOWED), their cpus by
 * pinning to each cpu and asking getcpu: neither needs /sys. */
static void discover(void)
{
	unsigned long mask[4] = { 0 };
	cpu_set_t orig;

	nr_nodes = 0;
	if (syscall(SYS_get_mempolicy, NULL, mask, 256UL, NULL,
		    (unsigned long)MPOL_F_MEMS_ALLOWED) != 0)
		mask[0] = 1;
	for (int n = 0; n < MAXN; n++) {
		cpu_of_node[n] = -1;
		if (mask[0] & (1UL << n))
			node_ids[nr_nodes++] = n;
	}
	last = node_ids[nr_nodes - 1];
	if (sched_getaffinity(0, sizeof(orig), &orig) != 0)
		return;
	for (int c = 0; c < MAXCPU; c++) {
		int n;

		if (!CPU_ISSET(c, &orig) || !pin_cpu(c))
			continue;
		n = kernel_node_now();
		if (n >= 0 && n < MAXN && cpu_of_node[n] < 0)
			cpu_of_node[n] = c;
	}
	sched_setaffinity(0, sizeof(orig), &orig);
}

/* MemTotal of a node from sysfs, in bytes; 0 when unknown. */
static unsigned long node_mem(int node)
{
	char path[96], buf[4096];
	ssize_t len;
	char *s;
	int fd;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	s = strstr(buf, "MemTotal:");
	return s ? strtoul(s + 9, NULL, 10) * 1024 : 0;
}

/* --------------------------------------------------------- measuring */

struct blk {
	char	*p;
	size_t	size;
};

struct tally {
	long	pages[MAXN];	/* pages of the blocks per kernel node */
	long	lost;		/* move_pages could not tell (not present...) */
	long	disagree;	/* pages whose node is not buddymalloc_node_of */
	long	unknown;	/* blocks node_of does not know (direct maps) */
	long	total;
};

/* Add the pages of [p, p + size) to t; lib is buddymalloc_node_of(p),
 * or -1 where the library does not say. */
static void tally_range(struct tally *t, const char *p, size_t size, int lib)
{
	enum { BATCH = 4096 };
	static void **pages;
	static int *status;
	uintptr_t a = (uintptr_t)p & ~(PAGE - 1);
	uintptr_t end = (uintptr_t)p + size;

	if (!pages) {
		pages = scratch(BATCH * sizeof(*pages));
		status = scratch(BATCH * sizeof(*status));
	}
	while (a < end) {
		unsigned long n = 0;

		while (a < end && n < BATCH) {
			pages[n++] = (void *)a;
			a += PAGE;
		}
		if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0) != 0) {
			t->lost += (long)n;
			continue;
		}
		for (unsigned long i = 0; i < n; i++) {
			t->total++;
			if (status[i] < 0 || status[i] >= MAXN) {
				t->lost++;
				continue;
			}
			t->pages[status[i]]++;
			if (lib >= 0 && status[i] != lib)
				t->disagree++;
		}
	}
}

static void tally_blocks(struct tally *t, struct blk *b, int n)
{
	for (int i = 0; i < n; i++) {
		int lib;

		if (!b[i].p)
			continue;
		errno = 0;
		lib = buddymalloc_node_of(b[i].p);
		if (lib < 0)
			t->unknown++;
		tally_range(t, b[i].p, b[i].size, lib);
	}
}

/* "N0=12 N1=0 ..." into buf. */
static const char *fmt_pages(const struct tally *t, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < nr_nodes && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%sN%d=%ld", i ? " " : "",
				      node_ids[i], t->pages[node_ids[i]]);
	return buf;
}

static long pages_outside(const struct tally *t, unsigned allowed)
{
	long n = 0;

	for (int i = 0; i < MAXN; i++)
		if (!(allowed & (1u << i)))
			n += t->pages[i];
	return n;
}

/* The worst share of the allowed nodes' pages against an even split,
 * in per mille off 1/k. */
static long balance_off(const struct tally *t, unsigned allowed)
{
	long sum = 0, worst = 0;
	int k = 0;

	for (int i = 0; i < MAXN; i++)
		if (allowed & (1u << i)) {
			sum += t->pages[i];
			k++;
		}
	if (!sum || !k)
		return 1000;
	for (int i = 0; i < MAXN; i++)
		if (allowed & (1u << i)) {
			long off = labs(t->pages[i] * 1000 * k - sum * 1000) / (sum * k);

			if (off > worst)
				worst = off;
		}
	return worst;
}

struct stats_all {
	struct buddymalloc_node_stats s[MAXN];
};

static void stats_get(struct stats_all *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < nr_nodes; i++)
		buddymalloc_node_stats(node_ids[i], &a->s[node_ids[i]]);
}

/* The counters' own arithmetic (docs/numa.md): sum of miss = sum of
 * foreign; hit + miss = local + other on each node.  0 when they hold. */
static int stats_broken(const struct stats_all *a)
{
	unsigned long long miss = 0, foreign = 0;

	for (int i = 0; i < nr_nodes; i++) {
		const struct buddymalloc_node_stats *s = &a->s[node_ids[i]];

		miss += s->numa_miss;
		foreign += s->numa_foreign;
		if (s->numa_hit + s->numa_miss != s->local_node + s->other_node)
			return 1;
	}
	return miss != foreign;
}

/* Blocks the library says it served on node n between a and b. */
static unsigned long long served(const struct stats_all *a,
				 const struct stats_all *b, int n)
{
	return (b->s[n].numa_hit + b->s[n].numa_miss) -
	       (a->s[n].numa_hit + a->s[n].numa_miss);
}

/* A node the kernel holds pages of ours on, that the counters never
 * served a block from: the counters name the wrong node.  -1 if none. */
static int stats_missing_node(const struct tally *t, const struct stats_all *a,
			      const struct stats_all *b)
{
	for (int i = 0; i < nr_nodes; i++) {
		int n = node_ids[i];

		if (t->pages[n] > 0 && served(a, b, n) == 0)
			return n;
	}
	return -1;
}

/* The numa_maps line of the mapping holding p (the last one starting at
 * or below it): its policy (the second field) into pol and its N<n>=
 * counts into pages.  false if not found. */
static bool numa_maps_of(const void *p, char *pol, size_t pol_len, long *pages)
{
	static char *buf;
	size_t len = 0, cap = 4 * MIB;
	char *line, *found = NULL, *sp, *f;
	ssize_t r;
	int fd;

	if (!buf)
		buf = scratch(cap);
	fd = open("/proc/self/numa_maps", O_RDONLY);
	if (fd < 0)
		return false;
	while (len < cap - 1 && (r = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	for (line = buf; line && *line; ) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strtoul(line, NULL, 16) <= (uintptr_t)p)
			found = line;
		line = nl ? nl + 1 : NULL;
	}
	if (!found)
		return false;
	memset(pages, 0, MAXN * sizeof(*pages));
	sp = strchr(found, ' ');
	snprintf(pol, pol_len, "%.*s", sp ? (int)strcspn(sp + 1, " ") : 0,
		 sp ? sp + 1 : "");
	for (f = strstr(found, " N"); f; f = strstr(f + 1, " N")) {
		int n = atoi(f + 2);
		char *eq = strchr(f, '=');

		if (eq && n >= 0 && n < MAXN)
			pages[n] = atol(eq + 1);
	}
	return true;
}

/* ------------------------------------------------------------- cases */

static char verdict_buf[1024];
static bool failed;

static void fail(const char *fmt, ...)
{
	size_t o = strlen(verdict_buf);
	va_list ap;

	if (o && o < sizeof(verdict_buf) - 2)
		strcpy(verdict_buf + o, "; "), o += 2;
	va_start(ap, fmt);
	vsnprintf(verdict_buf + o, sizeof(verdict_buf) - o, fmt, ap);
	va_end(ap);
	failed = true;
}

static unsigned bit(int n)
{
	return 1u << n;
}

static unsigned all_nodes(void)
{
	unsigned m = 0;

	for (int i = 0; i < nr_nodes; i++)
		m |= bit(node_ids[i]);
	return m;
}

/* Page blocks of mixed sizes (64 KiB and 1 MiB), then small objects
 * (256 bytes, from slabs); every byte touched. */
static int alloc_mixed(struct blk *b, int max, int big, int mid, int small)
{
	int n = 0;

	for (int i = 0; i < big && n < max; i++, n++)
		b[n].size = MIB;
	for (int i = 0; i < mid && n < max; i++, n++)
		b[n].size = 64 * 1024;
	for (int i = 0; i < small && n < max; i++, n++)
		b[n].size = 256;
	for (int i = 0; i < n; i++) {
		b[i].p = malloc(b[i].size);
		if (b[i].p)
			memset(b[i].p, 0x5a, b[i].size);
	}
	return n;
}

static int count_null(struct blk *b, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += !b[i].p;
	return k;
}

/* The common check of a placement: no page outside allowed, node_of
 * right on every page, the counters served the nodes the kernel shows.
 * Page blocks only (big + mid) decide the placement; small objects come
 * from slabs a policy may have filled earlier, so they count for node_of
 * only. */
static void check_placement(const char *what, struct blk *b, int n_pages_blocks,
			    int n, unsigned allowed, long balance_permille,
			    const struct stats_all *before)
{
	struct tally t = { 0 }, all = { 0 };
	struct stats_all after;
	char nb[256];
	int miss;

	stats_get(&after);
	tally_blocks(&t, b, n_pages_blocks);
	tally_blocks(&all, b, n);
	out("  %s: %s, node_of wrong on %ld of %ld pages, %d NULL\n", what,
	    fmt_pages(&t, nb, sizeof(nb)), all.disagree, all.total,
	    count_null(b, n));
	if (count_null(b, n))
		fail("%s: %d allocations NULL", what, count_null(b, n));
	if (pages_outside(&t, allowed))
		fail("%s: %ld pages outside the policy's nodes (%s)", what,
		     pages_outside(&t, allowed), fmt_pages(&t, nb, sizeof(nb)));
	if (all.disagree)
		fail("%s: node_of disagrees with move_pages on %ld pages", what,
		     all.disagree);
	if (all.lost)
		fail("%s: move_pages could not place %ld pages", what, all.lost);
	if (balance_permille >= 0 && balance_off(&t, allowed) > balance_permille)
		fail("%s: interleave off an even split by %ld per mille (%s)",
		     what, balance_off(&t, allowed), fmt_pages(&t, nb, sizeof(nb)));
	miss = stats_missing_node(&t, before, &after);
	if (miss >= 0)
		fail("%s: %ld pages on node %d, the counters served none there",
		     what, t.pages[miss], miss);
	if (stats_broken(&after))
		fail("%s: counters inconsistent (miss != foreign or hit+miss != local+other)",
		     what);
}

static void free_blocks(struct blk *b, int n)
{
	for (int i = 0; i < n; i++) {
		free(b[i].p);
		b[i].p = NULL;
	}
}

enum { BIG = 16, MID = 64, SMALL = 2000, NBLK = BIG + MID + SMALL };

static struct blk *blocks(void)
{
	static struct blk *b;

	if (!b)
		b = scratch(NBLK * 4 * sizeof(*b));
	memset(b, 0, NBLK * 4 * sizeof(*b));
	return b;
}

/* Local placement: a thread on each node gets that node's pages. */
static void case_local(void)
{
	struct blk *b = blocks();

	for (int i = 0; i < nr_nodes; i++) {
		struct stats_all before;
		char what[32];
		int n;

		if (!pin_node(node_ids[i])) {
			fail("cannot run on node %d", node_ids[i]);
			continue;
		}
		stats_get(&before);
		n = alloc_mixed(b, NBLK, BIG, MID, SMALL);
		snprintf(what, sizeof(what), "on node %d", node_ids[i]);
		check_placement(what, b, BIG + MID, n, bit(node_ids[i]), -1, &before);
		free_blocks(b, n);
	}
}

/* A thread on node 0 under a policy that allows `allowed`; balance >= 0
 * checks interleave's split. */
static void case_policy(unsigned allowed, long balance)
{
	struct blk *b = blocks();
	struct stats_all before;
	int n;

	if (!pin_node(node_ids[0]))
		fail("cannot run on node %d", node_ids[0]);
	stats_get(&before);
	n = alloc_mixed(b, NBLK, 4 * BIG, MID, SMALL);
	check_placement("thread on node 0", b, 4 * BIG + MID, n, allowed, balance,
			&before);
	free_blocks(b, n);
}

/* A node's memory and half as much again in 1 MiB blocks, under a policy
 * bound to the last node: ENOMEM before the end, no page elsewhere. */
static void case_bind_full(void)
{
	unsigned long mem = node_mem(last), want, got = 0;
	int nblk, err = 0, n;
	struct tally t = { 0 };
	struct blk *b;
	char nb[256], pol[64];
	long maps[MAXN];

	if (!mem) {
		fail("no MemTotal for node %d", last);
		return;
	}
	want = mem + mem / 2;
	nblk = (int)(want / MIB);
	b = scratch((size_t)nblk * sizeof(*b));
	pin_node(node_ids[0]);
	for (n = 0; n < nblk; n++) {
		errno = 0;
		b[n].size = MIB;
		b[n].p = malloc(MIB);
		if (!b[n].p) {
			err = errno;
			break;
		}
		memset(b[n].p, 1, MIB);
		got += MIB;
	}
	tally_blocks(&t, b, n);
	out("  node %d MemTotal %lu MiB; allocated %lu MiB before %s; %s; node_of wrong on %ld pages\n",
	    last, mem / MIB, got / MIB, n < nblk ? strerror(err) : "the end",
	    fmt_pages(&t, nb, sizeof(nb)), t.disagree);
	if (n > 0 && numa_maps_of(b[0].p, pol, sizeof(pol), maps))
		out("  numa_maps policy of the first block's mapping: %s\n", pol);
	if (n == nblk)
		fail("%lu MiB bound to node %d of %lu MiB: no ENOMEM", got / MIB,
		     last, mem / MIB);
	else if (err != ENOMEM)
		fail("NULL with errno %d, not ENOMEM", err);
	if (pages_outside(&t, bit(last)))
		fail("%ld pages off node %d", pages_outside(&t, bit(last)), last);
	if (t.disagree)
		fail("node_of disagrees with move_pages on %ld pages", t.disagree);
	free_blocks(b, n);
}

/* buddymalloc_alloc_onnode: 64 MiB lands on the node; more than the node
 * has fails with ENOMEM (it never falls back). */
static void case_onnode(void)
{
	unsigned long mem = node_mem(last);
	struct tally t = { 0 };
	char nb[256];
	char *p;

	pin_node(node_ids[0]);
	p = buddymalloc_alloc_onnode(64 * MIB, last);
	if (!p) {
		fail("alloc_onnode(%d, 64 MiB): NULL, errno %d", last, errno);
	} else {
		memset(p, 1, 64 * MIB);
		tally_range(&t, p, 64 * MIB, buddymalloc_node_of(p));
		out("  64 MiB on node %d: %s, node_of wrong on %ld\n", last,
		    fmt_pages(&t, nb, sizeof(nb)), t.disagree);
		if (pages_outside(&t, bit(last)))
			fail("64 MiB: %ld pages off node %d",
			     pages_outside(&t, bit(last)), last);
		if (t.disagree)
			fail("64 MiB: node_of wrong on %ld pages", t.disagree);
		free(p);
	}
	if (!mem) {
		fail("no MemTotal for node %d", last);
		return;
	}
	memset(&t, 0, sizeof(t));
	errno = 0;
	p = buddymalloc_alloc_onnode(mem + mem / 2, last);
	if (p) {
		int err = errno;

		memset(p, 1, mem + mem / 2);
		tally_range(&t, p, mem + mem / 2, -1);
		fail("alloc_onnode(%d, %lu MiB) of a %lu MiB node succeeded (errno %d): %s",
		     last, (mem + mem / 2) / MIB, mem / MIB, err,
		     fmt_pages(&t, nb, sizeof(nb)));
		free(p);
	} else if (errno != ENOMEM) {
		fail("alloc_onnode beyond the node: errno %d, not ENOMEM", errno);
	} else {
		out("  alloc_onnode(%d, %lu MiB): ENOMEM\n", last, (mem + mem / 2) / MIB);
	}
}

/* preferred:last beyond the node's memory: it spills, and the counters
 * say so (miss where it landed, foreign on the node meant). */
static void case_preferred_full(void)
{
	unsigned long mem = node_mem(last);
	struct stats_all before, after;
	struct tally t = { 0 };
	int nblk, n;
	struct blk *b;
	char nb[256];
	unsigned long long miss = 0;

	if (!mem) {
		fail("no MemTotal for node %d", last);
		return;
	}
	nblk = (int)((mem + mem / 2) / MIB);
	b = scratch((size_t)nblk * sizeof(*b));
	pin_node(node_ids[0]);
	stats_get(&before);
	for (n = 0; n < nblk; n++) {
		b[n].size = MIB;
		b[n].p = malloc(MIB);
		if (!b[n].p)
			break;
		memset(b[n].p, 1, MIB);
	}
	stats_get(&after);
	tally_blocks(&t, b, n);
	for (int i = 0; i < nr_nodes; i++)
		if (node_ids[i] != last)
			miss += after.s[node_ids[i]].numa_miss - before.s[node_ids[i]].numa_miss;
	out("  %d of %d MiB; %s; node_of wrong on %ld; numa_miss elsewhere +%llu, numa_foreign on %d +%llu\n",
	    n, nblk, fmt_pages(&t, nb, sizeof(nb)), t.disagree, miss, last,
	    after.s[last].numa_foreign - before.s[last].numa_foreign);
	if (n < nblk)
		fail("NULL after %d MiB: preferred must spill", n);
	if (t.disagree)
		fail("node_of disagrees with move_pages on %ld pages", t.disagree);
	if (pages_outside(&t, bit(last)) && !miss)
		fail("%ld pages spilled, no numa_miss counted",
		     pages_outside(&t, bit(last)));
	if (pages_outside(&t, bit(last)) &&
	    after.s[last].numa_foreign == before.s[last].numa_foreign)
		fail("spilled, no numa_foreign counted on node %d", last);
	if (stats_broken(&after))
		fail("counters inconsistent");
	free_blocks(b, n);
}

/* One object of size bytes; its pages in allowed, and (balance >= 0) an
 * even split; objects above the largest buddy block are also checked in
 * numa_maps. */
static void case_object(size_t size, unsigned allowed, long balance)
{
	struct tally t = { 0 };
	long maps[MAXN];
	char nb[256], pol[64];
	char *p;
	int lib;

	pin_node(node_ids[0]);
	p = malloc(size);
	if (!p) {
		fail("malloc(%zu MiB): NULL, errno %d", size / MIB, errno);
		return;
	}
	memset(p, 1, size);
	lib = buddymalloc_node_of(p);
	tally_range(&t, p, size, lib);
	out("  %zu MiB object: %s (node_of %d, wrong on %ld), %ld per mille off even\n",
	    size / MIB, fmt_pages(&t, nb, sizeof(nb)), lib, t.disagree,
	    balance_off(&t, allowed));
	if (pages_outside(&t, allowed))
		fail("%ld pages outside the policy's nodes (%s)",
		     pages_outside(&t, allowed), nb);
	if (balance >= 0 && balance_off(&t, allowed) > balance)
		fail("interleave off an even split by %ld per mille (%s)",
		     balance_off(&t, allowed), nb);
	if (t.disagree)
		fail("node_of disagrees with move_pages on %ld pages", t.disagree);
	if (lib < 0 && numa_maps_of(p, pol, sizeof(pol), maps)) {
		out("  numa_maps: policy %s", pol);
		for (int i = 0; i < nr_nodes; i++)
			out(" N%d=%ld", node_ids[i], maps[node_ids[i]]);
		out("\n");
		for (int i = 0; i < nr_nodes; i++)
			if (maps[node_ids[i]] < t.pages[node_ids[i]])
				fail("numa_maps counts %ld pages on node %d, move_pages %ld",
				     maps[node_ids[i]], node_ids[i], t.pages[node_ids[i]]);
	}
	free(p);
}

/* A thread that moves from node to node, allocating and freeing as it
 * goes; each step's page blocks come from the node it runs on. */
static void case_migrate(void)
{
	enum { STEP_BLK = 32 + 500 };
	struct blk *b = blocks(), *prev = b + STEP_BLK, *tmp;
	int steps = 3 * nr_nodes;

	for (int s = 0; s < steps; s++) {
		int node = node_ids[s % nr_nodes];
		struct stats_all before;
		char what[48];
		int n;

		if (!pin_node(node)) {
			fail("cannot run on node %d", node);
			return;
		}
		stats_get(&before);
		n = alloc_mixed(b, STEP_BLK, 0, 32, 500);
		snprintf(what, sizeof(what), "step %d on node %d", s, node);
		check_placement(what, b, 32, n, bit(node), -1, &before);
		free_blocks(prev, STEP_BLK);	/* the last step's, from another node */
		tmp = prev, prev = b, b = tmp;
	}
	free_blocks(prev, STEP_BLK);
	if (buddymalloc_check(2) != 0)
		fail("buddymalloc_check found violations");
}

struct xfree {
	struct blk *b;
	int n, node;
	bool ok;
};

static void *xfree_thread(void *arg)
{
	struct xfree *x = arg;

	x->ok = pin_node(x->node);
	free_blocks(x->b, x->n);
	return NULL;
}

/* Cross-node frees: blocks from node 0, freed by a thread on the last
 * node; they go home to node 0, and both nodes serve their own again. */
static void case_crossfree(void)
{
	struct blk *b = blocks();
	struct stats_all before, mid;
	struct xfree x;
	pthread_t th;
	unsigned long long gained;
	int n;

	if (!pin_node(node_ids[0])) {
		fail("cannot run on node %d", node_ids[0]);
		return;
	}
	stats_get(&before);
	n = alloc_mixed(b, NBLK, BIG, MID, SMALL);
	check_placement("allocated on node 0", b, BIG + MID, n, bit(node_ids[0]), -1,
			&before);
	stats_get(&before);
	x = (struct xfree){ b, n, last, false };
	if (pthread_create(&th, NULL, xfree_thread, &x) != 0) {
		fail("pthread_create");
		return;
	}
	pthread_join(th, NULL);
	if (!x.ok)
		fail("cannot run on node %d", last);
	stats_get(&mid);
	gained = mid.s[node_ids[0]].free_bytes - before.s[node_ids[0]].free_bytes;
	out("  freed on node %d: node %d free bytes +%llu MiB\n", last, node_ids[0],
	    gained / MIB);
	if (mid.s[node_ids[0]].free_bytes < before.s[node_ids[0]].free_bytes + BIG * MIB)
		fail("node %d's free bytes rose by %llu MiB, not the %d MiB of 1 MiB blocks freed to it",
		     node_ids[0], gained / MIB, BIG);
	pin_node(last);
	stats_get(&before);
	n = alloc_mixed(b, NBLK, BIG, MID, SMALL);
	check_placement("again on the last node", b, BIG + MID, n, bit(last), -1,
			&before);
	free_blocks(b, n);
	pin_node(node_ids[0]);
	stats_get(&before);
	n = alloc_mixed(b, NBLK, BIG, MID, SMALL);
	check_placement("again on node 0", b, BIG + MID, n, bit(node_ids[0]), -1,
			&before);
	free_blocks(b, n);
	if (buddymalloc_check(2) != 0)
		fail("buddymalloc_check found violations");
}

/* Without /sys: a thread on the last node; its pages there, and the
 * library never names another node than the kernel's. */
static void case_nosys(void)
{
	struct blk *b = blocks();
	struct stats_all before;
	int n, k = buddymalloc_nodes(NULL, 0);

	if (access("/sys/devices/system/node", F_OK) == 0)
		out("  (note: /sys is mounted)\n");
	out("  the library uses %d nodes, the kernel allows %d\n", k, nr_nodes);
	if (!pin_node(last)) {
		fail("cannot run on node %d", last);
		return;
	}
	stats_get(&before);
	n = alloc_mixed(b, NBLK, BIG, MID, SMALL);
	check_placement("thread on the last node", b, BIG + MID, n, bit(last), -1,
			&before);
	free_blocks(b, n);
}

/* -------------------------------------------------------- the driver */

struct pcase {
	const char *name;
	const char *numactl;	/* numactl option, or NULL; %d: last node */
	const char *conf;	/* numa_policy value, or NULL; %d/%s, see conf_of */
	void (*run)(void);
};

static void run_local(void) { case_local(); }
static void run_membind(void) { case_policy(bit(last), -1); }
static void run_preferred(void) { case_policy(bit(last), -1); }
static void run_interleave(void) { case_policy(all_nodes(), 100); }
static void run_interleave_nodes(void)
{
	case_policy(nr_nodes > 2 ? all_nodes() & ~bit(node_ids[0]) : all_nodes(), 100);
}
static void run_bind_nodes(void)
{
	case_policy(bit(node_ids[nr_nodes > 2 ? 1 : 0 ]) | bit(last), -1);
}
static void run_huge_bind(void) { case_object(HUGE_SIZE, bit(last), -1); }
static void run_huge_interleave(void) { case_object(HUGE_SIZE, all_nodes(), 20); }
static void run_array_interleave(void) { case_object(ARRAY_SIZE, all_nodes(), 50); }
static void run_membind_interleave(void)
{
	case_policy(bit(last), -1);
	if (!failed)
		case_object(HUGE_SIZE, bit(last), -1);
}

/* %L: the last node; %I: the interleave set (all but node 0 on more than
 * two nodes); %B: node 1 (of more than two) and the last. */
static const struct pcase cases[] = {
	{ "local", NULL, NULL, run_local },
	{ "numactl-localalloc", "--localalloc", NULL, run_local },
	{ "numactl-membind", "--membind=%L", NULL, run_membind },
	{ "numactl-preferred", "--preferred=%L", NULL, run_preferred },
	{ "numactl-interleave", "--interleave=all", NULL, run_interleave },
	{ "conf-local", NULL, "local", run_local },
	{ "conf-interleave", NULL, "interleave", run_interleave },
	{ "conf-interleave-nodes", NULL, "interleave:%I", run_interleave_nodes },
	{ "conf-bind-nodes", NULL, "bind:%B", run_bind_nodes },
	{ "conf-preferred", NULL, "preferred:%L", run_preferred },
	{ "bind-full", NULL, "bind:%L", case_bind_full },
	{ "onnode-full", NULL, NULL, case_onnode },
	{ "preferred-full", NULL, "preferred:%L", case_preferred_full },
	{ "migrate", NULL, NULL, case_migrate },
	{ "crossfree", NULL, NULL, case_crossfree },
	{ "huge-bind", NULL, "bind:%L", run_huge_bind },
	{ "huge-interleave", NULL, "interleave", run_huge_interleave },
	{ "array-interleave", NULL, "interleave", run_array_interleave },
	{ "membind-interleave", "--membind=%L", "interleave", run_membind_interleave },
	{ "nosys", NULL, NULL, case_nosys },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

/* fmt with %L, %I and %B expanded into buf. */
static const char *expand(const char *fmt, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *f = fmt; *f && o < len - 16; f++) {
		if (f[0] != '%' || !f[1]) {
			buf[o++] = *f;
			continue;
		}
		f++;
		if (*f == 'L')
			o += (size_t)snprintf(buf + o, len - o, "%d", last);
		else if (*f == 'I')
			o += (size_t)(nr_nodes > 2 ?
				snprintf(buf + o, len - o, "%d-%d", node_ids[1], last) :
				snprintf(buf + o, len - o, "%d-%d", node_ids[0], last));
		else if (*f == 'B')
			o += (size_t)(nr_nodes > 2 ?
				snprintf(buf + o, len - o, "%d,%d", node_ids[1], last) :
				snprintf(buf + o, len - o, "%d", last));
	}
	buf[o] = '\0';
	return buf;
}

static const struct pcase *find_case(const char *name)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	return NULL;
}

/* Run one case in this process (the child): its verdict line. */
static int run_case(const struct pcase *c, const char *label)
{
	discover();
	c->run();
	out("%s %s%s%s\n", failed ? "FAIL" : "PASS", label,
	    failed ? ": " : "", verdict_buf);
	return failed ? 1 : 0;
}

/* Start the case in a fresh process, through numactl and with
 * BUDDYMALLOC_CONF as it says; 0 passed, 1 failed. */
static int spawn_case(const char *self, const struct pcase *c)
{
	static char numactl[] = "numactl", case_opt[] = "--case";
	char opt[64], conf[192], label[256], env[128], raw[96];
	char *argv[8];
	int argc = 0, status;
	pid_t pid;

	snprintf(label, sizeof(label), "%s", c->name);
	if (c->numactl) {
		size_t o = strlen(label);

		snprintf(label + o, sizeof(label) - o, " [numactl %s]",
			 expand(c->numactl, opt, sizeof(opt)));
		argv[argc++] = numactl;
		argv[argc++] = opt;
	}
	if (c->conf) {
		size_t o = strlen(label);

		snprintf(raw, sizeof(raw), "numa_policy=%s", c->conf);
		expand(raw, env, sizeof(env));
		snprintf(label + o, sizeof(label) - o, " [%s]", env);
		snprintf(conf, sizeof(conf), "BUDDYMALLOC_CONF=%s", env);
	}
	argv[argc++] = (char *)self;
	argv[argc++] = case_opt;
	argv[argc++] = (char *)c->name;
	argv[argc++] = label;
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0) {
		out("FAIL %s: fork: %s\n", label, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (c->conf)
			putenv(conf);
		else
			unsetenv("BUDDYMALLOC_CONF");
		alarm(CASE_TIMEOUT_S);
		execvp(argv[0], argv);
		out("SKIP %s: cannot run %s: %s\n", label, argv[0], strerror(errno));
		_exit(77);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		out("FAIL %s: killed by signal %d%s\n", label, WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		return 1;
	}
	return WEXITSTATUS(status) == 77 ? 0 : WEXITSTATUS(status) != 0;
}

int main(int argc, char **argv)
{
	char self[4096];
	ssize_t len;
	int failures = 0, ran = 0;

	if (argc >= 4 && strcmp(argv[1], "--case") == 0) {
		const struct pcase *c = find_case(argv[2]);

		return c ? run_case(c, argv[3]) : 2;
	}
	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (size_t i = 0; i < NCASES; i++)
			out("%s\n", cases[i].name);
		return 0;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0) {
		out("FAIL /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	self[len] = '\0';
	discover();
	out("placement: %d nodes allowed (last %d), cpus", nr_nodes, last);
	for (int i = 0; i < nr_nodes; i++)
		out(" %d:%d", node_ids[i], cpu_of_node[node_ids[i]]);
	out("\n");
	if (nr_nodes < 2) {
		out("SKIP placement: one node, nothing to place\n");
		return 77;
	}
	for (size_t i = 0; i < NCASES; i++) {
		bool named = argc == 1 ? strcmp(cases[i].name, "nosys") != 0 : false;

		for (int a = 1; a < argc; a++)
			named |= strcmp(argv[a], cases[i].name) == 0;
		if (!named)
			continue;
		ran++;
		failures += spawn_case(self, &cases[i]);
	}
	out("placement: %d cases, %d failed\n", ran, failures);
	return failures ? 1 : 0;
}
