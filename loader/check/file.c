// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "check/effective.h"
#include "check/file.h"
#include "check/overlaps.h"

/* not-routed from a file: with Table = off wg-quick adds no routes, and
 * only the routes of the interface's own addresses lead through it for
 * sure. */
static int table_off(struct check_report *r)
{
	size_t i, j;
	int err = 0;

	if (!r->conf.table_off)
		return 0;
	for (i = 0; i < r->n_table && !err; i++) {
		const struct check_entry *e = &r->table[i];

		for (j = 0; j < r->conf.n_addresses; j++)
			if (prefix_contains(&r->conf.addresses[j], &e->prefix))
				break;
		if (j < r->conf.n_addresses)
			continue;
		err = check_finding(r, &(struct finding){
			.kind = CHECK_NOT_ROUTED, .key = r->dev->peers[e->peer].public_key,
			.prefix = e->prefix,
			.line = e->line });
	}
	return err;
}

/* The findings of the config in r->conf, named name */
static int check_conf(const char *name, struct check_report *r, char err[WGCONF_ERR_LEN])
{
	int e = check_config(r) ?: check_overlaps(r) ?: table_off(r);

	if (e) {
		snprintf(err, WGCONF_ERR_LEN, "%s: %s", name, strerror(-e));
		check_report_free(r);
		return e;
	}
	return 0;
}

int check_file(const char *path, struct check_report *r, char err[WGCONF_ERR_LEN])
{
	check_report_init(r, path, false);
	return wgconf_read(path, &r->conf, err) ?: check_conf(path, r, err);
}

int check_text(const char *name, const char *text, size_t size, struct check_report *r,
	       char err[WGCONF_ERR_LEN])
{
	check_report_init(r, name, false);
	return wgconf_parse(name, text, size, &r->conf, err) ?: check_conf(name, r, err);
}
