// SPDX-License-Identifier: GPL-2.0-only
#ifdef WGSF_FAULTS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

void fault_point(const char *what)
{
	static long passed;
	const char *at = getenv("WGSF_FAULT_AT");

	if (!at)
		return;
	passed++;
	if (!strcmp(at, "list"))
		fprintf(stderr, "fault point %ld: %s\n", passed, what);
	else if (passed == strtol(at, NULL, 10))
		raise(SIGKILL);
}
#endif
