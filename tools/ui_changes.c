// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attach/iface.h"
#include "tables/sync.h"
#include "ui_changes.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_text.h"

void ui_vline(const struct ui_lines *o, const char *fmt, va_list ap)
{
	char line[3 * WGSF_POLICY_PATH_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (ui_json && o->j) {
		json_string(o->j, NULL, line);
	} else if (ui_json) {
		struct json j = { .f = stdout };

		json_object_begin(&j, NULL);
		json_string(&j, "interface", o->name);
		json_string(&j, "message", line);
		json_object_end(&j);
	} else {
		printf("%s: ", o->shown);
		ui_print_text(stdout, line);
		putchar('\n');
	}
}

void ui_line(const struct ui_lines *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vline(o, fmt, ap);
	va_end(ap);
}

void ui_print_changes(const struct sync_result *r)
{
	printf("peers +%zu -%zu, allowed ips +%zu ~%zu -%zu", r->peers_added, r->peers_removed,
	       r->prefixes_added, r->prefixes_changed, r->prefixes_removed);
	if (r->rules_added || r->rules_removed || r->flags_changed)
		printf(", policy rules +%zu -%zu, flags ~%zu", r->rules_added, r->rules_removed,
		       r->flags_changed);
	if (r->limits_changed)
		printf(", rate limits ~%zu", r->limits_changed);
	putchar('\n');
}

void ui_json_changes(struct json *j, const struct sync_result *r)
{
	json_object_begin(j, "changes");
	json_u64(j, "peers_added", r->peers_added);
	json_u64(j, "peers_removed", r->peers_removed);
	json_u64(j, "allowed_ips_added", r->prefixes_added);
	json_u64(j, "allowed_ips_changed", r->prefixes_changed);
	json_u64(j, "allowed_ips_removed", r->prefixes_removed);
	json_u64(j, "policy_rules_added", r->rules_added);
	json_u64(j, "policy_rules_removed", r->rules_removed);
	json_u64(j, "policy_flags_changed", r->flags_changed);
	json_u64(j, "rate_limits_changed", r->limits_changed);
	json_object_end(j);
}

void ui_print_notes(const struct ui_lines *o, const struct iface_result *r)
{
	static const char *const found[] = {
		[HOOK_NONE] = "nothing of wgsf's ran on %s (removed from outside, or an attach "
			      "was interrupted): attached again",
		[HOOK_STALE] = "an interrupted update had left an older program on %s: replaced",
		[HOOK_RECREATED] = "%s was re-created: attached to the new one",
		[HOOK_INGRESS_ONLY] = "nothing of wgsf's ran on %s's egress (removed from "
				      "outside): attached again, so that replies pass again",
		[HOOK_EGRESS_ONLY] = "nothing of wgsf's ran on %s's ingress (removed from "
				     "outside): attached again",
	};

	if (r->found != HOOK_LIVE && r->found < sizeof(found) / sizeof(*found) && found[r->found])
		ui_line(o, found[r->found], o->shown);
	if (r->completed)
		ui_line(o, "completed what an interrupted command had left unfinished");
	if (r->grown)
		ui_line(o, "the maps grew to hold the change");
}

/* Two things change the mode: --mode, and a policy file's Mode line. */
static void print_mode_change(const struct ui_lines *o, const struct iface_result *r)
{
	const char *was = ui_mode(r->was.mode), *now = ui_mode(r->cfg.mode);

	if (r->was.mode == r->cfg.mode)
		return;
	if (r->mode_line)
		ui_line(o, "mode %s -> %s (Mode = %s at %s:%u)", was, now, now, r->cfg.policy,
			r->mode_line);
	else
		ui_line(o, "mode %s -> %s (--mode %s)", was, now, now);
}

/* Another file comes only with --policy; another text, from the same file
 * read again. */
static void print_policy_change(const struct ui_lines *o, const struct iface_result *r)
{
	if (strcmp(r->was.policy, r->cfg.policy))
		ui_line(o, "policy %s -> %s (--policy%s)", ui_policy_name(&r->was),
			ui_policy_name(&r->cfg), r->cfg.policy[0] ? "" : " none");
	else if (r->was.policy_id != r->cfg.policy_id)
		ui_line(o, "policy %s: its new text is in force (the file changed since it was "
			"last read)", ui_policy_name(&r->cfg));
}

/* Only attach's --flows changes the flow records' table: a new one starts
 * empty (carry.h). */
static void print_flows_change(const struct ui_lines *o, const struct iface_result *r)
{
	char was[32] = "off", now[32] = "off";

	if (r->was_flows == r->flows)
		return;
	if (r->was_flows)
		snprintf(was, sizeof(was), "%u flows", r->was_flows);
	if (r->flows)
		snprintf(now, sizeof(now), "%u flows", r->flows);
	ui_line(o, "flow records %s -> %s (--flows%s)%s", was, now, r->flows ? "" : "=off",
		r->was_flows && r->flows ? ": the new table starts empty" : "");
}

/* Automatic quarantines that a policy change ended: their rule went. */
static void print_released(const struct ui_lines *o, const struct sync_result *s)
{
	char key[WG_KEY_B64_LEN];
	size_t i;

	for (i = 0; i < s->released && i < SYNC_RELEASED_SHOWN; i++) {
		key_to_base64(key, s->released_keys[i].public_key);
		ui_line(o, "released %s from quarantine: its Quarantine rule is gone", key);
	}
	if (s->released > SYNC_RELEASED_SHOWN)
		ui_line(o, "released %zu more from quarantine: their Quarantine rule is gone",
			s->released - SYNC_RELEASED_SHOWN);
}

void ui_print_applied(const struct ui_lines *o, const struct iface_result *r)
{
	print_flows_change(o, r);
	print_released(o, &r->sync);
	if (!r->was_attached)
		return;
	/* the policy first: its Mode line may be what changed the mode */
	print_policy_change(o, r);
	print_mode_change(o, r);
	/* The hook is tc, by the best mechanism the kernel has: it changes
	 * only where it is attached anew (WireGuard restarted, an interrupted
	 * command completed), which ui_print_notes says. */
}

void ui_print_rejected_note(const struct ui_lines *o, const struct iface_result *r)
{
	if (!r->rejected_visible)
		ui_line(o, "WireGuard's own rejections are not counted: %s", r->rejected_why);
}
