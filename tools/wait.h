/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Waiting for a deadline, a signal or input, whichever comes first. The
 * signals are blocked and read from a signalfd: one that arrives while the
 * process works stays pending and ends the next wait at once, where a flag
 * set by a handler and checked before a sleep would wait a whole interval.
 */
#ifndef WGSF_WAIT_H
#define WGSF_WAIT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct waiter {
	int fd; /* the signalfd */
	sigset_t was; /* the mask before */
};

/* WAIT_INPUT: the file descriptor waited on is readable. */
#define WAIT_INPUT (-1)

/* Blocks the n signals of sigs and opens their signalfd: 0 or -errno. */
int wait_open(struct waiter *w, const int *sigs, size_t n);
/* Closes the signalfd and restores the signal mask. */
void wait_close(struct waiter *w);
/* Waits until deadline (CLOCK_MONOTONIC nanoseconds), one of w's signals,
 * or input on fd (-1: none): the signal's number, WAIT_INPUT, or 0 at the
 * deadline. */
int wait_until(struct waiter *w, int fd, uint64_t deadline);
/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t wait_now(void);

#endif
