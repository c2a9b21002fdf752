#!/bin/bash
# SPDX-License-Identifier: MIT
# bash completion offers each program's verbs and a verb's options, read
# from the programs themselves (BUILD: where they are built).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PATH="$BUILD:$PATH"
. completions/berth.bash
n=0
complete_words() { # WORDS... : what completion offers for the last word
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _berth; [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
}
expect() { # WANT WORDS...
	local want=$1; shift
	local got; got=$(complete_words "$@")
	n=$((n + 1))
	case " $got " in *" $want "*) ;; *) echo "check-completion: '$*' offers '$got', not '$want'" >&2; exit 1 ;; esac
}
expect deploy container ""
expect retire container re
expect ls container l
expect check-config berthctl che
expect metrics berthctl met
expect --save container retire --s
expect --json berthctl status --
expect --version container --v
expect delete image d
[ -z "$(complete_words container zz)" ] || { echo "check-completion: offered something for 'zz'" >&2; exit 1; }
echo "check-completion: $n completions offered as expected"
