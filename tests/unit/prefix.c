// SPDX-License-Identifier: GPL-2.0-only
/* Prefix parsing, normalisation (host bits cleared, as WireGuard stores
 * allowed IPs), formatting, containment and order. No privileges needed. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device/prefix.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

static void parses_as(const char *in, const char *want)
{
	char buf[PREFIX_STRLEN];
	struct prefix p;

	if (ok(!prefix_parse(in, &p), "'%s' parses", in))
		ok(!strcmp(prefix_format(&p, buf), want), "'%s' is %s (got %s)", in, want, buf);
}

static void rejects(const char *in, const char *why)
{
	char shown[25];
	struct prefix p;
	size_t i;

	/* one line of TAP whatever the input holds */
	for (i = 0; in[i] && i < sizeof(shown) - 1; i++)
		shown[i] = isprint((unsigned char)in[i]) ? in[i] : '?';
	shown[i] = '\0';
	ok(prefix_parse(in, &p) == -EINVAL, "'%s%s' is rejected: %s", shown, in[i] ? "..." : "",
	   why);
}

/* Canonical text survives parse, format and parse again unchanged. */
static void round_trip(const char *s)
{
	char buf[PREFIX_STRLEN];
	struct prefix a, b;

	ok(!prefix_parse(s, &a) && !strcmp(prefix_format(&a, buf), s) &&
		   !prefix_parse(buf, &b) && !prefix_cmp(&a, &b) && !memcmp(&a, &b, sizeof(a)),
	   "'%s' round-trips", s);
}

static bool contains(const char *outer, const char *inner)
{
	struct prefix a, b;

	return !prefix_parse(outer, &a) && !prefix_parse(inner, &b) && prefix_contains(&a, &b);
}

static int cmp(const char *x, const char *y)
{
	struct prefix a, b;

	if (prefix_parse(x, &a) || prefix_parse(y, &b))
		abort();
	return prefix_cmp(&a, &b);
}

static void parsing(void)
{
	parses_as("192.0.2.1/32", "192.0.2.1/32");
	parses_as("198.51.100.7", "198.51.100.7/32");
	parses_as("2001:db8::1", "2001:db8::1/128");
	parses_as("2001:db8::1/128", "2001:db8::1/128");
	parses_as("0.0.0.0/0", "0.0.0.0/0");
	parses_as("::/0", "::/0");
	parses_as("255.255.255.255/32", "255.255.255.255/32");
	parses_as("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	parses_as("::ffff:192.0.2.1", "::ffff:192.0.2.1/128");
	/* host bits are cleared, as `wg set ... allowed-ips` stores them */
	parses_as("192.0.2.77/24", "192.0.2.0/24");
	parses_as("192.0.2.255/25", "192.0.2.128/25");
	parses_as("203.0.113.9/31", "203.0.113.8/31");
	parses_as("203.0.113.9/1", "128.0.0.0/1");
	parses_as("127.0.113.9/1", "0.0.0.0/1");
	parses_as("203.0.113.9/0", "0.0.0.0/0");
	parses_as("2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::/64");
	parses_as("2001:db8:ffff::/33", "2001:db8:8000::/33");
	parses_as("2001:db8::1/127", "2001:db8::/127");
	parses_as("2001:db8::1/0", "::/0");
}

/* prefix_parse_raw: the same prefixes, host bits as written. */
static void parsing_raw(void)
{
	static const char *const in[][2] = {
		{ "192.0.2.77/24", "192.0.2.77/24" },
		{ "198.51.100.7", "198.51.100.7/32" },
		{ "2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2:3:4:5:6/64" },
		{ "203.0.113.9/0", "203.0.113.9/0" },
	};
	char buf[PREFIX_STRLEN];
	struct prefix p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(in); i++)
		ok(!prefix_parse_raw(in[i][0], &p) && !strcmp(prefix_format(&p, buf), in[i][1]),
		   "'%s' as written is %s", in[i][0], in[i][1]);
	ok(prefix_parse_raw("192.0.2.0/33", &p) == -EINVAL &&
		   prefix_parse_raw("2001:db8::/08", &p) == -EINVAL,
	   "as written, what prefix_parse rejects is rejected");
}

static void rejecting(void)
{
	char overlong[128];

	rejects("", "empty");
	rejects("1.2.3.4/33", "longer than 32 bits");
	rejects("::/129", "longer than 128 bits");
	rejects("/8", "no address");
	rejects("1.2.3.4/", "no length after the slash");
	rejects("1.2.3.4/+8", "a sign");
	rejects("1.2.3.4/-1", "a sign");
	rejects("1.2.3.4/08", "a leading zero");
	rejects("1.2.3.4/00", "a leading zero");
	rejects("01.2.3.4", "an octet with a leading zero");
	rejects("1.2.3.4/ 8", "a space");
	rejects(" 1.2.3.4", "a leading space");
	rejects("1.2.3.4 ", "a trailing space");
	rejects("1.2.3.4/32\n", "a trailing newline");
	rejects("1.2.3.4x", "trailing garbage");
	rejects("1.2.3.4/24x", "trailing garbage");
	rejects("1.2.3.4/24/8", "two slashes");
	rejects("1.2.3.4/1000", "four digits");
	rejects("1.2.3", "three octets");
	rejects("1.2.3.256", "an octet over 255");
	rejects("2001:db8:::1", "three colons");
	rejects("2001:db8::1%eth0", "a zone");
	rejects("wg0", "a name");
	memset(overlong, '1', sizeof(overlong) - 1);
	overlong[sizeof(overlong) - 1] = '\0';
	rejects(overlong, "overlong");
	memcpy(overlong, "1.2.3.4/", 8);
	rejects(overlong, "overlong length");
	memcpy(overlong, "2001:db8::", 10);
	overlong[60] = '/';
	rejects(overlong, "overlong address");
}

static void addresses(void)
{
	char buf[PREFIX_STRLEN];
	struct prefix p;

	ok(!addr_parse("192.0.2.7", &p) && p.family == AF_INET && p.cidr == 32,
	   "an IPv4 address is its /32");
	ok(!addr_parse("2001:db8::7", &p) && p.family == AF_INET6 && p.cidr == 128,
	   "an IPv6 address is its /128");
	ok(!strcmp(addr_format(&p, buf), "2001:db8::7"), "an address formats without length");
	ok(addr_parse("192.0.2.0/24", &p) == -EINVAL, "an address takes no length");
	ok(addr_parse("", &p) == -EINVAL, "an empty address is rejected");
}

static void formatting(void)
{
	static const char *const canonical[] = {
		"0.0.0.0/0", "192.0.2.0/24", "198.51.100.128/25", "203.0.113.255/32",
		"::/0", "2001:db8::/32", "2001:db8:8000::/33", "2001:db8::1/128",
		"::ffff:192.0.2.1/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120",
	};
	struct prefix p = { .family = AF_INET6, .cidr = 128 };
	char buf[PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(canonical); i++)
		round_trip(canonical[i]);
	memset(p.addr, 0xff, 12);
	memcpy(p.addr + 12, "\xff\xff\xff\xff", 4);
	ok(strlen(prefix_format(&p, buf)) == 43 && !strcmp(buf + 39, "/128"),
	   "the longest IPv6 prefix fits PREFIX_STRLEN (%s)", buf);
	p = (struct prefix){ .family = AF_INET, .cidr = 13 };
	memcpy(p.addr, "\xc0\x00\x02\xff", 4);
	prefix_normalise(&p);
	ok(!strcmp(prefix_format(&p, buf), "192.0.0.0/13"), "normalise clears host bits (%s)",
	   buf);
}

static void containment(void)
{
	ok(contains("192.0.2.0/24", "192.0.2.200/32"), "/24 holds an address inside it");
	ok(!contains("192.0.2.0/24", "192.0.3.1/32"), "/24 does not hold one outside");
	ok(contains("192.0.2.0/25", "192.0.2.0/26"), "/25 holds its lower /26");
	ok(!contains("192.0.2.0/26", "192.0.2.0/25"), "/26 does not hold its /25");
	ok(contains("192.0.2.0/31", "192.0.2.1/32"), "/31 holds its upper address");
	ok(!contains("192.0.2.0/31", "192.0.2.2/32"), "/31 does not hold the next");
	ok(contains("0.0.0.0/0", "203.0.113.1/32"), "/0 holds every IPv4 address");
	ok(!contains("0.0.0.0/0", "2001:db8::1/128"), "an IPv4 prefix holds no IPv6 address");
	ok(!contains("::/0", "192.0.2.1/32"), "an IPv6 prefix holds no IPv4 address");
	ok(contains("2001:db8::/32", "2001:db8:ffff::1/128"), "IPv6 containment");
	ok(contains("2001:db8:8000::/33", "2001:db8:8000::1/128"), "IPv6 odd length, inside");
	ok(!contains("2001:db8:8000::/33", "2001:db8:7fff::1/128"), "IPv6 odd length, outside");
	ok(contains("2001:db8::/127", "2001:db8::1/128"), "/127 holds its upper address");
	ok(contains("192.0.2.1/32", "192.0.2.1/32"), "a prefix holds itself");
}

static void ordering(void)
{
	ok(cmp("192.0.2.0/24", "192.0.2.0/24") == 0, "equal prefixes compare equal");
	ok(cmp("192.0.2.77/24", "192.0.2.0/24") == 0, "host bits do not count");
	ok(cmp("192.0.2.0/24", "192.0.2.0/25") < 0, "shorter first at the same address");
	ok(cmp("192.0.2.0/25", "192.0.2.0/24") > 0, "longer last at the same address");
	ok(cmp("192.0.2.0/24", "198.51.100.0/24") < 0, "ordered by address");
	ok(cmp("203.0.113.0/24", "198.51.100.0/22") > 0, "address before length");
	ok(cmp("198.51.100.0/24", "2001:db8::/32") < 0, "IPv4 before IPv6");
	ok(cmp("2001:db8::/32", "192.0.2.0/24") > 0, "and the other way round");
}

static void growing(void)
{
	struct prefix *v = NULL, p;
	size_t n = 0, cap = 0, i;
	bool in_order = true;

	for (i = 0; i < 1000; i++) {
		p = (struct prefix){ .family = AF_INET6, .cidr = 128,
				     .addr = { 0x20, 0x01, 0x0d, 0xb8, [14] = i >> 8, [15] = i } };
		if (prefixes_push(&v, &n, &cap, &p))
			break;
	}
	for (i = 0; i < n; i++)
		in_order = in_order && v[i].addr[14] == (i >> 8 & 0xff) && v[i].addr[15] == (i & 0xff);
	ok(n == 1000 && cap >= n && in_order, "1000 prefixes pushed, in order");
	free(v);
}

int main(void)
{
	parsing();
	parsing_raw();
	rejecting();
	addresses();
	formatting();
	containment();
	ordering();
	growing();
	return done_testing();
}
