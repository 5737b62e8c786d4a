/* SPDX-License-Identifier: MIT */
/*
 * init.c - first use and process exit.
 *
 * Nothing runs at load time: the first allocation reads the configuration
 * and reserves the range (no section is committed until a zone needs it),
 * so a program that never allocates pays nothing.
 */
#include "bm.h"
#include "fmt.h"
#include "node.h"
#include "options.h"
#include "page_alloc.h"
#include "vmstat.h"

#include <unistd.h>

static bm_lock_t	init_lock = BM_LOCK_INIT;
static _Atomic bool	inited;

/* Bring option values into range and into agreement with each other. */
static void options_sanitise(void)
{
	uint64_t max_block = PAGE_SIZE << opt_max_order;

	if (opt_pageblock_order > opt_max_order)
		opt_pageblock_order = opt_max_order;
	if (opt_section_size & (opt_section_size - 1)) {
		opt_section_size = 1ULL << (bm_ilog2(opt_section_size) + 1);
		bm_warn("section_size rounded up to %lu bytes (a power of two)",
			(unsigned long)opt_section_size);
	}
	if (opt_section_size < max_block)
		opt_section_size = max_block;	/* a block never crosses a section */
	if (opt_node_reserve < opt_section_size)
		opt_node_reserve = opt_section_size;
}

static BM_COLD bool bm_init_slow(void)
{
	bool ok = true;

	bm_lock(&init_lock);
	if (atomic_load_explicit(&inited, memory_order_relaxed))
		goto out;
	bm_options_init();
	options_sanitise();
	bm_max_order = (unsigned int)opt_max_order;
	bm_pageblock_order = (unsigned int)opt_pageblock_order;
	bm_fault_inject_set(opt_fail_nth, opt_fail_every);
	ok = bm_nodes_init(1);
	if (!ok)
		bm_warn("cannot reserve %lu bytes of address space",
			(unsigned long)opt_node_reserve);
	else
		atomic_store_explicit(&inited, true, memory_order_release);
out:
	bm_unlock(&init_lock);
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
	if (opt_stats && atomic_load(&inited))
		bm_stats_print(STDERR_FILENO);
}
