/* SPDX-License-Identifier: GPL-2.0-only */
/* Removing pins: a directory and everything below it, and the parents it
 * leaves empty. */
#ifndef WGSF_PINS_TREE_H
#define WGSF_PINS_TREE_H

/* Removes dir and its now-empty parents; pins inside must be gone. */
void pin_dir_remove(const char *dir);
/* Removes path and everything below it, never following a symlink. */
int pin_remove_tree(const char *path);

#endif
