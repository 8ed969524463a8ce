/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An interface's pins change as one: a writer pins a whole new set in a
 * generation directory DIR/gN, then points the symlink DIR/current at it,
 * which is one rename. A reader, or a command after a kill at any instant,
 * finds either the old set whole or the new one whole.
 */
#ifndef WGSF_PINS_GENERATION_H
#define WGSF_PINS_GENERATION_H

#include <limits.h>

/* The generation in force, as a path; -ENOENT when none was committed. */
int pin_current(const char *dir, char out[PATH_MAX]);
/* A new, empty generation directory after the one in force. */
int pin_generation(const char *dir, char out[PATH_MAX]);
/* Puts gen in force. */
int pin_commit(const char *dir, const char *gen);
/* Removes what is not in force: generations of commands killed before
 * their commit, and the one a commit replaced. */
void pin_sweep(const char *dir);

#endif
