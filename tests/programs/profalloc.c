/* SPDX-License-Identifier: MIT */
/*
 * profalloc.c - known amounts allocated from known functions, for
 * prof.sh: small_objects keeps 32 MiB in 64-byte objects, large_objects
 * keeps 16 MiB in 256 KiB objects, freed_objects allocates 16 MiB in
 * 1 KiB objects and frees them.  Then the profile goes to argv[1]
 * through buddymalloc_prof_dump, found with dlsym: the program is linked
 * with nothing of ours and runs under LD_PRELOAD.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE	__attribute__((noinline, noclone))
#define SMALL		(32u << 20) / 64
#define LARGE		(16u << 20) / (256u << 10)
#define FREED		(16u << 20) / 1024

void small_objects(void);
void large_objects(void);
void freed_objects(void);

static void *small[SMALL];	/* not malloc'd: the arrays would be samples */
static void *large[LARGE];
static void *freed[FREED];

NOINLINE void small_objects(void)
{
	for (unsigned int i = 0; i < SMALL; i++)
		small[i] = malloc(64);
}

NOINLINE void large_objects(void)
{
	for (unsigned int i = 0; i < LARGE; i++)
		large[i] = malloc(256u << 10);
}

NOINLINE void freed_objects(void)
{
	for (unsigned int i = 0; i < FREED; i++)
		freed[i] = malloc(1024);
	for (unsigned int i = 0; i < FREED; i++)
		free(freed[i]);
}

int main(int argc, char **argv)
{
	int (*dump)(const char *);

	if (argc != 2) {
		fprintf(stderr, "usage: profalloc PROFILE\n");
		return 2;
	}
	small_objects();
	large_objects();
	freed_objects();
	*(void **)&dump = dlsym(RTLD_DEFAULT, "buddymalloc_prof_dump");
	if (!dump) {
		fprintf(stderr, "profalloc: no buddymalloc_prof_dump: libbuddymalloc is not loaded\n");
		return 3;
	}
	if (dump(argv[1]) != 0) {
		perror("profalloc: buddymalloc_prof_dump");
		return 4;
	}
	return small[SMALL - 1] && large[LARGE - 1] ? 0 : 5;
}
