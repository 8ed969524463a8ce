/* SPDX-License-Identifier: GPL-2.0-only */
/* wgsf top's rounds on a screen, as plain tables, or as JSON lines. */
#ifndef WGSF_TOP_PRINT_H
#define WGSF_TOP_PRINT_H

#include <stdbool.h>

#include "top_rates.h"

/* What a round is printed for. */
struct top_view {
	const char *ifname; /* the one asked for, or NULL: all attached */
	double interval; /* seconds, as asked */
	enum top_column sort; /* descending */
	bool screen; /* redrawn in place on a terminal, else one table a round */
	/* where a named interface could not be read: the reason, else "" */
	const char *error;
};

/* The column that --sort or a key names ("packets", or 'p'); -1 if none. */
int top_column_named(const char *name);
int top_column_keyed(int key);
/* Enters or leaves the terminal's alternate screen, cursor hidden. */
void top_screen(bool enter);
/* One round: a full screen, a table, or a JSON line, flushed. */
void top_print(const struct top_view *v, const struct top_round *r);

#endif
