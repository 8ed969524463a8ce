/* SPDX-License-Identifier: GPL-2.0-only */
/* Policy texts for the parser's tests. */
#ifndef WGSF_TEST_POLICY_TEXT_H
#define WGSF_TEST_POLICY_TEXT_H

#include <stddef.h>

#include "policy/policy.h"

#define POLICY_KEY_A "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define POLICY_PEER_A "[Peer]\nPublicKey = " POLICY_KEY_A "\n"

/* One TAP test: body, parsed as file "p", is refused with exactly want,
 * and nothing of it is read. */
void policy_refused(const char *what, const char *body, const char *want);

/* One part of a peer's rules as text, for a test to compare. */
typedef const char *policy_part_text(const struct peer_rules *r);

/* One TAP test: "key = value", on line 3 of a policy of one [Peer]
 * (POLICY_PEER_A), is read as text gives want. */
void policy_line_reads(const char *key, const char *value, const char *want,
		       policy_part_text *text);
/* One TAP test: "key = value" on line 3 of POLICY_PEER_A is refused with
 * "p:3: why". */
void policy_line_refused(const char *key, const char *value, const char *why);

/* A peer's rules in force, by its key in base64. */
struct policy_in_force {
	const char *key, *want, *what;
};

/* One TAP test per case: the rules in force of its key in p, as text,
 * are its want. */
void policy_in_force(const struct policy *p, const struct policy_in_force *cases, size_t n,
		     policy_part_text *text);

#endif
