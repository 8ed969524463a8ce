// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "filepos.h"
#include "ini.h"
#include "policy/allow.h"
#include "policy/policy.h"
#include "policy/quarantine.h"
#include "policy/rate.h"
#include "strict_path.h"
#include "textfile.h"
#include "vec.h"
#include "wgsf.h"

/* A Group = NAME of a [Peer], resolved once every [Group] is read. */
struct group_ref {
	size_t peer;
	char name[POLICY_GROUP_NAME_MAX + 1];
	unsigned int line;
};

struct parser {
	struct file_pos pos;
	enum { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER, SECTION_GROUP } section;
	bool saw_interface, has_key;
	struct policy *pol;
	struct group_ref *refs;
	size_t n_refs, cap_refs;
	/* the peers by key, so that a file of 100,000 finds each one's twin
	 * at once: open addressing, peer index + 1, 0 free */
	size_t *by_key, cap_keys, n_keys;
	size_t room; /* Allow rules the policy may still have */
	unsigned int block_line; /* the section's Block; 0: none yet */
};

/* A key or a section's name as a policy has them, which a message may
 * quote: what is not one may be any line of any file (a symbolic link to
 * /etc/shadow), which a message must not repeat. */
static bool is_word(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

	return n && n <= 32 && !s[n];
}

/* A group's name: a word, '.' too, or "*" (when star). */
static bool is_group_name(const char *s, bool star)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");

	return (star && !strcmp(s, "*")) || (n && n <= POLICY_GROUP_NAME_MAX && !s[n]);
}

/* The last [Peer] must have said whose it is. */
static int end_section(struct parser *ps)
{
	if (ps->section != SECTION_PEER)
		return 0;
	return pos_end_peer(&ps->pos, ps->pol->peers[ps->pol->n_peers - 1].line, ps->has_key);
}

static int new_peer(struct parser *ps)
{
	struct policy *pol = ps->pol;
	int err = vec_room(&pol->peers, pol->n_peers, &pol->cap_peers, sizeof(*pol->peers));

	if (err)
		return err;
	memset(&pol->peers[pol->n_peers], 0, sizeof(*pol->peers));
	pol->peers[pol->n_peers++].line = ps->pos.line;
	ps->section = SECTION_PEER;
	ps->has_key = false;
	return 0;
}

/* [Group NAME], "Group" as the first word of s. */
static int new_group(struct parser *ps, const char *name)
{
	struct policy *pol = ps->pol;
	const struct policy_group *first;
	int err;

	if (!*name)
		return pos_fail(&ps->pos, "a [Group] without a name ([Group NAME], or [Group *])");
	if (!is_group_name(name, true))
		return pos_fail(&ps->pos, "invalid group name (letters, digits, '_', '.' and '-', "
				"at most %d; or *)", POLICY_GROUP_NAME_MAX);
	first = policy_group(pol, name);
	if (first)
		return pos_fail(&ps->pos, "group '%s' defined twice (first at line %u)", name,
				first->line);
	err = vec_room(&pol->groups, pol->n_groups, &pol->cap_groups, sizeof(*pol->groups));
	if (err)
		return err;
	memset(&pol->groups[pol->n_groups], 0, sizeof(*pol->groups));
	strcpy(pol->groups[pol->n_groups].name, name);
	pol->groups[pol->n_groups++].line = ps->pos.line;
	ps->section = SECTION_GROUP;
	return 0;
}

static int section(struct parser *ps, char *s)
{
	size_t word = strcspn(s, " \t\r\n\v\f");
	int err = end_section(ps);

	if (err)
		return err;
	ps->block_line = 0;
	if (!strcasecmp(s, "Interface")) {
		if (ps->saw_interface)
			return pos_fail(&ps->pos, "a second [Interface] section");
		ps->saw_interface = true;
		ps->section = SECTION_INTERFACE;
		return 0;
	}
	if (!strcasecmp(s, "Peer"))
		return new_peer(ps);
	if (word == 5 && !strncasecmp(s, "Group", 5))
		return new_group(ps, ini_trim(s + 5));
	if (!is_word(s))
		return pos_fail(&ps->pos, "unknown section ([Interface], [Peer] or [Group NAME])");
	return pos_fail(&ps->pos, "unknown section '[%s]' ([Interface], [Peer] or [Group NAME])",
			s);
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
		item = ini_trim(item);
		if (prefix_parse(item, &p))
			return pos_fail(&ps->pos, "invalid prefix '%s'", item);
		err = prefix_list_add(l, &p);
		if (err)
			return err;
		l->lines[l->n - 1] = ps->pos.line;
	}
	return 0;
}

/* AllowedDestinations: rules of every protocol. */
static int destinations(struct parser *ps, char *value, struct rule_list *rules)
{
	struct prefix_list l = {};
	struct rule r = { .any_proto = true, .hi = 65535, .line = ps->pos.line };
	size_t i;
	int err = prefixes(ps, "AllowedDestinations", value, &l);

	for (i = 0; i < l.n && !err; i++) {
		r.dst = l.v[i];
		err = rule_list_add(rules, &r);
	}
	free(l.v);
	free(l.lines);
	return err;
}

/* The slot of key in ps->by_key: its peer's, or the free one it would take. */
static size_t key_slot(const struct parser *ps, const uint8_t key[WG_KEY_LEN])
{
	size_t h, mask = ps->cap_keys - 1;

	/* keys are the hash of a secret: their bytes are hash enough */
	memcpy(&h, key, sizeof(h));
	for (h &= mask; ps->by_key[h]; h = (h + 1) & mask)
		if (!memcmp(ps->pol->peers[ps->by_key[h] - 1].public_key, key, WG_KEY_LEN))
			break;
	return h;
}

/* Room for one more key, at most half full. */
static int keys_room(struct parser *ps)
{
	struct parser grown = *ps;
	size_t i, *old = ps->by_key;

	if (2 * (ps->n_keys + 1) <= ps->cap_keys)
		return 0;
	grown.cap_keys = ps->cap_keys ? 2 * ps->cap_keys : 64;
	grown.by_key = calloc(grown.cap_keys, sizeof(*grown.by_key));
	if (!grown.by_key)
		return -ENOMEM;
	for (i = 0; i < ps->cap_keys; i++)
		if (old[i])
			grown.by_key[key_slot(&grown, ps->pol->peers[old[i] - 1].public_key)] = old[i];
	free(old);
	ps->by_key = grown.by_key;
	ps->cap_keys = grown.cap_keys;
	return 0;
}

static int peer_key(struct parser *ps, struct peer_rules *r, const char *value)
{
	size_t slot;
	int err;

	if (ps->has_key)
		return pos_fail(&ps->pos, "a second PublicKey in one [Peer]");
	if (key_from_base64(r->public_key, value))
		return pos_fail(&ps->pos, "invalid public key '%s'", value);
	ps->has_key = true;
	err = keys_room(ps);
	if (err)
		return err;
	slot = key_slot(ps, r->public_key);
	if (ps->by_key[slot])
		return pos_fail(&ps->pos, "peer %s appears twice (first at line %u)", value,
				ps->pol->peers[ps->by_key[slot] - 1].line);
	ps->by_key[slot] = ps->pol->n_peers;
	ps->n_keys++;
	return 0;
}

/* Group = NAME[, NAME...], resolved at the end of the file. */
static int group_names(struct parser *ps, char *value)
{
	struct group_ref ref = { .peer = ps->pol->n_peers - 1, .line = ps->pos.line };
	char *item, *next;
	int err = 0;

	for (item = value; item && !err; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		item = ini_trim(item);
		if (!*item)
			return pos_fail(&ps->pos, "an empty group name in Group");
		if (!strcmp(item, "*"))
			return pos_fail(&ps->pos, "Group = * names no group: [Group *] applies to "
					"every peer");
		if (!is_group_name(item, false))
			return pos_fail(&ps->pos, "invalid group name in Group (letters, digits, '_', "
					"'.' and '-', at most %d)", POLICY_GROUP_NAME_MAX);
		strcpy(ref.name, item);
		err = vec_room(&ps->refs, ps->n_refs, &ps->cap_refs, sizeof(ref));
		if (!err)
			ps->refs[ps->n_refs++] = ref;
	}
	return err;
}

/* A setting that a section has once (key, its first at line first; 0:
 * none yet): an error the second time. */
static int once(struct parser *ps, const char *key, unsigned int first)
{
	if (!first)
		return 0;
	return pos_fail(&ps->pos, "a second %s in one %s (first at line %u)", key,
			ps->section == SECTION_PEER ? "[Peer]" : "[Group]", first);
}

/* Once: a section pasted together from two, one blocking and one not,
 * would be unblocked by whichever came last, without a word. */
static int block(struct parser *ps, const char *value, bool *blocked)
{
	int err = once(ps, "Block", ps->block_line);

	if (err)
		return err;
	if (strcasecmp(value, "true") && strcasecmp(value, "false"))
		return pos_fail(&ps->pos, "Block is true or false, not '%s'", value);
	*blocked = !strcasecmp(value, "true");
	ps->block_line = ps->pos.line;
	return 0;
}

/* The keys a [Group] has too; 1 when key is none of them. */
static int rule_setting(struct parser *ps, const char *key, char *value, struct rule_list *rules,
			bool *blocked, struct rate_limit *rate, struct quarantine_rule *quar)
{
	if (!strcasecmp(key, "AllowedDestinations"))
		return destinations(ps, value, rules);
	if (!strcasecmp(key, "Allow"))
		return allow_parse(&ps->pos, value, rules, &ps->room);
	if (!strcasecmp(key, "Block"))
		return block(ps, value, blocked);
	if (!strcasecmp(key, "RateLimit"))
		return once(ps, "RateLimit", rate->line) ?: rate_parse(&ps->pos, value, rate);
	if (!strcasecmp(key, "Quarantine"))
		return once(ps, "Quarantine", quar->line) ?:
		       quarantine_parse(&ps->pos, value, quar);
	return 1;
}

static int peer_setting(struct parser *ps, const char *key, char *value)
{
	struct peer_rules *r = &ps->pol->peers[ps->pol->n_peers - 1];
	int err = rule_setting(ps, key, value, &r->rules, &r->blocked, &r->rate, &r->quarantine);

	if (err <= 0)
		return err;
	if (!strcasecmp(key, "PublicKey"))
		return peer_key(ps, r, value);
	if (!strcasecmp(key, "AllowedSources")) {
		r->has_sources = true;
		return prefixes(ps, "AllowedSources", value, &r->sources);
	}
	if (!strcasecmp(key, "Group"))
		return group_names(ps, value);
	return pos_fail(&ps->pos, "unknown key '%s' in [Peer]", key);
}

static int group_setting(struct parser *ps, const char *key, char *value)
{
	struct policy_group *g = &ps->pol->groups[ps->pol->n_groups - 1];
	int err = rule_setting(ps, key, value, &g->rules, &g->blocked, &g->rate, &g->quarantine);

	if (err <= 0)
		return err;
	if (!strcasecmp(key, "PublicKey") || !strcasecmp(key, "AllowedSources") ||
	    !strcasecmp(key, "Group"))
		return pos_fail(&ps->pos, "%s in a [Group] (a [Peer]'s key only)", key);
	return pos_fail(&ps->pos, "unknown key '%s' in [Group]", key);
}

static int interface_setting(struct parser *ps, const char *key, const char *value)
{
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

static int line(void *ctx, const struct ini_line *l)
{
	struct parser *ps = ctx;

	if (l->section)
		return section(ps, l->section);
	/* a line of no policy syntax: named by its number alone */
	if (!is_word(l->key))
		return pos_fail(&ps->pos, "expected 'Key = Value' or a [Section]");
	switch (ps->section) {
	case SECTION_NONE:
		return pos_fail(&ps->pos, "a setting outside any section ([Interface], [Peer] or "
				"[Group NAME] first)");
	case SECTION_PEER:
		return peer_setting(ps, l->key, l->value);
	case SECTION_GROUP:
		return group_setting(ps, l->key, l->value);
	default:
		return interface_setting(ps, l->key, l->value);
	}
}

/* Each Group = NAME into its peer's groups, once. */
static int resolve_groups(struct parser *ps)
{
	struct policy *pol = ps->pol;
	size_t i, j, cap;
	int err = 0;

	for (i = 0; i < ps->n_refs && !err; i++) {
		struct peer_rules *r = &pol->peers[ps->refs[i].peer];
		const struct policy_group *g = policy_group(pol, ps->refs[i].name);

		ps->pos.line = ps->refs[i].line;
		if (!g)
			return pos_fail(&ps->pos, "group '%s' is not defined", ps->refs[i].name);
		for (j = 0; j < r->n_groups && r->groups[j] != (size_t)(g - pol->groups); j++)
			;
		if (j < r->n_groups)
			continue;
		cap = r->n_groups;
		err = vec_room(&r->groups, r->n_groups, &cap, sizeof(*r->groups));
		if (!err)
			r->groups[r->n_groups++] = g - pol->groups;
	}
	return err;
}

/* text, NUL-terminated at size, read in place. */
static int parse_text(struct parser *ps, char *text, size_t size)
{
	int r = ini_read(&ps->pos, text, size, false, line, ps) ?: end_section(ps) ?:
		resolve_groups(ps);

	if (!r && !ps->saw_interface && !ps->pol->n_peers && !ps->pol->n_groups) {
		ps->pos.line = 0;
		r = pos_fail(&ps->pos, "empty policy: no [Interface], [Peer] or [Group] section");
	}
	return r;
}

int policy_parse(const char *name, const char *text, size_t size, struct policy *out,
		 char err[POLICY_ERR_LEN])
{
	struct parser ps = { .pos = { name, 0, err, POLICY_ERR_LEN }, .pol = out,
			     .room = POLICY_RULES_MAX };
	char *copy = malloc(size + 1);
	int r;

	memset(out, 0, sizeof(*out));
	out->mode = -1;
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, size);
	copy[size] = '\0';
	r = parse_text(&ps, copy, size);
	free(copy);
	free(ps.refs);
	free(ps.by_key);
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
