/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Commands take turns on a pin directory with an flock on it: writers one
 * at a time, readers together while no writer holds it.
 */
#ifndef WGSF_PINS_LOCK_H
#define WGSF_PINS_LOCK_H

#define PIN_LOCK_CREATE 1 /* create dir (and parents) first */
#define PIN_LOCK_SHARED 2 /* a reader's lock: readers share, writers wait */
/* Holds a flock on dir; returns the lock fd, or -ENOENT when dir does not
 * exist (without PIN_LOCK_CREATE). */
int pin_lock(const char *dir, int flags);
void pin_unlock(int fd);

#endif
