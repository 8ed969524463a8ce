// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow records through the real program (tests/lib/world.h).
 */
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "l4packet.h"
#include "tap.h"
#include "world.h"

static const struct world_peer peers[] = {
	{ "192.0.2.0/26 2001:db8:1::/64", NULL },
};

static size_t flows_in(const struct world *w)
{
	struct wgsf_flowrec_key k, next;
	size_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(w->maps.fd[MAP_FLOWREC], prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

int main(void)
{
	struct world w = {};
	struct l4_spec s = { .proto = IPPROTO_UDP, .sport = 1000, .dport = 53 };
	int err;

	require_root_bpf();
	err = world_load_with(&w, peers, 1, &(struct world_opts){ .flows = 64 });
	ok(!err, "loads with flows on (%d)", err);
	l4_spec_addrs(&s, "192.0.2.10", "198.51.100.1");
	world_run(w.in, &s, NULL);
	world_run(w.in, &s, NULL);
	is_u64(flows_in(&w), 1, "one flow");
	world_destroy(&w);
	return done_testing();
}
