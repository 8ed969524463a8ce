/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loader functions return -errno. Where errno alone would not tell an
 * operator what went wrong, they also leave a one-line message here.
 */
#ifndef WGSF_ERR_H
#define WGSF_ERR_H

__attribute__((format(printf, 1, 2))) void wgsf_set_error(const char *fmt, ...);
/* The message left since the last wgsf_clear_error(), else strerror(-err). */
const char *wgsf_error(int err);
void wgsf_clear_error(void);

#endif
