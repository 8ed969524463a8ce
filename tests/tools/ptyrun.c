// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptyrun SECONDS KEYS COMMAND...: runs COMMAND on a pseudo-terminal of
 * PTYRUN_COLS columns and PTYRUN_ROWS rows, as a person at a terminal
 * would: all it writes to the terminal is copied to stdout, and SECONDS
 * after it starts KEYS are typed. Then it has PTYRUN_GRACE seconds to end;
 * on stderr "ended after S seconds", S the time from the keys to the end
 * of its output. Exit status: the command's, or 124 when it was killed for
 * not ending.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define PTYRUN_COLS 120
#define PTYRUN_ROWS 40
#define PTYRUN_GRACE 5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copies what the terminal shows to stdout until deadline or its end;
 * whether it ended (the last process that held it closed it). */
static int copy_until(int master, double deadline)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	char buf[4096];
	ssize_t n;
	double left;

	while ((left = deadline - now()) > 0) {
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			return 1; /* EIO: no process holds the terminal any more */
		fwrite(buf, 1, n, stdout);
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct winsize ws = { .ws_row = PTYRUN_ROWS, .ws_col = PTYRUN_COLS };
	double typed;
	int master, status;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: ptyrun SECONDS KEYS COMMAND...\n");
		return 2;
	}
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (!pid) {
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	if (copy_until(master, now() + atof(argv[1]))) {
		fprintf(stderr, "ended before the keys\n");
	} else {
		if (write(master, argv[2], strlen(argv[2])) < 0)
			perror("write");
		typed = now();
		if (!copy_until(master, typed + PTYRUN_GRACE)) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fprintf(stderr, "still running %d seconds after the keys; killed\n",
				PTYRUN_GRACE);
			return 124;
		}
		fprintf(stderr, "ended after %.3f seconds\n", now() - typed);
	}
	fflush(stdout);
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
