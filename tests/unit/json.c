// SPDX-License-Identifier: GPL-2.0-only
/* The JSON writer (tools/json.c): commas between members, and its depth
 * limit: a begin past JSON_MAX_DEPTH levels is refused, writes nothing
 * then or after, and writes nothing past its has_items array, as a canary
 * behind the writer shows. No privileges needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

#define CANARY 0x5a5a5a5a5a5a5a5aULL

/* The writer, and what lies behind it in memory. */
struct guarded {
	struct json j;
	unsigned long long canary[8];
};

struct sink {
	char *text;
	size_t len;
	struct guarded g;
};

static void sink_open(struct sink *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++)
		s->g.canary[i] = CANARY;
	s->g.j.f = open_memstream(&s->text, &s->len);
}

/* What was written; the caller frees it. */
static char *sink_close(struct sink *s)
{
	fclose(s->g.j.f);
	return s->text;
}

static bool canary_whole(const struct guarded *g)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (g->canary[i] != CANARY)
			return false;
	return true;
}

static void members(void)
{
	struct sink s;
	char *out;

	sink_open(&s);
	json_object_begin(&s.g.j, NULL);
	json_array_begin(&s.g.j, "a");
	json_u64(&s.g.j, NULL, 1);
	json_bool(&s.g.j, NULL, true);
	json_array_end(&s.g.j);
	json_string(&s.g.j, "b", NULL);
	json_string(&s.g.j, "c", "\"x\\\n");
	json_double(&s.g.j, "d", 2500.25);
	json_double(&s.g.j, "e", 1 / 0.0);
	json_object_end(&s.g.j);
	out = sink_close(&s);
	if (!ok(!strcmp(out, "{\"a\":[1,true],\"b\":null,\"c\":\"\\\"x\\\\\\u000a\","
			     "\"d\":2500.250,\"e\":null}\n"),
		"members, commas, escapes, numbers with three decimals, infinity as null"))
		diag("got %s", out);
	free(out);
}

static void at_the_limit(void)
{
	char want[2 * JSON_MAX_DEPTH + 2];
	struct sink s;
	int i, err = 0;
	char *out;

	sink_open(&s);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		err |= json_array_begin(&s.g.j, NULL);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(&s.g.j);
	out = sink_close(&s);
	memset(want, '[', JSON_MAX_DEPTH);
	memset(want + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	strcpy(want + 2 * JSON_MAX_DEPTH, "\n");
	is_u64(err, 0, "%d levels open", JSON_MAX_DEPTH);
	if (!ok(!s.g.j.failed && !strcmp(out, want), "and close, written whole"))
		diag("got %s", out);
	free(out);
}

static void past_the_limit(void)
{
	char want[JSON_MAX_DEPTH + 1];
	struct sink s;
	int i, refused = 0;
	char *out;

	sink_open(&s);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&s.g.j, NULL);
	is_u64(-json_object_begin(&s.g.j, "deep"), E2BIG, "level %d is refused", JSON_MAX_DEPTH + 1);
	/* a writer that went on regardless, far past the array's end */
	for (i = 0; i < 64; i++)
		refused += json_array_begin(&s.g.j, NULL) == -E2BIG;
	is_u64(refused, 64, "and so is every begin after it");
	json_u64(&s.g.j, "n", 1);
	json_string(&s.g.j, NULL, "x");
	for (i = 0; i < 80; i++)
		json_array_end(&s.g.j);
	out = sink_close(&s);
	memset(want, '[', JSON_MAX_DEPTH);
	want[JSON_MAX_DEPTH] = '\0';
	ok(s.g.j.failed, "the writer says it failed");
	ok(!strcmp(out, want), "nothing written after the refused level (%s)", out);
	ok(canary_whole(&s.g), "nothing written past the writer's array");
	free(out);
}

static void end_without_begin(void)
{
	struct sink s;
	char *out;

	sink_open(&s);
	json_object_end(&s.g.j);
	is_u64(-json_array_begin(&s.g.j, NULL), E2BIG, "after an end with nothing open, a begin is refused");
	json_u64(&s.g.j, NULL, 1);
	out = sink_close(&s);
	ok(s.g.j.failed && !*out, "and nothing is written (%s)", out);
	is_u64(s.g.j.depth, 0, "the depth stays 0, no index before the array");
	free(out);
}

int main(void)
{
	members();
	at_the_limit();
	past_the_limit();
	end_without_begin();
	return done_testing();
}
