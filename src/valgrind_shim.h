/* SPDX-License-Identifier: MIT */
/*
 * valgrind_shim.h - memcheck's view of our blocks.
 *
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
