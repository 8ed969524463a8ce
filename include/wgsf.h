/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The map ABI shared by the datapath (bpf/) and userspace (loader/, tools/).
 * Fixed-width types only: the same bytes are read by the BPF program, the
 * loader, and `bpftool map dump`. Pinned maps outlive the CLI that created
 * them, so any change to a layout here bumps WGSF_ABI_VERSION.
 */
#ifndef WGSF_H
#define WGSF_H

#include <linux/bpf.h>
#include <linux/types.h>

#define WGSF_ABI_VERSION 18

/* Peer slots index the per-peer arrays. */
#define WGSF_MAX_PEERS 262144u
#define WGSF_MAX_PREFIXES 1000000u /* per family */

enum wgsf_mode {
	WGSF_MODE_MONITOR = 0, /* count violations, pass them */
	WGSF_MODE_ENFORCE = 1, /* count violations and drop them */
};

/* Why a packet broke its peer's policy; indexes wgsf_peer_stats.violations. */
enum wgsf_reason {
	WGSF_REASON_SOURCE = 0,      /* source outside the peer's allowed sources */
	WGSF_REASON_DESTINATION = 1, /* destination outside its allowed destinations */
	WGSF_REASON_BLOCKED = 2,     /* the peer is blocked (Block = true) */
	WGSF_REASON_SERVICE = 3,     /* a destination rule holds it, for other services */
	WGSF_REASON_RATE = 4,        /* over the peer's rate limit (struct wgsf_rate_limit) */
	WGSF_REASON_QUARANTINED = 5, /* the peer is in quarantine (struct wgsf_quarantine) */
	WGSF_REASON_COUNT,
};

/* wgsf_peer_policy.flags */
#define WGSF_PEER_BLOCKED (1u << 0)
#define WGSF_PEER_SRC_POLICY (1u << 1) /* src_policy4/6 hold its allowed sources */
#define WGSF_PEER_DST_POLICY (1u << 2) /* its ruleset holds its destination rules */
#define WGSF_PEER_RATE (1u << 3)       /* rate_limit holds its rate limit */
#define WGSF_PEER_QUAR (1u << 4)       /* quarantine holds an entry of its key */

/*
 * Keys of the allowed-IPs tables, one pair per family: prefixlen counts bits
 * of addr, in network byte order. Value: the owning peer's slot (__u32),
 * with WGSF_ENTRY_* bits above it.
 *
 * Host routes (/32, /128) live in a hash (host_ips4/6), everything shorter
 * in an LPM trie (allowed_ips4/6). A host route is always the longest
 * match, so the datapath asks the hash first and the trie only on a miss:
 * one hashed lookup for the usual gateway peer instead of a walk down a
 * trie of every peer's address. The hash keeps the trie's key layout, with
 * prefixlen always the full length, so that one key serves both lookups.
 */
/*
 * What the owner's policy says of every source in an allowed-IPs entry,
 * where that is the same for all of them (always for a host route): the
 * datapath then decides from the entry alone, without looking the peer's
 * flags and allowed sources up. Without WGSF_ENTRY_POLICY (a prefix that the
 * peer's allowed sources split), it looks them up.
 */
#define WGSF_ENTRY_SLOT 0x00ffffffu   /* the slot */
#define WGSF_ENTRY_POLICY (1u << 31)  /* the bits below say it all */
#define WGSF_ENTRY_BLOCKED (1u << 30) /* the peer is quarantined */
#define WGSF_ENTRY_SRC_OUT (1u << 29) /* its sources lie outside the peer's allowed sources */
#define WGSF_ENTRY_DST (1u << 28)     /* the peer has allowed destinations: look them up */
#define WGSF_ENTRY_RATE (1u << 27)    /* the peer has a rate limit: meter it */
#define WGSF_ENTRY_QUAR (1u << 26)    /* the peer has a quarantine entry: ask it */

/*
 * The host-route index (host_index4/6): every host route of host_ips4/6,
 * where it fits, in a flat table of 64-byte buckets, one cache line each
 * (an ARRAY made BPF_F_MMAPABLE, whose values start on a page: a plain
 * ARRAY's first value sits 56 bytes into a line). The hashes stay the
 * whole truth, and the index a copy that the loader keeps beside them: a
 * packet from a host route reads one bucket, where a hash reads its bucket
 * array, its element, and hashes the key with jhash.
 *
 * Bucket 0 is the head: mask (the bucket count less one; a power of two)
 * and seed, written once before any entry. A key's buckets are 1 + (h &
 * mask) and 1 + ((h >> 32) & mask), h = wgsf_host_hash4/6 (wgsf_hosts.h).
 * The loader puts a key in its first bucket where a way is free, else in
 * its second (and sets WGSF_HOSTS_SPILL in the first), else only in the
 * hash (and sets WGSF_HOSTS_OVERFLOW in the first). So a lookup reads the
 * first bucket, the second only where the first has SPILL or OVERFLOW,
 * and the hash only where it has OVERFLOW. Keys never move between
 * buckets: a key valid before and after a write is found during it. Flags
 * stay set until the index is built anew (a growth of the hashes).
 *
 * A way is in use where its bit in used is set. The loader fills a way
 * before it sets the bit, and clears the bit to remove it; an IPv4 way
 * (address and value) is written as one 8-byte store and read as one
 * 8-byte load, and an IPv6 way's value changes in one 4-byte store.
 * Every bucket is 64 bytes.
 */
#define WGSF_HOSTS_WAYS4 7
#define WGSF_HOSTS_WAYS6 3
#define WGSF_HOSTS_SPILL (1u << 0)
#define WGSF_HOSTS_OVERFLOW (1u << 1)

struct wgsf_hosts_head {
	__u32 mask;
	__u32 seed;
	__u8 pad[56];
};

struct wgsf_host4_way {
	__u8 addr[4];
	__u32 value; /* as host_ips4's */
};

struct wgsf_host4_bucket {
	__u8 used;  /* bit i: way i holds a key */
	__u8 flags; /* WGSF_HOSTS_* */
	__u8 pad[6];
	struct wgsf_host4_way way[WGSF_HOSTS_WAYS4];
};

/* IPv6: the addresses first, where each is two aligned words. */
struct wgsf_host6_bucket {
	__u8 addr[WGSF_HOSTS_WAYS6][16];
	__u32 value[WGSF_HOSTS_WAYS6];
	__u8 used;
	__u8 flags;
	__u8 pad[2];
};

struct wgsf_lpm4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct wgsf_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/*
 * Keys of the policy tries. Allowed sources (src_policy4/6) are keyed by
 * the peer's slot, destination rules (dst_policy4/6) by a ruleset, which
 * every peer of the same rules shares (a group's members): owner, big-endian
 * so that the trie matches it bit by bit before the address, then the
 * prefix; prefixlen is 32 + the prefix length. Split as the allowed-IPs
 * tables are: host prefixes in src_hosts4/6 and dst_hosts4/6, hashes with
 * the same key (prefixlen 32 + the full length), the rest in the tries.
 * Value: sources, __u32 1; destinations, the service set that the longest
 * prefix admits (WGSF_SET_ANY: every protocol, no services lookup).
 */
struct wgsf_pol4_key {
	__u32 prefixlen;
	__be32 owner; /* a slot, or a ruleset */
	__u8 addr[4];
};

struct wgsf_pol6_key {
	__u32 prefixlen;
	__be32 owner;
	__u8 addr[16];
};

#define WGSF_POL_SLOT_BITS 32
#define WGSF_SET_ANY 0u

/*
 * A ruleset's id says which of the four destination tables hold its
 * prefixes, so that a packet asks only those: a ruleset of prefixes alone
 * spares the hash (its key hashed, its bucket read), one of host prefixes
 * alone, the trie's walk after the hash misses. The bits are the content's
 * and a ruleset never changes, so that an id is right for as long as it
 * exists; the number below them tells rulesets of the same bits apart.
 */
#define WGSF_RULESET_HOSTS4 (1u << 31)    /* dst_hosts4 holds some of its prefixes */
#define WGSF_RULESET_PREFIXES4 (1u << 30) /* dst_policy4 does */
#define WGSF_RULESET_HOSTS6 (1u << 29)
#define WGSF_RULESET_PREFIXES6 (1u << 28)
#define WGSF_RULESET_NUMBER 0x0fffffffu

/*
 * A destination prefix's service set (services, an LPM trie): which
 * protocols, ports and ICMP types the rules whose prefix holds the longest
 * one admit, the union of them all, so that one answer is enough. Sets are
 * shared by content across rulesets. Key: the set, then the protocol, a
 * kind, and the port (TCP, UDP, SCTP) or ICMP type << 8 | code, all
 * big-endian and matched bit by bit:
 *  - every port or type of a protocol: prefixlen 40 (set and protocol);
 *  - ports and types: kind WGSF_SVC_PORT, a port range as aligned blocks
 *    (prefixlen 48 + the block's fixed bits), an ICMP type prefixlen 56;
 *  - kind WGSF_SVC_NAMED, prefixlen 48: the set names the protocol at all,
 *    what a non-first fragment, which has no ports, asks.
 * The datapath asks kind WGSF_SVC_PORT for a packet with ports, NAMED for a
 * fragment, and WGSF_SVC_ALL, which only an entry of prefixlen 40 matches,
 * for a header cut short. Value: __u32, unused (1).
 */
struct wgsf_svc_key {
	__u32 prefixlen;
	__be32 set;
	__u8 proto;
	__u8 kind; /* WGSF_SVC_* */
	__be16 port;
};

#define WGSF_SVC_PORT 0
#define WGSF_SVC_NAMED 1
#define WGSF_SVC_ALL 2
#define WGSF_SVC_PROTO_BITS 40 /* set and protocol */
#define WGSF_SVC_KIND_BITS 48  /* and kind */
#define WGSF_SVC_BITS 64

struct wgsf_peer_policy {
	__u32 flags;   /* WGSF_PEER_* */
	__u32 ruleset; /* its destination rules' owner in dst_policy4/6, or 0 */
};

/* An address of either family: IP version 4 or 6, or 0 for none. */
struct wgsf_addr {
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
	__u8 version;
	__u8 pad[7];
};

/*
 * Per-peer counters, one copy per CPU: an ARRAY made BPF_F_MMAPABLE (its
 * values start on a page), slot s's copy for CPU c at key s * CPUs + c,
 * CPUs being the possible CPUs (the datapath's nr_cpus, set at load).
 * Each copy is three whole cache lines, and the first holds what every
 * packet writes (a PERCPU_ARRAY's copies are 8-byte aligned, so that its
 * hot bytes straddled two lines for one slot in four, and reaching them
 * read a line of pointers first). Userspace sums the copies over CPUs and
 * takes the newest timestamps.
 * Times are bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC_COARSE, a tick's
 * resolution: a precise clock read costs more than the rest of a packet
 * when the table is small); 0 means never.
 * Packets are counted as their sender sent them: a GRO or GSO aggregate as
 * its segments, each with its IP and L4 headers (see bpf/wgsf.bpf.c).
 * Bytes are the IP length (IPv4 total length, IPv6 40 + payload length).
 *
 * peer_stats_prev, of the same layout, holds what the programs before the
 * last growth of peer_stats counted: a growth loads a new program on a new,
 * larger peer_stats, and the peer_stats in force, into which the program
 * in force counts until the new one replaces it, becomes the new
 * generation's peer_stats_prev (what the one before held is copied into
 * the new peer_stats first, while nothing counts into it). No program
 * writes the new peer_stats_prev once the hook is switched, and no count
 * lands where readers do not look: a peer's counters are the sum of its
 * slot in both maps (where the slot is below peer_stats_prev's capacity),
 * its stamps the newer of the two, as for CPUs. A slot is zeroed in both
 * before reuse. A first attach gives peer_stats_prev one slot; after a
 * growth the kernel (bpftool) names it peer_stats, as it was made.
 */
struct wgsf_peer_stats {
	/* What every packet writes, in the first line. */
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 last_seen_ns;
	__u64 violation_packets;
	__u64 violation_bytes;
	__u64 drop_packets;
	__u64 drop_bytes;
	__u64 violations[WGSF_REASON_COUNT];
	__u64 last_violation_ns;
	__u32 last_violation_reason; /* enum wgsf_reason */
	/* its upper layer: protocol, destination port (ICMP: type << 8 |
	 * code), and WGSF_L4_* flags where the port is not known */
	__u8 last_violation_proto;
	__u8 last_violation_l4;
	__u16 last_violation_port;
	struct wgsf_addr last_violation_src;
	struct wgsf_addr last_violation_dst;
	/* Packets that broke the peer's destination rules but answered a
	 * flow opened toward it from the gateway's side (flows, below), so
	 * passed and counted as neither violations nor drops. */
	__u64 reply_packets;
	/* Violations written as no event while a reader was there: over the
	 * peer's event budget (struct wgsf_event_budget). */
	__u64 event_suppressed;
	/* The IP bytes of the packets over the peer's rate limit (their
	 * packets are violations[WGSF_REASON_RATE]). */
	__u64 rate_bytes;
};

/*
 * Device counters, one copy per CPU (PERCPU_ARRAY, one entry).
 * unknown: an IP packet whose source matches no peer's allowed IPs. WireGuard
 * already accepted it, so the tables are stale (a peer added since the last
 * sync); it is passed and counted. malformed: too short for its header, or
 * not IPv4/IPv6; passed and counted. violation_packets: every peer's
 * together, so that a reader learns that some grew without reading each
 * peer's.
 */
struct wgsf_dev_stats {
	__u64 unknown_packets;
	__u64 unknown_bytes;
	__u64 malformed_packets;
	__u64 last_unknown_ns;
	struct wgsf_addr last_unknown_src;
	__u64 violation_packets;
	/* Flows the egress program put in the flow table: those not in it now
	 * were evicted (the datapath removes none). */
	__u64 flows_created;
	/* Violations while a reader was there, of every peer: suppressed by
	 * their peer's event budget (the peer's own counts say whose), and
	 * lost because the ring buffer had no room for their event. */
	__u64 event_suppressed;
	__u64 event_lost;
	/* Flow records (struct wgsf_flowrec), where they are on: flows that
	 * newer ones pushed out of the table; packets of a new flow that found
	 * no room (the table is full only while flows come faster than the
	 * hand turns: see flowrec); the records of flows pushed out that the
	 * ring buffer had no room for, while a reader was there. */
	__u64 flowrec_evicted;
	__u64 flowrec_untracked;
	__u64 flowrec_end_lost;
};

/*
 * Denied-packet events (events, a RINGBUF of WGSF_EVENT_RING bytes): one
 * record for each violation, written only while a reader is there, which
 * says so by keeping event_reader's one __u64 (CLOCK_MONOTONIC ns) ahead of
 * now: a reader that dies stops them within WGSF_EVENT_LEASE_NS. A peer
 * writes at most WGSF_EVENT_RATE events a second, in bursts of up to
 * WGSF_EVENT_BURST; the violations past that are counted (event_suppressed)
 * and not written, as are those the ring has no room for (event_lost).
 * An aggregate (see wgsf_peer_stats) is one event of its packets, and
 * counts are in packets.
 */
#define WGSF_EVENT_RING (256u * 1024)
#define WGSF_EVENT_RATE 100u
#define WGSF_EVENT_BURST 100u
#define WGSF_EVENT_LEASE_NS 3000000000ull

/* wgsf_event.action */
enum wgsf_action {
	WGSF_ACTION_COUNTED = 0, /* monitor: passed */
	WGSF_ACTION_DROPPED = 1,
};

/* wgsf_event.reason of a packet that WireGuard itself dropped, its source
 * outside its sender's allowed IPs: the tracer's (see wgsf_tracer.h). */
#define WGSF_EVENT_REJECTED 0xffu

struct wgsf_event {
	__u64 time_ns; /* bpf_ktime_get_ns() */
	__u32 slot;    /* the sender's: peer_slots names its key (the datapath's) */
	__u32 packets;
	__u32 bytes;   /* IP bytes, as counters count them */
	__u8 reason;   /* enum wgsf_reason, or WGSF_EVENT_REJECTED */
	__u8 action;   /* enum wgsf_action */
	__u8 proto;    /* the upper-layer protocol */
	__u8 l4_flags; /* WGSF_L4_*: where set, no ports nor ICMP type */
	__u16 sport, dport; /* TCP, UDP, SCTP; host order */
	__u8 icmp_type, icmp_code;
	__u16 pad;
	struct wgsf_addr src, dst;
	__u8 public_key[32]; /* the sender's where the tracer wrote it, else 0 */
};

/* A peer's event budget (event_budget, ARRAY by slot), a token bucket as
 * GCRA keeps one: the time at which its bucket would be full again. Not
 * zeroed when a slot is given to another peer (a syscall per new peer,
 * a sixth of a full sync's time): that time is at most a second ahead,
 * so a peer given the slot of one that flooded in its last second may
 * see its own first events of that second suppressed, and counted. */
struct wgsf_event_budget {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 tat;
};

/*
 * A peer's rate limit (rate_limit, ARRAY by slot, written by the loader
 * and read by userspace alone), the policy's figures as given (what show
 * reads): two kinds, either or both, bits per second with a burst in
 * bytes, and packets per second with a burst in packets; 0 where a kind
 * is not limited. The datapath meters against what the loader derives
 * from them into the slot's line of rate_state. Each kind is a GCRA (a
 * token bucket kept as one time, rate_state's tat: when its bucket would
 * be empty again). A packet is over the limit where adding its worth
 * would put a bucket's tat more than the burst's worth ahead of now,
 * unless that bucket was empty (tat <= now): so a burst of B packets
 * passes exactly B, and an aggregate larger than the burst still passes
 * an idle bucket (its debt paid before the next). A packet over the limit
 * adds nothing to either bucket, in either mode.
 */
struct wgsf_rate_limit {
	__u64 bits_per_sec;
	__u64 burst_bytes;
	__u64 packets_per_sec;
	__u64 burst_packets;
};

/* wgsf_rate_state.clock: the clock that a limit's buckets keep. */
enum wgsf_rate_clock {
	WGSF_RATE_PRECISE, /* bpf_ktime_get_ns() */
	WGSF_RATE_COARSE,  /* bpf_ktime_get_coarse_ns(), which every packet reads anyway */
};

/* The coarse clock serves a limit whose every burst is worth at least
 * this many of its ticks: a bucket then gains back in one tick no more
 * than it holds, and the rate over time is the limit's to the ns. */
#define WGSF_RATE_COARSE_TICKS 4

/*
 * What a metered packet reads and writes, one cache line a slot
 * (rate_state, an ARRAY made BPF_F_MMAPABLE: its values start on a page):
 * the peer's buckets (CLOCK_MONOTONIC ns, 0 for an empty bucket), and
 * what the loader derives from rate_limit, written with it: the time one
 * byte or one packet is worth at the rate, in picoseconds, the bursts as
 * the time they are worth, in ns, and the clock. The buckets move by
 * compare-and-exchange, with no lock (a helper call that saves and
 * restores interrupts), and a limit whose bursts are long enough keeps
 * the coarse clock, which every packet reads anyway. Two CPUs that meter
 * one peer at once retry; after WGSF_RATE_TRIES each, a packet is added
 * to its bucket unasked, so that the rate over time still holds.
 * A packet that the packets' bucket refuses gives back the bytes it took
 * where nothing moved their bucket since; else they stay taken (strict).
 */
struct wgsf_rate_state {
	__u64 byte_tat;
	__u64 packet_tat;
	__u64 byte_ps;       /* 8e12 / bits_per_sec, rounded up; 0: no byte limit */
	__u64 byte_tau_ns;   /* burst_bytes * byte_ps / 1000 */
	__u64 packet_ps;     /* 1e12 / packets_per_sec, up to a whole ns; 0: no packet limit */
	__u64 packet_tau_ns; /* burst_packets * packet_ps / 1000 */
	__u32 clock; /* enum wgsf_rate_clock */
	__u32 pad;
	__u64 pad2;
};

#define WGSF_RATE_TRIES 2

/*
 * Quarantine (quarantine, a HASH keyed by the peer's public key, so that
 * the tracer, which knows a sender by its key, counts into the same entry,
 * and so that an entry needs no carrying when the slot tables grow): a
 * peer's Quarantine rule (violations, period_ns, duration_ns; all 0 for a
 * peer quarantined by hand that has no rule) and its state. Times are
 * CLOCK_MONOTONIC ns; the datapath's now is the coarse clock that it reads
 * for every packet anyway (a precise read cost a third of an uncached
 * packet), so a quarantine ends up to a tick late; a release by hand
 * (until_ns 0) holds at once. The peer is in quarantine while now < until_ns: every
 * packet from it is then a violation of reason quarantined, and nothing
 * is counted toward another. Otherwise its violations of reasons source,
 * destination and service (and, by the tracer, each packet WireGuard
 * rejected from it) are counted in eighths of period_ns: window[i] holds
 * eighth e (now / (period_ns / 8)) with e % 8 == i, as e << 32 | count,
 * and window_reasons[i] the reasons' bits (1 << reason; WGSF_QUAR_REJECTED
 * for the tracer's). When the counts of the eight last eighths (the one
 * now included) reach violations, the quarantine begins: since_ns = now,
 * until_ns = now + duration_ns, by WGSF_QUAR_BY_RULE, counted and reasons
 * what began it, and the windows are emptied. So N violations within 7/8
 * of a period always begin one, and two more than a period apart never
 * count together. Counts are atomic adds; two CPUs that open the same
 * eighth at once may lose one count. A quarantine by hand (wgsf quarantine)
 * writes since/until (WGSF_QUAR_FOREVER: until released) and by.
 */
#define WGSF_QUAR_WINDOWS 8
#define WGSF_QUAR_REJECTED (1u << 7)
#define WGSF_QUAR_FOREVER (~0ull)

/* wgsf_quarantine.by */
enum wgsf_quar_by {
	WGSF_QUAR_BY_NONE = 0, /* never in quarantine, or released */
	WGSF_QUAR_BY_RULE = 1, /* its Quarantine rule: counted violations */
	WGSF_QUAR_BY_HAND = 2, /* wgsf quarantine */
};

struct wgsf_quar_key {
	__u8 public_key[32];
};

struct wgsf_quarantine {
	__u32 violations; /* the rule's N; 0: no rule */
	__u32 by;         /* enum wgsf_quar_by of the last quarantine */
	__u64 period_ns;
	__u64 duration_ns;
	__u64 since_ns; /* the last quarantine's start; 0: never */
	__u64 until_ns; /* its end (WGSF_QUAR_FOREVER: none); 0: released */
	__u32 reasons;  /* by the rule: the bits of the violations counted */
	__u32 counted;  /* and how many */
	__u64 window[WGSF_QUAR_WINDOWS];
	__u32 window_reasons[WGSF_QUAR_WINDOWS];
};

/*
 * wgsf's own flow table (flows, LRU_HASH, WGSF_FLOWS entries per
 * interface): what the egress program saw go from the gateway's side to a
 * peer with destination rules, so that what answers it passes those rules
 * (README, wgsf.policy(5)). Keyed as the ingress program sees an answer:
 * the peer's side first. Addresses of either family as wgsf_addr holds
 * them, ports in host order; an ICMP echo's key has its id as the peer's
 * port and 0 as the local one. No slot: the answer's source names its
 * peer, as for every inbound packet.
 */
#define WGSF_FLOWS 16384u

struct wgsf_flow_key {
	__u8 version; /* 4 or 6 */
	__u8 proto;   /* TCP, UDP, ICMP or ICMPv6 */
	__u16 peer_port;
	__u16 local_port;
	__u16 pad;
	__u8 peer[16];
	__u8 local[16];
};

/* How far a flow has come; each state has its idle timeout (the datapath's
 * flow_timeout_ns, a load-time constant). */
enum wgsf_flow_state {
	WGSF_FLOW_TCP_OPENING, /* an outgoing SYN, nothing back yet: 2 min */
	WGSF_FLOW_TCP_OPEN,    /* answered: 2 h idle */
	WGSF_FLOW_TCP_CLOSED,  /* FIN both ways, or RST: 10 s for the last ACKs */
	WGSF_FLOW_UDP,         /* 120 s after the last outgoing datagram */
	WGSF_FLOW_ECHO,        /* an echo request: 30 s for its reply */
	WGSF_FLOW_STATES,
};

/* wgsf_flow.fins: which ways a FIN went. */
#define WGSF_FLOW_FIN_OUT (1u << 0)
#define WGSF_FLOW_FIN_IN (1u << 1)

struct wgsf_flow {
	__u64 last_ns; /* bpf_ktime_get_coarse_ns() of the last packet that kept it */
	__u32 state;   /* enum wgsf_flow_state */
	__u32 fins;    /* WGSF_FLOW_FIN_* */
};

/*
 * Flow records (opt-in: wgsf attach --flows=SIZE): what each peer sends,
 * flow by flow, as ingress sees it: flowrec, a HASH of at most SIZE flows
 * (and WGSF_FLOWREC_SLACK more, for CPUs that place flows at once), and
 * flowrec_order, an ARRAY of SIZE places around which a clock hand
 * (flowrec_hand) turns: a new flow takes the place under the hand, and
 * the flow that held it is evicted, unless a packet came for it since the
 * hand last passed (hit): then the hand clears that and moves on, up to
 * WGSF_FLOWREC_CHANCES places (an LRU's approximation, as a page cache
 * keeps one). SIZE 1 (both maps' size): flows are off, and the program
 * has no flow code (a load-time constant).
 *
 * A flow: IP version, protocol, source, destination, and the ports (TCP,
 * UDP, SCTP) or ICMP type and code, as the packet has them (l4_flags as
 * the parse found them: a non-first fragment has no ports, and is a flow
 * of its own); its value names the sender's slot. The key holds no slot so
 * that the datapath looks the flow up beside the sender, not after it: the
 * two lookups' misses overlap. A source names one peer at a time; where
 * a sync moves it to another, the flow of the peer that had it ends, as
 * evicted, at the first packet of the other's, which starts its own. Times
 * are bpf_ktime_get_coarse_ns().
 * A flow ends when it is evicted (the datapath writes a struct
 * wgsf_flow_end to the events ring, while a reader is there) or when the
 * reader finds it idle, and takes it out; whichever removes it writes its
 * end. A sync takes a departed peer's flows out with its slot.
 */
#define WGSF_FLOWREC_DEFAULT 16384u
#define WGSF_FLOWREC_MIN 16u
#define WGSF_FLOWREC_MAX 1048576u
#define WGSF_FLOWREC_SLACK 256u
#define WGSF_FLOWREC_CHANCES 4

struct wgsf_flowrec_key {
	__u8 version; /* 4 or 6 */
	__u8 proto;
	__u8 l4_flags; /* WGSF_L4_*: where set, no ports nor ICMP type */
	__u8 icmp_type;
	__u16 sport, dport; /* TCP, UDP, SCTP; host order */
	__u8 icmp_code;
	__u8 pad[3];
	__u8 src[16]; /* IPv4 in the first 4 bytes */
	__u8 dst[16];
};

struct wgsf_flowrec {
	__u64 packets; /* as counters count them (wgsf_peer_stats) */
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
	__u32 pos; /* its place in flowrec_order */
	__u32 hit; /* a packet came since the hand passed it */
	__u32 slot; /* the sender's: peer_slots names its key */
	__u32 pad;
};

struct wgsf_flowrec_hand {
	struct bpf_spin_lock lock;
	__u32 next; /* the place a new flow takes */
};

/* wgsf_flow_end.why */
enum wgsf_flow_end_why {
	WGSF_FLOW_END_EVICTED = 1, /* a newer flow took its place */
	WGSF_FLOW_END_IDLE = 2,    /* the reader found it idle (userspace only) */
};

/* A record in the events ring (beside struct wgsf_event, told apart by
 * its size): a flow that ended, with what it counted. No byte of padding,
 * which the ring would carry as it found it. */
struct wgsf_flow_end {
	__u64 time_ns; /* bpf_ktime_get_ns() */
	struct wgsf_flowrec rec;
	__u32 why; /* enum wgsf_flow_end_why */
	struct wgsf_flowrec_key key;
};

_Static_assert(sizeof(struct wgsf_flow_end) != sizeof(struct wgsf_event),
	       "the events ring tells its records apart by their sizes");
_Static_assert(sizeof(struct wgsf_flow_end) ==
		       8 + sizeof(struct wgsf_flowrec) + 4 + sizeof(struct wgsf_flowrec_key),
	       "a flow's end has no padding");

/*
 * An attachment's two sides: the datapath on the interface's ingress (what
 * peers send), and on its egress the program that records the flows that
 * replies answer (what goes to peers). One is never attached without the
 * other.
 */
enum wgsf_side {
	WGSF_INGRESS,
	WGSF_EGRESS,
	WGSF_SIDES,
};

/* A cls_bpf filter under clsact, by its priority and handle. */
struct wgsf_filter {
	__u32 prio;
	__u32 handle;
};

/*
 * What the loader attached, so that every later command (sync, show,
 * detach) finds it in the pins and detach removes exactly that.
 */
struct wgsf_attachment {
	__u32 kind;          /* loader's enum hook_kind: tc, or xdp (an earlier wgsf's) */
	__u32 mech;          /* loader's enum hook_mech: none, tcx, clsact, xdp-generic */
	__u32 ifindex;       /* the interface attached to */
	__u32 created_qdisc; /* clsact: we added the qdisc, so it is ours to remove */
	/* clsact: our filter on each side; 0 and 0 until it is made */
	struct wgsf_filter filter[WGSF_SIDES];
};

#define WGSF_POLICY_PATH_MAX 256

/*
 * The one entry of the config ARRAY map (MMAPABLE: it starts on a page).
 * Its first 64 bytes, one cache line, hold exactly what the datapath reads
 * (mode, policied, dst_rules) and what identifies the pins; the loader
 * writes that line only where its bytes change, so that the writes of every
 * sync (the generation, below it) never take it from a CPU's cache.
 */
struct wgsf_config {
	__u32 abi_version; /* WGSF_ABI_VERSION of the loader that wrote it: stays first */
	__u32 mode;        /* enum wgsf_mode */
	/* Nonzero once a peer may have policy flags (set with the first
	 * nonzero flags, cleared by a sync that leaves none): until then the
	 * datapath does not look peer_policy up. */
	__u32 policied;
	/* Nonzero while a peer may have destination rules, set before any
	 * entry says so: until then the egress program reads nothing more. */
	__u32 dst_rules;
	__u32 line_pad[12]; /* zero: the rest starts on the next line */
	/* Raised by every write of this map and of the tables: a process that
	 * remembers what it wrote knows from it that nobody wrote since. */
	__u64 generation;
	/* Set before a command writes the tables or the pins and cleared when
	 * it is done: found set under the lock, it says that a command was
	 * killed midway, and the next one completes the job. */
	__u32 unfinished;
	/* The policy in force as it was read, in policy_text: raised with
	 * every new text, whose chunks are keyed by the id's lowest bit. */
	__u32 policy_id;
	__u32 policy_len; /* bytes; 0: no policy */
	struct wgsf_attachment attachment;
	char policy[WGSF_POLICY_PATH_MAX]; /* the policy file sync re-reads, or "" */
	__u32 pad;
};

/*
 * The sentinel (DEVMAP, userspace only: no packet ever reads it): every
 * attach fills it, from within the interface's network namespace, with the
 * interface and that namespace's loopback device, by ifindex. The kernel
 * deletes a devmap entry when its device is unregistered or leaves the
 * namespace, and an entry keeps neither alive; the loopback device leaves
 * only with its namespace. So the pins tell, from the kernel's own objects,
 * whether the namespace they were attached in still exists.
 */
enum wgsf_sentinel_key {
	WGSF_SENTINEL_IFACE,    /* the interface attached to */
	WGSF_SENTINEL_LOOPBACK, /* its namespace's loopback device */
	WGSF_SENTINEL_KEYS,
};

/*
 * The policy text in force, kept in the pins so that every command applies
 * the same policy, even when its file has moved or changed since (HASH,
 * userspace only): key WGSF_POLICY_KEY(id, chunk), WGSF_POLICY_CHUNK bytes
 * a value. A new text goes under the other id's keys and the config switches
 * to it in one write, so that no reader sees half of it.
 */
#define WGSF_POLICY_CHUNK 4096u
#define WGSF_POLICY_CHUNKS 4096u /* per text: 16 MiB */
#define WGSF_POLICY_KEY(id, chunk) ((((__u32)(id) & 1u) << 31) | (chunk))

struct wgsf_policy_chunk {
	char text[WGSF_POLICY_CHUNK];
};

/*
 * Slot table (ARRAY indexed by slot): which peer owns each slot. It lives in
 * a pinned map so that a peer keeps its slot, and its counters, across syncs
 * and loader restarts. Only userspace reads it.
 */
struct wgsf_slot {
	__u8 public_key[32];
	__u32 in_use;
};

#endif /* WGSF_H */
