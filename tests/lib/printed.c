// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "printed.h"
#include "tap.h"

char *printed(void (*print)(const void *arg), const void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = tmpfile();
	int saved = dup(STDOUT_FILENO);

	if (!f || saved < 0 || fflush(stdout) || dup2(fileno(f), STDOUT_FILENO) < 0)
		return NULL;
	print(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	if (getline(&line, &cap, f) < 0) {
		free(line);
		line = NULL;
	}
	fclose(f);
	return line;
}

bool text_is(const char *got, const char *want, const char *what)
{
	if (ok(got && !strcmp(got, want), "%s", what))
		return true;
	diag("  got  %s", got ? got : "(nothing)");
	diag("  want %s", want);
	return false;
}
