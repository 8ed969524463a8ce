// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>

#include "err.h"
#include "json.h"
#include "ui_error.h"
#include "ui_text.h"

bool ui_json;

int ui_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ui_json) {
		struct json j = { .f = stdout };

		json_object_begin(&j, NULL);
		json_string(&j, "error", msg);
		json_object_end(&j);
	} else {
		ui_print_text(stderr, msg);
		fputc('\n', stderr);
	}
	return 1;
}

int ui_usage(const char *subcommand, const char *args)
{
	return ui_error("Usage: %s %s %s", PROG_NAME, subcommand, args);
}

const char *ui_reason(int err)
{
	return wgsf_error(err);
}

void ui_warn(const char *msg)
{
	fprintf(stderr, "%s: warning: ", PROG_NAME);
	ui_print_text(stderr, msg);
	fputc('\n', stderr);
}
