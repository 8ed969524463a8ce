// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "attach/iface.h"
#include "subcommands.h"
#include "ui_changes.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_text.h"

const char sync_usage[] = "IFACE [--json]";

int sync_main(int argc, const char *argv[])
{
	const struct ui_command c = { "sync", sync_usage, NULL, 0, 1, 1, UI_NEEDS_BPF_NET };
	struct json j = { .f = stdout };
	char name[UI_IFNAME_LEN];
	struct ui_lines o = { .j = &j };
	struct iface_result r;
	int err;

	err = ui_iface_command(&c, argc, argv, &o.name) ?: ui_need_privileges(c.name, c.needs);
	if (err)
		return err;
	err = iface_sync(o.name, POLICY_FILE, ui_warn, NULL, NULL, &r);
	if (err)
		return ui_fail(ui_status(err, true), "Unable to sync %s: %s", o.name,
			       ui_reason(err));
	o.shown = ui_text(o.name, name, sizeof(name));
	if (ui_json) {
		json_object_begin(&j, NULL);
		json_string(&j, "interface", o.name);
		ui_json_changes(&j, &r.sync);
		json_array_begin(&j, "notes");
	} else {
		printf("%s: ", name);
		ui_print_changes(&r.sync);
	}
	ui_print_applied(&o, &r);
	ui_print_notes(&o, &r);
	if (ui_json) {
		json_array_end(&j);
		json_object_end(&j);
	}
	return 0;
}
