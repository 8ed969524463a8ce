// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "attach/iface.h"
#include "subcommands.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_text.h"

const char detach_usage[] = "IFACE";

int detach_main(int argc, const char *argv[])
{
	char name[UI_IFNAME_LEN];
	const char *ifname;
	int err;

	if (ui_iface_command(argc, argv, NULL, 0, &ifname, 1, 1, "detach", detach_usage))
		return 1;
	err = iface_detach(ifname);
	if (err < 0)
		return ui_error("Unable to detach %s: %s", ifname, ui_reason(err));
	printf("%s: detached%s\n", ui_text(ifname, name, sizeof(name)),
	       err == 2 ? " (the pins of a wgsf of another map ABI)" :
	       err ? " (what an interrupted command had left)" : "");
	return 0;
}
