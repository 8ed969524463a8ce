/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pin layer: where wgsf keeps its objects in bpffs, and how commands
 * take turns on them. Below attach/ and tracer/, which both pin there.
 * This file: the root, <bpffs>/wgsf, and the bpffs that holds it.
 */
#ifndef WGSF_PINS_BPFFS_H
#define WGSF_PINS_BPFFS_H

#include <limits.h>

/* <bpffs>/wgsf, which holds one directory per network namespace and the
 * tracer's, mounting bpffs when none is mounted. */
int pin_root_dir(char out[PATH_MAX]);

#endif
