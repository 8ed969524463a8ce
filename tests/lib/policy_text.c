// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy_text.h"
#include "tap.h"

void policy_refused(const char *what, const char *body, const char *want)
{
	char err[POLICY_ERR_LEN] = "";
	struct policy p;
	int r = policy_parse("p", body, strlen(body), &p, err);

	if (!ok(r == -EINVAL && !strcmp(err, want) && !p.n_peers && !p.n_groups, "%s: refused",
		what))
		diag("  got %d '%s'\n#  want '%s'", r, err, want);
	if (!r)
		policy_free(&p);
}

void policy_line_reads(const char *key, const char *value, const char *want,
		       policy_part_text *text)
{
	char body[512], err[POLICY_ERR_LEN] = "";
	struct policy p;
	int r;

	snprintf(body, sizeof(body), POLICY_PEER_A "%s = %s\n", key, value);
	r = policy_parse("p", body, strlen(body), &p, err);
	if (!ok(!r && !strcmp(text(&p.peers[0]), want), "'%s' is %s", value, want))
		diag("  got '%s' (%s)", r ? "" : text(&p.peers[0]), err);
	if (!r)
		policy_free(&p);
}

void policy_line_refused(const char *key, const char *value, const char *why)
{
	char body[512], want[POLICY_ERR_LEN];

	snprintf(body, sizeof(body), POLICY_PEER_A "%s = %s\n", key, value);
	snprintf(want, sizeof(want), "p:3: %s", why);
	policy_refused(value, body, want);
}

void policy_in_force(const struct policy *p, const struct policy_in_force *cases, size_t n,
		     policy_part_text *text)
{
	uint8_t key[WG_KEY_LEN];
	struct peer_rules r;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		key_from_base64(key, cases[i].key);
		err = policy_peer_rules(p, key, &r);
		if (!ok(!err && !strcmp(text(&r), cases[i].want), "%s: %s", cases[i].what,
			cases[i].want))
			diag("  got '%s'", err ? "" : text(&r));
		if (!err)
			peer_rules_free(&r);
	}
}
