// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "filepos.h"
#include "policy/policy.h"
#include "strict_path.h"
#include "textfile.h"
#include "wgsf.h"

#define LINE_MAX_LEN 4096

struct parser {
	struct file_pos pos;
	enum { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER } section;
	bool saw_interface, has_key;
	struct policy *pol;
};

int prefix_list_add(struct prefix_list *l, const struct prefix *p)
{
	size_t cap = l->cap;
	unsigned int *lines = l->lines;
	int err = prefixes_push(&l->v, &l->n, &l->cap, p);

	if (!err && (!lines || cap != l->cap))
		lines = realloc(l->lines, l->cap * sizeof(*lines));
	if (err || !lines) {
		l->n -= !err;
		return err ?: -ENOMEM;
	}
	l->lines = lines;
	lines[l->n - 1] = 0;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

const struct peer_rules *policy_find(const struct policy *p, const uint8_t key[WG_KEY_LEN])
{
	size_t i;

	for (i = 0; i < p->n_peers; i++)
		if (!memcmp(p->peers[i].public_key, key, WG_KEY_LEN))
			return &p->peers[i];
	return NULL;
}

/* A key or a section's name as a policy has them, which a message may
 * quote: what is not one may be any line of any file (a symbolic link to
 * /etc/shadow), which a message must not repeat. */
static bool is_word(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

	return n && n <= 32 && !s[n];
}

/* A line of no policy syntax: named by its number alone. */
static int not_policy(struct parser *ps)
{
	return pos_fail(&ps->pos, "expected 'Key = Value' or a [Section]");
}

/* The last [Peer] must have said whose it is. */
static int end_section(struct parser *ps)
{
	if (ps->section != SECTION_PEER)
		return 0;
	return pos_end_peer(&ps->pos, ps->pol->peers[ps->pol->n_peers - 1].line, ps->has_key);
}

static int section(struct parser *ps, char *s)
{
	struct policy *pol = ps->pol;
	size_t len = strlen(s);
	int err;

	if (s[len - 1] != ']')
		return pos_fail(&ps->pos, "unterminated section header");
	s[len - 1] = '\0';
	err = end_section(ps);
	if (err)
		return err;
	if (!strcasecmp(s + 1, "Interface")) {
		if (ps->saw_interface)
			return pos_fail(&ps->pos, "a second [Interface] section");
		ps->saw_interface = true;
		ps->section = SECTION_INTERFACE;
		return 0;
	}
	if (strcasecmp(s + 1, "Peer") && !is_word(s + 1))
		return pos_fail(&ps->pos, "unknown section ([Interface] or [Peer])");
	if (strcasecmp(s + 1, "Peer"))
		return pos_fail(&ps->pos, "unknown section '[%s]' ([Interface] or [Peer])", s + 1);
	if (pol->n_peers == pol->cap_peers) {
		size_t cap = pol->cap_peers ? 2 * pol->cap_peers : 8;
		struct peer_rules *v = realloc(pol->peers, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pol->peers = v;
		pol->cap_peers = cap;
	}
	memset(&pol->peers[pol->n_peers], 0, sizeof(*pol->peers));
	pol->peers[pol->n_peers++].line = ps->pos.line;
	ps->section = SECTION_PEER;
	ps->has_key = false;
	return 0;
}

/* The prefixes of the setting key (its name as documented). */
static int prefixes(struct parser *ps, const char *key, char *value, struct prefix_list *l)
{
	char *item, *save = NULL;
	struct prefix p;
	int err;

	if (!*value || value[strlen(value) - 1] == ',' || *value == ',' || strstr(value, ",,"))
		return pos_fail(&ps->pos, "an empty prefix in %s", key);
	for (item = strtok_r(value, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		item = trim(item);
		if (prefix_parse(item, &p))
			return pos_fail(&ps->pos, "invalid prefix '%s'", item);
		err = prefix_list_add(l, &p);
		if (err)
			return err;
		l->lines[l->n - 1] = ps->pos.line;
	}
	return 0;
}

static int peer_key(struct parser *ps, struct peer_rules *r, const char *value)
{
	const struct peer_rules *first;

	if (ps->has_key)
		return pos_fail(&ps->pos, "a second PublicKey in one [Peer]");
	if (key_from_base64(r->public_key, value))
		return pos_fail(&ps->pos, "invalid public key '%s'", value);
	ps->has_key = true;
	ps->pol->n_peers--; /* not its own duplicate */
	first = policy_find(ps->pol, r->public_key);
	ps->pol->n_peers++;
	if (first)
		return pos_fail(&ps->pos, "peer %s appears twice (first at line %u)", value, first->line);
	return 0;
}

static int peer_setting(struct parser *ps, const char *key, char *value)
{
	struct peer_rules *r = &ps->pol->peers[ps->pol->n_peers - 1];

	if (!strcasecmp(key, "PublicKey"))
		return peer_key(ps, r, value);
	if (!strcasecmp(key, "AllowedSources")) {
		r->has_sources = true;
		return prefixes(ps, "AllowedSources", value, &r->sources);
	}
	if (!strcasecmp(key, "AllowedDestinations")) {
		r->has_destinations = true;
		return prefixes(ps, "AllowedDestinations", value, &r->destinations);
	}
	if (!strcasecmp(key, "Block")) {
		if (strcasecmp(value, "true") && strcasecmp(value, "false"))
			return pos_fail(&ps->pos, "Block is true or false, not '%s'", value);
		r->blocked = !strcasecmp(value, "true");
		return 0;
	}
	return pos_fail(&ps->pos, "unknown key '%s' in [Peer]", key);
}

static int setting(struct parser *ps, char *s)
{
	char *eq = strchr(s, '='), *key, *value;

	if (!eq)
		return not_policy(ps);
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!is_word(key))
		return not_policy(ps);
	if (ps->section == SECTION_NONE)
		return pos_fail(&ps->pos, "a setting outside any section ([Interface] or [Peer] "
				"first)");
	if (ps->section == SECTION_PEER)
		return peer_setting(ps, key, value);
	if (strcasecmp(key, "Mode"))
		return pos_fail(&ps->pos, "unknown key '%s' in [Interface]", key);
	if (!strcasecmp(value, "monitor"))
		ps->pol->mode = WGSF_MODE_MONITOR;
	else if (!strcasecmp(value, "enforce"))
		ps->pol->mode = WGSF_MODE_ENFORCE;
	else
		return pos_fail(&ps->pos, "Mode is monitor or enforce, not '%s'", value);
	ps->pol->mode_line = ps->pos.line;
	return 0;
}

static int line(struct parser *ps, char *buf, size_t len)
{
	size_t i = pos_bom(&ps->pos, buf);
	char *hash, *s;

	buf += i;
	len -= i;
	if (!strncmp(buf, "\xef\xbb\xbf", 3))
		return pos_fail(&ps->pos, "a UTF-8 byte order mark, which only the first line "
				"may start with");
	if (len > LINE_MAX_LEN)
		return pos_fail(&ps->pos, "line longer than %d bytes", LINE_MAX_LEN);
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] < ' ' && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r')
			return pos_fail(&ps->pos, "binary data (byte 0x%02x)", (unsigned char)buf[i]);
	hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	s = trim(buf);
	if (!*s)
		return 0;
	return *s == '[' ? section(ps, s) : setting(ps, s);
}

int policy_parse(const char *name, const char *text, size_t size, struct policy *out,
		 char err[POLICY_ERR_LEN])
{
	struct parser ps = { .pos = { name, 0, err, POLICY_ERR_LEN }, .pol = out };
	FILE *f = size ? fmemopen((void *)text, size, "r") : NULL;
	size_t cap = 0;
	char *buf = NULL;
	ssize_t len;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->mode = -1;
	while (f && !r && (len = getline(&buf, &cap, f)) >= 0) {
		ps.pos.line++;
		r = line(&ps, buf, len);
	}
	r = r ?: end_section(&ps);
	if (!r && !ps.saw_interface && !out->n_peers) {
		snprintf(err, POLICY_ERR_LEN, "%s: empty policy: no [Interface] or [Peer] section",
			 name);
		r = -EINVAL;
	}
	free(buf);
	if (f)
		fclose(f);
	if (r)
		policy_free(out);
	return r;
}

int policy_load(const char *path, char **text, size_t *size, char err[POLICY_ERR_LEN])
{
	return textfile_read_strict(path, (size_t)WGSF_POLICY_CHUNK * WGSF_POLICY_CHUNKS, text,
				    size, err, POLICY_ERR_LEN);
}

int policy_check_path(const char *path, char err[POLICY_ERR_LEN])
{
	int fd = strict_path_open(path, geteuid(), err, POLICY_ERR_LEN);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int policy_read(const char *path, struct policy *out, char err[POLICY_ERR_LEN])
{
	char *text;
	size_t size;
	int r = policy_load(path, &text, &size, err);

	if (r) {
		memset(out, 0, sizeof(*out));
		out->mode = -1;
		return r;
	}
	r = policy_parse(path, text, size, out, err);
	free(text);
	return r;
}

void policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->n_peers; i++) {
		free(p->peers[i].sources.v);
		free(p->peers[i].sources.lines);
		free(p->peers[i].destinations.v);
		free(p->peers[i].destinations.lines);
	}
	free(p->peers);
	memset(p, 0, sizeof(*p));
	p->mode = -1;
}

static int list_copy(struct prefix_list *dst, const struct prefix_list *src)
{
	*dst = (struct prefix_list){ .v = malloc((src->n ?: 1) * sizeof(*src->v)),
				     .lines = calloc(src->n ?: 1, sizeof(*src->lines)),
				     .n = src->n, .cap = src->n ?: 1 };
	if (!dst->v || !dst->lines)
		return -ENOMEM;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	if (src->n && src->lines)
		memcpy(dst->lines, src->lines, src->n * sizeof(*src->lines));
	return 0;
}

int policy_copy(struct policy *dst, const struct policy *src)
{
	size_t i;
	int err = 0;

	*dst = (struct policy){ .mode = src->mode, .mode_line = src->mode_line,
				.cap_peers = src->n_peers };
	dst->peers = calloc(src->n_peers ?: 1, sizeof(*dst->peers));
	if (!dst->peers)
		return -ENOMEM;
	for (i = 0; i < src->n_peers && !err; i++, dst->n_peers++) {
		dst->peers[i] = src->peers[i];
		dst->peers[i].sources = dst->peers[i].destinations = (struct prefix_list){};
		err = list_copy(&dst->peers[i].sources, &src->peers[i].sources) ?:
		      list_copy(&dst->peers[i].destinations, &src->peers[i].destinations);
	}
	if (err)
		policy_free(dst);
	return err;
}

/* Prefixes nest or are apart: they overlap when one holds the other. */
static bool overlaps(const struct prefix *a, const struct prefix *b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

void policy_ineffective(const struct policy *pol, const struct wg_device *dev,
			void (*fn)(const struct peer_rules *r, const struct prefix *src,
				   unsigned int line, void *ctx),
			void *ctx)
{
	const struct wg_peer *peer;
	size_t i, j, k;

	for (i = 0; i < pol->n_peers; i++) {
		const struct peer_rules *r = &pol->peers[i];

		peer = device_find_peer(dev, r->public_key);
		if (!peer) {
			fn(r, NULL, r->line, ctx);
			continue;
		}
		/* a source wider than an allowed IP still admits that part */
		for (j = 0; j < r->sources.n; j++) {
			for (k = 0; k < peer->n_allowedips; k++)
				if (overlaps(&peer->allowedips[k], &r->sources.v[j]))
					break;
			if (k == peer->n_allowedips)
				fn(r, &r->sources.v[j],
				   r->sources.lines && r->sources.lines[j] ? r->sources.lines[j] : r->line,
				   ctx);
		}
	}
}
