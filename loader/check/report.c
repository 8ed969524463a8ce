// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "check/report.h"
#include "vec.h"

static void finding_free(struct finding *f)
{
	free(f->items);
	free(f->others);
	free(f->rest);
}

struct seen {
	const uint8_t *key;
	size_t at;
};

/* Keys point into one device's peers: one peer, one pointer. */
static int by_key(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	if (x->key != y->key)
		return (uintptr_t)x->key < (uintptr_t)y->key ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

static int by_at(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

/* f->others from f->items. */
static int others(struct finding *f)
{
	struct seen *s;
	size_t i, n = 0;

	if (!f->n_items)
		return 0;
	s = malloc(f->n_items * sizeof(*s));
	f->others = malloc(f->n_items * sizeof(*f->others));
	if (!s || !f->others) {
		free(s);
		return -ENOMEM;
	}
	for (i = 0; i < f->n_items; i++)
		s[i] = (struct seen){ f->items[i].key, i };
	sort_array(s, f->n_items, sizeof(*s), by_key);
	for (i = 0; i < f->n_items; i++)
		if (s[i].key != f->key && (!i || s[i].key != s[i - 1].key))
			s[n++] = s[i];
	sort_array(s, n, sizeof(*s), by_at);
	for (i = 0; i < n; i++)
		f->others[i] = s[i].key;
	f->n_others = n;
	free(s);
	return 0;
}

int check_finding(struct check_report *r, struct finding *f)
{
	int err = others(f) ?: vec_room(&r->findings, r->n_findings, &r->cap_findings, sizeof(*f));

	if (err) {
		finding_free(f);
		return err;
	}
	r->findings[r->n_findings++] = *f;
	return 0;
}

void check_report_init(struct check_report *r, const char *source, bool live)
{
	memset(r, 0, sizeof(*r));
	r->live = live;
	r->policy.mode = -1;
	snprintf(r->source, sizeof(r->source), "%s", source);
}

void check_report_free(struct check_report *r)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		finding_free(&r->findings[i]);
	free(r->findings);
	device_free(r->dev);
	free(r->table);
	wgconf_free(&r->conf);
	free(r->listed);
	free(r->listed_at);
	policy_free(&r->policy);
	memset(r, 0, sizeof(*r));
}
