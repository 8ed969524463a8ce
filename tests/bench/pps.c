// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packets per second through the ingress of an L3 device, for `make bench`:
 * one writer feeds a TUN device (which hands packets to the stack as
 * WireGuard's device does) in a network namespace of this process's own,
 * and the stack drops them at a blackhole route right after ingress. Each
 * filter makes the same decision, that the source is one of N peers'
 * addresses: none, wgsf on tc, an nftables interval set, and iptables with
 * an ipset hash:net; and tc-empty, a tc program that does
 * nothing, says what the hook itself costs. tc-rules is wgsf in enforce
 * mode with an Allow line for every peer ([Group *], synced by the
 * loader), which each packet (UDP to port 53) passes; tc-flows is wgsf with
 * flow records on (a table of WGSF_FLOWREC_DEFAULT), where every packet
 * after the first round finds its flow; tc-rate is wgsf in monitor mode
 * with a rate limit on every peer that no packet exceeds, so that every
 * packet is metered. Rounds interleave the filters, so that
 * drift in the machine touches them all alike. One JSON object per line.
 *
 * All addresses are in 2001:db8::/32, and no packet leaves the namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.skel.h"
#include "packet.h"
#include "policy/policy.h"
#include "tables/sync.h"
#include "tundev.h"

#define RING 4096 /* distinct packets, written round robin */
#define PKT_LEN 64
#define MAX_PACKETS 50000000ull
#define MAX_ROUNDS 64

enum filter { NONE, TC_EMPTY, TC, TC_RULES, TC_FLOWS, TC_RATE, NFT, IPSET, FILTERS };
static const char *const names[FILTERS] = { "none", "tc-empty", "tc", "tc-rules", "tc-flows",
					     "tc-rate", "nft", "ipset" };

static struct tundev tun;
static unsigned int peers = 10000, rounds = 5;
static double seconds = 1;
static uint8_t ring[RING][PKT_LEN];
static char set_file[64], name[32];

static void die(const char *fmt, const char *what)
{
	fprintf(stderr, "pps: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\n");
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Peer i's address: 2001:db8:1::<i + 1>. */
static struct prefix peer_addr(unsigned int i)
{
	struct prefix p;
	char s[64];

	snprintf(s, sizeof(s), "2001:db8:1::%x:%x", (i + 1) >> 16, (i + 1) & 0xffff);
	addr_parse(s, &p);
	return p;
}

static void build_ring(unsigned int seed)
{
	struct prefix src, dst;
	unsigned int i;

	srandom(seed);
	addr_parse("2001:db8:ffff::1", &dst);
	for (i = 0; i < RING; i++) {
		src = peer_addr(random() % peers);
		ip_header(ring[i], &src, &dst, PKT_LEN, 0);
		ring[i][IPV6_HLEN + 3] = 53; /* destination port */
		ring[i][IPV6_HLEN + 5] = PKT_LEN - IPV6_HLEN; /* UDP length */
	}
}

/* Writes for `seconds`; packets per second. */
static double flood(unsigned long long *sent)
{
	double t0 = now_s(), t = t0;
	unsigned long long n = 0;

	while (n < MAX_PACKETS && t - t0 < seconds) {
		if (write(tun.fd, ring[n % RING], PKT_LEN) != PKT_LEN)
			die("write to the TUN device: %s", strerror(errno));
		if (++n % 1024 == 0)
			t = now_s();
	}
	t = now_s();
	*sent = n;
	return n / (t - t0);
}

/* Empties the device's queue: the stack must answer none of our packets. */
static unsigned int replies(void)
{
	uint8_t buf[2048];
	unsigned int n = 0;
	int fl = fcntl(tun.fd, F_GETFL);

	fcntl(tun.fd, F_SETFL, fl | O_NONBLOCK);
	/* ICMPv6 errors (types below 128) answer packets; the rest is the
	 * stack's own chatter: router solicitations, MLD reports */
	while (read(tun.fd, buf, sizeof(buf)) > IPV6_HLEN)
		n += buf[6] == IPPROTO_ICMPV6 && buf[IPV6_HLEN] < 128;
	fcntl(tun.fd, F_SETFL, fl);
	return n;
}

/* Every peer, by its own key, synced with pol as wgsf sync does. */
static void peers_sync(const struct maps *m, const struct policy *pol)
{
	struct wg_device *d = device_new("pps");
	uint8_t key[WG_KEY_LEN] = {};
	struct sync_result res;
	struct prefix p;
	unsigned int i;

	for (i = 0; d && i < peers; i++) {
		memcpy(key, &i, sizeof(i));
		p = peer_addr(i);
		if (peer_add_allowedip(device_peer(d, key), &p))
			die("%s", "cannot make the device");
	}
	if (!d || sync_device(m, d, pol, &res) || datapath_set_mode(m->fd[MAP_CONFIG], pol->mode))
		die("cannot sync the policy: %s", strerror(errno));
	device_free(d);
}

/* The policy of text, synced. */
static void policy_text_sync(const struct maps *m, const char *text)
{
	char err[POLICY_ERR_LEN];
	struct policy pol;

	if (policy_parse("pps", text, strlen(text), &pol, err))
		die("cannot read the policy: %s", err);
	peers_sync(m, &pol);
	policy_free(&pol);
}

/* Allow rules that admit what flood() sends. */
static void rules_sync(const struct maps *m)
{
	policy_text_sync(m, "[Interface]\nMode = enforce\n[Group *]\n"
			    "Allow = 2001:db8:ffff::/48 udp/53,123 tcp/443\n");
}

/* A rate limit on every peer, of both kinds, as the per-packet benchmark
 * has it (tests/bench/datapath.c): every packet metered, on the coarse
 * clock, none over. */
static void rate_sync(const struct maps *m)
{
	policy_text_sync(m, "[Interface]\nMode = monitor\n[Group *]\n"
			    "RateLimit = 100gbit 50000000pps\n");
}

/* wgsf (tc, tc-rules or tc-flows) with every peer's address in its
 * tables; with rules, synced. */
static struct wgsf *wgsf_load(enum filter f)
{
	struct capacity cap = { .peers = peers + 16, .prefixes = 64, .hosts = peers + 16,
				.policy_prefixes = 64, .policy_hosts = 64,
				.flows = f == TC_FLOWS ? WGSF_FLOWREC_DEFAULT : 0 };
	struct wgsf *skel = datapath_load(&cap, L3_OFFSET_NONE);
	struct prefix p;
	struct maps m;
	unsigned int i;

	if (!skel)
		die("cannot load the datapath: %s", strerror(errno));
	maps_from_skel(skel, &m);
	if (f == TC_RULES || f == TC_RATE) {
		(f == TC_RULES ? rules_sync : rate_sync)(&m);
		return skel;
	}
	for (i = 0; i < peers; i++) {
		p = peer_addr(i);
		if (allowedip_write(&m, &p, i))
			die("cannot write the tables: %s", strerror(errno));
	}
	return skel;
}

static struct bench *empty_load(void)
{
	struct capacity cap = { .peers = 16, .prefixes = 16, .hosts = 16,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct bench *b = bench__open();

	if (!b || datapath_size_maps(b->obj, &cap) ||
	    bpf_map__set_max_entries(b->maps.plain4, 16) ||
	    bpf_map__set_max_entries(b->maps.plain6, 16) || bench__load(b))
		die("cannot load bench.bpf.o: %s", strerror(errno));
	return b;
}

static uint64_t wgsf_counted(struct wgsf *skel)
{
	struct wgsf_peer_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < peers; i++)
		if (!stats_read_peer(bpf_map__fd(skel->maps.peer_stats), i, &st))
			sum += st.rx_packets;
	return sum;
}

static uint64_t wgsf_violations(struct wgsf *skel)
{
	struct wgsf_dev_stats ds;

	if (stats_read_dev(bpf_map__fd(skel->maps.dev_stats), &ds))
		die("cannot read the device's counters: %s", strerror(errno));
	return ds.violation_packets;
}

/* The packets that the flow records hold, all flows together. */
static uint64_t flows_counted(struct wgsf *skel)
{
	int fd = bpf_map__fd(skel->maps.flowrec);
	struct wgsf_flowrec_key k, *prev = NULL;
	struct wgsf_flowrec rec;
	uint64_t sum = 0;

	for (; !bpf_map_get_next_key(fd, prev, &k); prev = &k)
		if (!bpf_map_lookup_elem(fd, &k, &rec))
			sum += rec.packets;
	return sum;
}

/* head, then every peer's address after `before`, joined by `between`,
 * then tail, in set_file. */
static void write_set(const char *head, const char *before, const char *between,
		      const char *tail)
{
	char a[PREFIX_STRLEN];
	struct prefix p;
	unsigned int i;
	FILE *f = fopen(set_file, "w");

	if (!f)
		die("cannot write %s", set_file);
	fputs(head, f);
	for (i = 0; i < peers; i++) {
		p = peer_addr(i);
		fprintf(f, "%s%s%s", before, addr_format(&p, a), i + 1 < peers ? between : "\n");
	}
	fputs(tail, f);
	if (fclose(f))
		die("cannot write %s", set_file);
}

static int nft_on(void)
{
	char head[256], tail[256];

	snprintf(head, sizeof(head), "table netdev %s {\n set peers { type ipv6_addr; "
		 "flags interval; elements = {\n", name);
	snprintf(tail, sizeof(tail), "} }\n chain in { type filter hook ingress device \"%s\" "
		 "priority 0; policy accept; ip6 saddr != @peers drop; counter; }\n}\n", tun.ifname);
	write_set(head, "", ",\n", tail);
	return sh("nft -f %s", set_file);
}

static int ipset_on(void)
{
	char head[128], before[64];

	snprintf(head, sizeof(head), "create %s hash:net family inet6 maxelem %u\n", name,
		 peers + 16);
	snprintf(before, sizeof(before), "add %s ", name);
	write_set(head, before, "\n", "");
	/* the second rule only counts, as nft's `counter` does */
	return sh("ipset restore < %s && ip6tables -t raw -A PREROUTING -i %s "
		  "-m set ! --match-set %s src -j DROP && ip6tables -t raw -A PREROUTING -i %s",
		  set_file, tun.ifname, name, tun.ifname);
}

/* A number that a command prints after `word`, or 0. */
static unsigned long long number_after(const char *cmd, const char *word)
{
	unsigned long long n = 0;
	char line[512], *at;
	FILE *f = popen(cmd, "r");

	while (f && fgets(line, sizeof(line), f))
		if ((at = strstr(line, word)))
			n = strtoull(at + strlen(word), NULL, 10);
	if (f)
		pclose(f);
	return n;
}

static bool is_wgsf(enum filter f)
{
	return f == TC || f == TC_RULES || f == TC_FLOWS || f == TC_RATE;
}

/* What a filter saw pass, by its own count, and takes it away. */
static unsigned long long filter_off(enum filter f, struct wgsf *skel,
				     struct wgsf_attachment *st)
{
	char cmd[160];
	unsigned long long n = 0;

	if (f == TC_EMPTY && hook_detach(tun.dir, st))
		die("cannot detach: %s", strerror(errno));
	if (is_wgsf(f)) {
		n = wgsf_counted(skel);
		if (hook_detach(tun.dir, st))
			die("cannot detach: %s", strerror(errno));
	} else if (f == NFT) {
		snprintf(cmd, sizeof(cmd), "nft list chain netdev %s in", name);
		n = number_after(cmd, "counter packets ");
		sh("nft delete table netdev %s", name);
	} else if (f == IPSET) {
		n = number_after("ip6tables -t raw -L PREROUTING 2 -v -x -n", "");
		sh("ip6tables -t raw -F PREROUTING && ip6tables -t raw -Z PREROUTING && "
		   "ipset destroy %s", name);
	}
	return n;
}

static struct bench *empty;

static void filter_on(enum filter f, struct wgsf *skel, struct wgsf_attachment *st)
{
	int nothing = bpf_program__fd(empty->progs.bench_tc_empty);
	/* tc-empty: the floor of what an attachment of both sides costs */
	struct hook_progs progs = f == TC_EMPTY ? (struct hook_progs){ { nothing, nothing } } :
				  is_wgsf(f) ? hook_progs_of(skel) : (struct hook_progs){};

	*st = (struct wgsf_attachment){ .ifindex = tun.ifindex };
	if ((f == TC_EMPTY || is_wgsf(f)) && hook_attach(&progs, MECH_NONE, tun.dir, st))
		die("cannot attach: %s", strerror(errno));
	if ((f == NFT && nft_on()) || (f == IPSET && ipset_on()))
		die("cannot set up %s", names[f]);
}

static bool have(enum filter f)
{
	if (f == NFT)
		return !sh("command -v nft >/dev/null");
	if (f == IPSET)
		return !sh("command -v ipset >/dev/null && command -v ip6tables >/dev/null");
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One round of one filter; a filter that misses packets fails the run. */
static double measure(enum filter f, struct wgsf *skel)
{
	struct wgsf_attachment st;
	unsigned long long sent, seen, before = is_wgsf(f) ? wgsf_counted(skel) : 0;
	double pps;

	filter_on(f, skel, &st);
	pps = flood(&sent);
	seen = filter_off(f, skel, &st) - before;
	if (f != NONE && f != TC_EMPTY && seen != sent) {
		fprintf(stderr, "pps: %s saw %llu of %llu packets\n", names[f], seen, sent);
		exit(1);
	}
	/* fewer flows than the table holds: none evicted, every packet in one */
	if (f == TC_FLOWS && flows_counted(skel) != wgsf_counted(skel))
		die("%s", "the flow records missed packets");
	if (f == TC_RATE && wgsf_violations(skel))
		die("%s", "a packet was over its rate limit");
	if (replies())
		die("the stack answered %s's packets", names[f]);
	return pps;
}

/* v sorted; none: no filter's median. */
static void report(enum filter f, const double *v, double none, unsigned int seed)
{
	printf("{\"bench\":\"pps\",\"filter\":\"%s\",\"peers\":%u,\"rounds\":%u,\"seconds\":%g,"
	       "\"seed\":%u,\"pps_median\":%.0f,\"pps_min\":%.0f,\"pps_max\":%.0f,"
	       "\"ratio_to_none\":%.4f}\n", names[f], peers, rounds, seconds, seed,
	       v[rounds / 2], v[0], v[rounds - 1], v[rounds / 2] / none);
}

static void options(int argc, char **argv)
{
	char *end = NULL;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--peers"))
			peers = strtoul(argv[i + 1], &end, 10);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtod(argv[i + 1], &end);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = strtoul(argv[i + 1], &end, 10);
		else
			break;
		if (*end)
			break;
	}
	if (i != argc || !peers || peers > 65536 || !(seconds > 0 && seconds <= 60) || !rounds ||
	    rounds > MAX_ROUNDS)
		die("%s", "usage: pps [--peers 1-65536] [--seconds 0-60] [--rounds 1-64]");
}

int main(int argc, char **argv)
{
	unsigned int seed = getenv("WGSF_SEED") ? atoi(getenv("WGSF_SEED")) : time(NULL);
	double v[FILTERS][MAX_ROUNDS];
	struct wgsf *skel[FILTERS] = {};
	const char *why;
	unsigned int r, f;

	options(argc, argv);
	libbpf_set_print(NULL);
	why = tundev_setup(&tun, "wgsfb", 0);
	if (why)
		die("%s", why);
	if (sh("sysctl -qw net.ipv6.conf.all.forwarding=1 && "
	       "ip -6 route add blackhole 2001:db8:ffff::/48"))
		die("%s", "cannot route the packets to a blackhole");
	snprintf(name, sizeof(name), "wgsfb%d", getpid());
	snprintf(set_file, sizeof(set_file), "/tmp/wgsf-pps-%d", getpid());
	build_ring(seed);
	for (f = 0; f < FILTERS; f++)
		if (is_wgsf(f))
			skel[f] = wgsf_load(f);
	empty = empty_load();
	for (r = 0; r < rounds; r++)
		for (f = 0; f < FILTERS; f++)
			if (have(f))
				v[f][r] = measure(f, skel[f]);
	for (f = 0; f < FILTERS; f++)
		qsort(v[f], rounds, sizeof(double), cmp_double);
	for (f = 0; f < FILTERS; f++) {
		if (have(f))
			report(f, v[f], v[NONE][rounds / 2], seed);
		else
			printf("{\"bench\":\"pps\",\"filter\":\"%s\",\"skipped\":\"not installed\"}\n",
			       names[f]);
	}
	unlink(set_file);
	for (f = 0; f < FILTERS; f++)
		wgsf__destroy(skel[f]);
	bench__destroy(empty);
	return 0;
}
