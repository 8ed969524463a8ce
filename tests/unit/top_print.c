// SPDX-License-Identifier: GPL-2.0-only
/* wgsf top --json's lines (tools/top_print.c): an interface in its first
 * round, with nothing measured yet, carries every member of one that has
 * rates, each figure null, "seconds" too; the next round carries the
 * seconds measured. What it prints is read back from standard output. No
 * privileges needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printed.h"
#include "tap.h"
#include "top_print.h"
#include "ui_error.h"

/* One JSON line of round r, as top --json prints it. */
static void round_line(const void *r)
{
	const struct top_view v = { .interval = 1, .error = "" };

	top_print(&v, r);
}

/* The interface's object: from "interfaces" on, the time before it left
 * out. */
static const char *iface_of(const char *line)
{
	const char *at = line ? strstr(line, "\"interfaces\":") : NULL;

	return at ? at : "";
}

int main(void)
{
	struct top_peer a = { .count = { 100, 8000, 0, 0 } }, b = { .count = { 600, 48000, 0, 0 } };
	struct top_iface fa = { .name = "wg0", .read_ns = 1000000000, .peers = &a, .n_peers = 1 };
	struct top_iface fb = { .name = "wg0", .read_ns = 1500000000, .peers = &b, .n_peers = 1 };
	struct top_round was = { &fa, 1 }, now = { &fb, 1 };
	char *line;

	ui_json = true;
	memset(a.public_key, 1, WG_KEY_LEN);
	memset(b.public_key, 1, WG_KEY_LEN);
	top_rates(&was, NULL);
	line = printed(round_line, &was);
	text_is(iface_of(line),
	       "\"interfaces\":[{\"name\":\"wg0\",\"seconds\":null,\"total\":{\"state\":\"new\","
	       "\"packets_per_second\":null,\"bits_per_second\":null,\"violations_per_second\":null,"
	       "\"rejections_per_second\":null},\"peers\":[{\"public_key\":"
	       "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\",\"state\":\"new\","
	       "\"packets_per_second\":null,\"bits_per_second\":null,\"violations_per_second\":null,"
	       "\"rejections_per_second\":null}]}]}\n",
		"a first round: seconds null, as every figure not known yet");
	free(line);
	top_rates(&now, &was);
	line = printed(round_line, &now);
	if (!ok(!strncmp(iface_of(line), "\"interfaces\":[{\"name\":\"wg0\",\"seconds\":0.500,",
		     strlen("\"interfaces\":[{\"name\":\"wg0\",\"seconds\":0.500,")),
		"the next: the 0.5 seconds measured"))
		diag("  got %s", iface_of(line));
	free(line);
	return done_testing();
}
