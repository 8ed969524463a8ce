// SPDX-License-Identifier: GPL-2.0-only
/* wgsf events' lines (tools/events_print.c) carry the interface's name as
 * show prints it: a name may hold an escape or a byte of no UTF-8 (Linux
 * refuses only '/', ':' and white space), which a text line printed raw,
 * to the terminal or the log scanner that reads it. JSON escapes its own.
 * What it prints is read back from standard output. No privileges needed. */
#include <stdio.h>
#include <stdlib.h>

#include "events_print.h"
#include "printed.h"
#include "tap.h"
#include "ui_error.h"

#define ODD "w\x1b[2J\xff"

static void lost_line(const void *ifname)
{
	events_print_lost(ifname, "lost", 3, 0);
}

static void event_line(const void *ifname)
{
	const struct wgsf_event e = { .reason = WGSF_EVENT_REJECTED, .proto = 17, .sport = 5, .dport = 53,
				      .bytes = 60,
				      .packets = 1, .src = { .version = 4 }, .dst = { .version = 4 } };

	events_print_event(ifname, NULL, &e, 0);
}

static void is_line(void (*print)(const void *), const char *ifname, const char *want,
		    const char *what)
{
	char *line = printed(print, ifname);

	text_is(line, want, what);
	free(line);
}

int main(void)
{
	is_line(lost_line, ODD, "time=1970-01-01T00:00:00.000000Z interface=w\\x1b[2J\\xff lost=3\n",
		"a loss line: the name's escape and its byte of no UTF-8 as \\xNN");
	is_line(event_line, ODD,
		"time=1970-01-01T00:00:00.000000Z interface=w\\x1b[2J\\xff reason=rejected "
		"action=counted source=0.0.0.0 destination=0.0.0.0 protocol=udp source_port=5 destination_port=53 "
		"length=60 "
		"packets=1\n",
		"an event line: the same");
	is_line(lost_line, "wg0", "time=1970-01-01T00:00:00.000000Z interface=wg0 lost=3\n",
		"a plain name as it is");
	ui_json = true;
	is_line(lost_line, ODD,
		"{\"time\":\"1970-01-01T00:00:00.000000Z\",\"interface\":\"w\\u001b[2J\\\\xff\","
		"\"lost\":3}\n",
		"JSON: escaped once, by JSON's rules");
	return done_testing();
}
