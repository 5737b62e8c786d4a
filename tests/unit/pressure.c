/* SPDX-License-Identifier: MIT */
/*
 * pressure.c - the reclaim thread (reclaim=thread) and memory pressure.
 *
 *   pressure_returns_everything  bm_reclaim_pressure gives back every
 *           free page at once, whatever the decay and the high watermark
 *           keep, returns how many, and counts the event and the pages
 *           in vmstat (pressure_events, pressure_pages_returned).
 *   low_watermark_wakes_thread  a zone pushed below its low watermark
 *           wakes the reclaim thread (reclaim_wakeup, direct_reclaim), and
 *           the woken thread does its work: its decay pass gives back the
 *           backed free pages above the high watermark (pages_returned).
 *           The thread is seen asleep for decay_ms / 4 + 1 = 15 minutes
 *           first (its PSI trigger, which would wake it every second, is
 *           taken away): only the wake-up makes it act within 5 s.
 *   psi_trigger  the thread sets a PSI trigger on /proc/pressure/memory
 *           where this process may write one (none where it may not),
 *           and acts on a report from it: the report is simulated by
 *           putting, in place of the trigger's descriptor, a socket with
 *           urgent data (POLLPRI, as a trigger's event), and the thread
 *           must give back the free pages and count a pressure event.
 *           tests/api/reclaim_psi.c covers the trigger's life across fork
 *           and the real kernel report; this covers the thread's answer.
 *
 * The thread cases each run in a child of their own (a fresh reclaim
 * thread, nothing left from the other cases), so the cases run in any
 * order: RUN_TESTS, TEST_REVERSE=1, TEST_ONLY=name.  Every wait polls up
 * to a bound; none sleeps a fixed time.
 */
#include "pagetest.h"
#include "psitest.h"
#include "reclaim.h"
#include "watermark.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define HOUR_MS		3600000
#define WAIT_MS		5000	/* the bound of every wait */

static uint64_t backed(void)
{
	struct zone *z = pt_zone();
	uint64_t n;

	bm_lock(&z->lock);
	n = z->nr_free_pages - z->nr_free_returned;
	bm_unlock(&z->lock);
	return n;
}

/* A counter of the vmstat report (reclaim.c's lines included), by name;
 * UINT64_MAX when the report has no such line. */
static uint64_t vmstat_value(const char *name)
{
	static char buf[16384];
	struct bm_out o;
	size_t len = strlen(name);
	unsigned long long v;

	bm_out_init(&o, -1, buf, sizeof(buf) - 1);
	bm_vmstat(&o);
	buf[o.len] = '\0';
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ' &&
		    sscanf(p + len, " %llu", &v) == 1)
			return v;
	return UINT64_MAX;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_decay(uint64_t ms)
{
	__atomic_store_n(&bm_opt_decay_ms, ms, __ATOMIC_RELAXED);
}

/* ------------------------------------------------- the reclaim thread */

/* The thread of this process that is not the main one (in a child of
 * ours, only the reclaim thread is); 0 when there is none. */
static pid_t reclaim_tid(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	pid_t tid = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		pid_t t = (pid_t)atoi(e->d_name);

		if (t > 0 && t != getpid())
			tid = t;
	}
	closedir(d);
	return tid;
}

/* The thread is blocked in futex(2), where the reclaim thread waits for
 * its next tick (its only blocking call); *timeout_s gets the timeout it
 * sleeps with (the timespec is on its stack, in our address space), or
 * -1 for none. */
/* It reads the sleeping thread's timespec off that thread's stack, on
 * purpose and racily: ThreadSanitizer is told to look away. */
__attribute__((no_sanitize("thread")))
static bool asleep_in_futex(pid_t tid, long *timeout_s)
{
	char path[64], line[256];
	unsigned long args[6] = { 0 };
	long nr = -1;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = (int)read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return false;
	line[n] = '\0';
	if (sscanf(line, "%ld %lx %lx %lx %lx %lx %lx", &nr, &args[0], &args[1], &args[2],
		   &args[3], &args[4], &args[5]) < 5 || nr != SYS_futex)
		return false;
	if (timeout_s)
		*timeout_s = args[3] ? (long)((volatile struct timespec *)args[3])->tv_sec : -1;
	return true;
}

/* The reclaim thread sleeps its long sleep: decay_ms / 4 + 1 with no PSI
 * trigger, against the 1 s a trigger caps it at, or its idle sleep, with
 * no timeout at all (nothing left to give back).  Seen twice in a row,
 * so a sleep it was leaving does not count. */
static bool asleep_long(pid_t tid)
{
	for (int i = 0; i < 2; i++) {
		long t = -1;

		if (!asleep_in_futex(tid, &t) || (t >= 0 && t < 60))
			return false;
		if (!i)
			usleep(10000);
	}
	return true;
}

/* Start the calling process's reclaim thread (slow-path ticks: every
 * eighth reads the clock and starts the thread) and wait until it sleeps.
 * Returns its tid, 0 when it did not come. */
static pid_t start_reclaim_thread(void)
{
	uint64_t start = now_ms();
	pid_t tid = 0;

	for (int i = 0; i < 8; i++)
		bm_reclaim_tick();
	while (now_ms() - start < WAIT_MS) {
		tid = reclaim_tid();
		if (tid && asleep_in_futex(tid, NULL))
			return tid;
		usleep(1000);
	}
	expect_true(tid != 0, "reclaim=thread: the reclaim thread started within %d ms", WAIT_MS);
	expect_true(tid == 0 || asleep_in_futex(tid, NULL),
		    "the reclaim thread went to sleep in futex within %d ms", WAIT_MS);
	return 0;
}

enum { BLOCKS = 8, ORDER = 9 };	/* the blocks the pressure cases free */

/* Allocate BLOCKS blocks, touch every page of them and free them: free
 * pages that are backed. */
static void touch_and_free(struct page **p)
{
	for (int i = 0; i < BLOCKS; i++) {
		p[i] = bm_alloc_pages(GFP_USER, ORDER);
		expect_ptr_not_null(p[i], "order-%d block %d", ORDER, i);
		if (p[i])
			memset(page_address(p[i]), 1, PAGE_SIZE << ORDER);
	}
	for (int i = 0; i < BLOCKS; i++)
		if (p[i])
			bm_free_pages(p[i], ORDER);
}

/* Run a case in a child: a fresh process image of ours, with no reclaim
 * thread yet (fork drops it) and its own counters; its failures are
 * printed by it and come back as its exit status. */
static void in_child(void (*fn)(void), const char *what)
{
	pid_t pid;
	int status = 0;

	fflush(NULL);
	pid = fork();
	expect_d_ge(pid, 0, "fork for %s", what);
	if (pid < 0)
		return;
	if (pid == 0) {
		test_failures = 0;	/* the child's own */
		alarm(60);
		fn();
		_exit(test_failures ? 1 : 0);
	}
	expect_d_eq(waitpid(pid, &status, 0), pid, "wait for %s", what);
	expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "%s: the child failed (status 0x%x)", what, (unsigned)status);
}

/* Hold order-0 pages until the zone commits its next section (it fell
 * below low and reclaimed first); returns how many, each touched. */
static unsigned int push_below_low(struct page **held, unsigned int max)
{
	struct zone *z = pt_zone();
	uint32_t sections;
	unsigned int n = 0;

	bm_free_pages(bm_alloc_pages(GFP_USER, 0), 0);	/* a section to start from */
	sections = z->nr_sections;
	while (z->nr_sections == sections && n < max) {
		held[n] = bm_alloc_pages(GFP_USER, 0);
		expect_ptr_not_null(held[n], "page %u", n);
		if (!held[n])
			break;
		memset(page_address(held[n]), 1, PAGE_SIZE);
		n++;
	}
	expect_u_gt(z->nr_sections, sections, "the zone grew after %u pages", n);
	return n;
}

/* ------------------------------------------------------------- cases */

static void pressure_returns_everything(void)
{
	struct page *p[BLOCKS];
	uint64_t returned = pt_event(ZE_pages_returned);
	uint64_t events = vmstat_value("pressure_events");
	uint64_t pressure_pages = vmstat_value("pressure_pages_returned");
	size_t pages;

	set_decay(HOUR_MS);
	expect_u64_ne(events, UINT64_MAX, "vmstat has a pressure_events line");
	expect_u64_ne(pressure_pages, UINT64_MAX, "vmstat has a pressure_pages_returned line");
	touch_and_free(p);
	/* A decay of an hour keeps them. */
	expect_u64_ge(backed(), BLOCKS << ORDER, "freed and touched pages stay backed");
	pages = bm_reclaim_pressure();
	expect_zu_ge(pages, BLOCKS << ORDER, "the pressure report gives back what we freed");
	expect_u64_eq(backed(), 0, "nothing backed is left free, past decay and high");
	expect_u64_eq(pt_event(ZE_pages_returned) - returned, pages,
		      "pages_returned counts what bm_reclaim_pressure said");
	expect_u64_eq(vmstat_value("pressure_events"), events + 1, "one pressure event counted");
	expect_u64_eq(vmstat_value("pressure_pages_returned"), pressure_pages + pages,
		      "the pages given back on pressure counted");
	/* Nothing backed left: a second report gives back nothing. */
	expect_zu_eq(bm_reclaim_pressure(), 0, "a second report finds nothing");
	expect_u64_eq(vmstat_value("pressure_events"), events + 2, "and is counted too");
	CHECK_INVARIANTS();
}

static void wake_child(void)
{
	enum { MAX_PAGES = 1 << 14 };
	static struct page *held[MAX_PAGES];
	struct zone *z = pt_zone();
	uint64_t wakeups, direct, returned, start, high;
	int trigger = -1;
	unsigned int n;
	pid_t tid;

	/* No PSI trigger for this thread: with one it would look every
	 * second, whatever the watermark says.  Where it set one, take it
	 * away: the thread sees its descriptor closed (POLLNVAL) on its next
	 * look, stops looking, and sleeps its long sleep. */
	set_decay(HOUR_MS);
	tid = start_reclaim_thread();
	if (!tid)
		return;
	if (psi_fds(&trigger) == 1)
		close(trigger);
	expect_d_eq(psi_fds(NULL), 0, "no PSI trigger left open");
	start = now_ms();
	while (now_ms() - start < WAIT_MS && !asleep_long(tid))
		usleep(1000);
	if (!asleep_long(tid)) {
		expect_true(false, "the reclaim thread did not settle in its %d ms sleep "
			    "within %d ms", HOUR_MS / 4 + 1, WAIT_MS);
		return;
	}

	/* The thread sleeps for decay_ms / 4 + 1 (15 minutes).  Were it to
	 * wake, a decay of 0 would make it give back every backed free page
	 * above high; nothing else gives back in thread mode. */
	wakeups = pt_event(ZE_reclaim_wakeup);
	direct = pt_event(ZE_direct_reclaim);
	set_decay(0);
	n = push_below_low(held, MAX_PAGES);
	expect_u64_eq(pt_event(ZE_reclaim_wakeup) - wakeups, 1,
		      "the low watermark woke the reclaim thread once");
	expect_u64_ge(pt_event(ZE_direct_reclaim) - direct, 1,
		      "the allocation reclaimed before it committed the section");

	/* Give the pages back: the woken thread, ticking every ms now, must
	 * return the backed ones above high. */
	returned = pt_event(ZE_pages_returned);
	for (unsigned int i = 0; i < n; i++)
		bm_free_pages(held[i], 0);
	high = z->watermark[WMARK_HIGH];
	expect_u64_gt(n, high + 64, "more pages freed than high keeps");
	/* Wait for the count, not for backed(): blocks the thread has
	 * isolated to give back are off the free lists before they are
	 * counted as returned. */
	start = now_ms();
	while (now_ms() - start < WAIT_MS &&
	       (backed() > high || pt_event(ZE_pages_returned) - returned < n - high))
		usleep(1000);
	expect_u64_le(backed(), high, "the woken thread gave back down to high within %d ms",
		      WAIT_MS);
	expect_u64_ge(pt_event(ZE_pages_returned) - returned, n - high,
		      "pages_returned counts what the thread gave back");
	set_decay(HOUR_MS);
	CHECK_INVARIANTS();
}

static void low_watermark_wakes_thread(void)
{
	in_child(wake_child, "low_watermark_wakes_thread");
}

/* A socket with urgent data waiting: poll says POLLPRI, as a PSI
 * trigger's descriptor does when the kernel reports pressure.  Returns
 * the socket (-1 where there is no loopback). */
static int pollpri_socket(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1, s = -1;

	if (l < 0)
		return -1;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		goto out;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		goto out;
	s = accept(l, NULL, NULL);
	if (s >= 0 && send(c, "!", 1, MSG_OOB) != 1) {
		close(s);
		s = -1;
	}
out:
	close(l);
	/* c stays open: the urgent byte stays readable while it is. */
	return s;
}

static void psi_child(void)
{
	bool possible = psi_possible();
	uint64_t events, pages, start;
	int trigger = -1, sock;
	struct page *p[BLOCKS];
	pid_t tid;

	set_decay(HOUR_MS);
	tid = start_reclaim_thread();
	if (!tid)
		return;
	/* The trigger is opened before the first sleep. */
	expect_d_eq(psi_fds(&trigger), possible ? 1 : 0,
		    "the reclaim thread's PSI triggers (a trigger is %spossible here)",
		    possible ? "" : "not ");
	if (!possible) {
		fprintf(stderr, "psi_trigger: no PSI trigger possible here: "
			"only checked that none was opened\n");
		return;
	}
	/* Free pages that an hour's decay keeps: only pressure returns them. */
	touch_and_free(p);
	expect_u64_ge(backed(), BLOCKS << ORDER, "an hour's decay keeps them");
	events = vmstat_value("pressure_events");
	pages = vmstat_value("pressure_pages_returned");

	/* The kernel's report, simulated: the trigger's descriptor now
	 * polls POLLPRI.  The thread looks at least every second. */
	sock = pollpri_socket();
	if (sock < 0) {
		fprintf(stderr, "psi_trigger: no loopback socket here (%s): "
			"the thread's answer to a report is not checked\n", strerror(errno));
		return;
	}
	expect_d_eq(dup2(sock, trigger), trigger, "the socket in place of the trigger");
	close(sock);
	start = now_ms();
	while (now_ms() - start < WAIT_MS && vmstat_value("pressure_events") == events)
		usleep(1000);
	expect_u64_gt(vmstat_value("pressure_events"), events,
		      "the reclaim thread acted on the pressure report within %d ms", WAIT_MS);
	while (now_ms() - start < WAIT_MS && backed() != 0)
		usleep(1000);
	expect_u64_eq(backed(), 0, "pressure gave back every backed free page");
	expect_u64_ge(vmstat_value("pressure_pages_returned") - pages, BLOCKS << ORDER,
		      "the pages given back on pressure are counted");
}

static void psi_trigger(void)
{
	in_child(psi_child, "psi_trigger");
}

static const struct test_case cases[] = {
	TEST_CASE(pressure_returns_everything),
	TEST_CASE(low_watermark_wakes_thread),
	TEST_CASE(psi_trigger),
};

int main(void)
{
	/* 4 MiB blocks and sections: the low watermark is reached after a
	 * thousand pages. */
	pt_setup("reclaim=thread,decay_ms=3600000,max_order=10,section_size=4M");
	RUN_TESTS(cases);
	return test_exit();
}
