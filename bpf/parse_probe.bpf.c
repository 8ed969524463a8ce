// SPDX-License-Identifier: GPL-2.0-only
/*
 * The datapath's parse of one packet, as the datapath reads it, left where
 * a test reads it (tests/datapath/l4.c): no program of wgsf's runs this.
 */
#define WGSF_CTX struct __sk_buff
#define WGSF_LOAD_BYTES(ctx, off, to, len) bpf_skb_load_bytes(ctx, off, to, len)
#include <linux/pkt_cls.h>

#include "parse.bpf.h"

/* What the last packet parsed to; probe_ip_ok 0 when its IP header was not
 * whole (and the rest is zero). */
__u32 probe_ip_ok;
__u32 probe_ip_len;
struct wgsf_l4 probe_l4;

SEC("tc")
int parse_probe(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct packet p;

	probe_ip_ok = 0;
	__builtin_memset(&probe_l4, 0, sizeof(probe_l4));
	if (parse_ip(data, data_end, skb->len, skb->gso_size != 0, &p))
		return TC_ACT_UNSPEC;
	probe_ip_ok = 1;
	probe_ip_len = p.len;
	parse_l4(skb, &p, l3_offset, ip_end(&p, skb->len), &probe_l4);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
