#!/bin/bash
# Reaper warnings on the owner's terminals: logind sessions on real ptys
# (script(1) running su -l, as a login would), an idle container of alice's.
# Her own terminal gets the warning line once; a session of hers on a tty
# she does not own, and bob's terminal, get nothing; the journal entry and
# the stop still happen.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 13

TTYS="ali ali-root bob"
cleanup() {
	for t in $TTYS; do sb_exec systemctl stop "berth-tty-$t.scope" >/dev/null 2>&1; done
	remove_managed_containers
	stop_daemon
	stop_logind berthtali berthtbob
	rm -f "$SB"/tty-*.log
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
reaper_config 8s
write_inventory
make_test_users
start_daemon
ok $? "daemon started with [reaper] interval = 2s, warn = 8s, idle_timeout = 10s"
start_logind
ok $? "systemd-logind runs in the sandbox"

# tty_login NAME USER [own]: a logind session of USER on a new pty, whose
# output script(1) keeps in $SB/tty-NAME.log; "own" gives the pty to USER
# first, as login(1) and sshd do (su alone leaves it root's)
tty_login() {
	local give=
	[ "${3:-}" = own ] && give="chown $2 \$(tty); "
	sb_run --unit="berth-tty-$1" script -qfc "${give}exec su -l $2 -c 'sleep 120'" "$SB/tty-$1.log" \
		</dev/null >/dev/null 2>&1 &
}
# tty_of USER OWNER: the TTY of USER's logind session on a pty OWNER owns
tty_of() {
	local s t
	for s in $(sb_exec loginctl list-sessions --no-legend | awk -v u="$1" '$3 == u { print $1 }'); do
		t=$(sb_exec loginctl show-session -p TTY --value "$s")
		[ -n "$t" ] && [ "$(sb_exec stat -c %U "/dev/$t")" = "$2" ] && echo "$t"
	done
}
tty_login ali berthtali own
tty_login ali-root berthtali
tty_login bob berthtbob own
for i in $(seq 100); do
	[ "$(sb_exec loginctl list-sessions --no-legend | awk '$5 ~ /^pts\// { n++ } END { print n + 0 }')" = 3 ] && break
	sleep 0.1
done
ALI_TTY=$(tty_of berthtali berthtali) ALI_ROOT_TTY=$(tty_of berthtali root) BOB_TTY=$(tty_of berthtbob berthtbob)
diag "alice on $ALI_TTY (hers) and $ALI_ROOT_TTY (root's), bob on $BOB_TTY"
like "$ALI_TTY $ALI_ROOT_TTY $BOB_TTY" '^pts/[0-9]+ pts/[0-9]+ pts/[0-9]+$' \
	"logind has alice's two pty sessions (one on her own pty, one on root's) and bob's"

IDLE=idle._.berthtali
run_managed berthtali idle sh -c 'trap "exit 0" TERM; while sleep 1; do :; done'
ok $? "alice's idle container started"
T0=$(date +%s)

log() { cat "$SB/tty-$1.log" 2>/dev/null; }
t_warn= t_stop=
while [ $(($(date +%s) - T0)) -lt 40 ] && [ -z "$t_stop" ]; do
	[ -z "$t_warn" ] && log ali | grep -q "will be stopped" && t_warn=$(($(date +%s) - T0))
	[ "$(sbdocker inspect -f '{{.State.Running}}' $IDLE 2>/dev/null)" = false ] && t_stop=$(($(date +%s) - T0))
	sleep 0.5
done
diag "warned on alice's terminal after ${t_warn:-never} s, stopped after ${t_stop:-never} s"

line=$(log ali | grep -a "will be stopped" | tail -n 1)
like "$line" "^berth: $IDLE will be stopped in [0-9]+s \\(idle [0-9]+s\\); it is not removed: 'docker start $IDLE' brings it back[.]"$'\r'"+$" \
	"the warning reached alice's own terminal: ${line%$'\r'}"
is "$(log ali | grep -ac "will be stopped")" 1 "once, for the one warn offset"
ok "$(log ali | tr -d '\r' | grep -ac $'^\a$' | grep -qx 1; echo $?)" "after a bell on a line of its own, as wall(1) writes"
is "$(log ali-root | grep -ac "berth:")" 0 "her session on a pty that is root's, not hers, got nothing"
is "$(log bob | grep -ac "berth:")" 0 "bob's terminal got nothing"
like "$(journal 1 BERTH_EVENT=container.warn BERTH_CONTAINER=$IDLE | tail -n 1)" \
	"^berth: $IDLE of berthtali will be stopped: idle [0-9]+s, stops in [0-9]+s$" "the journal entry is still written"
ok "$(test -n "$t_stop" && test "$t_stop" -le 22; echo $?)" "the container was still stopped in time (the terminals did not hold the loop up)"
is "$(sbdocker ps -a --filter name="^$IDLE\$" --format '{{.Names}}')" "$IDLE" "stopped, not removed"
ok "$(sb_exec systemctl is-active -q berth-slicemgr; echo $?)" "berth-slicemgr still runs"
