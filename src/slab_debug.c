/* SPDX-License-Identifier: MIT */
/*
 * slab_debug.c - small objects in the debug modes (debug.h).
 *
 * Allocation takes from the thread's debug bin, and with debug=poison
 * checks, before it hands an object out, every word a stray write could
 * have changed:
 *   - the free-list link (bytes 0-7) leads to NULL or to a carved object
 *     of the same slab (else the list is cut and the write reported);
 *   - the free marker (bytes 8-15) is the object's own, or NULL on an
 *     object never handed out, or the mark of an object whose page went
 *     back to the OS;
 *   - the poison (bytes 16 on) is whole.
 * Free, with debug=poison, poisons the whole object but its marker and
 * holds it in the thread's quarantine, a FIFO of up to QUARANTINE_BYTES,
 * before it goes back to its slab: a write during that time, at any
 * offset, is reported when the object leaves the quarantine (also at
 * thread and process exit).  A second free of a quarantined object is a
 * double free (bm_debug_quarantined).
 */
#include "bm.h"
#include "debug.h"
#include "error.h"
#include "os.h"
#include "slab.h"

#include <string.h>

#define QUARANTINE_SLOTS	4096
#define QUARANTINE_BYTES	(1u << 20)	/* per thread */

struct quarantine {
	uint32_t	head;		/* the oldest */
	uint32_t	count;
	size_t		bytes;
	void		*slot[QUARANTINE_SLOTS];
};

/* The thread's quarantine, mapped on its first debug free. */
static __thread struct quarantine *quarantine __attribute__((tls_model("initial-exec")));

static uint32_t obj_size(void *obj)
{
	return bm_class_size[virt_to_page(obj)->aux8];
}

/* Is next, the link read from obj, NULL or a carved object of obj's slab? */
static bool link_valid(void **obj, void **next, unsigned int cls)
{
	struct page *page;
	struct slab *s;
	uint32_t off;

	if (!next)
		return true;
	if (((uintptr_t)next ^ (uintptr_t)obj) & ~(uintptr_t)class_mask(cls))
		return false;	/* another slab, or no slab at all */
	page = virt_to_page(next);
	s = obj_slab(page, next, &off);
	return class_divides(cls, off) && off < (uint32_t)s->carved_end * 16;
}

void *bm_debug_slab_alloc(unsigned int cls)
{
	struct tcache_bin *bin = &bm_tc.debug_bins[cls];
	uint32_t size = bm_class_size[cls];
	void **obj = bin->freelist, **next;

	if (!obj && !(obj = bm_slab_refill(bin, cls)))
		return NULL;
	next = fl_next(obj);
	if ((bm_debug & BM_DEBUG_POISON) && !link_valid(obj, next, cls)) {
		bm_bad_object("malloc", obj, "written after it was freed (free-list link changed)",
			      size);
		next = NULL;	/* what the link led to is lost, not trusted */
	}
	bin->freelist = next;
	if (bm_debug & BM_DEBUG_POISON) {
		void *marker = obj[1];

		if (marker != NULL && marker != (void *)free_marker(obj) &&
		    marker != SLAB_MARKER_RESTORED)
			bm_bad_object("malloc", obj, "written after it was freed (free marker changed)",
				      size);
		else if (marker != SLAB_MARKER_RESTORED && bm_poison_check(obj, 16, size) != size)
			bm_bad_object("malloc", obj, "written after it was freed (poison changed)", size);
	}
	obj[1] = NULL;
	if (bm_debug & BM_DEBUG_JUNK)
		memset(obj, BM_JUNK_BYTE, size);
	return obj;
}

/* Poison an object for the quarantine: all of it but its marker. */
static void quarantine_poison(void **obj, uint32_t size)
{
	memset(obj, BM_POISON_BYTE, size);
	obj[1] = (void *)free_marker(obj);
}

/* Leave the quarantine: report a write since the free, then free for
 * real (the remote path, which links it and poisons it again). */
static void quarantine_release(void **obj)
{
	uint32_t size = obj_size(obj), off;

	if (bm_poison_check(obj, 0, 8) != 8 || obj[1] != (void *)free_marker(obj) ||
	    bm_poison_check(obj, 16, size) != size)
		bm_bad_object("free", obj, "written after it was freed (in quarantine)", size);
	obj[1] = NULL;		/* the remote free sets it, and would see a double free */
	bm_slab_free_remote(obj_slab(virt_to_page(obj), obj, &off), obj);
}

static void quarantine_pop(struct quarantine *q)
{
	void **obj = q->slot[q->head];

	q->head = (q->head + 1) % QUARANTINE_SLOTS;
	q->count--;
	q->bytes -= obj_size(obj);
	quarantine_release(obj);
}

void bm_debug_slab_free(struct slab *s, void *obj)
{
	struct quarantine *q = quarantine;
	uint32_t size = bm_class_size[s->size_class];

	if (!(bm_debug & BM_DEBUG_POISON)) {
		bm_slab_free_remote(s, obj);
		return;
	}
	if (!q) {
		q = bm_os_reserve(sizeof(*q), PAGE_SIZE);
		if (!q || !bm_os_commit(q, sizeof(*q))) {
			bm_slab_free_remote(s, obj);	/* no quarantine, still poisoned */
			return;
		}
		quarantine = q;
	}
	quarantine_poison(obj, size);
	q->slot[(q->head + q->count) % QUARANTINE_SLOTS] = obj;
	q->count++;
	q->bytes += size;
	while (q->count == QUARANTINE_SLOTS || q->bytes > QUARANTINE_BYTES)
		quarantine_pop(q);
}

bool bm_debug_quarantined(const void *obj)
{
	const struct quarantine *q = quarantine;

	for (uint32_t i = 0; q && i < q->count; i++)
		if (q->slot[(q->head + i) % QUARANTINE_SLOTS] == obj)
			return true;
	return false;
}

void bm_debug_quarantine_flush(void)
{
	struct quarantine *q = quarantine;

	if (!q)
		return;
	while (q->count)
		quarantine_pop(q);
	quarantine = NULL;
	bm_os_unmap(q, sizeof(*q));
}
