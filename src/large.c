/* SPDX-License-Identifier: MIT */
/* large.c - page-sized and huge objects (see large.h). */
#include "bm.h"
#include "debug.h"
#include "large.h"
#include "lock.h"
#include "mempolicy.h"
#include "mmzone.h"
#include "os.h"
#include "page_alloc.h"
#include "pcp.h"
#include "reclaim.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

/* ------------------------------------------------------------- large */

static inline size_t pages_for(size_t size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* Power-of-two blocks the pcp lists cache. */
static inline bool pcp_sized(size_t nr_pages)
{
	return !(nr_pages & (nr_pages - 1)) && nr_pages <= (1u << PCP_MAX_ORDER);
}

/* A direct mapping that follows the memory policy, or is bound to the
 * node asked for (before the first touch, so its pages land there). */
static void *huge_alloc_node(size_t size, size_t align, int nid)
{
	void *p = bm_huge_alloc(size, align);

	if (p && !bm_mempolicy_bind_range(p, bm_huge_usable(p), nid)) {
		bm_huge_free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* Under interleave a pageblock or more is mapped directly and
 * interleaved page by page, as the kernel interleaves a mapping: a buddy
 * block comes from one node, so big arrays would split by object, not
 * by page. */
static inline bool interleave_by_page(size_t nr, gfp_t gfp)
{
	return unlikely(bm_policy.mode == MPOL_MODE_INTERLEAVE) && bm_nr_nodes > 1 &&
	       nr >= (1ul << bm_pageblock_order) && gfp_node(gfp) < 0;
}

void *bm_large_alloc_gfp(size_t size, size_t align, gfp_t gfp)
{
	size_t nr = size ? pages_for(size) : 1;
	unsigned int align_order = align > PAGE_SIZE ?
				   bm_ilog2(align) - PAGE_SHIFT : 0;
	bool zero = gfp & __GFP_ZERO;
	struct page *page;

	bool guard = bm_debug & BM_DEBUG_GUARD;

	/* A large object is a slow path: reclaim ticks here too, or a
	 * program whose small sizes all hit their bins and whose large ones
	 * skip the pcp lists gave reclaim=inline no turn
	 * (tests/api/reclaim, inline: 3 runs in 22 returned nothing). */
	bm_reclaim_tick();
	gfp |= GFP_USER;
	if (nr + guard > (1ul << bm_max_order) || align_order > bm_max_order ||
	    interleave_by_page(nr, gfp))
		return huge_alloc_node(size, align, gfp_node(gfp));
	nr += guard;
	if (pcp_sized(nr) && align_order <= bm_ilog2(nr))
		page = bm_alloc_pages(gfp, bm_ilog2(nr));
	else
		page = bm_alloc_pages_exact_aligned(nr, align_order, gfp);
	if (!page)
		return NULL;
	set_page_flags(page, page->flags | PG_large | (guard ? PG_guard : 0));
	if (unlikely(bm_debug)) {
		char *p = page_address(page);

		if (guard)
			bm_os_protect(p + ((nr - 1) << PAGE_SHIFT), PAGE_SIZE, false);
		if ((bm_debug & BM_DEBUG_JUNK) && !zero)
			memset(p, BM_JUNK_BYTE, size);
	}
	return page_address(page);
}

void bm_large_free(struct page *head)
{
	size_t nr = head->nr_pages;

	if (unlikely(head->flags & PG_guard))
		bm_os_protect((char *)page_address(head) + ((nr - 1) << PAGE_SHIFT),
			      PAGE_SIZE, true);
	if (unlikely(bm_debug & BM_DEBUG_POISON))
		memset(page_address(head), BM_POISON_BYTE, bm_large_usable(head));
	set_page_flags(head, head->flags & ~(PG_large | PG_guard | PG_sampled));
	/* A block resized in place may be a power of two long without being
	 * aligned to it: only an aligned one is a buddy block. */
	if (pcp_sized(nr) && !(page_to_pfn(head) & (nr - 1)))
		bm_free_pages(head, bm_ilog2(nr));
	else
		bm_free_pages_exact(head, nr);
}

bool bm_large_resize(struct page *head, size_t size)
{
	size_t nr = pages_for(size);

	if (head->flags & PG_guard)
		return false;	/* moves instead: the guard stays at the end */

	return nr == head->nr_pages || bm_resize_pages_exact(head, nr);
}

/* -------------------------------------------------------------- huge */

struct huge_entry {
	uintptr_t	addr;		/* 0: empty slot */
	size_t		size;
};

static bm_lock_t	huge_lock = BM_LOCK_INIT_RANK(LOCK_RANK_HUGE);
static struct huge_entry *table;	/* open addressing, linear probing */
static size_t		table_cap;	/* a power of two */
static size_t		table_used;	/* the live mappings */
static size_t		huge_bytes;	/* their bytes */
static size_t		huge_max_n, huge_max_bytes;	/* the peaks of both */

static void __huge_account(ssize_t bytes)
{
	huge_bytes += (size_t)bytes;
	if (table_used > huge_max_n)
		huge_max_n = table_used;
	if (huge_bytes > huge_max_bytes)
		huge_max_bytes = huge_bytes;
}

static size_t slot_of(uintptr_t addr, size_t cap)
{
	return (size_t)(((addr >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static void __table_insert(struct huge_entry *t, size_t cap, uintptr_t addr, size_t size)
{
	size_t i = slot_of(addr, cap);

	while (t[i].addr)
		i = (i + 1) & (cap - 1);
	t[i].addr = addr;
	t[i].size = size;
}

/* Keep the table at most half full; it lives in its own mapping. */
static bool __table_reserve(void)
{
	size_t cap = table_cap ? table_cap * 2 : 256;
	struct huge_entry *t;

	if ((table_used + 1) * 2 <= table_cap)
		return true;
	t = mmap(NULL, cap * sizeof(*t), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return false;
	for (size_t i = 0; i < table_cap; i++)
		if (table[i].addr)
			__table_insert(t, cap, table[i].addr, table[i].size);
	if (table)
		bm_os_unmap(table, table_cap * sizeof(*table));
	table = t;
	table_cap = cap;
	return true;
}

static struct huge_entry *__table_find(uintptr_t addr)
{
	if (!table_cap)
		return NULL;
	for (size_t i = slot_of(addr, table_cap); table[i].addr; i = (i + 1) & (table_cap - 1))
		if (table[i].addr == addr)
			return &table[i];
	return NULL;
}

/* Backward-shift deletion keeps probe chains unbroken without tombstones. */
static void __table_delete(struct huge_entry *e)
{
	size_t i = (size_t)(e - table), j = i;

	for (;;) {
		j = (j + 1) & (table_cap - 1);
		if (!table[j].addr)
			break;
		size_t home = slot_of(table[j].addr, table_cap);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((i < j) ? (home <= i || home > j) : (home <= i && home > j)) {
			table[i] = table[j];
			i = j;
		}
	}
	table[i].addr = 0;
	table_used--;
}

/* The last mappings freed, so that a second free can be named a double
 * free rather than a pointer we never gave out.  (huge_lock) */
#define FREED_RING	64
static uintptr_t freed_ring[FREED_RING];
static unsigned int freed_next;

static void __freed_forget(uintptr_t addr)
{
	for (unsigned int i = 0; i < FREED_RING; i++)
		if (freed_ring[i] == addr)
			freed_ring[i] = 0;
}

static bool huge_register(void *p, size_t size)
{
	bool ok;

	bm_lock(&huge_lock);
	ok = __table_reserve();
	if (ok) {
		__table_insert(table, table_cap, (uintptr_t)p, size);
		table_used++;
		__huge_account((ssize_t)size);
		__freed_forget((uintptr_t)p);	/* the address is live again */
	}
	bm_unlock(&huge_lock);
	return ok;
}

void *bm_huge_alloc(size_t size, size_t align)
{
	size_t len = BM_ALIGN_UP(size, PAGE_SIZE);
	void *p;

	if (len < size || len > (SIZE_MAX >> 2)) {
		errno = ENOMEM;
		return NULL;
	}
	if (align <= PAGE_SIZE) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			p = NULL;
	} else {
		p = bm_os_reserve(len, align);
		if (p && !bm_os_commit(p, len)) {
			bm_os_unmap(p, len);
			p = NULL;
		}
	}
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	if (!huge_register(p, len)) {
		bm_os_unmap(p, len);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

size_t bm_huge_usable(const void *p)
{
	struct huge_entry *e;
	size_t size;

	bm_lock(&huge_lock);
	e = __table_find((uintptr_t)p);
	size = e ? e->size : 0;
	bm_unlock(&huge_lock);
	return size;
}

bool bm_huge_freed_recently(const void *p)
{
	bool found = false;

	bm_lock(&huge_lock);
	for (unsigned int i = 0; i < FREED_RING && !found; i++)
		found = freed_ring[i] == (uintptr_t)p;
	bm_unlock(&huge_lock);
	return found;
}

bool bm_huge_free(void *p)
{
	struct huge_entry *e;
	size_t size = 0;

	bm_lock(&huge_lock);
	e = __table_find((uintptr_t)p);
	if (e) {
		size = e->size;
		__table_delete(e);
		__huge_account(-(ssize_t)size);
		freed_ring[freed_next++ % FREED_RING] = (uintptr_t)p;
	}
	bm_unlock(&huge_lock);
	if (size)
		bm_os_unmap(p, size);
	return size != 0;
}

void *bm_huge_realloc(void *p, size_t size)
{
	size_t len = BM_ALIGN_UP(size, PAGE_SIZE);
	struct huge_entry *e;
	void *q = NULL;

	if (len < size)
		return NULL;
	bm_lock(&huge_lock);
	e = __table_find((uintptr_t)p);
	if (e) {
		q = mremap(p, e->size, len, MREMAP_MAYMOVE);
		if (q == MAP_FAILED) {
			q = NULL;
		} else {
			size_t old_size = e->size;

			__table_delete(e);
			__table_insert(table, table_cap, (uintptr_t)q, len);
			table_used++;
			__huge_account((ssize_t)len - (ssize_t)old_size);
			__freed_forget((uintptr_t)q);
		}
	}
	bm_unlock(&huge_lock);
	if (!q)
		errno = ENOMEM;
	return q;
}

void bm_huge_stats(size_t *count, size_t *bytes)
{
	bm_lock(&huge_lock);
	*count = table_used;
	*bytes = huge_bytes;
	bm_unlock(&huge_lock);
}

void bm_huge_peak(size_t *count, size_t *bytes)
{
	bm_lock(&huge_lock);
	*count = huge_max_n;
	*bytes = huge_max_bytes;
	bm_unlock(&huge_lock);
}

void bm_huge_lock(void)		{ bm_lock(&huge_lock); }
void bm_huge_unlock(void)	{ bm_unlock(&huge_lock); }
void bm_huge_reinit_lock(void)	{ bm_lock_reinit(&huge_lock); }
