/* SPDX-License-Identifier: GPL-2.0-only */
/* Test Anything Protocol output for the C tests; `make test` runs them with prove. */
#ifndef WGSF_TAP_H
#define WGSF_TAP_H

#include <stdbool.h>
#include <stdint.h>

__attribute__((format(printf, 2, 3))) bool ok(bool cond, const char *fmt, ...);
__attribute__((format(printf, 3, 4))) bool is_u64(uint64_t got, uint64_t want,
						  const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void diag(const char *fmt, ...);
/* Prints the plan from the number of tests run; returns the exit status. */
int done_testing(void);
/* Skips the whole program: exit 0 with "1..0 # SKIP", but under CI=true a
 * skip is a failure. */
__attribute__((noreturn, format(printf, 1, 2))) void skip_all(const char *fmt, ...);
/* Skips unless running as root with a working bpf(2). */
void require_root_bpf(void);
/* The random seed: WGSF_SEED when set, else from the clock; always printed. */
unsigned int test_seed(void);

#endif
