/* SPDX-License-Identifier: MIT */
/*
 * init.c - first use and process exit.
 *
 * Nothing runs at load time: the first allocation reads the configuration,
 * finds the nodes (topology.c: one system call on a one-node machine) and
 * reserves the range (no section is committed until a zone needs it), so
 * a program that never allocates pays nothing.
 */
#include "bm.h"
#include "debug.h"
#include "check.h"
#include "fmt.h"
#include "init.h"
#include "mempolicy.h"
#include "node.h"
#include "options.h"
#include "os.h"
#include "page_alloc.h"
#include "prof.h"
#include "vmstat.h"

#include "large.h"
#include "reclaim.h"
#include "slab.h"
#include "stats.h"
#include "tcache.h"
#include "topology.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static bm_lock_t	init_lock = BM_LOCK_INIT_RANK(LOCK_RANK_INIT);

static _Atomic bool	inited;
static bool		warned_reserve;	/* under init_lock */

/* The smallest largest block (4 MiB) a limited address space gets, and
 * the block and section of strict commit accounting. */
#define LIMITED_MIN_ORDER	10

__thread bool bm_in_init __attribute__((tls_model("initial-exec")));

/* Bring option values into range and into agreement with each other. */
static void options_sanitise(void)
{
	uint64_t max_block = PAGE_SIZE << bm_opt_max_order;

	if (bm_opt_pageblock_order > bm_opt_max_order)
		bm_opt_pageblock_order = bm_opt_max_order;
	if (bm_opt_section_size & (bm_opt_section_size - 1)) {
		bm_opt_section_size = 1ULL << (bm_ilog2(bm_opt_section_size) + 1);
		bm_warn("section_size rounded up to %lu bytes (a power of two)",
			(unsigned long)bm_opt_section_size);
	}
	if (bm_opt_section_size < max_block)
		bm_opt_section_size = max_block;	/* a block never crosses a section */
	if (bm_opt_node_reserve < bm_opt_section_size)
		bm_opt_node_reserve = bm_opt_section_size;
}

/* Blocks of at most 2^order pages, sections of one such block. */
static void set_max_order(unsigned int order)
{
	bm_opt_max_order = order;
	bm_opt_section_size = PAGE_SIZE << order;
	options_sanitise();
	bm_max_order = (unsigned int)bm_opt_max_order;
	bm_pageblock_order = (unsigned int)bm_opt_pageblock_order;
}

/* Under vm.overcommit_memory=2 the kernel charges a writable private
 * mapping whole when it becomes writable, touched or not: a 128 MiB
 * section is 128 MiB of commit for a program that holds 1 MiB.  There
 * sections and blocks of 4 MiB keep the charge within a few MiB of what
 * the program holds; objects past 4 MiB are mappings of their own,
 * charged for their size.  A max_order or section_size the user set
 * stays as set. */
static void strict_commit_setup(void)
{
	bool on = bm_opt_strict_commit == STRICT_COMMIT_ON ||
		  (bm_opt_strict_commit == STRICT_COMMIT_AUTO && bm_os_strict_overcommit());

	if (on && bm_opt_max_order > LIMITED_MIN_ORDER && bm_opt_max_order == BM_OPT_DEFAULT_MAX_ORDER &&
	    bm_opt_section_size == BM_OPT_DEFAULT_SECTION_SIZE)
		set_max_order(LIMITED_MIN_ORDER);
}

/* Under an address-space limit (ulimit -v) the range grows a section at
 * a time (node.c), and the part of the limit too small for one more
 * section is lost to the heap: 16 MiB blocks and sections keep that
 * small (a 128 MiB section lost 86 of 1024 MiB).  A max_order or
 * section_size the user set stays as set. */
#define LIMITED_ORDER	12

static void limited_setup(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 2 < bm_opt_node_reserve && bm_opt_max_order > LIMITED_ORDER &&
	    bm_opt_max_order == BM_OPT_DEFAULT_MAX_ORDER &&
	    bm_opt_section_size == BM_OPT_DEFAULT_SECTION_SIZE)
		set_max_order(LIMITED_ORDER);
}

/* A per-process secret for the free marker (not security by itself: it
 * keeps a program's data from looking free by accident). */
static uintptr_t free_key(void)
{
	uintptr_t key = 0;
	struct timespec ts;

	if (getrandom(&key, sizeof(key), GRND_NONBLOCK) != sizeof(key)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		key = (uintptr_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)&ts;
	}
	return key | 1;		/* never equal to a pointer (odd) */
}

/* ------------------------------------------------------------------ fork
 * prepare takes every allocator lock in the documented order, so the
 * child starts with consistent lists; parent releases them, child resets
 * them (it is single-threaded).  Other threads' caches are lost to the
 * child, as their threads are.
 *
 * glibc's fork takes its stdio list lock after the prepare handlers.  A
 * thread in fflush(NULL) holds that lock and waits for a FILE's lock,
 * whose holder, in getline, waits in realloc for our locks: had prepare
 * taken ours first, fork would wait for the list lock while holding
 * them, and all three would wait forever (glibc BZ#19431, which
 * jemalloc and tcmalloc still have).  So prepare takes the list lock
 * first; it is recursive for its owner, so fork's own take then goes
 * through.  The child's copy is reset by glibc (and again here, since
 * glibc skips that in a single-threaded process).
 *
 * A signal handler may fork while its thread is inside the allocator:
 * in malloc, holding a zone lock, or in an outer fork's prepare, holding
 * them all.  Waiting then would wait for itself.  Such a fork takes
 * nothing and resets nothing (bm_locks_held tells it): in the child the
 * interrupted code, resumed, still holds what it held and lets it go.
 * This is safe in a single-threaded process, which is where POSIX lets a
 * handler's fork child call malloc at all, and what glibc promises. */
extern void _IO_list_lock(void) __attribute__((weak));
extern void _IO_list_unlock(void) __attribute__((weak));
extern void _IO_list_resetlock(void) __attribute__((weak));

/* Forks begun inside the allocator on this thread, not yet done. */
static __thread unsigned int fork_nested __attribute__((tls_model("initial-exec")));

static void zones_lock(void)
{
	for (int n = 0; n < bm_nr_nodes; n++)
		bm_lock_nested(&bm_nodes[n].zones[ZONE_NORMAL].lock);
}

static void zones_unlock(bool reinit)
{
	for (int n = 0; n < bm_nr_nodes; n++) {
		bm_lock_t *l = &bm_nodes[n].zones[ZONE_NORMAL].lock;
		if (reinit)
			bm_lock_reinit(l);
		else
			bm_unlock(l);
	}
}

static void fork_prepare(void)
{
	if (bm_locks_held || fork_nested) {
		fork_nested++;
		return;
	}
	if (_IO_list_lock)
		_IO_list_lock();
	bm_lock(&init_lock);
	bm_huge_lock();
	bm_slab_lock_all();
	zones_lock();
	bm_prof_lock();
}

static void fork_parent(void)
{
	if (fork_nested) {
		fork_nested--;
		return;
	}
	bm_prof_unlock();
	zones_unlock(false);
	bm_slab_unlock_all();
	bm_huge_unlock();
	bm_unlock(&init_lock);
	if (_IO_list_unlock)
		_IO_list_unlock();
}

static void fork_child(void)
{
	if (fork_nested) {
		fork_nested--;
		bm_reclaim_fork_child(false);
		bm_tcache_fork_child();
		bm_prof_fork_child();
		return;
	}
	bm_reclaim_fork_child(true);
	bm_tcache_fork_child();
	bm_prof_fork_child();
	bm_prof_reinit_lock();
	zones_unlock(true);
	bm_slab_reinit_locks();
	bm_huge_reinit_lock();
	bm_lock_reinit(&init_lock);
	bm_locks_held = 0;
	if (_IO_list_resetlock)
		_IO_list_resetlock();
	bm_stats_fork_child();
}

static BM_COLD bool bm_init_slow(void)
{
	bool ok = true, started = false;

	bm_lock(&init_lock);
	if (atomic_load_explicit(&inited, memory_order_relaxed))
		goto out;
	bm_in_init = true;
	bm_options_init();
	options_sanitise();
	bm_max_order = (unsigned int)bm_opt_max_order;
	bm_pageblock_order = (unsigned int)bm_opt_pageblock_order;
	strict_commit_setup();
	limited_setup();
	bm_fault_inject_set(bm_opt_fail_nth, bm_opt_fail_every);
	bm_stats_setup();
	bm_debug = (unsigned int)bm_opt_debug;
	bm_prof_init();
	bm_alloc_hooks = bm_debug | (bm_prof_on ? BM_HOOK_PROF : 0);
	bm_size_classes_init();
	bm_free_key = free_key();
	bm_bin_key = bm_free_key ^ BIN_MARKER_BIT;
	bm_link_key = free_key();
	bm_topology_init();
	ok = bm_nodes_init(bm_topo.nr_nodes);
	/* A limited address space (ulimit -v, RLIMIT_AS): bm_nodes_init took
	 * the largest reserve that fits, down to one section.  Below that,
	 * smaller blocks and sections, down to 4 MiB, before giving up:
	 * objects past the largest block become mappings of their own. */
	while (!ok && bm_opt_max_order > LIMITED_MIN_ORDER) {
		set_max_order((unsigned int)bm_opt_max_order - 1);
		ok = bm_nodes_init(bm_topo.nr_nodes);
	}
	if (ok) {
		bm_mempolicy_init(bm_opt_numa_policy);
		bm_slab_init();
		bm_reclaim_init();
	}
	ok = ok && bm_tcache_setup() &&
	     pthread_atfork(fork_prepare, fork_parent, fork_child) == 0;
	if (ok) {
		atomic_store_explicit(&inited, true, memory_order_release);
		started = true;
	} else if (!warned_reserve) {
		/* Once: every later call finds the same limit. */
		warned_reserve = true;
		bm_warn("cannot reserve %lu bytes of address space",
			(unsigned long)bm_opt_node_reserve);
	}
	bm_in_init = false;
out:
	bm_unlock(&init_lock);
	/* Threads and handlers only once the allocator serves (pthread_create
	 * may call malloc), by the thread that started it. */
	if (started)
		bm_stats_start();
	return ok;
}

bool bm_init(void)
{
	if (likely(atomic_load_explicit(&inited, memory_order_acquire)))
		return true;
	return bm_init_slow();
}

/* At exit, the report when BUDDYMALLOC_STATS or stats=1 asked for it.  A
 * destructor, not atexit(), which may allocate. */
__attribute__((destructor)) static void bm_exit(void)
{
	/* Objects still in the exiting thread's quarantine are checked. */
	if (bm_debug && atomic_load(&inited))
		bm_debug_quarantine_flush();
	if (bm_opt_stats && atomic_load(&inited))
		bm_stats_dump();
	/* The final heap profile, and the leak report (prof_leak=1). */
	if (bm_prof_on && atomic_load(&inited))
		bm_prof_exit();
#ifdef BM_DEBUG
	/* Debug builds: every committed page in exactly one place, in every
	 * process that used the allocator (the whole test suite). */
	if (atomic_load(&inited) && bm_check_invariants(STDERR_FILENO) != 0) {
		bm_warn("the invariant walk at exit failed (see above)");
		abort();
	}
#endif
}
