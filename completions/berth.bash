# SPDX-License-Identifier: MIT
# bash completion for container, image and berthctl.  The verbs and their
# options come from the programs' own --help, so this file never falls
# behind the verb tables; installed once under each program's name.

_berth_verbs() {
	"$1" --help 2>/dev/null | sed -n '/^verbs:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

_berth_aliases() {
	"$1" --help 2>/dev/null | sed -n 's/.*(also: \([^)]*\)).*/\1/p' | tr -d ',' | tr ' ' '\n'
}

_berth_options() {
	"$1" "$2" --help 2>/dev/null | sed -n '1s/^usage: //p' | grep -o -- '--[a-z][a-z-]*' | sort -u
}

# The caller's own containers (container list prints their names first).
_berth_containers() {
	container list 2>/dev/null | awk 'NR > 1 && $1 !~ /^\(/ {print $1}'
}

_berth() {
	local prog=${COMP_WORDS[0]##*/} cur=${COMP_WORDS[COMP_CWORD]} verb="" i
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--config) ((i++)) ;;
		-*) ;;
		*) verb=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ "${COMP_WORDS[COMP_CWORD - 1]}" = --config ]; then
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
	fi
	if [ -z "$verb" ]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--config --help --version" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_berth_verbs "$prog") $(_berth_aliases "$prog")" -- "$cur")
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_berth_options "$prog" "$verb") --help" -- "$cur")
		return
	fi
	case $prog:$verb in
	container:retire | container:rm | container:shell | container:stop | container:start | \
		container:restart | container:logs | container:stats)
		mapfile -t COMPREPLY < <(compgen -W "$(_berth_containers)" -- "$cur") ;;
	berthctl:check-config)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	image:create | image:update)
		[ "${COMP_WORDS[COMP_CWORD - 1]}" = --file ] || [ "${COMP_WORDS[COMP_CWORD - 1]}" = --requirements ] &&
			mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
}

complete -F _berth container image berthctl
