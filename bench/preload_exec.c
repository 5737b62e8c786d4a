/* SPDX-License-Identifier: MIT */
/*
 * preload_exec.c - exec a program with LD_PRELOAD set, for the start-up
 * timings in bench/run.
 *
 *	preload_exec PRELOAD PROGRAM [ARGS...]
 *
 * Sets LD_PRELOAD=PRELOAD (unsets it when PRELOAD is empty) and execs
 * PROGRAM in the same process.  hyperfine has no per-command
 * environment, and `env` would add its own dynamic start-up (~0.7 ms
 * here) to every command; bench/run builds this helper statically when
 * it can, so what it adds is one static exec, the same for every
 * allocator, and it times the helper with an empty PRELOAD too so that
 * the difference is the allocator's cost alone.  No allocation, no
 * stdio on the success path.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char msg[] = "usage: preload_exec PRELOAD PROGRAM [ARGS...]\n";

	if (argc < 3) {
		(void)!write(2, msg, sizeof(msg) - 1);
		return 127;
	}
	if (argv[1][0])
		setenv("LD_PRELOAD", argv[1], 1);
	else
		unsetenv("LD_PRELOAD");
	execv(argv[2], argv + 2);
	(void)!write(2, "preload_exec: exec failed\n", 26);
	return 127;
}
