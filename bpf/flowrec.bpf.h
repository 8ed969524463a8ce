/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow records (see wgsf.h): every packet of a peer's counted in its flow.
 * Off unless flowrec_size, a load-time constant, says how many places
 * there are: then the verifier drops all of this from the program.
 *
 * Part of datapath.bpf.h, after events.bpf.h, whose ring and lease it
 * shares: a flow pushed out of the table is written there as it ends.
 */
#ifndef WGSF_FLOWREC_BPF_H
#define WGSF_FLOWREC_BPF_H

/* Sized at load where flows are on (the loader adds the slack). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct wgsf_flowrec_key);
	__type(value, struct wgsf_flowrec);
} flowrec SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wgsf_flowrec_key);
} flowrec_order SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wgsf_flowrec_hand);
} flowrec_hand SEC(".maps");

/* flowrec_order's places; 0: flows are off */
const volatile __u32 flowrec_size = 0;

static __always_inline void flowrec_key_of(struct wgsf_flowrec_key *k, const struct packet *p,
					   const struct wgsf_l4 *l4)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->version = p->version;
	UPPER_STORE(k, l4);
	if (p->version == 4) {
		__builtin_memcpy(k->src, p->src, 4);
		__builtin_memcpy(k->dst, p->dst, 4);
	} else {
		__builtin_memcpy(k->src, p->src, 16);
		__builtin_memcpy(k->dst, p->dst, 16);
	}
}

static __always_inline void dev_count(__u32 field_off, __u64 n)
{
	__u32 zero = 0;
	struct wgsf_dev_stats *ds = bpf_map_lookup_elem(&dev_stats, &zero);

	if (ds)
		*(__u64 *)((char *)ds + field_off) += n;
}

#define DEV_COUNT(field, n) dev_count(__builtin_offsetof(struct wgsf_dev_stats, field), n)

/* A flow pushed out, in the ring while a reader is there. */
static __always_inline void flowrec_evicted(const struct wgsf_flowrec_key *k,
					    const struct wgsf_flowrec *f, __u64 now)
{
	__u32 zero = 0;
	__u64 *until = bpf_map_lookup_elem(&event_reader, &zero);
	struct wgsf_flow_end *e;

	DEV_COUNT(flowrec_evicted, 1);
	if (!until || *until < now)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		DEV_COUNT(flowrec_end_lost, 1);
		return;
	}
	e->time_ns = bpf_ktime_get_ns();
	e->why = WGSF_FLOW_END_EVICTED;
	e->key = *k;
	e->rec = *f;
	bpf_ringbuf_submit(e, 0);
}

/* The next place under the hand. */
static __always_inline __u32 hand_turn(struct wgsf_flowrec_hand *h)
{
	__u32 pos;

	bpf_spin_lock(&h->lock);
	pos = h->next < flowrec_size ? h->next : 0;
	h->next = pos + 1;
	bpf_spin_unlock(&h->lock);
	return pos;
}

/*
 * One place under the hand for a new flow: 1 where the flow takes it
 * (*pos, *at): a place free, one whose flow went (removed by the reader,
 * or placed anew elsewhere: its pos says where it is), or one whose flow
 * had no hit since the hand last passed, which is evicted, as it is on
 * the last place the hand looks at (last) whatever it holds; 0 where the
 * hand moves on, clearing the hit; -1 where the maps are not there.
 */
static __always_inline int flowrec_try(struct wgsf_flowrec_hand *h, __u64 now, int last,
				       __u32 *pos, struct wgsf_flowrec_key **at)
{
	struct wgsf_flowrec *old, rec;

	*pos = hand_turn(h);
	*at = bpf_map_lookup_elem(&flowrec_order, pos);
	if (!*at)
		return -1;
	if (!(*at)->version)
		return 1;
	old = bpf_map_lookup_elem(&flowrec, *at);
	if (!old || old->pos != *pos)
		return 1;
	if (old->hit && !last) {
		old->hit = 0;
		return 0;
	}
	/* a reader that takes it out as idle at once (a delete too) prints
	 * its end instead: the delete that succeeds tells */
	rec = *old;
	if (!bpf_map_delete_elem(&flowrec, *at))
		flowrec_evicted(*at, &rec, now);
	return 1;
}

_Static_assert(WGSF_FLOWREC_CHANCES == 4, "flowrec_place() looks at 4 places");

/*
 * The place for a new flow k, after up to WGSF_FLOWREC_CHANCES places
 * under the hand; -1 where the maps are not there. Written out, not a
 * loop: a loop that the compiler leaves rolled has a back-edge that
 * Linux 6.1's verifier refuses.
 */
static __always_inline long flowrec_place(const struct wgsf_flowrec_key *k, __u64 now)
{
	struct wgsf_flowrec_key *at = NULL;
	struct wgsf_flowrec_hand *h;
	__u32 zero = 0, pos = 0;
	int r;

	h = bpf_map_lookup_elem(&flowrec_hand, &zero);
	if (!h)
		return -1;
	r = flowrec_try(h, now, 0, &pos, &at);
	r = r ?: flowrec_try(h, now, 0, &pos, &at);
	r = r ?: flowrec_try(h, now, 0, &pos, &at);
	r = r ?: flowrec_try(h, now, 1, &pos, &at);
	if (r < 0 || !at)
		return -1;
	*at = *k;
	return pos;
}

static __always_inline void flowrec_add(struct wgsf_flowrec *f, __u64 packets, __u64 bytes,
					__u64 now)
{
	__sync_fetch_and_add(&f->packets, packets);
	__sync_fetch_and_add(&f->bytes, bytes);
	f->last_ns = now;
	if (!f->hit)
		f->hit = 1;
}

/* The flow of a packet, whoever sent it (NULL: none yet); asked before the
 * sender is known, so that its lines come from memory beside the sender's. */
static __always_inline struct wgsf_flowrec *flowrec_of(const struct packet *p,
							const struct wgsf_l4 *l4)
{
	struct wgsf_flowrec_key k;

	flowrec_key_of(&k, p, l4);
	return bpf_map_lookup_elem(&flowrec, &k);
}

/* f, of key k, where its source has moved to another peer: ended, by the
 * one delete that succeeds, as a newer flow takes its place. */
static __always_inline void flowrec_moved(const struct wgsf_flowrec_key *k,
					  const struct wgsf_flowrec *f, __u64 now)
{
	struct wgsf_flowrec rec = *f;

	if (!bpf_map_delete_elem(&flowrec, k))
		flowrec_evicted(k, &rec, now);
}

/* A packet of slot's (packets packets, bytes bytes) counted in its flow f
 * (flowrec_of()'s), which it starts where it is not slot's. */
static __always_inline void flowrec_count(__u32 slot, const struct packet *p,
					  const struct wgsf_l4 *l4, struct wgsf_flowrec *f,
					  __u64 packets, __u64 bytes, __u64 now)
{
	struct wgsf_flowrec_key k;
	struct wgsf_flowrec n = {};
	long pos;

	if (f && f->slot == slot) {
		flowrec_add(f, packets, bytes, now);
		return;
	}
	flowrec_key_of(&k, p, l4);
	if (f)
		flowrec_moved(&k, f, now);
	pos = flowrec_place(&k, now);
	if (pos < 0)
		return;
	n = (struct wgsf_flowrec){ .packets = packets, .bytes = bytes, .first_ns = now,
				   .last_ns = now, .pos = pos, .slot = slot };
	if (!bpf_map_update_elem(&flowrec, &k, &n, BPF_NOEXIST))
		return;
	/* another CPU started it meanwhile (the place taken here stays
	 * empty: the flow's pos is the other's), or the table is full */
	f = bpf_map_lookup_elem(&flowrec, &k);
	if (f && f->slot == slot)
		flowrec_add(f, packets, bytes, now);
	else
		DEV_COUNT(flowrec_untracked, packets);
}

#endif
