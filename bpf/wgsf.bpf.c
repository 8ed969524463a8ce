// SPDX-License-Identifier: GPL-2.0-only
/*
 * The program that puts the datapath on a WireGuard interface's ingress:
 * tc, which knows how many packets an skb stands for. (Generic XDP, which
 * earlier versions offered as well, sees a GRO aggregate without its
 * segment count: retired, see README.)
 */
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "datapath.bpf.h"

/*
 * The length of the TCP or UDP header at off, or 0 where it is neither or
 * the skb ends inside it. Read through a helper, not directly: it may lie
 * past the linear part, and only an aggregate, many packets in one, asks.
 */
static __always_inline __u32 l4_header_len(struct __sk_buff *skb, __u32 off, __u8 proto)
{
	__u8 doff;
	__u32 len;

	if (proto == IPPROTO_UDP)
		return off + sizeof(struct udphdr) <= skb->len ? sizeof(struct udphdr) : 0;
	if (proto != IPPROTO_TCP || bpf_skb_load_bytes(skb, off + 12, &doff, 1))
		return 0;
	len = (doff >> 4) * 4;
	return len >= sizeof(struct tcphdr) && off + len <= skb->len ? len : 0;
}

/*
 * The IP and L4 header bytes of each packet in an aggregate: only the IP
 * header's where the L4 header is neither TCP nor UDP or is cut short, as
 * the kernel counts them, and 0 where no IP header can be read. IPv6
 * extension headers are not walked: behind one, the L4 header is unknown.
 */
static __always_inline __u32 header_len(struct __sk_buff *skb)
{
	__u8 ip[sizeof(struct iphdr)];
	__u32 len;

	if (bpf_skb_load_bytes(skb, l3_offset, ip, sizeof(ip)))
		return 0;
	if (ip[0] >> 4 == 6)
		return sizeof(struct ipv6hdr) +
		       l4_header_len(skb, l3_offset + sizeof(struct ipv6hdr),
				     ip[offsetof(struct ipv6hdr, nexthdr)]);
	len = (ip[0] & 15) * 4;
	if (ip[0] >> 4 != 4 || len < sizeof(struct iphdr))
		return 0;
	return len + l4_header_len(skb, l3_offset + len, ip[offsetof(struct iphdr, protocol)]);
}

/*
 * How many packets the skb stands for: its segment count where GRO set it;
 * where a TUN device's writer handed over a GSO frame (virtio_net_hdr), the
 * kernel leaves the count 0 and it follows from the segment size, as the
 * kernel works it out later; a plain skb is one packet.
 */
static __always_inline struct segments segments_of(struct __sk_buff *skb)
{
	struct segments seg = { .count = 1 };
	__u32 size = skb->gso_size, headers;

	if (!size)
		return seg;
	seg.header_len = header_len(skb);
	headers = l3_offset + seg.header_len;
	if (skb->gso_segs)
		seg.count = skb->gso_segs;
	else if (skb->len > headers)
		seg.count = (skb->len - headers + size - 1) / size;
	return seg;
}

SEC("tc")
int wgsf_tc(struct __sk_buff *skb)
{
	__u32 want = l3_offset + sizeof(struct ipv6hdr);
	struct segments seg = segments_of(skb);

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
		     skb->len, &seg) == VERDICT_DROP)
		return TC_ACT_SHOT;
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
