// SPDX-License-Identifier: GPL-2.0-only
/*
 * nshold socket|procnet NSFILE: holds the network namespace of NSFILE from
 * outside it, by an object that a look at processes does not show: opens a
 * socket there (socket) or its /proc/net/dev (procnet), steps back into
 * its own namespace, prints "held" and waits for a signal. The namespace
 * then lives on while this process does, with no task in it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), ns, held;
	int procnet = argc == 3 && !strcmp(argv[1], "procnet");

	if (argc != 3 || (!procnet && strcmp(argv[1], "socket"))) {
		fprintf(stderr, "usage: nshold socket|procnet NSFILE\n");
		return 2;
	}
	ns = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (home < 0 || ns < 0 || setns(ns, CLONE_NEWNET)) {
		perror(argv[2]);
		return 1;
	}
	held = procnet ? open("/proc/thread-self/net/dev", O_RDONLY | O_CLOEXEC)
		       : socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (held < 0 || setns(home, CLONE_NEWNET)) {
		perror("nshold");
		return 1;
	}
	close(ns);
	close(home);
	printf("held\n");
	fflush(stdout);
	pause();
	return 0;
}
