#!/bin/bash
# SPDX-License-Identifier: MIT
# make install and make uninstall into throw-away DESTDIR trees: every part
# lands under PREFIX, units name the installed daemon, a live configuration
# and an engine's docker CLI are never overwritten, and uninstall leaves
# nothing but the configuration.  O names the build directory.
set -eu
cd "$(dirname "$0")/.."
O=${O:-build}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
n=0
ok() { n=$((n + 1)); }
fail() { echo "check-install: $*" >&2; exit 1; }
inst() { make -s --no-print-directory O="$O" "$@" > "$root/log" 2>&1; }

d=$root/a
inst install DESTDIR="$d" || { cat "$root/log" >&2; fail "make install failed"; }
for f in usr/local/bin/docker usr/local/bin/container usr/local/bin/image usr/local/bin/berthctl \
	usr/local/sbin/berth-slicemgr usr/local/libexec/berth/berth-docker-policy \
	usr/local/share/man/man7/berth.7 usr/local/share/doc/berth/examples/groups.d/students.conf \
	etc/berth/berth.conf etc/berth/groups.d/default.conf; do
	[ -e "$d/$f" ] || fail "make install did not install /$f"
	ok
done
[ ! -e "$d/etc/berth/groups.d/students.conf" ] || fail "the example groups became live policy"
ok
unit=$(find "$d" -name berth-slicemgr.service)
grep -q '^ExecStart=/usr/local/sbin/berth-slicemgr ' "$unit" || fail "ExecStart does not name the installed daemon"
ok
"$O/berthctl" check-config "$d/etc/berth" > /dev/null || fail "the minimal configuration does not load"
ok

# a second install keeps an admin's edit
echo "# edited by the admin" >> "$d/etc/berth/berth.conf"
inst install DESTDIR="$d" || fail "a second make install failed"
grep -q 'edited by the admin' "$d/etc/berth/berth.conf" || fail "make install overwrote a live configuration"
ok

# another PREFIX reaches the units too
inst install DESTDIR="$root/b" PREFIX=/opt/berth || fail "make install PREFIX=/opt/berth failed"
grep -q '^ExecStart=/opt/berth/sbin/berth-slicemgr ' "$(find "$root/b" -name berth-slicemgr.service)" ||
	fail "with PREFIX=/opt/berth, ExecStart does not follow"
ok

# the engine's CLI where the front would go is left alone, and install says why
mkdir -p "$root/c/usr/bin"
printf '#!/bin/sh\necho engine\n' > "$root/c/usr/bin/docker"
if inst install DESTDIR="$root/c" PREFIX=/usr; then fail "make install PREFIX=/usr replaced the engine's docker"; fi
grep -q 'not overwriting' "$root/log" || fail "the refusal does not say why"
[ "$(sh "$root/c/usr/bin/docker")" = engine ] || fail "the engine's docker was changed"
ok

# MOVE_DOCKER_SOCKET=1 REAL_DOCKER=...: the docker.socket drop-in goes live
# and the configuration it writes points dockerd, the gate and real_docker
# where the package puts them
e=$root/e
inst install DESTDIR="$e" PREFIX=/usr MOVE_DOCKER_SOCKET=1 REAL_DOCKER=/usr/bin/docker.distrib ||
	{ cat "$root/log" >&2; fail "make install MOVE_DOCKER_SOCKET=1 failed"; }
dropin=$(find "$e" -path '*/system/docker.socket.d/berth.conf' ! -path '*/doc/*')
[ -n "$dropin" ] && grep -q '^ListenStream=/run/berth/dockerd.sock$' "$dropin" ||
	fail "MOVE_DOCKER_SOCKET=1 did not install the docker.socket drop-in into the unit directory"
ok
for want in 'docker_socket = /run/berth/dockerd.sock' 'real_docker = /usr/bin/docker.distrib' 'socket = /run/docker.sock'; do
	grep -qx "$want" "$e/etc/berth/berth.conf" || fail "the configuration MOVE_DOCKER_SOCKET=1 wrote lacks '$want'"
	ok
done
"$O/berthctl" check-config --json "$e/etc/berth" 2> /dev/null |
	jq -e '.valid and .daemon.docker_socket == "/run/berth/dockerd.sock"' > /dev/null ||
	fail "the configuration MOVE_DOCKER_SOCKET=1 wrote does not load as meant"
ok
inst uninstall DESTDIR="$e" PREFIX=/usr || fail "make uninstall PREFIX=/usr failed"
[ -z "$(find "$e" -name docker.socket.d)" ] || fail "make uninstall left the docker.socket drop-in"
ok

# uninstall: nothing of berth's left but the configuration
inst uninstall DESTDIR="$d" || fail "make uninstall failed"
left=$(cd "$d" && find . -type f ! -path './etc/berth/*' | sort)
[ -z "$left" ] || fail "make uninstall left: $left"
[ -e "$d/etc/berth/berth.conf" ] || fail "make uninstall removed the configuration"
ok
echo "check-install: $n checks passed"
