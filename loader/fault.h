/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fault points, for the tests that kill a command at every write that must
 * survive a kill (pins, hooks, config). Only a test build (-DWGSF_FAULTS,
 * build/tests/tools/wgsf-faults) has them: it dies by SIGKILL at the Nth
 * point it passes when WGSF_FAULT_AT=N, and with WGSF_FAULT_AT=list it names
 * each point on stderr instead.
 */
#ifndef WGSF_FAULT_H
#define WGSF_FAULT_H

#ifdef WGSF_FAULTS
void fault_point(const char *what);
#else
static inline void fault_point(const char *what)
{
	(void)what;
}
#endif

#endif
