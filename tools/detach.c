// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "attach/iface.h"
#include "json.h"
#include "subcommands.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_text.h"

const char detach_usage[] = "IFACE [--json]";

int detach_main(int argc, const char *argv[])
{
	static const char *const removed[][2] = {
		{ "attached", "" },
		{ "leftovers", " (what an interrupted command had left)" },
		{ "another-abi", " (the pins of a wgsf of another map ABI)" },
	};
	const struct ui_command c = { "detach", detach_usage, NULL, 0, 1, 1, UI_NEEDS_BPF_NET };
	struct json j = { .f = stdout };
	char name[UI_IFNAME_LEN];
	const char *ifname;
	int err;

	err = ui_iface_command(&c, argc, argv, &ifname) ?: ui_need_privileges(c.name, c.needs);
	if (err)
		return err;
	/* what it removed: 0 what was attached, 1 leftovers, 2 another ABI's */
	err = iface_detach(ifname);
	if (err < 0)
		return ui_fail(ui_status(err, true), "Unable to detach %s: %s", ifname,
			       ui_reason(err));
	if ((size_t)err >= sizeof(removed) / sizeof(*removed))
		err = 0;
	if (!ui_json) {
		printf("%s: detached%s\n", ui_text(ifname, name, sizeof(name)), removed[err][1]);
		return 0;
	}
	json_object_begin(&j, NULL);
	json_string(&j, "interface", ifname);
	json_string(&j, "removed", removed[err][0]);
	json_object_end(&j);
	return 0;
}
