#!/bin/sh
# SPDX-License-Identifier: MIT
# The layering of lib/ (DESIGN §1): basic < core < policy < system, and a
# layer includes only its own and the layers below it.  Programs sit on top
# and may include any layer, but no layer includes a program's header.  Inside
# one program (slicemgr/, wrapper/, gate/, pam/, cmds/*), no two files include
# each other's headers in a circle.
#
#   tests/check-layers.sh [ROOT]      check the tree at ROOT (default: .)
#   tests/check-layers.sh --self-test show that a wrong include is caught
set -eu

rank() {
	case "$1" in
	basic) echo 1 ;;
	core) echo 2 ;;
	policy) echo 3 ;;
	system) echo 4 ;;
	*) echo 0 ;;
	esac
}

check_tree() {
	root=$1
	bad=0
	for f in "$root"/lib/*/*.[ch]; do
		[ -e "$f" ] || continue
		layer=$(basename "$(dirname "$f")")
		me=$(rank "$layer")
		if [ "$me" = 0 ]; then
			echo "check-layers: ${f#"$root"/}: lib/$layer is not a layer (basic, core, policy, system)" >&2
			bad=1
			continue
		fi
		# every quoted include, with its line number
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
			n=${line%%:*}
			inc=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
			case "$inc" in
			*/*) to=${inc%%/*} ;;
			*) to= ;;
			esac
			# a private header next to the file (docker-internal.h) is its own layer
			if [ -z "$to" ] || [ "$(rank "$to")" = 0 ]; then
				if [ -z "$to" ] && [ -e "$(dirname "$f")/$inc" ]; then
					continue
				fi
				echo "check-layers: ${f#"$root"/}:$n: includes \"$inc\", which is no header of lib/'s layers" >&2
				echo x
				continue
			fi
			if [ "$(rank "$to")" -gt "$me" ]; then
				echo "check-layers: ${f#"$root"/}:$n: lib/$layer includes \"$inc\" from the layer above it ($to); move the code down or the caller up" >&2
				echo x
			fi
		done > "$tmp/out.$$"
		[ -s "$tmp/out.$$" ] && bad=1
		rm -f "$tmp/out.$$"
	done

	# circles between the files of one program: a.c/a.h -> b.h and b.c/b.h -> a.h
	for dir in "$root"/slicemgr "$root"/wrapper "$root"/gate "$root"/pam "$root"/cmds/*; do
		[ -d "$dir" ] || continue
		edges="$tmp/edges"
		: > "$edges"
		for f in "$dir"/*.[ch]; do
			[ -e "$f" ] || continue
			from=$(basename "$f"); from=${from%.*}
			grep '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^/"]*"' "$f" | sed 's/.*"\([^"]*\)".*/\1/' | while read -r inc; do
				[ -e "$dir/$inc" ] || continue
				to=${inc%.h}
				[ "$to" = "$from" ] || echo "$from $to"
			done >> "$edges"
		done
		sort -u "$edges" -o "$edges"
		# tsort reports a cycle on stderr
		if ! tsort "$edges" > /dev/null 2> "$tmp/cycle"; then
			echo "check-layers: ${dir#"$root"/}: files include each other's headers in a circle:" >&2
			sed 's/^tsort: /  /' "$tmp/cycle" >&2
			bad=1
		fi
	done
	return $bad
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${1-}" = "--self-test" ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	mkdir -p "$tmp/tree"
	cp -r "$here/lib" "$tmp/tree/"
	if ! check_tree "$tmp/tree" 2> "$tmp/log"; then
		cat "$tmp/log" >&2
		echo "check-layers: self-test: the tree itself does not pass" >&2
		exit 1
	fi
	# basic/ reaching up into policy/ must be caught, naming the file and line
	printf '#include "policy/policy.h"\n' >> "$tmp/tree/lib/basic/strv.c"
	if check_tree "$tmp/tree" 2> "$tmp/log"; then
		echo "check-layers: self-test: an include of policy/ from basic/ was not caught" >&2
		exit 1
	fi
	grep -q 'lib/basic/strv.c:[0-9]*: lib/basic includes "policy/policy.h"' "$tmp/log" || {
		cat "$tmp/log" >&2
		echo "check-layers: self-test: the refusal does not name the file and the include" >&2
		exit 1
	}
	# and so must a circle inside a program
	mkdir -p "$tmp/tree/slicemgr"
	printf '#include "b.h"\n' > "$tmp/tree/slicemgr/a.c"
	printf '#pragma once\n' > "$tmp/tree/slicemgr/a.h"
	printf '#include "a.h"\n' > "$tmp/tree/slicemgr/b.c"
	printf '#pragma once\n' > "$tmp/tree/slicemgr/b.h"
	sed -i '$d' "$tmp/tree/lib/basic/strv.c"
	if check_tree "$tmp/tree" 2> "$tmp/log"; then
		echo "check-layers: self-test: a circle between slicemgr/a.c and b.c was not caught" >&2
		exit 1
	fi
	echo "check-layers: self-test: a wrong include and a circle are both refused"
	exit 0
fi

root=${1-.}
if check_tree "$root"; then
	echo "check-layers: lib/ in layers, no circles inside a program"
else
	exit 1
fi
