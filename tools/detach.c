// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "iface.h"
#include "pin.h"
#include "subcommands.h"
#include "ui.h"

const char detach_usage[] = "IFACE";

int detach_main(int argc, const char *argv[])
{
	const char *ifname;
	int err;

	if (!argc)
		return ui_usage("detach", detach_usage);
	if (ui_parse(argc, argv, NULL, 0, &ifname, 1, 1, "detach", detach_usage))
		return 1;
	if (ifname_check(ifname))
		return ui_error("Invalid interface name: '%s'", ifname);
	if (ui_need_root())
		return 1;
	err = iface_detach(ifname);
	if (err)
		return ui_error("Unable to detach %s: %s", ifname, ui_reason(err));
	printf("%s: detached\n", ifname);
	return 0;
}
