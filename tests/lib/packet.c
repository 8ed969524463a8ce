// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include "packet.h"

size_t ip_header(uint8_t *ip, const struct prefix *src, const struct prefix *dst,
		 uint32_t ip_len, unsigned int ihl)
{
	if (src->family == AF_INET) {
		memset(ip, 0, ihl * 4);
		ip[0] = 0x40 | ihl;
		ip[2] = ip_len >> 8;
		ip[3] = ip_len;
		ip[8] = 64;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst->addr, 4);
		return ihl * 4;
	}
	memset(ip, 0, IPV6_HLEN);
	ip[0] = 0x60;
	ip[4] = (ip_len - IPV6_HLEN) >> 8;
	ip[5] = ip_len - IPV6_HLEN;
	ip[6] = IPPROTO_UDP;
	ip[7] = 64;
	memcpy(ip + 8, src->addr, 16);
	memcpy(ip + 24, dst->addr, 16);
	return IPV6_HLEN;
}

size_t ip_l4_header(uint8_t *ip, const struct prefix *src, const struct prefix *dst,
		    uint32_t ip_len, unsigned int ihl, uint8_t proto, unsigned int doff)
{
	size_t hlen = ip_header(ip, src, dst, ip_len, ihl);
	uint8_t *l4 = ip + hlen;

	ip[src->family == AF_INET ? 9 : 6] = proto;
	memset(l4, 0, 20);
	if (proto == IPPROTO_TCP)
		l4[12] = doff << 4;
	if (proto == IPPROTO_UDP) {
		l4[4] = (ip_len - hlen) >> 8;
		l4[5] = ip_len - hlen;
	}
	return hlen;
}

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
	       const struct prefix *dst, uint32_t ip_len)
{
	uint8_t ip[IPV6_HLEN];
	size_t hlen = ip_header(ip, src, dst, ip_len, IPV4_HLEN / 4);

	packet_raw(pkt, l3, src->family == AF_INET ? ETH_P_IP : ETH_P_IPV6, ip, hlen);
}

const char *packet_describe(char *buf, size_t size, const uint8_t *ip, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	unsigned int version = len ? ip[0] >> 4 : 0;
	size_t i, n;

	if (version == 4 && len >= IPV4_HLEN) {
		snprintf(buf, size, "IPv4 %s -> %s, IHL %u, total length %u, %zu bytes",
			 inet_ntop(AF_INET, ip + 12, s, sizeof(s)),
			 inet_ntop(AF_INET, ip + 16, d, sizeof(d)), ip[0] & 15u,
			 ip[2] << 8 | ip[3], len);
		return buf;
	}
	if (version == 6 && len >= IPV6_HLEN) {
		snprintf(buf, size, "IPv6 %s -> %s, payload length %u, %zu bytes",
			 inet_ntop(AF_INET6, ip + 8, s, sizeof(s)),
			 inet_ntop(AF_INET6, ip + 24, d, sizeof(d)), ip[4] << 8 | ip[5], len);
		return buf;
	}
	n = snprintf(buf, size, "%zu bytes:", len);
	for (i = 0; i < len && i < 24 && n + 4 < size; i++)
		n += snprintf(buf + n, size - n, " %02x", ip[i]);
	return buf;
}

int hook_load(struct hook_under_test *h, const struct capacity *cap)
{
	*h = (struct hook_under_test){ .name = "tc", .l3 = L3_OFFSET_ETHERNET,
				       .pass = (uint32_t)TC_ACT_UNSPEC, .drop = TC_ACT_SHOT };
	h->skel = datapath_load(cap, h->l3);
	if (!h->skel)
		return -errno;
	maps_from_skel(h->skel, &h->maps);
	h->prog_fd = bpf_program__fd(h->skel->progs.wgsf_tc);
	return 0;
}

void hook_destroy(struct hook_under_test *h)
{
	wgsf__destroy(h->skel);
	h->skel = NULL;
}

int hooks_load(struct hook_under_test hooks[HOOKS], const struct capacity *cap)
{
	return hook_load(&hooks[HOOK_TC], cap);
}

void hooks_destroy(struct hook_under_test hooks[HOOKS])
{
	hook_destroy(&hooks[HOOK_TC]);
}

int64_t hook_run(const struct hook_under_test *h, const struct packet *pkt)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt->data, .data_size_in = pkt->len,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(h->prog_fd, &opts))
		return -errno;
	return opts.retval;
}

/*
 * The datapath reads the IP version from the packet; from the ethertype it
 * only wants to know that it is IP. BPF_PROG_TEST_RUN on this kernel (6.18)
 * refuses a tc frame whose ethertype is IPv4 with less than 20 bytes behind
 * it, or IPv6 with less than 40, so an IPv6 header too short to be whole
 * goes out as IPv4, and less than 20 bytes cannot reach tc at all.
 */
bool hook_takes(size_t len)
{
	return len >= IPV4_HLEN;
}

int64_t hook_run_ip(const struct hook_under_test *h, const void *ip, size_t len)
{
	const uint8_t *b = ip;
	struct packet pkt;

	if (len > PACKET_MAX - h->l3)
		return -EMSGSIZE;
	packet_raw(&pkt, h->l3, len >= IPV6_HLEN && b[0] >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IP, ip,
		   len);
	return hook_run(h, &pkt);
}
