// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "attach/orphans.h"
#include "json.h"
#include "subcommands.h"
#include "ui_color.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "ui_privilege.h"
#include "ui_text.h"

const char orphans_usage[] = "[--remove] [--json]";

/* Why pins are kept: a word for JSON, a phrase for people. */
static const struct {
	const char *word, *why;
} kept[] = {
	[PINS_ELSEWHERE] = { "attached-elsewhere", "its program runs on it in another namespace, "
						   "where it moved before this one went" },
	[PINS_UNCOMMITTED] = { "uncommitted", "not judged: no generation in force, as a command "
					      "killed before its first commit leaves" },
	[PINS_NO_SENTINEL] = { "no-sentinel", "not judged: attached by an older wgsf, which made "
					      "no sentinel" },
};

/* Pins not orphaned, in a namespace that is listed: some are not live. */
static bool is_kept(const struct pinned_iface *p)
{
	return p->state != PINS_ORPHANED && p->state != PINS_LIVE;
}

/* Of the orphaned pins: their memory, and whether all are removed. */
static uint64_t orphaned(const struct orphan *ns, bool *removed)
{
	uint64_t bytes = 0;
	size_t k, n = 0;

	*removed = true;
	for (k = 0; k < ns->n_ifaces; k++)
		if (ns->ifaces[k].state == PINS_ORPHANED) {
			bytes += ns->ifaces[k].memlock;
			*removed &= ns->ifaces[k].removed;
			n++;
		}
	*removed &= n > 0;
	return bytes;
}

static void json_namespace(struct json *j, const char *root, const struct orphan *ns)
{
	char path[PATH_MAX + 32];
	bool removed;
	size_t k;

	json_object_begin(j, NULL);
	json_string(j, "name", ns->name);
	snprintf(path, sizeof(path), "%s/%s", root, ns->name);
	json_string(j, "path", path);
	json_bool(j, "deleted", ns->deleted);
	json_array_begin(j, "interfaces");
	for (k = 0; k < ns->n_ifaces; k++)
		if (ns->ifaces[k].state == PINS_ORPHANED)
			json_string(j, NULL, ns->ifaces[k].name);
	json_array_end(j);
	json_u64(j, "memlock_bytes", orphaned(ns, &removed));
	json_bool(j, "removed", removed);
	json_array_begin(j, "kept");
	for (k = 0; k < ns->n_ifaces; k++) {
		if (!is_kept(&ns->ifaces[k]))
			continue;
		json_object_begin(j, NULL);
		json_string(j, "interface", ns->ifaces[k].name);
		json_string(j, "reason", kept[ns->ifaces[k].state].word);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void json_orphans(const struct orphans *o)
{
	struct json j = { .f = stdout };
	size_t i;

	json_object_begin(&j, NULL);
	json_array_begin(&j, "namespaces");
	for (i = 0; i < o->n; i++)
		json_namespace(&j, o->root, &o->v[i]);
	json_array_end(&j);
	json_object_end(&j);
}

static void human_namespace(const char *root, const struct orphan *ns)
{
	const struct pinned_iface *p;
	bool removed;
	size_t k, n = 0;
	char b[32];

	printf("%snamespace%s: %s%s\n", ui_color(UI_BOLD), ui_color(UI_RESET), ns->name,
	       ns->deleted ? " (deleted)" : "");
	ui_label("  ", "pins");
	printf("%s/%s\n", root, ns->name);
	for (k = 0; k < ns->n_ifaces; k++) {
		p = &ns->ifaces[k];
		if (p->state != PINS_ORPHANED)
			continue;
		if (!n++)
			ui_label("  ", "interfaces");
		printf("%s", n > 1 ? ", " : "");
		ui_print_text(stdout, p->name);
		printf("%s", p->removed ? " (removed)" : "");
	}
	if (n) {
		printf("\n");
		ui_label("  ", "memory");
		printf("%s\n", ui_bytes(orphaned(ns, &removed), b));
	}
	for (k = 0; k < ns->n_ifaces; k++) {
		p = &ns->ifaces[k];
		if (!is_kept(p))
			continue;
		ui_label("  ", "kept");
		ui_print_text(stdout, p->name);
		printf(": %s\n", kept[p->state].why);
	}
}

static void human_orphans(const struct orphans *o)
{
	size_t i;

	if (!o->n_orphaned)
		printf("No pins of deleted network namespaces under %s\n", o->root);
	for (i = 0; i < o->n; i++) {
		printf("%s", i || !o->n_orphaned ? "\n" : "");
		human_namespace(o->root, &o->v[i]);
	}
}

int orphans_main(int argc, const char *argv[])
{
	const char *remove = NULL;
	const struct ui_opt opts[] = { { "--remove", UI_FLAG, &remove } };
	const struct ui_command c = { "orphans", orphans_usage, opts, 1, 0, 0, UI_NEEDS_BPF };
	struct orphans o;
	size_t i;
	int err;

	err = ui_parse(&c, argc, argv, NULL) ?: ui_need_privileges(c.name, c.needs);
	if (err)
		return err;
	err = orphans_find(&o);
	if (err)
		ui_error("Unable to look for pins of deleted network namespaces: %s", ui_reason(err));
	for (i = 0; !err && remove && i < o.n; i++) {
		err = orphans_remove(&o, i);
		if (err)
			ui_error("Unable to remove the orphaned pins in %s/%s: %s", o.root, o.v[i].name,
				 ui_reason(err));
	}
	if (!err && ui_json)
		json_orphans(&o);
	else if (!err)
		human_orphans(&o);
	orphans_free(&o);
	return err ? 1 : 0;
}
