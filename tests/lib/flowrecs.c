// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "flowrecs.h"
#include "l4packet.h"
#include "tap.h"
#include "wgsf_verdict.h"

#define FRAG_UNITS 185 /* a fragment's offset, in 8 bytes: 1480 */

void span_open(struct span *t)
{
	t->since = world_coarse_ns();
	t->until = 0;
}

void span_close(struct span *t)
{
	t->until = world_now_ns();
}

bool flows_load(struct world *w, uint32_t size, const struct world_peer *ps, size_t n)
{
	memset(w, 0, sizeof(*w));
	return !world_load_with(w, ps, n, &(struct world_opts){ .flows = size });
}

static bool is_v6(const struct flow_spec *f)
{
	return strchr(f->src, ':') != NULL;
}

static uint8_t proto_of(const struct flow_spec *f)
{
	return f->proto == IPPROTO_ICMP && is_v6(f) ? IPPROTO_ICMPV6 : f->proto;
}

static uint8_t echo_request(const struct flow_spec *f)
{
	return is_v6(f) ? 128 : 8;
}

size_t flow_packet(uint8_t *ip, const struct flow_spec *f, size_t payload)
{
	static const uint8_t zeros[FLOW_PAYLOAD_MAX];
	struct l4_spec s = { .proto = proto_of(f), .sport = f->sport, .dport = f->dport,
			     .payload = zeros, .payload_len = payload };
	size_t len;

	if (payload > sizeof(zeros) || l4_spec_addrs(&s, f->src, f->dst))
		return 0;
	if (f->proto == IPPROTO_ICMP)
		s.flags = echo_request(f);
	else if (f->proto == IPPROTO_TCP)
		s.flags = TCP_FLAG_ACK;
	len = l4_packet(ip, FLOW_ROOM, &s);
	return len && f->fragment ? l4_fragment(ip, len, FLOW_ROOM, FRAG_UNITS) : len;
}

struct wgsf_flowrec_key flow_key(const struct flow_spec *f)
{
	struct wgsf_flowrec_key k;
	struct prefix src, dst;
	size_t alen = is_v6(f) ? 16 : 4;

	memset(&k, 0, sizeof(k));
	k.version = is_v6(f) ? 6 : 4;
	k.proto = proto_of(f);
	if (f->fragment) {
		k.l4_flags = WGSF_L4_FRAGMENT;
	} else if (f->proto == IPPROTO_ICMP) {
		k.icmp_type = echo_request(f);
	} else {
		k.sport = f->sport;
		k.dport = f->dport;
	}
	if (!addr_parse(f->src, &src) && !addr_parse(f->dst, &dst)) {
		memcpy(k.src, src.addr, alen);
		memcpy(k.dst, dst.addr, alen);
	}
	return k;
}

unsigned int flow_send(int prog, const struct flow_spec *f, unsigned int n, int64_t want)
{
	uint8_t ip[FLOW_ROOM];
	size_t len = flow_packet(ip, f, 0);
	unsigned int i, wrong = 0;
	int64_t rc;

	for (i = 0; i < n; i++) {
		rc = world_run_ip(prog, ip, len, NULL);
		if (rc != want && !wrong++)
			diag("  %s > %s proto %u port %u: returned %lld, want %lld", f->src, f->dst,
			     f->proto, f->dport, (long long)rc, (long long)want);
	}
	return wrong;
}

size_t flows_in(const struct world *w, uint32_t slot, uint64_t *packets, uint64_t *bytes)
{
	struct wgsf_flowrec_key k, next;
	struct wgsf_flowrec rec;
	void *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(w->maps.fd[MAP_FLOWREC], prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(w->maps.fd[MAP_FLOWREC], &k, &rec) ||
		    (slot != UINT32_MAX && rec.slot != slot))
			continue;
		n++;
		if (packets) {
			*packets += rec.packets;
			*bytes += rec.bytes;
		}
	}
	return n;
}

/* Whether got is want, its times within t; want takes them where they are. */
static bool rec_is(const struct wgsf_flowrec *got, struct wgsf_flowrec *want,
		   const struct span *t)
{
	if (got->first_ns >= t->since && got->first_ns <= got->last_ns &&
	    got->last_ns <= t->until) {
		want->first_ns = got->first_ns;
		want->last_ns = got->last_ns;
	}
	if (!memcmp(got, want, sizeof(*got)))
		return true;
	diag("  got packets %llu bytes %llu pos %u hit %u slot %u, times %llu..%llu in "
	     "%llu..%llu; want %llu %llu %u %u %u",
	     (unsigned long long)got->packets, (unsigned long long)got->bytes, got->pos, got->hit,
	     got->slot, (unsigned long long)got->first_ns, (unsigned long long)got->last_ns,
	     (unsigned long long)t->since, (unsigned long long)t->until,
	     (unsigned long long)want->packets, (unsigned long long)want->bytes, want->pos,
	     want->hit, want->slot);
	return false;
}

bool flow_is(const struct world *w, const struct wgsf_flowrec_key *k, struct wgsf_flowrec want,
	     const struct span *t)
{
	struct wgsf_flowrec got;

	if (!bpf_map_lookup_elem(w->maps.fd[MAP_FLOWREC], k, &got))
		return rec_is(&got, &want, t);
	diag("  no flow of proto %u, ports %u>%u", k->proto, k->sport, k->dport);
	return false;
}

bool flow_end_is(const struct wgsf_flow_end *e, const struct wgsf_flowrec_key *k,
		 struct wgsf_flowrec rec, const struct span *t)
{
	struct wgsf_flow_end want = { .why = WGSF_FLOW_END_EVICTED, .key = *k };

	if (!rec_is(&e->rec, &rec, t))
		return false;
	want.rec = rec;
	if (e->time_ns >= t->since && e->time_ns <= t->until)
		want.time_ns = e->time_ns;
	if (!memcmp(e, &want, sizeof(want)))
		return true;
	diag("  the record's why %u, key (ports %u>%u) or time %llu is not so", e->why,
	     e->key.sport, e->key.dport, (unsigned long long)e->time_ns);
	return false;
}
