/* SPDX-License-Identifier: MIT */
/*
 * lock.h - the allocator's own mutex: a futex word with three states
 * (0 free, 1 locked, 2 locked with waiters), after Drepper's "Futexes Are
 * Tricky".  It is ours alone, so no user code can hold it, it never calls
 * malloc, and fork handlers can take and release it.
 */
#ifndef BM_LOCK_H
#define BM_LOCK_H

#include <stdatomic.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct { _Atomic int state; } bm_lock_t;

static inline void bm_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#define BM_LOCK_INIT	{ 0 }

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

static inline void bm_lock(bm_lock_t *l)
{
	int c = 0;

	if (__builtin_expect(!atomic_compare_exchange_strong_explicit(&l->state,
			&c, 1, memory_order_acquire, memory_order_relaxed), 0))
		bm_lock_slow(l);
}

static inline void bm_unlock(bm_lock_t *l)
{
	if (__builtin_expect(atomic_exchange_explicit(&l->state, 0,
			memory_order_release) == 2, 0))
		bm_futex(&l->state, FUTEX_WAKE, 1);
}

/* After fork the child is single-threaded: its copy of every lock is free. */
static inline void bm_lock_reinit(bm_lock_t *l)
{
	atomic_store_explicit(&l->state, 0, memory_order_relaxed);
}

#endif /* BM_LOCK_H */
