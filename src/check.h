/* SPDX-License-Identifier: MIT */
/* check.h - the invariant walk over every zone (tests and debug). */
#ifndef BM_CHECK_H
#define BM_CHECK_H

#include "mmzone.h"

/* Walk every zone under its lock; print each violation to fd; return how
 * many were found (0: every committed page is in exactly one place). */
unsigned long bm_check_invariants(int fd);

#endif /* BM_CHECK_H */
