# bash completion for wgsf(8); installed as <completionsdir>/wgsf.
# SPDX-License-Identifier: GPL-2.0-only

# WireGuard interfaces of this network namespace, kernel and userspace, as
# wg(8) finds them. A userspace implementation's socket is in a directory
# that every namespace shares (and may outlive its interface): keep the
# names that are links here.
_wgsf_wireguard() {
	local links name
	links=" $(ip -o link show 2>/dev/null | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p' | tr '\n' ' ')"
	for name in $(wg show interfaces 2>/dev/null); do
		[[ $links == *" $name "* ]] && echo "$name"
	done
}

# Interfaces wgsf is attached to here, as `wgsf show` reads them from the pins.
_wgsf_attached() {
	"$1" show 2>/dev/null | sed -n 's/^interface: //p'
}

# The public keys of the peers of an attached interface, as its dump lists them.
_wgsf_peers() {
	"$1" show "$2" dump 2>/dev/null | awk 'NR > 1 { print $1 }'
}

# The options of each subcommand (every one takes --json), and how many
# positional arguments it takes (lookup may take one more, a destination,
# which is not completed).
_wgsf_options() {
	case $1 in
	attach) echo "--hook --mode --policy --flows" ;;
	events) echo "--flow-idle" ;;
	flows) echo "--peer --top" ;;
	watch) echo "--interval" ;;
	quarantine) echo "--for" ;;
	top) echo "--interval --sort" ;;
	orphans) echo "--remove" ;;
	metrics) echo "--output --listen" ;;
	esac
	echo "--json"
}

_wgsf_positionals() {
	case $1 in
	orphans | metrics | help | version) echo 0 ;;
	lookup | show | quarantine | release) echo 2 ;;
	*) echo 1 ;;
	esac
}

_wgsf() {
	local cur prev words cword split
	_init_completion -s || return

	local i cmd="" at=0 npos=0 used=" " opt opts=()
	for ((i = 1; i < cword; i++)); do
		[[ ${words[i]} == -v ]] && continue
		cmd=${words[i]} at=$i
		break
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-v --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "show top events flows attach sync lookup watch quarantine release detach orphans check metrics version help" -- "$cur"))
		fi
		return
	fi

	case $prev in
	--hook) COMPREPLY=($(compgen -W "tc" -- "$cur")); return ;;
	--mode) COMPREPLY=($(compgen -W "monitor enforce" -- "$cur")); return ;;
	--sort) COMPREPLY=($(compgen -W "packets bits violations rejections" -- "$cur")); return ;;
	--output) _filedir; return ;;
	--policy)
		_filedir
		COMPREPLY+=($(compgen -W "none" -- "$cur"))
		return
		;;
	--interval | --listen | --flow-idle | --peer | --top | --for) return ;;
	esac

	# What the words so far used up: options given, and positionals.
	for ((i = at + 1; i < cword; i++)); do
		case ${words[i]} in
		--hook | --mode | --policy | --interval | --sort | --output | --listen | \
			--flow-idle | --peer | --top | --for)
			used+="${words[i]} " && ((i++)) ;;
		-*) used+="${words[i]} " ;;
		*) ((npos++)) ;;
		esac
	done
	if [[ $cur != -* ]] && ((npos < $(_wgsf_positionals "$cmd"))); then
		if ((npos > 0)); then
			# show IFACE dump; quarantine IFACE KEY; lookup's address is not completed
			[[ $cmd == show ]] && COMPREPLY=($(compgen -W "dump" -- "$cur"))
			[[ $cmd == quarantine || $cmd == release ]] &&
				COMPREPLY=($(compgen -W "$(_wgsf_peers "${words[0]}" "${words[at + 1]}")" -- "$cur"))
			return
		fi
		case $cmd in
		attach | watch) COMPREPLY=($(compgen -W "$(_wgsf_wireguard)" -- "$cur")) ;;
		check)
			_filedir
			COMPREPLY+=($(compgen -W "$(_wgsf_wireguard)" -- "$cur"))
			;;
		*) COMPREPLY=($(compgen -W "$(_wgsf_attached "${words[0]}")" -- "$cur")) ;;
		esac
		return
	fi
	# metrics takes one of its two options, not both; show's dump no --json
	[[ $cmd == metrics && $used == *" --output "* ]] && used+="--listen "
	[[ $cmd == metrics && $used == *" --listen "* ]] && used+="--output "
	((npos == 2)) && [[ $cmd == show ]] && used+="--json "
	for opt in $(_wgsf_options "$cmd"); do
		[[ $used == *" $opt "* ]] || opts+=("$opt")
	done
	COMPREPLY=($(compgen -W "${opts[*]}" -- "$cur"))
} && complete -F _wgsf wgsf
