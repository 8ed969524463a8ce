// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "attach/iface.h"
#include "subcommands.h"
#include "ui_changes.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "ui_text.h"

const char attach_usage[] = "IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none]";

static int parse_choice(const char *what, const char *v, const char *a, const char *b)
{
	if (!strcmp(v, a))
		return 0;
	if (!strcmp(v, b))
		return 1;
	return -ui_error("Invalid %s: '%s' (%s or %s)", what, v, a, b);
}

/* tc is the one hook; XDP, which earlier versions offered, is refused with
 * the reason (README, Hooks). */
static int check_hook(const char *ifname, const char *hook)
{
	if (!hook || !strcmp(hook, "tc"))
		return 0;
	if (!strcmp(hook, "xdp"))
		return ui_error("Unable to attach %s: the XDP hook is retired: generic XDP sees a "
				"GRO aggregate as one packet and is slower than tc on WireGuard; "
				"tc is the hook", ifname);
	return ui_error("Invalid hook: '%s' (tc)", hook);
}

int attach_main(int argc, const char *argv[])
{
	const char *hook = NULL, *mode = NULL, *policy = NULL, *ifname;
	const struct ui_opt opts[] = { { "--hook", true, &hook }, { "--mode", true, &mode },
				       { "--policy", true, &policy } };
	struct iface_opts o = { .mode = -1, .force_mech = MECH_NONE, .warn = ui_warn };
	struct iface_result r;
	char buf[32], name[UI_IFNAME_LEN];
	int err;

	if (ui_iface_command(argc, argv, opts, 3, &ifname, 1, 1, "attach", attach_usage) ||
	    check_hook(ifname, hook))
		return 1;
	o.policy = policy;
	/* monitor is 0 in its enum, enforce 1 */
	if (mode && (o.mode = parse_choice("mode", mode, "monitor", "enforce")) < 0)
		return 1;
	err = iface_attach(ifname, &o, &r);
	if (err)
		return ui_error("Unable to attach %s: %s", ifname, ui_reason(err));
	ui_text(ifname, name, sizeof(name));
	printf("%s: %s, %s mode; ", name, ui_hook(&r.cfg.attachment, buf), ui_mode(r.cfg.mode));
	ui_print_changes(&r.sync);
	ui_print_applied(name, &r);
	ui_print_notes(name, &r);
	ui_print_rejected_note(name, &r);
	return 0;
}
