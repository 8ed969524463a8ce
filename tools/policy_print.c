// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "policy_print.h"
#include "ui_color.h"

/* null stands for the default: sources, the allowed IPs; destinations, any. */
static void json_rules(struct json *j, const char *name, const struct peer_view *p, int d,
		       uint32_t flag)
{
	char buf[PREFIX_STRLEN];
	size_t i;

	if (!(p->policy.flags & flag))
		return json_string(j, name, NULL);
	json_array_begin(j, name);
	for (i = 0; i < p->n_rules[d]; i++)
		json_string(j, NULL, prefix_format(&p->rules[d][i].prefix, buf));
	json_array_end(j);
}

void policy_json(struct json *j, const struct peer_view *p)
{
	json_object_begin(j, "policy");
	json_bool(j, "blocked", p->policy.flags & WGSF_PEER_BLOCKED);
	json_rules(j, "allowed_sources", p, 0, WGSF_PEER_SRC_POLICY);
	json_rules(j, "allowed_destinations", p, 1, WGSF_PEER_DST_POLICY);
	json_object_end(j);
}

static void rules(const char *indent, const char *name, const struct peer_view *p, int d)
{
	char buf[PREFIX_STRLEN];
	size_t i;

	ui_label(indent, name);
	for (i = 0; i < p->n_rules[d]; i++)
		printf("%s%s", i ? ", " : "", prefix_format(&p->rules[d][i].prefix, buf));
	printf("%s\n", p->n_rules[d] ? "" : "(none)");
}

void policy_print(const struct peer_view *p, const char *indent)
{
	if (p->policy.flags & WGSF_PEER_SRC_POLICY)
		rules(indent, "allowed sources", p, 0);
	if (p->policy.flags & WGSF_PEER_DST_POLICY)
		rules(indent, "allowed destinations", p, 1);
}
