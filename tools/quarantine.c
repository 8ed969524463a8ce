// SPDX-License-Identifier: GPL-2.0-only
/* wgsf quarantine and wgsf release: a quarantine by hand, then the sync
 * that sets or clears the peer's bits, under one lock. */
#include <errno.h>
#include <stdio.h>

#include "attach/iface.h"
#include "err.h"
#include "policy/quarantine.h"
#include "quarantine_print.h"
#include "subcommands.h"
#include "tables/quar_hand.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "ui_text.h"

const char quarantine_usage[] = "IFACE PUBLIC_KEY [--for DURATION] [--json]";
const char release_usage[] = "IFACE PUBLIC_KEY [--json]";

/* What the command does to the key's entry, under the lock. */
struct hand {
	const char *ifname;
	uint8_t key[WG_KEY_LEN];
	uint64_t duration_ns; /* 0: until released */
	bool release;
};

static int write_hand(const struct maps *m, const struct wg_device *dev, void *arg)
{
	struct hand *h = arg;
	uint64_t now = quarantine_now();
	char key[WG_KEY_B64_LEN];
	int err;

	key_to_base64(key, h->key);
	if (!device_find_peer(dev, h->key)) {
		wgsf_set_error("%s is not a peer of %s", key, h->ifname);
		return -ESRCH;
	}
	if (!h->release)
		return quarantine_impose(m, h->key, h->duration_ns, now);
	err = quarantine_lift(m, h->key, now);
	if (err == -ENOENT) {
		wgsf_set_error("%s is not in quarantine on %s", key, h->ifname);
		return -ESRCH;
	}
	return err;
}

/* What is in force now, as the map holds it. */
static int print_result(const struct hand *h, const char *shown)
{
	struct wgsf_quarantine q = { 0 };
	char key[WG_KEY_B64_LEN], b[32], d[DURATION_STRLEN];
	struct iface_pins p;
	struct json j = { .f = stdout };
	int err = iface_open(h->ifname, &p);

	if (!err) {
		err = quarantine_read(p.maps.fd[MAP_QUARANTINE], h->key, &q);
		iface_close(&p);
	}
	if (err && err != -ENOENT)
		return ui_error("Unable to read %s's quarantine: %s", shown, ui_reason(err));
	key_to_base64(key, h->key);
	if (ui_json) {
		json_object_begin(&j, NULL);
		json_string(&j, "interface", h->ifname);
		json_string(&j, "public_key", key);
		json_bool(&j, "in_force", quar_now_in_force(&q));
		json_string(&j, "by", quar_by_name(&q));
		if (quar_now_in_force(&q) && quar_until_epoch(&q))
			json_u64(&j, "until", quar_until_epoch(&q));
		else
			json_string(&j, "until", NULL);
		json_object_end(&j);
	} else if (!quar_now_in_force(&q)) {
		printf("%s: released %s\n", shown, key);
	} else if (q.until_ns == WGSF_QUAR_FOREVER) {
		printf("%s: %s quarantined until released\n", shown, key);
	} else {
		duration_format(q.until_ns - q.since_ns, d, sizeof(d));
		printf("%s: quarantined %s until %s (for %s)\n", shown, key,
		       ui_local_time(quar_until_epoch(&q), b), d);
	}
	return 0;
}

/* duration: where --for's value goes, NULL for release */
static int hand_main(const struct ui_command *c, struct hand *h, const char *const *duration,
		     int argc, const char *argv[])
{
	const struct iface_write w = { write_hand, h };
	const char *pos[2];
	char shown[UI_IFNAME_LEN];
	struct iface_result r;
	int err = ui_parse(c, argc, argv, pos) ?: ui_check_ifname(pos[0]);

	if (err)
		return err;
	if (key_from_base64(h->key, pos[1]))
		return ui_usage_error("Invalid public key: '%s'", pos[1]);
	if (duration && *duration && duration_parse(*duration, &h->duration_ns))
		return ui_usage_error("Invalid duration: '%s' (a whole number and a unit, s, m, h "
				      "or d, from 1s to 365d)", *duration);
	err = ui_need_privileges(c->name, c->needs);
	if (err)
		return err;
	h->ifname = pos[0];
	ui_text(h->ifname, shown, sizeof(shown));
	err = iface_sync_after(h->ifname, &w, ui_warn, &r);
	if (err)
		return ui_fail(ui_status(err, true), "Unable to %s on %s: %s", c->name, shown,
			       ui_reason(err));
	return print_result(h, shown);
}

int quarantine_main(int argc, const char *argv[])
{
	const char *duration = NULL;
	const struct ui_opt opts[] = { { "--for", UI_VALUE, &duration } };
	const struct ui_command c = { "quarantine", quarantine_usage, opts, 1, 2, 2,
				      UI_NEEDS_BPF_NET };
	struct hand h = { 0 };

	return hand_main(&c, &h, &duration, argc, argv);
}

int release_main(int argc, const char *argv[])
{
	const struct ui_command c = { "release", release_usage, NULL, 0, 2, 2, UI_NEEDS_BPF_NET };
	struct hand h = { .release = true };

	return hand_main(&c, &h, NULL, argc, argv);
}
