// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "sort.h"
#include "attach/iface.h"
#include "check/live.h"
#include "check/overlaps.h"
#include "check/route.h"
#include "check/rules.h"
#include "vec.h"
#include "device/wireguard.h"
#include "err.h"
#include "tables/policy_text.h"
#include "tracer/tracer.h"

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

static void ineffective_rule(const struct policy_warning *w, void *ctx)
{
	struct rule_ctx *c = ctx;
	struct finding f = { .kind = CHECK_POLICY_INEFFECTIVE, .line = w->line };

	/* an empty group is the policy's own matter, which attach warns of */
	if (w->kind == POLICY_EMPTY_GROUP)
		return;
	f.key = w->peer->public_key;
	if (w->src)
		f.prefix = *w->src;
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

		f = (struct finding){ .kind = CHECK_REJECTED_SOURCE,
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

int check_iface(const char *ifname, struct check_report *r)
{
	int err;

	wgsf_clear_error();
	check_report_init(r, ifname, true);
	err = wg_read_device(ifname, &r->dev);
	if (err) {
		wgsf_set_error("%s", wg_strerror(err));
		return err;
	}
	device_canonicalise(r->dev);
	err = live_table(r) ?: check_overlaps(r) ?: check_live_routes(r) ?: check_policy(r, ifname) ?:
	      check_policy_rules(r) ?:
	      check_rejected(r, ifname);
	if (err) {
		check_report_free(r);
		return err;
	}
	return 0;
}
