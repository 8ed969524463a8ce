// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replies through the real programs: what the egress program sees go to a
 * peer with destination rules opens a flow, and what answers it passes the
 * ingress program's destination rules, counted as a reply; what only looks
 * like an answer is a violation. TCP (an inbound SYN never answers, an ACK
 * without a flow does not, FIN both ways closes), UDP (addresses and ports
 * reversed), ICMP echo by id, ICMP errors by the packet they quote (from
 * the peer it went to alone: another peer's error quoting it is a
 * violation), IPv4 and IPv6, in enforce mode and in monitor mode; a peer
 * without rules, and an interface without any, record nothing; flows
 * expire, with timeouts shortened at load time (the datapath's
 * flow_timeout_ns); a GSO aggregate of the gateway's whose IP length field
 * is 0 (BIG TCP) keeps its flow as any other. The tables are written by the loader's own sync from a
 * policy text its parser reads; every expected count is worked out by hand.
 */
#include <string.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "l4packet.h"
#include "packet.h"
#include "tables/config.h"
#include "tap.h"
#include "world.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define PASS ((uint32_t)TC_ACT_UNSPEC)
#define DROP TC_ACT_SHOT
#define SHORT_TIMEOUT_NS 1000000000ull /* 1 s */
#define KEEP_MS 400  /* well within it */
#define IDLE_MS 1500 /* well past it */

/* The peers: A with destination rules that do not hold the gateway, B
 * without rules, C whose allowed sources split its allowed IPs (so that
 * its entry sends the datapath to its flags). Each a key and its addresses. */
enum peer { A, B, C, LOCAL, ALLOWED, PEERS };
static const char *const addrs[2][PEERS] = {
	{ "192.0.2.10", "203.0.113.10", "192.0.2.140", "198.51.100.200", "198.51.100.1" },
	{ "2001:db8:1::10", "2001:db8:2::10", "2001:db8:3::10", "2001:db8:ff::200",
	  "2001:db8:ff::1" },
};

/* ICMP errors, each quoting a packet from the gateway's side to the peer:
 * UDP or TCP (destination unreachable), an echo request (time exceeded),
 * or UDP from ALLOWED where the error goes to LOCAL; or UDP to the other
 * peer with rules (other_ruled), whose errors that peer alone may send. */
enum kind { TCP, UDP, ECHO_REQUEST, ECHO_REPLY, ERROR_UDP, ERROR_TCP, ERROR_ECHO, ERROR_AWAY,
	    ERROR_OTHER };
static const enum peer other_ruled[PEERS] = { [A] = C, [C] = A };
enum outcome { SENT, REPLY, VIOLATION, PASSED };

/* A packet between the gateway's side (LOCAL, or ALLOWED) and a peer, and
 * what must come of it; an ICMP error quotes one to the peer's peer_port
 * from local_port. */
struct step {
	const char *what;
	bool out;            /* egress: from the gateway's side to the peer */
	enum peer peer, local;
	enum kind kind;
	uint16_t peer_port, local_port; /* ICMP echo: peer_port is the id */
	uint8_t tcp_flags;
	enum outcome want;
};

#define S TCP_FLAG_SYN
#define SA (TCP_FLAG_SYN | TCP_FLAG_ACK)
#define AK TCP_FLAG_ACK
#define FA (TCP_FLAG_FIN | TCP_FLAG_ACK)
#define RA (TCP_FLAG_RST | TCP_FLAG_ACK)

static const struct step steps[] = {
	{ "TCP: the gateway's SYN to A:22", true, A, LOCAL, TCP, 22, 40000, S, SENT },
	{ "TCP: A's SYN-ACK answers it", false, A, LOCAL, TCP, 22, 40000, SA, REPLY },
	{ "TCP: and its ACK", false, A, LOCAL, TCP, 22, 40000, AK, REPLY },
	{ "TCP: an ACK from A:22 to another port", false, A, LOCAL, TCP, 22, 40001, AK,
	  VIOLATION },
	{ "TCP: an inbound SYN on the flow's ports", false, A, LOCAL, TCP, 22, 40000, S,
	  VIOLATION },
	{ "TCP: an ACK from another port of A's", false, A, LOCAL, TCP, 23, 40000, AK,
	  VIOLATION },
	{ "TCP: the gateway's ACK without a SYN", true, A, LOCAL, TCP, 22, 40002, AK, SENT },
	{ "TCP: opens nothing: A's ACK to it", false, A, LOCAL, TCP, 22, 40002, AK, VIOLATION },
	{ "TCP: A to its allowed destination", false, A, ALLOWED, TCP, 1234, 80, S, PASSED },
	{ "UDP: the gateway to A:53", true, A, LOCAL, UDP, 53, 5000, 0, SENT },
	{ "UDP: A's answer", false, A, LOCAL, UDP, 53, 5000, 0, REPLY },
	{ "UDP: from A:53 to another port", false, A, LOCAL, UDP, 53, 5001, 0, VIOLATION },
	{ "UDP: from another port of A's", false, A, LOCAL, UDP, 54, 5000, 0, VIOLATION },
	{ "UDP: TCP on the UDP flow's ports", false, A, LOCAL, TCP, 53, 5000, AK, VIOLATION },
	{ "echo: the gateway's request, id 77", true, A, LOCAL, ECHO_REQUEST, 77, 0, 0, SENT },
	{ "echo: A's reply, id 77", false, A, LOCAL, ECHO_REPLY, 77, 0, 0, REPLY },
	{ "echo: a reply of id 78", false, A, LOCAL, ECHO_REPLY, 78, 0, 0, VIOLATION },
	{ "echo: A's own request, id 77", false, A, LOCAL, ECHO_REQUEST, 77, 0, 0, VIOLATION },
	{ "ICMP error quoting the UDP flow", false, A, LOCAL, ERROR_UDP, 53, 5000, 0, REPLY },
	{ "ICMP error quoting UDP from another port", false, A, LOCAL, ERROR_UDP, 53, 5002, 0,
	  VIOLATION },
	{ "ICMP error quoting the TCP flow", false, A, LOCAL, ERROR_TCP, 22, 40000, 0, REPLY },
	{ "ICMP error quoting the echo request", false, A, LOCAL, ERROR_ECHO, 77, 0, 0, REPLY },
	{ "UDP: to A:53 from another address of the gateway's", true, A, ALLOWED, UDP, 53, 5000, 0,
	  SENT },
	{ "ICMP error quoting that, sent to the first", false, A, LOCAL, ERROR_AWAY, 53, 5000, 0,
	  VIOLATION },
	{ "TCP: the gateway's FIN", true, A, LOCAL, TCP, 22, 40000, FA, SENT },
	{ "TCP: A's FIN closes the flow", false, A, LOCAL, TCP, 22, 40000, FA, REPLY },
	{ "TCP: A's last ACK, after the close", false, A, LOCAL, TCP, 22, 40000, AK, REPLY },
	{ "TCP: a SYN to A:22 again", true, A, LOCAL, TCP, 22, 40003, S, SENT },
	{ "TCP: A's RST answers it", false, A, LOCAL, TCP, 22, 40003, RA, REPLY },
	{ "UDP: the gateway to B, without rules", true, B, LOCAL, UDP, 53, 5000, 0, SENT },
	{ "UDP: B's answer: no rule to pass", false, B, LOCAL, UDP, 53, 5000, 0, PASSED },
	{ "UDP: the gateway to C (its flags)", true, C, LOCAL, UDP, 123, 6000, 0, SENT },
	{ "UDP: C's answer", false, C, LOCAL, UDP, 123, 6000, 0, REPLY },
	{ "UDP: C from another port", false, C, LOCAL, UDP, 124, 6000, 0, VIOLATION },
	{ "ICMP error from A quoting the gateway's UDP to C", false, A, LOCAL, ERROR_OTHER, 123,
	  6000, 0, VIOLATION },
	{ "ICMP error from C quoting it", false, C, LOCAL, ERROR_UDP, 123, 6000, 0, REPLY },
	{ "ICMP error from C quoting the gateway's UDP to A", false, C, LOCAL, ERROR_OTHER, 53,
	  5000, 0, VIOLATION },
};
/* The flows the steps open, per family: A's TCP 40000 and 40003, UDP 5000
 * from two addresses, echo 77, C's UDP 6000 (the ACK opens none; B has no
 * rules). */
#define FLOWS_PER_FAMILY 6

#define C_SOURCES "AllowedSources = 192.0.2.128/26, 2001:db8:3::/80\n"
#define DESTINATIONS "AllowedDestinations = 198.51.100.1/32, 2001:db8:ff::1/128\n"

/* The datapath, its flows' timeouts timeout_ns (0: its own), synced from
 * the peers A, B and C with a policy giving A rules_a and C rules_c. */
static int load(struct world *w, uint64_t timeout_ns, const char *rules_a, const char *rules_c)
{
	const struct world_peer peers[] = {
		[A] = { "192.0.2.0/25 2001:db8:1::/64", rules_a },
		[B] = { "203.0.113.0/24 2001:db8:2::/64", NULL },
		[C] = { "192.0.2.128/25 2001:db8:3::/64", rules_c },
	};

	return world_load(w, peers, ARRAY_SIZE(peers), timeout_ns);
}

static uint8_t icmp_type(enum kind k, bool v4)
{
	switch (k) {
	case ECHO_REQUEST:
		return v4 ? 8 : 128;
	case ECHO_REPLY:
		return v4 ? 0 : 129;
	case ERROR_ECHO:
		return v4 ? 11 : 3; /* time exceeded */
	default:
		return v4 ? 3 : 1; /* destination unreachable */
	}
}

/* The spec of a packet of kind between peer and local, in the direction
 * out says. */
static int spec_of(struct l4_spec *s, int fam, bool out, enum peer peer, enum peer local,
		   enum kind kind, uint16_t peer_port, uint16_t local_port, uint8_t tcp_flags)
{
	bool v4 = fam == 0;

	memset(s, 0, sizeof(*s));
	if (l4_spec_addrs(s, addrs[fam][out ? local : peer], addrs[fam][out ? peer : local]))
		return -1;
	s->proto = kind == TCP ? IPPROTO_TCP : kind == UDP ? IPPROTO_UDP
			       : v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	s->sport = out ? local_port : peer_port;
	s->dport = out ? peer_port : local_port;
	s->flags = kind == TCP ? tcp_flags : kind == UDP ? 0 : icmp_type(kind, v4);
	if (kind == ECHO_REQUEST || kind == ECHO_REPLY)
		s->sport = peer_port; /* the id, whichever way */
	return 0;
}

/* An ICMP error's spec, s, quoting what st's kind says went to the peer,
 * into quoted. */
static int error_of(struct l4_spec *s, int fam, const struct step *st,
		    uint8_t quoted[PACKET_MAX])
{
	static const enum kind what[] = { [ERROR_UDP] = UDP, [ERROR_TCP] = TCP,
					  [ERROR_ECHO] = ECHO_REQUEST, [ERROR_AWAY] = UDP,
					  [ERROR_OTHER] = UDP };
	enum peer to = st->kind == ERROR_OTHER ? other_ruled[st->peer] : st->peer;
	struct l4_spec q;

	if (spec_of(s, fam, false, st->peer, st->local, st->kind, 0, 0, 0) ||
	    spec_of(&q, fam, true, to, st->kind == ERROR_AWAY ? ALLOWED : st->local,
		    what[st->kind], st->peer_port, st->local_port, TCP_FLAG_SYN))
		return -1;
	s->payload_len = l4_packet(quoted, PACKET_MAX, &q);
	s->payload = quoted;
	return s->payload_len ? 0 : -1;
}

/* One step in family fam; whether the program returned what it must. */
static bool step_run(const struct world *w, int fam, const struct step *st, bool enforce)
{
	uint8_t quoted[PACKET_MAX];
	struct l4_spec s;
	int64_t got, want = PASS;

	if (st->kind >= ERROR_UDP ? error_of(&s, fam, st, quoted)
				  : spec_of(&s, fam, st->out, st->peer, st->local, st->kind,
					    st->peer_port, st->local_port, st->tcp_flags))
		return false;
	if (st->want == VIOLATION && enforce)
		want = DROP;
	got = world_run(st->out ? w->out : w->in, &s, NULL);
	if (got != want)
		diag("  returned %lld, want %lld", (long long)got, (long long)want);
	return got == want;
}

/* How many inbound steps of peer p had outcome o, or any where o < 0 (per
 * family). */
static uint64_t count(enum peer p, int o)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		n += steps[i].peer == p && !steps[i].out && (o < 0 || steps[i].want == (unsigned)o);
	return n;
}

static uint64_t flows_in_table(const struct world *w)
{
	struct wgsf_flow_key k, next;
	uint64_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(w->maps.fd[MAP_FLOWS], prev, &next) && n < 100000) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

/* Every step, in both families; then each peer's counters, exactly. */
static void sequence(bool enforce)
{
	const char *mode = enforce ? "enforce" : "monitor";
	struct wgsf_peer_stats st;
	struct world w;
	size_t i;
	int fam;

	if (!ok(!load(&w, 0, DESTINATIONS, C_SOURCES DESTINATIONS),
		"%s: load, and sync a policy with destination rules", mode))
		return;
	if (!enforce)
		datapath_set_mode(w.maps.fd[MAP_CONFIG], WGSF_MODE_MONITOR);
	for (fam = 0; fam < 2; fam++)
		for (i = 0; i < ARRAY_SIZE(steps); i++)
			ok(step_run(&w, fam, &steps[i], enforce), "%s, IPv%d: %s: %s", mode,
			   fam ? 6 : 4, steps[i].what,
			   steps[i].out ? "sent" : steps[i].want == VIOLATION ? "a violation"
								  : "passed");
	for (i = A; i <= C; i++) {
		st = world_peer_stats(&w, world_slot(&w, i));
		ok(st.rx_packets == 2 * count(i, -1) &&
			   st.reply_packets == 2 * count(i, REPLY) &&
			   st.violations[WGSF_REASON_DESTINATION] == 2 * count(i, VIOLATION) &&
			   st.violation_packets == 2 * count(i, VIOLATION) &&
			   st.drop_packets == (enforce ? 2 * count(i, VIOLATION) : 0),
		   "%s: peer %c: %llu received, %llu replies, %llu violations, %s", mode,
		   (char)('A' + i), (unsigned long long)(2 * count(i, -1)),
		   (unsigned long long)(2 * count(i, REPLY)),
		   (unsigned long long)(2 * count(i, VIOLATION)),
		   enforce ? "all dropped" : "none dropped");
	}
	is_u64(world_dev_stats(&w).flows_created, 2 * FLOWS_PER_FAMILY, "%s: flows created", mode);
	is_u64(flows_in_table(&w), 2 * FLOWS_PER_FAMILY, "%s: flows in the table", mode);
	world_destroy(&w);
}

/* Without destination rules the egress program records nothing: A with
 * allowed sources only beside C with rules; then none with any, where it
 * reads no more than the config. */
static void no_rules(void)
{
	const struct step out = { "", true, A, LOCAL, UDP, 53, 5000, 0, SENT };
	const char *rules_c[] = { C_SOURCES DESTINATIONS, C_SOURCES };
	struct wgsf_config cfg;
	struct world w;
	int i;

	for (i = 0; i < 2; i++) {
		if (!ok(!load(&w, 0, "AllowedSources = 192.0.2.10/32, 2001:db8:1::10/128\n",
				    rules_c[i]),
			"load, and sync a policy where A has allowed sources only, C %s",
			i ? "too" : "destination rules"))
			return;
		ok(!config_read(w.maps.fd[MAP_CONFIG], &cfg) && cfg.dst_rules == !i,
		   "the config says that %s peer has destination rules", i ? "no" : "a");
		ok(step_run(&w, 0, &out, true) && step_run(&w, 1, &out, true) &&
			   world_dev_stats(&w).flows_created == 0 && flows_in_table(&w) == 0,
		   "the gateway's UDP to A, without rules, opens no flow");
		world_destroy(&w);
	}
}

/* Each kind of flow, its timeouts shortened at load: answered while it
 * lives, a violation once it idled past its timeout; a flow kept by
 * traffic, a TCP one both ways and a UDP one by the gateway, outlives it. */
static void expiry(void)
{
	const struct step open[] = {
		{ "UDP", true, A, LOCAL, UDP, 53, 5000, 0, SENT },
		{ "echo", true, A, LOCAL, ECHO_REQUEST, 77, 0, 0, SENT },
		{ "SYN", true, A, LOCAL, TCP, 22, 40000, S, SENT },
		{ "SYN of a TCP flow kept open", true, A, LOCAL, TCP, 22, 40001, S, SENT },
		{ "UDP of a flow kept open", true, A, LOCAL, UDP, 53, 5001, 0, SENT },
	};
	const struct step answer[] = {
		{ "UDP's answer", false, A, LOCAL, UDP, 53, 5000, 0, REPLY },
		{ "the echo reply", false, A, LOCAL, ECHO_REPLY, 77, 0, 0, REPLY },
		{ "the SYN-ACK", false, A, LOCAL, TCP, 22, 40000, SA, REPLY },
		{ "an ACK of the kept TCP flow", false, A, LOCAL, TCP, 22, 40001, AK, REPLY },
		{ "an answer on the kept UDP flow", false, A, LOCAL, UDP, 53, 5001, 0, REPLY },
	};
	struct step late;
	struct world w;
	size_t i;

	if (!ok(!load(&w, SHORT_TIMEOUT_NS, DESTINATIONS, C_SOURCES),
		"load with every flow timeout 1 s"))
		return;
	for (i = 0; i < ARRAY_SIZE(open); i++)
		ok(step_run(&w, 0, &open[i], true), "expiry: the gateway's %s", open[i].what);
	ok(step_run(&w, 0, &answer[0], true) && step_run(&w, 0, &answer[3], true),
	   "expiry: at once, %s and %s pass", answer[0].what, answer[3].what);
	world_sleep_ms(KEEP_MS);
	ok(step_run(&w, 0, &answer[3], true) && step_run(&w, 0, &open[4], true),
	   "expiry: 0.4 s on, %s passes, and the gateway sends on the kept UDP flow",
	   answer[3].what);
	world_sleep_ms(KEEP_MS);
	ok(step_run(&w, 0, &answer[3], true) && step_run(&w, 0, &answer[4], true),
	   "expiry: 0.8 s on, %s and %s pass: kept", answer[3].what, answer[4].what);
	world_sleep_ms(IDLE_MS);
	for (i = 0; i < ARRAY_SIZE(answer); i++) {
		late = answer[i];
		late.want = VIOLATION;
		ok(step_run(&w, 0, &late, true), "expiry: 1.5 s idle, %s is a violation",
		   late.what);
	}
	world_destroy(&w);
}

/* The gateway's ACK to A:22 from port, IPv4 (fam 0) or IPv6, whose IP
 * length field is 0, as BIG TCP leaves an aggregate over 64 KiB. */
static size_t zero_length_ack(int fam, uint16_t port, uint8_t ip[PACKET_MAX])
{
	struct l4_spec s;
	size_t len;

	if (spec_of(&s, fam, true, A, LOCAL, TCP, 22, port, AK))
		return 0;
	len = l4_packet(ip, PACKET_MAX, &s);
	memset(ip + (fam ? 4 : 2), 0, 2); /* IPv6's payload length, IPv4's total */
	return len;
}

/* Its length is the skb's, as the kernel reads it: such ACKs, each a GSO
 * aggregate, sent every 0.4 s keep a TCP flow past its 1 s; in a skb that
 * is no aggregate, the same bytes are malformed and keep nothing. Flow i:
 * family i / 2, an aggregate where i is even. */
static void zero_length(void)
{
	const struct __sk_buff gso = { .gso_segs = 2, .gso_size = 1000 };
	uint8_t ip[4][PACKET_MAX];
	size_t len[4];
	struct world w;
	struct step st;
	int i, round;
	bool sent = true;

	if (!ok(!load(&w, SHORT_TIMEOUT_NS, DESTINATIONS, C_SOURCES),
		"load with every flow timeout 1 s"))
		return;
	for (i = 0; i < 4; i++) {
		st = (struct step){ "", true, A, LOCAL, TCP, 22, 41000 + i, S, SENT };
		len[i] = zero_length_ack(i / 2, st.local_port, ip[i]);
		ok(len[i] && step_run(&w, i / 2, &st, true), "IPv%d: the gateway's SYN from %u",
		   i / 2 ? 6 : 4, st.local_port);
	}
	for (round = 0; round < 3; round++) {
		world_sleep_ms(KEEP_MS);
		for (i = 0; i < 4; i++)
			sent &= world_run_ip(w.out, ip[i], len[i], i % 2 ? NULL : &gso) == PASS;
	}
	ok(sent, "its ACKs of IP length 0, every 0.4 s for 1.2 s, passed");
	for (i = 0; i < 4; i++) {
		st = (struct step){ "", false, A, LOCAL, TCP, 22, 41000 + i, AK,
				    i % 2 ? VIOLATION : REPLY };
		ok(step_run(&w, i / 2, &st, true), "IPv%d: A's ACK to %u, 1.2 s on: %s", i / 2 ? 6 : 4,
		   st.local_port, i % 2 ? "a violation, the ACKs in plain skbs kept nothing"
				       : "a reply, the aggregates kept the flow");
	}
	world_destroy(&w);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	sequence(true);
	sequence(false);
	no_rules();
	expiry();
	zero_length();
	return done_testing();
}
