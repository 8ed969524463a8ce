// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptyrun [-s COLSxROWS] [SECONDS KEYS]... -- COMMAND...: runs COMMAND on a
 * pseudo-terminal of COLS columns and ROWS rows (PTYRUN_COLS and
 * PTYRUN_ROWS unless given), as a person at a terminal
 * would: all it writes to the terminal is copied to stdout, and each KEYS
 * are typed SECONDS after its first output (once it is surely reading its
 * terminal, however slowly it started). After the last, it has PTYRUN_GRACE
 * seconds to end; on stderr "ended after S seconds", S the time from the
 * last keys to the end of its output. Exit status: the command's, or 124
 * when it was killed for not ending.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define PTYRUN_COLS 120
#define PTYRUN_ROWS 40
#define PTYRUN_GRACE 5
#define PTYRUN_START 10 /* seconds it may take to show anything */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copies what the terminal shows to stdout until deadline or its end, or
 * with first, its first output; whether it ended (the last process that
 * held it closed it). */
static bool copy_until(int master, double deadline, bool first)
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
			return true; /* EIO: no process holds the terminal any more */
		fwrite(buf, 1, n, stdout);
		if (first)
			return false;
	}
	return false;
}

/* The keys at their times, from argv[*i] up to "--"; false when the
 * command ended before the last were typed. */
static bool type_keys(int master, int argc, char *argv[], int *i)
{
	double start;

	if (copy_until(master, now() + PTYRUN_START, true))
		return false;
	start = now();
	for (; *i + 1 < argc && strcmp(argv[*i], "--"); *i += 2) {
		if (copy_until(master, start + atof(argv[*i]), false))
			return false;
		if (write(master, argv[*i + 1], strlen(argv[*i + 1])) < 0)
			perror("write");
	}
	return true;
}

int main(int argc, char *argv[])
{
	struct winsize ws = { .ws_row = PTYRUN_ROWS, .ws_col = PTYRUN_COLS };
	double typed;
	int master, status, i = 1, cmd;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "-s")) {
		if (sscanf(argv[2], "%hux%hu", &ws.ws_col, &ws.ws_row) != 2)
			argc = 0; /* a usage error */
		i = 3;
	}
	for (cmd = i; cmd < argc && strcmp(argv[cmd], "--"); cmd++)
		;
	if (cmd + 1 >= argc || (cmd - i) % 2) {
		fprintf(stderr, "usage: ptyrun [-s COLSxROWS] [SECONDS KEYS]... -- COMMAND...\n");
		return 2;
	}
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (!pid) {
		execvp(argv[cmd + 1], argv + cmd + 1);
		perror(argv[cmd + 1]);
		_exit(127);
	}
	if (!type_keys(master, argc, argv, &i)) {
		fprintf(stderr, "ended before the keys\n");
	} else {
		typed = now();
		if (!copy_until(master, typed + PTYRUN_GRACE, false)) {
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
