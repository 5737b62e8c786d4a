/* SPDX-License-Identifier: MIT */
/*
 * slab_node.h - the node lists of slabs no thread owns (slab_node.c),
 * shared by the files of the slab layer.  "__": the node's lock held.
 */
#ifndef BM_SLAB_NODE_H
#define BM_SLAB_NODE_H

#include "slab.h"

static inline struct slab_cache_node *slab_node(const struct slab *s)
{
	return &bm_slab_nodes[s->node][s->size_class];
}

/* Objects carved so far, and the same as a byte bound for free. */
static inline void set_carved(struct slab *s, uint32_t n)
{
	atomic_store_explicit(&s->carved, (uint16_t)n, memory_order_relaxed);
	atomic_store_explicit(&s->carved_end,
			      (uint16_t)(n * bm_class_size[s->size_class] / 16),
			      memory_order_relaxed);
}

/* The class map (page.h) of n pages from pfn: v for all.  Atomic
 * stores: free reads the map of any pointer it is given without a
 * lock. */
static inline void class_map_fill(uint32_t pfn, uint32_t n, uint32_t v)
{
	uint32_t *m = bm_page_class + pfn;

	for (uint32_t i = 0; i < n; i++)
		__atomic_store_n(&m[i], v, __ATOMIC_RELEASE);
}

/* Pages of s holding carved objects: every object that starts in
 * such a page is carved (carve_end stops at a page boundary). */
static inline uint32_t slab_carved_pages(const struct slab *s)
{
	uint32_t n = atomic_load_explicit(&s->carved, memory_order_relaxed);

	return n ? (uint32_t)(((n - 1) * bm_class_size[s->size_class]) >> PAGE_SHIFT) + 1 : 0;
}

/* The owner key (page.h, slab.h) in the class map of pages from to end
 * of s: key on the carved pages of a slab the thread owns, PCM_NO_OWNER
 * when it lets it go.  Only the owner writes its key, after set_carved
 * and after s->owner is set, and clears it before s->owner is.  (A slab
 * no thread owns may carry its adopter's key, bm_slab_key_adopter,
 * which an owner overwrites and emptying the slab clears.) */
static inline void set_slab_owner_key(struct slab *s, uint32_t from, uint32_t end, uint16_t key)
{
	class_map_fill(page_to_pfn(slab_page(s)) + from, end - from,
		       ((uint32_t)s->size_class + 1) << PCM_CLASS_SHIFT | key);
}

/* A new slab of class cls from the page allocator; NULL with ENOMEM. */
struct slab *bm_new_slab(unsigned int cls);
/* Give an empty slab's pages back to the page allocator. */
void bm_discard_slab(struct slab *s);
void bm__slab_list_add(struct slab_cache_node *n, struct slab *s, int state);
void bm__slab_list_del(struct slab_cache_node *n, struct slab *s);
struct slab *bm__slab_make_empty(struct slab_cache_node *n, struct slab *s);
void bm_clear_returned(struct slab *s);
/* Hand the slab to the node lists.  freelist: the objects the bin still
 * had of it beyond the slab's own freelist (NULL when it ran dry). */
void bm_deactivate_slab(struct slab *s, void **freelist);
/* A slab for a bin: partial first, then the empty reserve, then new. */
struct slab *bm_get_slab(unsigned int cls, int node);

#endif /* BM_SLAB_NODE_H */
