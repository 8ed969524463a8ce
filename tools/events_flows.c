// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <time.h>
#include <bpf/bpf.h>

#include "events_flows.h"
#include "events_print.h"
#include "tables/maps.h"
#include "ui_names.h"
#include "wgsf.h"

const char *events_slot_key(int slots_fd, uint32_t slot, char buf[WG_KEY_B64_LEN])
{
	struct wgsf_slot e;

	if (bpf_map_lookup_elem(slots_fd, &slot, &e) || !e.in_use)
		return NULL;
	key_to_base64(buf, e.public_key);
	return buf;
}

int events_flows_sweep(const char *ifname, int flowrec_fd, int slots_fd, uint64_t idle_ns,
		       int64_t mono_to_real)
{
	uint64_t now = ui_clock_ns(CLOCK_MONOTONIC_COARSE);
	const struct wgsf_flowrec_key *keys;
	const struct wgsf_flowrec *recs;
	char key[WG_KEY_B64_LEN];
	struct wgsf_flow_end end;
	struct map_entries e;
	size_t i;
	int err = map_read_all(flowrec_fd, &e);

	if (err)
		return err;
	keys = e.keys;
	recs = e.values;
	for (i = 0; i < e.n; i++) {
		/* as read in one pass over the table, then as it is now: a
		 * packet may have come since the pass read it */
		if (recs[i].last_ns + idle_ns > now ||
		    bpf_map_lookup_elem(flowrec_fd, &keys[i], &end.rec) ||
		    end.rec.last_ns + idle_ns > now)
			continue;
		/* the one delete that succeeds prints it: a second reader's,
		 * or an eviction meanwhile, finds it gone */
		if (bpf_map_lookup_and_delete_elem(flowrec_fd, &keys[i], &end.rec))
			continue;
		end.time_ns = ui_clock_ns(CLOCK_MONOTONIC);
		end.why = WGSF_FLOW_END_IDLE;
		end.key = keys[i];
		events_print_flow_end(ifname, events_slot_key(slots_fd, end.rec.slot, key), &end,
				      mono_to_real);
	}
	map_entries_free(&e);
	return 0;
}
