/* SPDX-License-Identifier: MIT */
/*
 * lock.h - the allocator's own mutex and its lock order.
 *
 * The mutex is a futex word with three states (0 free, 1 locked, 2
 * locked with waiters), after Drepper's "Futexes Are Tricky".  It is
 * ours alone, so no user code can hold it, it never calls malloc, and
 * fork handlers can take and release it.
 *
 * Every lock of the allocator, outermost first.  A thread takes locks
 * only in increasing rank, and never two of one rank, except where a
 * lock-all for fork takes every lock of a rank (bm_lock_nested):
 *
 *   rank 0  glibc's stdio list lock         taken first by fork prepare, as
 *           (_IO_list_lock)                 glibc's fork takes it after the
 *                                           handlers: see init.c
 *   rank 1  init_lock (init.c)              first use; fork prepare
 *   rank 2  huge_lock (large.c)             the table of objects beyond
 *                                           the largest buddy block
 *   rank 3  slab_cache_node.lock (slab.h)   one node's lists of one size
 *                                           class: partial, full, empty,
 *                                           and the counts of its slabs
 *   rank 4  zone->lock (mmzone.h)           a zone's free_area lists, its
 *                                           counters and watermarks, its
 *                                           growth by sections
 *   rank 5  prof_lock (prof.c)              the heap profiler's samples
 *                                           and stacks; takes nothing (its
 *                                           memory comes from mmap)
 *   rank 6  the bootstrap arena's lock      the arena init's libraries
 *           (bootstrap.c)                   allocate from; takes nothing
 *
 * Nothing is called with any of them held that could call malloc, call
 * into the program, or wait for another thread.  In particular the slab
 * never holds a node lock while it calls the page allocator: a new or
 * discarded slab's pages move with the node lock dropped.
 *
 * Naming: a function whose name starts with "__" (static) or "bm__"
 * (across files) needs its object's lock held by the caller: the zone
 * lock for the buddy and watermark functions, the node lock for the slab
 * list functions.  Debug builds (--enable-debug) check all of this: the
 * rank order on every lock (a witness, as jemalloc's), the holder on
 * every unlock, and the lock held on entry to the "__" functions
 * (bm_lock_assert_held).
 */
#ifndef BM_LOCK_H
#define BM_LOCK_H

#include "bm.h"

#include <stdatomic.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

enum bm_lock_rank {
	LOCK_RANK_NONE,		/* not set up: a debug build reports its use */
	LOCK_RANK_INIT,
	LOCK_RANK_HUGE,
	LOCK_RANK_SLAB_NODE,
	LOCK_RANK_ZONE,
	LOCK_RANK_PROF,
	LOCK_RANK_BOOTSTRAP,
	NR_LOCK_RANKS
};

typedef struct {
	_Atomic int	state;
#ifdef BM_DEBUG
	uint8_t		rank;		/* enum bm_lock_rank */
	const void	*holder;	/* the holding thread's witness */
#endif
} bm_lock_t;

/* Allocator locks the calling thread holds, in every build: fork's
 * prepare handler reads it to tell a fork from a signal handler that
 * interrupted the allocator (init.c).  Two instructions per lock and
 * unlock, on slow paths only. */
extern BM_HIDDEN __thread unsigned int bm_locks_held
	__attribute__((tls_model("initial-exec")));

#ifdef BM_DEBUG
/* The locks a thread holds, counted per rank. */
struct bm_witness {
	uint16_t	held[NR_LOCK_RANKS];
};
extern BM_HIDDEN __thread struct bm_witness bm_witness
	__attribute__((tls_model("initial-exec")));

/* A lock taken out of rank order, or released by a thread not holding
 * it, or one without a rank: report what and abort (lock.c). */
BM_COLD __attribute__((noreturn))
void bm_witness_bug(const bm_lock_t *l, const char *what);

static inline void witness_acquire(bm_lock_t *l, bool nested)
{
	if (unlikely(l->rank == LOCK_RANK_NONE || l->rank >= NR_LOCK_RANKS))
		bm_witness_bug(l, "lock without a rank");
	for (unsigned int r = l->rank; r < NR_LOCK_RANKS; r++)
		if (bm_witness.held[r] && !(nested && r == l->rank))
			bm_witness_bug(l, r == l->rank ? "second lock of one rank taken"
						       : "lock taken inside one of a higher rank");
}

static inline void witness_acquired(bm_lock_t *l)
{
	bm_witness.held[l->rank]++;
	l->holder = &bm_witness;
}

static inline void witness_release(bm_lock_t *l)
{
	if (unlikely(l->holder != &bm_witness))
		bm_witness_bug(l, "unlock by a thread that does not hold it");
	l->holder = NULL;
	bm_witness.held[l->rank]--;
}

#define BM_LOCK_INIT_RANK(r)	{ 0, (r), NULL }
/* The caller holds l (the "__" functions). */
#define bm_lock_assert_held(l) \
	do { if (unlikely((l)->holder != &bm_witness)) \
		bm_witness_bug((l), "a \"__\" function called without the lock held"); } while (0)
static inline void bm_lock_init(bm_lock_t *l, enum bm_lock_rank rank)
{
	atomic_store_explicit(&l->state, 0, memory_order_relaxed);
	l->rank = (uint8_t)rank;
	l->holder = NULL;
}
#else
#define witness_acquire(l, nested)	((void)(l), (void)(nested))
#define witness_acquired(l)		((void)(l))
#define witness_release(l)		((void)(l))
#define BM_LOCK_INIT_RANK(r)		{ 0 }
#define bm_lock_assert_held(l)		((void)(l))
static inline void bm_lock_init(bm_lock_t *l, enum bm_lock_rank rank)
{
	(void)rank;
	atomic_store_explicit(&l->state, 0, memory_order_relaxed);
}
#endif

static inline void bm_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline void bm_futex(_Atomic int *addr, int op, int val)
{
	syscall(SYS_futex, (int *)addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static inline void bm_lock_slow(bm_lock_t *l)
{
	int c;

	/* A short spin: zone critical sections are a few hundred cycles.
	 * Read before trying (test and test-and-set), so waiters share the
	 * line instead of stealing it from the holder on every turn. */
	for (int i = 0; i < 100; i++) {
		c = 0;
		if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_weak_explicit(&l->state, &c, 1,
				memory_order_acquire, memory_order_relaxed))
			return;
		bm_cpu_relax();
	}
	c = atomic_exchange_explicit(&l->state, 2, memory_order_acquire);
	while (c != 0) {
		bm_futex(&l->state, FUTEX_WAIT, 2);
		c = atomic_exchange_explicit(&l->state, 2, memory_order_acquire);
	}
}

static inline void __bm_lock(bm_lock_t *l)
{
	int c = 0;

	if (__builtin_expect(!atomic_compare_exchange_strong_explicit(&l->state,
			&c, 1, memory_order_acquire, memory_order_relaxed), 0))
		bm_lock_slow(l);
}

/* bm_locks_held counts a lock from before it is taken until after it
 * is released, and the signal fences keep the compiler to that order: a
 * signal handler's fork must never find it 0 while its thread holds a
 * lock (init.c).  They cost no instruction. */
static inline void bm_lock(bm_lock_t *l)
{
	witness_acquire(l, false);
	bm_locks_held++;
	atomic_signal_fence(memory_order_seq_cst);
	__bm_lock(l);
	witness_acquired(l);
}

/* Take one more lock of a rank the thread already holds: only for the
 * lock-all loops of fork, which take every lock of a rank in one order. */
static inline void bm_lock_nested(bm_lock_t *l)
{
	witness_acquire(l, true);
	bm_locks_held++;
	atomic_signal_fence(memory_order_seq_cst);
	__bm_lock(l);
	witness_acquired(l);
}

static inline void bm_unlock(bm_lock_t *l)
{
	witness_release(l);
	if (__builtin_expect(atomic_exchange_explicit(&l->state, 0,
			memory_order_release) == 2, 0))
		bm_futex(&l->state, FUTEX_WAKE, 1);
	atomic_signal_fence(memory_order_seq_cst);
	bm_locks_held--;
}

/* After fork the child is single-threaded: its copy of every lock is
 * free.  The forking thread held them all (fork prepare), and its
 * bm_locks_held is reset once they are all free. */
static inline void bm_lock_reinit(bm_lock_t *l)
{
#ifdef BM_DEBUG
	if (l->holder == &bm_witness)
		witness_release(l);
	l->holder = NULL;
#endif
	atomic_store_explicit(&l->state, 0, memory_order_relaxed);
}

#endif /* BM_LOCK_H */
