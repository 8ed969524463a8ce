// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-packet cost of the datapath, for `make bench`. Each program runs
 * once per BPF_PROG_TEST_RUN over BENCH_ADDRS source addresses: it writes
 * the next address into the packet and hands the packet to its variant.
 * BPF_PROG_TEST_RUN's own repeat would look one address up again and
 * again, always in cache; a gateway's packets come from all over its table.
 *
 * Variants: the floor (the same loop, no lookup), a plain LPM_TRIE lookup
 * of every prefix (the baseline), and classify(), the datapath itself, on
 * the maps of datapath.bpf.h. Egress:
 * the program on the interface's egress, record_outgoing(), each address
 * written as the destination, a peer the packet goes to. bench_tc_empty is the floor of a real hook.
 */
#define WGSF_CTX struct xdp_md
#define WGSF_LOAD_BYTES(ctx, off, to, len) bpf_xdp_load_bytes(ctx, off, to, len)
#include "datapath.bpf.h"

#define BENCH_ADDRS 65536 /* a power of 2, as the index mask needs */

/* Filled by the benchmark through the mmapped .bss before each run. */
__u8 bench_addrs[BENCH_ADDRS][16];
/* Sum of the variants' answers: a result the compiler cannot drop. */
__u64 bench_sink;

PREFIX_MAP(LPM_TRIE, plain4, struct wgsf_lpm4_key);
PREFIX_MAP(LPM_TRIE, plain6, struct wgsf_lpm6_key);
enum variant { FLOOR, PLAIN_LPM, WGSF, EGRESS };
/* Each test packet is one packet as sent, as a plain skb is. */
static const struct gso one_packet;

struct loop_ctx {
	struct xdp_md *xdp;
	__u64 sum;
};

/* Where the source address sits in the IPv4 or IPv6 header at data. */
static __always_inline __u8 *source_of(void *data, void *data_end, __u32 *len)
{
	__u8 *ip = data;

	if ((void *)(ip + sizeof(struct ipv6hdr)) > data_end)
		return NULL;
	*len = ip[0] >> 4 == 4 ? 4 : 16;
	return ip + (*len == 4 ? offsetof(struct iphdr, saddr) : offsetof(struct ipv6hdr, saddr));
}

static __always_inline __u64 plain_lookup(const __u8 *src, __u32 len)
{
	struct wgsf_lpm6_key k = { .prefixlen = len * 8 };
	__u32 *slot;

	__builtin_memcpy(k.addr, src, 16);
	slot = bpf_map_lookup_elem(len == 4 ? (void *)&plain4 : (void *)&plain6, &k);
	return slot ? *slot : 0;
}

static __always_inline long one(__u32 i, struct loop_ctx *c, enum variant v)
{
	void *data = (void *)(long)c->xdp->data;
	void *data_end = (void *)(long)c->xdp->data_end;
	const __u8 *addr = bench_addrs[i & (BENCH_ADDRS - 1)];
	__u8 *src;
	__u32 len;

	src = source_of(data, data_end, &len);
	if (!src)
		return 1;
	if (v == EGRESS)
		src += len; /* the destination, which follows the source */
	if (len == 4)
		__builtin_memcpy(src, addr, 4);
	else
		__builtin_memcpy(src, addr, 16);
	if (v == PLAIN_LPM)
		c->sum += plain_lookup(src, len);
	else if (v == EGRESS)
		record_outgoing(c->xdp, data, data_end, data_end - data);
	else if (v == WGSF)
		c->sum += classify(c->xdp, data, data_end, data_end - data, &one_packet);
	else
		c->sum += src[len - 1];
	return 0;
}

static long one_floor(__u32 i, void *c)
{
	return one(i, c, FLOOR);
}

static long one_plain(__u32 i, void *c)
{
	return one(i, c, PLAIN_LPM);
}

static long one_wgsf(__u32 i, void *c)
{
	return one(i, c, WGSF);
}

static long one_egress(__u32 i, void *c)
{
	return one(i, c, EGRESS);
}

#define BENCH_PROG(name, fn)                                      \
	SEC("xdp")                                                \
	int name(struct xdp_md *xdp)                              \
	{                                                         \
		struct loop_ctx c = { .xdp = xdp };               \
									  \
		bpf_loop(BENCH_ADDRS, fn, &c, 0);                 \
		bench_sink += c.sum;                              \
		return XDP_PASS;                                  \
	}

BENCH_PROG(bench_floor, one_floor)
BENCH_PROG(bench_plain_lpm, one_plain)
BENCH_PROG(bench_wgsf, one_wgsf)
BENCH_PROG(bench_egress, one_egress)

/* For the end-to-end benchmark: what the tc hook costs with nothing in it. */
SEC("tc")
int bench_tc_empty(struct __sk_buff *skb __attribute__((unused)))
{
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
