/* SPDX-License-Identifier: MIT */
/*
 * init.h - first use: read the configuration, find the nodes, reserve the
 * range, set up every layer in order (init.c).  Only the entry points at
 * the top (malloc.c, public.c) call bm_init; the layers below assume it
 * has run, so none of them calls up to it.
 */
#ifndef BM_INIT_H
#define BM_INIT_H

#include "bm.h"

/* True once the allocator is set up; sets it up on the first call.
 * False when it cannot start (no address space). */
bool bm_init(void);

/* Set while this thread initialises: its allocations go to the bootstrap
 * arena instead of recursing into the init it is running. */
extern BM_HIDDEN __thread bool bm_in_init __attribute__((tls_model("initial-exec")));

#endif /* BM_INIT_H */
