// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracerctl enable|disable IFACE: registers IFACE with the tracer of kernel
 * WireGuard's own drops, or unregisters it (the last one unloads the
 * tracer), leaving the datapath attached as it is; for the benchmark that
 * measures the tracer's cost with and without it. The interface is one
 * that wgsf attached: the tracer writes its events with its maps.
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "attach/iface.h"
#include "err.h"
#include "tracer/tracer.h"

static int enable(const char *ifname, int ifindex)
{
	struct iface_pins p;
	int err = iface_open(ifname, &p);

	if (err)
		return err;
	err = tracer_enable(ifname, ifindex,
			    &(struct tracer_events){ p.maps.fd[MAP_EVENTS],
						     p.maps.fd[MAP_EVENT_READER],
						     p.maps.fd[MAP_QUARANTINE] });
	iface_close(&p);
	return err;
}

int main(int argc, char **argv)
{
	int ifindex = argc == 3 ? (int)if_nametoindex(argv[2]) : 0, err;

	if (!ifindex || (strcmp(argv[1], "enable") && strcmp(argv[1], "disable"))) {
		fprintf(stderr, "usage: tracerctl enable|disable IFACE (an existing interface)\n");
		return 1;
	}
	err = !strcmp(argv[1], "enable") ? enable(argv[2], ifindex) : tracer_disable(ifindex);
	if (err)
		fprintf(stderr, "tracerctl: %s %s: %s\n", argv[1], argv[2], wgsf_error(err));
	return !!err;
}
