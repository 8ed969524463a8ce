// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "attach/iface.h"
#include "attach/view.h"
#include "tables/datapath.h"
#include "tables/policy_sync.h"
#include "tables/quar_hand.h"

/* The entries of a slot-sorted table that belong to slot, from *pos on. */
static const struct table_entry *slice(const struct table_entry *t, size_t n, size_t *pos,
				       uint32_t slot, size_t *len)
{
	const struct table_entry *start;

	*len = 0;
	if (!t) /* the tables not read */
		return NULL;
	while (*pos < n && t[*pos].slot < slot)
		(*pos)++;
	start = &t[*pos];
	while (*pos < n && t[*pos].slot == slot)
		(*pos)++;
	*len = &t[*pos] - start;
	return start;
}

/* The entries of an owner-sorted table that owner holds (binary search:
 * rulesets are shared, not in slot order). */
static const struct table_entry *owned(const struct table_entry *t, size_t n, uint32_t owner,
				       size_t *len)
{
	size_t lo, end;

	*len = 0;
	if (!t) /* the tables not read */
		return NULL;
	lo = lower_bound_u32(t, n, sizeof(*t), offsetof(struct table_entry, slot), owner);
	for (end = lo; end < n && t[end].slot == owner; end++)
		;
	*len = owner ? end - lo : 0;
	return &t[lo];
}

/* The rate limits, where a peer's flags say it has one (NULL where none
 * has): the map is as large as the peers' arrays, and most interfaces
 * limit no peer. */
static int read_rates(int fd, uint32_t cap, const struct wgsf_peer_policy *policy,
		      struct wgsf_rate_limit **rates)
{
	uint32_t s;

	for (s = 0; s < cap; s++)
		if (policy[s].flags & WGSF_PEER_RATE)
			return map_read_array(fd, cap, (void **)rates);
	return 0;
}

/* Each peer's quarantine entry, from one read of the whole map: most
 * peers have none. */
static int read_quarantine(int fd, struct iface_view *v)
{
	const struct quar_entry *found;
	struct quar_entry *all = NULL;
	size_t i, n = 0;
	int err = quarantine_read_all(fd, &all, &n);

	for (i = 0; !err && i < v->n_peers; i++) {
		found = quarantine_find(all, n, v->peers[i].public_key);
		v->peers[i].has_quarantine = found;
		if (found)
			v->peers[i].quarantine = found->value;
	}
	free(all);
	return err;
}

/* Every slot's counters and policy, a map at a time: a few syscalls for
 * 100,000 peers rather than two per peer. */
static int read_peers(struct iface_view *v)
{
	const int *fd = v->pins.maps.fd;
	uint32_t cap = map_capacity(fd[MAP_PEER_SLOTS]), s;
	struct wgsf_peer_policy *policy = NULL;
	struct wgsf_peer_stats *stats = calloc(cap ?: 1, sizeof(*stats));
	struct wgsf_rate_limit *rates = NULL;
	struct wgsf_slot *slots = NULL;
	size_t t = 0, r = 0;
	int err = stats ? 0 : -ENOMEM;

	err = err ?: slots_read(fd[MAP_PEER_SLOTS], cap, &slots) ?:
		     map_read_array(fd[MAP_PEER_POLICY], cap, (void **)&policy) ?:
		     read_rates(fd[MAP_RATE_LIMIT], cap, policy, &rates) ?:
		     stats_read_peers(&v->pins.maps, cap, stats);
	v->peers = err ? NULL : calloc(cap ?: 1, sizeof(*v->peers));
	if (!err && !v->peers)
		err = -ENOMEM;
	for (s = 0; !err && s < cap; s++) {
		struct peer_view *p = &v->peers[v->n_peers];

		if (!slots[s].in_use)
			continue;
		p->slot = s;
		memcpy(p->public_key, slots[s].public_key, WG_KEY_LEN);
		p->stats = stats[s];
		p->policy = policy[s];
		if (rates && p->policy.flags & WGSF_PEER_RATE)
			p->rate = rates[s];
		p->allowedips = slice(v->table, v->n_table, &t, s, &p->n_allowedips);
		p->rules[0] = slice(v->rules[0], v->n_rules[0], &r, s, &p->n_rules[0]);
		p->rules[1] = owned(v->rules[1], v->n_rules[1], p->policy.ruleset, &p->n_rules[1]);
		v->n_peers++;
	}
	free(slots);
	free(policy);
	free(rates);
	free(stats);
	return err;
}

/*
 * A sender that wgsf's tables lack is counted on the interface only: its
 * own count, and what the tracer counted on the interface alone (its map
 * of senders full). The senders are read after the total, and a packet is
 * counted on its sender first: they may hold more than the total did, never
 * less, so that the total less all senders is that alone, or below 0 while
 * packets come (the total less the known ones went below 0 too, and
 * wrapped round to about 2^64).
 */
static void match_rejected(struct iface_view *v)
{
	uint64_t unknown = 0, all = 0, n;
	size_t i, j;

	for (i = 0; i < v->rejected.n_peers; i++) {
		n = v->rejected.peers[i].rejected.packets;
		all += n;
		for (j = 0; j < v->n_peers; j++)
			if (!memcmp(v->peers[j].public_key, v->rejected.peers[i].public_key,
				    WG_KEY_LEN))
				break;
		if (j < v->n_peers)
			v->peers[j].rejected = &v->rejected.peers[i].rejected;
		else
			unknown += n;
	}
	n = v->rejected.total.packets;
	v->rejected_unknown_packets = unknown + (n > all ? n - all : 0);
}

/* What the tracer counted on the interface, where it follows the one that
 * has the name now; else why it does not. */
static void read_rejected(struct iface_view *v)
{
	bool here = v->pins.hook != HOOK_RECREATED && v->pins.hook != HOOK_GONE;
	int st;

	if (here && v->pins.cfg.attachment.ifindex &&
	    !tracer_read(v->pins.cfg.attachment.ifindex, &v->rejected)) {
		v->rejected_visible = true;
		match_rejected(v);
		return;
	}
	st = tracer_status(v->name, if_nametoindex(v->name), v->rejected_why);
	if (st == TRACER_VISIBLE)
		snprintf(v->rejected_why, sizeof(v->rejected_why),
			 "the tracer does not follow %s yet: run 'wgsf sync %s'", v->name, v->name);
	else if (st < 0)
		snprintf(v->rejected_why, sizeof(v->rejected_why), "%s", strerror(-st));
}

static int read_view(const char *ifname, struct iface_view *v, bool tables)
{
	int err;

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", ifname);
	err = iface_open(ifname, &v->pins);
	if (err)
		return err;
	err = stats_read_dev(v->pins.maps.fd[MAP_DEV_STATS], &v->dev);
	if (!err && tables) {
		err = table_read(&v->pins.maps, &v->table, &v->n_table) ?:
		      policy_table_read(&v->pins.maps, false, &v->rules[0], &v->n_rules[0]) ?:
		      policy_table_read(&v->pins.maps, true, &v->rules[1], &v->n_rules[1]) ?:
		      svc_read(&v->pins.maps, &v->services, &v->n_services);
		if (!err)
			sort_array(v->table, v->n_table, sizeof(*v->table), table_entry_owner_cmp);
	}
	err = err ?: read_peers(v) ?: read_quarantine(v->pins.maps.fd[MAP_QUARANTINE], v);
	if (!err)
		read_rejected(v);
	if (err)
		view_free(v);
	return err;
}

const struct svc_entry *view_services(const struct iface_view *v, uint32_t set, size_t *n)
{
	size_t lo = lower_bound_u32(v->services, v->n_services, sizeof(*v->services),
				    offsetof(struct svc_entry, set), set),
	       end;

	for (end = lo; end < v->n_services && v->services[end].set == set; end++)
		;
	*n = end - lo;
	return v->services ? &v->services[lo] : NULL;
}

int view_read(const char *ifname, struct iface_view *v)
{
	return read_view(ifname, v, true);
}

void view_free(struct iface_view *v)
{
	iface_close(&v->pins);
	free(v->table);
	free(v->rules[0]);
	free(v->rules[1]);
	free(v->services);
	free(v->peers);
	tracer_view_free(&v->rejected);
	memset(v, 0, sizeof(*v));
}

int view_read_all(const char *ifname, bool tables, struct iface_view **views, size_t *n,
		  char failed[IFNAMSIZ])
{
	char(*names)[IFNAMSIZ] = NULL;
	size_t want = 1, i;
	int err = ifname ? 0 : iface_list(&names, &want);

	*n = 0;
	*views = NULL;
	snprintf(failed, IFNAMSIZ, "%s", ifname ?: "");
	if (err)
		return err;
	*views = calloc(want ?: 1, sizeof(**views));
	if (!*views)
		err = -ENOMEM;
	for (i = 0; !err && i < want; i++) {
		snprintf(failed, IFNAMSIZ, "%s", ifname ?: names[i]);
		err = read_view(failed, &(*views)[*n], tables);
		if (!err)
			(*n)++;
		else if (err == -ENOENT && !ifname)
			err = 0;
	}
	free(names);
	if (err) {
		view_free_all(*views, *n);
		*views = NULL;
		*n = 0;
	}
	return err;
}

void view_free_all(struct iface_view *views, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		view_free(&views[i]);
	free(views);
}

const struct peer_view *view_peer(const struct iface_view *v, uint32_t slot,
				  const struct prefix *addr, const struct table_entry **entry)
{
	const struct table_entry *best = NULL;
	size_t i;

	for (i = 0; i < v->n_table; i++)
		if (v->table[i].slot == slot && prefix_contains(&v->table[i].prefix, addr) &&
		    (!best || v->table[i].prefix.cidr > best->prefix.cidr))
			best = &v->table[i];
	*entry = best;
	for (i = 0; i < v->n_peers; i++)
		if (v->peers[i].slot == slot)
			return &v->peers[i];
	return NULL;
}
