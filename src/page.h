/* SPDX-License-Identifier: MIT */
/*
 * page.h - the page descriptor and the arithmetic between address, pfn and
 * descriptor.
 *
 * All nodes share one reserved virtual range starting at bm_base; node n
 * owns [bm_base + n * node_span, + node_span).  The descriptors of every
 * page live in one virtually contiguous array, bm_mem_map, committed together
 * with the section they describe.  Nothing about a block is ever stored in
 * the block itself, so a wild write by the program cannot corrupt the
 * allocator and a bad pointer passed to free is caught by reading its
 * descriptor.
 */
#ifndef BM_PAGE_H
#define BM_PAGE_H

#include "bm.h"

/*
 * struct page - 32 bytes per 4 KiB page (0.8%).
 *
 * Free block (PG_buddy on the first page): order, migratetype and the
 * next/prev links of its free list; the other pages of the block are zero.
 * Allocated block (PG_head on the first page): order and nr_pages (an
 * alloc_pages_exact block is nr_pages long, not 1 << order).  The upper
 * layers (slab, large objects) use aux8, aux16, aux32 and private.
 */
struct page {
	uint16_t	flags;		/* PG_* below */
	uint8_t		order;		/* free: block order; head: allocation order */
	uint8_t		migratetype;	/* free list / type the block was taken as */
	uint8_t		pageblock_mt;	/* first page of a pageblock: its migratetype */
	uint8_t		aux8;		/* owner layer's byte (slab: size class) */
	uint16_t	aux16;		/* owner layer's short */
	uint32_t	next;		/* list link (pfn), PFN_NONE ends the list */
	uint32_t	prev;		/* list link (pfn), PFN_NONE starts it */
	uint32_t	nr_pages;	/* head: pages in the allocation; free block: its dirty pages (buddy.c) */
	uint32_t	aux32;		/* owner layer's word */
	uint64_t	private;	/* owner layer's pointer-sized word; free block: freed when (ms);
					 * block just taken: its dirty pages, for bm__trim_block */
};
_Static_assert(sizeof(struct page) == 32, "struct page must stay 32 bytes");

enum pageflags {
	PG_buddy	= 1u << 0,	/* first page of a free block in free_area */
	PG_head		= 1u << 1,	/* first page of an allocated block */
	PG_tail		= 1u << 2,	/* other page of a slab (the slab is found by masking) */
	PG_zero		= 1u << 3,	/* free block known to hold only zeroes */
	PG_pcp		= 1u << 4,	/* sitting on a per-thread pcp list */
	PG_slab		= 1u << 5,	/* head of a slab (upper layer) */
	PG_large	= 1u << 6,	/* head of a large object (upper layer) */
	PG_returned	= 1u << 7,	/* free block given back to the OS (implies PG_zero) */
	PG_isolated	= 1u << 8,	/* taken off the free lists by reclaim for a moment */
	PG_guard	= 1u << 9,	/* large object whose last page is a guard (debug) */
	PG_sampled	= 1u << 10,	/* large object the heap profiler sampled (prof.h) */
};

/* What a free block knows about its contents: carried through splits, kept
 * on a merge only when both halves have it. */
#define PG_CLEAN	(PG_zero | PG_returned)

/* MOVABLE is 0: the descriptors of a fresh section are all zero, so its
 * pageblocks start movable without a write (see node.c). */
enum migratetype {
	MIGRATE_MOVABLE,	/* whole-page and large user allocations */
	MIGRATE_UNMOVABLE,	/* slabs and allocator metadata */
	MIGRATE_RECLAIMABLE,	/* caches that reclaim may drop */
	MIGRATE_TYPES
};

/* The start of the reserved range, bm_base, is stored complemented in
 * the valgrind build: there a word holding it plainly is a pointer to the
 * first object of the process's first slab, which memcheck's leak check
 * then calls "still reachable" even when the program leaked it. */
extern BM_HIDDEN uintptr_t	bm_base_word;
#ifdef BM_VALGRIND
#define BM_BASE_CODE(x)		(~(uintptr_t)(x))
#else
#define BM_BASE_CODE(x)		((uintptr_t)(x))
#endif
#define bm_base			BM_BASE_CODE(bm_base_word)
static inline void bm_base_set(uintptr_t base)	{ bm_base_word = BM_BASE_CODE(base); }
extern BM_HIDDEN uintptr_t	bm_span;	/* bytes in the reserved range */
extern BM_HIDDEN struct page	*bm_mem_map;	/* descriptor of pfn 0 */
/* The class map: one word per page, beside the descriptors and
 * committed with them.  Bits 16-23 hold the size class + 1 of a slab
 * page, 0 for any other; bits 0-15 on a slab page the owner key of the
 * thread that owns the slab, on the pages whose objects are carved, or
 * the key | PCM_ADOPTED of the adopter of a slab no thread owns, else
 * PCM_NO_OWNER, and 0 on any other page (slab.h: free pushes an object
 * whose page carries its own key on its bin without reading the slab).
 * The slab layer sets both.  free reads it first: it is 8 times denser
 * than the descriptors, so with a working set of 100 MB it stays in the
 * cache, where the descriptor of the freed object's page missed on most
 * frees (docs/performance.md). */
extern BM_HIDDEN uint32_t	*bm_page_class;
#define PCM_CLASS_SHIFT		16
#define PCM_NO_OWNER		0xffffu	/* no thread's key */
#define PCM_ADOPTED		0x8000u	/* with a key: the slab's adopter's */
/* The size class + 1 (0: not a slab page), and the owner key, of an
 * entry. */
static inline unsigned int pcm_class(uint32_t e)	{ return e >> PCM_CLASS_SHIFT; }
static inline uint16_t pcm_owner(uint32_t e)		{ return (uint16_t)e; }

static inline struct page *pfn_to_page(uint32_t pfn)	{ return bm_mem_map + pfn; }
static inline uint32_t page_to_pfn(const struct page *p) { return (uint32_t)(p - bm_mem_map); }
static inline void *pfn_to_addr(uint32_t pfn)
{
	return (void *)(bm_base + ((uintptr_t)pfn << PAGE_SHIFT));
}
static inline uint32_t addr_to_pfn(const void *a)
{
	return (uint32_t)(((uintptr_t)a - bm_base) >> PAGE_SHIFT);
}
static inline void *page_address(const struct page *p) { return pfn_to_addr(page_to_pfn(p)); }
static inline struct page *virt_to_page(const void *a)
{
	return bm_mem_map + (((uintptr_t)a - bm_base) >> PAGE_SHIFT);
}

/* Is addr inside the reserved range (it may still be uncommitted)? */
static inline bool bm_addr_in_range(const void *a)
{
	return (uintptr_t)a - bm_base < bm_span;
}

/* Flags of a page another thread may own: the buddy reads the descriptors
 * of allocated neighbours while their owners rewrite them.  A relaxed
 * atomic load, a plain load on x86, and no data race. */
static inline uint16_t page_flags(const struct page *p)
{
	return __atomic_load_n(&p->flags, __ATOMIC_RELAXED);
}

static inline void set_page_flags(struct page *p, unsigned int flags)
{
	__atomic_store_n(&p->flags, (uint16_t)flags, __ATOMIC_RELAXED);
}

static inline bool PageBuddy(const struct page *p) { return page_flags(p) & PG_buddy; }
static inline bool PageHead(const struct page *p)  { return p->flags & PG_head; }

/* ------------------------------------------------------------ pfn lists */

/* A doubly linked list threaded through descriptors by pfn. */
struct page_list {
	uint32_t	first;
	uint32_t	last;
};

#define PAGE_LIST_INIT	{ PFN_NONE, PFN_NONE }

static inline void page_list_init(struct page_list *l)
{
	l->first = l->last = PFN_NONE;
}

static inline bool page_list_empty(const struct page_list *l)
{
	return l->first == PFN_NONE;
}

static inline void page_list_add(struct page_list *l, struct page *p)
{
	uint32_t pfn = page_to_pfn(p);

	p->prev = PFN_NONE;
	p->next = l->first;
	if (l->first != PFN_NONE)
		pfn_to_page(l->first)->prev = pfn;
	else
		l->last = pfn;
	l->first = pfn;
}

static inline void page_list_add_tail(struct page_list *l, struct page *p)
{
	uint32_t pfn = page_to_pfn(p);

	p->next = PFN_NONE;
	p->prev = l->last;
	if (l->last != PFN_NONE)
		pfn_to_page(l->last)->next = pfn;
	else
		l->first = pfn;
	l->last = pfn;
}

static inline void page_list_del(struct page_list *l, struct page *p)
{
	if (p->prev != PFN_NONE)
		pfn_to_page(p->prev)->next = p->next;
	else
		l->first = p->next;
	if (p->next != PFN_NONE)
		pfn_to_page(p->next)->prev = p->prev;
	else
		l->last = p->prev;
	p->next = p->prev = PFN_NONE;
}

static inline struct page *page_list_first(const struct page_list *l)
{
	return l->first == PFN_NONE ? NULL : pfn_to_page(l->first);
}

/* The page after p on its list, or NULL. */
static inline struct page *page_list_next(const struct page *p)
{
	return p->next == PFN_NONE ? NULL : pfn_to_page(p->next);
}

#endif /* BM_PAGE_H */
