/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf check FILE: the audit of a WireGuard or wg-quick config, which
 * needs no BPF and no privileges, and nothing of attach/ or tracer/ (the
 * fuzzer of tests/fuzz/wgconf.c links it alone).
 */
#ifndef WGSF_CHECK_FILE_H
#define WGSF_CHECK_FILE_H

#include <stddef.h>

#include "check/report.h"

/* Checks a config file; on error fills err with one line naming the file
 * (and line), and returns -errno with *r empty. */
int check_file(const char *path, struct check_report *r, char err[WGCONF_ERR_LEN]);
/* check_file() on size bytes of text, named name. */
int check_text(const char *name, const char *text, size_t size, struct check_report *r,
	       char err[WGCONF_ERR_LEN]);

#endif
