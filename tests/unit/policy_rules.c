// SPDX-License-Identifier: GPL-2.0-only
/* The policy grammar of the per-peer firewall: Allow lines and their
 * services, groups and [Group *], read into rules exactly; every error of
 * the grammar with its exact message; a peer's rules in force
 * (policy_peer_rules); SERVICE as lookup takes it. No privileges. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/policy.h"
#include "policy/service.h"
#include "policy_text.h"
#include "tap.h"

#define KEY_A "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define KEY_B "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
#define KEY_C "K5f/r7JnHMHcj9Goq4RO23jKniha+zalq5PIrWeKPko="
#define PEER_A "[Peer]\nPublicKey = " KEY_A "\n"

/* The rules of l, one "LINE PREFIX any" or "LINE PREFIX PROTO/LO-HI"
 * each, joined by "; ". */
static const char *text_of(const struct rule_list *l)
{
	static char out[4096];
	char p[PREFIX_STRLEN];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && n < sizeof(out); i++) {
		const struct rule *r = &l->v[i];

		n += snprintf(out + n, sizeof(out) - n, "%s%u %s ", i ? "; " : "", r->line,
			      prefix_format(&r->dst, p));
		if (n >= sizeof(out))
			break;
		if (r->any_proto)
			n += snprintf(out + n, sizeof(out) - n, "any");
		else
			n += snprintf(out + n, sizeof(out) - n, "%u/%u-%u", r->proto, r->lo, r->hi);
	}
	return out;
}

/* The rules of peer A in text; "" when the text is refused. */
static void rules_of_a(const char *what, const char *body, const char *want)
{
	char err[POLICY_ERR_LEN] = "";
	struct policy p;
	int r = policy_parse("p", body, strlen(body), &p, err);

	if (!ok(!r && p.n_peers && !strcmp(text_of(&p.peers[0].rules), want), "%s", what))
		diag("  got '%s' (%s)\n#  want '%s'", r ? "" : text_of(&p.peers[0].rules), err, want);
	if (!r)
		policy_free(&p);
}

static void services(void)
{
	rules_of_a("tcp ports and a range", PEER_A "Allow = 198.51.100.10/32 tcp/22,8000-8999\n",
		   "3 198.51.100.10/32 6/22-22; 3 198.51.100.10/32 6/8000-8999");
	rules_of_a("udp and sctp, two services",
		   PEER_A "Allow = 198.51.100.53/32 udp/53 sctp/9\n",
		   "3 198.51.100.53/32 17/53-53; 3 198.51.100.53/32 132/9-9");
	rules_of_a("two prefixes (space after the comma) x two services: one rule each",
		   PEER_A "Allow = 198.51.100.53/32, 2001:db8:53::53/128 udp/53 tcp/53\n",
		   "3 198.51.100.53/32 17/53-53; 3 2001:db8:53::53/128 17/53-53; "
		   "3 198.51.100.53/32 6/53-53; 3 2001:db8:53::53/128 6/53-53");
	rules_of_a("spaces around commas of a port list", PEER_A "Allow = 203.0.113.0/24 tcp/22 , 443\n",
		   "3 203.0.113.0/24 6/22-22; 3 203.0.113.0/24 6/443-443");
	rules_of_a("bare icmp: every type, ICMP for IPv4 and ICMPv6 for IPv6",
		   PEER_A "Allow = 203.0.113.0/24, 2001:db8::/64 icmp\n",
		   "3 203.0.113.0/24 1/0-255; 3 2001:db8::/64 58/0-255");
	rules_of_a("icmp names per family",
		   PEER_A "Allow = 203.0.113.0/24, 2001:db8::/64 icmp/echo-request,echo-reply\n",
		   "3 203.0.113.0/24 1/8-8; 3 203.0.113.0/24 1/0-0; "
		   "3 2001:db8::/64 58/128-128; 3 2001:db8::/64 58/129-129");
	rules_of_a("every IPv4 name", PEER_A "Allow = 203.0.113.1 icmp/echo-reply,"
		   "destination-unreachable,source-quench,redirect,echo-request,router-advertisement,"
		   "router-solicitation,time-exceeded,parameter-problem,timestamp-request,"
		   "timestamp-reply\n",
		   "3 203.0.113.1/32 1/0-0; 3 203.0.113.1/32 1/3-3; 3 203.0.113.1/32 1/4-4; "
		   "3 203.0.113.1/32 1/5-5; 3 203.0.113.1/32 1/8-8; 3 203.0.113.1/32 1/9-9; "
		   "3 203.0.113.1/32 1/10-10; 3 203.0.113.1/32 1/11-11; 3 203.0.113.1/32 1/12-12; "
		   "3 203.0.113.1/32 1/13-13; 3 203.0.113.1/32 1/14-14");
	rules_of_a("every IPv6 name", PEER_A "Allow = 2001:db8::1 icmpv6/destination-unreachable,"
		   "packet-too-big,time-exceeded,parameter-problem,echo-request,echo-reply,"
		   "router-solicitation,router-advertisement,neighbor-solicitation,"
		   "neighbor-advertisement,redirect\n",
		   "3 2001:db8::1/128 58/1-1; 3 2001:db8::1/128 58/2-2; 3 2001:db8::1/128 58/3-3; "
		   "3 2001:db8::1/128 58/4-4; 3 2001:db8::1/128 58/128-128; "
		   "3 2001:db8::1/128 58/129-129; 3 2001:db8::1/128 58/133-133; "
		   "3 2001:db8::1/128 58/134-134; 3 2001:db8::1/128 58/135-135; "
		   "3 2001:db8::1/128 58/136-136; 3 2001:db8::1/128 58/137-137");
	rules_of_a("an ICMP type by number: the same in both families",
		   PEER_A "Allow = 203.0.113.0/24, 2001:db8::/64 icmp/3\n",
		   "3 203.0.113.0/24 1/3-3; 3 2001:db8::/64 58/3-3");
	rules_of_a("bare icmpv6, and icmpv6 by number", PEER_A "Allow = 2001:db8::/64 icmpv6 icmpv6/255\n",
		   "3 2001:db8::/64 58/0-255; 3 2001:db8::/64 58/255-255");
	rules_of_a("leading zeros: the number's, however many",
		   PEER_A "Allow = 203.0.113.0/24 tcp/0000022 proto/00000006\n",
		   "3 203.0.113.0/24 6/22-22; 3 203.0.113.0/24 6/0-65535");
	rules_of_a("proto/N: every port, 0 and 255 the ends",
		   PEER_A "Allow = 203.0.113.0/24 proto/47 proto/0 proto/255\n",
		   "3 203.0.113.0/24 47/0-65535; 3 203.0.113.0/24 0/0-65535; "
		   "3 203.0.113.0/24 255/0-65535");
	rules_of_a("names in any case, ports at their ends",
		   PEER_A "allow = 203.0.113.0/24 TCP/1,65535 ICMP/Echo-Request\n",
		   "3 203.0.113.0/24 6/1-1; 3 203.0.113.0/24 6/65535-65535; 3 203.0.113.0/24 1/8-8");
	rules_of_a("repeated keys append, AllowedDestinations among them (every protocol)",
		   PEER_A "Allow = 203.0.113.0/24 tcp/22\nAllowedDestinations = 198.51.100.0/24\n"
		   "Allow = 198.51.100.1 udp/53\n",
		   "3 203.0.113.0/24 6/22-22; 4 198.51.100.0/24 any; 5 198.51.100.1/32 17/53-53");
}

/* Block once a section: a section pasted together from two is refused,
 * not unblocked by whichever came last. */
static void block_once(void)
{
	policy_refused("a second Block in a [Peer]", PEER_A "Block = true\nblock = false\n",
		"p:4: a second Block in one [Peer] (first at line 3)");
	policy_refused("a second Block in a [Group]",
		"[Group g]\nBlock = false\nAllow = 203.0.113.0/24 tcp/22\nBlock = true\n",
		"p:4: a second Block in one [Group] (first at line 2)");
	rules_of_a("a Block in each of two sections",
		   "[Group g]\nBlock = false\n" PEER_A "Block = true\nGroup = g\n", "");
}

static void service_errors(void)
{
	policy_refused("port 0", PEER_A "Allow = 203.0.113.0/24 tcp/0\n",
		"p:3: port '0' in 'tcp/0' is out of range (1 to 65535)");
	policy_refused("port past 65535", PEER_A "Allow = 203.0.113.0/24 udp/22,65536\n",
		"p:3: port '65536' in 'udp/22,65536' is out of range (1 to 65535)");
	policy_refused("a range's end past 65535",
		PEER_A "Allow = 203.0.113.0/24 sctp/1-99999999\n",
		"p:3: port '1-99999999' in 'sctp/1-99999999' is out of range (1 to 65535)");
	policy_refused("a range written backwards", PEER_A "Allow = 203.0.113.0/24 tcp/90-80\n",
		"p:3: port range '90-80' in 'tcp/90-80' is written backwards");
	policy_refused("not a port", PEER_A "Allow = 203.0.113.0/24 tcp/ssh\n",
		"p:3: invalid port 'ssh' in 'tcp/ssh'");
	policy_refused("an empty port", PEER_A "Allow = 203.0.113.0/24 tcp/22,,23\n",
		"p:3: an empty item in 'tcp/22,,23'");
	policy_refused("an empty port list", PEER_A "Allow = 203.0.113.0/24 tcp/\n",
		"p:3: an empty list after 'tcp/'");
	policy_refused("tcp without ports", PEER_A "Allow = 203.0.113.0/24 tcp\n",
		"p:3: 'tcp' needs a port after a '/'");
	policy_refused("proto without a number", PEER_A "Allow = 203.0.113.0/24 proto\n",
		"p:3: 'proto' needs a protocol number after a '/'");
	policy_refused("proto past 255", PEER_A "Allow = 203.0.113.0/24 proto/256\n",
		"p:3: protocol number in 'proto/256' is out of range (0 to 255)");
	policy_refused("proto by name", PEER_A "Allow = 203.0.113.0/24 proto/gre\n",
		"p:3: invalid protocol number in 'proto/gre'");
	policy_refused("unknown protocol", PEER_A "Allow = 203.0.113.0/24 gre/1\n",
		"p:3: unknown protocol 'gre' (tcp, udp, sctp, icmp, icmpv6 or proto)");
	policy_refused("unknown ICMP type name", PEER_A "Allow = 203.0.113.0/24 icmp/ping\n",
		"p:3: unknown ICMP type 'ping' in 'icmp/ping'");
	policy_refused("ICMP type past 255", PEER_A "Allow = 203.0.113.0/24 icmp/256\n",
		"p:3: ICMP type '256' in 'icmp/256' is out of range (0 to 255)");
	policy_refused("an IPv4 name with an IPv6 prefix", PEER_A "Allow = 2001:db8::/64 icmp/source-quench\n",
		"p:3: ICMP type 'source-quench' has no meaning in IPv6, and the line has an address "
		"of it");
	policy_refused("an IPv6 name with an IPv4 prefix",
		PEER_A "Allow = 2001:db8::/64, 203.0.113.0/24 icmp/packet-too-big\n",
		"p:3: ICMP type 'packet-too-big' has no meaning in IPv4, and the line has an address "
		"of it");
	policy_refused("an IPv4 name with icmpv6",
		PEER_A "Allow = 2001:db8::/64 icmpv6/timestamp-reply\n",
		"p:3: ICMP type 'timestamp-reply' has no meaning in IPv6, and the line has an address "
		"of it");
	policy_refused("an IPv4 prefix with icmpv6", PEER_A "Allow = 2001:db8::/64, 203.0.113.0/24 icmpv6\n",
		"p:3: icmpv6 with the IPv4 prefix 203.0.113.0/24");
}

static void line_errors(void)
{
	policy_refused("a service with no prefix", PEER_A "Allow = tcp/22\n",
		"p:3: a service with no prefix (Allow = PREFIX[, PREFIX...] SERVICE...)");
	policy_refused("a prefix with no service", PEER_A "Allow = 203.0.113.0/24\n",
		"p:3: prefixes with no service (Allow = PREFIX[, PREFIX...] SERVICE...; every "
		"protocol: AllowedDestinations)");
	policy_refused("an empty Allow", PEER_A "Allow =\n",
		"p:3: an empty Allow (Allow = PREFIX[, PREFIX...] SERVICE...)");
	policy_refused("an empty prefix", PEER_A "Allow = 203.0.113.0/24,,198.51.100.0/24 tcp/1\n",
		"p:3: an empty prefix in Allow");
	policy_refused("an invalid prefix", PEER_A "Allow = 203.0.113.0/33 tcp/1\n",
		"p:3: invalid prefix '203.0.113.0/33'");
	policy_refused("prefixes apart", PEER_A "Allow = 203.0.113.0/24 198.51.100.0/24 tcp/1\n",
		"p:3: prefix '198.51.100.0/24' after the prefixes: prefixes come first, separated "
		"by commas");
	policy_refused("a prefix after a service",
		PEER_A "Allow = 203.0.113.0/24 tcp/1 198.51.100.0/24\n",
		"p:3: prefix '198.51.100.0/24' after a service: prefixes come first, separated by "
		"commas");
	policy_refused("an empty AllowedDestinations", "[Group g]\nAllowedDestinations =\n",
		"p:2: an empty prefix in AllowedDestinations");
}

/* An Allow line multiplies: 1001 prefixes x 1000 ports is past the limit. */
static void too_many(void)
{
	static char text[64 * 1024];
	size_t n, i;

	n = snprintf(text, sizeof(text), PEER_A "Allow = ");
	for (i = 0; i < 1001; i++)
		n += snprintf(text + n, sizeof(text) - n, "%s198.51.100.1", i ? "," : "");
	n += snprintf(text + n, sizeof(text) - n, " tcp/");
	for (i = 1; i <= 1000; i++)
		n += snprintf(text + n, sizeof(text) - n, "%s%zu", i > 1 ? "," : "", i);
	snprintf(text + n, sizeof(text) - n, "\n");
	policy_refused("1001 prefixes x 1000 ports", text,
		"p:3: more than 1000000 Allow rules in the policy (each prefix x service x port "
		"range or ICMP type is one)");
}

static void group_errors(void)
{
	policy_refused("a group used but not defined", PEER_A "Group = staff\n",
		"p:3: group 'staff' is not defined");
	policy_refused("a group defined twice", "[Group staff]\n[Group g]\n[group staff]\n",
		"p:3: group 'staff' defined twice (first at line 1)");
	policy_refused("[Group *] twice", "[Group *]\n[Group *]\n",
		"p:2: group '*' defined twice (first at line 1)");
	policy_refused("PublicKey in a group", "[Group g]\nPublicKey = " KEY_A "\n",
		"p:2: PublicKey in a [Group] (a [Peer]'s key only)");
	policy_refused("AllowedSources in a group", "[Group g]\nAllowedSources = 192.0.2.0/24\n",
		"p:2: AllowedSources in a [Group] (a [Peer]'s key only)");
	policy_refused("Group in a group", "[Group g]\nGroup = h\n",
		"p:2: Group in a [Group] (a [Peer]'s key only)");
	policy_refused("Mode in a group", "[Group g]\nMode = enforce\n", "p:2: unknown key 'Mode' in [Group]");
	policy_refused("a group without a name", "[Group]\n",
		"p:1: a [Group] without a name ([Group NAME], or [Group *])");
	policy_refused("a group name past 32", "[Group abcdefghijabcdefghijabcdefghijabc]\n",
		"p:1: invalid group name (letters, digits, '_', '.' and '-', at most 32; or *)");
	policy_refused("a group name of two words", "[Group S3CR3T words]\n",
		"p:1: invalid group name (letters, digits, '_', '.' and '-', at most 32; or *)");
	policy_refused("an empty group name", PEER_A "Group = a,,b\n", "p:3: an empty group name in Group");
	policy_refused("Group = *", PEER_A "Group = *\n",
		"p:3: Group = * names no group: [Group *] applies to every peer");
	policy_refused("an invalid name in Group", PEER_A "Group = a/b\n",
		"p:3: invalid group name in Group (letters, digits, '_', '.' and '-', at most 32)");
	policy_refused("a group is resolved at the end: an error of a later line comes first", PEER_A "Group = nosuch\nAllow = x tcp/1\n",
		"p:4: invalid prefix 'x'");
}

static const char groups_text[] =
	"[Peer]\n"                                   /* 1 */
	"PublicKey = " KEY_A "\n"
	"Group = staff, ops\n"
	"Group = staff\n"
	"AllowedDestinations = 192.0.2.1\n"          /* 5 */
	"[Group staff]\n"
	"Allow = 198.51.100.10/32 tcp/443\n"
	"[Group ops]\n"
	"Block = true\n"
	"AllowedDestinations = 203.0.113.0/28\n"     /* 10 */
	"[Group *]\n"
	"Allow = 198.51.100.53 udp/53\n"
	"[Group unused.1]\n"
	"Allow = 198.51.100.1 tcp/1\n"
	"[Peer]\n"                                   /* 15 */
	"PublicKey = " KEY_B "\n"
	"Group = staff\n";

static void warned(const struct policy_warning *w, void *ctx)
{
	char *out = ctx;

	snprintf(out + strlen(out), 256 - strlen(out), "%s%d:%u:%s", *out ? "; " : "", w->kind,
		 w->line, w->group ? w->group->name : "");
}

static void effective(void)
{
	char err[POLICY_ERR_LEN], seen[256] = "";
	struct peer_rules a, b, c;
	struct wg_device *dev = device_new("wg0");
	uint8_t key[WG_KEY_LEN];
	struct policy p, copy;

	if (!ok(!policy_parse("p", groups_text, strlen(groups_text), &p, err), "groups: read"))
		return diag("%s", err);
	ok(p.n_groups == 4 && !strcmp(p.groups[3].name, "unused.1") && p.groups[3].line == 13,
	   "four groups, names and lines kept");
	ok(p.peers[0].n_groups == 2 && p.peers[0].groups[0] == 0 && p.peers[0].groups[1] == 1,
	   "a group named twice is one membership; a group used before its section resolves");
	key_from_base64(key, KEY_A);
	ok(!policy_peer_rules(&p, key, &a), "peer A: rules in force");
	is_u64(a.blocked, 1, "peer A: blocked, by a group's Block");
	ok(!strcmp(text_of(&a.rules), "5 192.0.2.1/32 any; 7 198.51.100.10/32 6/443-443; "
		   "10 203.0.113.0/28 any; 12 198.51.100.53/32 17/53-53"),
	   "peer A: its own rules, then its groups' in order, then [Group *]'s");
	ok(!a.n_groups && !memcmp(a.public_key, key, WG_KEY_LEN) && a.line == 1,
	   "peer A: flattened, with its key and line");
	key_from_base64(key, KEY_B);
	ok(!policy_peer_rules(&p, key, &b) && !b.blocked &&
		   !strcmp(text_of(&b.rules), "7 198.51.100.10/32 6/443-443; 12 198.51.100.53/32 17/53-53"),
	   "peer B: staff's and [Group *]'s, not blocked");
	key_from_base64(key, KEY_C);
	ok(!policy_peer_rules(&p, key, &c) && !c.blocked && !c.line &&
		   !strcmp(text_of(&c.rules), "12 198.51.100.53/32 17/53-53"),
	   "a key the file does not list: [Group *]'s alone");
	ok(!policy_copy(&copy, &p) && copy.n_groups == 4 && copy.groups[1].blocked &&
		   copy.groups[0].rules.v != p.groups[0].rules.v && copy.peers[0].n_groups == 2 &&
		   copy.peers[0].groups != p.peers[0].groups,
	   "a copy holds its own groups and memberships");
	policy_ineffective(&p, dev, warned, seen);
	ok(!strcmp(seen, "0:1:; 0:15:; 2:13:unused.1"),
	   "warned of: both peers (not on the device), the group with no member; not of *");
	if (strcmp(seen, "0:1:; 0:15:; 2:13:unused.1"))
		diag("  got '%s'", seen);
	peer_rules_free(&a);
	peer_rules_free(&b);
	peer_rules_free(&c);
	policy_free(&copy);
	policy_free(&p);
	device_free(dev);
}

static void no_star(void)
{
	static const char text[] = "[Group g]\nBlock = true\n[Peer]\nPublicKey = " KEY_A "\n";
	char err[POLICY_ERR_LEN];
	uint8_t key[WG_KEY_LEN];
	struct peer_rules r;
	struct policy p;

	if (!ok(!policy_parse("p", text, strlen(text), &p, err), "no [Group *]: read"))
		return diag("%s", err);
	key_from_base64(key, KEY_C);
	ok(!policy_peer_rules(&p, key, &r) && !r.blocked && !r.rules.n,
	   "no [Group *]: a key the file does not list has no rules");
	peer_rules_free(&r);
	key_from_base64(key, KEY_A);
	ok(!policy_peer_rules(&p, key, &r) && !r.blocked && !r.rules.n,
	   "a group's Block blocks its members only");
	peer_rules_free(&r);
	policy_free(&p);
}

/* SERVICE as lookup takes it: one port or type, resolved per family. */
static void lookup(void)
{
	static const struct {
		const char *s;
		int family, proto, value;
		const char *why;
	} cases[] = {
		{ "tcp/22", AF_INET, 6, 22, NULL },
		{ "udp/53", AF_INET6, 17, 53, NULL },
		{ "sctp/9", AF_INET, 132, 9, NULL },
		{ "icmp/echo-request", AF_INET, 1, 8, NULL },
		{ "icmp/echo-request", AF_INET6, 58, 128, NULL },
		{ "icmpv6/128", AF_INET6, 58, 128, NULL },
		{ "icmp", AF_INET, 1, -1, NULL },
		{ "proto/47", AF_INET, 47, -1, NULL },
		{ "tcp/22,23", AF_INET, 0, 0, "'tcp/22,23' names more than one port" },
		{ "tcp/22-23", AF_INET, 0, 0, "'tcp/22-23' names more than one port" },
		{ "icmpv6/1", AF_INET, 0, 0, "icmpv6 with an IPv4 destination" },
		{ "icmp/source-quench", AF_INET6, 0, 0,
		  "ICMP type 'source-quench' has no meaning in IPv6" },
		{ "icmp/packet-too-big", AF_INET6, 58, 2, NULL },
		{ "gre/1", AF_INET, 0, 0,
		  "unknown protocol 'gre' (tcp, udp, sctp, icmp, icmpv6 or proto)" },
	};
	char why[SERVICE_WHY_LEN];
	uint8_t proto;
	size_t i;
	int value, r;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		why[0] = '\0';
		proto = 0;
		value = 0;
		r = service_lookup(cases[i].s, cases[i].family, &proto, &value, why);
		if (cases[i].why)
			ok(r == -EINVAL && !strcmp(why, cases[i].why), "lookup %s: refused (%s)",
			   cases[i].s, why);
		else
			ok(!r && proto == cases[i].proto && value == cases[i].value,
			   "lookup %s in IPv%d: protocol %u, %d", cases[i].s,
			   cases[i].family == AF_INET ? 4 : 6, proto, value);
	}
}

int main(void)
{
	services();
	block_once();
	service_errors();
	line_errors();
	group_errors();
	too_many();
	effective();
	no_star();
	lookup();
	return done_testing();
}
