// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "iface.h"
#include "subcommands.h"
#include "ui.h"

const char attach_usage[] = "IFACE [--hook tc|xdp] [--mode monitor|enforce]";

static void summary(const char *ifname, const struct sync_result *r)
{
	struct wgsf_config cfg;
	struct maps m;

	if (iface_open(ifname, &m, &cfg))
		return;
	maps_close(&m);
	printf("%s: %s (%s), %s mode; peers +%zu -%zu, allowed ips +%zu ~%zu -%zu\n", ifname,
	       cfg.attachment.kind == HOOK_XDP ? "xdp" : "tc", hook_mech_name(cfg.attachment.mech),
	       cfg.mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor", r->peers_added,
	       r->peers_removed, r->prefixes_added, r->prefixes_changed, r->prefixes_removed);
}

static int parse_choice(const char *what, const char *v, const char *a, const char *b)
{
	if (!strcmp(v, a))
		return 0;
	if (!strcmp(v, b))
		return 1;
	return -ui_error("Invalid %s: '%s' (%s or %s)", what, v, a, b);
}

int attach_main(int argc, const char *argv[])
{
	const char *hook = NULL, *mode = NULL, *ifname;
	const struct ui_opt opts[] = { { "--hook", true, &hook }, { "--mode", true, &mode } };
	struct iface_opts o = { .hook = -1, .mode = -1, .force_mech = MECH_NONE };
	struct sync_result res;
	int err;

	if (ui_iface_command(argc, argv, opts, 2, &ifname, 1, 1, "attach", attach_usage))
		return 1;
	/* tc and monitor are 0 in their enums, xdp and enforce are 1 */
	if (hook && (o.hook = parse_choice("hook", hook, "tc", "xdp")) < 0)
		return 1;
	if (mode && (o.mode = parse_choice("mode", mode, "monitor", "enforce")) < 0)
		return 1;
	err = iface_attach(ifname, &o, &res);
	if (err)
		return ui_error("Unable to attach %s: %s", ifname, ui_reason(err));
	summary(ifname, &res);
	return 0;
}
