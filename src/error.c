/* SPDX-License-Identifier: MIT */
/* error.c - internal bugs and bad pointers from the program, reported with
 * write(2) (see error.h and bm.h). */
#include "bm.h"
#include "error.h"
#include "fmt.h"
#include "options.h"

#include <stdlib.h>
#include <unistd.h>

void bm_bug(const char *file, int line, const char *cond)
{
	bm_dprintf(STDERR_FILENO, "libbuddymalloc: BUG at %s:%d: %s\n",
		   file, line, cond);
	abort();
}

void bm_bad_object(const char *op, const void *p, const char *what, size_t size)
{
	if (size)
		bm_warn("invalid %s of %p: %s (size class %lu bytes)", op, p, what,
			(unsigned long)size);
	else
		bm_warn("invalid %s of %p: %s", op, p, what);
	if (bm_opt_abort_on_error)
		abort();
}

void bm_bad_pointer(const char *op, const void *p, const char *what)
{
	bm_bad_object(op, p, what, 0);
}
