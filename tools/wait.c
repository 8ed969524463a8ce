// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "wait.h"

int wait_open(struct waiter *w, const int *sigs, size_t n)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, &w->was))
		return -errno;
	w->fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (w->fd >= 0)
		return 0;
	sigprocmask(SIG_SETMASK, &w->was, NULL);
	return -errno;
}

void wait_close(struct waiter *w)
{
	close(w->fd);
	sigprocmask(SIG_SETMASK, &w->was, NULL);
}

uint64_t wait_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The signal that is pending on w, or 0. */
static int read_signal(struct waiter *w)
{
	struct signalfd_siginfo si;

	return read(w->fd, &si, sizeof(si)) == sizeof(si) ? (int)si.ssi_signo : 0;
}

int wait_until(struct waiter *w, int fd, uint64_t deadline)
{
	struct pollfd p[2] = { { .fd = w->fd, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
	uint64_t now;
	int sig;

	for (;;) {
		now = wait_now();
		/* rounded up, so as not to wake just before the deadline */
		if (poll(p, fd < 0 ? 1 : 2, now >= deadline ? 0 :
			 (int)((deadline - now + 999999) / 1000000)) < 0 && errno != EINTR)
			return 0;
		if (p[0].revents && (sig = read_signal(w)))
			return sig;
		if (fd >= 0 && p[1].revents)
			return WAIT_INPUT;
		if (wait_now() >= deadline)
			return 0;
	}
}
