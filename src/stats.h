/* SPDX-License-Identifier: MIT */
/*
 * stats.h - where and when the report is written: at exit (stats=1), on
 * a signal (stats_signal), every stats_interval_ms, to stderr or to
 * stats_file (%p: the process id).
 */
#ifndef BM_STATS_H
#define BM_STATS_H

#include "bm.h"

/* At init, under the init lock: keep a descriptor of stderr for the
 * reports when one will be written there. */
void bm_stats_setup(void);

/* After init, with no lock held: start the helper thread and install the
 * signal handler, when stats_signal or stats_interval_ms ask for them. */
void bm_stats_start(void);

/* Write the report where stats_file says (else to the stderr kept at
 * init).  Never allocates. */
void bm_stats_dump(void);

/* In a fork child: the helper thread is the parent's; start the child's. */
void bm_stats_fork_child(void);

#endif /* BM_STATS_H */
