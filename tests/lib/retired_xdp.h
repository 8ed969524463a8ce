/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the XDP hook of an earlier wgsf, now retired, left on an interface,
 * for the tests that hold this one to cleaning it up; and XDP programs of
 * others', which it must leave alone.
 */
#ifndef WGSF_TEST_RETIRED_XDP_H
#define WGSF_TEST_RETIRED_XDP_H

#include <stdint.h>

#include "wgsf.h"

/* Loads an XDP program named name that passes every packet; its fd, or
 * -errno. */
int xdp_pass_load(const char *name);
/*
 * Attaches a program of that wgsf's name (wgsf_xdp; this one passes every
 * packet) to ifindex in generic XDP mode by a link pinned at DIR/link, and
 * pins the program at DIR/prog when prog_pin is set, as that wgsf did; *st
 * records it as that wgsf recorded it. 0 or -errno.
 */
int retired_xdp_attach(uint32_t ifindex, const char *dir, int prog_pin,
		       struct wgsf_attachment *st);

#endif
