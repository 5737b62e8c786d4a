/* SPDX-License-Identifier: MIT */
/*
 * rusage.c - run one command and report its wall time, CPU time and
 * peak RSS, for bench/run.
 *
 *	rusage OUTFILE PRELOAD COMMAND [ARGS...]
 *
 * Runs COMMAND with LD_PRELOAD=PRELOAD (none if PRELOAD is empty), waits
 * for it and writes "wall_s user_s sys_s maxrss_kib status minflt" to
 * OUTFILE, where status is the exit code or minus the signal number and
 * minflt the child's minor page faults (ru_minflt: its own and those of
 * the descendants it waited for).  It exists
 * because Linux carries a process's peak RSS across fork and exec, so a
 * workload started straight from the python runner would report the
 * runner's own RSS as a floor; this small helper gives it a small one.
 * The helper itself never runs under the allocator being measured.
 */
#include "bench_util.h"

#include <sys/resource.h>
#include <sys/wait.h>

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: rusage OUTFILE PRELOAD COMMAND [ARGS...]\n");
		return 2;
	}
	t0 = bench_now();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (!pid) {
		if (argv[2][0])
			setenv("LD_PRELOAD", argv[2], 1);
		else
			unsetenv("LD_PRELOAD");
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	fprintf(f, "%.6f %.6f %.6f %ld %d %ld\n", bench_now() - t0,
		tv(ru.ru_utime), tv(ru.ru_stime), ru.ru_maxrss,
		WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status),
		ru.ru_minflt);
	fclose(f);
	return 0;
}
