// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "tables/flowrec.h"

uint32_t flowrec_table_size(const struct maps *m)
{
	uint32_t n = map_capacity(m->fd[MAP_FLOWREC_ORDER]);

	return n > 1 ? n : 0;
}

int flowrec_forget(const struct maps *m, const uint32_t *gone, size_t n)
{
	const struct wgsf_flowrec_key *keys;
	const struct wgsf_flowrec *recs;
	struct map_entries e;
	uint32_t *sorted;
	size_t i;
	int err;

	if (!n || !flowrec_table_size(m))
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, gone, n * sizeof(*sorted));
	sort_array(sorted, n, sizeof(*sorted), sort_u32_cmp);
	err = map_read_all(m->fd[MAP_FLOWREC], &e);
	keys = e.keys;
	recs = e.values;
	/* A flow is removed by its key, which holds no slot: one that a peer
	 * given a departed peer's address starts between this read and the
	 * delete goes with it, and its next packet starts it again. */
	for (i = 0; !err && i < e.n; i++)
		/* gone meanwhile: evicted, or ended as idle */
		if (bsearch(&recs[i].slot, sorted, n, sizeof(*sorted), sort_u32_cmp) &&
		    bpf_map_delete_elem(m->fd[MAP_FLOWREC], &keys[i]) && errno != ENOENT)
			err = -errno;
	map_entries_free(&e);
	free(sorted);
	return err;
}
