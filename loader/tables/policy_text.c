// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "tables/policy_text.h"
#include "wgsf.h"

int policy_text_write(int fd, uint32_t id, const char *text, size_t len)
{
	struct wgsf_policy_chunk *c = malloc(sizeof(*c));
	uint32_t i, key;
	size_t off, n;
	int err = c ? policy_text_clear(fd, id) : -ENOMEM;

	if (!err && len > (size_t)WGSF_POLICY_CHUNK * WGSF_POLICY_CHUNKS)
		err = -EFBIG;
	for (i = 0, off = 0; !err && off < len; i++, off += n) {
		n = len - off < WGSF_POLICY_CHUNK ? len - off : WGSF_POLICY_CHUNK;
		memset(c, 0, sizeof(*c));
		memcpy(c->text, text + off, n);
		key = WGSF_POLICY_KEY(id, i);
		if (bpf_map_update_elem(fd, &key, c, BPF_ANY))
			err = -errno;
	}
	free(c);
	return err;
}

int policy_text_read(int fd, uint32_t id, size_t len, char **out)
{
	char *text = malloc(len + WGSF_POLICY_CHUNK);
	uint32_t i, key;
	size_t off;

	if (!text)
		return -ENOMEM;
	for (i = 0, off = 0; off < len; i++, off += WGSF_POLICY_CHUNK) {
		key = WGSF_POLICY_KEY(id, i);
		if (bpf_map_lookup_elem(fd, &key, text + off)) {
			free(text);
			return -errno;
		}
	}
	text[len] = '\0';
	*out = text;
	return 0;
}

int policy_text_clear(int fd, uint32_t id)
{
	uint32_t *keys = malloc(2 * WGSF_POLICY_CHUNKS * sizeof(*keys)), *prev = NULL, next;
	size_t n = 0, i;
	int err = keys ? 0 : -ENOMEM;

	/* all keys first: a walk loses its place at a key deleted under it */
	while (!err && n < 2 * WGSF_POLICY_CHUNKS && !bpf_map_get_next_key(fd, prev, &next)) {
		keys[n] = next;
		prev = &keys[n++];
	}
	for (i = 0; !err && i < n; i++)
		if ((keys[i] >> 31) == (id & 1) && bpf_map_delete_elem(fd, &keys[i]) &&
		    errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

int policy_text_policy(int fd, const struct wgsf_config *cfg, struct policy *out,
		       char err[POLICY_ERR_LEN])
{
	char *text = NULL;
	int r;

	if (!cfg->policy_len)
		return 0;
	r = policy_text_read(fd, cfg->policy_id, cfg->policy_len, &text);
	if (r) {
		snprintf(err, POLICY_ERR_LEN, "the policy in force cannot be read: %s",
			 strerror(-r));
		return r;
	}
	r = policy_parse(cfg->policy, text, cfg->policy_len, out, err);
	free(text);
	return r;
}
