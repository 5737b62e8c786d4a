/* SPDX-License-Identifier: MIT */
/*
 * reclaim.c - watermarks and decay decide when memory goes back.
 *
 * Free memory is backed (still resident) or returned (PG_returned: given
 * back with madvise, and known zero after MADV_DONTNEED).  Fresh sections
 * count as returned: nothing has touched them.
 *
 *   decay   every free block of a pageblock or more (whole 2 MiB blocks,
 *           so transparent huge pages stay intact) that has sat free for
 *           decay_ms goes back, while the zone holds more than its high
 *           watermark of backed free pages.  The clock advances on slow
 *           paths (inline mode) or in a kswapd-like thread (thread mode).
 *   low     a zone below its low watermark with nothing left to hand out
 *           drains pcp lists and shrinks empty slabs before it commits
 *           another section.
 *   trim    malloc_trim(0) gives back every free page at once.
 *   pressure in thread mode, where Linux reports memory pressure (a PSI
 *           trigger on /proc/pressure/memory), the reclaim thread gives
 *           back everything free at once, as trim does, past any decay.
 *
 * madvise runs with the zone lock dropped: the blocks are taken off the
 * free lists (PG_isolated) first and put back, merged, afterwards.
 */
#include "bm.h"
#include "buddy.h"
#include "clock.h"
#include "lock.h"
#include "options.h"
#include "reclaim.h"
#include "pcp.h"
#include "watermark.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define RETURN_BATCH	32	/* blocks isolated per lock hold */

/* The reclaim thread's life.  IDLE: nothing backed is free above high
 * and nothing was freed for a decay period; it sleeps until a free
 * kicks it (or a PSI window passes). */
enum kswapd_state { KSWAPD_NONE, KSWAPD_STARTING, KSWAPD_RUNNING, KSWAPD_IDLE };

_Atomic unsigned int	bm_drain_gen;
static _Atomic uint64_t	last_pass_ms;		/* last decay pass */
static _Atomic int	kswapd_state;		/* enum kswapd_state */
static _Atomic int	kswapd_wake;		/* futex word */
static _Atomic int	psi_fd = -1;		/* the PSI trigger (reclaim thread only) */
static _Atomic uint64_t	pressure_events;	/* pressure reports acted on */
static _Atomic uint64_t	pressure_pages;		/* pages given back on them */
static _Atomic uint64_t	last_kick_ms;		/* a free last kicked reclaim */
static _Atomic uint64_t	thread_starts;		/* reclaim threads started */
static const struct bm_shrinker *shrinker;	/* the slab's, registered at init */

void bm_register_shrinker(const struct bm_shrinker *s)
{
	shrinker = s;
}

static size_t shrinker_shrink(void)
{
	return shrinker ? shrinker->shrink() : 0;
}

static size_t shrinker_give_back(uint64_t before, size_t *calls)
{
	return shrinker ? shrinker->give_back(before, calls) : 0;
}

/* decay_ms, read once per use: tests change it while the thread runs. */
static inline uint64_t decay_ms(void)
{
	return __atomic_load_n(&bm_opt_decay_ms, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------ giving back */

struct isolated {
	uint32_t	pfn;
	uint8_t		order;
};

/* Take the free block p off its list.  (zone->lock held) */
static void __isolate(struct zone *z, struct page *p, struct isolated *iso)
{
	unsigned int order = p->order;

	iso->pfn = page_to_pfn(p);
	iso->order = (uint8_t)order;
	bm__del_page_from_free_list(z, p, order);
	p->flags = PG_isolated;
	p->order = (uint8_t)order;
}

/* Take up to RETURN_BATCH backed free blocks of at least min_order off
 * the lists: those free since before `before`, while the zone has more
 * than `keep` backed free pages.  (zone->lock held) */
static unsigned int __isolate_backed(struct zone *z, unsigned int min_order,
				     uint64_t before, uint64_t keep,
				     struct isolated *out)
{
	unsigned int n = 0;

	for (int o = (int)bm_max_order; o >= (int)min_order; o--) {
		for (int t = 0; t < MIGRATE_TYPES; t++) {
			uint32_t pfn = z->free_area[o].free_list[t].first;

			while (pfn != PFN_NONE && n < RETURN_BATCH) {
				struct page *p = pfn_to_page(pfn);

				pfn = p->next;
				if (z->nr_free_pages - z->nr_free_returned <= keep)
					return n;
				if ((p->flags & PG_returned) || bm_clock_stamp(p->private) > before)
					continue;
				__isolate(z, p, &out[n++]);
			}
		}
	}
	return n;
}

/* Give the n isolated blocks back to the OS and put them back on the
 * free lists, clean; returns pages.  (No lock held: madvise runs
 * without the zone lock.) */
static size_t return_isolated(struct zone *z, const struct isolated *iso, unsigned int n)
{
	int advice = bm_opt_madvise_free ? MADV_FREE : MADV_DONTNEED;
	unsigned int clean = bm_opt_madvise_free ? PG_returned : PG_CLEAN;
	size_t pages = 0;

	for (unsigned int i = 0; i < n; i++)
		madvise(pfn_to_addr(iso[i].pfn), PAGE_SIZE << iso[i].order, advice);
	bm_lock(&z->lock);
	for (unsigned int i = 0; i < n; i++) {
		bm__free_one_page(z, iso[i].pfn, iso[i].order, clean);
		pages += 1u << iso[i].order;
	}
	zone_event(z, madvise_calls, n);
	zone_event(z, pages_returned, pages);
	bm_unlock(&z->lock);
	return pages;
}

/* Give back backed free blocks, batch by batch, until no more than keep
 * backed free pages are left; returns pages. */
static size_t zone_return(struct zone *z, unsigned int min_order,
			  uint64_t before, uint64_t keep)
{
	struct isolated iso[RETURN_BATCH];
	size_t pages = 0;
	unsigned int n;

	do {
		bm_lock(&z->lock);
		n = __isolate_backed(z, min_order, before, keep, iso);
		bm_unlock(&z->lock);
		pages += return_isolated(z, iso, n);
	} while (n == RETURN_BATCH);
	return pages;
}

/* About how many of the nr pages at addr are resident: mincore on
 * RESIDENT_SAMPLES windows of RESIDENT_WINDOW pages spread over them
 * (all of them cost the mixed-size heap a tenth of its time, for the
 * same answer).  All, when mincore fails. */
#define RESIDENT_SAMPLES	4
#define RESIDENT_WINDOW		16

static size_t resident_estimate(const char *addr, size_t nr)
{
	size_t step = nr / RESIDENT_SAMPLES, resident = 0;
	unsigned char vec[RESIDENT_WINDOW];

	BM_DEBUG_BUG_ON(step < RESIDENT_WINDOW);
	for (size_t i = 0; i < RESIDENT_SAMPLES; i++) {
		/* The middle of each step, away from the edges of the
		 * objects that the block was freed from. */
		const char *w = addr + ((i * step + step / 2) << PAGE_SHIFT);

		if (mincore((void *)w, RESIDENT_WINDOW << PAGE_SHIFT, vec) != 0)
			return nr;
		for (size_t j = 0; j < RESIDENT_WINDOW; j++)
			resident += vec[j] & 1;
	}
	return resident * nr / (RESIDENT_SAMPLES * RESIDENT_WINDOW);
}

/*
 * Give back the block a free merged (z->purge_pfn) if that is worth it.
 * Giving back costs a syscall and a TLB flush, the pages resident now
 * (the zap) and, when the memory is used again, those the program
 * touches then (the faults); it gains the resident pages.
 *  - More than half resident: the program touches what it allocates, and
 *    would fault it all in again (bench large, which touches every page,
 *    ran 0.18 s to 0.29 s when these went back).
 *  - Less than a 32nd resident (256 KiB of 8 MiB): too little to gain
 *    for the call.  The mixed-size heap made 449 calls for a peak of
 *    53 MiB without this bound, 213 for 51 MiB with it.
 * Between the two the program touches its blocks sparsely, and what it
 * left resident would otherwise fill the heap up (docs/design.md).  A
 * block kept goes back on the free lists with the estimate as its dirty
 * pages, so that it is looked at again only when frees add as many.
 */
void bm_reclaim_purge(struct zone *z)
{
	struct isolated iso;
	struct page *p;
	size_t nr, resident;

	bm_lock(&z->lock);
	p = pfn_to_page(z->purge_pfn);
	atomic_store_explicit(&z->purge, 0, memory_order_relaxed);
	/* Another free may have merged it further, or an allocation taken
	 * it, since it was marked: look at what is there now. */
	if (!bm__purge_ok(z, p)) {
		bm_unlock(&z->lock);
		return;
	}
	__isolate(z, p, &iso);
	bm_unlock(&z->lock);
	nr = (size_t)1 << iso.order;
	resident = resident_estimate(pfn_to_addr(iso.pfn), nr);
	if (resident > nr / 2 || resident < nr / 32) {
		bm_lock(&z->lock);
		bm__free_pages_range_dirty(z, iso.pfn, (uint32_t)nr, 0, (uint32_t)resident);
		zone_event(z, purges_kept, 1);
		bm_unlock(&z->lock);
		return;
	}
	bm_lock(&z->lock);
	zone_event(z, free_purges, 1);
	bm_unlock(&z->lock);
	return_isolated(z, &iso, 1);
}

/* Pages inside unowned slabs that hold only free objects. */
static size_t slab_return(uint64_t before)
{
	size_t calls = 0, pages = shrinker_give_back(before, &calls);
	struct zone *z = &bm_nodes[0].zones[ZONE_NORMAL];

	if (pages) {
		bm_lock(&z->lock);
		zone_event(z, pages_returned, pages);
		zone_event(z, madvise_calls, calls);
		bm_unlock(&z->lock);
	}
	return pages;
}

/* Has the zone shrunk: more backed free pages than pages in use?  Then
 * the program freed most of what it held (a cache flushed, a phase
 * ended), and what it freed is unlikely to be wanted back soon. */
static bool zone_shrunk(struct zone *z)
{
	bool shrunk;

	bm_lock(&z->lock);
	shrunk = z->nr_free_pages - z->nr_free_returned >
		 z->managed_pages - z->nr_free_pages + z->watermark[WMARK_HIGH];
	bm_unlock(&z->lock);
	return shrunk;
}

/* Give back the free blocks idle past decay_ms until the zone holds no
 * more than its high watermark of backed free pages: whole pageblocks
 * first (transparent huge pages stay intact), then, when fragmentation
 * leaves too much in smaller blocks, those too.  In a zone that has
 * shrunk, blocks idle past a quarter of decay_ms go: the decay is there
 * so that a program's steady churn does not give back and fault in
 * again, and churn does not leave more free than in use. */
static void decay_pass(uint64_t now)
{
	uint64_t decay = decay_ms(), before = now >= decay ? now - decay : 0;
	uint64_t soon = now >= decay / 4 ? now - decay / 4 : 0, slab_before = before;

	for (int n = 0; n < bm_nr_nodes; n++) {
		struct zone *z = &bm_nodes[n].zones[ZONE_NORMAL];
		bool shrunk = zone_shrunk(z);
		uint64_t cut = shrunk ? soon : before;
		/* A zone in steady use keeps its high watermark backed, for the
		 * next allocations; one that has shrunk keeps nothing idle. */
		uint64_t keep = shrunk ? 0 : z->watermark[WMARK_HIGH];

		if (n == 0)
			slab_before = cut;
		zone_return(z, bm_pageblock_order, cut, keep);
		zone_return(z, 0, cut, keep);
	}
	slab_return(slab_before);
}

/* ------------------------------------------------ memory pressure */

/* A PSI trigger: tell us when tasks stalled on memory for 15% of a
 * window.  A process without CAP_SYS_RESOURCE may only ask for windows
 * that are a multiple of 2 s (the kernel says EINVAL to 1 s), so the
 * second asks for the same share of 2 s.  Missing PSI (old kernel,
 * psi=0, no /proc) or a refusal leaves the thread on its timer alone. */
static const char *const psi_triggers[] = {
	"some 150000 1000000",
	"some 300000 2000000",
};
#define PSI_WINDOW_MS	2000	/* the longer window: we look at least this often */

static void psi_open(void)
{
	int fd = bm_os_open("/proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);

	if (fd < 0)
		return;
	/* Published before the trigger is written, so that a fork while the
	 * writes go on finds it and the child closes it (the write is slow
	 * enough under emulation that a fork child kept the parent's). */
	atomic_store(&psi_fd, fd);
	for (unsigned int i = 0; i < BM_ARRAY_SIZE(psi_triggers); i++) {
		const char *t = psi_triggers[i];

		if (bm_os_write(fd, t, strlen(t) + 1) > 0)
			return;
	}
	/* No trigger taken.  A fork child closes its copy itself. */
	if (atomic_exchange(&psi_fd, -1) == fd)
		bm_os_close(fd);
}

/* Has the kernel reported memory pressure since we last looked?  A PSI
 * trigger's event is consumed by the poll that sees it. */
static bool psi_pressure(void)
{
	struct pollfd pfd = { .fd = atomic_load(&psi_fd), .events = POLLPRI };

	if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
		return false;
	if (pfd.revents & (POLLERR | POLLNVAL)) {
		/* The trigger is gone (its cgroup removed) or the program
		 * closed our descriptor: stop looking; not ours to close. */
		atomic_store(&psi_fd, -1);
		return false;
	}
	return pfd.revents & POLLPRI;
}

size_t bm_reclaim_pressure(void)
{
	size_t pages = bm_reclaim_all();

	atomic_fetch_add(&pressure_events, 1);
	atomic_fetch_add(&pressure_pages, pages);
	return pages;
}

void bm_reclaim_vmstat(struct bm_out *o)
{
	bm_outf(o, "pressure_events %lu\n", (unsigned long)atomic_load(&pressure_events));
	bm_outf(o, "pressure_pages_returned %lu\n", (unsigned long)atomic_load(&pressure_pages));
	bm_outf(o, "reclaim_thread_starts %lu\n", (unsigned long)atomic_load(&thread_starts));
}

/* ------------------------------------------------ the reclaim thread */

/* Wait for the next tick: decay_ms / 4, or sooner when the low watermark
 * or a free wakes us, and no longer than a PSI window while a trigger is
 * set, so a pressure report is acted on within one window of its coming.
 * Idle, with nothing to give back, only a wake-up or PSI window ends it. */
static void kswapd_wait(bool idle)
{
	uint64_t ms = idle ? UINT64_MAX : decay_ms() / 4 + 1;
	struct timespec ts;

	if (atomic_load_explicit(&psi_fd, memory_order_relaxed) >= 0 && ms > PSI_WINDOW_MS / 2)
		ms = PSI_WINDOW_MS / 2;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	syscall(SYS_futex, &kswapd_wake, FUTEX_WAIT_PRIVATE, 0,
		ms == UINT64_MAX ? NULL : &ts, NULL, 0);
}

/* Is there nothing left for the thread to give back: no zone holds more
 * than its high watermark of backed free pages, and nothing was freed
 * recently enough for its decay (or a slab's) to be still running? */
static bool kswapd_nothing_left(uint64_t now)
{
	if (now - atomic_load_explicit(&last_kick_ms, memory_order_relaxed) <=
	    decay_ms() + decay_ms() / 4 + 1)
		return false;
	for (int n = 0; n < bm_nr_nodes; n++) {
		struct zone *z = &bm_nodes[n].zones[ZONE_NORMAL];
		bool above;

		bm_lock(&z->lock);
		above = z->nr_free_pages - z->nr_free_returned > z->watermark[WMARK_HIGH];
		bm_unlock(&z->lock);
		if (above)
			return false;
	}
	return true;
}

static void *kswapd(void *arg)
{
	bool idle = false;
	uint64_t now;

	(void)arg;
	psi_open();
	for (;;) {
		if (idle)
			atomic_store(&kswapd_state, KSWAPD_IDLE);
		kswapd_wait(idle);
		atomic_store(&kswapd_state, KSWAPD_RUNNING);
		if (atomic_exchange(&kswapd_wake, 0))
			shrinker_shrink();	/* woken by the low watermark or a kick */
		if (psi_pressure()) {
			bm_reclaim_pressure();
			continue;
		}
		now = bm_clock_read();
		bm_clock_set(now);
		decay_pass(now);
		idle = kswapd_nothing_left(now);
	}
	return NULL;
}

static void kick_marks_set(bool thread);

static BM_NOINLINE void kswapd_start(void)
{
	pthread_attr_t attr;
	pthread_t tid;
	int expected = 0;

	if (!atomic_compare_exchange_strong(&kswapd_state, &expected, KSWAPD_STARTING))
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	if (pthread_create(&tid, &attr, kswapd, NULL) == 0) {
		atomic_store(&kswapd_state, KSWAPD_RUNNING);
		atomic_fetch_add(&thread_starts, 1);
		kick_marks_set(true);	/* now a free wakes it from idle */
	} else {
		atomic_store(&kswapd_state, KSWAPD_NONE);
	}
	pthread_attr_destroy(&attr);
}

/* Where a zone's backed free memory kicks reclaim: before the thread
 * runs (auto mode), at reclaim_thread_min, which starts it; once it
 * runs, a pageblock above the high watermark, which wakes it from idle.
 * Never in inline and off modes. */
/* Dirty pages that a free merging them gives back at once: purge_on_free
 * (8 MiB, as jemalloc's oversize threshold), where the zone's blocks are
 * that large; never with reclaim off.  (docs/design.md) */
static void __kick_mark_set(struct zone *z, bool thread)
{
	uint64_t purge = bm_opt_purge_on_free >> PAGE_SHIFT;

	bm_lock_assert_held(&z->lock);
	z->purge_pages = bm_opt_reclaim != RECLAIM_OFF && purge &&
			 purge <= 1ul << bm_max_order ? (uint32_t)purge : 0;
	if (bm_opt_reclaim == RECLAIM_THREAD || (bm_opt_reclaim == RECLAIM_AUTO && thread))
		z->kick_pages = z->watermark[WMARK_HIGH] + (1u << bm_pageblock_order);
	else if (bm_opt_reclaim == RECLAIM_AUTO)
		z->kick_pages = bm_opt_reclaim_thread_min >> PAGE_SHIFT;
	else
		z->kick_pages = UINT64_MAX;
	atomic_store_explicit(&z->kick, 0, memory_order_relaxed);
}

static void kick_marks_set(bool thread)
{
	for (int n = 0; n < bm_nr_nodes; n++) {
		struct zone *z = &bm_nodes[n].zones[ZONE_NORMAL];

		bm_lock(&z->lock);
		__kick_mark_set(z, thread);
		bm_unlock(&z->lock);
	}
}

void bm_reclaim_init(void)
{
	kick_marks_set(false);
}

void bm_reclaim_kick(struct zone *z)
{
	uint64_t now = bm_clock_now();
	int state;

	if (!atomic_exchange_explicit(&z->kick, 0, memory_order_relaxed))
		return;
	/* The coarse clock, not a read of the time: kicks come on every free
	 * while much is free, and the thread only needs to know roughly. */
	if (atomic_load_explicit(&last_kick_ms, memory_order_relaxed) != now)
		atomic_store_explicit(&last_kick_ms, now, memory_order_relaxed);
	state = atomic_load_explicit(&kswapd_state, memory_order_relaxed);
	if (state == KSWAPD_NONE) {
		/* Thread mode starts its thread on the first tick, as it
		 * always did; a free starts one in auto mode only. */
		if (bm_opt_reclaim == RECLAIM_AUTO)
			kswapd_start();
	} else if (state == KSWAPD_IDLE && !atomic_exchange(&kswapd_wake, 1)) {
		syscall(SYS_futex, &kswapd_wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

void bm_reclaim_fork_child(bool zones_locked)
{
	int fd = atomic_exchange(&psi_fd, -1);

	/* The parent's trigger is the parent's: the child's thread, when it
	 * starts, opens its own. */
	if (fd >= 0)
		bm_os_close(fd);
	atomic_store(&kswapd_state, KSWAPD_NONE);
	atomic_store(&kswapd_wake, 0);
	/* The child has no thread: back to the mark that starts one.  It
	 * still holds every zone lock, taken by fork's prepare handler;
	 * after a signal handler's fork it does not, and the mark stays (a
	 * free there wakes no one, since no thread runs). */
	if (zones_locked)
		for (int n = 0; n < bm_nr_nodes; n++)
			__kick_mark_set(&bm_nodes[n].zones[ZONE_NORMAL], false);
}

/* ---------------------------------------------------------- triggers */

#define TICK_CLOCK_EVERY	8	/* slow-path ticks per read of the clock */

static __thread unsigned int reclaim_ticks __attribute__((tls_model("initial-exec")));

static void drain_own_pcp(struct zone *z)
{
	size_t pages;

	if (!bm_pcp.live)
		return;
	bm_pcp.drain_gen = atomic_load_explicit(&bm_drain_gen, memory_order_relaxed);
	pages = bm_pcp_drain(&bm_pcp);
	zone_event_locked(z, pages_drained, pages);
}

/* Drain this thread's pcp lists now, and ask the other threads to drain
 * theirs on their next tick. */
static void drain_all_pcp(struct zone *z)
{
	atomic_fetch_add(&bm_drain_gen, 1);
	drain_own_pcp(z);
}

void bm_reclaim_tick(void)
{
	uint64_t now, last;

	if (bm_opt_reclaim == RECLAIM_OFF)
		return;
	if (unlikely(bm_pcp.drain_gen != atomic_load_explicit(&bm_drain_gen,
							      memory_order_relaxed)))
		drain_own_pcp(bm_pcp.zone ? bm_pcp.zone : &bm_nodes[0].zones[ZONE_NORMAL]);
	/* The clock stamps what is freed, in both modes: left to the
	 * thread alone it would lag by up to decay_ms / 4.  It is read on a
	 * thread's first tick and every TICK_CLOCK_EVERY-th after, to keep
	 * clock_gettime off most slow paths (docs/performance.md); a stale
	 * stamp only makes a block go back sooner, never later. */
	if (reclaim_ticks++ % TICK_CLOCK_EVERY)
		return;
	now = bm_clock_read();
	bm_clock_set(now);
	if (bm_opt_reclaim == RECLAIM_THREAD) {
		if (unlikely(atomic_load_explicit(&kswapd_state, memory_order_relaxed) == KSWAPD_NONE))
			kswapd_start();
		return;
	}
	if (bm_opt_reclaim == RECLAIM_AUTO &&
	    atomic_load_explicit(&kswapd_state, memory_order_relaxed) != KSWAPD_NONE)
		return;		/* the thread it started does the decay */
	last = atomic_load_explicit(&last_pass_ms, memory_order_relaxed);
	if (now - last < decay_ms() / 4 + 1 ||
	    !atomic_compare_exchange_strong(&last_pass_ms, &last, now))
		return;
	decay_pass(now);
}

void bm_reclaim_low(struct zone *z)
{
	size_t slabs;

	if (bm_opt_reclaim == RECLAIM_OFF)
		return;
	if ((bm_opt_reclaim == RECLAIM_THREAD ||
	     (bm_opt_reclaim == RECLAIM_AUTO &&
	      atomic_load_explicit(&kswapd_state, memory_order_relaxed) != KSWAPD_NONE)) &&
	    !atomic_exchange(&kswapd_wake, 1)) {
		syscall(SYS_futex, &kswapd_wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		zone_event_locked(z, reclaim_wakeup, 1);
	}
	drain_all_pcp(z);
	slabs = shrinker_shrink();
	zone_event_locked(z, slabs_shrunk, slabs);
	zone_event_locked(z, direct_reclaim, 1);
}

void bm_reclaim_fragmented(struct zone *z)
{
	if (bm_opt_reclaim == RECLAIM_OFF)
		return;
	drain_all_pcp(z);
	zone_event_locked(z, frag_drain, 1);
}

size_t bm_reclaim_all(void)
{
	size_t pages = 0;

	atomic_fetch_add(&bm_drain_gen, 1);
	if (bm_pcp.live) {
		bm_pcp.drain_gen = atomic_load(&bm_drain_gen);
		bm_pcp_drain(&bm_pcp);
	}
	shrinker_shrink();
	for (int n = 0; n < bm_nr_nodes; n++)
		pages += zone_return(&bm_nodes[n].zones[ZONE_NORMAL], 0, UINT64_MAX, 0);
	pages += slab_return(UINT64_MAX);
	return pages;
}
