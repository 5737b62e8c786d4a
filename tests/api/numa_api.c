/* SPDX-License-Identifier: MIT */
/*
 * numa_api.c - the public NUMA interface on a faked four-node machine
 * (tests/unit/numa-4.xml): the node list, allocation on a node, the node
 * of a pointer, the per-node counters, and numa_policy from
 * BUDDYMALLOC_CONF for ordinary malloc.  Each policy runs in a fresh
 * process, since the allocator reads its configuration once.  Fails
 * without our allocator (skips only with BM_TEST_ALLOW_FOREIGN_MALLOC=1;
 * see api.h).
 */
#include "api.h"

#include <buddymalloc.h>
#include <malloc.h>

#define LARGE	(64 * 1024)	/* page objects: each one its own pages */

static void test_nodes(void)
{
	int nodes[8];

	CHECK_EQ(buddymalloc_nodes(NULL, 0), 4);
	CHECK_EQ(buddymalloc_nodes(nodes, 8), 4);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(nodes[i], i);
}

static void test_alloc_onnode(void)
{
	struct buddymalloc_node_stats before, after;

	for (int n = 0; n < 4; n++) {
		char *p;

		CHECK_EQ(buddymalloc_node_stats(n, &before), 0);
		p = buddymalloc_alloc_onnode(10000, n);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK_EQ(((uintptr_t)p & 4095), 0);
		CHECK_EQ(buddymalloc_node_of(p), n);
		CHECK_EQ(buddymalloc_node_of(p + 9999), n);
		memset(p, 0x5a, 10000);
		CHECK(malloc_usable_size(p) >= 10000);
		CHECK_EQ(buddymalloc_node_stats(n, &after), 0);
		CHECK(after.numa_hit > before.numa_hit);
		CHECK(after.committed_bytes >= 10000);
		p = realloc(p, 20000);		/* an ordinary block from here on */
		CHECK(p != NULL);
		CHECK_EQ((unsigned char)p[9999], 0x5a);
		free(p);
	}
	errno = 0;
	CHECK(buddymalloc_alloc_onnode(100, 4) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(buddymalloc_alloc_onnode(100, -1) == NULL);
	CHECK_EQ(errno, EINVAL);
}

static void test_node_of_bad(void)
{
	int local;
	struct buddymalloc_node_stats st;

	errno = 0;
	CHECK_EQ(buddymalloc_node_of(&local), -1);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(buddymalloc_node_stats(7, &st), -1);
	CHECK_EQ(errno, EINVAL);
}

/* numa_policy=interleave:1,3: page objects alternate between 1 and 3. */
static void test_interleave_conf(void)
{
	int count[4] = { 0 };
	void *p[400];

	for (int i = 0; i < 400; i++) {
		p[i] = malloc(LARGE);
		CHECK(p[i] != NULL);
		if (p[i])
			count[buddymalloc_node_of(p[i])]++;
	}
	CHECK_EQ(count[0] + count[2], 0);
	CHECK_EQ(count[1], 200);
	CHECK_EQ(count[3], 200);
	for (int i = 0; i < 400; i++)
		free(p[i]);
}

/* Under interleave, slabs left partial on every node are reused before
 * new ones are made, though the thread runs on one node. */
static void test_interleave_reuses_slabs(void)
{
	enum { N = 32000, M = 20000, SIZE = 1000 };
	static void *p[N];
	struct buddymalloc_node_stats st;
	unsigned long long before = 0, after = 0;

	for (int i = 0; i < N; i++)
		p[i] = malloc(SIZE);
	for (int i = 0; i < N; i++)
		if (i % 10) {
			free(p[i]);
			p[i] = NULL;
		}
	for (int n = 0; n < 4; n++) {
		CHECK_EQ(buddymalloc_node_stats(n, &st), 0);
		before += st.numa_hit + st.numa_miss;
	}
	for (int i = 0; i < N && i / 10 * 9 < M; i++)
		if (!p[i])
			p[i] = malloc(SIZE);	/* 28,800 free objects wait in partial slabs */
	for (int n = 0; n < 4; n++) {
		CHECK_EQ(buddymalloc_node_stats(n, &st), 0);
		after += st.numa_hit + st.numa_miss;
	}
	CHECK(after - before < 50);	/* 0 here; 168 when only node 0's were looked at */
	for (int i = 0; i < N; i++)
		free(p[i]);
}

/* numa_policy=bind:2: small and large objects all come from node 2. */
static void test_bind_conf(void)
{
	for (size_t size = 16; size <= 1 << 20; size *= 4) {
		void *p = malloc(size);

		CHECK(p != NULL);
		if (p)
			CHECK_EQ(buddymalloc_node_of(p), 2);
		free(p);
	}
}

static int run(const char *which)
{
	if (!strcmp(which, "api")) {
		RUN_TEST(test_nodes);
		RUN_TEST(test_alloc_onnode);
		RUN_TEST(test_node_of_bad);
	} else if (!strcmp(which, "interleave")) {
		RUN_TEST(test_interleave_conf);
		RUN_TEST(test_interleave_reuses_slabs);
	} else {
		RUN_TEST(test_bind_conf);
	}
	return test_exit();
}

static int spawn(char *self, const char *which, const char *conf)
{
	char path[4096];
	const char *srcdir = getenv("srcdir");
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		snprintf(path, sizeof(path), "%s/tests/unit/numa-4.xml", srcdir ? srcdir : ".");
		if (access(path, R_OK) != 0) {
			fprintf(stderr, "%s: %s (set srcdir)\n", path, strerror(errno));
			_exit(1);
		}
		setenv("HWLOC_XMLFILE", path, 1);
		setenv("BUDDYMALLOC_CONF", conf, 1);
		execl(self, self, which, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "FAIL: %s (%s)\n", which, conf);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (!bm_active())
		return bm_not_active();
	if (argc == 2)
		return run(argv[1]);
	failed += spawn(argv[0], "api", "");
	/* A ',' before a digit stays in the value, as numactl lists it. */
	failed += spawn(argv[0], "interleave", "numa_policy=interleave:1,3,stats=0");
	failed += spawn(argv[0], "bind", "numa_policy=bind:2");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
