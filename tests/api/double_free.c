/* SPDX-License-Identifier: MIT */
/*
 * double_free.c - a double free is named a double free in every size
 * range, and two threads freeing one object at once never get it handed
 * out twice (#15, point 4).
 *
 *   sequential  free twice: 64 B, 4 KiB and 8 KiB (slab objects), 40,000
 *               and 131,072 B (page runs), 1 MiB (a buddy block), 70 MiB
 *               (a mapping), then allocate the size again (a slab object
 *               is caught when it would be handed out twice); and a 4 KiB
 *               object freed by its owner, then by another thread.  Each
 *               must abort with "double free".
 *   owner_list  a small object freed twice onto its slab's own list by
 *               its owner, which then exits with a neighbour still live:
 *               reported when the slab's lists are checked, the
 *               neighbour untouched, nothing handed out twice.
 *   race        objects allocated by a thread that has exited (so every
 *               free is a remote one) freed by two threads released at
 *               once from a barrier, 2,000 times, with abort_on_error=0:
 *               the allocator must report the races it catches and must
 *               never hand one block out twice.
 *   adopt       the same, 8 at a time, by two threads that have a slab
 *               of the size (so each free is adopted by the freer's
 *               bin), and after each 8 both allocate 8 at once and keep
 *               them: whichever way the allocator settles which bin gets
 *               an object both freed, the pops race, and no block may be
 *               live in both threads.
 * Fails without our allocator (skips only with
 * BM_TEST_ALLOW_FOREIGN_MALLOC=1; see api.h).
 */
#include "api.h"

#include <pthread.h>

static char out[1 << 16];

static void free_twice(void *arg)
{
	size_t size = (size_t)(uintptr_t)arg;
	volatile uintptr_t p = (uintptr_t)malloc(size);

	memset((void *)p, 1, size);
	free((void *)p);
	free((void *)p);
	/* A slab object freed twice is caught when it would be handed out
	 * again: free does not read the object (docs/performance.md). */
	for (int i = 0; i < 4; i++)
		p = (uintptr_t)malloc(size);
	_exit(0);
}

static void *free_it(void *arg)
{
	free(arg);
	return NULL;
}

static void owner_then_other(void *arg)
{
	volatile uintptr_t p = (uintptr_t)malloc(4096);
	pthread_t t;

	(void)arg;
	free((void *)p);	/* the owner: onto the slab's own list */
	pthread_create(&t, NULL, free_it, (void *)p);
	pthread_join(t, NULL);
	_exit(0);
}

static void test_sequential(void)
{
	static const size_t sizes[] = { 64, 4096, 8192, 40000, 131072, 1 << 20, 70u << 20 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int st = run_child(free_twice, (void *)(uintptr_t)sizes[i], NULL, NULL,
				   out, sizeof(out), 30);

		expect_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
			    "%zu B freed twice: abort (status 0x%x): %s", sizes[i], st, out);
		expect_ptr_not_null(strstr(out, "double free"),
				    "%zu B freed twice: named a double free: %s", sizes[i], out);
	}
	{
		int st = run_child(owner_then_other, NULL, NULL, NULL, out, sizeof(out), 30);

		expect_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
			    "freed by its owner, then by another thread: abort (0x%x): %s", st, out);
		expect_ptr_not_null(strstr(out, "double free"),
				    "freed by its owner, then by another thread: named: %s", out);
	}
}

#define RACES	2000
#define BATCH	64

static void *objs[RACES];
static pthread_barrier_t go;

static void *make(void *arg)
{
	for (int i = 0; i < RACES; i++)
		objs[i] = malloc((size_t)(uintptr_t)arg);
	return NULL;	/* exits: its slabs are no one's now */
}

static void *racer(void *arg)
{
	(void)arg;
	for (int i = 0; i < RACES; i++) {
		pthread_barrier_wait(&go);
		free(objs[i]);
	}
	return NULL;
}

static void race(void *arg)
{
	size_t size = (size_t)(uintptr_t)arg;
	pthread_t m, a, b;
	void *v[BATCH];
	int dup = 0;

	pthread_create(&m, NULL, make, arg);
	pthread_join(m, NULL);
	pthread_barrier_init(&go, NULL, 2);
	pthread_create(&a, NULL, racer, NULL);
	pthread_create(&b, NULL, racer, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	/* Nothing freed twice may come back twice. */
	for (int round = 0; round < RACES / BATCH * 2; round++) {
		for (int i = 0; i < BATCH; i++) {
			v[i] = malloc(size);
			for (int j = 0; j < i; j++)
				dup += v[j] == v[i];
		}
		for (int i = 0; i < BATCH; i++)
			free(v[i]);
	}
	if (dup)
		fprintf(stderr, "%d blocks handed out twice\n", dup);
	_exit(dup ? 1 : 0);
}

/* Each racer keeps every block it allocates: no block is freed after it
 * was handed out, so one live in both threads was handed out twice.
 * A round: both free the same ADOPT_K blocks at once (each bin adopts
 * them: the racers have a slab of the size), then both allocate
 * ADOPT_K at once, which pops what their bins adopted. */
#define ADOPT_K	8
static void *got[2][RACES];
static pthread_barrier_t round_done;

static void *adopt_racer(void *arg)
{
	void **mine = arg;
	size_t size = (size_t)(uintptr_t)mine[0];
	void **keep = mine[1];
	void *own = malloc(size);	/* a slab of the size: frees are adopted */

	for (int r = 0; r + ADOPT_K <= RACES; r += ADOPT_K) {
		pthread_barrier_wait(&go);
		for (int i = r; i < r + ADOPT_K; i++)
			free(objs[i]);
		pthread_barrier_wait(&round_done);
		for (int i = r; i < r + ADOPT_K; i++)
			keep[i] = malloc(size);
	}
	(void)own;	/* kept too: the bin keeps its slab */
	return NULL;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void adopt_race(void *arg)
{
	static void *all[2 * RACES];
	void *args[2][2] = { { arg, got[0] }, { arg, got[1] } };
	pthread_t m, a, b;
	int dup = 0;

	pthread_create(&m, NULL, make, arg);
	pthread_join(m, NULL);
	pthread_barrier_init(&go, NULL, 2);
	pthread_barrier_init(&round_done, NULL, 2);
	pthread_create(&a, NULL, adopt_racer, args[0]);
	pthread_create(&b, NULL, adopt_racer, args[1]);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	memcpy(all, got[0], sizeof(got[0]));
	memcpy(all + RACES, got[1], sizeof(got[1]));
	qsort(all, 2 * RACES, sizeof(all[0]), cmp_ptr);
	for (int i = 1; i < 2 * RACES; i++)
		dup += all[i] && all[i] == all[i - 1];
	if (dup)
		fprintf(stderr, "%d blocks live in both threads\n", dup);
	_exit(dup ? 1 : 0);
}

#define OWNER_N		3000

static unsigned char *kept;	/* live, in the same slab as the one freed twice */

/* The owner frees one object twice after its bin ran out of room, so
 * both frees put it on its slab's own list; then it frees the rest, but
 * for a neighbour it keeps, and exits.  The counts then say the slab is
 * empty.  Nothing read the object at either free: the slab's lists are
 * checked before the slab goes back, and every object handed out after
 * is checked too, so the double free is reported, the neighbour keeps
 * its contents and no block is ever handed out twice. */
static void *owner_list_thread(void *arg)
{
	static void *o[OWNER_N];

	(void)arg;
	for (int i = 0; i < OWNER_N; i++)
		o[i] = malloc(64);
	kept = o[OWNER_N / 2 - 2];
	memset(kept, 0x5a, 64);
	for (int i = 0; i < OWNER_N / 2; i++)
		if (o[i] != kept)
			free(o[i]);
	free(o[OWNER_N / 2 - 1]);
	for (int i = OWNER_N / 2; i < OWNER_N; i++)
		free(o[i]);
	return NULL;
}

static void owner_list(void)
{
	static void *w[OWNER_N];
	pthread_t t;
	void *v[BATCH];
	int dup = 0, bad = 0;

	pthread_create(&t, NULL, owner_list_thread, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < OWNER_N; i++) {
		w[i] = malloc(64);
		memset(w[i], 0xa5, 64);
	}
	for (int round = 0; round < OWNER_N / BATCH * 2; round++) {
		for (int i = 0; i < BATCH; i++) {
			v[i] = malloc(64);
			for (int j = 0; j < i; j++)
				dup += v[j] == v[i];
		}
		for (int i = 0; i < BATCH; i++)
			free(v[i]);
	}
	for (int i = 0; i < 64; i++)
		bad += kept[i] != 0x5a;
	if (dup || bad)
		fprintf(stderr, "%d blocks handed out twice, %d bytes of a live block changed\n",
			dup, bad);
	_exit(dup || bad ? 1 : 0);
}

static void test_owner_list(void)
{
	int st = run_self("owner_list", "abort_on_error=0", out, sizeof(out), 60);

	expect_true(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "owner_list: never handed out twice (status 0x%x): %.2000s", st, out);
	expect_ptr_not_null(strstr(out, "double free"), "owner_list: reported: %.2000s", out);
}

/* race*: remote frees racing; adopt*: adopting frees racing, and the
 * pops after them. */
static void test_race(void)
{
	static const char *const modes[] = { "race4096", "race8192", "adopt64", "adopt4096" };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int st = run_self(modes[i], "abort_on_error=0", out, sizeof(out), 60);

		expect_true(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			    "%s: objects freed by two threads at once are never handed out "
			    "twice (status 0x%x): %.2000s", modes[i], st, out);
		expect_ptr_not_null(strstr(out, "double free"),
				    "%s: races caught and reported", modes[i]);
	}
}

int main(int argc, char **argv)
{
	if (!bm_active())
		return bm_not_active();
	if (argc > 1) {
		if (!strcmp(argv[1], "race4096"))
			race((void *)(uintptr_t)4096);
		if (!strcmp(argv[1], "race8192"))
			race((void *)(uintptr_t)8192);
		if (!strcmp(argv[1], "adopt64"))
			adopt_race((void *)(uintptr_t)64);
		if (!strcmp(argv[1], "adopt4096"))
			adopt_race((void *)(uintptr_t)4096);
		if (!strcmp(argv[1], "owner_list"))
			owner_list();
		return 2;
	}
	test_sequential();
	test_race();
	test_owner_list();
	return test_exit();
}
