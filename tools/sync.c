// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "attach/iface.h"
#include "subcommands.h"
#include "ui_changes.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_text.h"

const char sync_usage[] = "IFACE";

int sync_main(int argc, const char *argv[])
{
	char name[UI_IFNAME_LEN];
	struct iface_result r;
	const char *ifname;
	int err;

	if (ui_iface_command(argc, argv, NULL, 0, &ifname, 1, 1, "sync", sync_usage))
		return 1;
	err = iface_sync(ifname, POLICY_FILE, ui_warn, NULL, NULL, &r);
	if (err)
		return ui_error("Unable to sync %s: %s", ifname, ui_reason(err));
	printf("%s: ", ui_text(ifname, name, sizeof(name)));
	ui_print_changes(&r.sync);
	ui_print_applied(name, &r);
	ui_print_notes(name, &r);
	return 0;
}
