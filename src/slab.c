/* SPDX-License-Identifier: MIT */
/*
 * slab.c - the slab allocator over alloc_pages (see slab.h for the model).
 *
 * Objects are carved lazily: a slab hands out its objects as a bump
 * pointer (carved) turned into short free lists, so a fresh slab touches
 * only the memory it gives out.  A free object's first word links the
 * free list; its second word holds free_marker(obj), cleared on
 * allocation, which makes a double free on the same thread cheap to catch.
 */
#include "bm.h"
#include "fmt.h"
#include "buddy.h"
#include "clock.h"
#include "debug.h"
#include "mempolicy.h"
#include "os.h"
#include "page_alloc.h"
#include "reclaim.h"
#include "slab.h"

#include <errno.h>
#include <string.h>

#define SLAB_EMPTY_RESERVE	1	/* empty slabs kept per node and class */
#define SLAB_OWNED_MIN		4	/* run-dry slabs a bin may keep, at least, */
#define SLAB_OWNED_BYTES	(512u << 10)	/* and up to this much of them, */
#define SLAB_OWNED_OBJECTS	128	/* or as many as hold this many objects, */
#define SLAB_OWNED_THREADS	4	/* each for up to this many live threads */
#define OWNED_SCAN_EVERY	16	/* slow refills from one bin's scan to the next */
#define OWNED_PROBE		4	/* kept slabs take_owned looks at, at most */
#define CARVE_MAX		(PAGE_SIZE / 16)	/* objects one carve makes, at most */

struct slab_cache_node bm_slab_nodes[MAX_NUMNODES][NR_SIZE_CLASSES];
__thread struct thread_cache bm_tc __attribute__((tls_model("initial-exec")));
_Atomic unsigned int bm_nr_threads;
uintptr_t bm_free_key;
uintptr_t bm_link_key;

/* Objects carved so far, and the same as a byte bound for free. */
static void set_carved(struct slab *s, uint32_t n)
{
	atomic_store_explicit(&s->carved, (uint16_t)n, memory_order_relaxed);
	atomic_store_explicit(&s->carved_end,
			      (uint16_t)(n * bm_class_size[s->size_class] / 16),
			      memory_order_relaxed);
}

static struct slab_cache_node *slab_node(const struct slab *s)
{
	return &bm_slab_nodes[s->node][s->size_class];
}

static const struct bm_shrinker slab_shrinker = {
	.shrink = bm_slab_shrink,
	.give_back = bm_slab_return_pages,
};

void bm_slab_init(void)
{
	bm_register_shrinker(&slab_shrinker);
	for (int node = 0; node < bm_nr_nodes; node++)
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
			struct slab_cache_node *n = &bm_slab_nodes[node][c];

			page_list_init(&n->partial);
			page_list_init(&n->full);
			page_list_init(&n->empty);
		}
}

/* ------------------------------------------------------ slab pages */

static struct slab *new_slab(unsigned int cls)
{
	unsigned int order = bm_class_order[cls];
	struct page *page = bm_alloc_pages(GFP_SLAB, order);
	struct slab *s;

	if (!page)
		return NULL;
	s = page_slab(page);
	/* Tails carry the class too, so free finds the slab from any page
	 * by masking, without a branch. */
	for (uint32_t i = 1; i < (1u << order); i++) {
		struct page *t = page + i;
		set_page_flags(t, PG_tail | PG_slab);
		t->aux8 = (uint8_t)cls;
	}
	set_page_flags(slab_page(s), PG_head | PG_slab);
	if (unlikely(bm_debug & BM_DEBUG_GUARD))	/* objects stop short of it */
		bm_os_protect((char *)slab_base(s) + ((PAGE_SIZE << order) - PAGE_SIZE),
			      PAGE_SIZE, false);
	s->size_class = (uint8_t)cls;
	set_carved(s, 0);
	s->freelist = NULL;
	s->local_free = 0;
	s->owner = NULL;
	s->returned_pages = 0;
	s->returned_objs = 0;
	s->node = (uint8_t)page_zone(page)->node;
	atomic_store_explicit(&s->inuse, 0, memory_order_relaxed);
	atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	atomic_store_explicit(&s->state, SLAB_ACTIVE, memory_order_relaxed);
	return s;
}

static void discard_slab(struct slab *s)
{
	unsigned int order = s->order;
	struct page *page = slab_page(s);

	for (uint32_t i = 1; i < (1u << order); i++) {
		set_page_flags(&page[i], 0);
		page[i].aux8 = 0;
	}
	atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	if (unlikely(bm_debug & BM_DEBUG_GUARD))
		bm_os_protect((char *)slab_base(s) + ((PAGE_SIZE << order) - PAGE_SIZE),
			      PAGE_SIZE, true);
	set_page_flags(page, PG_head);
	bm_free_pages(page, order);
}

/* ------------------------------------------------ node lists (lock held) */

static struct page_list *state_list(struct slab_cache_node *n, int state)
{
	return state == SLAB_PARTIAL ? &n->partial :
	       state == SLAB_FULL ? &n->full : &n->empty;
}

static uint32_t *state_count(struct slab_cache_node *n, int state)
{
	return state == SLAB_PARTIAL ? &n->nr_partial :
	       state == SLAB_FULL ? &n->nr_full : &n->nr_empty;
}

static void __slab_list_add(struct slab_cache_node *n, struct slab *s, int state)
{
	s->list_since = bm_clock_now();
	page_list_add(state_list(n, state), slab_page(s));
	(*state_count(n, state))++;
	atomic_store_explicit(&s->state, (uint8_t)state, memory_order_release);
}

static void __slab_list_del(struct slab_cache_node *n, struct slab *s)
{
	int state = atomic_load_explicit(&s->state, memory_order_relaxed);

	page_list_del(state_list(n, state), slab_page(s));
	(*state_count(n, state))--;
}

/* An empty slab: keep a small reserve, give the rest back.  Returns the
 * slab to discard (after the lock is dropped) or NULL. */
static void clear_returned(struct slab *s)
{
	struct page *page = slab_page(s);

	for (uint32_t i = 0; s->returned_pages && i < (1u << s->order); i++)
		if (page_flags(&page[i]) & PG_returned) {
			set_page_flags(&page[i], page_flags(&page[i]) & ~PG_returned);
			s->returned_pages--;
		}
	s->returned_objs = 0;
}

static struct slab *__slab_make_empty(struct slab_cache_node *n, struct slab *s)
{
	clear_returned(s);
	set_carved(s, 0);
	s->freelist = NULL;
	atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	atomic_store_explicit(&s->inuse, 0, memory_order_relaxed);
	if (n->nr_empty < SLAB_EMPTY_RESERVE) {
		__slab_list_add(n, s, SLAB_EMPTY);
		return NULL;
	}
	n->nr_slabs--;
	n->nr_free_slab++;
	return s;
}

/* ---------------------------------------------------------- allocation */

/* Carve the fresh objects that start in the page where carving stands
 * (at least one) into a free list.  Carving writes each object's first
 * 16 bytes, so a carve that ran on into further pages would fault them
 * in for objects nobody may ask for: carving at least eight objects at
 * a time (4 KiB ones among them) cost `sort` of ten words 22 of its 143
 * page faults. */
static void **carve(struct slab *s, unsigned int cls)
{
	uint32_t size = bm_class_size[cls];
	uint32_t left = bm_class_objects[cls] - s->carved;
	uint32_t start = (uint32_t)s->carved * size;
	uint32_t n = ((start | (PAGE_SIZE - 1)) + 1 - start + size - 1) / size;
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
	/* A stale free marker from the memory's last life must not make a
	 * fresh object look freed. */
	for (uint32_t i = 0; i < n; i++)
		((void **)(base + (size_t)i * size))[1] = NULL;
	set_carved(s, s->carved + n);
	return head;
}

/* Objects on a free list (debug builds' check of local_free). */
static __attribute__((unused)) uint32_t list_length(void **p)
{
	uint32_t n = 0;

	for (; p; p = fl_next(p))
		n++;
	return n;
}

/* Put list in front of the slab's freelist; returns the objects now on
 * the slab's freelist.  Its own part is counted by local_free, not
 * walked: releasing an idle class's kept slabs walked every object the
 * thread had freed into them, a cache miss each (a tenth of sh8bench's
 * time at 16 threads).  (owner thread) */
static uint32_t splice_freelist(struct slab *s, void **list)
{
	uint32_t n = s->local_free;
	void **p;

	BM_DEBUG_BUG_ON(n != list_length(s->freelist));
	if (list) {
		for (p = list, n++; fl_next(p); p = fl_next(p))
			n++;
		fl_set(p, s->freelist);
		s->freelist = list;
	}
	s->local_free = 0;	/* unowned from here: the count is inuse */
	return n;
}

/* Hand the slab to the node lists.  freelist: the objects the bin still
 * had of it beyond the slab's own freelist (NULL when it ran dry). */
static void deactivate_slab(struct slab *s, void **freelist)
{
	struct slab_cache_node *n = slab_node(s);
	uint32_t spare = splice_freelist(s, freelist);
	uint16_t inuse = (uint16_t)(s->carved - spare - s->returned_objs);
	struct slab *discard = NULL;
	uint64_t w;

	/* Disowned before anyone else can take it: from here the thread's
	 * frees into it are remote, like everyone's. */
	s->owner = NULL;
	bm_lock(&n->lock);
	atomic_store_explicit(&s->inuse, inuse, memory_order_relaxed);
	w = atomic_load_explicit(&s->remote, memory_order_acquire);
	if (remote_count(w) == inuse && !(w & REMOTE_NOTIFYING)) {
		discard = __slab_make_empty(n, s);
	} else if (spare || s->carved < bm_class_objects[s->size_class] || remote_ptr(w) ||
		   s->returned_objs) {
		__slab_list_add(n, s, SLAB_PARTIAL);
	} else {
		__slab_list_add(n, s, SLAB_FULL);
		/* Ask the first remote free to move it (a notifier already on
		 * its way keeps its flag); if a free came meanwhile, the slab
		 * has free objects already. */
		w &= REMOTE_NOTIFYING;
		if (!atomic_compare_exchange_strong_explicit(&s->remote, &w,
				w | REMOTE_FULL, memory_order_acq_rel, memory_order_acquire)) {
			__slab_list_del(n, s);
			__slab_list_add(n, s, SLAB_PARTIAL);
		}
	}
	bm_unlock(&n->lock);
	if (discard)
		discard_slab(discard);
}

/* A partial slab, else an empty one, off a node's lists; NULL if none. */
static struct slab *take_listed(struct slab_cache_node *n)
{
	struct page *p;
	struct slab *s = NULL;

	bm_lock(&n->lock);
	p = page_list_first(&n->partial);
	if (!p)
		p = page_list_first(&n->empty);
	if (p) {
		s = page_slab(p);
		__slab_list_del(n, s);
		atomic_store_explicit(&s->state, SLAB_ACTIVE, memory_order_release);
	}
	bm_unlock(&n->lock);
	return s;
}

/* Under interleave a thread's slabs come from every node, and go back to
 * their own node's lists: look there too before making a new one (the
 * kernel's get_any_partial), or they would wait for a thread that
 * happens to run on that node. */
static struct slab *take_listed_any(unsigned int cls, int node)
{
	struct slab *s = NULL;

	if (bm_policy.mode != MPOL_MODE_INTERLEAVE)
		return NULL;
	for (int i = 0; i < bm_nr_nodes && !s; i++)
		if (i != node && (bm_policy.nodes >> i) & 1)
			s = take_listed(&bm_slab_nodes[i][cls]);
	return s;
}

/* A slab for a bin: partial first, then the empty reserve, then new. */
static struct slab *get_slab(unsigned int cls, int node)
{
	struct slab_cache_node *n;
	struct slab *s = take_listed(&bm_slab_nodes[node][cls]);

	if (s || (unlikely(bm_nr_nodes > 1) && (s = take_listed_any(cls, node)) != NULL))
		return s;
	s = new_slab(cls);
	if (s) {
		n = slab_node(s);
		bm_lock(&n->lock);
		n->nr_slabs++;
		n->nr_alloc_slab++;
		bm_unlock(&n->lock);
	}
	return s;
}

/* Take the remote frees of an active slab (a notifier's flag stays). */
static void **collect_remote(struct slab *s)
{
	uint64_t w = atomic_load_explicit(&s->remote, memory_order_relaxed);

	while (remote_ptr(w) &&
	       !atomic_compare_exchange_weak_explicit(&s->remote, &w, w & REMOTE_NOTIFYING,
			memory_order_acq_rel, memory_order_relaxed))
		;
	return remote_ptr(w);
}

/* Does object [start, start + size) of slab page `page` reach a page
 * given back to the OS? */
static bool obj_in_returned(const struct page *page, uint32_t start, uint32_t size)
{
	for (uint32_t p = start >> PAGE_SHIFT; p <= (start + size - 1) >> PAGE_SHIFT; p++)
		if (page_flags(&page[p]) & PG_returned)
			return true;
	return false;
}

/* The owner takes back the pages reclaim gave away: their objects, all
 * free, go on a list again (the pages fault back in, zeroed).  Such an
 * object may start in a page that stayed: its free marker goes, so that
 * debug=poison does not take the zeroed tail for a write after free. */
static void **restore_returned(struct slab *s, unsigned int cls)
{
	uint32_t size = bm_class_size[cls];
	struct page *page = slab_page(s);
	void **list = NULL;

	for (uint32_t i = s->carved; i-- > 0;) {
		uint32_t start = i * size;

		if (obj_in_returned(page, start, size)) {
			void **o = (void **)((char *)slab_base(s) + start);
			fl_set(o, list);
			o[1] = NULL;
			list = o;
		}
	}
	clear_returned(s);
	BM_BUG_ON(!list);
	return list;
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
static void **activate_slab(struct tcache_bin *bin, struct slab *s)
{
	s->owner = bin_owns(bin) ? &bm_tc : NULL;
	bin->slab = s;
	return slab_take_local(s);
}

/* How many run-dry slabs a bin of class cls may keep: 512 KiB of them,
 * or 128 objects' worth where that is more.  sh6bench's batches of 1000
 * objects near 1 KiB fill 10 slabs of one class; glibc-thread keeps some
 * 70 objects of 32 KiB live per thread, 18 slabs of 4.  Memory kept this
 * way was in use when it was kept, and its free objects are the first the
 * thread reuses, but it is held for this thread alone: 4 MiB per bin
 * made sh6bench's peak RSS 19 MiB, this bound 15 MiB (tcmalloc 17).  A
 * class the thread stops using gives its slabs back (scan_owned).
 * Beyond SLAB_OWNED_THREADS live threads the byte budget is shared out:
 * at 16 threads each bin keeps a quarter (sh6bench at 16 threads on 2
 * cores: peak RSS 96 to 56 MiB, time unchanged); a quarter for 2
 * threads made sh6bench 25% slower.  The object bound is not shared: cut
 * to a quarter at 16 threads, glibc-thread's 32 KiB objects went to the
 * remote path and it ran 0.23 to 0.39 s. */
static uint32_t owned_max(unsigned int cls)
{
	uint32_t threads = atomic_load_explicit(&bm_nr_threads, memory_order_relaxed);
	uint32_t bytes = SLAB_OWNED_BYTES, n, m;

	if (threads > SLAB_OWNED_THREADS)
		bytes = bytes / threads * SLAB_OWNED_THREADS;
	n = bytes >> (PAGE_SHIFT + bm_class_order[cls]);
	m = SLAB_OWNED_OBJECTS / bm_class_objects[cls];
	if (n < m)
		n = m;
	return n > SLAB_OWNED_MIN ? n : SLAB_OWNED_MIN;
}

/* Keep a run-dry slab owned, if the bin holds fewer than the maximum. */
static bool keep_owned(struct tcache_bin *bin, struct slab *s)
{
	if (s->owner != &bm_tc || bin->nr_owned >= owned_max(s->size_class))
		return false;
	bin->nr_owned++;
	page_list_add_tail(&bin->owned, slab_page(s));
	return true;
}

/* An owned slab with objects freed since it ran dry, taken off the list.
 * Looks at OWNED_PROBE slabs from the head, the longest kept, and moves
 * each that has none to the tail: a bin keeps up to 64 slabs, and while
 * the program is only allocating none has frees, so a walk of the whole
 * list (a cache miss per slab) on every refill cost glibc-simple a tenth
 * of its time.  A slab with frees comes up within a few refills. */
static struct slab *take_owned(struct tcache_bin *bin)
{
	for (unsigned int i = 0; i < OWNED_PROBE && bin->owned.first != PFN_NONE; i++) {
		struct slab *s = page_slab(pfn_to_page(bin->owned.first));

		page_list_del(&bin->owned, slab_page(s));
		if (s->freelist || remote_ptr(atomic_load_explicit(&s->remote,
							memory_order_relaxed))) {
			bin->nr_owned--;
			return s;
		}
		page_list_add_tail(&bin->owned, slab_page(s));
	}
	return NULL;
}

/* Objects for an empty bin from its slab or a new one (owner thread). */
static void **refill_list(struct tcache_bin *bin, unsigned int cls, int node)
{
	struct slab *s = bin->slab, *next;
	void **list;

	if (s) {
		if ((list = collect_remote(s)) != NULL)
			return list;
		if (s->carved < bm_class_objects[cls])
			return carve(s, cls);
		if (s->returned_objs)
			return restore_returned(s, cls);
		/* Take the next kept slab before keeping this one: with the
		 * list full, keeping first would hand a slab to the node lists
		 * (and the thread's frees into it to the remote path) just
		 * before a place on the list came free. */
		bin->slab = NULL;
		next = take_owned(bin);
		if (!keep_owned(bin, s))
			deactivate_slab(s, NULL);
		if ((s = next) != NULL) {
			list = activate_slab(bin, s);
			return list ? list : collect_remote(s);
		}
	}
	s = get_slab(cls, node);
	if (!s)
		return NULL;
	list = activate_slab(bin, s);
	if (!list)
		list = collect_remote(s);
	if (!list && s->carved < bm_class_objects[cls])
		list = carve(s, cls);
	if (!list)
		list = restore_returned(s, cls);	/* a partial slab has one of the four */
	return list;
}

/* Hand the bin's kept slabs to the node lists. */
static void release_owned(struct tcache_bin *bin)
{
	while (bin->owned.first != PFN_NONE) {
		struct slab *s = page_slab(pfn_to_page(bin->owned.first));

		page_list_del(&bin->owned, slab_page(s));
		deactivate_slab(s, NULL);
	}
	bin->nr_owned = 0;
}

/* Every OWNED_SCAN_EVERY slow refills, look at the next bin: if the
 * thread has not refilled it for a whole round of bins, its class is
 * idle and its kept slabs go back.  Only this thread can use their free
 * objects, and reclaim gives back pages only of slabs on the node lists
 * (the kernel's cache_reap drains idle per-cpu caches the same way).
 * (owner thread, slow path) */
static void scan_owned(struct tcache_bin *refilled)
{
	struct thread_cache *tc = &bm_tc;
	struct tcache_bin *bin;

	refilled->last_refill = ++tc->slow_refills;
	if (tc->slow_refills % OWNED_SCAN_EVERY || tc->state != TC_LIVE)
		return;
	bin = &tc->bins[tc->scan_cls++ % NR_SIZE_CLASSES];
	if (bin->nr_owned &&
	    tc->slow_refills - bin->last_refill > OWNED_SCAN_EVERY * NR_SIZE_CLASSES)
		release_owned(bin);
}

void **bm_slab_refill(struct tcache_bin *bin, unsigned int cls)
{
	struct slab *s = bin->slab;
	void **list;

	bm_reclaim_tick();
	scan_owned(bin);
	if (s && s->freelist)
		list = slab_take_local(s);	/* the thread's frees since the last swap */
	else
		list = refill_list(bin, cls, bm_mempolicy_node());
	if (unlikely(!list))
		errno = ENOMEM;
	return list;
}

void *bm_slab_alloc_refill(struct tcache_bin *bin, unsigned int cls)
{
	void **obj = bm_slab_refill(bin, cls);

	if (unlikely(!obj))
		return NULL;
	return bin_pop(bin, obj);
}

void bm_slab_deactivate_bin(struct tcache_bin *bin)
{
	BM_BUG_ON(bin->freelist && !bin->slab);
	if (bin->slab)
		deactivate_slab(bin->slab, bin->freelist);
	bin->slab = NULL;
	bin->freelist = NULL;
	release_owned(bin);
}

/* ---------------------------------------------------------------- free */

/* The freer that set REMOTE_NOTIFYING: clear it under the node lock, then
 * act on the word as it is now.  No one gave the slab back meanwhile. */
static void slab_free_notify(struct slab *s, struct slab_cache_node *n)
{
	struct slab *discard = NULL;
	uint64_t w;
	int state;

	bm_lock(&n->lock);
	w = atomic_load_explicit(&s->remote, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&s->remote, &w, w & ~REMOTE_NOTIFYING,
			memory_order_acq_rel, memory_order_relaxed))
		;
	w &= ~REMOTE_NOTIFYING;
	state = atomic_load_explicit(&s->state, memory_order_relaxed);
	if (state == SLAB_FULL && !(w & REMOTE_FULL)) {
		__slab_list_del(n, s);
		__slab_list_add(n, s, SLAB_PARTIAL);
		state = SLAB_PARTIAL;
	}
	if (state == SLAB_PARTIAL && remote_count(w) == atomic_load(&s->inuse)) {
		__slab_list_del(n, s);
		discard = __slab_make_empty(n, s);
	}
	bm_unlock(&n->lock);
	if (discard)
		discard_slab(discard);
}

void bm_slab_free_remote(struct slab *s, void *obj)
{
	void **o = obj;
	uint64_t old = atomic_load_explicit(&s->remote, memory_order_relaxed), new;
	bool notify;

	if (unlikely(bm_debug & BM_DEBUG_POISON))
		memset((char *)obj + 16, BM_POISON_BYTE, bm_class_size[s->size_class] - 16);
	o[1] = (void *)free_marker(obj);
	do {
		uint32_t count = remote_count(old) + 1;
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
		fl_set(o, remote_ptr(old));
		new = (uint64_t)(uintptr_t)obj | ((uint64_t)count << REMOTE_COUNT_SHIFT) |
		      (old & REMOTE_NOTIFYING) | (notify ? REMOTE_NOTIFYING : 0) |
		      (notify ? 0 : old & REMOTE_FULL);
	} while (!atomic_compare_exchange_weak_explicit(&s->remote, &old, new,
			memory_order_acq_rel, memory_order_relaxed));
	if (unlikely(notify))
		/* Our REMOTE_NOTIFYING keeps the slab alive, so its class
		 * and node still hold after the CAS. */
		slab_free_notify(s, slab_node(s));
}

/* Is obj on the list from p?  Walks at most limit links and never leaves
 * obj's slab: a list read while another thread changes it may lead into
 * an object that is live again, whose first word is the program's. */
static bool list_contains(void **p, const void *obj, uint32_t limit)
{
	uintptr_t mask = ~(uintptr_t)bm_class_mask[page_slab(virt_to_page(obj))->size_class];

	for (; p && limit--; p = fl_next(p)) {
		if (p == obj)
			return true;
		if (((uintptr_t)p & mask) != ((uintptr_t)obj & mask))
			return false;
	}
	return false;
}

const char *bm_slab_check_free(struct slab *s, void *obj, const struct tcache_bin *bin)
{
	unsigned int cls = s->size_class;
	uint32_t off = (uint32_t)((char *)obj - (char *)slab_base(s));
	uint32_t idx = class_index(cls, off);
	uint32_t limit = bm_class_objects[cls];

	if (idx * bm_class_size[cls] != off)
		return "not the start of an allocation (interior pointer)";
	if (idx >= s->carved)
		return "never allocated";
	if (((void **)obj)[1] != (void *)free_marker(obj))
		return NULL;
	/* Marked free: believe it only if it is on a free list we can see.
	 * An unowned slab's own list changes only under its node lock. */
	if ((bin->slab == s && list_contains(bin->freelist, obj, limit)) ||
	    (s->owner == &bm_tc && list_contains(s->freelist, obj, limit)) ||
	    list_contains(remote_ptr(atomic_load(&s->remote)), obj, limit))
		return "double free";
	if (atomic_load(&s->state) != SLAB_ACTIVE) {
		struct slab_cache_node *n = slab_node(s);
		bool found;

		bm_lock(&n->lock);
		found = atomic_load(&s->state) != SLAB_ACTIVE &&
			list_contains(s->freelist, obj, limit);
		bm_unlock(&n->lock);
		if (found)
			return "double free";
	}
	return NULL;
}

/* ------------------------------------------------------------ maintenance */

size_t bm_slab_shrink(void)
{
	size_t pages = 0;

	for (int node = 0; node < bm_nr_nodes; node++) {
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
			struct slab_cache_node *n = &bm_slab_nodes[node][c];
			struct page *p;

			for (;;) {
				bm_lock(&n->lock);
				p = page_list_first(&n->empty);
				if (p) {
					__slab_list_del(n, page_slab(p));
					n->nr_slabs--;
					n->nr_free_slab++;
				}
				bm_unlock(&n->lock);
				if (!p)
					break;
				pages += 1u << p->order;
				discard_slab(page_slab(p));
			}
		}
	}
	return pages;
}

/* ------------------------------------------------ giving pages back */

#define SLAB_MAX_OBJECTS	4096	/* bound on objects per slab, for bitmaps */

/* Take an unowned slab's remote frees onto its own list.  False when a
 * notifier is on its way (then leave the slab alone).  (node lock held) */
static bool __slab_collect_orphan(struct slab *s)
{
	uint64_t w = atomic_load_explicit(&s->remote, memory_order_acquire);
	void **list, **tail;

	if (w & (REMOTE_NOTIFYING | REMOTE_FULL))
		return false;
	if (!remote_ptr(w))
		return true;
	if (!atomic_compare_exchange_strong_explicit(&s->remote, &w, 0,
			memory_order_acq_rel, memory_order_relaxed))
		return false;
	list = remote_ptr(w);
	for (tail = list; fl_next(tail); tail = fl_next(tail))
		;
	fl_set(tail, s->freelist);
	s->freelist = list;
	atomic_fetch_sub_explicit(&s->inuse, (uint16_t)remote_count(w), memory_order_relaxed);
	return true;
}

/* Give back the pages of slab s that hold nothing but free objects;
 * their objects leave the free list.  Returns pages; counts madvise calls
 * in *calls.  (node lock held) */
static size_t __slab_return_pages(struct slab *s, size_t *calls)
{
	unsigned int cls = s->size_class;
	uint32_t size = bm_class_size[cls], nr_pages = 1u << s->order;
	uint64_t freemap[SLAB_MAX_OBJECTS / 64] = { 0 };
	uint32_t ret = 0;	/* bitmap of pages to return (nr_pages <= 32) */
	struct page *page = slab_page(s);
	char *base = slab_base(s);
	void **list = NULL, **o, **next;
	size_t pages = 0;

	for (o = s->freelist; o; o = fl_next(o)) {
		uint32_t i = class_index(cls, (uint32_t)((char *)o - base));
		freemap[i / 64] |= 1ULL << (i % 64);
	}
	/* A page goes when every object touching it is free: on the free
	 * list, or off it already because it reaches a page given back
	 * before.  The carving must have passed the page, or reached the
	 * slab's end: the last page usually ends in a tail too short for an
	 * object, which must not keep it. */
	for (uint32_t p = 0; p < nr_pages; p++) {
		uint32_t lo = (p << PAGE_SHIFT) / size;
		uint32_t hi = (((p + 1) << PAGE_SHIFT) - 1) / size;
		bool all_free = (page_flags(&page[p]) & PG_returned) == 0 &&
				lo < bm_class_objects[cls] &&	/* not debug=guard's page */
				(s->carved == bm_class_objects[cls] ||
				 ((p + 1) << PAGE_SHIFT) <= (uint32_t)s->carved * size);

		for (uint32_t i = lo; all_free && i <= hi && i < s->carved; i++)
			all_free = (freemap[i / 64] & (1ULL << (i % 64))) ||
				   obj_in_returned(page, i * size, size);
		if (all_free)
			ret |= 1u << p;
	}
	if (!ret)
		return 0;
	/* Objects that reach a page going back leave the list. */
	for (o = s->freelist; o; o = next) {
		uint32_t start = (uint32_t)((char *)o - base);
		uint32_t first = start >> PAGE_SHIFT, last = (start + size - 1) >> PAGE_SHIFT;

		next = fl_next(o);
		if (ret & ((2u << last) - (1u << first))) {
			s->returned_objs++;
		} else {
			fl_set(o, list);
			list = o;
		}
	}
	s->freelist = list;
	for (uint32_t p = 0; p < nr_pages; p++) {
		uint32_t run = 0;

		while (p + run < nr_pages && (ret & (1u << (p + run)))) {
			set_page_flags(&page[p + run], page_flags(&page[p + run]) | PG_returned);
			run++;
		}
		if (run) {
			bm_os_discard(base + ((size_t)p << PAGE_SHIFT), (size_t)run << PAGE_SHIFT);
			(*calls)++;
			s->returned_pages = (uint16_t)(s->returned_pages + run);
			pages += run;
			p += run;
		}
	}
	return pages;
}

size_t bm_slab_return_pages(uint64_t before, size_t *calls)
{
	size_t pages = 0;

	for (int node = 0; node < bm_nr_nodes; node++) {
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
			struct slab_cache_node *n = &bm_slab_nodes[node][c];
			uint32_t pfn;

			bm_lock(&n->lock);
			for (pfn = n->partial.first; pfn != PFN_NONE;) {
				struct slab *s = page_slab(pfn_to_page(pfn));
				struct slab *discard = NULL;

				pfn = s->next;
				if (bm_clock_stamp(s->list_since) > before ||
				    !__slab_collect_orphan(s))
					continue;
				if (atomic_load_explicit(&s->inuse, memory_order_relaxed) == 0) {
					__slab_list_del(n, s);
					discard = __slab_make_empty(n, s);
				} else {
					pages += __slab_return_pages(s, calls);
				}
				if (discard) {
					bm_unlock(&n->lock);
					discard_slab(discard);
					bm_lock(&n->lock);
					pfn = n->partial.first;	/* the list may have moved */
				}
			}
			bm_unlock(&n->lock);
		}
	}
	return pages;
}

void bm_slab_lock_all(void)
{
	for (int node = 0; node < bm_nr_nodes; node++)
		for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++)
			bm_lock(&bm_slab_nodes[node][c].lock);
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
