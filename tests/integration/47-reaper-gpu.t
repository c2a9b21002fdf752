#!/bin/bash
# The reaper judges GPU containers by their GPUs too (the fake NVML, read
# again when its file changes): idle CPU with an idle GPU is stopped and,
# after gpu_hold_after_stop, its GPU is free; a busy GPU (utilisation over
# idle_gpu_percent, or a compute process of the container on it) keeps its
# container running however idle its CPU, while someone else's process on
# the GPU does not; a GPU that goes idle later lets the reaper stop it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 11

cleanup() {
	remove_managed_containers
	stop_daemon
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
reaper_config 4s
sed -i '/^\[user\]/a gpu_hold_after_stop = 3s' "$ETC/groups.d/students.conf"
G0=GPU-00000000-0000-0000-0000-000000000000
G1=GPU-11111111-1111-1111-1111-111111111111
G2=GPU-22222222-2222-2222-2222-222222222222
# inventory UTIL-OF-G1 PID-ON-G2: G0 idle but for a process that is not its
# container's (the sandbox's init), G1 at that utilisation, G2 idle with
# that compute process
inventory() {
	cat > "$NVML_JSON.new" <<EOT
{"gpus":[{"uuid":"$G0","pci":"0000:e1:00.0","numa":0,"utilization":0,"processes":[1]},
 {"uuid":"$G1","pci":"0000:e2:00.0","numa":0,"utilization":$1,"processes":[]},
 {"uuid":"$G2","pci":"0000:e3:00.0","numa":1,"utilization":0,"processes":[$2]}]}
EOT
	mv "$NVML_JSON.new" "$NVML_JSON"
}
write_inventory # its sysfs; the GPUs are these
inventory 80 1
make_test_users
start_daemon
ok $? "daemon started: three GPUs, one idle, one 80% busy, one with a compute process"

running() { sbdocker inspect -f '{{.State.Running}}' "$1" 2>/dev/null; }
holder() { as root '{"op":"status"}' | jq -r --arg u "$1" '.gpus[] | select(.uuid == $u) | .container // "free"'; }
IDLE=idle._.berthtali BUSY=busy._.berthtbob PROC=proc._.berthtdan
SLEEPER='trap "exit 0" TERM; while sleep 1; do :; done'
GPUS=1 run_managed berthtali idle sh -c "$SLEEPER" &&
	GPUS=1 run_managed berthtbob busy sh -c "$SLEEPER" &&
	GPUS=1 run_managed berthtdan proc sh -c "$SLEEPER"
ok $? "three CPU-idle containers, one GPU each"
is "$(holder $G0) $(holder $G1) $(holder $G2)" "$IDLE $BUSY $PROC" "each holds its GPU"
# the compute process on G2 is the proc container's own
PID=$(sbdocker inspect -f '{{.State.Pid}}' $PROC)
inventory 80 "$PID"
T0=$(date +%s)

t_idle=
while [ $(($(date +%s) - T0)) -lt 30 ] && [ -z "$t_idle" ]; do
	[ "$(running $IDLE)" = false ] && t_idle=$(($(date +%s) - T0))
	sleep 0.5
done
ok "$(test -n "$t_idle" && test "$t_idle" -le 22; echo $?)" \
	"idle CPU and idle GPU (another's process on it does not count): stopped after ${t_idle:-never} s"
for i in $(seq 1 20); do [ "$(holder $G0)" = free ] && break; sleep 0.5; done
is "$(holder $G0)" free "its GPU is free after gpu_hold_after_stop"
sleep $((T0 + 24 - $(date +%s)))
is "$(running $BUSY)" true "a busy GPU keeps its container running ($(($(date +%s) - T0)) s)"
is "$(running $PROC)" true "a compute process of its own on its GPU keeps it running too"
s=$(as root '{"op":"status"}')
is "$(jq -r --arg c $BUSY '.containers[] | select(.container == $c) | .reaper.idle_usec' <<<"$s")" 0 "status: the busy one is not idle"

# the GPU goes idle: the fake NVML reads its file again, the reaper stops it
inventory 0 "$PID"
T1=$(date +%s)
t_busy=
while [ $(($(date +%s) - T1)) -lt 30 ] && [ -z "$t_busy" ]; do
	[ "$(running $BUSY)" = false ] && t_busy=$(($(date +%s) - T1))
	sleep 0.5
done
ok "$(test -n "$t_busy" && test "$t_busy" -le 22; echo $?)" "once its GPU idles, it is stopped after ${t_busy:-never} s"
is "$(running $PROC)" true "the one with a compute process still runs"
like "$(sb_exec journalctl -o json --all --no-pager BERTH_EVENT=container.reap BERTH_CONTAINER=$BUSY | tail -n 1 | jq -r .BERTH_REASON)" \
	'^idle ' "container.reap says why"
