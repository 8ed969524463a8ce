// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>

#include "tables/diff.h"

int table_entry_cmp(const void *a, const void *b)
{
	return prefix_cmp(&((const struct table_entry *)a)->prefix,
			  &((const struct table_entry *)b)->prefix);
}

int table_entry_owner_cmp(const void *a, const void *b)
{
	const struct table_entry *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return prefix_cmp(&x->prefix, &y->prefix);
}

int table_push(struct table_entry **v, size_t *n, size_t *cap, const struct table_entry *e)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct table_entry *nv = realloc(*v, ncap * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = *e;
	return 0;
}

int table_read_map(int fd, uint8_t family, bool policy, struct table_entry **v, size_t *n,
		   size_t *cap)
{
	struct table_entry t = {}; /* padding too, so that entries compare whole */
	struct map_entries e;
	size_t i;
	int err = map_read_all(fd, &e);

	for (i = 0; !err && i < e.n; i++) {
		/* allowed IPs: the slot and its bits; a policy table: its
		 * value (the key holds the owner) */
		t.slot = ((uint32_t *)e.values)[i];
		t.bits = policy ? t.slot : t.slot & ~WGSF_ENTRY_SLOT;
		t.slot &= WGSF_ENTRY_SLOT;
		key_decode((char *)e.keys + i * e.key_size, family, policy, &t.prefix, &t.slot);
		err = table_push(v, n, cap, &t);
	}
	map_entries_free(&e);
	return err;
}

/* Writes the entries of want that have is missing or holds otherwise. */
int diff_write(const struct maps *m, const struct diff_ops *ops, const struct table_entry *want,
	       size_t nw, const struct table_entry *have, size_t nh, size_t *added,
	       size_t *changed)
{
	struct prefix *p = ops->write_many ? malloc((nw + 1) * sizeof(*p)) : NULL;
	uint32_t *slots = ops->write_many ? malloc((nw + 1) * sizeof(*slots)) : NULL;
	size_t i, j = 0, n = 0;
	int err = ops->write_many && (!p || !slots) ? -ENOMEM : 0, c;

	for (i = 0; i < nw && !err; i++) {
		while (j < nh && ops->cmp(&have[j], &want[i]) < 0)
			j++;
		c = j < nh ? ops->cmp(&have[j], &want[i]) : 1;
		if (c == 0 && have[j].slot == want[i].slot && have[j].bits == want[i].bits)
			continue;
		/* bits alone: the policy changed, which counts itself */
		if (c || have[j].slot != want[i].slot)
			(*(c == 0 ? changed : added))++;
		if (!ops->write_many) {
			err = ops->write(m, &want[i]);
			continue;
		}
		p[n] = want[i].prefix;
		slots[n++] = want[i].slot | want[i].bits;
	}
	if (!err && n)
		err = ops->write_many(m, p, slots, n);
	free(p);
	free(slots);
	return err;
}

void diff_peaks(const struct diff_ops *ops, const struct table_entry *want, size_t nw,
		const struct table_entry *have, size_t nh, uint32_t peak[MAP_COUNT])
{
	size_t i, j;

	for (j = 0; j < nh; j++)
		peak[ops->map_of(&have[j])]++;
	for (i = 0, j = 0; i < nw; i++) {
		while (j < nh && ops->cmp(&have[j], &want[i]) < 0)
			j++;
		if (j == nh || ops->cmp(&have[j], &want[i]))
			peak[ops->map_of(&want[i])]++;
	}
}

/* Deletes the entries of have that want no longer has. */
int diff_delete(const struct maps *m, const struct diff_ops *ops, const struct table_entry *want,
		size_t nw, const struct table_entry *have, size_t nh, size_t *removed)
{
	size_t i = 0, j;
	int err = 0;

	for (j = 0; j < nh && !err; j++) {
		while (i < nw && ops->cmp(&want[i], &have[j]) < 0)
			i++;
		if (i < nw && !ops->cmp(&want[i], &have[j]))
			continue;
		err = ops->del(m, &have[j]);
		(*removed)++;
	}
	return err;
}
