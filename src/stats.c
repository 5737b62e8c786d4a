/* SPDX-License-Identifier: MIT */
/*
 * stats.c - writing the report on demand (see stats.h).
 *
 * A signal may arrive while the interrupted thread holds a zone or slab
 * lock, and the report takes them all: the handler only posts a
 * semaphore (sem_post is async-signal-safe), and a helper thread, which
 * blocks every signal, wakes and writes the report.  The same thread
 * wakes every stats_interval_ms.  Neither exists unless an option asks.
 */
#include "bm.h"
#include "fmt.h"
#include "options.h"
#include "stats.h"
#include "vmstat.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Where the reports go without stats_file: a private copy of stderr
 * taken at start-up, since programs such as coreutils close stderr before
 * exit. */
static int stats_fd = -1;
static sem_t wake;		/* posted by the signal handler */
static _Atomic bool helper_running;

void bm_stats_setup(void)
{
	if ((bm_opt_stats || bm_opt_stats_signal || bm_opt_stats_interval_ms) &&
	    !bm_opt_stats_file[0] && stats_fd < 0)
		stats_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
}

/* stats_file with %p replaced by the pid and %% by %; false when the
 * result does not fit. */
static bool stats_path(char *out, size_t cap)
{
	size_t n = 0;

	for (const char *s = bm_opt_stats_file; *s; s++) {
		char digits[16];
		size_t k = 0;

		if (s[0] == '%' && (s[1] == 'p' || s[1] == '%')) {
			if (*++s == 'p') {
				for (unsigned int pid = (unsigned int)getpid(); pid || !k; pid /= 10)
					digits[k++] = (char)('0' + pid % 10);
			} else {
				digits[k++] = '%';
			}
		} else {
			digits[k++] = *s;
		}
		while (k) {
			if (n + 1 >= cap)
				return false;
			out[n++] = digits[--k];
		}
	}
	out[n] = '\0';
	return true;
}

void bm_stats_dump(void)
{
	char path[sizeof(bm_opt_stats_file) + 16];
	int saved_errno = errno, fd;

	if (!bm_opt_stats_file[0]) {
		if (stats_fd >= 0)
			bm_stats_print(stats_fd);
		return;
	}
	if (!stats_path(path, sizeof(path))) {
		bm_warn("stats_file: the name is too long");
		errno = saved_errno;
		return;
	}
	fd = bm_os_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		bm_warn("stats_file: cannot open %s (errno %d)", path, errno);
	} else {
		bm_stats_print(fd);
		bm_os_close(fd);
	}
	errno = saved_errno;
}

static void stats_signal_handler(int sig)
{
	int saved_errno = errno;

	(void)sig;
	sem_post(&wake);
	errno = saved_errno;
}

static void *stats_helper(void *arg)
{
	(void)arg;
	for (;;) {
		int r;

		if (bm_opt_stats_interval_ms) {
			struct timespec t;

			clock_gettime(CLOCK_MONOTONIC, &t);
			t.tv_sec += (time_t)(bm_opt_stats_interval_ms / 1000);
			t.tv_nsec += (long)(bm_opt_stats_interval_ms % 1000) * 1000000L;
			if (t.tv_nsec >= 1000000000L) {
				t.tv_sec++;
				t.tv_nsec -= 1000000000L;
			}
			r = sem_clockwait(&wake, CLOCK_MONOTONIC, &t);
		} else {
			r = sem_wait(&wake);
		}
		if (r == 0 || errno == ETIMEDOUT)
			bm_stats_dump();
	}
	return NULL;
}

static void helper_start(void)
{
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t all, old;

	sem_init(&wake, 0, 0);
	/* The helper takes none of the program's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	if (pthread_create(&tid, &attr, stats_helper, NULL) == 0)
		atomic_store(&helper_running, true);
	else
		bm_warn("stats: cannot start the helper thread; no dumps on signal or interval");
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void bm_stats_start(void)
{
	struct sigaction sa;

	if (!bm_opt_stats_signal && !bm_opt_stats_interval_ms)
		return;
	helper_start();
	if (!bm_opt_stats_signal || !atomic_load(&helper_running))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stats_signal_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction((int)bm_opt_stats_signal, &sa, NULL) != 0)
		bm_warn("stats_signal: cannot handle signal %d (errno %d)",
			(int)bm_opt_stats_signal, errno);
}

void bm_stats_fork_child(void)
{
	/* The handler stays (the child inherits it); the thread does not. */
	if (atomic_exchange(&helper_running, false))
		helper_start();
}
