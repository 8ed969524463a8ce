// SPDX-License-Identifier: GPL-2.0-only
/* RateLimit: every unit and default burst read to the exact number, both
 * kinds on one line, every error of the grammar with its exact message
 * and line and nothing read, and a peer's limit in force (its own per
 * kind, else the tightest of its groups' and [Group *]'s). No privileges. */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "policy_text.h"
#include "tap.h"

#define KEY_A POLICY_KEY_A
#define KEY_B "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
#define KEY_C "K5f/r7JnHMHcj9Goq4RO23jKniha+zalq5PIrWeKPko="
#define KEY_D "EJ5ppbj90v0v1kDMewMjWJuKmSIr0mJ5NiZjNjH8MHQ="
#define KEY_E "s/aBDeDATCNK4ORtdZs1ZBf7zIWxOX8ljb40ubk5uN8="
#define PEER_A POLICY_PEER_A

/* "BITS/BURST_BYTES PPS/BURST_PACKETS @LINE" */
static const char *text_of(const struct rate_limit *l)
{
	static char out[128];

	snprintf(out, sizeof(out), "%llu/%llu %llu/%llu @%u", (unsigned long long)l->bits_per_sec,
		 (unsigned long long)l->burst_bytes, (unsigned long long)l->packets_per_sec,
		 (unsigned long long)l->burst_packets, l->line);
	return out;
}

static const char *rate_text(const struct peer_rules *r)
{
	return text_of(&r->rate);
}

/* The limit of peer A, whose line 3 is "RateLimit = value". */
static void limit(const char *value, const char *want)
{
	policy_line_reads("RateLimit", value, want, rate_text);
}

/* "RateLimit = value" on line 3 of peer A: refused with "p:3: why". */
static void refused(const char *value, const char *why)
{
	policy_line_refused("RateLimit", value, why);
}

static void bit_rates(void)
{
	/* the default burst: 250 ms at the rate (bits / 32), 1,500 bytes at least */
	limit("1kbit", "1000/1500 0/0 @3");
	limit("1000", "1000/1500 0/0 @3");
	limit("1000bit", "1000/1500 0/0 @3");
	limit("47kbit", "47000/1500 0/0 @3");
	limit("48kbit", "48000/1500 0/0 @3");
	limit("48.032kbit", "48032/1501 0/0 @3");
	limit("49kbit", "49000/1531 0/0 @3");
	limit("20mbit", "20000000/625000 0/0 @3");
	limit("1gbit", "1000000000/31250000 0/0 @3");
	limit("1kibit", "1024/1500 0/0 @3");
	limit("1mibit", "1048576/32768 0/0 @3");
	limit("1gibit", "1073741824/33554432 0/0 @3");
	/* 250 ms of 1tbit is 31.25 GB: the default is held to 1 GiB, a burst
	 * the line could give */
	limit("1tbit", "1000000000000/1073741824 0/0 @3");
	limit("0.5tibit", "549755813888/1073741824 0/0 @3");
	limit("34.359738336gbit", "34359738336/1073741823 0/0 @3");
	limit("34.359738368gbit", "34359738368/1073741824 0/0 @3");
	limit("1.5mbit", "1500000/46875 0/0 @3");
	limit("0.000001tbit", "1000000/31250 0/0 @3");
	limit("1.500000000000000000mbit", "1500000/46875 0/0 @3");
	limit("007.50kbit", "7500/1500 0/0 @3");
	limit("20MBit", "20000000/625000 0/0 @3");
	limit("2KiBit", "2048/1500 0/0 @3");
}

static void packet_rates(void)
{
	/* the default burst: 250 ms at the rate, 1 packet at least */
	limit("2000pps", "0/0 2000/500 @3");
	limit("2kpps", "0/0 2000/500 @3");
	limit("2.5kpps", "0/0 2500/625 @3");
	limit("15pps", "0/0 15/3 @3");
	limit("7pps", "0/0 7/1 @3");
	limit("4pps", "0/0 4/1 @3");
	limit("3pps", "0/0 3/1 @3");
	limit("1pps", "0/0 1/1 @3");
	limit("3999999pps", "0/0 3999999/999999 @3");
	limit("4000000pps", "0/0 4000000/1000000 @3");
	limit("4000004pps", "0/0 4000004/1000000 @3");
	limit("1000000000pps", "0/0 1000000000/1000000 @3");
	limit("1000000KPPS", "0/0 1000000000/1000000 @3");
}

static void bursts(void)
{
	limit("20mbit burst 256kb", "20000000/262144 0/0 @3");
	limit("20mbit burst 1500", "20000000/1500 0/0 @3");
	limit("20mbit burst 1500b", "20000000/1500 0/0 @3");
	limit("20mbit burst 2k", "20000000/2048 0/0 @3");
	limit("20mbit burst 2kb", "20000000/2048 0/0 @3");
	limit("20mbit burst 1.5k", "20000000/1536 0/0 @3");
	limit("20mbit burst 1m", "20000000/1048576 0/0 @3");
	limit("20mbit burst 1MB", "20000000/1048576 0/0 @3");
	limit("20mbit burst 1g", "20000000/1073741824 0/0 @3");
	limit("20mbit burst 1gb", "20000000/1073741824 0/0 @3");
	/* kbit, mbit and gbit in a size are 1000s of bits, as in the rate */
	limit("20mbit burst 12kbit", "20000000/1500 0/0 @3");
	limit("20mbit burst 0.012mbit", "20000000/1500 0/0 @3");
	limit("20mbit burst 1mbit", "20000000/125000 0/0 @3");
	limit("20mbit burst 1gbit", "20000000/125000000 0/0 @3");
	limit("1kbit burst 1g", "1000/1073741824 0/0 @3");
	limit("2000pps burst 50", "0/0 2000/50 @3");
	limit("2000pps burst 1", "0/0 2000/1 @3");
	limit("2000pps burst 1000000", "0/0 2000/1000000 @3");
}

static void both_kinds(void)
{
	limit("20mbit burst 256kb 2000pps", "20000000/262144 2000/500 @3");
	limit("20mbit burst 256kb 2000pps burst 50", "20000000/262144 2000/50 @3");
	limit("2000pps burst 10 1mbit burst 2k", "1000000/2048 2000/10 @3");
	limit("2000pps 20mbit", "20000000/625000 2000/500 @3");
	limit("20mbit\tBURST 2k  \t 2000pps Burst 7", "20000000/2048 2000/7 @3");
}

static void unit_errors(void)
{
	refused("20mbps", "'20mbps': tc reads \"bps\" as bytes per second; write 160mbit "
		"(or 20mbit, if megabits were meant)");
	refused("1.5kbps", "'1.5kbps': tc reads \"bps\" as bytes per second; write 12kbit "
		"(or 1.5kbit, if kilobits were meant)");
	refused("0.1MBps", "'0.1MBps': tc reads \"bps\" as bytes per second; write 0.8mbit "
		"(or 0.1mbit, if megabits were meant)");
	refused("125bps", "'125bps': tc reads \"bps\" as bytes per second; write 1000bit "
		"(or 125bit, if bits were meant)");
	refused("2gbps", "'2gbps': tc reads \"bps\" as bytes per second; write 16gbit "
		"(or 2gbit, if gigabits were meant)");
	refused("1tbps", "'1tbps': tc reads \"bps\" as bytes per second; write 8tbit "
		"(or 1tbit, if terabits were meant)");
	refused("2kibps", "'2kibps': tc reads \"bps\" as bytes per second; write 16kibit "
		"(or 2kibit, if kibibits were meant)");
	refused("0.25mibps", "'0.25mibps': tc reads \"bps\" as bytes per second; write 2mibit "
		"(or 0.25mibit, if mebibits were meant)");
	refused("1gibps", "'1gibps': tc reads \"bps\" as bytes per second; write 8gibit "
		"(or 1gibit, if gibibits were meant)");
	refused("1tibps", "'1tibps': tc reads \"bps\" as bytes per second; write 8tibit "
		"(or 1tibit, if tebibits were meant)");
	refused("20mbitz", "unknown unit in rate '20mbitz' (bit, kbit, mbit, gbit, tbit, kibit, "
		"mibit, gibit, tibit; pps, kpps)");
	refused("20mbit, 2000pps", "unknown unit in rate '20mbit,' (bit, kbit, mbit, gbit, tbit, "
		"kibit, mibit, gibit, tibit; pps, kpps)");
	refused("1.2.3mbit", "unknown unit in rate '1.2.3mbit' (bit, kbit, mbit, gbit, tbit, "
		"kibit, mibit, gibit, tibit; pps, kpps)");
	refused("fast", "invalid rate 'fast' (a number and its unit, with no space: 20mbit, "
		"2000pps)");
	refused(".5mbit", "invalid rate '.5mbit' (a number and its unit, with no space: 20mbit, "
		"2000pps)");
	refused("20 mbit", "invalid rate 'mbit' (a number and its unit, with no space: 20mbit, "
		"2000pps)");
	refused("-20mbit", "invalid rate '-20mbit' (a number and its unit, with no space: "
		"20mbit, 2000pps)");
	refused("20mbit burst 256kib", "unknown unit in burst '256kib' (b, k, kb, m, mb, g, gb; "
		"kbit, mbit, gbit)");
	refused("20mbit burst kb", "invalid burst 'kb' (a number and its unit, with no space: "
		"256kb)");
	refused("2000pps burst 10k", "a packet rate's burst is a whole number of packets, not "
		"'10k'");
	refused("2000pps burst 1.5", "a packet rate's burst is a whole number of packets, not "
		"'1.5'");
	refused("2000pps burst 10.0", "a packet rate's burst is a whole number of packets, not "
		"'10.0'");
	refused("1.5", "'1.5' is not a whole number of bits");
	refused("1.0000000000000000001mbit", "'1.0000000000000000001mbit' is not a whole number "
		"of bits");
	refused("1.00000000000000000001mbit", "'1.00000000000000000001mbit' has too many digits");
	refused("12345678901234567890.5kbit", "'12345678901234567890.5kbit' has too many digits");
	refused("2.5pps", "'2.5pps' is not a whole number of packets");
	refused("0.0001kpps", "'0.0001kpps' is not a whole number of packets");
	refused("20mbit burst 0.001kbit", "'0.001kbit' is not a whole number of bytes");
	refused("20mbit burst 1500.5", "'1500.5' is not a whole number of bytes");
}

static void bound_errors(void)
{
	refused("0mbit", "rate '0mbit' is 0 (at least 1kbit)");
	refused("0.000kbit", "rate '0.000kbit' is 0 (at least 1kbit)");
	refused("0", "rate '0' is 0 (at least 1kbit)");
	refused("999bit", "rate '999bit' is below 1kbit");
	refused("0.999kbit", "rate '0.999kbit' is below 1kbit");
	refused("1.000000001tbit", "rate '1.000000001tbit' is above 1tbit");
	refused("1tibit", "rate '1tibit' is above 1tbit");
	/* past 64 bits: too large, not what wraps around */
	refused("99999999999999999999tbit", "rate '99999999999999999999tbit' is above 1tbit");
	refused("18446744073709551615tbit", "rate '18446744073709551615tbit' is above 1tbit");
	refused("18446744073709551616", "rate '18446744073709551616' is above 1tbit");
	refused("99999999999999999999.5kbit", "rate '99999999999999999999.5kbit' is above 1tbit");
	refused("0pps", "rate '0pps' is 0 (at least 1pps)");
	refused("1000000001pps", "rate '1000000001pps' is above 1000000000pps");
	refused("1000000.001kpps", "rate '1000000.001kpps' is above 1000000000pps");
	refused("18446744073709551616kpps", "rate '18446744073709551616kpps' is above "
		"1000000000pps");
	refused("20mbit burst 1499", "burst '1499' is smaller than one full-size packet, 1,500 "
		"bytes");
	refused("20mbit burst 1k", "burst '1k' is smaller than one full-size packet, 1,500 bytes");
	refused("20mbit burst 11.992kbit", "burst '11.992kbit' is smaller than one full-size "
		"packet, 1,500 bytes");
	refused("20mbit burst 0", "burst '0' is smaller than one full-size packet, 1,500 bytes");
	refused("20mbit burst 1073741825", "burst '1073741825' is above 1 GiB");
	refused("20mbit burst 1.5g", "burst '1.5g' is above 1 GiB");
	refused("20mbit burst 1.1g", "'1.1g' is not a whole number of bytes");
	refused("20mbit burst 99999999999999999999g", "burst '99999999999999999999g' is above "
		"1 GiB");
	refused("2000pps burst 0", "burst '0' is smaller than one packet");
	refused("2000pps burst 1000001", "burst '1000001' is above 1000000 packets");
	refused("2000pps burst 99999999999999999999", "burst '99999999999999999999' is above "
		"1000000 packets");
	/* the bit rate's bounds are judged first */
	refused("0pps 0kbit", "rate '0kbit' is 0 (at least 1kbit)");
}

static void grammar_errors(void)
{
	refused("", "an empty RateLimit (RateLimit = RATE [burst SIZE] [RATE [burst SIZE]])");
	refused("burst 2k", "'burst' with no rate before it");
	refused("burst 2k 20mbit", "'burst' with no rate before it");
	refused("20mbit burst", "'burst' with no size after it");
	refused("20mbit burst 2k burst 3k", "a second burst for '20mbit'");
	refused("20mbit burst 2k 2000pps burst 5 burst 6", "a second burst for '2000pps'");
	refused("20mbit 30mbit", "two bit rates in one RateLimit ('20mbit' and '30mbit')");
	refused("20mbit 2000pps 1000", "two bit rates in one RateLimit ('20mbit' and '1000')");
	refused("2000pps 20mbit 1kpps", "two packet rates in one RateLimit ('2000pps' and '1kpps')");
	refused("20mbit burst 2k extra", "invalid rate 'extra' (a number and its unit, with no "
		"space: 20mbit, 2000pps)");
	policy_refused("a second RateLimit in a [Peer]",
		     PEER_A "RateLimit = 20mbit\nBlock = false\nratelimit = 2000pps\n",
		     "p:5: a second RateLimit in one [Peer] (first at line 3)");
	policy_refused("a second RateLimit in a [Group]",
		     "[Group g]\nRateLimit = 20mbit\nRateLimit = 2000pps\n",
		     "p:3: a second RateLimit in one [Group] (first at line 2)");
	policy_refused("a bad RateLimit in [Group *]", "[Group *]\n\nRateLimit = 20mbps\n",
		     "p:3: '20mbps': tc reads \"bps\" as bytes per second; write 160mbit (or "
		     "20mbit, if megabits were meant)");
	policy_refused("a second RateLimit after an error-free one, in a later [Peer]",
		     PEER_A "RateLimit = 1mbit\n[Peer]\nPublicKey = " KEY_B "\nRateLimit = 1mbit\n"
		     "RateLimit = 2mbit\n",
		     "p:7: a second RateLimit in one [Peer] (first at line 6)");
	policy_refused("RateLimit in [Interface]", "[Interface]\nRateLimit = 20mbit\n",
		     "p:2: unknown key 'RateLimit' in [Interface]");
}

static const char groups_text[] =
	"[Peer]\n"                                          /* 1 */
	"PublicKey = " KEY_A "\n"
	"Group = fast, slow\n"
	"RateLimit = 2000pps\n"
	"[Group fast]\n"                                    /* 5 */
	"RateLimit = 100mbit burst 1m 500pps\n"
	"[Group slow]\n"
	"RateLimit = 10mbit 100pps burst 5\n"
	"[Group *]\n"
	"RateLimit = 50mbit burst 2m\n"                     /* 10 */
	"[Peer]\n"
	"PublicKey = " KEY_B "\n"
	"Group = fast\n"
	"[Peer]\n"
	"PublicKey = " KEY_C "\n"                           /* 15 */
	"Group = slow\n"
	"RateLimit = 1gbit\n"
	"[Group tie1]\n"
	"RateLimit = 10mbit burst 2m 100pps burst 5\n"
	"[Group tie2]\n"                                    /* 20 */
	"RateLimit = 10mbit burst 1m 100pps burst 5\n"
	"[Peer]\n"
	"PublicKey = " KEY_D "\n"
	"Group = tie1, slow, tie2\n"
	"[Group packets]\n"                                 /* 25 */
	"RateLimit = 7pps\n"
	"[Peer]\n"
	"PublicKey = " KEY_E "\n"
	"Group = packets\n"
	"RateLimit = 1mbit\n";                              /* 30 */

#define KEY_OTHER "7B/bKqT4u4d4ONZldCTnRjrau/yR0nxe9sk6JPNDeMg="

static void groups(void)
{
	static const struct policy_in_force cases[] = {
		{ KEY_A, "10000000/312500 2000/500 @8",
		  "A: its own packet rate, though its groups' are lower; the lowest bit rate of "
		  "fast, slow and *, with slow's burst and line" },
		{ KEY_B, "50000000/2097152 500/125 @10",
		  "B: *'s bit rate, below fast's; fast's packet rate; the bit rate's line" },
		{ KEY_C, "1000000000/31250000 100/5 @17",
		  "C: its own bit rate, though slow's is lower; slow's packet rate" },
		{ KEY_D, "10000000/312500 100/5 @8",
		  "D: of equal bit rates, the smallest burst (slow's default, 312,500 bytes), "
		  "neither before nor after it" },
		{ KEY_E, "1000000/31250 7/1 @30",
		  "E: its own bit rate and its line, a group's packet rate" },
		{ KEY_OTHER, "50000000/2097152 0/0 @10", "a key the file does not list: *'s" },
	};
	char err[POLICY_ERR_LEN];
	struct policy p, copy;

	if (!ok(!policy_parse("p", groups_text, strlen(groups_text), &p, err), "groups: read"))
		return diag("%s", err);
	ok(!strcmp(text_of(&p.groups[0].rate), "100000000/1048576 500/125 @6") &&
		   !strcmp(text_of(&p.peers[0].rate), "0/0 2000/500 @4"),
	   "a group's limit and a peer's own, as written");
	policy_in_force(&p, cases, sizeof(cases) / sizeof(*cases), rate_text);
	ok(!policy_copy(&copy, &p) && !memcmp(&copy.peers[2].rate, &p.peers[2].rate,
					      sizeof(p.peers[2].rate)) &&
		   !memcmp(&copy.groups[1].rate, &p.groups[1].rate, sizeof(p.groups[1].rate)),
	   "a copy has the peers' and groups' limits");
	policy_free(&copy);
	policy_free(&p);
}

/* With no [Group *], a peer's limit is its own, and tied packet rates
 * keep the first group's line where no bit rate gives one. */
static void no_star(void)
{
	static const struct policy_in_force cases[] = {
		{ KEY_A, "3000000/93750 0/0 @3", "A: its own" },
		{ KEY_B, "0/0 9/2 @8", "B: a's packet rate and line, b's being no lower" },
		{ KEY_C, "0/0 0/0 @0", "a key the file does not list: no limit" },
	};
	static const char text[] = PEER_A "RateLimit = 3mbit\n"
		"[Peer]\nPublicKey = " KEY_B "\nGroup = a, b\n"
		"[Group a]\nRateLimit = 9pps\n[Group b]\nRateLimit = 9pps\n";
	char err[POLICY_ERR_LEN];
	struct policy p;

	if (!ok(!policy_parse("p", text, strlen(text), &p, err), "no [Group *]: read"))
		return diag("%s", err);
	ok(!policy_needs_flatten(&p, &p.peers[0]), "a peer of no group: its own limit alone");
	ok(policy_needs_flatten(&p, &p.peers[1]), "a member of a group with a limit: flattened");
	policy_in_force(&p, cases, sizeof(cases) / sizeof(*cases), rate_text);
	policy_free(&p);
}

int main(void)
{
	bit_rates();
	packet_rates();
	bursts();
	both_kinds();
	unit_errors();
	bound_errors();
	grammar_errors();
	groups();
	no_star();
	return done_testing();
}
