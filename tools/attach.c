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

const char attach_usage[] =
	"IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none] [--flows[=SIZE|off]] "
	"[--json]";

static int parse_choice(const char *what, const char *v, const char *a, const char *b)
{
	if (!strcmp(v, a))
		return 0;
	if (!strcmp(v, b))
		return 1;
	return -ui_usage_error("Invalid %s: '%s' (%s or %s)", what, v, a, b);
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
	return ui_usage_error("Invalid hook: '%s' (tc)", hook);
}

/* --flows: the default table, SIZE flows, or off (iface_opts.flows). */
static int parse_flows(const char *v, long *flows)
{
	if (!v)
		return 0;
	if (!*v) {
		*flows = WGSF_FLOWREC_DEFAULT;
		return 0;
	}
	if (!strcmp(v, "off")) {
		*flows = IFACE_FLOWS_OFF;
		return 0;
	}
	if (!ui_whole_number(v, WGSF_FLOWREC_MIN, WGSF_FLOWREC_MAX, flows))
		return ui_usage_error("Invalid flow table size: '%s' (%u to %u flows, or off)", v,
				      WGSF_FLOWREC_MIN, WGSF_FLOWREC_MAX);
	return 0;
}

static void print_json(const char *ifname, const struct iface_result *r)
{
	struct json j = { .f = stdout };
	struct ui_lines o = { .name = ifname, .j = &j };
	char shown[UI_IFNAME_LEN];

	o.shown = ui_text(ifname, shown, sizeof(shown));
	json_object_begin(&j, NULL);
	json_string(&j, "interface", ifname);
	json_string(&j, "hook", "tc");
	json_string(&j, "mechanism", hook_mech_name(r->cfg.attachment.mech));
	json_string(&j, "mode", ui_mode(r->cfg.mode));
	json_string(&j, "policy_file", r->cfg.policy[0] ? r->cfg.policy : NULL);
	if (r->flows)
		json_u64(&j, "flow_table", r->flows);
	else
		json_string(&j, "flow_table", NULL);
	ui_json_changes(&j, &r->sync);
	json_array_begin(&j, "notes");
	ui_print_applied(&o, r);
	ui_print_notes(&o, r);
	ui_print_rejected_note(&o, r);
	json_array_end(&j);
	json_object_end(&j);
}

static void print_human(const char *ifname, const struct iface_result *r)
{
	char buf[32], name[UI_IFNAME_LEN];
	struct ui_lines o = { .name = ifname, .shown = ui_text(ifname, name, sizeof(name)) };

	printf("%s: %s, %s mode; ", name, ui_hook(&r->cfg.attachment, buf), ui_mode(r->cfg.mode));
	ui_print_changes(&r->sync);
	ui_print_applied(&o, r);
	ui_print_notes(&o, r);
	ui_print_rejected_note(&o, r);
}

int attach_main(int argc, const char *argv[])
{
	const char *hook = NULL, *mode = NULL, *policy = NULL, *flows = NULL, *ifname;
	const struct ui_opt opts[] = { { "--hook", UI_VALUE, &hook },
				       { "--mode", UI_VALUE, &mode },
				       { "--policy", UI_VALUE, &policy },
				       { "--flows", UI_VALUE_OPTIONAL, &flows } };
	const struct ui_command c = { "attach", attach_usage, opts, 4, 1, 1, UI_NEEDS_BPF_NET };
	struct iface_opts o = { .mode = -1, .force_mech = MECH_NONE, .warn = ui_warn };
	struct iface_result r;
	int err;

	err = ui_iface_command(&c, argc, argv, &ifname) ?: check_hook(ifname, hook) ?:
	      parse_flows(flows, &o.flows);
	if (err)
		return err;
	o.policy = policy;
	/* monitor is 0 in its enum, enforce 1 */
	if (mode && (o.mode = parse_choice("mode", mode, "monitor", "enforce")) < 0)
		return -o.mode;
	err = ui_need_privileges(c.name, c.needs);
	if (err)
		return err;
	err = iface_attach(ifname, &o, &r);
	if (err)
		return ui_fail(ui_status(err, false), "Unable to attach %s: %s", ifname,
			       ui_reason(err));
	if (ui_json)
		print_json(ifname, &r);
	else
		print_human(ifname, &r);
	return 0;
}
