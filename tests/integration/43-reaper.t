#!/bin/bash
# The reaper against real containers: an idle one is warned in the journal,
# then stopped (not removed) within interval + 10 s of its idle_timeout; a
# busy one is left alone; one past max_runtime is stopped though busy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 14

cleanup() {
	remove_managed_containers
	stop_daemon
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
reaper_config 6s
sed -i '/^\[user\]/a max_runtime = 12s' "$ETC/groups.d/researchers.conf"
write_inventory
make_test_users
start_daemon
ok $? "daemon started with [reaper] interval = 2s, warn = 6s"

run() { run_managed "$@"; } # slicemgr-lib.sh
running() { sbdocker inspect -f '{{.State.Running}}' "$1" 2>/dev/null; }
journal() { sb_exec journalctl -o json --all --no-pager "$@" 2>/dev/null; }

IDLE=idle._.berthtali BUSY=busy._.berthtbob LONG=long._.jean-luc
run berthtali idle sh -c 'trap "exit 0" TERM; while sleep 1; do :; done' &&
	run berthtbob busy sh -c 'while :; do :; done' &&
	run jean-luc long sh -c 'while :; do :; done'
ok $? "an idle, a busy and a long-running container started"
T0=$(date +%s)

# the idle one: stopped by T0 + idle_timeout + interval + 10 s
t_idle= t_long= status_seen=
while [ $(($(date +%s) - T0)) -lt 40 ] && { [ -z "$t_idle" ] || [ -z "$t_long" ]; }; do
	[ -z "$t_idle" ] && [ "$(running $IDLE)" = false ] && t_idle=$(($(date +%s) - T0))
	[ -z "$t_long" ] && [ "$(running $LONG)" = false ] && t_long=$(($(date +%s) - T0))
	if [ -z "$status_seen" ] && [ $(($(date +%s) - T0)) -ge 6 ]; then
		status_seen=$(as root '{"op":"status"}')
	fi
	sleep 0.5
done
diag "idle stopped after ${t_idle:-never} s, long after ${t_long:-never} s"
ok "$(test -n "$t_idle" && test "$t_idle" -le 22; echo $?)" "the idle container was stopped within interval + 10 s of its idle_timeout"
is "$(sbdocker ps -a --filter name="^$IDLE\$" --format '{{.Names}}')" "$IDLE" "it was stopped, not removed"
ok "$(test -n "$t_long"; echo $?)" "the max_runtime container was stopped though busy"
is "$(running $BUSY)" true "the busy container still runs $(($(date +%s) - T0)) s after its start"

is "$(jq -r --arg c $BUSY '.containers[] | select(.container == $c) | .reaper | [.idle_usec, .stops_in_usec] | @json' <<<"$status_seen")" \
	"[0,null]" "status: the busy container is not idle and has no stop ahead"
like "$(jq -r --arg c $LONG '.containers[] | select(.container == $c) | .reaper.stops_in_usec' <<<"$status_seen")" \
	'^[0-9]+$' "status: the max_runtime container has a stop ahead"
ok "$(jq -e '.gpus and .users and .groups and .containers and (.docker_synced != null)' <<<"$status_seen" >/dev/null; echo $?)" \
	"status keeps its other keys"

w=$(journal BERTH_EVENT=container.warn BERTH_CONTAINER=$IDLE | tail -n 1)
like "$(jq -r .BERTH_REASON <<<"$w")" '^idle [0-9]+s, stops in [0-9]+s?$' "container.warn for the idle container: $(jq -r .BERTH_REASON <<<"$w")"
is "$(jq -r .BERTH_USER <<<"$w")" berthtali "container.warn names the owner"
is "$(journal BERTH_EVENT=container.warn BERTH_CONTAINER=$IDLE | wc -l)" 1 "one warning for the one warn offset"
like "$(journal BERTH_EVENT=container.reap BERTH_CONTAINER=$IDLE | tail -n 1 | jq -r .BERTH_REASON)" '^idle ' \
	"container.reap for the idle container, with the reason"
like "$(journal BERTH_EVENT=container.reap BERTH_CONTAINER=$LONG | tail -n 1 | jq -r .BERTH_REASON)" 'max_runtime 12s' \
	"container.reap for the long-running container, with the reason"
