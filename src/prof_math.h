/* SPDX-License-Identifier: MIT */
/*
 * prof_math.h - the two functions of the heap profiler's sampling that
 * would otherwise come from libm: ln for the exponential draw of the
 * bytes to the next sample, expm1 for what one sample stands for.
 *
 * libm is not linked: mapping it costs every process that preloads us
 * about 330 KiB of resident memory, a third of the allocator's own
 * footprint in a small program, for two calls the profiler makes
 * (prof=1 only).  Both are the textbook series after a range reduction,
 * accurate to a few ulps, which is far below the sampling noise.
 */
#ifndef BM_PROF_MATH_H
#define BM_PROF_MATH_H

#include <stdint.h>

#define BM_LN2	0.6931471805599453094

union bm_dbits {
	double		d;
	uint64_t	u;
};

/* ln x for a finite normal x > 0: x = m * 2^e with m in [sqrt(1/2),
 * sqrt(2)), ln m = 2 atanh((m - 1) / (m + 1)), whose series in
 * s = (m - 1) / (m + 1), |s| < 0.172, is done after 12 terms. */
static inline double bm_ln(double x)
{
	union bm_dbits v = { .d = x };
	int e = (int)((v.u >> 52) & 0x7ff) - 1023;
	double m, s, s2, term, sum = 0.0;

	v.u = (v.u & ((1ULL << 52) - 1)) | (1023ULL << 52);	/* [1, 2) */
	m = v.d;
	if (m > 1.4142135623730951) {
		m *= 0.5;
		e++;
	}
	s = (m - 1.0) / (m + 1.0);
	s2 = s * s;
	term = s;
	for (int k = 0; k < 12; k++) {
		sum += term / (double)(2 * k + 1);
		term *= s2;
	}
	return (double)e * BM_LN2 + 2.0 * sum;
}

/* e^r - 1 for |r| <= 0.5 by its Taylor series: 20 terms leave less than
 * 0.5^21 / 21! of it. */
static inline double bm_expm1_small(double r)
{
	double term = r, sum = 0.0;

	for (int k = 2; k <= 21; k++) {
		sum += term;
		term *= r / (double)k;
	}
	return sum;
}

/* e^y - 1 for y <= 0 (the profiler's only use): the series near 0;
 * else e^y = 2^k e^r with |r| <= ln2 / 2, 2^k built in the exponent
 * bits; below -40, -1 to the last bit. */
static inline double bm_expm1_neg(double y)
{
	union bm_dbits p;
	double k;

	if (y >= -0.5)
		return bm_expm1_small(y);
	if (y < -40.0)
		return -1.0;
	k = (double)(int)(y / BM_LN2 - 0.5);	/* round to nearest, y < 0 */
	p.u = (uint64_t)(1023 + (int)k) << 52;
	return p.d * (1.0 + bm_expm1_small(y - k * BM_LN2)) - 1.0;
}

#endif /* BM_PROF_MATH_H */
