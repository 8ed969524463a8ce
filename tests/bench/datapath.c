// SPDX-License-Identifier: GPL-2.0-only
/*
 * The datapath's per-packet cost, for `make bench`; one JSON object per
 * line on stdout (the control plane's is control.c's).
 *
 * bench.bpf.c's programs through BPF_PROG_TEST_RUN (JIT as the
 * system has it), 65,536 distinct sources per run, for the floor, a plain
 * LPM_TRIE of every prefix, and wgsf in monitor mode and in enforce mode
 * with an allowed-sources policy on every peer, and in monitor mode with
 * host routes looked up in the hashes alone (the index skipped: the
 * design before it), with those hashes preallocated too (the kernel's
 * default, which wgsf turns off: the measurement behind that choice), and
 * with flow records on (a table of WGSF_FLOWREC_DEFAULT) and off, and in
 * monitor mode with a rate limit on every peer that no packet exceeds,
 * and with a Quarantine rule on every peer that no packet triggers, for
 * IPv4 and IPv6, at each table size, with all host routes and with mixed
 * prefix lengths; and the floor, the plain trie and monitor again with the
 * packets back to back (bench.bpf.c says why the others are not). The
 * tables are written by the loader's own sync, as
 * `wgsf attach` writes them. No packet leaves BPF_PROG_TEST_RUN, so the
 * addresses may be any.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.skel.h"
#include "tables/datapath.h"
#include "tables/stats.h"
#include "tables/sync.h"

#define ADDRS 65536 /* bench.bpf.c's BENCH_ADDRS */
#define MAX_SLOTS 65536u
#define RUNS 7

static uint64_t seed;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "datapath: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* A random prefix: a host route, or (mixed) one of any shorter length. */
static struct prefix random_prefix(uint64_t *s, uint8_t family, bool mixed)
{
	struct prefix p = { .family = family, .cidr = prefix_bits(family) };
	uint64_t r[2] = { splitmix(s), splitmix(s) };

	memcpy(p.addr, r, family == AF_INET ? 4 : 16);
	if (family == AF_INET6)
		memcpy(p.addr, "\x20\x01\x0d\xb8", 4);
	if (mixed && splitmix(s) & 1)
		p.cidr = family == AF_INET ? 8 + splitmix(s) % 24 : 32 + splitmix(s) % 96;
	prefix_normalise(&p);
	return p;
}

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

/* n distinct random prefixes, in random order. */
static struct prefix *table(uint64_t *s, size_t n, uint8_t family, bool mixed)
{
	size_t want = n + n / 8 + 64, i, j, k;
	struct prefix *v = NULL, t;

	for (;; want *= 2) {
		free(v);
		v = malloc(want * sizeof(*v));
		if (!v)
			die("table", ENOMEM);
		for (i = 0; i < want; i++)
			v[i] = random_prefix(s, family, mixed);
		qsort(v, want, sizeof(*v), cmp_prefix);
		for (i = j = 0; i < want; i++)
			if (!j || prefix_cmp(&v[j - 1], &v[i]))
				v[j++] = v[i];
		if (j >= n)
			break;
	}
	for (i = j - 1; i > 0; i--) {
		k = splitmix(s) % (i + 1);
		t = v[i], v[i] = v[k], v[k] = t;
	}
	return v;
}

static uint32_t slots_for(size_t n)
{
	return n < MAX_SLOTS ? n : MAX_SLOTS;
}

/* Entry i belongs to peer i % slots; the peers' keys are their numbers. */
static struct wg_device *device_of(const struct prefix *v, size_t n, uint32_t slots)
{
	struct wg_device *d = device_new("bench");
	uint8_t key[WG_KEY_LEN] = {};
	struct wg_peer *p;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(key, &(uint32_t){ i % slots + 1 }, 4);
		p = device_peer(d, key);
		if (!p || peer_add_allowedip(p, &v[i]))
			die("device", ENOMEM);
	}
	return d;
}

/* A [Peer] for every peer of d, with nothing in it yet, in mode. */
static void every_peer(const struct wg_device *d, struct policy *pol, enum wgsf_mode mode)
{
	size_t i;

	*pol = (struct policy){ .mode = mode };
	pol->peers = calloc(d->n_peers, sizeof(*pol->peers));
	if (!pol->peers)
		die("policy", ENOMEM);
	pol->n_peers = pol->cap_peers = d->n_peers;
	for (i = 0; i < d->n_peers; i++)
		memcpy(pol->peers[i].public_key, d->peers[i].public_key, WG_KEY_LEN);
}

/* Each peer may send from its own allowed IPs, and from nothing else. */
static void own_sources(const struct wg_device *d, struct policy *pol)
{
	size_t i, j;

	every_peer(d, pol, WGSF_MODE_ENFORCE);
	for (i = 0; i < d->n_peers; i++) {
		pol->peers[i].has_sources = true;
		for (j = 0; j < d->peers[i].n_allowedips; j++)
			if (prefix_list_add(&pol->peers[i].sources, &d->peers[i].allowedips[j]))
				die("policy", ENOMEM);
	}
}

/* Destination rules for every peer of d (one that holds nothing the
 * benchmark sends to: they only make the egress program record). */
static void dst_rules(const struct wg_device *d, struct policy *pol)
{
	struct prefix any;
	size_t i;

	every_peer(d, pol, WGSF_MODE_MONITOR);
	if (prefix_parse("198.51.100.1/32", &any))
		die("policy", EINVAL);
	for (i = 0; i < d->n_peers; i++) {
		if (rule_list_add(&pol->peers[i].rules,
				  &(struct rule){ .dst = any, .any_proto = true, .hi = 65535 }))
			die("policy", ENOMEM);
	}
}

/* A monitor policy whose [Group *] has line, for every peer. */
static void group_star(const char *line, struct policy *pol)
{
	char text[256], err[POLICY_ERR_LEN];
	int n = snprintf(text, sizeof(text), "[Interface]\nMode = monitor\n[Group *]\n%s\n",
			 line);

	if (policy_parse("bench", text, n, pol, err))
		die(err, EINVAL);
}

/* A rate limit on every peer, of both kinds, so high that no packet is
 * over it (the whole run of a table of one entry is one peer's, at tens of
 * millions of packets a second), with default bursts (1 GiB, 86 ms; and
 * 1,000,000 packets, 20 ms), which the coarse clock meters at a tick of up
 * to 5 ms (wgsf.policy(5)): what metering costs a packet that passes, as it
 * does for most limits, every packet moving both buckets. */
static void rate_limits(struct policy *pol)
{
	group_star("RateLimit = 100gbit 50000000pps", pol);
}

/* A Quarantine rule on every peer, which packets that break no rule never
 * trigger: what asking the quarantine costs each of them, the peer's key
 * and its entry looked up and the precise clock read. */
static void quarantine_rules(struct policy *pol)
{
	group_star("Quarantine = 20/10s for 15m", pol);
}

/* How a datapath is built: as the loader builds it, with flow records on,
 * asking the host-route hashes alone (the index filled, never read), or
 * so with the hashes preallocated (as a hash is by default): where the
 * index answers, it would not matter how the hashes were allocated. */
enum build { AS_LOADER, FLOWS, HASHES, PREALLOC };

/* With flows on, the flows' programs alone: classify() inlined into the
 * others' loops takes the verifier past its limit (bench.bpf.c). */
static int flows_only(struct bench *b)
{
	struct bpf_program *p;
	int err = 0;

	bpf_object__for_each_program(p, b->obj)
		err = err ?: bpf_program__set_autoload(p, p == b->progs.bench_flows_mix ||
							      p == b->progs.bench_flows_new);
	return err;
}

static struct bench *bench_open_sized(size_t n, enum build how)
{
	uint32_t room = n + n / 4 + 16;
	struct capacity cap = { .peers = slots_for(n), .prefixes = room, .hosts = room,
				.policy_prefixes = room, .policy_hosts = room,
				.flows = how == FLOWS ? WGSF_FLOWREC_DEFAULT : 0 };
	struct bench *b = bench__open();
	int err = b ? 0 : -errno;

	if (!err && how == PREALLOC)
		err = bpf_map__set_map_flags(b->maps.host_ips4, 0) ?:
		      bpf_map__set_map_flags(b->maps.host_ips6, 0);
	if (!err && how == FLOWS) {
		b->rodata->flowrec_size = cap.flows;
		err = flows_only(b);
	}
	if (!err)
		b->rodata->nr_cpus = libbpf_num_possible_cpus();
	if (!err && (how == HASHES || how == PREALLOC))
		b->rodata->host_index = 0;
	err = err ?: datapath_size_maps(b->obj, &cap) ?:
		      bpf_map__set_max_entries(b->maps.plain4, room) ?:
		      bpf_map__set_max_entries(b->maps.plain6, room) ?: bench__load(b);
	if (err)
		die("load bench.bpf.o", err);
	return b;
}

static void plain_fill(struct bench *b, const struct prefix *v, size_t n, uint32_t slots)
{
	int fd = bpf_map__fd(v[0].family == AF_INET ? b->maps.plain4 : b->maps.plain6);
	struct wgsf_lpm6_key k; /* the IPv4 key is its first 8 bytes */
	uint32_t slot;
	size_t i;

	for (i = 0; i < n; i++) {
		k.prefixlen = v[i].cidr;
		memcpy(k.addr, v[i].addr, sizeof(k.addr));
		slot = i % slots;
		if (bpf_map_update_elem(fd, &k, &slot, BPF_ANY))
			die("plain trie", errno);
	}
}

/* ADDRS sources, each inside a random entry of the table. */
static void sources(struct bench *b, uint64_t *s, const struct prefix *v, size_t n)
{
	unsigned int i, bit, bits = prefix_bits(v[0].family);
	const struct prefix *p;

	for (i = 0; i < ADDRS; i++) {
		p = &v[splitmix(s) % n];
		memcpy(b->bss->bench_addrs[i], p->addr, 16);
		for (bit = p->cidr; bit < bits; bit++)
			if (splitmix(s) & 1)
				b->bss->bench_addrs[i][bit / 8] |= 0x80 >> (bit % 8);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Allow rules for every peer ([Group *]), in enforce mode: one of them
 * admits what one_run() sends, so that every packet walks the whole of
 * the destination rules (ruleset, prefix, service set) and passes. */
static void allow_rules(struct policy *pol)
{
	static const char text[] = "[Interface]\nMode = enforce\n[Group *]\n"
				   "Allow = 0.0.0.0/0, ::/0 tcp/22,443,8000-8999 "
				   "udp/53,123 icmp/echo-request\n";
	char err[POLICY_ERR_LEN];

	if (policy_parse("bench", text, sizeof(text) - 1, pol, err))
		die(err, EINVAL);
}

/* Nanoseconds per packet of one run over all ADDRS sources, each a UDP
 * datagram to port 53. */
static double one_run(struct bpf_program *prog, uint8_t family)
{
	uint8_t pkt[64] = { family == AF_INET ? 0x45 : 0x60 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);
	size_t hlen = family == AF_INET ? 20 : 40;

	if (family == AF_INET) {
		pkt[3] = sizeof(pkt); /* total length */
		pkt[9] = IPPROTO_UDP;
	} else {
		pkt[5] = sizeof(pkt) - 40; /* payload length */
		pkt[6] = IPPROTO_UDP;
	}
	pkt[hlen + 3] = 53; /* destination port */
	pkt[hlen + 5] = sizeof(pkt) - hlen; /* UDP length */
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o))
		die("BPF_PROG_TEST_RUN", errno);
	return (double)o.duration / ADDRS;
}

/* RUNS runs of each of the programs (floor, plain, monitor, enforce,
 * monitor on the hashes alone preallocated, enforce with Allow rules on
 * every peer, egress with no destination rules and with them, every
 * packet a violation, with nobody reading events and with a reader, flow
 * records' mix and new flows, each with flows off and on, monitor with a
 * rate limit on every peer, with a Quarantine rule on every peer, on the
 * hashes alone, and the floor, plain and monitor back to back), taken in
 * turns, so that the machine's drift touches them all alike: the median
 * of each, and the worst ratio of one run's pair (plain and the hashes
 * alone over monitor, the lowest; enforce over monitor, enforce with
 * rules over monitor, rate limits and quarantine rules over monitor, the
 * highest), for targets that must hold in every run. */
#define PROGS 20
struct worst {
	double plain_low, hashes_low, enforce_high, rules_high, rate_high, quar_high;
};

static double lowest(double a, double b)
{
	return a < b ? a : b;
}

static double highest(double a, double b)
{
	return a > b ? a : b;
}

static void per_packet(struct bpf_program **progs, uint8_t family, double ns[PROGS],
		       struct worst *w)
{
	double v[PROGS][RUNS];
	size_t i, r;

	*w = (struct worst){ .plain_low = 1e9, .hashes_low = 1e9 };
	for (r = 0; r < RUNS; r++) {
		for (i = 0; i < PROGS; i++)
			v[i][r] = one_run(progs[i], family);
		w->plain_low = lowest(w->plain_low, v[1][r] / v[2][r]);
		w->hashes_low = lowest(w->hashes_low, v[16][r] / v[2][r]);
		w->enforce_high = highest(w->enforce_high, v[3][r] / v[2][r]);
		w->rules_high = highest(w->rules_high, v[5][r] / v[2][r]);
		w->rate_high = highest(w->rate_high, v[14][r] / v[2][r]);
		w->quar_high = highest(w->quar_high, v[15][r] / v[2][r]);
	}
	for (i = 0; i < PROGS; i++) {
		qsort(v[i], RUNS, sizeof(double), cmp_double);
		ns[i] = v[i][RUNS / 2];
	}
}

/* A datapath of n entries holding the table, synced from d with pol (NULL:
 * none) in mode, the sources its runs look up written from s. */
static struct bench *loaded(size_t n, const struct prefix *v, const struct wg_device *d,
			    const struct policy *pol, enum wgsf_mode mode, uint64_t s,
			    enum build how)
{
	struct bench *b = bench_open_sized(n, how);
	struct sync_result r;
	struct maps m;

	maps_from_obj(b->obj, &m);
	plain_fill(b, v, n, slots_for(n));
	if (sync_device(&m, d, pol, &r) || datapath_set_mode(m.fd[MAP_CONFIG], mode))
		die("sync", errno);
	sources(b, &s, v, n);
	return b;
}

/* A reader of b's events that never goes and never reads: every violation
 * takes the budget's lock, and once the ring is full, finds no room. */
static void events_read(const struct bench *b)
{
	uint64_t forever = UINT64_MAX;

	if (bpf_map_update_elem(bpf_map__fd(b->maps.event_reader), &(uint32_t){ 0 }, &forever,
				BPF_ANY))
		die("event reader", errno);
}

static struct wgsf_dev_stats dev_counters(const struct bench *b)
{
	struct wgsf_dev_stats ds;

	if (stats_read_dev(bpf_map__fd(b->maps.dev_stats), &ds))
		die("device counters", errno);
	return ds;
}

/* The flows b's datapath pushed out of its table so far. */
static uint64_t evicted(const struct bench *b)
{
	return dev_counters(b).flowrec_evicted;
}

/* prog run until its table is full, as a gateway's is after a while: the
 * hand evicts once it has gone round (each run's time thrown away). Its
 * evictions so far, to count the measured runs' from. */
static uint64_t flows_fill(struct bench *b, struct bpf_program *prog, uint8_t family)
{
	int i;

	for (i = 0; i < 64 && !evicted(b); i++)
		one_run(prog, family);
	if (!evicted(b))
		die("flows: the table never filled", EINVAL);
	return evicted(b);
}

/* The measured runs' evictions per packet in the mix. Every packet of the
 * new flows' evicted one, or the run is not what it says. */
static double flows_evicted(const struct bench *mix, const struct bench *all_new,
			    const uint64_t before[2])
{
	uint64_t packets = (uint64_t)RUNS * ADDRS, n = evicted(all_new) - before[1];

	if (n != packets) {
		fprintf(stderr, "datapath: %llu of %llu new flows evicted one\n",
			(unsigned long long)n, (unsigned long long)packets);
		exit(1);
	}
	return (double)(evicted(mix) - before[0]) / packets;
}

/* The kernel's account of the host-route hashes, per entry of the table. */
static double host_bytes(const struct bench *b, size_t n)
{
	return (double)(map_memlock(bpf_map__fd(b->maps.host_ips4), NULL) +
			map_memlock(bpf_map__fd(b->maps.host_ips6), NULL)) / n;
}

/* The flow records' figures, ending the case's line: the mix and the
 * new flows, each with flows off and on (ns[10] to ns[13]). */
static void flows_print(const double ns[PROGS], double mix_evicted)
{
	printf(",\"flows_size\":%u,\"flows_mix_off_ns\":%.1f,\"flows_mix_ns\":%.1f,"
	       "\"flows_new_off_ns\":%.1f,\"flows_new_ns\":%.1f,\"flows_mix_evicted\":%.4f}\n",
	       WGSF_FLOWREC_DEFAULT, ns[10], ns[11], ns[12], ns[13], mix_evicted);
}

static void packet_case(uint8_t family, bool mixed, size_t n)
{
	enum { MON, ENF, PRE, DST, RUL, EVT, FMX, FNW, RAT, QUA, HSH, B2B, OBJS };
	uint64_t s = seed ^ (n * 4 + family * 2 + mixed), flows0[2];
	struct prefix *v = table(&s, n, family, mixed);
	struct wg_device *d = device_of(v, n, slots_for(n));
	double ns[PROGS], mix_evicted;
	struct policy pol, dpol, rpol, lpol, qpol;
	struct worst w;
	struct bench *b[OBJS];
	int i;

	own_sources(d, &pol);
	dst_rules(d, &dpol);
	allow_rules(&rpol);
	rate_limits(&lpol);
	quarantine_rules(&qpol);
	/* the same sources for all: s as the table left it */
	b[MON] = loaded(n, v, d, NULL, WGSF_MODE_MONITOR, s, AS_LOADER);
	b[ENF] = loaded(n, v, d, &pol, WGSF_MODE_ENFORCE, s, AS_LOADER);
	b[PRE] = loaded(n, v, d, NULL, WGSF_MODE_MONITOR, s, PREALLOC);
	b[DST] = loaded(n, v, d, &dpol, WGSF_MODE_MONITOR, s, AS_LOADER);
	b[RUL] = loaded(n, v, d, &rpol, WGSF_MODE_ENFORCE, s, AS_LOADER);
	b[EVT] = loaded(n, v, d, &dpol, WGSF_MODE_MONITOR, s, AS_LOADER);
	b[FMX] = loaded(n, v, d, NULL, WGSF_MODE_MONITOR, s, FLOWS);
	b[FNW] = loaded(n, v, d, NULL, WGSF_MODE_MONITOR, s, FLOWS);
	b[RAT] = loaded(n, v, d, &lpol, WGSF_MODE_MONITOR, s, AS_LOADER);
	b[QUA] = loaded(n, v, d, &qpol, WGSF_MODE_MONITOR, s, AS_LOADER);
	b[HSH] = loaded(n, v, d, NULL, WGSF_MODE_MONITOR, s, HASHES);
	b[B2B] = loaded(n, v, d, NULL, WGSF_MODE_MONITOR, s, AS_LOADER);
	b[B2B]->bss->bench_back_to_back = 1;
	struct bpf_program *progs[PROGS] = {
		b[MON]->progs.bench_floor, b[MON]->progs.bench_plain_lpm,
		b[MON]->progs.bench_wgsf, b[ENF]->progs.bench_wgsf,
		b[PRE]->progs.bench_wgsf, b[RUL]->progs.bench_wgsf,
		b[MON]->progs.bench_egress, b[DST]->progs.bench_egress,
		b[DST]->progs.bench_wgsf, b[EVT]->progs.bench_wgsf,
		b[MON]->progs.bench_flows_mix, b[FMX]->progs.bench_flows_mix,
		b[MON]->progs.bench_flows_new, b[FNW]->progs.bench_flows_new,
		b[RAT]->progs.bench_wgsf, b[QUA]->progs.bench_wgsf,
		b[HSH]->progs.bench_wgsf, b[B2B]->progs.bench_floor,
		b[B2B]->progs.bench_plain_lpm, b[B2B]->progs.bench_wgsf,
	};

	events_read(b[EVT]);
	/* A round thrown away: the first run after a load took about 3
	 * times the others' in every variant that reads the new maps (at
	 * 100,000 host routes), a cost a gateway pays once, not per packet. */
	for (i = 0; i < PROGS; i++)
		one_run(progs[i], family);
	flows0[0] = flows_fill(b[FMX], b[FMX]->progs.bench_flows_mix, family);
	flows0[1] = flows_fill(b[FNW], b[FNW]->progs.bench_flows_new, family);
	per_packet(progs, family, ns, &w);
	mix_evicted = flows_evicted(b[FMX], b[FNW], flows0);
	if (dev_counters(b[RAT]).violation_packets)
		die("rate limits: a packet was over", EINVAL);
	if (dev_counters(b[QUA]).violation_packets)
		die("quarantine rules: a packet was a violation", EINVAL);
	printf("{\"bench\":\"packet\",\"family\":%d,\"shape\":\"%s\",\"entries\":%zu,"
	       "\"peers\":%u,\"seed\":%llu,\"runs\":%d,\"floor_ns\":%.1f,\"plain_lpm_ns\":%.1f,"
	       "\"monitor_ns\":%.1f,\"enforce_ns\":%.1f,\"plain_over_monitor_lowest\":%.2f,"
	       "\"enforce_over_monitor_highest\":%.2f,\"monitor_prealloc_ns\":%.1f,"
	       "\"host_bytes_per_entry\":%.1f,\"host_prealloc_bytes_per_entry\":%.1f,"
	       "\"enforce_rules_ns\":%.1f,\"rules_over_monitor_highest\":%.2f,"
	       "\"egress_idle_ns\":%.1f,\"egress_record_ns\":%.1f,\"violation_ns\":%.1f,"
	       "\"violation_events_ns\":%.1f,\"monitor_rate_ns\":%.1f,"
	       "\"rate_over_monitor_highest\":%.2f,\"monitor_quarantine_ns\":%.1f,"
	       "\"quarantine_over_monitor_highest\":%.2f,\"monitor_hashes_ns\":%.1f,"
	       "\"hashes_over_monitor_lowest\":%.2f,\"b2b_floor_ns\":%.1f,"
	       "\"b2b_plain_lpm_ns\":%.1f,\"b2b_monitor_ns\":%.1f",
	       family == AF_INET ? 4 : 6, mixed ? "mixed" : "hosts", n, slots_for(n),
	       (unsigned long long)seed, RUNS, ns[0], ns[1], ns[2], ns[3], w.plain_low,
	       w.enforce_high, ns[4], host_bytes(b[MON], n), host_bytes(b[PRE], n), ns[5],
	       w.rules_high, ns[6], ns[7], ns[8], ns[9], ns[14], w.rate_high, ns[15],
	       w.quar_high, ns[16], w.hashes_low, ns[17], ns[18], ns[19]);
	flows_print(ns, mix_evicted);
	fflush(stdout);
	policy_free(&pol);
	policy_free(&dpol);
	policy_free(&rpol);
	policy_free(&lpol);
	policy_free(&qpol);
	device_free(d);
	for (i = 0; i < OBJS; i++)
		bench__destroy(b[i]);
	free(v);
}

/* A comma-separated list of sizes. */
static size_t parse_sizes(const char *s, size_t *v, size_t max)
{
	size_t n = 0;
	char *end;

	for (; *s && n < max; s = *end ? end + 1 : end) {
		v[n++] = strtoull(s, &end, 10);
		if (end == s || (*end && *end != ',') || !v[n - 1] || v[n - 1] > WGSF_MAX_PREFIXES) {
			fprintf(stderr, "datapath: bad size list '%s'\n", s);
			exit(1);
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	size_t sizes[8], n, i;
	int f, shape;

	if (argc != 2) {
		fprintf(stderr, "usage: datapath SIZE[,SIZE...]\n");
		return 1;
	}
	n = parse_sizes(argv[1], sizes, 8);
	seed = getenv("WGSF_SEED") ? strtoull(getenv("WGSF_SEED"), NULL, 10) : (uint64_t)time(NULL);
	libbpf_set_print(NULL);
	for (i = 0; i < n; i++)
		for (f = 0; f < 2; f++)
			for (shape = 0; shape < 2; shape++)
				packet_case(f ? AF_INET6 : AF_INET, shape, sizes[i]);
	return 0;
}
