/* SPDX-License-Identifier: MIT */
/*
 * owner_key.c - the owner key in the class map (page.h, slab.h): the
 * carved pages of a slab a thread owns carry its key, no other page
 * does, and free's owner path (free_keyed, malloc_fast.h) takes only
 * the start of a carved object of the thread's own slab: onto the bin
 * while it has room, else onto the slab's own list.  Everything else
 * (another thread's object, an interior pointer, an aligned pointer
 * past the slab's last object, an uncarved object, a slab let go) goes
 * the long way, which checks against the slab and reports.  A slab
 * no thread owns carries its adopter's key | PCM_ADOPTED, and its
 * adopter's frees go on the bin by the map too.
 */
#include "slabtest.h"
#include "malloc_fast.h"
#include "slab_node.h"

#include <pthread.h>

static struct slab *slab_of(void *p)
{
	uint32_t off;

	return obj_slab(virt_to_page(p), p, &off);
}

static uint16_t key_of(const void *p)
{
	return pcm_owner(bm_page_class[addr_to_pfn(p)]);
}

/* free's first step, as do_free takes it (false: the long way). */
static bool free_keyed_of(void *p)
{
	uintptr_t pfn;
	uint32_t e;

	return class_map_of(p, &pfn, &e) && free_keyed(p, pfn, e);
}

/* Pages of s from from to end: how many do not read class + 1 and key? */
static uint32_t pages_not(struct slab *s, uint32_t from, uint32_t end, uint16_t key)
{
	uint32_t bad = 0, pfn = page_to_pfn(slab_page(s));

	for (uint32_t i = from; i < end; i++)
		bad += bm_page_class[pfn + i] !=
		       (((uint32_t)s->size_class + 1) << PCM_CLASS_SHIFT | key);
	return bad;
}

/* A class whose slab has room past its last object for an aligned
 * pointer: objects * size + 16 <= slab bytes. */
static unsigned int class_with_tail(void)
{
	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++)
		if ((uint32_t)bm_class_objects[c] * bm_class_size[c] + 16 <=
		    (PAGE_SIZE << bm_class_order[c]) && bm_class_size[c] <= 1024)
			return c;
	return NR_SIZE_CLASSES;
}

static void *others_obj;

static void *other_thread(void *arg)
{
	(void)arg;
	CHECK(bm_tcache_init());
	others_obj = obj_alloc(size_to_class(64));
	return NULL;
}

static void test_keys(void)
{
	unsigned int cls = class_with_tail(), big = size_to_class(1024);
	uint16_t key = bm_tc.owner_key;
	struct slab *s, *b;
	void *first, *p, *past, *q;
	struct page *pg;
	uint32_t n;
	pthread_t t;

	CHECK(cls < NR_SIZE_CLASSES);
	expect_true(key != 0 && key != PCM_NO_OWNER && key == bm_tc.adopt_id,
		    "a live thread's key is its adopt id (%u)", key);

	/* Carve the first slab of cls whole: all its pages read the key. */
	n = bm_class_objects[cls];
	first = obj_alloc(cls);
	s = slab_of(first);
	for (uint32_t i = 1; i < n; i++)
		CHECK(obj_alloc(cls) != NULL);
	expect_u64_eq(s->carved, n, "slab of %u B carved whole", bm_class_size[cls]);
	expect_u64_eq(pages_not(s, 0, 1u << s->order, key), 0,
		      "pages of an owned slab, carved, reading class and key");

	/* A fresh slab of 1 KiB objects carves its first page only. */
	q = obj_alloc(big);
	b = slab_of(q);
	CHECK(b->order >= 1 && slab_carved_pages(b) == 1);
	expect_u64_eq(pages_not(b, 0, 1, key), 0, "its carved page reads the key");
	expect_u64_eq(pages_not(b, 1, 1u << b->order, PCM_NO_OWNER), 0,
		      "its uncarved pages read the class and no key");

	/* The owner path takes the start of one of its objects... */
	p = (char *)first + bm_class_size[cls];
	expect_true(free_keyed_of(p) && bm_tc.bins[cls].freelist == p,
		    "an object of an owned slab goes on the bin");
	CHECK(obj_alloc(cls) == p);
	/* ...and nothing else. */
	expect_true(!free_keyed_of((char *)p + 16), "an interior pointer goes the long way");
	past = (char *)slab_base(s) + (size_t)n * bm_class_size[cls];
	expect_u64_eq(key_of(past), key, "the slab's tail is on a page with the key");
	expect_true(!free_keyed_of(past), "an aligned pointer past the last object goes the long way");
	expect_true(!free_keyed_of((char *)slab_base(b) + PAGE_SIZE),
		    "an object not carved yet goes the long way");
	bm_tc.bins[cls].room = 0;
	expect_true(free_keyed_of(p) && s->freelist == p && bm_tc.bins[cls].freelist != p,
		    "a bin without room sends the object to its slab's own list");
	bin_refilled(&bm_tc.bins[cls], cls);

	CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(others_obj != NULL);
	expect_true(key_of(others_obj) != key, "another thread's slab has another key");
	expect_true(!free_keyed_of(others_obj), "another thread's object goes the long way");

	/* A thread without a key (0) matches every page that is no slab's:
	 * their class code turns every offset away. */
	pg = bm_alloc_pages(GFP_USER, 0);
	CHECK(pg != NULL && key_of(page_address(pg)) == 0);
	bm_tc.owner_key = 0;
	expect_true(!free_keyed_of(page_address(pg)),
		    "a keyless thread's free of a page block goes the long way");
	bm_tc.owner_key = key;
	bm_free_pages(pg, 0);

	/* A slab let go loses the key on every page. */
	bm_tcache_flush(&bm_tc);
	expect_u64_eq(pages_not(s, 0, 1u << s->order, PCM_NO_OWNER), 0, "a slab let go reads no key");
	expect_u64_eq(pages_not(b, 0, 1u << b->order, PCM_NO_OWNER), 0, "nor its neighbour");
	expect_true(!free_keyed_of(first), "its objects go the long way");
	CHECK_INVARIANTS();
}

/* A slab let go, with objects still allocated: the first of them freed
 * makes the thread the slab's adopter (bin_adopts, the long way), which
 * keys its carved pages with key | PCM_ADOPTED; the next go on the bin
 * by free_keyed, on bin_adopts's terms. */
#define ADOPT_OBJS	8
static void *objs[SLAB_MAX_OBJECTS + 1];

/* Pages of s's order from its first that carry a key. */
static uint32_t keyed_pages(struct slab *s)
{
	uint32_t n = 0, pfn = page_to_pfn(slab_page(s));

	for (uint32_t i = 0; i < (1u << bm_class_order[size_to_class(64)]); i++) {
		uint16_t o = pcm_owner(bm_page_class[pfn + i]);

		n += o != 0 && o != PCM_NO_OWNER;
	}
	return n;
}

static void test_adopter_keys(void)
{
	unsigned int cls = size_to_class(64);
	uint16_t key = bm_tc.owner_key;
	struct slab *s, *t;
	uint32_t n, e = 0;
	uintptr_t pfn = 0;

	/* The other thread's object of test_keys goes home: its slab, no
	 * thread's, holds no object of anyone's then. */
	CHECK(others_obj && class_map_of(others_obj, &pfn, &e) &&
	      slab_of_word(others_obj, pfn, e, &t));
	slab_free(t, others_obj);
	/* A fresh slab, all of it allocated: let go, it goes to the full
	 * list, and the next refill takes another. */
	bm_tcache_flush(&bm_tc);
	objs[0] = obj_alloc(cls);
	s = slab_of(objs[0]);
	n = 1;
	while (n < SLAB_MAX_OBJECTS && slab_of(objs[n] = obj_alloc(cls)) == s)
		n++;
	CHECK(n >= ADOPT_OBJS && bm_tc.bins[cls].slab != s);
	bm_tcache_flush(&bm_tc);
	CHECK(obj_alloc(cls) != NULL);		/* a new active slab, for its node */
	CHECK(atomic_load(&s->state) != SLAB_ACTIVE && atomic_load(&s->adopter) == 0);
	expect_u64_eq(key_of(objs[0]), PCM_NO_OWNER, "a slab let go has no key");
	expect_true(!free_keyed_of(objs[0]), "so its object goes the long way");

	CHECK(class_map_of(objs[0], &pfn, &e) && slab_of_word(objs[0], pfn, e, &t) && t == s);
	slab_free(s, objs[0]);
	expect_u64_eq(atomic_load(&s->adopter), key, "the thread adopted the slab");
	expect_u64_eq(pages_not(s, 0, slab_carved_pages(s), key | PCM_ADOPTED), 0,
		      "its carved pages carry the adopter key");
	expect_true(free_keyed_of(objs[1]) && bm_tc.bins[cls].freelist == objs[1],
		    "the adopter's next free goes on the bin by the map");
	bm_tc.bins[cls].room = (int16_t)(bm_bin_room[cls] - BIN_ADOPT_MAX);
	expect_true(!free_keyed_of(objs[2]), "past the adoption bound it goes the long way");
	bin_refilled(&bm_tc.bins[cls], cls);

	/* All of it freed, the bin's too: the slab is empty, and its pages
	 * keep no key (uncarved again, or given back). */
	for (uint32_t i = 2; i < n; i++) {
		CHECK(class_map_of(objs[i], &pfn, &e));
		if (!free_keyed(objs[i], pfn, e)) {
			CHECK(slab_of_word(objs[i], pfn, e, &t) && t == s);
			slab_free(s, objs[i]);
		}
	}
	bm_tcache_flush(&bm_tc);
	expect_u64_eq(keyed_pages(s), 0, "pages of the emptied slab that keep a key");
	CHECK_INVARIANTS();
}

/* class_starts_object against the division, every offset of every
 * class's slab. */
static void test_starts_object(void)
{
	uint64_t wrong = 0;

	for (unsigned int c = 0; c < NR_SIZE_CLASSES; c++) {
		uint32_t size = bm_class_size[c], bytes = PAGE_SIZE << bm_class_order[c];

		for (uint32_t off = 0; off < bytes; off++)
			wrong += class_starts_object(c, off) !=
				 (off % size == 0 && off / size < bm_class_objects[c]);
	}
	expect_u64_eq(wrong, 0, "offsets class_starts_object gets wrong");
}

int main(void)
{
	pt_setup("section_size=16M");
	CHECK(bm_tcache_init());
	RUN_TEST(test_starts_object);
	RUN_TEST(test_keys);
	RUN_TEST(test_adopter_keys);
	return test_exit();
}
