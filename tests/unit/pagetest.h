/* SPDX-License-Identifier: MIT */
/* pagetest.h - helpers for the page allocator tests. */
#ifndef BM_PAGETEST_H
#define BM_PAGETEST_H

#include "test.h"
#include "bm.h"
#include "check.h"
#include "node.h"
#include "options.h"
#include "init.h"
#include "page_alloc.h"
#include "vmstat.h"
#include "watermark.h"
/* bm_init: in init.h where the tree has it (the layers below init no
 * longer call it for us), else still in page_alloc.h. */
#if defined(__has_include)
#if __has_include("init.h")
#include "init.h"
#endif
#endif

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The tests work out watermarks and fits for zones of a few sections.
 * On a machine of several nodes each zone's reserve is sized by its
 * node's memory (node_pages, #17), a gigabyte node's for a 4 MiB zone:
 * the tests model the zone alone, as on one node.  numa.c tests
 * node_pages itself. */
static inline void pt_unsize_nodes(void)
{
	for (int i = 0; i < bm_nr_nodes; i++) {
		struct zone *z = &bm_nodes[i].zones[ZONE_NORMAL];

		bm_lock(&z->lock);
		z->node_pages = 0;
		if (z->managed_pages)
			bm__setup_zone_watermarks(z);
		bm_unlock(&z->lock);
	}
}

/* Configure the allocator (before first use) and bring it up.  Every
 * page allocator test calls this before its first allocation: the page
 * allocator does not call bm_init itself (only the entry points above it,
 * malloc.c and public.c, do), so a test that skipped it would use an
 * allocator that was never set up.  Calling bm_init again is harmless. */
static inline void pt_setup(const char *conf)
{
	/* The helpers below look at node 0's zone: unless a test sets its
	 * own policy (or, as numa.c, tests the process's: PT_ANY_NODE), its
	 * pages come from node 0, whichever cpu it runs on, on a machine of
	 * any number of nodes (#17: six tests failed on two nodes, one with
	 * a node-1 pfn out of bounds). */
#ifndef PT_ANY_NODE
	if (!strstr(conf, "numa_policy") && bm_options_parse("numa_policy=bind:0") != 0) {
		fprintf(stderr, "cannot bind the test to node 0\n");
		exit(99);
	}
#endif
	/* The helpers read zone state without its lock: no reclaim thread
	 * (reclaim=auto starts one once 32 MiB are free) unless the test
	 * asks for one.  Under ThreadSanitizer on a busy machine random_ops
	 * outlived decay_ms, and the thread's decay pass raced its checks. */
	if (!strstr(conf, "reclaim=") && bm_options_parse("reclaim=inline") != 0) {
		fprintf(stderr, "cannot set reclaim=inline\n");
		exit(99);
	}
	if (bm_options_parse(conf) != 0) {
		fprintf(stderr, "bad test configuration '%s'\n", conf);
		exit(99);
	}
	if (!bm_init()) {
		fprintf(stderr, "bm_init failed\n");
		exit(99);
	}
	pt_unsize_nodes();
}

static inline struct zone *pt_zone(void)
{
	return &bm_nodes[0].zones[ZONE_NORMAL];
}

/* Free blocks of one order, all migratetypes. */
static inline uint64_t pt_nr_free(unsigned int order)
{
	return pt_zone()->free_area[order].nr_free;
}

/* True when every free page sits in a max-order block. */
static inline bool pt_only_max_order_blocks(void)
{
	struct zone *z = pt_zone();

	for (unsigned int o = 0; o < bm_max_order; o++)
		if (z->free_area[o].nr_free)
			return false;
	return z->free_area[bm_max_order].nr_free << bm_max_order == z->nr_free_pages;
}

/* Hand the zone at least nr max-order blocks up front, so that a test's
 * own allocations do not make it grow midway. */
static inline void pt_grow(unsigned int nr)
{
	struct zone *z = pt_zone();

	bm_lock(&z->lock);
	while (z->managed_pages < (nr << bm_max_order) && bm__zone_grow(z, true))
		;
	bm_unlock(&z->lock);
}

#define CHECK_INVARIANTS() CHECK_EQ(bm_check_invariants(STDERR_FILENO), 0)

static inline uint64_t pt_event(enum zone_event e)
{
	return bm_zone_event_sum(e);
}

/* Run fn in a child with stderr on a pipe; return its wait status and
 * what it printed. */
static inline int __attribute__((unused)) pt_run_child(void (*fn)(void *), void *arg, char *out, size_t cap)
{
	int fd[2], status = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fd) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], STDERR_FILENO);
		close(fd[0]);
		fn(arg);
		_exit(0);
	}
	close(fd[1]);
	while (len < cap - 1 && (n = read(fd[0], out + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	return status;
}

#endif /* BM_PAGETEST_H */
