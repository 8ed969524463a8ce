// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include "packet.h"

void packet_raw(struct packet *pkt, uint32_t l3, uint16_t ethertype, const void *bytes,
		size_t len)
{
	memset(pkt, 0, sizeof(*pkt));
	if (l3 == ETH_HLEN) {
		struct ethhdr *eth = (struct ethhdr *)pkt->data;

		memcpy(eth->h_dest, "\x02\0\0\0\0\x01", ETH_ALEN);
		memcpy(eth->h_source, "\x02\0\0\0\0\x02", ETH_ALEN);
		eth->h_proto = htons(ethertype);
	}
	memcpy(pkt->data + l3, bytes, len);
	pkt->len = l3 + len;
}

void packet_ip(struct packet *pkt, uint32_t l3, const struct prefix *src,
	       const struct prefix *dst, uint16_t ip_len)
{
	uint8_t ip[40] = {};

	if (src->family == AF_INET) {
		ip[0] = 0x45;
		ip[2] = ip_len >> 8;
		ip[3] = ip_len;
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst->addr, 4);
		packet_raw(pkt, l3, ETH_P_IP, ip, 20);
	} else {
		ip[0] = 0x60;
		ip[4] = (ip_len - 40) >> 8;
		ip[5] = ip_len - 40;
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, src->addr, 16);
		memcpy(ip + 24, dst->addr, 16);
		packet_raw(pkt, l3, ETH_P_IPV6, ip, 40);
	}
}

int hooks_load(struct hook_under_test hooks[2], const struct capacity *cap)
{
	static const struct hook_under_test proto[2] = {
		{ .name = "tc", .l3 = L3_OFFSET_ETHERNET, .pass = (uint32_t)TC_ACT_UNSPEC,
		  .drop = TC_ACT_SHOT },
		{ .name = "xdp", .l3 = L3_OFFSET_NONE, .pass = XDP_PASS, .drop = XDP_DROP },
	};
	int i;

	for (i = 0; i < 2; i++) {
		hooks[i] = proto[i];
		hooks[i].skel = datapath_load(cap, hooks[i].l3);
		if (!hooks[i].skel) {
			int err = -errno;

			hooks_destroy(hooks);
			return err;
		}
		maps_from_skel(hooks[i].skel, &hooks[i].maps);
		hooks[i].prog_fd = bpf_program__fd(i ? hooks[i].skel->progs.wgsf_xdp
						     : hooks[i].skel->progs.wgsf_tc);
	}
	return 0;
}

void hooks_destroy(struct hook_under_test hooks[2])
{
	int i;

	for (i = 0; i < 2; i++) {
		wgsf__destroy(hooks[i].skel);
		hooks[i].skel = NULL;
	}
}

int64_t hook_run(const struct hook_under_test *h, const struct packet *pkt)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt->data, .data_size_in = pkt->len,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(h->prog_fd, &opts))
		return -errno;
	return opts.retval;
}

int64_t hook_run_ip(const struct hook_under_test *h, const void *ip, size_t len)
{
	struct packet pkt;
	const uint8_t *b = ip;

	packet_raw(&pkt, h->l3, len && (b[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP, ip, len);
	return hook_run(h, &pkt);
}
