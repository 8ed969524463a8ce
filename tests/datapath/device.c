// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hook on a real L3 device: a TUN device, which hands packets to the
 * stack exactly as WireGuard does (no link header), in a network namespace
 * of this process's own. Covers tcx, the clsact fallback, replacing a
 * program in place, removing exactly what was attached next to someone
 * else's filter, and packets too short for BPF_PROG_TEST_RUN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "attach/hook.h"
#include "packet.h"
#include "tap.h"
#include "tundev.h"

static struct tundev tund;

static void setup(void)
{
	const char *why = tundev_setup(&tund, "wgsft", 0);

	if (why)
		skip_all("%s", why);
}

/* n UDP packets from 192.0.2.7 to 192.0.2.1, each ip_len bytes long. */
static void send_v4(unsigned int n, uint16_t ip_len)
{
	struct prefix src, dst;
	uint8_t buf[256] = {};
	struct packet pkt;

	addr_parse("192.0.2.7", &src);
	addr_parse("192.0.2.1", &dst);
	packet_ip(&pkt, 0, &src, &dst, ip_len);
	memcpy(buf, pkt.data, pkt.len);
	while (n--)
		if (write(tund.fd, buf, ip_len) != ip_len)
			diag("write to %s: %s", tund.ifname, strerror(errno));
}

static uint64_t rx(const struct wgsf *skel)
{
	struct wgsf_peer_stats st;

	return stats_read_peer(bpf_map__fd(skel->maps.peer_stats), 3, &st) ? UINT64_MAX
									     : st.rx_packets;
}

static struct wgsf *load(void)
{
	return tundev_datapath(3);
}

/* skel's programs for both sides, as hook_attach takes them. */
static const struct hook_progs *prog(const struct wgsf *skel)
{
	static struct hook_progs p;

	p = hook_progs_of(skel);
	return &p;
}

/* How many programs sit on tcx ingress and egress, whoever attached them. */
static unsigned int on_hook(void)
{
	__u32 ids[8], n = 8, m = 8, flags = 0;

	if (bpf_prog_query(tund.ifindex, WGSF_TCX_INGRESS, 0, &flags, ids, &n))
		n = 0;
	if (bpf_prog_query(tund.ifindex, WGSF_TCX_EGRESS, 0, &flags, ids, &m))
		m = 0;
	return n + m;
}

/* Whether `tc WHAT show` (filters: on ingress, or egress when what is
 * "filter egress") holds needle. */
static bool tc_shows(const char *what, const char *needle)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "tc %s show dev %s%s", what, tund.ifname,
		 strcmp(what, "filter") ? "" : " ingress");
	if (!strcmp(what, "filter egress"))
		snprintf(cmd, sizeof(cmd), "tc filter show dev %s egress", tund.ifname);
	return output_lines(cmd, needle) > 0;
}

/* Attach, count, replace the program in place, detach: one attachment's life. */
static void lifecycle(enum hook_mech force, enum hook_mech want, const char *name)
{
	struct wgsf *a = load(), *b = load();
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	char path[HOOK_PATH_MAX], epath[HOOK_PATH_MAX];

	if (!ok(a && b, "%s: load two programs", name))
		goto out;
	is_u64(hook_attach(prog(a), force, tund.dir, &st), 0, "%s: attach", name);
	is_u64(st.mech, want, "%s: attached by %s", name, hook_mech_name(want));
	if (want == MECH_CLSACT)
		ok(tc_shows("filter", "wgsf_tc") && tc_shows("filter", "direct-action") &&
			   tc_shows("filter egress", "wgsf_egress"),
		   "%s: tc shows our direct-action filters, on the ingress and the egress", name);
	else
		is_u64(on_hook(), 2, "%s: tcx runs ours on the ingress and the egress", name);
	send_v4(5, 60);
	is_u64(rx(a), 5, "%s: counts every packet", name);
	is_u64(hook_attach(prog(b), force, tund.dir, &st), 0, "%s: replace the program", name);
	send_v4(3, 60);
	ok(rx(a) == 5 && rx(b) == 3, "%s: the new program counts, the old one no longer", name);
	is_u64(hook_detach(tund.dir, &st), 0, "%s: detach", name);
	send_v4(2, 60);
	ok(rx(a) == 5 && rx(b) == 3, "%s: nothing counts after detach", name);
	hook_link_path(tund.dir, WGSF_INGRESS, path);
	hook_link_path(tund.dir, WGSF_EGRESS, epath);
	ok(access(path, F_OK) && errno == ENOENT && access(epath, F_OK) && errno == ENOENT,
	   "%s: no link pin left", name);
	ok(!tc_shows("filter", "wgsf_tc") && !tc_shows("filter egress", "wgsf_egress") && !on_hook(),
	   "%s: nothing of ours on the hooks", name);
out:
	wgsf__destroy(a);
	wgsf__destroy(b);
}

static void with_foreign_filter(enum hook_mech force, enum hook_mech want, const char *name)
{
	/* a filter that matches none of the test's packets, so they reach ours */
	if (ok(!sh("tc qdisc add dev %s clsact && tc filter add dev %s ingress prio 1 u32 "
		   "match u32 0xdeadbeef 0xffffffff at 0", tund.ifname, tund.ifname),
	       "%s: someone else's clsact qdisc and filter", name)) {
		lifecycle(force, want, name);
		ok(tc_shows("filter", "u32"), "%s: their filter survives attach and detach", name);
		ok(tc_shows("qdisc", "clsact"), "%s: and so does their qdisc", name);
	}
	sh("tc qdisc del dev %s clsact 2>/dev/null", tund.ifname);
}

/* What BPF_PROG_TEST_RUN will not carry, a real device does. */
static void short_packets(void)
{
	static const uint8_t v4[19] = { 0x45 }, v6[39] = { 0x60 };
	struct wgsf_attachment st = { .ifindex = tund.ifindex };
	struct wgsf *a = load();
	struct wgsf_dev_stats d;

	if (!ok(a && !hook_attach(prog(a), MECH_NONE, tund.dir, &st), "attach for short packets"))
		goto out;
	ok(write(tund.fd, v4, 0) < 0 && errno == EINVAL, "a 0-byte packet cannot enter the device");
	ok(write(tund.fd, v4, 1) == 1 && write(tund.fd, v4, 19) == 19 && write(tund.fd, v6, 39) == 39,
	   "1 byte, 19 bytes of IPv4, 39 bytes of IPv6");
	ok(!stats_read_dev(bpf_map__fd(a->maps.dev_stats), &d) && d.malformed_packets == 3,
	   "each counted malformed");
	is_u64(rx(a), 0, "none attributed to a peer");
	hook_detach(tund.dir, &st);
out:
	wgsf__destroy(a);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	setup();
	lifecycle(MECH_NONE, MECH_TCX, "tcx");
	lifecycle(MECH_CLSACT, MECH_CLSACT, "clsact");
	ok(!tc_shows("qdisc", "clsact"), "clsact: the qdisc we added is gone again");
	with_foreign_filter(MECH_NONE, MECH_TCX, "tcx beside a filter");
	with_foreign_filter(MECH_CLSACT, MECH_CLSACT, "clsact beside a filter");
	short_packets();
	return done_testing();
}
