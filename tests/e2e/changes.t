#!/usr/bin/env bash
# Every change of mode, policy or hook that a command applies is said by
# that command, one line each, old -> new and what caused it; a watch logs
# the changes it applies itself the same way; nothing is said where nothing
# changed. The file's Mode takes effect when its value is new to the policy
# text in force, so an edit elsewhere in the file leaves --mode in force;
# pings from a blocked client show the mode really in force at each step.
. "$(dirname "$0")/lib.sh"
require_e2e

INTERVAL=0.5
gateway_two_clients
policy=$WORK/gw.policy
mech=$(tc_mechanism)
# line 3 is the Mode line; client 2 is quarantined
write_policy() { # MODE [COMMENT]
	printf '# client 2 quarantined\n[Interface]\nMode = %s\n[Peer]\nPublicKey = %s\nBlock = true\n%b' \
		"$1" "${CLIENT_PUB[2]}" "${2:-}" >"$policy"
}
# what a command printed on stdout, but the line that says WireGuard's own
# rejections are not counted (wireguard-go; rejected.t tests it)
said() { # SUBCOMMAND ARGS...
	wgsf_gw "$1" "$GW_IF" "${@:2}" | grep -v "^$GW_IF: WireGuard's own rejections are not counted: "
}
# "answered/sent" of 2 pings from client N
replies() { # N
	local got
	got=$(in_ns "${CLIENT_NS[$1]}" ping -n -q -c 2 -i 0.05 -W 1 -I "${CLIENT_ADDR[$1]}" 192.0.2.1 |
		sed -n 's/.* \([0-9]*\) received.*/\1/p')
	echo "${got:-?}/2"
}
state() { echo "$(iface_field mode) $(iface_field policy_file) $(replies 2) $(replies 1)"; }
summary="$GW_IF: peers +0 -0, allowed ips +0 ~0 -0"
new_text="$GW_IF: policy $policy: its new text is in force (the file changed since it was last read)"

t_is "$(said attach)" "$GW_IF: tc ($mech), monitor mode; peers +2 -0, allowed ips +2 ~0 -0" \
	"a first attach: its one line says hook and mode, no line of change"
ATTACHED+=("$GW_NS $GW_IF")

# The case that went unsaid: --mode monitor over a file that says enforce,
# then an edit of a comment and a sync.
write_policy enforce
t_is "$(said attach --mode monitor --policy "$policy")" \
	"$GW_IF: tc ($mech), monitor mode; peers +0 -0, allowed ips +0 ~0 -0, policy rules +0 -0, flags ~1
$GW_IF: policy none -> $policy (--policy)" "attach --mode monitor --policy: the policy's change said"
t_is "$(state)" "monitor $policy 2/2 2/2" "--mode wins over the file's Mode: monitor, client 2's pings pass"
write_policy enforce "# reviewed\n"
t_is "$(said sync)" "$summary
$new_text" "a comment edited, then sync: the new text said, and no change of mode"
t_is "$(state)" "monitor $policy 2/2 2/2" "still monitor: the file's Mode = enforce was the one in force already"
t_is "$(said sync)" "$summary" "sync again: nothing changed, nothing said"

t_is "$(said attach --mode enforce)" "$GW_IF: tc ($mech), enforce mode; peers +0 -0, allowed ips +0 ~0 -0
$GW_IF: mode monitor -> enforce (--mode enforce)" "attach --mode enforce: said, with its cause"
t_is "$(state)" "enforce $policy 0/2 2/2" "enforce: client 2's pings are dropped, client 1's pass"
t_is "$(said attach --mode enforce)" "$GW_IF: tc ($mech), enforce mode; peers +0 -0, allowed ips +0 ~0 -0" \
	"the same again: nothing said"

write_policy monitor "# reviewed\n"
t_is "$(said sync)" "$summary
$new_text
$GW_IF: mode enforce -> monitor (Mode = monitor at $policy:3)" \
	"the file's Mode changed to monitor, then sync: said, with the file and line"
t_is "$(state)" "monitor $policy 2/2 2/2" "monitor: client 2's pings pass"

t_is "$(said attach --policy none)" \
	"$GW_IF: tc ($mech), monitor mode; peers +0 -0, allowed ips +0 ~0 -0, policy rules +0 -0, flags ~1
$GW_IF: policy $policy -> none (--policy none)" "attach --policy none: said"
write_policy enforce
t_is "$(said attach --policy "$policy")" \
	"$GW_IF: tc ($mech), enforce mode; peers +0 -0, allowed ips +0 ~0 -0, policy rules +0 -0, flags ~1
$GW_IF: policy none -> $policy (--policy)
$GW_IF: mode monitor -> enforce (Mode = enforce at $policy:3)" \
	"the file attached again, with Mode = enforce: both changes said"
t_is "$(state)" "enforce $policy 0/2 2/2" "enforce: client 2's pings are dropped"

write_policy monitor
t_is "$(said attach --mode enforce)" "$GW_IF: tc ($mech), enforce mode; peers +0 -0, allowed ips +0 ~0 -0
$new_text" "a new Mode line and --mode at once: --mode wins, the new text said"
t_is "$(said sync)" "$summary" "and a sync after it changes nothing: that Mode is the text's in force"
t_is "$(said attach --mode monitor)" "$GW_IF: tc ($mech), monitor mode; peers +0 -0, allowed ips +0 ~0 -0
$GW_IF: mode enforce -> monitor (--mode monitor)" "attach --mode monitor: said"

# A watch logs what it applies itself as the commands say it: at its start
# (the file edited while no watch ran, as before a service restarts) and on
# SIGHUP; what another command changed, as that.
write_policy enforce "# edited while no watch ran\n"
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval $INTERVAL >"$WORK/log" 2>&1 &
watcher=$!
PIDS+=("$watcher")
logged() { grep -qxF -- "$1" "$WORK/log"; }
count_logged() { grep -cF -- "$1" "$WORK/log"; }
logged_times() { [ "$(count_logged "$2")" = "$1" ]; } # N LINE
to_enforce="$GW_IF: mode monitor -> enforce (Mode = enforce at $policy:3)"
t_ok "watch starts" within 30 logged "$GW_IF: watching every 0.5 seconds"
t_ok "its start applies the file's new Mode, and logs it" within 10 logged "$to_enforce"
t_ok "with the new text" logged "$new_text"
t_is "$(state)" "enforce $policy 0/2 2/2" "enforce: client 2's pings are dropped"
t_ok "another command: attach --mode monitor" attach_gw --mode monitor
t_ok "logged as another command's change" within 30 \
	logged "$GW_IF: another command changed mode enforce -> monitor; kept"
write_policy monitor
kill -HUP "$watcher"
t_ok "SIGHUP brings Mode = monitor: the new text logged" within 30 logged_times 2 "$new_text"
write_policy enforce
kill -HUP "$watcher"
t_ok "SIGHUP brings Mode = enforce: logged" within 30 logged_times 2 "$to_enforce"
t_is "$(count_logged "$new_text")" 3 "with the new text"
t_is "$(state)" "enforce $policy 0/2 2/2" "enforce: client 2's pings are dropped"
kill -HUP "$watcher"
t_ok "SIGHUP with the file unchanged: logged as read" within 30 \
	logged "$GW_IF: policy $policy read, unchanged"
t_is "$(count_logged " -> ")" 3 "one line of change for each of the three changes"
t_is "$(count_logged "another command")" 1 "one taken for another command's"
# a rule that cannot take effect is warned of, and the text is applied all the same
stranger=$(wg genkey | wg pubkey)
write_policy enforce "[Peer]\nPublicKey = $stranger\nBlock = true\n"
kill -HUP "$watcher"
t_ok "SIGHUP, a peer that is not the interface's added: warned of" within 30 \
	logged "$GW_IF: warning: $policy:7: peer $stranger is not a peer of $GW_IF"
t_ok "and the new text logged" within 10 logged_times 4 "$new_text"
t_is "$(count_logged "not applied")" 0 "not said to be left unapplied"
kill -TERM "$watcher"
wait "$watcher"
t_is "$?" 0 "the watch ends on SIGTERM"

# A rate limit given, then only its value changed: each sync says so.
write_policy enforce "[Peer]\nPublicKey = ${CLIENT_PUB[1]}\nRateLimit = 100pps\n"
t_is "$(said sync)" "$GW_IF: peers +0 -0, allowed ips +0 ~0 -0, policy rules +0 -0, flags ~1, rate limits ~1
$new_text" "a RateLimit given: sync says a flag and a limit changed"
write_policy enforce "[Peer]\nPublicKey = ${CLIENT_PUB[1]}\nRateLimit = 200pps\n"
t_is "$(said sync)" "$GW_IF: peers +0 -0, allowed ips +0 ~0 -0, rate limits ~1
$new_text" "its value changed: sync says the limit changed, and no flag"
t_done
