// SPDX-License-Identifier: GPL-2.0-only
/* The programs that put the datapath on a WireGuard interface's ingress. */
#include "datapath.bpf.h"

SEC("tc")
int wgsf_tc(struct __sk_buff *skb)
{
	__u32 want = l3_offset + sizeof(struct ipv6hdr);

	/*
	 * The headers are read directly, so they must be in the linear part.
	 * Pull only a packet that is long enough but not linear that far:
	 * pulling can copy a cloned skb.
	 */
	if ((void *)(long)skb->data + want > (void *)(long)skb->data_end &&
	    skb->len >= want)
		bpf_skb_pull_data(skb, want);
	/* TC_ACT_UNSPEC hands the packet on to the next filter or tcx program. */
	if (classify((void *)(long)skb->data, (void *)(long)skb->data_end,
		     skb->len) == VERDICT_DROP)
		return TC_ACT_SHOT;
	return TC_ACT_UNSPEC;
}

SEC("xdp")
int wgsf_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (classify(data, data_end, data_end - data) == VERDICT_DROP)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
