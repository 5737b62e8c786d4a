/* SPDX-License-Identifier: MIT */
/*
 * malloc.c - the exported allocation functions.
 *
 *   size <= SLAB_MAX_SIZE   the thread's bin of the size class: pop one
 *                           object (about 10 instructions, no lock, no
 *                           atomic); an empty bin refills in slab.c
 *   up to the largest buddy block   whole pages (large.c)
 *   beyond                  a direct mapping (large.c)
 *
 * free maps the pointer to its descriptor by arithmetic, checks it (ours,
 * the start of an object, not already free) and returns the object to the
 * thread's bin when the thread owns its slab, else to the slab's remote
 * list with one atomic.  Anything wrong is reported, never trusted.
 */
#include "bm.h"
#include "bootstrap.h"
#include "debug.h"
#include "error.h"
#include "init.h"
#include "large.h"
#include "malloc_internal.h"
#include "node.h"
#include "options.h"
#include "page_alloc.h"
#include "reclaim.h"
#include "tcache.h"
#include "vmstat.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ------------------------------------------------------------- valgrind
 * With --enable-valgrind, memcheck learns of every block we hand out and
 * take back, so it reports leaks and use after free in the program.  The
 * first 16 bytes of a freed object hold our free-list link and marker:
 * they stay accessible to us, the rest becomes no-access.  Without it the
 * macros cost nothing. */
#ifdef BM_VALGRIND
#include <valgrind/memcheck.h>
#define VG_ALLOC(p, size, zeroed) \
	do { if (p) VALGRIND_MALLOCLIKE_BLOCK(p, (size) ? (size) : 1, 0, zeroed); } while (0)
#define VG_FREE(p) \
	do { if (p) { VALGRIND_FREELIKE_BLOCK(p, 0); \
		      VALGRIND_MAKE_MEM_DEFINED(p, 16); } } while (0)
#define VG_ACTIVE	RUNNING_ON_VALGRIND
#else
#define VG_ALLOC(p, size, zeroed)	do { (void)(p); } while (0)
#define VG_FREE(p)			do { (void)(p); } while (0)
#define VG_ACTIVE			0
#endif

/* ------------------------------------------------------------ allocate */

/* Can this thread use the allocator proper?  False while it initialises
 * the allocator (recursive calls go to the bootstrap arena). */
static BM_NOINLINE bool thread_ready(void)
{
	if (bm_in_init || !bm_init())
		return false;
	bm_tcache_init();
	return bm_tc.state != TC_NONE;
}

static BM_NOINLINE void *slab_alloc_slow(unsigned int cls)
{
	struct tcache_bin tmp = { .owned = PAGE_LIST_INIT };
	void *p;

	if (unlikely(bm_tc.state == TC_NONE) && !thread_ready())
		return bm_bootstrap_alloc(bm_class_size[cls], 16);
	if (likely(bm_tc.state == TC_LIVE))
		return likely(!bm_debug) ? bm_slab_alloc_refill(&bm_tc.bins[cls], cls)
					 : bm_debug_slab_alloc(cls);
	/* An exiting thread: take one object and hand the slab back. */
	p = bm_slab_alloc_refill(&tmp, cls);
	bm_slab_deactivate_bin(&tmp);
	return p;
}

static inline void *slab_alloc(unsigned int cls)
{
	struct tcache_bin *bin = &bm_tc.bins[cls];
	void **obj = bin->freelist;
	struct slab *s;

	if (likely(obj)) {
		bin_pop(bin, obj);
#ifdef BM_SECURE
		/* A link leads to the same slab or nowhere. */
		if (unlikely(((uintptr_t)bin->freelist ^ (uintptr_t)obj) &
			     ~(uintptr_t)bm_class_mask[cls] && bin->freelist)) {
			bm_bad_pointer("malloc", obj, "free list corrupted (write after free?)");
			bin->freelist = NULL;
		}
#endif
		return obj;
	}
	/* The objects this thread freed into its active slab since: swap
	 * them in, here for 7 times in 8, the 8th on the slow path that
	 * also ticks reclaim. */
	s = bin->slab;
	if (s && s->freelist && (++bm_tc.refills & 7))
		return bin_pop(bin, slab_take_local(s));
	return slab_alloc_slow(cls);
}

static BM_NOINLINE void *large_alloc(size_t size, size_t align, bool zero)
{
	if (unlikely(size > PTRDIFF_MAX)) {
		errno = ENOMEM;
		return NULL;
	}
	if (unlikely(bm_tc.state == TC_NONE) && !thread_ready())
		return bm_bootstrap_alloc(size, align);
	return bm_large_alloc(size, align, zero);
}

static inline void *do_malloc(size_t size)
{
	if (likely(size <= SLAB_MAX_SIZE))
		return slab_alloc(size_to_class(size));
	return large_alloc(size, 0, false);
}

/* An object aligned to align (a power of two). */
static void *do_aligned(size_t align, size_t size)
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
	return large_alloc(size, align, false);
}

/* ---------------------------------------------------------------- free */

enum obj_kind { OBJ_BAD, OBJ_BOOTSTRAP, OBJ_HUGE, OBJ_SLAB, OBJ_LARGE };

/* What p is and how much of it is usable; reports a bad p for op. */
static enum obj_kind classify(const void *p, const char *op, size_t *usable)
{
	struct page *page;
	const char *why;

	if (!bm_addr_in_range(p)) {
		/* Before bm_init: init's own libraries (dlopen'd hwloc) free
		 * bootstrap memory while it runs. */
		if (bm_is_bootstrap(p)) {
			*usable = bm_bootstrap_size(p);
			return OBJ_BOOTSTRAP;
		}
		bm_init();	/* the configuration decides what a report does */
		if ((*usable = bm_huge_usable(p)) != 0)
			return OBJ_HUGE;
		bm_bad_pointer(op, p, "not allocated by libbuddymalloc");
		return OBJ_BAD;
	}
	page = virt_to_page(p);
	if (page->flags & PG_slab) {
		uint32_t off;
		struct slab *s = obj_slab(page, p, &off);

		why = bm_slab_check_free(s, (void *)p, &bm_tc.bins[s->size_class]);
		if (!why) {
			*usable = bm_class_size[s->size_class];
			return OBJ_SLAB;
		}
		bm_bad_object(op, p, why, bm_class_size[s->size_class]);
		return OBJ_BAD;
	} else if ((page->flags & (PG_head | PG_large | PG_pcp)) == (PG_head | PG_large) &&
		   p == page_address(page)) {
		*usable = bm_large_usable(page);
		return OBJ_LARGE;
	} else if ((uintptr_t)p & (PAGE_SIZE - 1) || page->flags & PG_head) {
		why = "not the start of an allocation (interior pointer)";
	} else {
		why = "not allocated (free memory, a double free or an interior pointer)";
	}
	bm_bad_pointer(op, p, why);
	return OBJ_BAD;
}

static BM_NOINLINE void free_slow(void *p)
{
	size_t usable;

	if (!p)
		return;
	switch (classify(p, "free", &usable)) {
	case OBJ_HUGE:
		bm_huge_free(p);
		break;
	case OBJ_LARGE:
		bm_large_free(virt_to_page(p));
		break;
	case OBJ_SLAB: {
		uint32_t off;

		bm_slab_free_remote(obj_slab(virt_to_page(p), p, &off), p);	/* the marker looked like a false alarm */
		break;
	}
	default:		/* bootstrap memory is never reused; bad: reported */
		break;
	}
}

/* The slab of p when p passes free's cheap checks: one of ours, in a
 * slab, the start of a carved object, not marked free already.  NULL
 * sends the caller to classify, which tells the rest apart and reports. */
static inline struct slab *slab_of_live(const void *p)
{
	struct page *page;
	struct slab *s;
	uint32_t off;

	if (unlikely(!bm_addr_in_range(p)))
		return NULL;
	page = virt_to_page(p);
	if (unlikely(!(page->flags & PG_slab)))
		return NULL;
	s = obj_slab(page, p, &off);
	/* page->aux8: the size class, on every slab page */
	if (unlikely(!class_divides(page->aux8, off) || off >= (uint32_t)s->carved_end * 16 ||
		     ((void *const *)p)[1] == (void *)free_marker(p)))
		return NULL;
	return s;
}

static inline void slab_free(struct slab *s, void *p)
{
	/* A slab this thread owns, active or kept: one branch for both, so
	 * it predicts well however the frees fall between them. */
	if (likely(s->owner == &bm_tc)) {
		slab_free_owned(s, p);
		return;
	}
	bm_slab_free_remote(s, p);
}

static inline void do_free(void *p)
{
	struct slab *s = slab_of_live(p);

	if (likely(s))
		slab_free(s, p);
	else
		free_slow(p);
}

/* ------------------------------------------------------------- exports */

BM_EXPORT void *malloc(size_t size)
{
	void *p = do_malloc(size);

	VG_ALLOC(p, size, false);
	return p;
}

static inline void api_free(void *p)
{
	VG_FREE(p);
	do_free(p);
}

BM_EXPORT void free(void *p)
{
	api_free(p);
}

BM_EXPORT void *calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (unlikely(__builtin_mul_overflow(n, size, &total))) {
		errno = ENOMEM;
		return NULL;
	}
	if (total > SLAB_MAX_SIZE) {	/* pages known to be zero stay unwritten */
		p = large_alloc(total, 0, true);
	} else {
		p = do_malloc(total);
		if (p)
			memset(p, 0, total);
	}
	VG_ALLOC(p, total, true);
	return p;
}

/* A block that realloc grows past this takes whole pages, which grow in
 * place (bm_large_resize), rather than stepping through the slab classes
 * up to SLAB_MAX_SIZE with a copy at each: a buffer grown a few bytes at
 * a time from 16 to 32 KiB would be copied eight times. */
#define REALLOC_PAGES_MIN	16384

/* Does a block of usable bytes that must grow to size bytes move to whole
 * pages rather than to a slab object? */
static inline bool realloc_to_pages(size_t usable, size_t size)
{
	return size > usable && size > REALLOC_PAGES_MIN;
}

/* Does a slab object of class cls still serve size bytes?  It shrinks in
 * place down to half its class (mimalloc's and tcmalloc's rule): a buffer
 * trimmed a little is not worth a copy, and waste stays within half. */
static inline bool slab_realloc_fits(unsigned int cls, size_t size)
{
	uint32_t usable = bm_class_size[cls];

	return size <= usable && (size >= usable / 2 || size_to_class(size) == cls);
}

/* What a block of usable bytes that must move to hold size bytes is
 * given: a growing block gets at least a quarter more (tcmalloc's rule),
 * so a buffer grown by small steps is copied O(log) times, not once per
 * size class. */
static inline size_t realloc_target(size_t usable, size_t size)
{
	size_t amortised = usable + usable / 4;

	return size > usable && size < amortised ? amortised : size;
}

/* Move p (usable bytes) to a new block for size bytes; NULL leaves p. */
static void *realloc_move(void *p, size_t usable, size_t size, bool to_pages)
{
	size_t target = realloc_target(usable, size);
	void *q = to_pages ? large_alloc(target, 0, false) : do_malloc(target);

	if (q) {
		VG_ALLOC(q, size, false);
		memcpy(q, p, usable < size ? usable : size);
	}
	return q;
}

BM_EXPORT void *realloc(void *p, size_t size)
{
	size_t usable;
	enum obj_kind kind;
	bool to_pages = false;
	struct slab *s;
	void *q;

	if (!p) {
		q = do_malloc(size);
		VG_ALLOC(q, size, false);
		return q;
	}
	if (size == 0) {		/* glibc's behaviour: free, return NULL */
		api_free(p);
		return NULL;
	}
	/* A live slab object, checked as free checks it: no classify. */
	if (!VG_ACTIVE && (s = slab_of_live(p)) != NULL) {
		unsigned int cls = s->size_class;

		if (slab_realloc_fits(cls, size))
			return p;
		usable = bm_class_size[cls];
		q = realloc_move(p, usable, size, realloc_to_pages(usable, size));
		if (q)
			slab_free(s, p);
		return q;
	}
	kind = classify(p, "realloc", &usable);
	if (VG_ACTIVE && kind != OBJ_BAD)
		goto move;	/* memcheck knows the block's size, we do not */
	switch (kind) {
	case OBJ_BAD:
		errno = EINVAL;
		return NULL;
	case OBJ_SLAB:
		if (slab_realloc_fits(size_to_class(usable), size))
			return p;
		to_pages = realloc_to_pages(usable, size);
		break;
	case OBJ_LARGE:
		if (size > REALLOC_PAGES_MIN && bm_large_resize(virt_to_page(p), size))
			return p;
		/* No room after it: still pages, or the next growth would
		 * come back out of a slab with another copy. */
		to_pages = realloc_to_pages(usable, size);
		break;
	case OBJ_HUGE:
		if (size > (PAGE_SIZE << bm_max_order))
			return bm_huge_realloc(p, size);
		break;
	case OBJ_BOOTSTRAP:
		break;
	}
move:
	q = realloc_move(p, usable, size, to_pages);
	if (q && kind != OBJ_BOOTSTRAP)
		api_free(p);
	return q;
}

BM_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}

static inline bool is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

BM_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (!is_pow2(align) || align % sizeof(void *))
		return EINVAL;
	p = do_aligned(align, size);
	if (!p) {
		errno = saved;	/* posix_memalign reports by its return value */
		return ENOMEM;
	}
	VG_ALLOC(p, size, false);
	*out = p;
	return 0;
}

static void *aligned_vg(size_t align, size_t size)
{
	void *p = do_aligned(align, size);

	VG_ALLOC(p, size, false);
	return p;
}

BM_EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (!is_pow2(align)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned_vg(align, size);
}

BM_EXPORT void *memalign(size_t align, size_t size)
{
	/* Stricter than glibc, which rounds a bad alignment up: a caller
	 * asking for one has a bug worth hearing about. */
	if (!is_pow2(align)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned_vg(align, size);
}

BM_EXPORT void *valloc(size_t size)
{
	return aligned_vg(PAGE_SIZE, size);
}

BM_EXPORT void *pvalloc(size_t size)
{
	size_t rounded = BM_ALIGN_UP(size, PAGE_SIZE);

	if (rounded < size) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned_vg(PAGE_SIZE, rounded ? rounded : PAGE_SIZE);
}

BM_EXPORT size_t malloc_usable_size(void *p)
{
	size_t usable = 0;

	if (p && classify(p, "malloc_usable_size", &usable) == OBJ_BAD)
		return 0;
	return usable;
}

BM_EXPORT void free_sized(void *p, size_t size)
{
	(void)size;
	api_free(p);
}

BM_EXPORT void free_aligned_sized(void *p, size_t align, size_t size)
{
	(void)align;
	(void)size;
	api_free(p);
}

BM_EXPORT int malloc_trim(size_t pad)
{
	(void)pad;
	if (!bm_init())
		return 0;
	bm_tcache_flush_current();
	return bm_reclaim_all() != 0;
}

BM_EXPORT void malloc_stats(void)
{
	bm_init();
	bm_stats_print(STDERR_FILENO);
}

BM_EXPORT struct mallinfo2 mallinfo2(void)
{
	struct mallinfo2 mi = { 0 };
	struct bm_usage u;

	bm_usage(&u);
	mi.arena = u.committed;
	mi.ordblks = u.free_blocks;
	mi.hblks = u.huge_count;
	mi.hblkhd = u.huge_bytes;
	mi.uordblks = u.committed - u.free;
	mi.fordblks = u.free;
	mi.keepcost = 0;
	return mi;
}

BM_EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m2 = mallinfo2();
	struct mallinfo mi = { 0 };

	mi.arena = (int)m2.arena;
	mi.ordblks = (int)m2.ordblks;
	mi.hblks = (int)m2.hblks;
	mi.hblkhd = (int)m2.hblkhd;
	mi.uordblks = (int)m2.uordblks;
	mi.fordblks = (int)m2.fordblks;
	return mi;
}

BM_EXPORT int mallopt(int param, int value)
{
	/* glibc's tunables (M_MMAP_THRESHOLD, M_ARENA_MAX, ...) describe its
	 * own heap; accept them so programs that set them carry on. */
	(void)param;
	(void)value;
	return 1;
}

/* C++ operators call these (new_delete.c). */
void *bm_malloc_internal(size_t size)
{
	void *p = do_malloc(size);

	VG_ALLOC(p, size, false);
	return p;
}

void *bm_aligned_internal(size_t align, size_t size)
{
	return aligned_vg(align, size);
}

void bm_free_internal(void *p)
{
	api_free(p);
}
