// SPDX-License-Identifier: GPL-2.0-only
/* wgsf check's findings on the Allow rules of a policy in force:
 * rule-not-routed, as the kernel routes each rule's prefix (in a network
 * namespace of the test's own: one prefix routed, one to a blackhole, which
 * the kernel answers with EINVAL, one with no route), and rule-shadowed, of a peer and of a group, each
 * reported once; exact words. Needs root, for the namespace. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/rules.h"
#include "check_kinds.h"
#include "tap.h"

#define KEY_A "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define KEY_B "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="

static const char text[] =
	"[Group web]\n"                                       /* 1 */
	"AllowedDestinations = 198.51.100.0/25\n"
	"Allow = 198.51.100.10/32 tcp/443\n"
	"[Peer]\n"
	"PublicKey = " KEY_A "\n"                             /* 5 */
	"Group = web\n"
	"Allow = 192.0.2.0/24 udp/53\n"
	"Allow = 203.0.113.7/32 icmp/echo-request\n"
	"AllowedDestinations = 198.51.100.128/25\n"
	"Allow = 198.51.100.200/32 tcp/22-23 proto/47 proto/1\n" /* 10 */
	"[Peer]\n"
	"PublicKey = " KEY_B "\n"
	"Group = web\n"
	/* B's own, before the group's: web's rule is still web's finding */
	"AllowedDestinations = 198.51.100.0/24\n";

/* "LINE KIND: MESSAGE (ADVICE)" of each finding. */
static void words_of(const struct check_report *r, char *out, size_t len)
{
	struct words w = { .r = r, .source = r->source };
	size_t i, n = 0;
	char *s;

	out[0] = '\0';
	for (i = 0; i < r->n_findings && n < len; i++) {
		const struct finding_kind *k = &finding_kinds[r->findings[i].kind];
		size_t sl;

		w.f = &r->findings[i];
		w.m = open_memstream(&s, &sl);
		k->message(&w);
		fprintf(w.m, " (%s)", k->advice);
		fclose(w.m);
		n += snprintf(out + n, len - n, "%u %s%s: %s\n", r->findings[i].line, k->name,
			      k->policy_line ? "" : " (not the policy's line)", s);
		free(s);
	}
}

int main(void)
{
	static const char want[] =
		"7 rule-not-routed: Allow rule 192.0.2.0/24 udp/53 of peer " KEY_A " can never "
		"match: the kernel has no route to 192.0.2.128 (Network is unreachable) (route the "
		"prefix from this gateway, or remove the rule)\n"
		"8 rule-not-routed: Allow rule 203.0.113.7/32 icmp/8 of peer " KEY_A " can never "
		"match: the kernel has no route to 203.0.113.7 (Invalid argument) (route the prefix "
		"from this gateway, or remove the rule)\n"
		"3 rule-shadowed: Allow rule 198.51.100.10/32 tcp/443 of group 'web' changes "
		"nothing: AllowedDestinations 198.51.100.0/25 (line 2) admits every protocol there "
		"(remove the Allow rule, or narrow the AllowedDestinations prefix so that the rule "
		"decides there)\n"
		"10 rule-shadowed: Allow rule 198.51.100.200/32 tcp/22-23 of peer " KEY_A " changes "
		"nothing: AllowedDestinations 198.51.100.128/25 (line 9) admits every protocol there "
		"(remove the Allow rule, or narrow the AllowedDestinations prefix so that the rule "
		"decides there)\n"
		"10 rule-shadowed: Allow rule 198.51.100.200/32 proto/47 of peer " KEY_A " changes "
		"nothing: AllowedDestinations 198.51.100.128/25 (line 9) admits every protocol there "
		"(remove the Allow rule, or narrow the AllowedDestinations prefix so that the rule "
		"decides there)\n"
		/* every packet of protocol 1, typed or not: not icmp/0 */
		"10 rule-shadowed: Allow rule 198.51.100.200/32 proto/1 of peer " KEY_A " changes "
		"nothing: AllowedDestinations 198.51.100.128/25 (line 9) admits every protocol there "
		"(remove the Allow rule, or narrow the AllowedDestinations prefix so that the rule "
		"decides there)\n";
	char err[POLICY_ERR_LEN], got[4096];
	struct check_report r;

	require_root_bpf();
	if (!ok(!unshare(CLONE_NEWNET), "a network namespace of its own"))
		return done_testing();
	ok(!system("ip link set lo up && ip route add 198.51.100.0/24 dev lo && "
		   "ip route add blackhole 203.0.113.0/24"),
	   "routes: 198.51.100.0/24, a blackhole for 203.0.113.0/24, none for 192.0.2.0/24");
	check_report_init(&r, "wg0", true);
	if (!ok(!policy_parse("p", text, strlen(text), &r.policy, err), "the policy reads"))
		diag("%s", err);
	ok(!check_policy_rules(&r), "the checks run");
	words_of(&r, got, sizeof(got));
	if (!ok(!strcmp(got, want), "six findings, exact words: each rule once, at its line"))
		diag("got:\n%s", got);
	is_u64(finding_kinds[CHECK_RULE_NOT_ROUTED].severity, SEVERITY_WARNING, "a warning");
	is_u64(finding_kinds[CHECK_RULE_SHADOWED].severity, SEVERITY_WARNING, "a warning too");
	check_report_free(&r);
	return done_testing();
}
