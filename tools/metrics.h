/* SPDX-License-Identifier: GPL-2.0-only */
/* wgsf's counters in Prometheus's text exposition format. */
#ifndef WGSF_METRICS_H
#define WGSF_METRICS_H

#include <net/if.h>
#include <stdio.h>
#include <sys/socket.h>

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Reads every interface attached in this namespace from its pins, then
 * writes them all to f; on error nothing is written, and failed names the
 * interface (empty when the listing failed). */
int metrics_print(FILE *f, char failed[IFNAMSIZ]);

/* Serves metrics_print() at /metrics on addr until SIGINT or SIGTERM;
 * 0, or 1 with the error printed. */
int metrics_serve(const struct sockaddr *addr, const char *listen);

#endif
