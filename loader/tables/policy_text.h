/* SPDX-License-Identifier: GPL-2.0-only */
/* The policy text in force, in the pinned policy_text map (see wgsf.h). */
#ifndef WGSF_POLICY_TEXT_H
#define WGSF_POLICY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "wgsf.h"

/* Writes text under id's keys, replacing whatever they held. */
int policy_text_write(int fd, uint32_t id, const char *text, size_t len);
/* The len bytes of id's text, NUL-terminated; *out is the caller's. */
int policy_text_read(int fd, uint32_t id, size_t len, char **out);
/* Deletes id's text. */
int policy_text_clear(int fd, uint32_t id);
/* The policy in force (cfg's text), parsed into out, which is left as it
 * is when none is; named by cfg's file in messages. */
int policy_text_policy(int fd, const struct wgsf_config *cfg, struct policy *out,
		       char err[POLICY_ERR_LEN]);

#endif
