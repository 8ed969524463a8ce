// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "attach/iface.h"
#include "check/check.h"
#include "check/vec.h"
#include "device/wireguard.h"
#include "err.h"
#include "tables/policy_text.h"
#include "tracer/tracer.h"

const char *const check_kind_names[CHECK_KINDS] = {
	[CHECK_DUPLICATE_PREFIX] = "duplicate-prefix",
	[CHECK_PEER_LEFT_EMPTY] = "peer-left-empty",
	[CHECK_NO_ALLOWED_IPS] = "no-allowed-ips",
	[CHECK_REPEATED_PEER] = "repeated-peer",
	[CHECK_OWN_KEY] = "own-key",
	[CHECK_NESTED_PREFIX] = "nested-prefix",
	[CHECK_CATCH_ALL] = "catch-all",
	[CHECK_HOST_BITS] = "host-bits",
	[CHECK_NOT_ROUTED] = "not-routed",
	[CHECK_REJECTED_SOURCE] = "rejected-source",
	[CHECK_POLICY_INEFFECTIVE] = "policy-ineffective",
};

const char *const check_severity_names[CHECK_SEVERITIES] = {
	[CHECK_INFO] = "info",
	[CHECK_WARNING] = "warning",
	[CHECK_ERROR] = "error",
};

static void finding_free(struct finding *f)
{
	free(f->items);
	free(f->others);
	free(f->rest);
}

struct seen {
	const uint8_t *key;
	size_t at;
};

/* Keys point into one device's peers: one peer, one pointer. */
static int by_key(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	if (x->key != y->key)
		return (uintptr_t)x->key < (uintptr_t)y->key ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

static int by_at(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

/* f->others from f->items. */
static int others(struct finding *f)
{
	struct seen *s;
	size_t i, n = 0;

	if (!f->n_items)
		return 0;
	s = malloc(f->n_items * sizeof(*s));
	f->others = malloc(f->n_items * sizeof(*f->others));
	if (!s || !f->others) {
		free(s);
		return -ENOMEM;
	}
	for (i = 0; i < f->n_items; i++)
		s[i] = (struct seen){ f->items[i].key, i };
	sort_array(s, f->n_items, sizeof(*s), by_key);
	for (i = 0; i < f->n_items; i++)
		if (s[i].key != f->key && (!i || s[i].key != s[i - 1].key))
			s[n++] = s[i];
	sort_array(s, n, sizeof(*s), by_at);
	for (i = 0; i < n; i++)
		f->others[i] = s[i].key;
	f->n_others = n;
	free(s);
	return 0;
}

/* Takes f's arrays along, or frees them on error. */
int check_finding(struct check_report *r, struct finding *f)
{
	int err = others(f) ?: vec_room(&r->findings, r->n_findings, &r->cap_findings, sizeof(*f));

	if (err) {
		finding_free(f);
		return err;
	}
	r->findings[r->n_findings++] = *f;
	r->count[f->severity]++;
	return 0;
}

static int key_cmp(const uint8_t *a, const uint8_t *b)
{
	if (!a || !b)
		return !!a - !!b;
	return memcmp(a, b, WG_KEY_LEN);
}

/* The most severe first, then in file order, so that a test can hold the
 * output to an exact text. */
static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = prefix_cmp(&x->prefix, &y->prefix);
	return c ?: key_cmp(x->key, y->key);
}

static int entry_cmp(const void *a, const void *b)
{
	return prefix_cmp(&((const struct check_entry *)a)->prefix,
			  &((const struct check_entry *)b)->prefix);
}

/* r->table from the live device, and its peers without allowed IPs. */
static int live_table(struct check_report *r)
{
	struct check_entry e = {};
	size_t i, j, cap = 0;
	int err = 0;

	for (i = 0; i < r->dev->n_peers && !err; i++) {
		const struct wg_peer *p = &r->dev->peers[i];

		if (!p->n_allowedips)
			err = check_finding(r, &(struct finding){ .kind = CHECK_NO_ALLOWED_IPS,
								  .severity = CHECK_WARNING,
								  .key = p->public_key });
		for (j = 0; j < p->n_allowedips && !err; j++) {
			e.prefix = p->allowedips[j];
			e.peer = i;
			err = vec_room(&r->table, r->n_table, &cap, sizeof(e));
			if (!err)
				r->table[r->n_table++] = e;
		}
	}
	if (!err && r->n_table)
		sort_array(r->table, r->n_table, sizeof(*r->table), entry_cmp);
	return err;
}

struct rule_ctx {
	struct check_report *r;
	int err;
};

static void ineffective_rule(const struct peer_rules *rule, const struct prefix *src,
			     unsigned int line, void *ctx)
{
	struct rule_ctx *c = ctx;
	struct finding f = { .kind = CHECK_POLICY_INEFFECTIVE, .severity = CHECK_WARNING,
			     .key = rule->public_key, .line = line };

	if (src)
		f.prefix = *src;
	c->err = c->err ?: check_finding(c->r, &f);
}

/* policy-ineffective: the rules of the policy in force, when wgsf is
 * attached with one, that cannot act on the device as it is now. */
static int check_policy(struct check_report *r, const char *ifname)
{
	char msg[POLICY_ERR_LEN];
	struct iface_pins pins;
	struct rule_ctx c = { r, 0 };
	int err = iface_open(ifname, &pins);

	if (err == -ENOENT) {
		wgsf_clear_error();
		return 0;
	}
	if (err)
		return err;
	err = policy_text_policy(pins.maps.fd[MAP_POLICY_TEXT], &pins.cfg, &r->policy, msg);
	if (err)
		wgsf_set_error("%s", msg);
	else
		memcpy(r->policy_file, pins.cfg.policy, sizeof(r->policy_file));
	iface_close(&pins);
	if (!err)
		policy_ineffective(&r->policy, r->dev, ineffective_rule, &c);
	return err ?: c.err;
}

static const uint8_t *key_in(const struct wg_device *dev, const uint8_t *key)
{
	const struct wg_peer *p = device_find_peer(dev, key);

	return p ? p->public_key : NULL;
}

static struct prefix host_of(const struct wgsf_addr *a)
{
	struct prefix p = { .family = a->version == 4 ? AF_INET : AF_INET6 };

	p.cidr = prefix_bits(p.family);
	memcpy(p.addr, a->addr, a->version == 4 ? 4 : 16);
	return p;
}

/* rejected-source: where wgsf is attached and sees WireGuard's own drops,
 * each peer's that WireGuard rejected, by the last source it sent from. */
static int check_rejected(struct check_report *r, const char *ifname)
{
	struct tracer_view v = {};
	struct iface_pins pins;
	struct finding f;
	size_t i;
	int err = iface_open(ifname, &pins);

	if (err) {
		wgsf_clear_error();
		return err == -ENOENT ? 0 : err;
	}
	if (pins.hook != HOOK_RECREATED && pins.cfg.attachment.ifindex)
		tracer_read(pins.cfg.attachment.ifindex, &v);
	iface_close(&pins);
	for (i = 0; !err && i < v.n_peers; i++) {
		const struct wgsf_rejected *x = &v.peers[i].rejected;

		f = (struct finding){ .kind = CHECK_REJECTED_SOURCE, .severity = CHECK_WARNING,
				      .key = key_in(r->dev, v.peers[i].public_key),
				      .prefix = host_of(&x->last_src), .dest = host_of(&x->last_dst),
				      .rejected_packets = x->packets, .last_rejected_ns = x->last_ns,
				      .owner = x->last_has_owner ? key_in(r->dev, x->last_owner) : NULL };
		/* a sender gone from WireGuard since needs no fix */
		if (f.key && x->packets)
			err = check_finding(r, &f);
	}
	tracer_view_free(&v);
	return err;
}

static void report_init(struct check_report *r, const char *source, bool live)
{
	memset(r, 0, sizeof(*r));
	r->live = live;
	r->policy.mode = -1;
	snprintf(r->source, sizeof(r->source), "%s", source);
}

static void report_sort(struct check_report *r)
{
	if (r->n_findings)
		sort_array(r->findings, r->n_findings, sizeof(*r->findings), finding_cmp);
}

/* The findings of the config in r->conf, named name */
static int check_conf(const char *name, struct check_report *r, char err[WGCONF_ERR_LEN])
{
	int e = check_config(r) ?: check_overlaps(r) ?: check_routes(r);

	if (e) {
		snprintf(err, WGCONF_ERR_LEN, "%s: %s", name, strerror(-e));
		check_report_free(r);
		return e;
	}
	report_sort(r);
	return 0;
}

int check_file(const char *path, struct check_report *r, char err[WGCONF_ERR_LEN])
{
	report_init(r, path, false);
	return wgconf_read(path, &r->conf, err) ?: check_conf(path, r, err);
}

int check_text(const char *name, const char *text, size_t size, struct check_report *r,
	       char err[WGCONF_ERR_LEN])
{
	report_init(r, name, false);
	return wgconf_parse(name, text, size, &r->conf, err) ?: check_conf(name, r, err);
}

int check_iface(const char *ifname, struct check_report *r)
{
	int err;

	wgsf_clear_error();
	report_init(r, ifname, true);
	err = wg_read_device(ifname, &r->dev);
	if (err) {
		wgsf_set_error("%s", wg_strerror(err));
		return err;
	}
	device_canonicalise(r->dev);
	err = live_table(r) ?: check_overlaps(r) ?: check_routes(r) ?: check_policy(r, ifname) ?:
	      check_rejected(r, ifname);
	if (err) {
		check_report_free(r);
		return err;
	}
	report_sort(r);
	return 0;
}

void check_report_free(struct check_report *r)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		finding_free(&r->findings[i]);
	free(r->findings);
	device_free(r->dev);
	free(r->table);
	wgconf_free(&r->conf);
	free(r->listed);
	free(r->listed_at);
	policy_free(&r->policy);
	memset(r, 0, sizeof(*r));
}
