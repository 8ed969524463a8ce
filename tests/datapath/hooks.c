// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hooks under real traffic and next to other people's programs, on a
 * TUN device (an L3 device, as WireGuard's is) in a network namespace of
 * this process's own: bytes of both families counted and what the stack
 * then sees, enforce-mode drops, programs replaced while packets flow, an
 * attachment removed behind our back and mended, another cls_bpf filter,
 * tcx program, clsact user or XDP program left alone, and the XDP hook of
 * an earlier wgsf removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>

#include "attach/hook.h"
#include "packet.h"
#include "retired_xdp.h"
#include "tap.h"
#include "tundev.h"

#define SLOT 3
#define PORT 4789
#define V4_LEN 60 /* IPv4 + UDP + 32 bytes */
#define V6_LEN 80
#define N 20
#define REPLACES 12
#define FLOOD_MAX 1000000

static struct tundev tund;
static char link_pin[HOOK_PATH_MAX], egress_link_pin[HOOK_PATH_MAX];
static int sock = -1;

/* Lines of `tc ARGS dev IFNAME` output that mention needle. */
static int tc_lines(const char *args, const char *needle)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tc %s dev %s", args, tund.ifname);
	return output_lines(cmd, needle);
}

static void setup(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	const char *why = tundev_setup(&tund, "wgsfh", 0);

	if (why)
		skip_all("%s", why);
	hook_link_path(tund.dir, WGSF_INGRESS, link_pin);
	hook_link_path(tund.dir, WGSF_EGRESS, egress_link_pin);
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sin, sizeof(sin)))
		skip_all("cannot bind a UDP socket to 192.0.2.1: %s", strerror(errno));
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * A UDP datagram from 192.0.2.7 to our socket that the stack accepts (its
 * UDP checksum 0: none), or from 2001:db8::7, which only our hook counts.
 */
static void datagram(struct packet *pkt, int family)
{
	const char *a = family == AF_INET ? "192.0.2.7" : "2001:db8::7";
	const char *b = family == AF_INET ? "192.0.2.1" : "2001:db8::1";
	uint16_t len = family == AF_INET ? V4_LEN : V6_LEN, sum;
	size_t hlen = family == AF_INET ? IPV4_HLEN : IPV6_HLEN;
	uint8_t *udp = pkt->data + hlen;
	struct prefix src, dst;

	addr_parse(a, &src);
	addr_parse(b, &dst);
	packet_ip(pkt, 0, &src, &dst, len);
	if (family == AF_INET) {
		sum = csum(pkt->data, IPV4_HLEN);
		pkt->data[10] = sum >> 8;
		pkt->data[11] = sum;
	}
	udp[0] = PORT >> 8; /* source port */
	udp[1] = PORT & 0xff;
	udp[2] = PORT >> 8;
	udp[3] = PORT & 0xff;
	udp[4] = (len - hlen) >> 8;
	udp[5] = len - hlen;
	pkt->len = len;
}

/* n datagrams; each crosses the device's ingress before write() returns. */
static void send_n(int family, unsigned int n)
{
	struct packet pkt;

	datagram(&pkt, family);
	while (n--)
		if (write(tund.fd, pkt.data, pkt.len) != (ssize_t)pkt.len)
			diag("write to %s: %s", tund.ifname, strerror(errno));
}

static void drain(void)
{
	char buf[128];

	while (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/* Datagrams that reached the socket: want of them, waiting a little for
 * more; with want 0, whatever came within that little. */
static unsigned int delivered(unsigned int want)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	char buf[128];
	unsigned int n = 0, waits;

	for (waits = 0; waits < 10; waits++) {
		while (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			n++;
		if (want && n >= want)
			break;
		poll(&p, 1, 20);
	}
	return n;
}

static struct wgsf *load(void)
{
	return tundev_datapath(SLOT);
}

/* skel's programs for both sides, as hook_attach takes them. */
static const struct hook_progs *prog(const struct wgsf *skel)
{
	static struct hook_progs p;

	p = hook_progs_of(skel);
	return &p;
}

static struct wgsf_peer_stats peer(const struct wgsf *skel)
{
	struct wgsf_peer_stats st = {};

	if (stats_read_peer(bpf_map__fd(skel->maps.peer_stats), SLOT, &st))
		st.rx_packets = UINT64_MAX;
	return st;
}

/* Someone else's program that passes everything, under another name. */
static int foreign_prog(enum bpf_prog_type type)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = type == BPF_PROG_TYPE_XDP ? XDP_PASS : TC_ACT_UNSPEC },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(type, "foreign", "GPL", insns, 2, NULL);
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The programs on tcx ingress, whoever attached them; how many. */
static unsigned int tcx_progs(__u32 ids[8])
{
	__u32 n = 8, flags = 0;

	return bpf_prog_query(tund.ifindex, WGSF_TCX_INGRESS, 0, &flags, ids, &n) ? 0 : n;
}

/* How many programs are on tcx egress. */
static unsigned int tcx_egress_progs(void)
{
	__u32 ids[8], n = 8, flags = 0;

	return bpf_prog_query(tund.ifindex, WGSF_TCX_EGRESS, 0, &flags, ids, &n) ? 0 : n;
}

/* The program in generic XDP mode, whoever attached it; 0 when none. */
static uint32_t xdp_prog(void)
{
	__u32 id = 0;

	return bpf_xdp_query_id(tund.ifindex, XDP_FLAGS_SKB_MODE, &id) ? 0 : id;
}

/* Nothing of ours on any hook, and no link pin. */
static bool all_gone(void)
{
	__u32 ids[8];

	return access(link_pin, F_OK) && access(egress_link_pin, F_OK) &&
	       !tc_lines("filter show ingress", "wgsf_tc") &&
	       !tc_lines("filter show egress", "wgsf_egress") && !tcx_progs(ids) &&
	       !tcx_egress_progs() && !xdp_prog();
}

/* Counted, and what the stack then sees; monitor and enforce on a blocked
 * peer; detach, twice. */
static void counts(enum hook_mech mech, const char *name)
{
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	struct wgsf *a = load();
	struct wgsf_peer_stats p;
	struct maps m;

	if (!ok(a && !hook_attach(prog(a), mech, tund.dir, &st) && st.mech == mech,
		"%s: attached", name))
		goto out;
	maps_from_skel(a, &m);
	drain();
	send_n(AF_INET, N);
	send_n(AF_INET6, N);
	p = peer(a);
	ok(p.rx_packets == 2 * N && p.rx_bytes == N * (V4_LEN + V6_LEN),
	   "%s: %d packets of each family counted, with their bytes", name, N);
	is_u64(delivered(N), N, "%s: the stack gets every IPv4 datagram after us", name);

	policy_flags_write(&m, SLOT, WGSF_PEER_BLOCKED, 0);
	send_n(AF_INET, N);
	p = peer(a);
	ok(p.violations[WGSF_REASON_BLOCKED] == N && !p.drop_packets,
	   "%s: monitor: a blocked peer's packets are counted, not dropped", name);
	is_u64(delivered(N), N, "%s: monitor: and the stack gets them", name);

	datapath_set_mode(bpf_map__fd(a->maps.config), WGSF_MODE_ENFORCE);
	send_n(AF_INET, N);
	p = peer(a);
	ok(p.drop_packets == N && p.drop_bytes == N * V4_LEN && p.rx_packets == 4 * N,
	   "%s: enforce: %d packets and their bytes dropped", name, N);
	is_u64(delivered(0), 0, "%s: enforce: the stack sees none of them", name);

	is_u64(hook_detach(tund.dir, &st), 0, "%s: detach", name);
	is_u64(hook_detach(tund.dir, &st), 0, "%s: detach again: nothing to do, no error", name);
	ok(all_gone(), "%s: nothing of ours left", name);
out:
	wgsf__destroy(a);
}

/* Until told to stop (or 10 s, or FLOOD_MAX packets): writes packets; then
 * reports how many. */
static void writer(int stop, int report)
{
	time_t end = time(NULL) + 10;
	struct pollfd p = { .fd = stop, .events = POLLIN };
	unsigned long n = 0, i;
	struct packet pkt;

	datagram(&pkt, AF_INET);
	pkt.data[10] = pkt.data[11] = 0; /* a bad IP checksum: the stack drops it at once */
	for (i = 0; i < FLOOD_MAX && !(i % 64 == 0 && (poll(&p, 1, 0) || time(NULL) > end)); i++)
		n += write(tund.fd, pkt.data, pkt.len) == (ssize_t)pkt.len;
	_exit(write(report, &n, sizeof(n)) != sizeof(n));
}

/* Waits (1 s at most) for packets to reach skel. */
static bool serves(const struct wgsf *skel, uint64_t before)
{
	int i;

	for (i = 0; i < 1000 && peer(skel).rx_packets <= before; i++)
		usleep(1000);
	return peer(skel).rx_packets > before;
}

/*
 * While a child floods the device, replaces s[0]'s program by s[1]'s,
 * s[2]'s, s[0]'s... Returns how many packets the child wrote; *good: the
 * replacements after which the new program counted.
 */
static unsigned long flood(enum hook_mech mech, struct wgsf *s[3], struct wgsf_attachment *st,
			   unsigned int *good)
{
	int stop[2] = { -1, -1 }, report[2] = { -1, -1 }, i;
	unsigned long sent = 0;
	pid_t pid = -1;

	if (!pipe(stop) && !pipe(report))
		pid = fork();
	if (pid == 0)
		writer(stop[0], report[1]);
	for (i = 1; pid > 0 && i <= REPLACES; i++) {
		const struct wgsf *next = s[i % 3];
		uint64_t before = peer(next).rx_packets;

		*good += !hook_attach(prog(next), mech, tund.dir, st) && serves(next, before);
	}
	if (pid > 0) {
		if (write(stop[1], "", 1) != 1 || read(report[0], &sent, sizeof(sent)) != sizeof(sent))
			sent = 0;
		waitpid(pid, NULL, 0);
	}
	for (i = 0; i < 2; i++) {
		close(stop[i]);
		close(report[i]);
	}
	return sent;
}

/* No moment without a program: every packet written while the program is
 * replaced again and again is counted by one program or another. */
static void replace_under_traffic(enum hook_mech mech, const char *name)
{
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	struct wgsf *s[3] = { load(), load(), load() };
	unsigned int i, good = 0;
	unsigned long sent;
	uint64_t sum = 0;

	if (!ok(s[0] && s[1] && s[2] && !hook_attach(prog(s[0]), mech, tund.dir, &st),
		"%s: attach the first of three programs", name))
		goto out;
	sent = flood(mech, s, &st, &good);
	is_u64(good, REPLACES, "%s: replaced %d times under traffic, each new program counting",
	       name, REPLACES);
	for (i = 0; i < 3; i++)
		sum += peer(s[i]).rx_packets;
	if (!ok(sent && sum == sent, "%s: all %lu packets written are counted", name, sent))
		diag("  counted %llu", (unsigned long long)sum);
	if (mech == MECH_CLSACT)
		ok(tc_lines("filter show ingress", "wgsf_tc") == 1 &&
			   tc_lines("filter show egress", "wgsf_egress") == 1,
		   "%s: one filter on each side, replaced in place", name);
	else
		ok(tcx_progs((__u32[8]){}) == 1 && tcx_egress_progs() == 1,
		   "%s: one program on each side, replaced in place", name);
	hook_detach(tund.dir, &st);
	ok(all_gone(), "%s: nothing of ours left", name);
out:
	for (i = 0; i < 3; i++)
		wgsf__destroy(s[i]);
}

/* Someone detaches our link on side. */
static void unpin_side(enum wgsf_side side)
{
	int fd = bpf_obj_get(side == WGSF_INGRESS ? link_pin : egress_link_pin);

	bpf_link_detach(fd);
	close(fd);
}

/* Removes our side behind our back: the link, or the filter. */
static void remove_side(enum hook_mech mech, const struct wgsf_attachment *st,
			enum wgsf_side side)
{
	if (mech == MECH_TCX)
		unpin_side(side);
	else
		sh("tc filter del dev %s %s pref %u", tund.ifname,
		   side == WGSF_INGRESS ? "ingress" : "egress", st->filter[side].prio);
}

/* Someone detaches our links, or deletes our filters: attach mends them. */
static void mended(enum hook_mech mech, const char *name)
{
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	struct wgsf *a = load(), *b = load();

	if (!ok(a && b && !hook_attach(prog(a), mech, tund.dir, &st), "%s: attach", name))
		goto out;
	remove_side(mech, &st, WGSF_INGRESS);
	remove_side(mech, &st, WGSF_EGRESS);
	send_n(AF_INET, N);
	is_u64(peer(a).rx_packets, 0, "%s: removed behind our back, nothing counts", name);
	ok(!hook_attach(prog(b), mech, tund.dir, &st) && st.mech == mech,
	   "%s: attach again mends it, by the same mechanism", name);
	send_n(AF_INET, N);
	is_u64(peer(b).rx_packets, N, "%s: and the new program counts", name);
	hook_detach(tund.dir, &st);
	ok(all_gone(), "%s: nothing of ours left", name);
out:
	wgsf__destroy(a);
	wgsf__destroy(b);
}

/* Pins skel's programs in the test's pin directory, as a generation of
 * pins holds them, for hook_state and hook_sweep to know them by. */
static bool pin_progs(const struct wgsf *skel)
{
	char path[HOOK_PATH_MAX];
	int side;

	for (side = 0; side < WGSF_SIDES; side++) {
		hook_prog_path(tund.dir, side, path);
		unlink(path);
	}
	return !hook_pin(tund.dir, prog(skel), NULL);
}

/* One side removed: hook_state says which runs, and attach mends it. */
static void one_side(enum hook_mech mech, const char *name)
{
	static const struct {
		enum wgsf_side gone;
		enum hook_state left;
	} cases[] = { { WGSF_EGRESS, HOOK_INGRESS_ONLY }, { WGSF_INGRESS, HOOK_EGRESS_ONLY } };
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	struct wgsf *s[2] = { load(), load() };
	uint64_t before;
	size_t i;

	if (!ok(s[0] && s[1] && !hook_attach(prog(s[0]), mech, tund.dir, &st) && pin_progs(s[0]),
		"%s: attach", name))
		goto out;
	is_u64(hook_state(tund.ifname, tund.dir, &st), HOOK_LIVE, "%s: both sides run", name);
	for (i = 0; i < 2; i++) {
		remove_side(mech, &st, cases[i].gone);
		is_u64(hook_state(tund.ifname, tund.dir, &st), cases[i].left, "%s: %s removed: %s",
		       name, cases[i].gone == WGSF_EGRESS ? "the egress" : "the ingress",
		       hook_state_name(cases[i].left));
		before = peer(s[(i + 1) % 2]).rx_packets;
		ok(!hook_attach(prog(s[(i + 1) % 2]), mech, tund.dir, &st) &&
			   pin_progs(s[(i + 1) % 2]) &&
			   hook_state(tund.ifname, tund.dir, &st) == HOOK_LIVE,
		   "%s: attach again mends it: both sides run", name);
		send_n(AF_INET, N);
		is_u64(peer(s[(i + 1) % 2]).rx_packets - before, N, "%s: the new program counts",
		       name);
	}
	hook_detach(tund.dir, &st);
	ok(all_gone(), "%s: nothing of ours left", name);
out:
	wgsf__destroy(s[0]);
	wgsf__destroy(s[1]);
}

/* Another attachment's programs, left running by a killed command: a sweep
 * removes them from both sides and keeps the pinned ones. */
static void sweep(enum hook_mech mech, const char *name)
{
	struct wgsf_attachment st = { .ifindex = tund.ifindex }, stray;
	struct wgsf *a = load(), *b = load();
	char dir[PATH_MAX + 8];
	bool made;

	snprintf(dir, sizeof(dir), "%s/stray", tund.dir);
	if (!ok(a && b && !mkdir(dir, 0700) && !hook_attach(prog(a), mech, tund.dir, &st) &&
			pin_progs(a), "%s: ours, pinned", name))
		goto out;
	stray = (struct wgsf_attachment){ .ifindex = tund.ifindex };
	/* pinned elsewhere, as by a generation that a killed command left */
	made = !hook_attach(prog(b), mech, dir, &stray);
	ok(made && (mech == MECH_CLSACT ? tc_lines("filter show egress", "wgsf_egress") == 2
					: tcx_egress_progs() == 2),
	   "%s: a stray attachment beside ours", name);
	hook_sweep(tund.ifindex, tund.dir);
	send_n(AF_INET, N);
	ok(peer(a).rx_packets == N && !peer(b).rx_packets &&
		   hook_state(tund.ifname, tund.dir, &st) == HOOK_LIVE,
	   "%s: the sweep leaves ours, which counts", name);
	ok(mech == MECH_CLSACT ? tc_lines("filter show egress", "wgsf_egress") == 1 &&
					 tc_lines("filter show ingress", "wgsf_tc") == 1
			       : tcx_egress_progs() == 1 && tcx_progs((__u32[8]){}) == 1,
	   "%s: and removes the stray from both sides", name);
	hook_detach(tund.dir, &st);
	hook_detach(dir, &stray);
	ok(all_gone(), "%s: nothing of ours left", name);
out:
	rmdir(dir);
	wgsf__destroy(a);
	wgsf__destroy(b);
}

/* The program of the cls_bpf filter at prio and handle on ingress, or 0. */
static uint32_t tc_prog_at(uint32_t prio, uint32_t handle)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = tund.ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio);

	return bpf_tc_query(&hook, &opts) ? 0 : opts.prog_id;
}

/* Our filter is deleted and someone else's cls_bpf filter takes its
 * priority and handle: neither detach nor a replace may touch it. */
static void usurper(void)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = tund.ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts);
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	struct wgsf *a = load(), *b = load();
	int theirs = foreign_prog(BPF_PROG_TYPE_SCHED_CLS);
	uint32_t id = theirs >= 0 ? prog_id(theirs) : 0;

	if (!ok(a && b && id && !hook_attach(prog(a), MECH_CLSACT, tund.dir, &st),
		"usurper: our clsact filter"))
		goto out;
	sh("tc filter del dev %s ingress pref %u", tund.ifname, st.filter[WGSF_INGRESS].prio);
	opts.prog_fd = theirs;
	opts.handle = st.filter[WGSF_INGRESS].handle;
	opts.priority = st.filter[WGSF_INGRESS].prio;
	if (!ok(!bpf_tc_attach(&hook, &opts), "usurper: theirs at our priority and handle"))
		goto out;
	is_u64(hook_detach(tund.dir, &st), 0, "usurper: detach");
	is_u64(tc_prog_at(opts.priority, opts.handle), id, "usurper: theirs stays");
	ok(!hook_attach(prog(b), MECH_CLSACT, tund.dir, &st) && st.filter[WGSF_INGRESS].prio != opts.priority &&
		   tc_prog_at(opts.priority, opts.handle) == id,
	   "usurper: a replace attaches anew beside theirs, not over it");
	send_n(AF_INET, N);
	is_u64(peer(b).rx_packets, N, "usurper: ours counts");
	hook_detach(tund.dir, &st);
	ok(tc_prog_at(opts.priority, opts.handle) == id && !tc_lines("filter show ingress", "wgsf_tc"),
	   "usurper: ours is gone, theirs stays");
	/* st says we created the qdisc, but theirs lives in it */
	ok(st.created_qdisc && tc_lines("qdisc show", "clsact"), "usurper: the qdisc stays");
out:
	sh("tc qdisc del dev %s clsact 2>/dev/null", tund.ifname);
	if (theirs >= 0)
		close(theirs);
	wgsf__destroy(a);
	wgsf__destroy(b);
}

/* tcx holds many programs: ours comes and goes, theirs stays. */
static void foreign_tcx(void)
{
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	int theirs = foreign_prog(BPF_PROG_TYPE_SCHED_CLS), link = -1;
	struct wgsf *a = load();
	__u32 ids[8];

	if (theirs >= 0)
		link = bpf_link_create(theirs, tund.ifindex, WGSF_TCX_INGRESS, NULL);
	if (!ok(a && link >= 0, "tcx: someone else's tcx program"))
		goto out;
	ok(!hook_attach(prog(a), MECH_NONE, tund.dir, &st) && st.mech == MECH_TCX &&
		   tcx_progs(ids) == 2,
	   "tcx: ours goes beside it");
	send_n(AF_INET, N);
	is_u64(peer(a).rx_packets, N, "tcx: ours counts, after theirs passed the packets");
	hook_detach(tund.dir, &st);
	ok(tcx_progs(ids) == 1 && ids[0] == prog_id(theirs), "tcx: detach leaves theirs alone");
out:
	if (link >= 0)
		close(link);
	if (theirs >= 0)
		close(theirs);
	wgsf__destroy(a);
}

/* We add the clsact qdisc, someone then adds a filter to it: the qdisc
 * stays when we go. */
static void shared_qdisc(void)
{
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	struct wgsf *a = load();

	if (!ok(a && !hook_attach(prog(a), MECH_CLSACT, tund.dir, &st) && st.created_qdisc,
		"shared qdisc: ours, with the qdisc we added"))
		goto out;
	ok(!sh("tc filter add dev %s egress prio 1 u32 match u32 0xdeadbeef 0xffffffff at 0",
	       tund.ifname),
	   "shared qdisc: someone adds an egress filter to it");
	is_u64(hook_detach(tund.dir, &st), 0, "shared qdisc: detach");
	ok(!tc_lines("filter show ingress", "wgsf_tc") &&
		   !tc_lines("filter show egress", "wgsf_egress") &&
		   tc_lines("filter show egress", "u32") && tc_lines("qdisc show", "clsact"),
	   "shared qdisc: our filters go, their filter and the qdisc stay");
out:
	sh("tc qdisc del dev %s clsact 2>/dev/null", tund.ifname);
	wgsf__destroy(a);
}

/* Someone else's XDP program runs before ours and stays, through our
 * attach, detach and sweep. */
static void foreign_xdp(void)
{
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	int theirs = foreign_prog(BPF_PROG_TYPE_XDP);
	struct wgsf *a = load();

	if (!ok(a && theirs >= 0 &&
			!bpf_xdp_attach(tund.ifindex, theirs, XDP_FLAGS_SKB_MODE, NULL),
		"foreign xdp: someone else's XDP program"))
		goto out;
	ok(!hook_attach(prog(a), MECH_NONE, tund.dir, &st), "foreign xdp: ours goes on tc");
	send_n(AF_INET, N);
	is_u64(peer(a).rx_packets, N, "foreign xdp: ours counts what theirs passed");
	hook_detach(tund.dir, &st);
	hook_sweep(tund.ifindex, NULL);
	is_u64(xdp_prog(), prog_id(theirs), "foreign xdp: theirs stays");
out:
	bpf_xdp_detach(tund.ifindex, XDP_FLAGS_SKB_MODE, NULL);
	if (theirs >= 0)
		close(theirs);
	wgsf__destroy(a);
}

/* An earlier wgsf's XDP hook: detach removes what its record says, and a
 * sweep finds its program by name where nothing records it. */
static void retired_xdp(void)
{
	struct wgsf_attachment st = {};

	if (!ok(!retired_xdp_attach(tund.ifindex, tund.dir, 0, &st) && xdp_prog(),
		"retired xdp: an earlier wgsf's XDP hook"))
		return;
	ok(!hook_detach(tund.dir, &st) && all_gone(), "retired xdp: detach removes it");
	if (!ok(!retired_xdp_attach(tund.ifindex, tund.dir, 0, &st) && xdp_prog(),
		"retired xdp: again"))
		return;
	hook_sweep(tund.ifindex, NULL);
	ok(!xdp_prog(), "retired xdp: a sweep removes it");
	unlink(link_pin);
}

int main(void)
{
	static const enum hook_mech mechs[] = { MECH_TCX, MECH_CLSACT };
	size_t i;

	require_root_bpf();
	libbpf_set_print(NULL);
	setup();
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		const char *name = hook_mech_name(mechs[i]);

		counts(mechs[i], name);
		replace_under_traffic(mechs[i], name);
		mended(mechs[i], name);
		one_side(mechs[i], name);
		sweep(mechs[i], name);
	}
	usurper();
	foreign_tcx();
	shared_qdisc();
	foreign_xdp();
	retired_xdp();
	return done_testing();
}
