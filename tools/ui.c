// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "ifname.h"
#include "attach/iface.h"
#include "tables/sync.h"
#include "ui.h"

bool ui_json;

/* The character s starts with, as a person should see it, into out (at
 * most 4 * 4 bytes, and maybe a NUL); its length there. *n: its bytes in s. */
static size_t escape_char(const char *s, char out[17], size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len = 0;

	*n = utf8_char(s);
	/* C1 controls too (U+0080 to U+009F), as terminals act on some, and
	 * the no-break space, which reads as a space */
	if (*n && u[0] >= 0x20 && u[0] != 0x7f && !(u[0] == 0xc2 && u[1] <= 0xa0)) {
		memcpy(out, s, *n);
		return *n;
	}
	*n = *n ?: 1;
	for (i = 0; i < *n; i++, len += 4)
		sprintf(out + len, "\\x%02x", u[i]);
	return len;
}

void ui_print_text(FILE *f, const char *s)
{
	char out[17];
	size_t n;

	for (; *s; s += n)
		fwrite(out, 1, escape_char(s, out, &n), f);
}

const char *ui_text(const char *s, char *buf, size_t size)
{
	char out[17];
	size_t n, len, used = 0;

	for (; *s; s += n) {
		len = escape_char(s, out, &n);
		if (used + len >= size)
			break;
		memcpy(buf + used, out, len);
		used += len;
	}
	buf[used] = '\0';
	return buf;
}

int ui_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ui_json) {
		struct json j = { .f = stdout };

		json_object_begin(&j, NULL);
		json_string(&j, "error", msg);
		json_object_end(&j);
	} else {
		ui_print_text(stderr, msg);
		fputc('\n', stderr);
	}
	return 1;
}

int ui_usage(const char *subcommand, const char *args)
{
	return ui_error("Usage: %s %s %s", PROG_NAME, subcommand, args);
}

const char *ui_reason(int err)
{
	return wgsf_error(err);
}

const char *ui_reason_name(uint32_t reason)
{
	static const char *const names[WGSF_REASON_COUNT] = {
		[WGSF_REASON_SOURCE] = "source",
		[WGSF_REASON_DESTINATION] = "destination",
		[WGSF_REASON_BLOCKED] = "blocked",
	};

	return reason < WGSF_REASON_COUNT ? names[reason] : "unknown";
}

int ui_need_root(void)
{
	if (geteuid() == 0)
		return 0;
	return ui_error("%s needs root: loading BPF and attaching to an interface take "
			"CAP_BPF and CAP_NET_ADMIN", PROG_NAME);
}

static const struct ui_opt *find_opt(const struct ui_opt *opts, size_t n, const char *arg,
				     size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, arg, len))
			return &opts[i];
	return NULL;
}

int ui_parse(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts,
	     const char **pos, size_t min_pos, size_t max_pos, const char *subcommand,
	     const char *usage)
{
	size_t npos = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		const struct ui_opt *o;

		if (arg[0] != '-' || !arg[1]) {
			if (npos == max_pos)
				return ui_error("Unexpected argument: '%s' (usage: %s %s %s)", arg,
						PROG_NAME, subcommand, usage);
			pos[npos++] = arg;
			continue;
		}
		o = find_opt(opts, nopts, arg, eq ? (size_t)(eq - arg) : strlen(arg));
		if (!o || (eq && !o->takes_value))
			return ui_error("Invalid option: '%s' (usage: %s %s %s)", arg, PROG_NAME,
					subcommand, usage);
		if (!o->takes_value)
			*o->value = "";
		else if (eq)
			*o->value = eq + 1;
		else if (i + 1 < argc)
			*o->value = argv[++i];
		else
			return ui_error("Option %s needs a value", o->name);
	}
	if (npos < min_pos)
		return ui_usage(subcommand, usage);
	while (npos < max_pos)
		pos[npos++] = NULL;
	return 0;
}

int ui_iface_command(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts,
		     const char **pos, size_t min_pos, size_t max_pos, const char *subcommand,
		     const char *usage)
{
	if (!argc)
		return ui_usage(subcommand, usage);
	if (ui_parse(argc, argv, opts, nopts, pos, min_pos, max_pos, subcommand, usage))
		return 1;
	if (ifname_check(pos[0]))
		return ui_error("Invalid interface name: '%s'", pos[0]);
	return ui_need_root();
}

void ui_print_changes(const struct sync_result *r)
{
	printf("peers +%zu -%zu, allowed ips +%zu ~%zu -%zu", r->peers_added, r->peers_removed,
	       r->prefixes_added, r->prefixes_changed, r->prefixes_removed);
	if (r->rules_added || r->rules_removed || r->flags_changed)
		printf(", policy rules +%zu -%zu, flags ~%zu", r->rules_added, r->rules_removed,
		       r->flags_changed);
	putchar('\n');
}

void ui_print_notes(const char *ifname, const struct iface_result *r)
{
	static const char *const found[] = {
		[HOOK_NONE] = "nothing of wgsf's ran on %s (removed from outside, or an attach "
			      "was interrupted): attached again\n",
		[HOOK_STALE] = "an interrupted update had left an older program on %s: replaced\n",
		[HOOK_RECREATED] = "%s was re-created: attached to the new one\n",
	};

	if (r->found != HOOK_LIVE && r->found < sizeof(found) / sizeof(*found) && found[r->found]) {
		printf("%s: ", ifname);
		printf(found[r->found], ifname);
	}
	if (r->completed)
		printf("%s: completed what an interrupted command had left unfinished\n", ifname);
	if (r->grown)
		printf("%s: the maps grew to hold the change\n", ifname);
}

void ui_vprint_line(const char *ifname, const char *fmt, va_list ap)
{
	char line[3 * WGSF_POLICY_PATH_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	printf("%s: ", ifname);
	ui_print_text(stdout, line);
	putchar('\n');
}

__attribute__((format(printf, 2, 3))) static void print_line(const char *ifname,
							     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vprint_line(ifname, fmt, ap);
	va_end(ap);
}

const char *ui_policy_name(const struct wgsf_config *c)
{
	return c->policy[0] ? c->policy : "none";
}

/* Two things change the mode: --mode, and a policy file's Mode line. */
static void print_mode_change(const char *ifname, const struct iface_result *r)
{
	const char *was = ui_mode(r->was.mode), *now = ui_mode(r->cfg.mode);

	if (r->was.mode == r->cfg.mode)
		return;
	if (r->mode_line)
		print_line(ifname, "mode %s -> %s (Mode = %s at %s:%u)", was, now, now,
			   r->cfg.policy, r->mode_line);
	else
		print_line(ifname, "mode %s -> %s (--mode %s)", was, now, now);
}

/* Another file comes only with --policy; another text, from the same file
 * read again. */
static void print_policy_change(const char *ifname, const struct iface_result *r)
{
	if (strcmp(r->was.policy, r->cfg.policy))
		print_line(ifname, "policy %s -> %s (--policy%s)", ui_policy_name(&r->was),
			   ui_policy_name(&r->cfg), r->cfg.policy[0] ? "" : " none");
	else if (r->was.policy_id != r->cfg.policy_id)
		print_line(ifname, "policy %s: its new text is in force (the file changed since "
			   "it was last read)", ui_policy_name(&r->cfg));
}

void ui_print_applied(const char *ifname, const struct iface_result *r)
{
	if (!r->was_attached)
		return;
	/* the policy first: its Mode line may be what changed the mode */
	print_policy_change(ifname, r);
	print_mode_change(ifname, r);
	/* The hook is tc, by the best mechanism the kernel has: it changes
	 * only where it is attached anew (WireGuard restarted, an interrupted
	 * command completed), which ui_print_notes says. */
}

void ui_print_rejected_note(const char *ifname, const struct iface_result *r)
{
	if (!r->rejected_visible)
		printf("%s: WireGuard's own rejections are not counted: %s\n", ifname,
		       r->rejected_why);
}

const char *ui_hook(const struct wgsf_attachment *a, char buf[32])
{
	snprintf(buf, 32, "tc (%s)", hook_mech_name(a->mech));
	return buf;
}

const char *ui_mode(uint32_t mode)
{
	return mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor";
}

void ui_warn(const char *msg)
{
	fprintf(stderr, "%s: warning: ", PROG_NAME);
	ui_print_text(stderr, msg);
	fputc('\n', stderr);
}

const char *ui_bytes(uint64_t b, char buf[32])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, 32, "%llu B", (unsigned long long)b);
		return buf;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 32, "%.2f %s", v, units[u]);
	return buf;
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t ui_epoch(uint64_t mono_ns)
{
	uint64_t mono = now_ns(CLOCK_MONOTONIC), real = now_ns(CLOCK_REALTIME);

	if (!mono_ns)
		return 0;
	return (real - (mono > mono_ns ? mono - mono_ns : 0)) / 1000000000ull;
}

/* As `wg show` words a latest handshake: "1 hour, 2 minutes, 3 seconds ago". */
const char *ui_ago(uint64_t mono_ns, char buf[64])
{
	static const struct { uint64_t secs; const char *name; } parts[] = {
		{ 86400 * 365, "year" }, { 86400, "day" }, { 3600, "hour" },
		{ 60, "minute" },        { 1, "second" },
	};
	uint64_t now = now_ns(CLOCK_MONOTONIC), left;
	size_t i, n = 0;

	if (!mono_ns)
		return strcpy(buf, "never");
	left = now > mono_ns ? (now - mono_ns) / 1000000000ull : 0;
	if (!left)
		return strcpy(buf, "now");
	buf[0] = '\0';
	for (i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		uint64_t k = left / parts[i].secs;

		if (!k)
			continue;
		left %= parts[i].secs;
		n += snprintf(buf + n, 64 - n, "%s%llu %s%s", n ? ", " : "",
			      (unsigned long long)k, parts[i].name, k == 1 ? "" : "s");
	}
	snprintf(buf + n, 64 - n, " ago");
	return buf;
}

const char *ui_color(const char *code)
{
	static int tty = -1;

	if (tty < 0)
		tty = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	return tty ? code : "";
}

void ui_label(const char *indent, const char *name)
{
	printf("%s%s%s%s: ", indent, ui_color(UI_BOLD), name, ui_color(UI_RESET));
}
