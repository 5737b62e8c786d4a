/* SPDX-License-Identifier: MIT */
/*
 * version.c - buddymalloc_version() says the version of the header's
 * BUDDYMALLOC_VERSION_MAJOR/MINOR/PATCH, and both agree with the version
 * configure was made with (PACKAGE_VERSION, from AC_INIT).
 */
#include <config.h>
#include "api.h"

#include <buddymalloc.h>

int main(void)
{
	char want[64];

	snprintf(want, sizeof(want), "%d.%d.%d", BUDDYMALLOC_VERSION_MAJOR,
		 BUDDYMALLOC_VERSION_MINOR, BUDDYMALLOC_VERSION_PATCH);
	expect_ptr_not_null(buddymalloc_version(), "a version string");
	expect_str_eq(buddymalloc_version(), want, "the header's version");
	expect_str_eq(PACKAGE_VERSION, want, "configure's AC_INIT version");
	return test_exit();
}
