// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/allow.h"
#include "policy/service.h"

/* What a token of an Allow line is: prefixes hold a '.' or a ':', which
 * no service has. */
static bool is_prefix(const char *t)
{
	return strpbrk(t, ".:") != NULL;
}

static bool is_service(const char *t)
{
	char why[SERVICE_WHY_LEN];
	struct service svc;

	if (service_parse(t, &svc, why))
		return false;
	service_free(&svc);
	return true;
}

/* value with no white space beside a comma, so that white space splits
 * prefixes from services and services from each other alone. */
static void join_commas(char *value)
{
	char *in, *out = value;

	for (in = value; *in; in++) {
		if (isspace((unsigned char)*in) &&
		    ((out > value && out[-1] == ',') || in[strspn(in, " \t\r\n\v\f")] == ','))
			continue;
		*out++ = *in;
	}
	*out = '\0';
}

static int allow_prefixes(struct file_pos *pos, char *list, struct prefix_list *out)
{
	char *item, *next;
	struct prefix p;
	int err = 0;

	for (item = list; item && !err; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (!*item)
			return pos_fail(pos, "an empty prefix in Allow");
		if (prefix_parse(item, &p))
			return pos_fail(pos, "invalid prefix '%s'", item);
		err = prefixes_push(&out->v, &out->n, &out->cap, &p);
	}
	return err;
}

static int rules_take(struct file_pos *pos, size_t n, size_t *room)
{
	if (n > *room)
		return pos_fail(pos, "more than %d Allow rules in the policy (each prefix x "
				"service x port range or ICMP type is one)", POLICY_RULES_MAX);
	*room -= n;
	return 0;
}

/* One service for each of the line's prefixes. */
static int allow_service(struct file_pos *pos, const char *token, const struct prefix_list *pl,
			 struct rule_list *l, size_t *room)
{
	char why[SERVICE_WHY_LEN];
	struct service svc;
	size_t i;
	int err = service_parse(token, &svc, why);

	if (!err && rules_take(pos, pl->n * (svc.n ?: 1), room)) {
		service_free(&svc);
		return -EINVAL;
	}
	for (i = 0; i < pl->n && !err; i++)
		err = service_rules(&svc, &pl->v[i], pos->line, l, why);
	service_free(&svc);
	return err == -EINVAL ? pos_fail(pos, "%s", why) : err;
}

int allow_parse(struct file_pos *pos, char *value, struct rule_list *l, size_t *room)
{
	struct prefix_list pl = {};
	char *token, *save = NULL;
	size_t services = 0;
	int err = 0;

	join_commas(value);
	token = strtok_r(value, " \t\r\n\v\f", &save);
	if (!token)
		return pos_fail(pos, "an empty Allow (Allow = PREFIX[, PREFIX...] SERVICE...)");
	if (!is_prefix(token) && is_service(token))
		return pos_fail(pos, "a service with no prefix (Allow = PREFIX[, PREFIX...] "
				"SERVICE...)");
	err = allow_prefixes(pos, token, &pl);
	while (!err && (token = strtok_r(NULL, " \t\r\n\v\f", &save))) {
		if (is_prefix(token))
			err = pos_fail(pos, "prefix '%s' after %s: prefixes come first, separated by "
				       "commas", token, services ? "a service" : "the prefixes");
		else
			err = allow_service(pos, token, &pl, l, room);
		services++;
	}
	if (!err && !services)
		err = pos_fail(pos, "prefixes with no service (Allow = PREFIX[, PREFIX...] "
			       "SERVICE...; every protocol: AllowedDestinations)");
	free(pl.v);
	return err;
}
