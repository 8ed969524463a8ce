/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Looking for key material that wgsf left behind: in each block it frees
 * (free() wrapped at the link, -Wl,--wrap=free, for the programs that link
 * this; no other may), and on the stack below the caller once the code under
 * test has returned. Any 8 bytes of a key in a row count, in its three
 * spellings: its bytes, its base64 (wg's configs) and its hex (the UAPI's
 * replies), where 11 and 16 characters carry as much.
 */
#ifndef WGSF_KEYWATCH_H
#define WGSF_KEYWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"

#define KEYWATCH_MAX 4
/* How far below the caller the stack is cleared and looked at. */
#define KEYWATCH_STACK (64 * 1024)

/* Since the last keywatch_reset(): the blocks freed, and how many of them
 * held a watched key. */
struct keywatch_frees {
	unsigned int freed, holding;
};
extern struct keywatch_frees keywatch_frees;

/* Watches key too; false when KEYWATCH_MAX are watched already. */
bool keywatch_add(const uint8_t key[WG_KEY_LEN]);
void keywatch_reset(void);
/* Whether n bytes at p hold a run of a watched key, in any spelling. */
bool keywatch_holds(const void *p, size_t n);
/* Zeroes KEYWATCH_STACK bytes and more below the caller, so that what the
 * code called next leaves there is all that keywatch_stack_holds() finds. */
void keywatch_stack_clear(void);
/* Whether the KEYWATCH_STACK bytes below the caller hold a watched key.
 * The code under test must have run deeper than this call's own frame
 * (keywatch_call_deep()). */
bool keywatch_stack_holds(void);
/* Calls fn(arg) a few KiB below the caller, out of reach of the frame of a
 * keywatch_stack_holds() called next. */
int keywatch_call_deep(int (*fn)(void *), void *arg);

#endif
