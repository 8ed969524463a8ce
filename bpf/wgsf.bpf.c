// SPDX-License-Identifier: GPL-2.0-only
/*
 * The program that puts the datapath on a WireGuard interface's ingress:
 * tc, which knows how many packets an skb stands for. (Generic XDP, which
 * earlier versions offered as well, sees a GRO aggregate without its
 * segment count: retired, see README.)
 */
#define WGSF_LOAD_BYTES(ctx, off, to, len) bpf_skb_load_bytes(ctx, off, to, len)
#include "datapath.bpf.h"

SEC("tc")
int wgsf_tc(struct __sk_buff *skb)
{
	__u32 want = l3_offset + sizeof(struct ipv6hdr);
	struct gso gso = { .size = skb->gso_size, .segs = skb->gso_segs };

	/*
	 * The IP header is read directly, so it must be in the linear part;
	 * what lies past it is copied out (parse.bpf.h). Pull only a packet
	 * that is long enough but not linear that far: pulling can copy a
	 * cloned skb.
	 */
	if ((void *)(long)skb->data + want > (void *)(long)skb->data_end &&
	    skb->len >= want)
		bpf_skb_pull_data(skb, want);
	/* TC_ACT_UNSPEC hands the packet on to the next filter or tcx program. */
	if (classify(skb, (void *)(long)skb->data, (void *)(long)skb->data_end, skb->len,
		     &gso) == VERDICT_DROP)
		return TC_ACT_SHOT;
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
