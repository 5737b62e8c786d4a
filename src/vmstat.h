/* SPDX-License-Identifier: MIT */
/* vmstat.h - the reports, in the shapes of the kernel's /proc files. */
#ifndef BM_VMSTAT_H
#define BM_VMSTAT_H

#include "fmt.h"
#include "mmzone.h"

void bm_buddyinfo(struct bm_out *o);
void bm_pagetypeinfo(struct bm_out *o);
void bm_zoneinfo(struct bm_out *o);
void bm_vmstat(struct bm_out *o);

/* Sum of one zone event over every zone. */
uint64_t bm_zone_event_sum(enum zone_event e);

/* Every report above, in order, to fd. */
void bm_stats_print(int fd);

#endif /* BM_VMSTAT_H */
