// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "vec.h"
#include "tables/services.h"

int svc_entry_cmp(const void *a, const void *b)
{
	const struct svc_entry *x = a, *y = b;

	if (x->set != y->set)
		return x->set < y->set ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->plen == y->plen ? 0 : x->plen < y->plen ? -1 : 1;
}

static int item_cmp(const void *a, const void *b)
{
	const struct svc_item *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi == y->hi ? 0 : x->hi < y->hi ? -1 : 1;
}

/* ICMP and ICMPv6 items hold types (0 to 255), the rest ports. */
static bool typed(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static bool every(const struct svc_item *it)
{
	return it->lo == 0 && it->hi >= (typed(it->proto) ? 255 : 65535);
}

static int push(struct svc_entry **v, size_t *n, size_t *cap, const struct svc_entry *e)
{
	int err = vec_room(v, *n, cap, sizeof(**v));

	if (!err)
		(*v)[(*n)++] = *e;
	return err;
}

/* [lo, hi] as aligned blocks of 2^k values, each one trie entry: types
 * are the high byte of the port field. */
static int blocks(uint8_t proto, uint32_t lo, uint32_t hi, struct svc_entry **v, size_t *n,
		  size_t *cap)
{
	unsigned int bits = typed(proto) ? 8 : 16, shift = 16 - bits, k;
	int err = 0;

	while (lo <= hi && !err) {
		for (k = 0; k < bits && !(lo & (1u << k)) && lo + (2u << k) - 1 <= hi; k++)
			;
		err = push(v, n, cap,
			   &(struct svc_entry){ .proto = proto, .kind = WGSF_SVC_PORT,
						.port = lo << shift, .plen = WGSF_SVC_BITS - shift - k });
		lo += 1u << k;
	}
	return err;
}

/* The entries of the items of one protocol, it[0..n), sorted by range. */
static int encode_proto(const struct svc_item *it, size_t n, struct svc_entry **v, size_t *nv,
			size_t *cap)
{
	struct svc_entry named = { .proto = it->proto, .kind = WGSF_SVC_NAMED,
				   .plen = WGSF_SVC_KIND_BITS };
	uint32_t lo, hi;
	size_t i;
	int err = 0;

	for (i = 0; i < n; i++)
		if (every(&it[i]))
			return push(v, nv, cap,
				    &(struct svc_entry){ .proto = it->proto,
							 .plen = WGSF_SVC_PROTO_BITS });
	for (i = 0; i < n && !err;) {
		lo = it[i].lo;
		hi = it[i].hi;
		/* overlapping and adjacent ranges as one */
		for (i++; i < n && it[i].lo <= hi + 1; i++)
			hi = it[i].hi > hi ? it[i].hi : hi;
		err = blocks(it->proto, lo, hi, v, nv, cap);
	}
	return err ?: push(v, nv, cap, &named);
}

int svc_encode(const struct svc_item *items, size_t n_items, struct svc_entry **v, size_t *n,
	       size_t *cap, bool *any)
{
	struct svc_item *it;
	size_t i, j, first = *n;
	int err = 0;

	*any = false;
	for (i = 0; i < n_items; i++)
		if (items[i].any) {
			*any = true;
			return 0;
		}
	it = malloc((n_items + 1) * sizeof(*it));
	if (!it)
		return -ENOMEM;
	memcpy(it, items, n_items * sizeof(*it));
	sort_array(it, n_items, sizeof(*it), item_cmp);
	for (i = 0; i < n_items && !err; i = j) {
		for (j = i + 1; j < n_items && it[j].proto == it[i].proto; j++)
			;
		err = encode_proto(&it[i], j - i, v, n, cap);
	}
	free(it);
	if (!err)
		sort_array(*v + first, *n - first, sizeof(**v), svc_entry_cmp);
	return err;
}

int svc_read(const struct maps *m, struct svc_entry **out, size_t *n)
{
	struct svc_entry *v = NULL;
	struct map_entries e;
	size_t i, cap = 0;
	int err = map_read_all(m->fd[MAP_SERVICES], &e);

	*n = 0;
	for (i = 0; !err && i < e.n; i++) {
		const struct wgsf_svc_key *k = (const void *)((char *)e.keys + i * e.key_size);

		err = push(&v, n, &cap,
			   &(struct svc_entry){ .set = ntohl(k->set), .proto = k->proto,
						.kind = k->kind, .port = ntohs(k->port),
						.plen = k->prefixlen });
	}
	map_entries_free(&e);
	if (err) {
		free(v);
		return err;
	}
	sort_array(v, *n, sizeof(*v), svc_entry_cmp);
	*out = v;
	return 0;
}

static struct wgsf_svc_key key_of(const struct svc_entry *e)
{
	return (struct wgsf_svc_key){ .prefixlen = e->plen, .set = htonl(e->set),
				      .proto = e->proto, .kind = e->kind,
				      .port = htons(e->port) };
}

int svc_write(const struct maps *m, const struct svc_entry *e)
{
	struct wgsf_svc_key k = key_of(e);
	uint32_t one = 1;

	if (!bpf_map_update_elem(m->fd[MAP_SERVICES], &k, &one, BPF_ANY))
		return 0;
	return errno == E2BIG ? -ENOSPC : -errno;
}

int svc_delete(const struct maps *m, const struct svc_entry *e)
{
	struct wgsf_svc_key k = key_of(e);

	return bpf_map_delete_elem(m->fd[MAP_SERVICES], &k) && errno != ENOENT ? -errno : 0;
}

const char *svc_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	}
	return NULL;
}

/* Appends to buf (size bytes, len used) what fmt says, cut to fit. */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t size, size_t *len,
							const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + n < size ? *len + n : size - 1;
}

/* One protocol's entries, v[0..n), as "tcp/22,443-445", "icmp/0,8". */
static void format_proto(const struct svc_entry *v, size_t n, char *buf, size_t size,
			 size_t *len)
{
	unsigned int shift = typed(v->proto) ? 8 : 0, lo, hi, t;
	const char *name = svc_proto_name(v->proto);
	char sep = '/';
	size_t i;

	if (v->plen == WGSF_SVC_PROTO_BITS) {
		if (name && typed(v->proto))
			append(buf, size, len, "%s", name);
		else
			append(buf, size, len, "proto/%u", v->proto);
		return;
	}
	append(buf, size, len, "%s", name ?: "proto");
	for (i = 0; i < n && v[i].kind == WGSF_SVC_PORT; sep = ',') {
		lo = v[i].port >> shift;
		hi = lo + (1u << (WGSF_SVC_BITS - v[i].plen - shift)) - 1;
		/* the blocks of one range follow each other */
		for (i++; i < n && v[i].kind == WGSF_SVC_PORT && (unsigned int)(v[i].port >> shift) == hi + 1; i++)
			hi += 1u << (WGSF_SVC_BITS - v[i].plen - shift);
		if (typed(v->proto)) /* types are listed, one by one */
			for (t = lo; t <= hi; t++, sep = ',')
				append(buf, size, len, "%c%u", sep, t);
		else if (hi != lo)
			append(buf, size, len, "%c%u-%u", sep, lo, hi);
		else
			append(buf, size, len, "%c%u", sep, lo);
	}
}

void svc_format(const struct svc_entry *v, size_t n, char *buf, size_t size)
{
	size_t i, j, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j].proto == v[i].proto; j++)
			;
		if (len)
			append(buf, size, &len, " ");
		format_proto(&v[i], j - i, buf, size, &len);
	}
}
