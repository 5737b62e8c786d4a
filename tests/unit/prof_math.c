/* SPDX-License-Identifier: MIT */
/*
 * prof_math.c - the profiler's own ln and expm1 (src/prof_math.h) agree
 * with libm's to a few ulps over the ranges the sampling uses: ln over
 * (0, 1] (the uniform draw, down to 2^-53) and beyond, expm1 over
 * [-60, 0] (minus a size over the sample interval), including the
 * series' edge at -0.5 and values so small that e^y - 1 would cancel.
 */
#include "test.h"
#include "prof_math.h"

#include <math.h>

#define REL_MAX	4e-15	/* about 18 ulps: far below the sampling noise */

/* The largest relative error seen, and where. */
struct worst {
	double	err, at;
};

static void note(struct worst *w, double got, double want, double at)
{
	double e = want == 0.0 ? fabs(got) : fabs(got - want) / fabs(want);

	if (e > w->err) {
		w->err = e;
		w->at = at;
	}
}

static void test_ln(void)
{
	struct worst w = { 0 };

	for (double x = 0x1p-53; x < 1e6; x *= 1.000731)
		note(&w, bm_ln(x), log(x), x);
	note(&w, bm_ln(0x1p-53), -53 * M_LN2, 0x1p-53);
	expect_true(w.err < REL_MAX, "ln: relative error %g at %.17g", w.err, w.at);
	expect_true(bm_ln(1.0) == 0.0, "ln(1) = %g", bm_ln(1.0));
}

static void test_expm1(void)
{
	struct worst w = { 0 };

	for (double y = -60.0; y <= 0.0; y += 0.000731)
		note(&w, bm_expm1_neg(y), expm1(y), y);
	for (double y = -1e-300; y > -0.6; y *= 1.37)
		note(&w, bm_expm1_neg(y), expm1(y), y);
	expect_true(w.err < REL_MAX, "expm1: relative error %g at %.17g", w.err, w.at);
	expect_true(bm_expm1_neg(0.0) == 0.0, "expm1(0) = %g", bm_expm1_neg(0.0));
	expect_true(bm_expm1_neg(-1000.0) == -1.0, "expm1(-1000)");
}

int main(void)
{
	RUN_TEST(test_ln);
	RUN_TEST(test_expm1);
	return test_exit();
}
