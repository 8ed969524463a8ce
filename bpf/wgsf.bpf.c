// SPDX-License-Identifier: GPL-2.0-only
/*
 * The programs that put the datapath on a WireGuard interface: tc, which
 * knows how many packets an skb stands for, on its ingress (what peers
 * send), and on its egress (what goes to them: the flows that replies
 * answer). (Generic XDP, which earlier versions offered as well, sees a GRO
 * aggregate without its segment count: retired, see README.)
 */
#define WGSF_CTX struct __sk_buff
#define WGSF_LOAD_BYTES(ctx, off, to, len) bpf_skb_load_bytes(ctx, off, to, len)
#include "datapath.bpf.h"

/*
 * The IP header is read directly, so it must be in the linear part; what
 * lies past it is copied out (parse.bpf.h). Pull only a packet that is long
 * enough but not linear that far: pulling can copy a cloned skb.
 */
static __always_inline void linear_ip_header(struct __sk_buff *skb)
{
	__u32 want = l3_offset + sizeof(struct ipv6hdr);

	if ((void *)(long)skb->data + want > (void *)(long)skb->data_end &&
	    skb->len >= want)
		bpf_skb_pull_data(skb, want);
}

SEC("tc")
int wgsf_tc(struct __sk_buff *skb)
{
	struct gso gso = { .size = skb->gso_size, .segs = skb->gso_segs };

	linear_ip_header(skb);
	/* TC_ACT_UNSPEC hands the packet on to the next filter or tcx program. */
	if (classify(skb, (void *)(long)skb->data, (void *)(long)skb->data_end, skb->len,
		     &gso) == VERDICT_DROP)
		return TC_ACT_SHOT;
	return TC_ACT_UNSPEC;
}

SEC("tc")
int wgsf_egress(struct __sk_buff *skb)
{
	linear_ip_header(skb);
	record_outgoing(skb, (void *)(long)skb->data, (void *)(long)skb->data_end, skb->len,
			skb->gso_size != 0);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
