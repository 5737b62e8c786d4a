/* SPDX-License-Identifier: MIT */
/*
 * test.h - a tiny harness for the unit tests: CHECK and CHECK_EQ count
 * failures and name the expression, RUN_TEST prints PASS or FAIL per test,
 * test_exit() gives the automake driver its exit status.
 */
#ifndef BM_TEST_H
#define BM_TEST_H

#include <stdio.h>
#include <stdlib.h>

static int test_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		test_failures++; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
	if (_a != _b) { \
		fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%llu != %llu)\n", \
			__FILE__, __LINE__, #a, #b, _a, _b); \
		test_failures++; \
	} \
} while (0)

#define RUN_TEST(fn) do { \
	int _before = test_failures; \
	fn(); \
	fprintf(stderr, "%s: %s\n", test_failures == _before ? "PASS" : "FAIL", #fn); \
} while (0)

static inline int test_exit(void)
{
	return test_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A small deterministic PRNG (xorshift64*) so failures reproduce. */
static inline unsigned long long test_rand(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

#endif /* BM_TEST_H */
