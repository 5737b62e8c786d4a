/* SPDX-License-Identifier: MIT */
/*
 * psitest.h - the PSI trigger file as the tests see it: how many of this
 * process's descriptors are open on it, and whether a trigger can be set
 * here at all (a container may forbid it).  Shared by unit/pressure and
 * api/reclaim_psi.
 */
#ifndef BM_PSITEST_H
#define BM_PSITEST_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PSI_PATH	"/proc/pressure/memory"

/* Descriptors of this process open on PSI_PATH; *last gets one. */
static inline int psi_fds(int *last)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[300], target[256];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, PSI_PATH) == 0) {
			n++;
			if (last)
				*last = atoi(e->d_name);
		}
	}
	closedir(d);
	return n;
}

/* Could this process set the trigger the reclaim thread asks for? */
static inline bool psi_possible(void)
{
	static const char *const triggers[] = {
		"some 150000 1000000", "some 300000 2000000",
	};

	for (int i = 0; i < 2; i++) {
		int fd = open(PSI_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		bool ok;

		if (fd < 0)
			return false;
		ok = write(fd, triggers[i], strlen(triggers[i]) + 1) > 0;
		close(fd);
		if (ok)
			return true;
	}
	return false;
}

#endif /* BM_PSITEST_H */
