// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attach/iface.h"
#include "tables/sync.h"
#include "ui_changes.h"
#include "ui_names.h"
#include "ui_text.h"

void ui_print_changes(const struct sync_result *r)
{
	printf("peers +%zu -%zu, allowed ips +%zu ~%zu -%zu", r->peers_added, r->peers_removed,
	       r->prefixes_added, r->prefixes_changed, r->prefixes_removed);
	if (r->rules_added || r->rules_removed || r->flags_changed)
		printf(", policy rules +%zu -%zu, flags ~%zu", r->rules_added, r->rules_removed,
		       r->flags_changed);
	putchar('\n');
}

void ui_print_notes(const char *ifname, const struct iface_result *r)
{
	static const char *const found[] = {
		[HOOK_NONE] = "nothing of wgsf's ran on %s (removed from outside, or an attach "
			      "was interrupted): attached again\n",
		[HOOK_STALE] = "an interrupted update had left an older program on %s: replaced\n",
		[HOOK_RECREATED] = "%s was re-created: attached to the new one\n",
	};

	if (r->found != HOOK_LIVE && r->found < sizeof(found) / sizeof(*found) && found[r->found]) {
		printf("%s: ", ifname);
		printf(found[r->found], ifname);
	}
	if (r->completed)
		printf("%s: completed what an interrupted command had left unfinished\n", ifname);
	if (r->grown)
		printf("%s: the maps grew to hold the change\n", ifname);
}

void ui_vprint_line(const char *ifname, const char *fmt, va_list ap)
{
	char line[3 * WGSF_POLICY_PATH_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	printf("%s: ", ifname);
	ui_print_text(stdout, line);
	putchar('\n');
}

__attribute__((format(printf, 2, 3))) static void print_line(const char *ifname,
							     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vprint_line(ifname, fmt, ap);
	va_end(ap);
}

/* Two things change the mode: --mode, and a policy file's Mode line. */
static void print_mode_change(const char *ifname, const struct iface_result *r)
{
	const char *was = ui_mode(r->was.mode), *now = ui_mode(r->cfg.mode);

	if (r->was.mode == r->cfg.mode)
		return;
	if (r->mode_line)
		print_line(ifname, "mode %s -> %s (Mode = %s at %s:%u)", was, now, now,
			   r->cfg.policy, r->mode_line);
	else
		print_line(ifname, "mode %s -> %s (--mode %s)", was, now, now);
}

/* Another file comes only with --policy; another text, from the same file
 * read again. */
static void print_policy_change(const char *ifname, const struct iface_result *r)
{
	if (strcmp(r->was.policy, r->cfg.policy))
		print_line(ifname, "policy %s -> %s (--policy%s)", ui_policy_name(&r->was),
			   ui_policy_name(&r->cfg), r->cfg.policy[0] ? "" : " none");
	else if (r->was.policy_id != r->cfg.policy_id)
		print_line(ifname, "policy %s: its new text is in force (the file changed since "
			   "it was last read)", ui_policy_name(&r->cfg));
}

void ui_print_applied(const char *ifname, const struct iface_result *r)
{
	if (!r->was_attached)
		return;
	/* the policy first: its Mode line may be what changed the mode */
	print_policy_change(ifname, r);
	print_mode_change(ifname, r);
	/* The hook is tc, by the best mechanism the kernel has: it changes
	 * only where it is attached anew (WireGuard restarted, an interrupted
	 * command completed), which ui_print_notes says. */
}

void ui_print_rejected_note(const char *ifname, const struct iface_result *r)
{
	if (!r->rejected_visible)
		printf("%s: WireGuard's own rejections are not counted: %s\n", ifname,
		       r->rejected_why);
}
