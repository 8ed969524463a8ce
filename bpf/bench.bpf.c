// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-packet cost of the datapath, for `make bench`. Each program runs
 * once per BPF_PROG_TEST_RUN over BENCH_ADDRS source addresses: it writes
 * the next address into the packet and hands the packet to its variant.
 * BPF_PROG_TEST_RUN's own repeat would look one address up again and
 * again, always in cache; a gateway's packets come from all over its table.
 *
 * One packet after another: each packet's address is taken only once the
 * last packet's work is done, as on a gateway, where the stack's own work
 * between two packets leaves nothing of the last one in flight. Back to
 * back (bench_back_to_back, for a comparison), the processor overlaps one
 * packet's misses with the next's while both fit its window of
 * instructions: measured that way, 60 instructions that do nothing, added
 * to a packet, cost as much as a line from memory.
 *
 * Variants: the floor (the same loop, no lookup), a plain LPM_TRIE lookup
 * of every prefix (the baseline), and classify(), the datapath itself, on
 * the maps of datapath.bpf.h. Egress:
 * the program on the interface's egress, record_outgoing(), each address
 * written as the destination, a peer the packet goes to. bench_tc_empty is the floor of a real hook.
 *
 * Flow records, on objects loaded with flows on and off alike: in the mix,
 * 15 packets in 16 belong to BENCH_HOT_FLOWS flows that keep coming (the
 * first BENCH_HOT_FLOWS sources, each from a source port of its own) and
 * the 16th starts a flow (a source from all over the table, to a
 * destination never used before); in new, every packet starts a flow.
 */
#define WGSF_CTX struct xdp_md
#define WGSF_LOAD_BYTES(ctx, off, to, len) bpf_xdp_load_bytes(ctx, off, to, len)
#include "datapath.bpf.h"

#define BENCH_ADDRS 65536 /* a power of 2, as the index mask needs */
#define BENCH_HOT_FLOWS 8192 /* as well; half of WGSF_FLOWREC_DEFAULT */
#define BENCH_NEW_EVERY 16

/* Filled by the benchmark through the mmapped .bss before each run. */
__u8 bench_addrs[BENCH_ADDRS][16];
/* Set by the benchmark, through the mmapped .bss, in an object whose runs
 * take the packets back to back. */
__u32 bench_back_to_back;
/* Sum of the variants' answers: a result the compiler cannot drop. */
__u64 bench_sink;
/* The last destination a new flow went to (in its last 4 bytes). */
__u32 bench_flow_seq;

PREFIX_MAP(LPM_TRIE, plain4, struct wgsf_lpm4_key);
PREFIX_MAP(LPM_TRIE, plain6, struct wgsf_lpm6_key);
enum variant { FLOOR, PLAIN_LPM, WGSF, EGRESS, FLOWS_MIX, FLOWS_NEW };
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

/* Packet i's flow: a hot one's source port, or a new one's destination. */
static __always_inline int flow_mark(void *data, void *data_end, __u8 *dst, __u32 len,
				     __u16 port, __u32 seq)
{
	__u8 *udp = (__u8 *)data + (len == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));

	if ((void *)(udp + 2) > data_end)
		return -1;
	udp[0] = port >> 8;
	udp[1] = port;
	if (len == 4)
		__builtin_memcpy(dst, &seq, 4);
	else
		__builtin_memcpy(dst + 12, &seq, 4);
	return 0;
}

/*
 * classify() for the flows' variants, verified once as a function of its
 * own (a global one): inlined into the loop's callback with flows on, it
 * takes the verifier past its limit of instructions. The call is in both
 * the flows-off and the flows-on runs of these variants.
 */
__attribute__((noinline)) int bench_classify(struct xdp_md *xdp)
{
	void *data = (void *)(long)xdp->data;
	void *data_end = (void *)(long)xdp->data_end;

	return classify(xdp, data, data_end, data_end - data, &one_packet);
}

static __always_inline long one(__u32 i, struct loop_ctx *c, enum variant v)
{
	void *data = (void *)(long)c->xdp->data;
	void *data_end = (void *)(long)c->xdp->data_end;
	int fresh = v == FLOWS_NEW ||
		    (v == FLOWS_MIX && i % BENCH_NEW_EVERY == BENCH_NEW_EVERY - 1);
	int hot = v == FLOWS_MIX && !fresh;
	const __u8 *addr;
	__u8 *src;
	__u32 len;

	/* The clock's read waits for every instruction before it (x86's
	 * rdtsc_ordered() here), and the address depends on what it
	 * read (a zero, which the processor cannot know in advance). */
	if (!bench_back_to_back)
		i += bpf_ktime_get_ns() >> 63;
	addr = bench_addrs[i & (hot ? BENCH_HOT_FLOWS - 1 : BENCH_ADDRS - 1)];

	src = source_of(data, data_end, &len);
	if (!src)
		return 1;
	if ((hot || fresh) && flow_mark(data, data_end, src + len, len,
					hot ? i & (BENCH_HOT_FLOWS - 1) : 0,
					fresh ? ++bench_flow_seq : 0))
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
		record_outgoing(c->xdp, data, data_end, data_end - data, 0);
	else if (v == WGSF)
		c->sum += classify(c->xdp, data, data_end, data_end - data, &one_packet);
	else if (v != FLOOR)
		c->sum += bench_classify(c->xdp);
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

static long one_flows_mix(__u32 i, void *c)
{
	return one(i, c, FLOWS_MIX);
}

static long one_flows_new(__u32 i, void *c)
{
	return one(i, c, FLOWS_NEW);
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
BENCH_PROG(bench_flows_mix, one_flows_mix)
BENCH_PROG(bench_flows_new, one_flows_new)

/* For the end-to-end benchmark: what the tc hook costs with nothing in it. */
SEC("tc")
int bench_tc_empty(struct __sk_buff *skb __attribute__((unused)))
{
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
