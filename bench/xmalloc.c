/* SPDX-License-Identifier: MIT */
/*
 * xmalloc.c - producer/consumer allocation, after xmalloc-test.
 *
 * Half of the threads only allocate: they fill batches of objects of
 * random size and push each full batch on a shared queue.  The other half
 * only free: they pop batches and free every object.  Nearly every free
 * is therefore a remote free of memory some other thread allocated,
 * which is the case that allocators with thread caches handle worst.
 *
 * -t total threads (at least one producer and one consumer), -n objects,
 * -x objects per batch, -s/-S object sizes.
 */
#include "bench_util.h"

struct batch {
	struct batch *next;
	int n;
	void *obj[];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	struct batch *head;
	long queued;
	int producers_left;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.room = PTHREAD_COND_INITIALIZER,
};

#define XM_MAX_QUEUED 64	/* bounds live memory */

struct xm {
	struct bench_thread t;
	long objects;
	int producer;
};

static void q_push(struct batch *b)
{
	pthread_mutex_lock(&q.lock);
	while (q.queued >= XM_MAX_QUEUED)
		pthread_cond_wait(&q.room, &q.lock);
	b->next = q.head;
	q.head = b;
	q.queued++;
	pthread_cond_signal(&q.more);
	pthread_mutex_unlock(&q.lock);
}

/* NULL once every producer is done and the queue is empty. */
static struct batch *q_pop(void)
{
	struct batch *b;

	pthread_mutex_lock(&q.lock);
	while (!q.head && q.producers_left)
		pthread_cond_wait(&q.more, &q.lock);
	b = q.head;
	if (b) {
		q.head = b->next;
		q.queued--;
		pthread_cond_signal(&q.room);
	}
	pthread_mutex_unlock(&q.lock);
	return b;
}

static void produce(struct xm *x)
{
	const struct bench_args *a = x->t.args;
	int per = (int)a->extra;
	long done = 0;

	while (done < x->objects) {
		struct batch *b = bench_xmalloc(sizeof(*b) + sizeof(void *) * (size_t)per);

		for (b->n = 0; b->n < per && done < x->objects; b->n++, done++)
			b->obj[b->n] = bench_alloc(bench_rng_logsize(&x->t.rng,
					a->min_size, a->max_size), (unsigned char)done);
		q_push(b);
	}
	x->t.ops = done;
	pthread_mutex_lock(&q.lock);
	if (!--q.producers_left)
		pthread_cond_broadcast(&q.more);
	pthread_mutex_unlock(&q.lock);
}

static void consume(struct xm *x)
{
	struct batch *b;
	unsigned long sum = 0;
	long freed = 0;
	int i;

	while ((b = q_pop())) {
		for (i = 0; i < b->n; i++) {
			sum += *(unsigned char *)b->obj[i];
			free(b->obj[i]);
		}
		freed += b->n;
		free(b);
	}
	bench_sink(sum);
	x->t.ops = freed;
}

static void *xm_thread(void *arg)
{
	struct xm *x = arg;

	if (x->producer)
		produce(x);
	else
		consume(x);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.name = "xmalloc", .threads = 2, .iters = 6000000,
		.quick_iters = 800000, .min_size = 8, .max_size = 512,
		.extra = 256, .seed = 1,
	};
	struct xm *xs;
	int i, np, n;
	double t0, el;
	long ops;

	bench_parse(&a, argc, argv,
		    "producer threads allocate, consumer threads free");
	n = a.threads < 2 ? 2 : a.threads;
	np = n / 2;
	if (a.extra < 1)
		a.extra = 1;
	xs = bench_threads_new(n, sizeof(*xs));
	for (i = 0; i < np; i++) {
		xs[i].producer = 1;
		xs[i].objects = a.iters / np;
	}
	q.producers_left = np;
	t0 = bench_now();
	ops = bench_run_threads(&a, n, xs, sizeof(*xs), xm_thread);
	el = bench_now() - t0;
	free(xs);
	bench_result(&a, ops, el, "producers=%d consumers=%d", np, n - np);
	return 0;
}
