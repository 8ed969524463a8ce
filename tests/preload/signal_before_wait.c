// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOAD=signal_before_wait.so: the process sends itself SIGTERM just
 * before its first wait of a minute or more (a sleep, a poll, a signal
 * wait), then waits as it asked. This is a signal that arrives between a
 * program's last look at its signal flags and its sleep, the moment no
 * test could otherwise hit: a program that waits well still ends at once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#define LONG_MS 60000

/* Raises SIGTERM once, when a wait of ms milliseconds (-1: forever) is long. */
static void before_wait(long long ms)
{
	static bool raised;

	if (raised || (ms >= 0 && ms < LONG_MS))
		return;
	raised = true;
	raise(SIGTERM);
}

static long long ts_ms(const struct timespec *ts)
{
	return ts ? ts->tv_sec * 1000ll + ts->tv_nsec / 1000000 : -1;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int (*real)(const struct timespec *, struct timespec *) = dlsym(RTLD_NEXT, "nanosleep");

	before_wait(ts_ms(req));
	return real(req, rem);
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	int (*real)(clockid_t, int, const struct timespec *, struct timespec *) =
		dlsym(RTLD_NEXT, "clock_nanosleep");

	struct timespec now;

	if (flags & TIMER_ABSTIME && !clock_gettime(clock, &now))
		before_wait(ts_ms(req) - ts_ms(&now));
	else
		before_wait(ts_ms(req));
	return real(clock, flags, req, rem);
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	int (*real)(struct pollfd *, nfds_t, int) = dlsym(RTLD_NEXT, "poll");

	before_wait(timeout);
	return real(fds, n, timeout);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *) =
		dlsym(RTLD_NEXT, "ppoll");

	before_wait(ts_ms(ts));
	return real(fds, n, ts, mask);
}

int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *ts)
{
	int (*real)(const sigset_t *, siginfo_t *, const struct timespec *) =
		dlsym(RTLD_NEXT, "sigtimedwait");

	before_wait(ts_ms(ts));
	return real(set, info, ts);
}
