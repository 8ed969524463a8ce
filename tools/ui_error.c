// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "device/wireguard.h"
#include "err.h"
#include "json.h"
#include "ui_error.h"
#include "ui_text.h"

bool ui_json;

int ui_fail(int status, const char *fmt, ...)
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
	return status;
}

int ui_usage(const char *subcommand, const char *args)
{
	return ui_usage_error("Usage: %s %s %s", PROG_NAME, subcommand, args);
}

int ui_status(int err, bool pinned)
{
	if (err == WG_ERR_NO_DEVICE)
		return UI_NO_DEVICE;
	return pinned && err == -ENOENT ? UI_NOT_ATTACHED : UI_ERROR;
}

const char *ui_reason(int err)
{
	return wgsf_error(err);
}

int ui_finish(int status)
{
	int err = fflush(stdout) == EOF ? errno : ferror(stdout) ? EIO : 0;

	if (!err)
		return status;
	/* standard output is what failed: the error goes where it can be read */
	ui_json = false;
	ui_error("Unable to write the output: %s", strerror(err));
	return status == UI_OK || status == UI_FINDINGS ? UI_ERROR : status;
}

void ui_warn(const char *msg)
{
	fprintf(stderr, "%s: warning: ", PROG_NAME);
	ui_print_text(stderr, msg);
	fputc('\n', stderr);
}
