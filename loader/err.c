// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static char message[256];

void wgsf_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
}

const char *wgsf_error(int err)
{
	if (message[0])
		return message;
	return strerror(err < 0 ? -err : err);
}

void wgsf_clear_error(void)
{
	message[0] = '\0';
}
