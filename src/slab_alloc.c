/* SPDX-License-Identifier: MIT */
/*
 * slab_alloc.c - allocation from slabs (see slab.h for the model): an
 * empty bin's refill (the thread's frees, remote frees collected, the
 * next kept slab, a listed or new slab, carving) and the remote free
 * that a thread not owning the slab takes.  The node lists are
 * slab_node.c, the kept slabs slab_owned.c, reclaim's side
 * slab_reclaim.c, the checks on free slab_check.c.
 *
 * Objects are carved lazily: a slab hands out its objects as a bump
 * pointer (carved) turned into short free lists, so a fresh slab touches
 * only the memory it gives out.  A free object's first word links the
 * free list; its second word holds a free marker (slab.h), cleared on
 * allocation, which makes a double free on the same thread cheap to catch.
 */
#include "bm.h"
#include "debug.h"
#include "error.h"
#include "mempolicy.h"
#include "reclaim.h"
#include "slab.h"
#include "slab_node.h"
#include "slab_owned.h"
#include "slab_reclaim.h"

#include <errno.h>
#include <string.h>

#define CARVE_MAX		(PAGE_SIZE / 16)	/* objects one carve makes, at most */
/* What frees may add to a bin's list: BIN_BYTES of objects, within
 * [BIN_MIN, BIN_MAX] of them.  The list is memory only the thread can
 * use, like a kept slab's free objects; the bound is wide enough that
 * a random walk of frees and mallocs (each class's list grows and
 * shrinks by one) seldom reaches it (docs/performance.md). */
#define BIN_BYTES		(32u << 10)
#define BIN_MIN			4
#define BIN_MAX			256
#define BIN_ROOM_PROF		(INT16_MIN / 2)	/* every free to its slab */
/* The longest a bin's list gets: the room, and a refill (a slab's
 * objects at most) under it. */
#define BIN_LIST_MAX		(BIN_MAX + 2 * (PAGE_SIZE / 16))

__thread struct thread_cache bm_tc __attribute__((tls_model("initial-exec")));
__thread struct thread_cache *bm_tc_self __attribute__((tls_model("initial-exec"))) = TC_SELF_NONE;
int16_t bm_bin_room[NR_SIZE_CLASSES];

void bm_slab_init(void)
{
	bm_slab_reclaim_init();
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		uint32_t n = BIN_BYTES / bm_class_size[c];

		n = n < BIN_MIN ? BIN_MIN : n > BIN_MAX ? BIN_MAX : n;
		bm_bin_room[c] = (bm_alloc_hooks & BM_HOOK_PROF) ? BIN_ROOM_PROF : (int16_t)n;
	}
	for (int node = 0; node < bm_nr_nodes; node++)
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
			struct slab_cache_node *n = &bm_slab_nodes[node][c];

			bm_lock_init(&n->lock, LOCK_RANK_SLAB_NODE);
			page_list_init(&n->partial);
			page_list_init(&n->full);
			page_list_init(&n->empty);
		}
}

/* ---------------------------------------------------------- allocation */

/* The end of a carve that starts at byte start of a slab: the end of
 * its page on a slab's first carve.  Carving writes each object's first
 * 16 bytes, so going further would fault in pages for objects nobody
 * may ask for (docs/performance.md).  A second carve of the same slab
 * says the class is in demand: it goes on, page by page, until it has
 * CARVE_MORE_OBJECTS objects or CARVE_MORE_BYTES, so a batch of 1 KiB
 * objects takes a slow refill per 8 objects, not per 4, and of 4 KiB
 * objects per 4, not per 1.  (sh8bench: 562M -> 475M instructions.) */
#define CARVE_MORE_OBJECTS	8
#define CARVE_MORE_BYTES	(4 * PAGE_SIZE)
static uint32_t carve_end(const struct slab *s, uint32_t start, uint32_t size)
{
	uint32_t end = (start | (PAGE_SIZE - 1)) + 1;

	if (s->carved)
		while (end - start < CARVE_MORE_BYTES && (end - start) / size < CARVE_MORE_OBJECTS)
			end += PAGE_SIZE;
	return end;
}

/* Carve the fresh objects that start before carve_end (at least one)
 * into a free list. */
static void **carve(struct slab *s, unsigned int cls, uint32_t *count)
{
	uint32_t size = bm_class_size[cls];
	uint32_t left = bm_class_objects[cls] - s->carved;
	uint32_t start = (uint32_t)s->carved * size;
	uint32_t n = (carve_end(s, start, size) - start + size - 1) / size;
	char *base = (char *)slab_base(s) + start;
	void **head;

	if (n > left)
		n = left;
	BM_BUG_ON(n == 0 || n > CARVE_MAX);	/* callers carve only a slab with room */
#ifdef BM_SECURE
	{
		/* Hand the objects out in a random order (Fisher-Yates over
		 * this batch), so neighbours are not predictable. */
		uint16_t idx[CARVE_MAX];
		static __thread uint64_t rng;

		if (!rng)
			rng = bm_link_key | 1;
		for (uint32_t i = 0; i < n; i++)
			idx[i] = (uint16_t)i;
		for (uint32_t i = n - 1; i > 0; i--) {
			uint32_t j;
			uint16_t t;

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			j = (uint32_t)(rng % (i + 1));
			t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		head = (void **)(base + (size_t)idx[0] * size);
		for (uint32_t i = 0; i + 1 < n; i++)
			fl_set(base + (size_t)idx[i] * size, base + (size_t)idx[i + 1] * size);
		fl_set(base + (size_t)idx[n - 1] * size, NULL);
	}
#else
	head = (void **)base;
	for (uint32_t i = 0; i + 1 < n; i++)
		fl_set(base + (size_t)i * size, base + (size_t)(i + 1) * size);
	fl_set(base + (size_t)(n - 1) * size, NULL);
#endif
	/* Fresh objects are free objects: they carry the marker malloc
	 * looks for.  debug=poison poisons fresh objects too, so every
	 * object its allocation checks carries poison. */
	for (uint32_t i = 0; i < n; i++)
		((void **)(base + (size_t)i * size))[1] = (void *)free_marker(base + (size_t)i * size);
	if (unlikely(bm_debug & BM_DEBUG_POISON))
		for (uint32_t i = 0; i < n; i++)
			memset(base + (size_t)i * size + 16, BM_POISON_BYTE, size - 16);
	set_carved(s, s->carved + n);
	/* The pages the new objects start on (slab_carved_pages). */
	if (s->owner == &bm_tc && bm_tc.owner_key)
		set_slab_owner_key(s, start >> PAGE_SHIFT,
				   ((start + (n - 1) * size) >> PAGE_SHIFT) + 1, bm_tc.owner_key);
	*count = n;
	return head;
}

/* Take the remote frees of an active slab (a notifier's flag stays). */
static void **collect_remote(struct slab *s, uint32_t *count)
{
	uint64_t w = atomic_load_explicit(&s->remote, memory_order_relaxed);

	while (remote_ptr(w) &&
	       !atomic_compare_exchange_weak_explicit(&s->remote, &w, w & REMOTE_NOTIFYING,
			memory_order_acq_rel, memory_order_relaxed))
		;
	*count = remote_count(w);
	return remote_ptr(w);
}

/* Is this bin one of the thread's own (not a debug or exiting one)? */
static bool bin_owns(const struct tcache_bin *bin)
{
	return bin >= bm_tc.bins && bin < bm_tc.bins + NR_SIZE_CLASSES &&
	       bm_tc.state == TC_LIVE;
}

/* Make s the bin's active slab and return its free objects.  The
 * thread's own bins own it, so the thread's frees into it are local.
 * Debug and exiting-thread bins do not: their frees take the remote path,
 * which poisons and needs no live cache. */
static void **activate_slab(struct tcache_bin *bin, struct slab *s, uint32_t *count)
{
	bool keyed = s->owner == &bm_tc;	/* a kept slab has its keys */

	BM_DEBUG_BUG_ON(atomic_load(&s->state) != SLAB_ACTIVE);
	s->owner = bin_owns(bin) ? &bm_tc : NULL;
	if (s->owner && !keyed && bm_tc.owner_key)
		set_slab_owner_key(s, 0, slab_carved_pages(s), bm_tc.owner_key);
	bin->slab = s;
	*count = s->local_free;
	return slab_take_local(s);
}

/* Objects for an empty bin from its slab or a new one (owner thread),
 * and how many in *count (REFILL_COUNT_UNKNOWN when not known). */
static void **refill_list(struct tcache_bin *bin, unsigned int cls, int node,
			  uint32_t *count)
{
	struct slab *s = bin->slab, *next;
	void **list;

	*count = REFILL_COUNT_UNKNOWN;
	if (s) {
		if ((list = collect_remote(s, count)) != NULL)
			return list;
		if (s->carved < bm_class_objects[cls])
			return carve(s, cls, count);
		if (s->returned_objs)
			return bm_slab_restore_returned(s, cls);
		/* Take the next kept slab before keeping this one: with the
		 * list full, keeping first would hand a slab to the node lists
		 * (and the thread's frees into it to the remote path) just
		 * before a place on the list came free. */
		bin->slab = NULL;
		next = bm_slab_take_owned(bin);
		if (!bm_slab_keep_owned(&bm_tc, bin, s))
			bm_deactivate_slab(s, NULL);
		if ((s = next) != NULL) {
			list = activate_slab(bin, s, count);
			return list ? list : collect_remote(s, count);
		}
	}
	s = bm_get_slab(cls, node);
	if (!s)
		return NULL;
	list = activate_slab(bin, s, count);
	if (!list)
		list = collect_remote(s, count);
	if (!list && s->carved < bm_class_objects[cls])
		list = carve(s, cls, count);
	if (!list) {
		*count = REFILL_COUNT_UNKNOWN;
		list = bm_slab_restore_returned(s, cls);	/* a partial slab has one of the four */
	}
	return list;
}

/* bm_slab_refill and bm_slab_refill_count, the count left for the
 * compiler to drop in the first. */
static inline __attribute__((always_inline)) void **
refill(struct tcache_bin *bin, unsigned int cls, uint32_t *count)
{
	struct slab *s = bin->slab;
	void **list;

	bm_reclaim_tick();
	bm_slab_scan_owned(&bm_tc, bin);
	if (s && s->freelist) {
		*count = s->local_free;
		list = slab_take_local(s);	/* the thread's frees since the last swap */
	} else {
		list = refill_list(bin, cls, bm_mempolicy_node(), count);
	}
	if (unlikely(!list))
		errno = ENOMEM;
	return list;
}

void **bm_slab_refill(struct tcache_bin *bin, unsigned int cls)
{
	uint32_t count;

	return refill(bin, cls, &count);
}

void **bm_slab_refill_count(struct tcache_bin *bin, unsigned int cls, uint32_t *count)
{
	return refill(bin, cls, count);
}

/* Report obj, met at the head of a bin's list not marked free, and drop
 * the list: what its link leads to is not trusted (its objects stay
 * allocated to their slabs: a leak after a reported error). */
static BM_COLD void bin_report_bad(struct tcache_bin *bin, unsigned int cls, void *obj)
{
	bm_bad_object("malloc", obj, "double free, or written after it was freed "
		      "(handed out again, its free marker is gone)", bm_class_size[cls]);
	bin->freelist = NULL;
}

void *bm_bin_bad(unsigned int cls, void *obj)
{
	struct tcache_bin *bin = &bm_tc.bins[cls];

	bin_report_bad(bin, cls, obj);
	return bm_slab_alloc_refill(bin, cls);
}

void *bm_slab_alloc_refill(struct tcache_bin *bin, unsigned int cls)
{
	/* A slow path: what the thread freed into others' slabs goes now,
	 * so a thread holds a batch only between two of them. */
	bm_slab_remote_flush();
	for (;;) {
		void **obj = bm_slab_refill(bin, cls);

		if (unlikely(!obj))
			return NULL;
		bin_refilled(bin, cls);
		if (likely(bin_pop(bin, obj)))
			return obj;
		bin_report_bad(bin, cls, obj);	/* and take another list */
	}
}


static void slab_push_remote(struct slab *s, void **head, void **tail, uint32_t n);

/* Hand the objects of a bin's list (class cls; n at most, a bound for
 * a list a double free made cyclic) back to their slabs.  The list
 * stays as it is: each run of objects of one slab (slabs are aligned to
 * their size, so a mask tells) is spliced whole onto an owned slab's
 * own freelist, and a slab the thread does not own gets them on its
 * remote list, with one compare-and-swap.  Each gets the marker of a
 * slab's list.
 * (owner thread) */
static void **bin_release(void **list, uint32_t n, unsigned int cls)
{
	uintptr_t mask = ~(uintptr_t)class_mask(cls);

	while (list && n) {
		void **head = list, **tail = list;
		uintptr_t base = (uintptr_t)list & mask;
		struct slab *s = page_slab(virt_to_page((void *)base));
		uint16_t run = 1;

		head[1] = (void *)free_marker(head);
		for (list = fl_next(tail), n--; list && n && ((uintptr_t)list & mask) == base;
		     list = fl_next(tail), n--, run++) {
			tail = list;
			tail[1] = (void *)free_marker(tail);
		}
		if (s->owner == &bm_tc) {
			fl_set(tail, s->freelist);
			s->freelist = head;
			s->local_free = (uint16_t)(s->local_free + run);
			continue;
		}
		slab_push_remote(s, head, tail, run);
	}
	return list;
}

void bm_slab_deactivate_bin(struct tcache_bin *bin)
{
	void **spare = bin->freelist;

	if (bin >= bm_tc.bins && bin < bm_tc.bins + NR_SIZE_CLASSES) {
		/* The thread's own bin: its objects may be of any slab, so
		 * each goes home before the thread's slabs are let go of. */
		bin_release(spare, BIN_LIST_MAX, (unsigned int)(bin - bm_tc.bins));
		spare = NULL;
	}
	/* A debug or exiting thread's bin holds the active slab's only. */
	BM_BUG_ON(spare && !bin->slab);
	if (bin->slab)
		bm_deactivate_slab(bin->slab, spare);
	bin->slab = NULL;
	bin->freelist = NULL;
	bin->room = 0;
	bm_slab_release_owned(bin);
}

/* ---------------------------------------------------------------- free */

void bm_slab_key_adopter(struct slab *s, uint16_t id)
{
	uint32_t *m = bm_page_class + page_to_pfn(slab_page(s));
	uint32_t class = ((uint32_t)s->size_class + 1) << PCM_CLASS_SHIFT;

	/* Compare-and-swap: an owner that took the slab meanwhile writes
	 * its own key, which stays. */
	for (uint32_t i = 0, n = slab_carved_pages(s); i < n; i++) {
		uint32_t want = class | PCM_NO_OWNER;

		__atomic_compare_exchange_n(&m[i], &want, class | id | PCM_ADOPTED, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	}
}

/* The freer that set REMOTE_NOTIFYING: clear it under the node lock, then
 * act on the word as it is now.  No one gave the slab back meanwhile. */
static void slab_free_notify(struct slab *s, struct slab_cache_node *n)
{
	struct slab *discard = NULL;
	uint64_t w;
	int state;

	bm_lock(&n->lock);
	w = atomic_load_explicit(&s->remote, memory_order_relaxed);
	/* Ours: no one else clears REMOTE_NOTIFYING, nor gives the slab back
	 * while it is set. */
	BM_DEBUG_BUG_ON(!(w & REMOTE_NOTIFYING));
	while (!atomic_compare_exchange_weak_explicit(&s->remote, &w, w & ~REMOTE_NOTIFYING,
			memory_order_acq_rel, memory_order_relaxed))
		;
	w &= ~REMOTE_NOTIFYING;
	state = atomic_load_explicit(&s->state, memory_order_relaxed);
	/* REMOTE_FULL is set only on a slab on the full list. */
	BM_DEBUG_BUG_ON((w & REMOTE_FULL) && state != SLAB_FULL);
	BM_DEBUG_BUG_ON(remote_count(w) > atomic_load(&s->inuse) && state != SLAB_ACTIVE);
	if (state == SLAB_FULL && !(w & REMOTE_FULL)) {
		bm__slab_list_del(n, s);
		bm__slab_list_add(n, s, SLAB_PARTIAL);
		state = SLAB_PARTIAL;
	}
	if (state == SLAB_PARTIAL && remote_count(w) == atomic_load(&s->inuse)) {
		bm__slab_list_del(n, s);
		discard = bm__slab_make_empty(n, s);
	}
	bm_unlock(&n->lock);
	if (discard)
		bm_discard_slab(discard);
}

void bm_slab_free_remote(struct slab *s, void *obj)
{
	struct remote_batch *rb = &bm_tc.remote;

	if (unlikely(!mark_freed_remote(s, obj)))
		return;
	if (unlikely(bm_debug & BM_DEBUG_POISON))
		memset((char *)obj + 16, BM_POISON_BYTE, bm_class_size[s->size_class] - 16);
	if (unlikely(bm_tc.state != TC_LIVE)) {	/* no cache to hold a batch */
		slab_push_remote(s, obj, obj, 1);
		return;
	}
	if (likely(rb->slab == s)) {
		fl_set(obj, rb->head);
		rb->head = obj;
		if (++rb->n >= REMOTE_BATCH_MAX)
			bm_slab_remote_flush();
		return;
	}
	bm_slab_remote_flush();
	rb->slab = s;
	rb->head = rb->tail = obj;
	rb->n = 1;
}

void bm_slab_remote_flush(void)
{
	struct remote_batch *rb = &bm_tc.remote;
	struct slab *s = rb->slab;

	if (!s)
		return;
	rb->slab = NULL;
	slab_push_remote(s, rb->head, rb->tail, rb->n);
}

/* Push the objects head to tail, n of them linked, marked free, on slab
 * s's remote list. */
static void slab_push_remote(struct slab *s, void **head, void **tail, uint32_t n)
{
	uint64_t old, new;
	bool notify;

	old = atomic_load_explicit(&s->remote, memory_order_relaxed);
	do {
		uint32_t count = remote_count(old) + n;
		/* A full slab moves to the partial list once a quarter of it
		 * is free: whoever adopts it then gets a batch, not one object. */
		bool refilled = (old & REMOTE_FULL) &&
				count >= (bm_class_objects[s->size_class] + 3u) / 4;

		/* Go to the lock if that happened, or the slab is unowned and
		 * now empty, unless another freer is going already. */
		notify = !(old & REMOTE_NOTIFYING) &&
			 (refilled ||
			  (atomic_load_explicit(&s->state, memory_order_relaxed) != SLAB_ACTIVE &&
			   count == atomic_load_explicit(&s->inuse, memory_order_relaxed)));
		fl_set(tail, remote_ptr(old));
		new = (uint64_t)(uintptr_t)head | ((uint64_t)count << REMOTE_COUNT_SHIFT) |
		      (old & REMOTE_NOTIFYING) | (notify ? REMOTE_NOTIFYING : 0) |
		      (notify ? 0 : old & REMOTE_FULL);
	} while (!atomic_compare_exchange_weak_explicit(&s->remote, &old, new,
			memory_order_acq_rel, memory_order_relaxed));
	if (unlikely(notify))
		/* Our REMOTE_NOTIFYING keeps the slab alive, so its class
		 * and node still hold after the CAS. */
		slab_free_notify(s, slab_node(s));
}

void bm_slab_lock_all(void)
{
	for (int node = 0; node < bm_nr_nodes; node++)
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++)
			bm_lock_nested(&bm_slab_nodes[node][c].lock);
}

void bm_slab_unlock_all(void)
{
	for (int node = 0; node < bm_nr_nodes; node++)
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++)
			bm_unlock(&bm_slab_nodes[node][c].lock);
}

void bm_slab_reinit_locks(void)
{
	for (int node = 0; node < bm_nr_nodes; node++)
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++)
			bm_lock_reinit(&bm_slab_nodes[node][c].lock);
}
