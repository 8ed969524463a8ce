// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "attach/orphans.h"
#include "subcommands.h"
#include "ui.h"

const char orphans_usage[] = "[--remove] [--json]";

static void json_orphans(const struct orphans *o, bool removed)
{
	struct json j = { .f = stdout };
	char path[PATH_MAX + 32];
	size_t i, k;

	json_object_begin(&j, NULL);
	json_array_begin(&j, "namespaces");
	for (i = 0; i < o->n; i++) {
		json_object_begin(&j, NULL);
		json_string(&j, "name", o->v[i].name);
		snprintf(path, sizeof(path), "%s/%s", o->root, o->v[i].name);
		json_string(&j, "path", path);
		json_array_begin(&j, "interfaces");
		for (k = 0; k < o->v[i].n_ifaces; k++)
			json_string(&j, NULL, o->v[i].ifaces[k]);
		json_array_end(&j);
		json_u64(&j, "memlock_bytes", o->v[i].memlock);
		json_bool(&j, "removed", removed);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

static void human_orphans(const struct orphans *o, bool removed)
{
	char b[32];
	size_t i, k;

	if (!o->n)
		printf("No pins of deleted network namespaces under %s\n", o->root);
	for (i = 0; i < o->n; i++) {
		printf("%s%s%snamespace%s: %s (deleted)\n", i ? "\n" : "", ui_color(UI_BOLD),
		       ui_color(UI_YELLOW), ui_color(UI_RESET), o->v[i].name);
		ui_label("  ", "pins");
		printf("%s/%s%s\n", o->root, o->v[i].name, removed ? " (removed)" : "");
		ui_label("  ", "interfaces");
		for (k = 0; k < o->v[i].n_ifaces; k++)
			printf("%s%s", k ? ", " : "", o->v[i].ifaces[k]);
		printf("%s\n", o->v[i].n_ifaces ? "" : "(none)");
		ui_label("  ", "memory");
		printf("%s\n", ui_bytes(o->v[i].memlock, b));
	}
}

static void hidden_warning(size_t n)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "the kernel hides the open files of %zu process%s from wgsf (a "
		 "security module?): a namespace that only such a file holds would seem deleted", n,
		 n == 1 ? "" : "es");
	ui_warn(msg);
}

int orphans_main(int argc, const char *argv[])
{
	const char *remove = NULL, *json = NULL;
	const struct ui_opt opts[] = { { "--remove", false, &remove }, { "--json", false, &json } };
	struct orphans o;
	size_t i;
	int err;

	if (ui_parse(argc, argv, opts, 2, NULL, 0, 0, "orphans", orphans_usage))
		return 1;
	ui_json = json;
	if (ui_need_root())
		return 1;
	err = orphans_find(&o);
	if (err)
		ui_error("Unable to look for pins of deleted network namespaces: %s", ui_reason(err));
	for (i = 0; !err && remove && i < o.n; i++) {
		err = orphans_remove(&o, i);
		if (err)
			ui_error("Unable to remove %s/%s: %s", o.root, o.v[i].name, ui_reason(err));
	}
	if (!err && o.n && o.hidden)
		hidden_warning(o.hidden);
	if (!err && json)
		json_orphans(&o, remove);
	else if (!err)
		human_orphans(&o, remove);
	orphans_free(&o);
	return err ? 1 : 0;
}
