/* SPDX-License-Identifier: MIT */
/*
 * buddymalloc.h - the public interface of libbuddymalloc beyond the
 * standard allocation functions.
 */
#ifndef BUDDYMALLOC_H
#define BUDDYMALLOC_H

#include <stddef.h>

/* The library's version; configure.ac reads it from here (AC_INIT), so
 * this is the one place it is written. */
#define BUDDYMALLOC_VERSION_MAJOR 0
#define BUDDYMALLOC_VERSION_MINOR 1
#define BUDDYMALLOC_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library in use, "MAJOR.MINOR.PATCH": the running
 * one, which may differ from the header a program was compiled with. */
const char *buddymalloc_version(void);

/*
 * Give back to the operating system everything that can go now: the
 * calling thread's caches, empty slabs and every free page (other threads
 * drain their page caches on their next slow path).  Returns the bytes
 * given back.  malloc_trim(0) does the same.
 */
size_t buddymalloc_reclaim(void);

/*
 * Write the allocator's report to the file descriptor fd with write(2):
 * a header (pid, program, version, the settings in effect), a summary in
 * bytes (the names buddymalloc_stat() takes), then buddyinfo,
 * pagetypeinfo, zoneinfo, slabinfo, numastat and vmstat, in the shapes
 * of the Linux /proc files of the same names.  Never allocates; safe
 * from any thread, also from a signal handler that did not interrupt the
 * allocator (stats_signal in BUDDYMALLOC_CONF does that safely).
 */
void buddymalloc_stats_print(int fd);

/*
 * One counter of the report's summary, by the name the report gives it:
 * allocated, active, resident, returned, metadata, huge, huge_objects,
 * committed, free (buddymalloc(3) says what each counts; bytes, but
 * huge_objects).  Returns 0 and sets *value, or -1 with errno ENOENT for
 * a name the report does not have.  Walks the page descriptors: meant
 * for monitoring, not for a hot path.  Example:
 *
 *	unsigned long long rss;
 *	if (buddymalloc_stat("resident", &rss) == 0) ...
 */
int buddymalloc_stat(const char *name, unsigned long long *value);

/*
 * Check the allocator's invariants (every committed page in exactly one
 * place, free lists consistent), print each violation to fd and return how
 * many were found.  Takes each zone lock in turn; meant for tests and
 * debugging, it walks every committed page.
 */
unsigned long buddymalloc_check(int fd);

/*
 * NUMA.  Node numbers are the kernel's, as numactl and
 * /sys/devices/system/node show them.  BUDDYMALLOC_CONF's numa_policy
 * (local, interleave[:NODES], bind:NODES, preferred:N) sets where
 * ordinary allocations go; by default the process's own policy does.
 */

/* The nodes the allocator uses: up to max of them into nodes (may be NULL
 * when max is 0).  Returns how many there are. */
int buddymalloc_nodes(int *nodes, int max);

/*
 * size bytes on node, in whole pages (as numa_alloc_onnode), aligned to a
 * page; free() or realloc() it as any other block.  NULL with errno EINVAL
 * for a node the allocator does not use, ENOMEM when that node has no
 * memory left: it never falls back to another node.
 */
void *buddymalloc_alloc_onnode(size_t size, int node);

/* The node whose memory p points into; -1 with errno EINVAL when p is not
 * in the allocator's node ranges (objects above 64 MiB are mapped
 * directly: mbind(2) places them, get_mempolicy(2) tells where). */
int buddymalloc_node_of(const void *p);

/* Per-node statistics; the counters are the kernel's numastat counters,
 * counted per page block the buddy allocator hands out. */
struct buddymalloc_node_stats {
	unsigned long long	committed_bytes;	/* taken from the OS */
	unsigned long long	free_bytes;		/* of those, free */
	unsigned long long	numa_hit;		/* served by the node meant */
	unsigned long long	numa_miss;		/* served here, meant elsewhere */
	unsigned long long	numa_foreign;		/* meant here, served elsewhere */
	unsigned long long	interleave_hit;		/* interleave got the node it chose */
	unsigned long long	local_node;		/* served here, thread on this node */
	unsigned long long	other_node;		/* served here, thread elsewhere */
};

/* Fill *st for node; 0, or -1 with errno EINVAL for an unknown node. */
int buddymalloc_node_stats(int node, struct buddymalloc_node_stats *st);

/*
 * Heap profiling (BUDDYMALLOC_CONF=prof=1; docs/profiling.md).  Write a
 * heap profile of the sampled allocations to path, in the text format
 * google-pprof and jeprof read, or with path NULL to the next file under
 * prof_prefix (PREFIX.PID.SEQ.m.heap).  Returns 0, or -1 with errno:
 * ENOENT when profiling is off, else the error of creating or writing
 * the file.
 */
int buddymalloc_prof_dump(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* BUDDYMALLOC_H */
