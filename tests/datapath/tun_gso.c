// SPDX-License-Identifier: GPL-2.0-only
/*
 * GSO frames through a real device: a TUN device with IFF_VNET_HDR, written
 * as newer wireguard-go writes its TUN (a struct virtio_net_hdr before each
 * frame, TCP and UDP segmentation offloads). The kernel makes one skb of
 * each frame with the segment size set and the segment count left 0
 * (SKB_GSO_DODGY), and the tc program on the device's ingress must count
 * it as the packets it stands for. A frame whose payload fits one segment
 * is no GSO frame to the kernel: one packet. The figures are worked out by
 * hand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/libbpf.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "attach/hook.h"
#include "packet.h"
#include "tap.h"
#include "tundev.h"

/* Linux 6.2's UDP segmentation offload on TUN; Debian's 6.1 headers predate
 * it. The kernel ABI value. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif
#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define SLOT 3
#define WRITES 5
#define FRAME_MAX 8192

static const struct frame {
	const char *what;
	const char *src;
	uint8_t proto, gso_type, doff;
	uint16_t payload, gso_size;
	uint64_t packets, bytes; /* per frame */
} frames[] = {
	/* 40 bytes of headers: 4,040 B, then 3 x 40 more */
	{ "IPv4 TCP, 4,000 B in segments of 1,000", "192.0.2.7", IPPROTO_TCP,
	  VIRTIO_NET_HDR_GSO_TCPV4, 5, 4000, 1000, 4, 4160 },
	/* 52 bytes (12 of TCP options): 2,952 B, then 2 x 52 */
	{ "IPv4 TCP with options, 2,900 B in segments of 1,448", "192.0.2.7", IPPROTO_TCP,
	  VIRTIO_NET_HDR_GSO_TCPV4, 8, 2900, 1448, 3, 3056 },
	/* 60 bytes: 3,060 B, then 2 x 60 */
	{ "IPv6 TCP, 3,000 B in segments of 1,220", "2001:db8::7", IPPROTO_TCP,
	  VIRTIO_NET_HDR_GSO_TCPV6, 5, 3000, 1220, 3, 3180 },
	/* 28 bytes: 2,528 B, then 2 x 28 */
	{ "IPv4 UDP, 2,500 B in segments of 1,000", "192.0.2.7", IPPROTO_UDP,
	  VIRTIO_NET_HDR_GSO_UDP_L4, 0, 2500, 1000, 3, 2584 },
	/* 48 bytes: 1,848 B, then 2 x 48 */
	{ "IPv6 UDP, 1,800 B in segments of 600", "2001:db8::7", IPPROTO_UDP,
	  VIRTIO_NET_HDR_GSO_UDP_L4, 0, 1800, 600, 3, 1944 },
	{ "IPv4 TCP, 500 B, segment size 1,000: one segment", "192.0.2.7", IPPROTO_TCP,
	  VIRTIO_NET_HDR_GSO_TCPV4, 5, 500, 1000, 1, 540 },
	{ "IPv4 TCP, no GSO", "192.0.2.7", IPPROTO_TCP, VIRTIO_NET_HDR_GSO_NONE, 5, 100, 0, 1,
	  140 },
};

static struct tundev tund;

/* The virtio_net_hdr and the IP packet of f, in buf; the length to write. */
static size_t build(const struct frame *f, uint8_t buf[FRAME_MAX])
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	uint8_t *ip = buf + sizeof(*vh);
	size_t hlen, l4len = f->proto == IPPROTO_TCP ? f->doff * 4u : 8;
	struct prefix src, dst;
	uint32_t ip_len;

	memset(buf, 0, FRAME_MAX);
	addr_parse(f->src, &src);
	addr_parse(src.family == AF_INET ? "192.0.2.1" : "2001:db8::1", &dst);
	ip_len = (src.family == AF_INET ? IPV4_HLEN : IPV6_HLEN) + l4len + f->payload;
	hlen = ip_l4_header(ip, &src, &dst, ip_len, IPV4_HLEN / 4, f->proto, f->doff);
	/* what a NIC with checksum offload gets: the L4 checksum to fill in */
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = f->gso_type;
	vh->hdr_len = hlen + l4len;
	vh->gso_size = f->gso_size;
	vh->csum_start = hlen;
	vh->csum_offset = f->proto == IPPROTO_TCP ? 16 : 6;
	return sizeof(*vh) + ip_len;
}

static struct wgsf_peer_stats peer(const struct wgsf *skel)
{
	struct wgsf_peer_stats st = {};

	if (stats_read_peer(bpf_map__fd(skel->maps.peer_stats), SLOT, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

static void send_frames(const struct wgsf *skel)
{
	struct wgsf_peer_stats before, after;
	uint8_t buf[FRAME_MAX];
	unsigned int n, written;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(frames); i++) {
		const struct frame *f = &frames[i];

		len = build(f, buf);
		before = peer(skel);
		for (n = written = 0; n < WRITES; n++)
			written += write(tund.fd, buf, len) == (ssize_t)len;
		if (!is_u64(written, WRITES, "%s: %d frames written", f->what, WRITES))
			diag("  write: %s", strerror(errno));
		after = peer(skel);
		is_u64(after.rx_packets - before.rx_packets, WRITES * f->packets,
		       "%s: %d x %llu packets", f->what, WRITES, (unsigned long long)f->packets);
		is_u64(after.rx_bytes - before.rx_bytes, WRITES * f->bytes, "%s: %d x %llu B",
		       f->what, WRITES, (unsigned long long)f->bytes);
	}
}

int main(void)
{
	struct wgsf_attachment st = {};
	struct hook_progs progs;
	const char *why;
	struct wgsf *skel;

	require_root_bpf();
	libbpf_set_print(NULL);
	why = tundev_setup(&tund, "wgsfg", IFF_VNET_HDR);
	if (why)
		skip_all("%s", why);
	st.ifindex = tund.ifindex;
	skel = tundev_datapath(SLOT);
	if (skel)
		progs = hook_progs_of(skel);
	if (ok(skel && !hook_attach(&progs, MECH_NONE, tund.dir, &st),
	       "wgsf on the ingress of %s, a TUN device with virtio_net_hdr", tund.ifname)) {
		send_frames(skel);
		hook_detach(tund.dir, &st);
	}
	wgsf__destroy(skel);
	return done_testing();
}
