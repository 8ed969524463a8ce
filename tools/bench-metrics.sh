#!/usr/bin/env bash
# The cost of a scrape (`wgsf metrics`) of N peers, for `make bench`: a
# gateway on wireguard-go with two interfaces of N/2 peers each (one
# wireguard-go holds 65,536 at the most), a /128 each, both attached,
# served by `wgsf metrics --listen` on its loopback and scraped over HTTP
# as Prometheus does; and written as a textfile (--output). One JSON object
# on stdout. Usage: tools/bench-metrics.sh N
. "$(dirname "$0")/topology.sh"
set -u
ROUNDS=5
URL=http://127.0.0.1:9587/metrics

# Peers FROM to TO: keys from their number, so that a run needs no randomness.
peers_conf() { # FROM TO
	perl -MMIME::Base64 -e 'for my $i ($ARGV[0] .. $ARGV[1]) {
		printf "[Peer]\nPublicKey = %s\nAllowedIPs = 2001:db8:%x:%x::/128\n",
			encode_base64(pack("N", $i) . "\1" x 28, ""), $i >> 16, $i & 0xffff;
	}' "$1" "$2"
}

# The median of ROUNDS runs of a command, in microseconds.
median_us() { # COMMAND...
	local i t0
	for i in $(seq $ROUNDS); do
		t0=${EPOCHREALTIME/./}
		"$@" >/dev/null || return 1
		echo $((${EPOCHREALTIME/./} - t0))
	done | sort -n | sed -n "$(((ROUNDS + 1) / 2))p"
}

scrape() { gw_run curl -fsS -o /dev/null "$URL"; }

bench_size() { # N
	local n=$1 server i scrape_us output_us bytes ifc=${GW_IF}b
	start_wg "$GW_NS" "$ifc" && ip -n "$GW_NS" link set "$ifc" up || return 1
	peers_conf 1 $((n / 2)) >"$WORK/a.conf"
	peers_conf $((n / 2 + 1)) "$n" >"$WORK/b.conf"
	gw_run wg addconf "$GW_IF" "$WORK/a.conf" && gw_run wg addconf "$ifc" "$WORK/b.conf" &&
		wgsf_gw attach "$GW_IF" >/dev/null && ATTACHED+=("$GW_NS $GW_IF") &&
		wgsf_gw attach "$ifc" >/dev/null && ATTACHED+=("$GW_NS $ifc") || return 1
	nsenter --net="/var/run/netns/$GW_NS" "$WGSF" metrics --listen 127.0.0.1 2>/dev/null &
	server=$!
	PIDS+=($server)
	for i in $(seq 50); do scrape 2>/dev/null && break; sleep 0.1; done
	scrape_us=$(median_us scrape) &&
		output_us=$(median_us gw_run "$WGSF" metrics --output "$WORK/wgsf.prom") &&
		bytes=$(wc -c <"$WORK/wgsf.prom") || return 1
	kill "$server" && wait "$server" 2>/dev/null
	printf '{"bench":"metrics","peers":%d,"scrape_s":%d.%06d,"output_s":%d.%06d,"bytes":%d}\n' \
		"$n" $((scrape_us / 1000000)) $((scrape_us % 1000000)) \
		$((output_us / 1000000)) $((output_us % 1000000)) "$bytes"
}

WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
make_gateway || { echo "bench-metrics: cannot build the gateway" >&2; exit 1; }
bench_size "$1" || { echo "bench-metrics: $1 peers failed" >&2; exit 1; }
