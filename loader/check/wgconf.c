// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "vec.h"
#include "filepos.h"
#include "check/wgconf.h"
#include "ini.h"
#include "textfile.h"

struct parser {
	struct file_pos pos;
	enum { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER } section;
	bool saw_section, has_key;
	struct wg_conf *conf;
};

/* wg-quick's keys, which it takes out before `wg` sees the rest. */
static const char *const quick_keys[] = { "Address", "DNS",    "MTU",      "Table",     "PreUp",
					  "PreDown", "PostUp", "PostDown", "SaveConfig" };

static int addresses(struct parser *ps, char *value)
{
	struct wg_conf *c = ps->conf;
	char *item, *save = NULL;
	struct prefix p;
	int err;

	/* wg-quick splits Address at commas and at white space */
	for (item = strtok_r(value, ", \t\r\n\v\f", &save); item;
	     item = strtok_r(NULL, ", \t\r\n\v\f", &save)) {
		if (prefix_parse(item, &p))
			return pos_fail(&ps->pos, "invalid address '%s' in Address", item);
		err = prefixes_push(&c->addresses, &c->n_addresses, &c->cap_addresses, &p);
		if (err)
			return err;
	}
	return 0;
}

/* One of quick_keys: 1 when the setting is one, 0 when it is for `wg`, or
 * -errno. */
static int quick_setting(struct parser *ps, const char *key, char *value)
{
	size_t i;
	int err = 0;

	/* wg-quick compares its keys in any case */
	for (i = 0; i < sizeof(quick_keys) / sizeof(*quick_keys); i++)
		if (!strcasecmp(key, quick_keys[i]))
			break;
	if (i == sizeof(quick_keys) / sizeof(*quick_keys))
		return 0;
	key = quick_keys[i];
	if (!strcmp(key, "Address"))
		return addresses(ps, value) ?: 1;
	ini_strip_spaces(value);
	if (!strcmp(key, "Table"))
		/* compared as it is: wg-quick would take "Off" for a table's name */
		ps->conf->table_off = !strcmp(value, "off");
	else if (!strcmp(key, "PostUp"))
		ps->conf->post_up = true;
	else if (!strcmp(key, "SaveConfig") && strcasecmp(value, "true") &&
		 strcasecmp(value, "false"))
		err = pos_fail(&ps->pos, "SaveConfig is true or false, not '%s'", value);
	return err ?: 1;
}

static int end_section(struct parser *ps)
{
	if (ps->section != SECTION_PEER)
		return 0;
	return pos_end_peer(&ps->pos, ps->conf->sections[ps->conf->n_sections - 1].line,
			    ps->has_key);
}

static int section(struct parser *ps, char *s)
{
	struct wg_conf *c = ps->conf;
	int err = end_section(ps);

	if (err)
		return err;
	ps->saw_section = true;
	ini_strip_spaces(s);
	if (!strcasecmp(s, "Interface")) {
		ps->section = SECTION_INTERFACE;
		return 0;
	}
	if (strcasecmp(s, "Peer"))
		return pos_fail(&ps->pos, "unknown section '[%s]' ([Interface] or [Peer])", s);
	err = vec_room(&c->sections, c->n_sections, &c->cap_sections, sizeof(*c->sections));
	if (err)
		return err;
	memset(&c->sections[c->n_sections], 0, sizeof(*c->sections));
	c->sections[c->n_sections++].line = ps->pos.line;
	ps->section = SECTION_PEER;
	ps->has_key = false;
	return 0;
}

static int allowed_ips(struct parser *ps, char *value)
{
	struct wg_conf *c = ps->conf;
	char *item, *next;
	struct conf_ip ip = { .line = ps->pos.line, .section = c->n_sections - 1 };
	int err;

	for (item = value; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (!*item)
			return pos_fail(&ps->pos, "an empty prefix in AllowedIPs");
		if (*item == '!')
			return pos_fail(&ps->pos, "invalid prefix '%s': WireGuard has no exclusions", item);
		if (prefix_parse_raw(item, &ip.written))
			return pos_fail(&ps->pos, "invalid prefix '%s'", item);
		err = vec_room(&c->ips, c->n_ips, &c->cap_ips, sizeof(ip));
		if (err)
			return err;
		c->ips[c->n_ips++] = ip;
	}
	return 0;
}

static int peer_setting(struct parser *ps, const char *key, char *value)
{
	struct conf_section *sec = &ps->conf->sections[ps->conf->n_sections - 1];
	uint8_t psk[WG_KEY_LEN];
	int err;

	if (!strcasecmp(key, "PublicKey")) {
		if (key_from_base64(sec->public_key, value))
			return pos_fail(&ps->pos, "invalid public key '%s'", value);
		ps->has_key = true;
		return 0;
	}
	if (!strcasecmp(key, "AllowedIPs"))
		return allowed_ips(ps, value);
	/* a secret, so not repeated in the message, nor kept */
	if (!strcasecmp(key, "PresharedKey")) {
		err = key_from_base64(psk, value) ? pos_fail(&ps->pos, "invalid PresharedKey") : 0;
		explicit_bzero(psk, sizeof(psk));
		return err;
	}
	if (!strcasecmp(key, "Endpoint") || !strcasecmp(key, "PersistentKeepalive"))
		return 0;
	return pos_fail(&ps->pos, "unknown key '%s' in [Peer]", key);
}

/* The public key, as `wg pubkey` derives it: libsodium clamps the private
 * key as WireGuard does (unit test own_key holds it to `wg pubkey` on keys
 * that are not clamped). */
static int private_key(struct parser *ps, const char *value)
{
	struct wg_conf *c = ps->conf;
	uint8_t secret[WG_KEY_LEN];
	int err = 0;

	if (sodium_init() < 0)
		err = pos_fail(&ps->pos, "libsodium cannot start, needed for the PrivateKey");
	else if (key_from_base64(secret, value) ||
		 crypto_scalarmult_curve25519_base(c->own_key, secret))
		err = pos_fail(&ps->pos, "invalid PrivateKey");
	explicit_bzero(secret, sizeof(secret));
	c->has_private_key = !err;
	return err;
}

static int interface_setting(struct parser *ps, const char *key, const char *value)
{
	if (!strcasecmp(key, "PrivateKey"))
		return private_key(ps, value);
	if (!strcasecmp(key, "ListenPort") || !strcasecmp(key, "FwMark"))
		return 0;
	return pos_fail(&ps->pos, "unknown key '%s' in [Interface]", key);
}

static int setting(struct parser *ps, char *key, char *value)
{
	int r;

	/* wg-quick's keys as wg-quick reads them: trimmed */
	if (ps->section == SECTION_INTERFACE) {
		r = quick_setting(ps, key, value);
		if (r)
			return r < 0 ? r : 0;
	}
	/* the rest as `wg` reads them: with no white space anywhere */
	ini_strip_spaces(key);
	ini_strip_spaces(value);
	if (ps->section == SECTION_NONE)
		return pos_fail(&ps->pos, "'%s' outside any section", key);
	if (!*value)
		return pos_fail(&ps->pos, "%s without a value", key);
	if (ps->section == SECTION_PEER)
		return peer_setting(ps, key, value);
	return interface_setting(ps, key, value);
}

static int line(void *ctx, const struct ini_line *l)
{
	return l->section ? section(ctx, l->section) : setting(ctx, l->key, l->value);
}

/* text, NUL-terminated at size, line by line, in place. */
static int parse_text(const char *name, char *text, size_t size, struct wg_conf *out,
		      char err[WGCONF_ERR_LEN])
{
	struct parser ps = { .pos = { name, 0, err, WGCONF_ERR_LEN }, .conf = out };
	int r;

	memset(out, 0, sizeof(*out));
	r = ini_read(&ps.pos, text, size, true, line, &ps) ?: end_section(&ps);
	if (!r && !ps.saw_section) {
		ps.pos.line = 0;
		r = pos_fail(&ps.pos, "no [Interface] or [Peer] section: not a WireGuard config");
	}
	if (r)
		wgconf_free(out);
	return r;
}

/* The text may hold a PrivateKey: each copy of it is wiped before it is
 * freed. */
int wgconf_parse(const char *name, const char *text, size_t size, struct wg_conf *out,
		 char err[WGCONF_ERR_LEN])
{
	char *copy = malloc(size + 1);
	int r;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, size);
	copy[size] = '\0';
	r = parse_text(name, copy, size, out, err);
	explicit_bzero(copy, size + 1);
	free(copy);
	return r;
}

int wgconf_read(const char *path, struct wg_conf *out, char err[WGCONF_ERR_LEN])
{
	char *text;
	size_t size;
	int r = textfile_read(path, WGCONF_MAX, &text, &size, err, WGCONF_ERR_LEN);

	memset(out, 0, sizeof(*out));
	if (r)
		return r;
	r = parse_text(path, text, size, out, err);
	explicit_bzero(text, size);
	free(text);
	return r;
}

void wgconf_free(struct wg_conf *c)
{
	free(c->sections);
	free(c->ips);
	free(c->addresses);
	memset(c, 0, sizeof(*c));
}
