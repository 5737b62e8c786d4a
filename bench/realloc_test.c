/* SPDX-License-Identifier: MIT */
/*
 * realloc_test.c - realloc-heavy growth and shrinking.
 *
 * Models code that builds strings and vectors by appending: each thread
 * keeps a set of buffers and, step by step, grows a random one by a few
 * bytes with realloc (each buffer has its own random cap between
 * -s and -S bytes), and once a buffer reaches its cap either shrinks it
 * back to a few bytes with realloc or frees it.  Every byte appended is
 * derived from its offset and checked after each move, so a realloc that
 * loses data fails the run.
 *
 * -t threads, -n total realloc calls, -x buffers per thread, -s/-S caps.
 */
#include "bench_util.h"

struct rbuf {
	unsigned char *p;
	size_t len, cap;
};

struct rt {
	struct bench_thread t;
	long steps;
};

static unsigned char rt_byte(size_t off)
{
	return (unsigned char)(off * 131 + (off >> 8));
}

static int rt_ok(const struct rbuf *b)
{
	return !b->len || (b->p[0] == rt_byte(0) && b->p[b->len - 1] == rt_byte(b->len - 1) &&
			   b->p[b->len / 2] == rt_byte(b->len / 2));
}

static void rt_resize(struct rt *t, struct rbuf *b, size_t len)
{
	unsigned char *p = realloc(b->p, len);
	size_t i;

	if (!p)
		bench_oom(len);
	b->p = p;
	if (len < b->len)
		b->len = len;
	t->t.bad += !rt_ok(b);
	for (i = b->len; i < len; i++)
		p[i] = rt_byte(i);
	b->len = len;
}

static void rt_step(struct rt *t, struct rbuf *b)
{
	struct bench_rng *r = &t->t.rng;
	const struct bench_args *a = t->t.args;

	if (!b->cap)
		b->cap = bench_rng_logsize(r, a->min_size, a->max_size);
	if (b->len < b->cap) {
		rt_resize(t, b, b->len + 1 + (size_t)bench_rng_below(r, 64));
		return;
	}
	if (bench_rng_below(r, 2)) {
		rt_resize(t, b, 1 + (size_t)bench_rng_below(r, 16));
	} else {
		free(b->p);
		b->p = NULL;
		b->len = 0;
	}
	b->cap = 0;
}

static void *rt_thread(void *arg)
{
	struct rt *t = arg;
	size_t n = (size_t)t->t.args->extra, i;
	struct rbuf *v = calloc(n, sizeof(*v));
	long s;

	if (!v)
		bench_oom(n * sizeof(*v));
	for (s = 0; s < t->steps; s++)
		rt_step(t, &v[bench_rng_below(&t->t.rng, n)]);
	for (i = 0; i < n; i++)
		free(v[i].p);
	free(v);
	t->t.ops = t->steps;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "realloc", .threads = 2, .iters = 6000000,
		.quick_iters = 1000000, .min_size = 64, .max_size = 64 * 1024,
		.extra = 256, .seed = 1,
	};
	struct rt *ts;
	int i, status;

	bench_parse(&a, argc, argv, "buffers grown by realloc, then shrunk or freed");
	if (a.extra < 1)
		a.extra = 1;
	ts = bench_threads_new(a.threads, sizeof(*ts));
	for (i = 0; i < a.threads; i++)
		ts[i].steps = a.iters / a.threads;
	status = bench_run_checked(&a, ts, sizeof(*ts), rt_thread, "corrupt",
				   "buffers lost data");
	free(ts);
	return status;
}
