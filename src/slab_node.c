/* SPDX-License-Identifier: MIT */
/*
 * slab_node.c - the slabs no thread owns, on their node's lists (the
 * kernel's kmem_cache_node): partial, full and a small reserve of empty
 * ones.  A slab comes from the page allocator (bm_new_slab), leaves the
 * lists when a thread takes it (bm_get_slab), returns when the thread
 * lets go of it (bm_deactivate_slab) and goes back to the page
 * allocator when empty beyond the reserve (bm_discard_slab).  The list
 * functions with "__" in their name need the node's lock held.
 */
#include "bm.h"
#include "clock.h"
#include "debug.h"
#include "error.h"
#include "mempolicy.h"
#include "os.h"
#include "page_alloc.h"
#include "slab.h"
#include "slab_node.h"

#define SLAB_EMPTY_RESERVE	1	/* empty slabs kept per node and class */

struct slab_cache_node bm_slab_nodes[MAX_NUMNODES][NR_SIZE_CLASSES];
uintptr_t bm_free_key;
uintptr_t bm_bin_key;
uintptr_t bm_link_key;

/* ------------------------------------------------------ slab pages */

/* The class map (page.h) of the 2^order pages from page: class + 1 v
 * for all and no owner (a new slab has none), or 0 (a slab given back,
 * which lost its owner first). */
static void set_page_class(struct page *page, unsigned int order, unsigned int v)
{
	class_map_fill(page_to_pfn(page), 1u << order, v ? v << PCM_CLASS_SHIFT | PCM_NO_OWNER : 0);
}

struct slab *bm_new_slab(unsigned int cls)
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
	set_page_class(page, order, cls + 1);
	if (unlikely(bm_debug & BM_DEBUG_GUARD))	/* objects stop short of it */
		bm_os_protect((char *)slab_base(s) + ((PAGE_SIZE << order) - PAGE_SIZE),
			      PAGE_SIZE, false);
	s->size_class = (uint8_t)cls;
	set_carved(s, 0);
	s->freelist = NULL;
	s->local_free = 0;
	s->owner = NULL;
	atomic_store_explicit(&s->adopter, 0, memory_order_relaxed);
	s->returned_pages = 0;
	s->returned_objs = 0;
	s->node = (uint8_t)page_zone(page)->node;
	atomic_store_explicit(&s->inuse, 0, memory_order_relaxed);
	atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	atomic_store_explicit(&s->state, SLAB_ACTIVE, memory_order_relaxed);
	return s;
}

void bm_discard_slab(struct slab *s)
{
	unsigned int order = s->order;
	struct page *page = slab_page(s);

	for (uint32_t i = 1; i < (1u << order); i++) {
		set_page_flags(&page[i], 0);
		page[i].aux8 = 0;
	}
	set_page_class(page, order, 0);
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

void bm__slab_list_add(struct slab_cache_node *n, struct slab *s, int state)
{
	bm_lock_assert_held(&n->lock);
	BM_DEBUG_BUG_ON(state == SLAB_ACTIVE);
	BM_DEBUG_BUG_ON(slab_node(s) != n);
	s->list_since = bm_clock_now();
	page_list_add(state_list(n, state), slab_page(s));
	(*state_count(n, state))++;
	atomic_store_explicit(&s->state, (uint8_t)state, memory_order_release);
}

void bm__slab_list_del(struct slab_cache_node *n, struct slab *s)
{
	int state = atomic_load_explicit(&s->state, memory_order_relaxed);

	bm_lock_assert_held(&n->lock);
	BM_DEBUG_BUG_ON(state == SLAB_ACTIVE);
	BM_DEBUG_BUG_ON(*state_count(n, state) == 0);
	page_list_del(state_list(n, state), slab_page(s));
	(*state_count(n, state))--;
}

/* Forget the pages of s given back to the OS: they fault back in, zero. */
void bm_clear_returned(struct slab *s)
{
	struct page *page = slab_page(s);

	for (uint32_t i = 0; s->returned_pages && i < (1u << s->order); i++)
		if (page_flags(&page[i]) & PG_returned) {
			set_page_flags(&page[i], page_flags(&page[i]) & ~PG_returned);
			s->returned_pages--;
		}
	s->returned_objs = 0;
}

void *bm_slab_lists_check(struct slab *s, bool all_free, const char **why)
{
	void **lists[2] = { s->freelist, remote_ptr(atomic_load(&s->remote)) };
	uint64_t seen[SLAB_MAX_OBJECTS / 64] = { 0 };
	/* What tells a carved object, loaded once: the walk reads only the
	 * objects (gcc reloads what they might alias). */
	const uintptr_t base = (uintptr_t)slab_base(s);
	const unsigned int cls = s->size_class;
	const uint32_t size = bm_class_size[cls], carved = s->carved;
	uint32_t n = 0;

	BM_BUG_ON(bm_class_objects[cls] > SLAB_MAX_OBJECTS);
	for (int l = 0; l < 2; l++) {
		for (void **o = lists[l]; o; o = fl_next(o), n++) {
			/* One of the slab's carved objects?  Asked before o is
			 * read.  (Carved objects lie below carved * size.) */
			uintptr_t off = (uintptr_t)o - base;
			uint32_t i = off < (uintptr_t)carved * size ?
				     class_index(cls, (uint32_t)off) : carved;

			if (i >= carved || i * size != off) {
				*why = "free list corrupted (a link leads out of its slab; "
				       "freed twice, or written after it was freed?)";
				return o;
			}
			if (seen[i / 64] & (1ULL << (i % 64))) {
				*why = "double free (on its slab's free list twice)";
				return o;
			}
			seen[i / 64] |= 1ULL << (i % 64);
			if (o[1] != (void *)free_marker(o) && o[1] != SLAB_MARKER_RESTORED) {
				*why = o[1] == (void *)bin_marker(o)
				       ? "double free (on its slab's free list and a thread's cache)"
				       : "double free (on its slab's free list and in use), "
					 "or written after it was freed";
				return o;
			}
		}
	}
	if (all_free && n != (uint32_t)s->carved - s->returned_objs) {
		*why = "slab's free count does not match its free lists (a double free?)";
		return slab_base(s);
	}
	return NULL;
}

/* An empty slab: keep a small reserve, give the rest back.  Returns the
 * slab to discard (after the lock is dropped) or NULL. */
struct slab *bm__slab_make_empty(struct slab_cache_node *n, struct slab *s)
{
	const char *why;
	void *bad;

	bm_lock_assert_held(&n->lock);
	/* Every object back: remote frees and the slab's own list. */
	BM_DEBUG_BUG_ON(remote_count(atomic_load(&s->remote)) != atomic_load(&s->inuse));
	/* By the counts.  A double free counts one object twice, so the
	 * lists are walked before the memory goes: a slab found wrong stays
	 * (partial, its objects checked again as they are handed out). */
	if ((bad = bm_slab_lists_check(s, true, &why)) != NULL) {
		bm_bad_object("free", bad, why, bm_class_size[s->size_class]);
		bm__slab_list_add(n, s, SLAB_PARTIAL);
		return NULL;
	}
	bm_clear_returned(s);
	/* Its adopter's key goes with the carving (no owner's is left). */
	set_slab_owner_key(s, 0, slab_carved_pages(s), PCM_NO_OWNER);
	set_carved(s, 0);
	s->freelist = NULL;
	atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	atomic_store_explicit(&s->inuse, 0, memory_order_relaxed);
	if (n->nr_empty < SLAB_EMPTY_RESERVE) {
		bm__slab_list_add(n, s, SLAB_EMPTY);
		return NULL;
	}
	n->nr_slabs--;
	n->nr_free_slab++;
	return s;
}

/* ------------------------------------------ taking and giving back */

/* Put list in front of the slab's freelist; returns the objects now on
 * the slab's freelist.  Its own part is counted by local_free, not
 * walked: a walk is a cache miss per object.  (owner thread) */
static uint32_t splice_freelist(struct slab *s, void **list)
{
	uint32_t n = s->local_free;
	void **p;

	/* n is the list's length unless the program freed an object twice
	 * onto it (free does not look): bm__slab_make_empty's check reports
	 * that, so it is not a bug of ours here. */
	if (list) {
		for (p = list, n++; fl_next(p) && n <= bm_class_objects[s->size_class];
		     p = fl_next(p))
			n++;
		fl_set(p, s->freelist);
		s->freelist = list;
	}
	s->local_free = 0;	/* unowned from here: the count is inuse */
	return n;
}

/* Hand the slab to the node lists.  freelist: the objects the bin still
 * had of it beyond the slab's own freelist (NULL when it ran dry). */
void bm_deactivate_slab(struct slab *s, void **freelist)
{
	struct slab_cache_node *n = slab_node(s);
	uint32_t spare = splice_freelist(s, freelist);
	uint16_t inuse = (uint16_t)(s->carved - spare - s->returned_objs);
	struct slab *discard = NULL;
	uint64_t w;

	/* Disowned before anyone else can take it: from here the thread's
	 * frees into it are remote, like everyone's. */
	set_slab_owner_key(s, 0, slab_carved_pages(s), PCM_NO_OWNER);
	s->owner = NULL;
	bm_lock(&n->lock);
	atomic_store_explicit(&s->inuse, inuse, memory_order_relaxed);
	w = atomic_load_explicit(&s->remote, memory_order_acquire);
	if (remote_count(w) == inuse && !(w & REMOTE_NOTIFYING)) {
		discard = bm__slab_make_empty(n, s);
	} else if (spare || s->carved < bm_class_objects[s->size_class] || remote_ptr(w) ||
		   s->returned_objs) {
		bm__slab_list_add(n, s, SLAB_PARTIAL);
	} else {
		bm__slab_list_add(n, s, SLAB_FULL);
		/* Ask the first remote free to move it (a notifier already on
		 * its way keeps its flag); if a free came meanwhile, the slab
		 * has free objects already. */
		w &= REMOTE_NOTIFYING;
		if (!atomic_compare_exchange_strong_explicit(&s->remote, &w,
				w | REMOTE_FULL, memory_order_acq_rel, memory_order_acquire)) {
			bm__slab_list_del(n, s);
			bm__slab_list_add(n, s, SLAB_PARTIAL);
		}
	}
	bm_unlock(&n->lock);
	if (discard)
		bm_discard_slab(discard);
}

/* Of the first few partial slabs, the fullest (the fewest objects free,
 * counting those other threads freed to it): a bin refilled from a
 * nearly full slab leaves the sparse ones to drain and go back empty,
 * where taking the newest listed spreads the live objects thin over
 * every slab.  (jemalloc gets the same from its lowest address first.) */
#define PARTIAL_SCAN	8
static struct page *fullest_partial(struct slab_cache_node *n)
{
	struct page *p = page_list_first(&n->partial), *best = p;
	int best_used = -1;

	for (int i = 0; p && i < PARTIAL_SCAN; i++) {
		struct slab *s = page_slab(p);
		int used = (int)atomic_load_explicit(&s->inuse, memory_order_relaxed) -
			   (int)remote_count(atomic_load_explicit(&s->remote, memory_order_relaxed));

		if (used > best_used) {
			best = p;
			best_used = used;
		}
		p = page_list_next(p);
	}
	return best;
}

/* A partial slab, else an empty one, off a node's lists; NULL if none. */
static struct slab *take_listed(struct slab_cache_node *n)
{
	struct page *p;
	struct slab *s = NULL;

	bm_lock(&n->lock);
	p = fullest_partial(n);
	if (!p)
		p = page_list_first(&n->empty);
	if (p) {
		s = page_slab(p);
		bm__slab_list_del(n, s);
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
struct slab *bm_get_slab(unsigned int cls, int node)
{
	struct slab_cache_node *n;
	struct slab *s = take_listed(&bm_slab_nodes[node][cls]);

	if (s || (unlikely(bm_nr_nodes > 1) && (s = take_listed_any(cls, node)) != NULL))
		return s;
	s = bm_new_slab(cls);
	if (s) {
		n = slab_node(s);
		bm_lock(&n->lock);
		n->nr_slabs++;
		n->nr_alloc_slab++;
		bm_unlock(&n->lock);
	}
	return s;
}

