# TAP helpers for berth's integration tests; sourced by tests/integration/*.t.
# The sandbox (tests/sandbox/sandbox check) exports SB (its state dir),
# BERTH_TOP and BUILD.
: "${SB:?run through 'make check-integration' (tests/sandbox/sandbox check)}"
SANDBOX="$BERTH_TOP/tests/sandbox/sandbox"
# dockerd's own socket is root's alone (as berth installs it); users reach
# Docker through berth-gate on $SB/docker.sock, which start_daemon starts
DOCKERD_SOCK="$SB/dockerd.sock"
export DOCKER_HOST="unix://$SB/docker.sock"
TAP_N=0
TAP_FAILED=0

plan() { echo "1..$1"; }
ok() { # ok COND-EXIT-STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then echo "ok $TAP_N - $2"; else echo "not ok $TAP_N - $2"; TAP_FAILED=$((TAP_FAILED + 1)); fi
}
is() { # is GOT EXPECTED DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" = "$2" ]; then echo "ok $TAP_N - $3"; else
		echo "not ok $TAP_N - $3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"
		TAP_FAILED=$((TAP_FAILED + 1)); fi
}
like() { # like GOT REGEX DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [[ "$1" =~ $2 ]]; then echo "ok $TAP_N - $3"; else
		echo "not ok $TAP_N - $3"; echo "#   got:      '$1'"; echo "#   expected to match: '$2'"
		TAP_FAILED=$((TAP_FAILED + 1)); fi
}
unlike() { # unlike GOT REGEX DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if ! [[ "$1" =~ $2 ]]; then echo "ok $TAP_N - $3"; else
		echo "not ok $TAP_N - $3"; echo "#   got:      '$1'"; echo "#   expected not to match: '$2'"
		TAP_FAILED=$((TAP_FAILED + 1)); fi
}
isnt() { # isnt GOT UNEXPECTED DESCRIPTION
	if [ "$1" != "$2" ]; then ok 0 "$3"; else ok 1 "$3"; diag "got '$1', expected anything else"; fi
}
diag() { echo "# $*"; }
median() { # numbers on stdin, one a line: their median (the benches' figures)
	sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.15g\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

sb_exec() { "$SANDBOX" exec "$SB" "$@"; }
sb_run() { "$SANDBOX" run "$SB" "$@"; }
# asuser USER SHELL-COMMAND: set-up done by the user themselves (so that
# whatever it makes is theirs, never root's)
asuser() {
	sb_exec setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups env -i -C "/home/$1" \
		PATH=/usr/bin:/bin HOME="/home/$1" sh -c "$2"
}
REAL_DOCKER=${REAL_DOCKER:-/usr/bin/docker}
sbdocker() { "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" "$@"; }

# Test users and groups are recorded in the sandbox state so that
# 'sandbox down' removes them even when a test dies half-way.
make_group() { # make_group NAME
	echo "$1" >> "$SB/groups"
	getent group "$1" >/dev/null || groupadd "$1"
}
make_user() { # make_user NAME [SUPPLEMENTARY-GROUP...]
	local u=$1; shift
	echo "$u" >> "$SB/users"; echo "$u" >> "$SB/groups"
	id "$u" >/dev/null 2>&1 || useradd --badname -m -s /bin/sh -U "$u" 2>/dev/null || useradd -m -s /bin/sh -U "$u"
	for g in "$@"; do usermod -a -G "$g" "$u"; done
}

# The sandbox masks systemd-logind: a test that needs logind sessions runs
# it (start_logind) and masks it again on exit (stop_logind, from its trap).
LOGIND_MASK=/run/systemd/system.control/systemd-logind.service
start_logind() {
	LOGIND_STARTED=1
	sb_exec rm -f $LOGIND_MASK
	sb_exec systemctl daemon-reload
	sb_exec systemctl start systemd-logind
}
stop_logind() { # stop_logind [USER...]: their sessions are ended first
	[ -n "${LOGIND_STARTED:-}" ] || return 0
	[ $# -gt 0 ] && sb_exec loginctl terminate-user "$@" >/dev/null 2>&1
	sb_exec systemctl stop systemd-logind user.slice >/dev/null 2>&1
	sb_exec ln -sf /dev/null $LOGIND_MASK
	sb_exec systemctl daemon-reload
	LOGIND_STARTED=
}

# journal MIN JOURNALCTL-ARGS...: the sandbox journal's messages, waiting up
# to 5 s for at least MIN of them (journald takes entries asynchronously).
journal() {
	local min=$1 out i
	shift
	for i in $(seq 50); do
		out=$(sb_exec journalctl -o cat "$@" 2>/dev/null)
		[ "$(printf '%s' "$out" | grep -c .)" -ge "$min" ] && break
		sleep 0.1
	done
	printf '%s\n' "$out"
}
