/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The value of a RateLimit line, RATE [burst SIZE] [RATE [burst SIZE]]
 * (wgsf.policy(5)), and how the limits of a peer's groups combine.
 */
#ifndef WGSF_RATE_H
#define WGSF_RATE_H

#include "filepos.h"
#include "policy/policy.h"

/* What a RateLimit may say. Within these, a burst times the picoseconds
 * of one byte or packet at the rate (struct wgsf_rate_limit's tau) stays
 * within 64 bits: 1 GiB at 1kbit is 8.6e18. */
#define RATE_BITS_MIN 1000ULL                 /* 1kbit */
#define RATE_BITS_MAX 1000000000000ULL        /* 1tbit */
#define RATE_PACKETS_MAX 1000000000ULL        /* pps */
#define RATE_BURST_BYTES_MIN 1500ULL
#define RATE_BURST_BYTES_MAX (1ULL << 30)     /* 1 GiB */
#define RATE_BURST_PACKETS_MAX 1000000ULL

/* Reads value (changed in place) into *out, of line pos->line, a burst
 * left out given its default (250 ms at the rate, within the bounds);
 * -EINVAL with "FILE:LINE: what" in pos->err, *out untouched, when value
 * is not one. */
int rate_parse(struct file_pos *pos, char *value, struct rate_limit *out);

/* Tightens *out, the limit in force of a peer whose own is *own, by a
 * limit of one of its groups: each kind that own does not give takes g's
 * where g's rate is lower (or equal, with a smaller burst). out->line is
 * the line of its bit rate, else of its packet rate. */
void rate_tighten(struct rate_limit *out, const struct rate_limit *own,
		  const struct rate_limit *g);

#endif
