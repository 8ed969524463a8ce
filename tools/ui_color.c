// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ui_color.h"

const char *ui_color(const char *code)
{
	static int tty = -1;

	if (tty < 0)
		tty = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	return tty ? code : "";
}

void ui_label(const char *indent, const char *name)
{
	printf("%s%s%s%s: ", indent, ui_color(UI_BOLD), name, ui_color(UI_RESET));
}
