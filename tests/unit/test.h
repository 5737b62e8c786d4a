/* SPDX-License-Identifier: MIT */
/*
 * test.h - a tiny harness for the unit and API tests, after jemalloc's.
 *
 * Typed expectations, each with a printf-style message that says what
 * was being checked:
 *
 *	expect_true(cond, fmt, ...)		expect_false(cond, fmt, ...)
 *	expect_zu_eq/ne/lt/le/gt/ge(a, b, fmt, ...)	size_t
 *	expect_u64_eq/ne/lt/le/gt/ge(a, b, fmt, ...)	uint64_t
 *	expect_d_eq/ne/lt/le/gt/ge(a, b, fmt, ...)	int
 *	expect_u_eq/ne/lt/le/gt/ge(a, b, fmt, ...)	unsigned int
 *	expect_ptr_eq/ne(a, b, fmt, ...), expect_ptr_null/not_null(p, fmt, ...)
 *	expect_str_eq(a, b, fmt, ...)
 *
 * A failed expectation prints file:line, both expressions as written, the
 * values they had, and the message, then counts a failure; the test goes
 * on.  CHECK(cond) and CHECK_EQ(a, b) are the older, message-less forms,
 * kept on top of these.
 *
 * Test cases: RUN_TEST(fn) runs one and prints PASS or FAIL.  A file whose
 * cases are independent lists them for RUN_TESTS or RUN_TESTS_BOTH_ORDERS:
 *
 *	static const struct test_case cases[] = { TEST_CASE(a), TEST_CASE(b) };
 *	RUN_TESTS(cases);		in order; reversed with TEST_REVERSE=1
 *	RUN_TESTS_BOTH_ORDERS(cases);	forward then reversed, in one process
 *
 * In the environment, TEST_REVERSE=1 runs the list reversed (once) and
 * TEST_ONLY=name runs that case alone; TEST_LIST=1 prints the names.
 *
 * No malloc here (tests run where malloc is libbuddymalloc): stderr is
 * unbuffered, and the messages are formatted straight onto it.
 */
#ifndef BM_TEST_H
#define BM_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_failures;

/* The message part of a failure report: ends the line, counts it. */
static inline void __attribute__((format(printf, 1, 2), unused))
test_fail_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	test_failures++;
}

/* a op b for operands of one type, printed with the conversion pri. */
#define expect_cmp_(type, pri, ta, tb, a, b, op, ...) do { \
	type expect_a_ = (a); \
	type expect_b_ = (b); \
	if (!(expect_a_ op expect_b_)) { \
		fprintf(stderr, "%s:%d: Failed expectation: (%s) %s (%s) --> " \
			"%" pri " %s %" pri ": ", __FILE__, __LINE__, ta, #op, tb, \
			expect_a_, #op, expect_b_); \
		test_fail_msg(__VA_ARGS__); \
	} \
} while (0)

#define expect_true(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: Failed expectation: (%s) is false: ", \
			__FILE__, __LINE__, #cond); \
		test_fail_msg(__VA_ARGS__); \
	} \
} while (0)
#define expect_false(cond, ...) do { \
	if (cond) { \
		fprintf(stderr, "%s:%d: Failed expectation: (%s) is true: ", \
			__FILE__, __LINE__, #cond); \
		test_fail_msg(__VA_ARGS__); \
	} \
} while (0)

#define expect_zu_eq(a, b, ...)	expect_cmp_(size_t, "zu", #a, #b, a, b, ==, __VA_ARGS__)
#define expect_zu_ne(a, b, ...)	expect_cmp_(size_t, "zu", #a, #b, a, b, !=, __VA_ARGS__)
#define expect_zu_lt(a, b, ...)	expect_cmp_(size_t, "zu", #a, #b, a, b, <, __VA_ARGS__)
#define expect_zu_le(a, b, ...)	expect_cmp_(size_t, "zu", #a, #b, a, b, <=, __VA_ARGS__)
#define expect_zu_gt(a, b, ...)	expect_cmp_(size_t, "zu", #a, #b, a, b, >, __VA_ARGS__)
#define expect_zu_ge(a, b, ...)	expect_cmp_(size_t, "zu", #a, #b, a, b, >=, __VA_ARGS__)

#define expect_u64_eq(a, b, ...) expect_cmp_(uint64_t, PRIu64, #a, #b, a, b, ==, __VA_ARGS__)
#define expect_u64_ne(a, b, ...) expect_cmp_(uint64_t, PRIu64, #a, #b, a, b, !=, __VA_ARGS__)
#define expect_u64_lt(a, b, ...) expect_cmp_(uint64_t, PRIu64, #a, #b, a, b, <, __VA_ARGS__)
#define expect_u64_le(a, b, ...) expect_cmp_(uint64_t, PRIu64, #a, #b, a, b, <=, __VA_ARGS__)
#define expect_u64_gt(a, b, ...) expect_cmp_(uint64_t, PRIu64, #a, #b, a, b, >, __VA_ARGS__)
#define expect_u64_ge(a, b, ...) expect_cmp_(uint64_t, PRIu64, #a, #b, a, b, >=, __VA_ARGS__)

#define expect_d_eq(a, b, ...)	expect_cmp_(int, "d", #a, #b, a, b, ==, __VA_ARGS__)
#define expect_d_ne(a, b, ...)	expect_cmp_(int, "d", #a, #b, a, b, !=, __VA_ARGS__)
#define expect_d_lt(a, b, ...)	expect_cmp_(int, "d", #a, #b, a, b, <, __VA_ARGS__)
#define expect_d_le(a, b, ...)	expect_cmp_(int, "d", #a, #b, a, b, <=, __VA_ARGS__)
#define expect_d_gt(a, b, ...)	expect_cmp_(int, "d", #a, #b, a, b, >, __VA_ARGS__)
#define expect_d_ge(a, b, ...)	expect_cmp_(int, "d", #a, #b, a, b, >=, __VA_ARGS__)

#define expect_u_eq(a, b, ...)	expect_cmp_(unsigned int, "u", #a, #b, a, b, ==, __VA_ARGS__)
#define expect_u_ne(a, b, ...)	expect_cmp_(unsigned int, "u", #a, #b, a, b, !=, __VA_ARGS__)
#define expect_u_lt(a, b, ...)	expect_cmp_(unsigned int, "u", #a, #b, a, b, <, __VA_ARGS__)
#define expect_u_le(a, b, ...)	expect_cmp_(unsigned int, "u", #a, #b, a, b, <=, __VA_ARGS__)
#define expect_u_gt(a, b, ...)	expect_cmp_(unsigned int, "u", #a, #b, a, b, >, __VA_ARGS__)
#define expect_u_ge(a, b, ...)	expect_cmp_(unsigned int, "u", #a, #b, a, b, >=, __VA_ARGS__)

#define expect_ptr_eq(a, b, ...) \
	expect_cmp_(const void *, "p", #a, #b, a, b, ==, __VA_ARGS__)
#define expect_ptr_ne(a, b, ...) \
	expect_cmp_(const void *, "p", #a, #b, a, b, !=, __VA_ARGS__)
#define expect_ptr_null(p, ...) \
	expect_cmp_(const void *, "p", #p, "NULL", p, NULL, ==, __VA_ARGS__)
#define expect_ptr_not_null(p, ...) \
	expect_cmp_(const void *, "p", #p, "NULL", p, NULL, !=, __VA_ARGS__)

#define expect_str_eq(a, b, ...) do { \
	const char *expect_a_ = (a), *expect_b_ = (b); \
	if (!expect_a_ || !expect_b_ || strcmp(expect_a_, expect_b_) != 0) { \
		fprintf(stderr, "%s:%d: Failed expectation: (%s) == (%s) --> " \
			"\"%s\" == \"%s\": ", __FILE__, __LINE__, #a, #b, \
			expect_a_ ? expect_a_ : "(null)", expect_b_ ? expect_b_ : "(null)"); \
		test_fail_msg(__VA_ARGS__); \
	} \
} while (0)

/* The older forms: no message of their own.  CHECK_EQ compares as
 * unsigned long long, as it always did. */
#define CHECK(cond) expect_true(cond, "CHECK")
#define CHECK_EQ(a, b) expect_cmp_(unsigned long long, "llu", #a, #b, \
	(unsigned long long)(a), (unsigned long long)(b), ==, "CHECK_EQ")

/* ------------------------------------------------------------ test cases */

#define RUN_TEST(fn) do { \
	int run_test_before_ = test_failures; \
	fn(); \
	fprintf(stderr, "%s: %s\n", test_failures == run_test_before_ ? "PASS" : "FAIL", #fn); \
} while (0)

struct test_case {
	const char	*name;
	void		(*fn)(void);
};
#define TEST_CASE(fn)	{ #fn, fn }

static inline bool test_env_set(const char *name)
{
	const char *v = getenv(name);	/* glibc's getenv never allocates */

	return v && *v && strcmp(v, "0") != 0;
}

static inline void test_run_one(const struct test_case *c, const char *pass)
{
	int before = test_failures;

	c->fn();
	fprintf(stderr, "%s: %s%s\n", test_failures == before ? "PASS" : "FAIL",
		c->name, pass);
}

/* Run the cases: forward, reversed (TEST_REVERSE=1), or forward then
 * reversed when both_orders; TEST_ONLY=name runs that one alone and
 * TEST_LIST=1 prints the names instead.  A name that is not there is a
 * failure: it would run nothing. */
static inline void __attribute__((unused))
test_run_cases(const struct test_case *cases, size_t n, bool both_orders)
{
	const char *only = getenv("TEST_ONLY");
	bool reverse = test_env_set("TEST_REVERSE");

	if (test_env_set("TEST_LIST")) {
		for (size_t i = 0; i < n; i++)
			dprintf(STDOUT_FILENO, "%s\n", cases[i].name);
		return;
	}
	if (only && *only) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(cases[i].name, only) == 0) {
				test_run_one(&cases[i], " (alone)");
				return;
			}
		fprintf(stderr, "FAIL: TEST_ONLY=%s names no test case\n", only);
		test_failures++;
		return;
	}
	if (!reverse)
		for (size_t i = 0; i < n; i++)
			test_run_one(&cases[i], "");
	if (reverse || both_orders)
		for (size_t i = n; i-- > 0;)
			test_run_one(&cases[i], " (reversed order)");
}

#define TEST_NR_CASES(cases)	(sizeof(cases) / sizeof((cases)[0]))
#define RUN_TESTS(cases)	test_run_cases(cases, TEST_NR_CASES(cases), false)
#define RUN_TESTS_BOTH_ORDERS(cases) test_run_cases(cases, TEST_NR_CASES(cases), true)

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
