/* SPDX-License-Identifier: MIT */
/*
 * slab.h - small objects: slabs of one size class carved from page blocks.
 *
 * A slab is a block of 2^order pages (order >= 1) from alloc_pages.  Its
 * state lives in the descriptors of its first two pages, overlaid by
 * struct slab as the kernel overlays struct slab on struct page:
 *
 *   owner thread   takes objects from its bin freelist (the active slab's
 *                  free objects) and frees objects of any slab it owns
 *                  (the active one, and the run-dry ones it kept) onto
 *                  that slab's own freelist: no lock, no atomic.
 *   other threads  push freed objects on the slab's remote list: one
 *                  compare-and-swap on a word holding the list head, a
 *                  count of objects on it and a flag.
 *   node lists     slabs no thread owns, per node and class: partial (some
 *                  objects free), full, empty (a small reserve; the rest
 *                  goes back to the page allocator).
 *
 * slab_cache_node.lock and its place in the lock order: see lock.h.
 */
#ifndef BM_SLAB_H
#define BM_SLAB_H

#include "error.h"
#include "mmzone.h"
#include "size_class.h"

#include <stdatomic.h>

enum slab_state {
	SLAB_ACTIVE,		/* a thread's active slab for its class */
	SLAB_PARTIAL,		/* on the node's partial list */
	SLAB_FULL,		/* on the node's full list; first remote free moves it */
	SLAB_EMPTY,		/* on the node's empty list */
};

/* The remote-free word: list head in bits 4..47, objects on it in 48..63,
 * and two flags:
 *   REMOTE_FULL       the slab sits on the full list: the remote free that
 *                     frees a quarter of it moves it to the partial list;
 *   REMOTE_NOTIFYING  one freer is on its way to the node lock to act on the
 *                     slab (move it, or give it back when it is empty).
 *                     While it is set no other freer goes, and nobody else
 *                     gives the slab back, so the notifier always finds it
 *                     alive. */
#define REMOTE_FULL		1ULL
#define REMOTE_NOTIFYING	2ULL
#define REMOTE_COUNT_SHIFT	48
#define REMOTE_PTR_MASK		((1ULL << REMOTE_COUNT_SHIFT) - 16)
#define remote_ptr(w)		((void **)(uintptr_t)((w) & REMOTE_PTR_MASK))
#define remote_count(w)		((uint32_t)((w) >> REMOTE_COUNT_SHIFT))

struct slab {
	/* descriptor of page 0 */
	uint16_t	flags;		/* PG_head | PG_slab */
	uint8_t		order;		/* page allocator's */
	uint8_t		migratetype;	/* page allocator's */
	uint8_t		pageblock_mt;	/* page allocator's: never touched here */
	uint8_t		size_class;
	_Atomic uint16_t carved;	/* objects carved so far (owner writes, others read) */
	uint32_t	next, prev;	/* node list links */
	uint32_t	nr_pages;	/* page allocator's */
	_Atomic uint16_t inuse;		/* off a thread: objects allocated */
	_Atomic uint8_t	state;		/* enum slab_state */
	uint8_t		node;
	void		*freelist;	/* owned: the owner's frees; else its free objects */
	/* descriptor of page 1 */
	uint16_t	tail_flags;	/* PG_tail | PG_slab */
	uint8_t		pad1[3];
	uint8_t		tail_class;	/* size class, as on every slab page */
	_Atomic uint16_t carved_end;	/* carved bytes / 16: free's bound check */
	union {
		uint64_t list_since;	/* on a node list: ms it went there */
		const void *owner;	/* a thread's (active or kept): its thread_cache */
	};
	uint16_t	returned_pages;	/* pages given back to the OS (PG_returned) */
	uint16_t	returned_objs;	/* free objects in them, off every list */
	uint16_t	local_free;	/* owned: objects on freelist */
	_Atomic uint16_t adopter;	/* off a thread: the adopt id of the one thread
					 * whose frees into it may go on its bin
					 * (bin_adopts); 0 none yet; set once */
	_Atomic uint64_t remote;	/* remote-free word */
};
_Static_assert(sizeof(struct slab) == 2 * sizeof(struct page), "slab overlays two pages");
_Static_assert(offsetof(struct slab, flags) == offsetof(struct page, flags), "flags");
_Static_assert(offsetof(struct slab, order) == offsetof(struct page, order), "order");
_Static_assert(offsetof(struct slab, pageblock_mt) == offsetof(struct page, pageblock_mt), "pb");
_Static_assert(offsetof(struct slab, next) == offsetof(struct page, next), "next");
_Static_assert(offsetof(struct slab, nr_pages) == offsetof(struct page, nr_pages), "nr_pages");
_Static_assert(offsetof(struct slab, tail_class) == sizeof(struct page) + offsetof(struct page, aux8), "tail class");

/* Per node and class: the slabs no thread owns.  kmem_cache_node. */
struct slab_cache_node {
	bm_lock_t	lock;
	struct page_list partial, full, empty;
	uint32_t	nr_partial, nr_full, nr_empty;
	uint32_t	nr_slabs;	/* all slabs of this class on this node */
	uint64_t	nr_alloc_slab;	/* slabs taken from the page allocator */
	uint64_t	nr_free_slab;	/* slabs given back */
} __attribute__((aligned(64)));

extern struct slab_cache_node bm_slab_nodes[MAX_NUMNODES][NR_SIZE_CLASSES];
extern BM_HIDDEN uintptr_t bm_free_key;	/* secret mixed into the free marker */
extern BM_HIDDEN uintptr_t bm_bin_key;	/* bm_free_key ^ BIN_MARKER_BIT: the bin marker's, one xor */
/* A bin's room after a refill, per class (slab_alloc.c): what its
 * freelist may gain from frees.  Far below zero when the heap profiler
 * runs, so every free goes to its slab and the profiler's count of the
 * bytes a bin hands out stays whole. */
extern BM_HIDDEN int16_t bm_bin_room[NR_SIZE_CLASSES];

/* A thread's cached objects of one class.
 * The thread owns the active slab (slab->owner), and a slab that runs
 * dry stays the thread's (up to SLAB_OWNED_BYTES of them per bin, while
 * the thread uses the class) rather than going to the node's full list.
 * free pushes an object of a slab the thread owns onto the bin's
 * freelist, whichever owned slab it is: no atomic, and the next malloc
 * of the class hands back the line just freed (last in, first out, as
 * tcmalloc's thread cache does), not an object of one slab no one has
 * touched for a while.  The slab still counts the object allocated: the
 * bin holds it.  room bounds the list: each free takes one, each pop
 * gives one back, a refill of the empty list resets it, and a free
 * that finds none left goes on its slab's own freelist, as a program
 * that frees in bulk would want: each object is handled once.  malloc pops the
 * bin's freelist; when it runs dry the active slab's freelist is
 * swapped in, 7 times in 8 inline and the 8th on the slow path
 * (mimalloc's local-free sharding), which gives the slow path, and
 * reclaim's clock, a turn every batch of operations even in a program
 * that mallocs and frees one object forever.  A kept slab becomes
 * active again when the bin needs one. */
struct tcache_bin {
	void		**freelist;	/* objects to hand out, of owned slabs */
	struct slab	*slab;		/* the active slab */
	struct page_list owned;		/* run-dry slabs this thread keeps */
	uint16_t	nr_owned;	/* slabs on owned */
	int16_t		room;		/* frees the list takes before a flush */
	uint32_t	last_refill;	/* thread_cache.slow_refills at the last */
};
_Static_assert(sizeof(struct tcache_bin) == 32, "the bin index is a shift");

static inline struct slab *page_slab(struct page *p)	{ return (struct slab *)p; }

/* The slab holding obj, given the descriptor of obj's page (PG_slab set):
 * every page of a slab records the size class, slabs of a class all have
 * one order and are aligned to their size, so masking gives the offset. */
static inline struct slab *obj_slab(struct page *page, const void *obj, uint32_t *off)
{
	*off = (uint32_t)(uintptr_t)obj & class_mask(page->aux8);
	return page_slab(page - (*off >> PAGE_SHIFT));
}
static inline struct page *slab_page(struct slab *s)	{ return (struct page *)s; }
static inline void *slab_base(const struct slab *s)	{ return page_address((const struct page *)s); }

/* A thread's slab state: one bin per size class.  In initial-exec TLS:
 * the fast paths reach a bin with one register-relative address.  Its
 * life (enum tcache_state) is run by tcache.c. */
enum tcache_state { TC_NONE, TC_LIVE, TC_DEAD };
/* Objects the thread freed into one slab of another thread's, linked,
 * not yet on the slab's remote list: pushed there with one
 * compare-and-swap when a free goes to another slab, when
 * REMOTE_BATCH_MAX are held, and on the thread's slow paths, exit and
 * trim (bm_slab_remote_flush).  A program that frees objects another
 * thread allocated frees them in runs of one slab (a producer carves
 * them in order): one atomic per run, not one per object.  Until then
 * they count as allocated, so the slab cannot go back empty under them. */
struct remote_batch {
	struct slab	*slab;		/* NULL: none held */
	void		**head, **tail;
	uint32_t	n;
};
#define REMOTE_BATCH_MAX	64

struct thread_cache {
	struct tcache_bin	bins[NR_SIZE_CLASSES];	/* hot: first */
	struct remote_batch	remote;
	int			state;			/* enum tcache_state */
	uint16_t		adopt_id;		/* unique among live threads; 0 none (tcache.c) */
	/* The thread's owner key: its adopt id while its cache is live, else
	 * 0.  The class map (page.h) holds it on the carved pages of every
	 * slab the thread owns, so free knows an object of its own from the
	 * map alone (malloc_fast.h).  0 is on pages that are no slab's,
	 * which that check turns away. */
	uint16_t		owner_key;
	unsigned int		refills;		/* freelist swaps: every 8th goes the slow way */
	unsigned int		slow_refills;		/* bm_slab_refill calls: the owned-slab clock */
	unsigned int		scan_cls;		/* the next bin whose kept slabs are looked at */
	struct tcache_bin	debug_bins[NR_SIZE_CLASSES];	/* debug modes only */
	/* prof=1 only: the objects of a bin's active slab held back until
	 * the bin has allocated the bytes up to the next sample
	 * (prof_alloc.c), and how many there are. */
	void			**prof_stash[NR_SIZE_CLASSES];
	uint32_t		prof_stash_n[NR_SIZE_CLASSES];
};
extern BM_HIDDEN __thread struct thread_cache bm_tc __attribute__((tls_model("initial-exec")));
/* &bm_tc once the thread's cache is live, else TC_SELF_NONE, which no
 * slab's owner is (an owner may be NULL): free compares a slab's owner
 * with it and reaches the bin from it, one TLS load where gcc would
 * compute &bm_tc twice. */
#define TC_SELF_NONE	((struct thread_cache *)1)
extern BM_HIDDEN __thread struct thread_cache *bm_tc_self __attribute__((tls_model("initial-exec")));
/* Threads whose cache is live: the kept-slab budget is shared out. */
extern BM_HIDDEN _Atomic unsigned int bm_nr_threads;
/* Free-list links live in the first word of a free object.  With
 * --enable-secure each is stored XORed with a per-process key and the
 * object's own address shifted (as glibc's safe-linking does), so a link
 * overwritten through a dangling pointer decodes to garbage, which
 * malloc catches (a link must stay inside its slab), rather than to an
 * address an attacker chose.  Without it these are a plain load and
 * store. */
extern BM_HIDDEN uintptr_t bm_link_key;

static inline void **fl_next(const void *obj)
{
#ifdef BM_SECURE
	return (void **)(*(const uintptr_t *)obj ^ bm_link_key ^ ((uintptr_t)obj >> 4));
#else
	return *(void **const *)obj;
#endif
}

static inline void fl_set(void *obj, const void *next)
{
#ifdef BM_SECURE
	*(uintptr_t *)obj = (uintptr_t)next ^ bm_link_key ^ ((uintptr_t)obj >> 4);
#else
	*(const void **)obj = next;
#endif
}

/* The word a free object carries in its second slot; allocation clears
 * it.  An object on a slab's list (its own, its remote one, or a bin's
 * refill from them) carries free_marker; one a free put on a bin
 * carries bin_marker.  Both need the secret key to forge, and a live
 * object carries neither: malloc checks the marker of what it hands
 * out, where it reads the line anyway, and that is where a double free
 * is caught (free itself does not read the object: that load missed
 * the cache on every free of a large working set).  The slab checks
 * that every object on its lists carries free_marker before it gives
 * its memory away (bm_slab_lists_check). */
#define BIN_MARKER_BIT		8u
static inline uintptr_t free_marker(const void *obj)
{
	return (uintptr_t)obj ^ bm_free_key;
}

static inline uintptr_t bin_marker(const void *obj)
{
	return (uintptr_t)obj ^ bm_bin_key;
}

/* Does marker word m say obj is free (on a slab's list or a bin's)? */
static inline bool marked_free(const void *m, const void *obj)
{
	return (((uintptr_t)m ^ free_marker(obj)) & ~(uintptr_t)BIN_MARKER_BIT) == 0;
}

/* Take the objects the owner freed into slab s since the last take,
 * leaving its freelist empty.  (owner thread) */
static inline void **slab_take_local(struct slab *s)
{
	void **list = s->freelist;

	s->freelist = NULL;
	s->local_free = 0;
	return list;
}

/* Mark obj free, freed by a thread that does not own its slab (a remote
 * free).  False, reported, when it was marked: freed before.  A plain
 * load and store: an exchange waited for the object's line, which the
 * thread that wrote the object holds, on every such free, where a store
 * lets the next free's miss overlap (xmalloc-test: docs/performance.md).
 * Two threads freeing one object at the same moment may then both pass;
 * the object is on a list twice, and is caught when it would be handed
 * out the second time (bin_pop finds its marker gone) or when its
 * slab's lists are checked before the slab goes (docs/security.md). */
static inline bool mark_freed_remote(struct slab *s, void *obj)
{
	void **o = obj;

	if (likely(!marked_free(o[1], obj))) {
		o[1] = (void *)free_marker(obj);
		return true;
	}
	bm_bad_object("free", obj, "double free", bm_class_size[s->size_class]);
	return false;
}

/* Hand out obj, the head of a free list whose rest becomes the bin's.
 * False, with nothing taken, when obj is not marked free: freed twice
 * and handed out already, or written after it was freed
 * (bm_bin_bad then). */
static inline bool bin_pop(struct tcache_bin *bin, void **obj)
{
	if (unlikely(!marked_free(obj[1], obj)))
		return false;
	bin->freelist = fl_next(obj);
	obj[1] = NULL;		/* clear the free marker */
	return true;
}

/* Key the carved pages of s, a slab no thread owns, with the adopter key
 * of the thread (id | PCM_ADOPTED), where they carry no key: its first
 * adopted free, or its first since an owner had the slab. */
BM_NOINLINE void bm_slab_key_adopter(struct slab *s, uint16_t id);

/* The bin of class cls met obj, not marked free, at its head: report
 * it, drop the list (what it led to is not trusted) and hand out an
 * object from a refill, or NULL with ENOMEM. */
BM_NOINLINE void *bm_bin_bad(unsigned int cls, void *obj);

/* The bin's freelist was empty and has a new list: its room starts over. */
static inline void bin_refilled(struct tcache_bin *bin, unsigned int cls)
{
	bin->room = bm_bin_room[cls];
}

/* Free obj into the bin of its class, which has room: its slab is one
 * the calling thread owns. */
static inline void bin_push(struct tcache_bin *bin, void *obj)
{
	fl_set(obj, bin->freelist);
	((void **)obj)[1] = (void *)bin_marker(obj);
	bin->freelist = obj;
	bin->room--;
}

/* Free obj into slab s, which the calling thread owns (its active slab
 * or a kept one): no lock, no atomic. */
static inline void slab_free_owned(struct slab *s, void *obj)
{
	BM_DEBUG_BUG_ON(s->owner != &bm_tc ||
			atomic_load_explicit(&s->state, memory_order_relaxed) != SLAB_ACTIVE);
	fl_set(obj, s->freelist);
	((void **)obj)[1] = (void *)free_marker(obj);
	s->freelist = obj;
	s->local_free++;
}

/* Small objects in the debug modes: from the thread's debug bin, their
 * link, marker and poison checked (slab_debug.c). */
void *bm_debug_slab_alloc(unsigned int cls);
/* Free obj of slab s in the debug modes: with poison, through the
 * thread's quarantine. */
void bm_debug_slab_free(struct slab *s, void *obj);
/* Is obj in the calling thread's quarantine (freed, not yet released)? */
bool bm_debug_quarantined(const void *obj);
/* Release the calling thread's quarantine, checking each object (thread
 * and process exit). */
void bm_debug_quarantine_flush(void);
/* The marker of a free object whose page went back to the OS and came
 * back zeroed (slab_reclaim.c): its poison is gone, not written. */
#define SLAB_MARKER_RESTORED	((void *)1)
/* Set up the node lists (init, after the nodes exist). */
void bm_slab_init(void);

/* Refill an empty bin: collect remote frees, carve, or change slabs.
 * Returns an object (already taken from the bin) or NULL with ENOMEM. */
void *bm_slab_alloc_refill(struct tcache_bin *bin, unsigned int cls);

/* The same, returning the whole list (the debug path pops it itself). */
void **bm_slab_refill(struct tcache_bin *bin, unsigned int cls);
/* The same, with the list's length in *count, or REFILL_COUNT_UNKNOWN
 * (the heap profiler's refill, which hands a bin part of a list). */
#define REFILL_COUNT_UNKNOWN	UINT32_MAX
void **bm_slab_refill_count(struct tcache_bin *bin, unsigned int cls, uint32_t *count);

/* Free obj of slab s on behalf of a thread that does not own s: mark it
 * (mark_freed_remote, which reports a double free) and hold it in the
 * thread's remote batch. */
void bm_slab_free_remote(struct slab *s, void *obj);
/* Push the calling thread's remote batch (struct remote_batch). */
void bm_slab_remote_flush(void);

/* Give the active slab of a bin back to its node (thread exit). */
void bm_slab_deactivate_bin(struct tcache_bin *bin);

/* Why obj cannot be freed into slab s, or NULL if it can; also catches a
 * double free whose object is on the caller's bin. */
const char *bm_slab_check_free(struct slab *s, void *obj, const struct tcache_bin *bin);

#define SLAB_MAX_OBJECTS	4096	/* bound on objects per slab, for bitmaps */

/* Check slab s's lists before its memory goes away (node lock held, or
 * its only user): every object on its own and its remote list is one
 * of its carved objects, once, and carries free_marker; with all_free,
 * they are all its carved objects but those given back to the OS.
 * Returns the first object found wrong, or NULL; *why says how. */
void *bm_slab_lists_check(struct slab *s, bool all_free, const char **why);

/* Release empty slabs beyond none (malloc_trim); returns pages freed. */
size_t bm_slab_shrink(void);

/* Give back the pages of unowned partial slabs that hold only free
 * objects, for slabs on their list since before `before` (ms).  Their
 * objects come back when an owner runs out of others.  Returns pages and
 * adds the madvise calls made to *calls. */
size_t bm_slab_return_pages(uint64_t before, size_t *calls);

void bm_slab_lock_all(void);
void bm_slab_unlock_all(void);
void bm_slab_reinit_locks(void);

#endif /* BM_SLAB_H */
