/* SPDX-License-Identifier: MIT */
/*
 * buddymalloc.h - the public interface of libbuddymalloc beyond the
 * standard allocation functions.
 */
#ifndef BUDDYMALLOC_H
#define BUDDYMALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Give back to the operating system everything that can go now: the
 * calling thread's caches, empty slabs and every free page (other threads
 * drain their page caches on their next slow path).  Returns the bytes
 * given back.  malloc_trim(0) does the same.
 */
size_t buddymalloc_reclaim(void);

/*
 * Write the allocator's report to the file descriptor fd with write(2):
 * buddyinfo, pagetypeinfo, zoneinfo and vmstat, in the shapes of the
 * Linux /proc files of the same names.  Never allocates; safe from any
 * thread, also from a signal handler that did not interrupt the allocator.
 */
void buddymalloc_stats_print(int fd);

/*
 * Check the allocator's invariants (every committed page in exactly one
 * place, free lists consistent), print each violation to fd and return how
 * many were found.  Takes each zone lock in turn; meant for tests and
 * debugging, it walks every committed page.
 */
unsigned long buddymalloc_check(int fd);

#ifdef __cplusplus
}
#endif

#endif /* BUDDYMALLOC_H */
