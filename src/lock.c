/* SPDX-License-Identifier: MIT */
/* lock.c - the debug build's lock witness (lock.h). */
#include "bm.h"
#include "fmt.h"
#include "lock.h"

__thread unsigned int bm_locks_held __attribute__((tls_model("initial-exec")));

#ifdef BM_DEBUG
#include <stdlib.h>

__thread struct bm_witness bm_witness __attribute__((tls_model("initial-exec")));

void bm_witness_bug(const bm_lock_t *l, const char *what)
{
	char buf[256];
	struct bm_out o;

	bm_out_init(&o, 2, buf, sizeof(buf));
	bm_outf(&o, "libbuddymalloc: lock %p (rank %u): %s; held by rank:",
		(const void *)l, (unsigned int)l->rank, what);
	for (unsigned int r = 1; r < NR_LOCK_RANKS; r++)
		bm_outf(&o, " %u", (unsigned int)bm_witness.held[r]);
	bm_outf(&o, "\n");
	bm_out_flush(&o);
	abort();
}
#endif
