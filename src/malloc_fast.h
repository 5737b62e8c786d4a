/* SPDX-License-Identifier: MIT */
/*
 * malloc_fast.h - the fast paths every entry point shares, inline: pop
 * an object from the thread's bin, and free's cheap checks and push.
 * What they cannot do they hand to the slow paths in malloc.c, which
 * are never inlined, so the fast paths stay small.
 *
 *   size <= SLAB_MAX_SIZE   the thread's bin of the size class: pop one
 *                           object (no lock, no atomic); an empty bin
 *                           refills in slab_alloc.c
 *   up to the largest buddy block   whole pages (large.c)
 *   beyond                  a direct mapping (large.c)
 *
 * free maps the pointer to its descriptor by arithmetic, checks it (ours,
 * the start of an object, not already free) and pushes the object on
 * the thread's bin when the thread owns the slab, else on the slab's
 * remote list with one atomic.  Anything wrong goes to the slow path,
 * which reports it (classify.c); nothing is trusted.
 */
#ifndef BM_MALLOC_FAST_H
#define BM_MALLOC_FAST_H

#include "bm.h"
#include "debug.h"
#include "error.h"
#include "slab.h"
#include "valgrind_shim.h"

/* The slow paths (malloc.c). */
BM_NOINLINE void *bm_slab_alloc_slow(unsigned int cls);
BM_NOINLINE void *bm_large_alloc_slow(size_t size, size_t align, bool zero);
BM_NOINLINE void bm_free_slow(void *p);

static inline void *slab_alloc(unsigned int cls)
{
	struct tcache_bin *bin = &bm_tc.bins[cls];
	void **obj = bin->freelist;
	struct slab *s;

	if (likely(obj)) {
#ifdef BM_SECURE
		/* A link leads into the heap or nowhere: an overwritten one
		 * decodes to garbage (the bin's objects are of any of the
		 * thread's slabs, so the link's own slab is not a test). */
		if (unlikely(fl_next(obj) && !bm_addr_in_range(fl_next(obj)))) {
			bm_bad_pointer("malloc", obj, "free list corrupted (write after free?)");
			bin->freelist = NULL;
			return bm_slab_alloc_slow(cls);
		}
#endif
		if (unlikely(!bin_pop(bin, obj)))
			return bm_bin_bad(cls, obj);
		bin->room++;
		return obj;
	}
	/* The objects handed back to the active slab since: swap them in,
	 * here for 7 times in 8, the 8th on the slow path that also ticks
	 * reclaim. */
	s = bin->slab;
	if (s && s->freelist && (++bm_tc.refills & 7)) {
		bin_refilled(bin, cls);
		obj = slab_take_local(s);
		if (unlikely(!bin_pop(bin, obj)))
			return bm_bin_bad(cls, obj);
		return obj;
	}
	return bm_slab_alloc_slow(cls);
}

static inline void *do_malloc(size_t size)
{
	/* The table's sizes first: one compare, not two, for most. */
	if (likely(size <= 1024))
		return slab_alloc(small_size_class(size));
	if (likely(size <= SLAB_MAX_SIZE))
		return slab_alloc(size_to_class(size));
	return bm_large_alloc_slow(size, 0, false);
}

/* An object aligned to align (a power of two). */
static inline void *do_aligned(size_t align, size_t size)
{
	if (align <= 16)
		return do_malloc(size);
	if (size <= SLAB_MAX_SIZE && align <= PAGE_SIZE) {
		/* Slabs are page aligned and objects sit at multiples of their
		 * size: a class whose size align divides is aligned. */
		for (unsigned int c = size_to_class(size > align ? size : align);
		     c < NR_SIZE_CLASSES; c++)
			if (bm_class_size[c] % align == 0)
				return slab_alloc(c);
	}
	return bm_large_alloc_slow(size, align, false);
}

/* The pfn of p's page, in *pfn, and its class map word, in *e, when p
 * is in the range (the map, not the page's descriptor: one line of it
 * covers 16 pages, where a descriptor's covers two). */
static inline bool class_map_of(const void *p, uintptr_t *pfn, uint32_t *e)
{
	uintptr_t rel = (uintptr_t)p - bm_base;

	if (unlikely(rel >= bm_span))
		return false;
	*pfn = rel >> PAGE_SHIFT;
	*e = __atomic_load_n(&bm_page_class[*pfn], __ATOMIC_RELAXED);
	return true;
}

/* The slab whose object at offset off lies on page pfn: slabs are
 * aligned to their size, so its head is off's whole pages back. */
static inline struct slab *slab_at(uintptr_t pfn, uint32_t off)
{
	return page_slab(bm_mem_map + pfn - (off >> PAGE_SHIFT));
}

/* The slab of p, whose page is pfn with class map word e, in *sp, when
 * p passes free's cheap checks: in a slab, the start of a carved object.
 * False sends the caller to classify, which tells the rest apart and
 * reports.  Whether p is free already is not asked: that reads p's
 * line, which a large working set has let go cold (a double free is
 * caught when the object would be handed out again: bin_pop). */
static inline bool slab_of_word(const void *p, uintptr_t pfn, uint32_t e, struct slab **sp)
{
	unsigned int c = pcm_class(e);		/* the size class + 1 */
	uint32_t off;

	if (unlikely(!c))
		return false;
	off = (uint32_t)(uintptr_t)p & bm_class_code[c].mask;
	*sp = slab_at(pfn, off);
	return likely(class_divides(c - 1, off) && off < (uint32_t)(*sp)->carved_end * 16);
}

/* The same from p alone: one of ours, too. */
static inline bool slab_of_ptr(const void *p, struct slab **sp)
{
	uintptr_t pfn;
	uint32_t e;

	return class_map_of(p, &pfn, &e) && slab_of_word(p, pfn, e, sp);
}

/* The same, and not marked free: realloc reads the object anyway. */
static inline bool slab_of_live(const void *p, struct slab **sp)
{
	return slab_of_ptr(p, sp) && likely(!marked_free(((void *const *)p)[1], p));
}

/* An object of a slab no thread owns (one on a node list) and of the
 * node of the bin's own slab goes on the bin too: the slab counts it
 * allocated until the bin hands it back, so this needs nothing of the
 * slab.  A program whose working set outgrows the slabs a thread keeps
 * frees most objects into such slabs; this way they are reused at once
 * rather than pushed with an atomic and collected later.  One thread
 * only adopts objects of a slab, its adopter (set once, by the first
 * thread to try), so the push is plain, as for a slab the thread owns:
 * of two threads freeing one object at once, the other takes the remote
 * path, whose check of the marker finds the adopter's, or leaves its
 * own for the adopter's pop to find.  An exchange here waited for the
 * object's line, which a large working set has let go cold: 60% of
 * free's time at 200,000 slots (docs/performance.md).  Each such object
 * keeps its slab from going back empty while the bin holds it, so a
 * bin adopts only while it has had few more frees than pops since its
 * refill: a program that frees all it has (redis's FLUSHALL) leaves at
 * most BIN_ADOPT_MAX slabs per class held that way.  (The debug modes
 * never get here: their bins are others.) */
#define BIN_ADOPT_MAX	16	/* frees a bin takes past its pops, adopting */
/* The bin of class cls may adopt an object of a slab on node: it has
 * adopted few since its refill, and its active slab is of that node. */
static inline bool bin_may_adopt(const struct tcache_bin *bin, unsigned int cls, unsigned int node)
{
	return bin->room > bm_bin_room[cls] - BIN_ADOPT_MAX && bin->slab &&
	       bin->slab->node == node;
}

static inline bool bin_adopts(struct tcache_bin *bin, struct slab *s, void *p)
{
	uint16_t id = bm_tc.adopt_id;
	uint16_t a;

	if (!bin_may_adopt(bin, s->size_class, s->node))
		return false;
	a = atomic_load_explicit(&s->adopter, memory_order_relaxed);
	if (unlikely(a != id) &&
	    (a || !id || !atomic_compare_exchange_strong_explicit(&s->adopter, &a, id,
			memory_order_relaxed, memory_order_relaxed)))
		return false;
	bin_push(bin, p);
	/* From here its frees into the slab take free_keyed's way. */
	if (unlikely(pcm_owner(__atomic_load_n(&bm_page_class[addr_to_pfn(p)],
					       __ATOMIC_RELAXED)) == PCM_NO_OWNER))
		bm_slab_key_adopter(s, id);
	return true;
}

static inline __attribute__((always_inline)) void slab_free(struct slab *s, void *p)
{
	/* A slab this thread owns, active or kept: one branch for both, so
	 * it predicts well however the frees fall between them. */
	struct thread_cache *tc = bm_tc_self;

	if (likely(s->owner == tc)) {
		unsigned int cls = s->size_class;
		struct tcache_bin *bin = &tc->bins[cls];

		if (likely(bin->room > 0))
			bin_push(bin, p);
		else
			slab_free_owned(s, p);
		return;
	}
	if (unlikely(bm_debug))
		bm_debug_slab_free(s, p);	/* the quarantine */
	else if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLAB_ACTIVE &&
		 bin_adopts(&bm_tc.bins[s->size_class], s, p))
		return;
	else
		bm_slab_free_remote(s, p);
}

/* Free p, whose page is pfn with class map word e, when the page
 * carries one of the thread's keys (slab.h): then p is in a slab the
 * thread owns or has adopted, among its carved objects, and one check
 * tells whether it starts one.  It goes on the bin, and nothing of the
 * slab is read: its head's line, which a large working set has let go
 * cold, was the one load left on free's way (docs/performance.md).
 *  - Its owner's free goes on the slab's own list when the bin has no
 *    room (the head found by masking).
 *  - Its adopter's goes on the bin on bin_adopts's terms (the bin has
 *    adopted few, and its active slab is of the slab's node, which
 *    the pfn says), else the long way, which sends it to the slab's
 *    remote list.
 * False, with nothing done, sends free the long way: another thread's
 * object, one not ours or not an object's start. */
static inline __attribute__((always_inline)) bool free_keyed(void *p, uintptr_t pfn, uint32_t e)
{
	uint16_t key = bm_tc.owner_key, o = pcm_owner(e);
	const struct class_code *k;
	struct tcache_bin *bin;
	unsigned int c;		/* the size class + 1 */
	uint32_t off;

	if (o != key && o != (key | PCM_ADOPTED))
		return false;
	/* Code 0 (no slab: a thread without a key matches such pages) has
	 * a start limit of 0, which no offset is under. */
	c = pcm_class(e);
	k = &bm_class_code[c];
	off = (uint32_t)(uintptr_t)p & k->mask;
	if (unlikely((uint64_t)off * k->divisor >= k->start_limit))
		return false;	/* not class_starts_object */
	bin = &bm_tc.bins[c] - 1;
	if (likely(o == key)) {
		if (likely(bin->room > 0))
			bin_push(bin, p);
		else
			slab_free_owned(slab_at(pfn, off), p);
		return true;
	}
	if (!bin_may_adopt(bin, c - 1, (unsigned int)(pfn >> bm_node_pfn_shift)))
		return false;
	bin_push(bin, p);
	return true;
}

static inline __attribute__((always_inline)) void do_free(void *p)
{
	struct slab *s;
	uintptr_t pfn;
	uint32_t e;

	if (unlikely(!class_map_of(p, &pfn, &e)))
		bm_free_slow(p);
	else if (likely(free_keyed(p, pfn, e)))
		return;
	else if (likely(slab_of_word(p, pfn, e, &s)))
		slab_free(s, p);
	else
		bm_free_slow(p);
}

static inline __attribute__((always_inline)) void api_free(void *p)
{
	VG_FREE(p);
	do_free(p);
}

#endif /* BM_MALLOC_FAST_H */
