/* SPDX-License-Identifier: MIT */
/*
 * prof.h - the heap profiler (prof=1): which allocations are sampled,
 * the record of each sample (its stack, its size), the profiles written
 * from them and the leak report at exit.  docs/profiling.md tells the
 * user's side.
 *
 * Each thread counts the bytes it allocates down to the next sample,
 * per size class (struct bm_prof_thread); the distance between two
 * samples is drawn from an exponential
 * distribution of mean prof_sample bytes, so an allocation of s bytes is
 * sampled with probability 1 - exp(-s / prof_sample), which is what
 * google-pprof and jeprof assume when they scale a "heap_v2" profile
 * back up.  The count lives on slow paths only (prof_alloc.c): with
 * prof=0 the fast paths are the same instructions as without a
 * profiler.  A sampled object is served as a whole-page object whose
 * head descriptor carries PG_sampled, so free finds samples on the page
 * free path and the small-object free path never looks.
 *
 * Records and stacks live in memory from mmap, under prof_lock (rank 5
 * in lock.h), which nothing else is taken under.  Stacks are taken with
 * libgcc's _Unwind_Backtrace, looked up when the profiler starts (no
 * dlopen and no malloc at a sample), with no lock held.
 */
#ifndef BM_PROF_H
#define BM_PROF_H

#include "bm.h"
#include "size_class.h"

/* prof=1 or prof_leak=1: set once by bm_prof_init, read on slow paths. */
extern BM_HIDDEN bool bm_prof_on;

/* A thread's sampling state, in initial-exec TLS.  Each size class
 * counts its own bytes to its own next sample, and the objects served
 * one at a time (large ones, and any in a debug mode or an exiting
 * thread) count in one more stream, PROF_STREAM_ONE.  A Poisson process
 * split into sub-streams is a Poisson process of the same rate on each,
 * so every allocation keeps its chance of being sampled; with one count
 * shared, the bytes a bin is handed ahead of use would be counted out
 * of order, and the samples would fall on the classes whose bins are
 * refilled last. */
#define PROF_STREAM_ONE		NR_SIZE_CLASSES
struct bm_prof_thread {
	uint64_t	left[NR_SIZE_CLASSES + 1];	/* bytes to the stream's next sample; 0: not drawn */
	uint64_t	rng;		/* xorshift64* state; 0: not seeded yet */
	unsigned int	swaps;		/* local-free swaps; each 8th refills in full */
	bool		busy;		/* in the profiler: what it allocates is not sampled */
};
extern BM_HIDDEN __thread struct bm_prof_thread bm_prof_thread
	__attribute__((tls_model("initial-exec")));

/* Read the prof options (init, after the options). */
void bm_prof_init(void);

/* The calling thread allocates size bytes in stream (a size class, or
 * PROF_STREAM_ONE): true when this allocation is a sample (the count
 * then starts again from a fresh draw).  prof only. */
bool bm_prof_due(unsigned int stream, size_t size);

/* Record p, size bytes, as a sample, with the calling thread's stack. */
void bm_prof_record(void *p, size_t size);
/* p is freed: forget its record if it has one. */
void bm_prof_forget(const void *p);
/* A sampled mapping moved (mremap): its record follows. */
void bm_prof_moved(const void *old, void *p, size_t size);

/* Write a profile to path, or to the next file under prof_prefix when
 * path is NULL.  0, or -1 with errno (ENOENT: prof is off). */
int bm_prof_dump(const char *path);

/* At exit: the final profile, and the leak report when prof_leak=1. */
void bm_prof_exit(void);

/* Fork (init.c).  bm_prof_fork_child: in every child. */
void bm_prof_fork_child(void);
void bm_prof_lock(void);
void bm_prof_unlock(void);
void bm_prof_reinit_lock(void);

#endif /* BM_PROF_H */
