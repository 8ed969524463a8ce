// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifname.h"
#include "pins/generation.h"
#include "pins/lock.h"
#include "pins/names.h"
#include "attach/session.h"
#include "device/wireguard.h"
#include "err.h"
#include "tables/config.h"
#include "tables/policy_text.h"

static int not_attached(const char *ifname)
{
	wgsf_set_error("%s is not attached (see 'wgsf show')", ifname);
	return -ENOENT;
}

static int read_device(struct session *s)
{
	int err = wg_read_device(s->ifname, &s->dev);

	if (err)
		wgsf_set_error("%s", wg_strerror(err));
	return err;
}

/* The pins in force; s->attached once they are open. */
static int open_current(struct session *s, int flags)
{
	int err = pin_current(s->dir, s->gen);

	err = err ?: maps_open_pinned(s->gen, &s->old);
	if (err == -ENOENT) {
		/* a directory without a whole generation in force: the
		 * leftovers of a command killed before its first commit */
		s->leftovers = true;
		return flags & (SESSION_CREATE | SESSION_ANY) ? 0 : not_attached(s->ifname);
	}
	err = err ?: config_read(s->old.fd[MAP_CONFIG], &s->cfg);
	if (!err && s->cfg.abi_version != WGSF_ABI_VERSION && (flags & SESSION_ANY)) {
		/* another wgsf's pins: detach removes them as it does leftovers */
		s->leftovers = true;
		s->foreign_abi = s->cfg.abi_version;
		err = 1;
	}
	if (err) {
		maps_close(&s->old);
		return err > 0 ? 0 : err;
	}
	s->attached = true;
	memcpy(s->path, s->cfg.policy, sizeof(s->path));
	if (s->cfg.abi_version != WGSF_ABI_VERSION) {
		wgsf_set_error("%s was attached by an incompatible wgsf (map ABI %u, this is %u): "
			       "detach it first", s->ifname, s->cfg.abi_version, WGSF_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

int session_begin(struct session *s, const char *ifname, int flags)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->ifname = ifname;
	s->lock = -1;
	s->own.mode = -1;
	s->pol = &s->own;
	if (ifname_check(ifname)) {
		wgsf_set_error("invalid interface name");
		return -EINVAL;
	}
	/* a first attach makes no pins for what is no WireGuard interface */
	err = (flags & SESSION_CREATE) && (flags & SESSION_READ_WG) ? read_device(s) : 0;
	err = err ?: pin_iface_dir(ifname, s->dir);
	if (err)
		return err;
	s->lock = pin_lock(s->dir, flags & SESSION_CREATE ? PIN_LOCK_CREATE : 0);
	if (s->lock == -ENOENT)
		return (flags & SESSION_READ_WG ? read_device(s) : 0) ?: not_attached(ifname);
	if (s->lock < 0)
		return s->lock;
	/* The device as it is under the lock: read before it, a command's
	 * snapshot could be older than the one another command applied
	 * meanwhile, and put back what that one removed. */
	if (flags & SESSION_READ_WG) {
		device_free(s->dev);
		s->dev = NULL;
		err = read_device(s);
	}
	err = err ?: open_current(s, flags);
	/* what is not in force is what a command killed midway left */
	pin_sweep(s->dir);
	return err;
}

void session_end(struct session *s)
{
	if (s->attached)
		maps_close(&s->old);
	pin_unlock(s->lock);
	device_free(s->dev);
	policy_free(&s->own);
	free(s->text);
}

struct warning {
	const struct session *s;
	const char *path;
	void (*warn)(const char *msg);
};

static void warn_rule(const struct policy_warning *pw, void *ctx)
{
	char msg[512], key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN];
	const struct warning *w = ctx;

	if (pw->peer)
		key_to_base64(key, pw->peer->public_key);
	if (pw->kind == POLICY_NOT_A_PEER)
		snprintf(msg, sizeof(msg), "%s:%u: peer %s is not a peer of %s", w->path, pw->line,
			 key, w->s->ifname);
	else if (pw->kind == POLICY_SOURCE_OUTSIDE)
		snprintf(msg, sizeof(msg), "%s:%u: peer %s: allowed source %s lies outside its "
			 "allowed IPs, so WireGuard drops it before wgsf sees it", w->path, pw->line,
			 key, prefix_format(pw->src, buf));
	else
		snprintf(msg, sizeof(msg), "%s:%u: group '%s' has no member: its rules do nothing",
			 w->path, pw->line, pw->group->name);
	w->warn(msg);
}

static void policy_warnings(const struct session *s, const char *path, void (*warn)(const char *))
{
	struct warning w = { s, path, warn };

	if (warn)
		policy_ineffective(s->pol, s->dev, warn_rule, &w);
}

/* The text in force, parsed into s->own; none when there is none. */
static int pinned_policy(struct session *s, char err[POLICY_ERR_LEN])
{
	return s->attached ? policy_text_policy(s->old.fd[MAP_POLICY_TEXT], &s->cfg, &s->own, err)
			   : 0;
}

/* The file's text when it is not the one in force; its policy in s->own. */
static int file_policy(struct session *s, const char *path, char err[POLICY_ERR_LEN])
{
	char *pinned = NULL;
	int r = policy_load(path, &s->text, &s->text_len, err);

	r = r ?: policy_parse(path, s->text, s->text_len, &s->own, err);
	if (r || !s->attached || s->text_len != s->cfg.policy_len)
		return r;
	if (!policy_text_read(s->old.fd[MAP_POLICY_TEXT], s->cfg.policy_id, s->cfg.policy_len,
			      &pinned) && !memcmp(pinned, s->text, s->text_len)) {
		free(s->text);
		s->text = NULL;
	}
	free(pinned);
	return 0;
}

/* Whether path names one of this command's open files, as <(...) gives
 * /dev/fd/63, or another per-process file of /proc: gone, or another file,
 * when a later sync reads it. */
static bool own_fd_path(const char *path)
{
	static const char *const prefixes[] = { "/dev/fd/", "/dev/std", "/proc/" };
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* A new policy file: its absolute path goes to the config, as sync re-reads
 * it from anywhere. */
static int set_path(struct session *s, const char *path)
{
	char abs[PATH_MAX], err[POLICY_ERR_LEN];
	int r;

	if (own_fd_path(path) || (realpath(path, abs) && own_fd_path(abs))) {
		wgsf_set_error("%s: an open file of this command, which later syncs cannot read "
			       "again: give the policy's own path", path);
		return -EINVAL;
	}
	/* the path as given: the links that realpath() follows are checked
	 * too (what does not resolve, realpath() says) */
	r = policy_check_path(path, err);
	if (r && r != -ENOENT) {
		wgsf_set_error("%s", err);
		return r;
	}
	if (!realpath(path, abs)) {
		wgsf_set_error("%s: %s", path, strerror(errno));
		return -errno;
	}
	if (strlen(abs) >= sizeof(s->path)) {
		wgsf_set_error("%s: path longer than %d bytes", abs, WGSF_POLICY_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	memcpy(s->path, abs, strlen(abs) + 1);
	return 0;
}

/* The file in force, or when it cannot be read, the text in force. */
static int refresh(struct session *s, void (*warn)(const char *msg))
{
	char err[POLICY_ERR_LEN], msg[POLICY_ERR_LEN + 64];
	int r;

	if (!s->path[0])
		return 0;
	r = file_policy(s, s->path, err);
	if (!r) {
		policy_warnings(s, s->path, warn);
		return 0;
	}
	free(s->text);
	s->text = NULL;
	if (warn) {
		snprintf(msg, sizeof(msg), "%s; the policy last read from it stays in force", err);
		warn(msg);
	}
	r = pinned_policy(s, err);
	if (r)
		wgsf_set_error("%s", err);
	return r;
}

static int from_memo(struct session *s, struct policy_memo *memo)
{
	char err[POLICY_ERR_LEN];
	int r;

	if (!memo || !memo->valid || memo->id != s->cfg.policy_id) {
		r = pinned_policy(s, err);
		if (r) {
			wgsf_set_error("%s", err);
			return r;
		}
		if (!memo)
			return 0;
		policy_free(&memo->pol);
		memo->pol = s->own;
		memo->id = s->cfg.policy_id;
		memo->valid = true;
		s->own = (struct policy){ .mode = -1 };
	}
	s->pol = &memo->pol;
	return 0;
}

static int policy_from(struct session *s, enum policy_source src, const char *path,
		       void (*warn)(const char *msg), struct policy_memo *memo)
{
	char err[POLICY_ERR_LEN];
	int r;

	switch (src) {
	case POLICY_PINNED:
		return from_memo(s, memo);
	case POLICY_FILE:
		return refresh(s, warn);
	case POLICY_NONE:
		s->path[0] = '\0';
		/* an empty text, unlike the one in force */
		s->text = s->attached && s->cfg.policy_len ? calloc(1, 1) : NULL;
		return 0;
	case POLICY_PATH:
		r = set_path(s, path);
		if (r)
			return r;
		r = file_policy(s, s->path, err);
		if (r) {
			wgsf_set_error("%s", err);
			return r;
		}
		policy_warnings(s, s->path, warn);
		return 0;
	}
	return -EINVAL;
}

/* The Mode of the policy text in force; -1 where it has none, or there is
 * none (or it cannot be read again: then any Mode is new to it). */
static int mode_in_force(const struct session *s)
{
	struct policy p = { .mode = -1 };
	char err[POLICY_ERR_LEN];
	int mode = -1;

	if (s->attached && !policy_text_policy(s->old.fd[MAP_POLICY_TEXT], &s->cfg, &p, err))
		mode = p.mode;
	policy_free(&p);
	return mode;
}

int session_policy(struct session *s, enum policy_source src, const char *path,
		   void (*warn)(const char *msg), struct policy_memo *memo)
{
	int r = policy_from(s, src, path, warn, memo);

	/* A new text's Mode takes effect where its value is new to the text in
	 * force: an edit elsewhere in the file does not undo --mode. */
	if (!r && s->text && s->own.mode >= 0 && s->own.mode != mode_in_force(s))
		s->mode_line = s->own.mode_line;
	return r;
}
