#!/bin/bash
# The GPU queue and the hold after stop, against the real daemon and gate:
# three users wait for the one GPU and are served in order (group priority,
# then arrival), see their positions change, and one that quits leaves the
# queue holding nothing; a newcomer does not overtake them.  A stopped
# container keeps its GPU for gpu_hold_after_stop, then frees it; starting
# it again takes the GPU back, or is refused while someone else holds it.
# An admin's exemption keeps an idle container running.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 43

W=$SB/waiters
ctl_as() { # ctl_as USER ARGS...: berthctl run by that user
	local u=$1; shift
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$BUILD/berthctl" --config "$ETC" "$@"
}
cleanup() {
	for p in $W/*.pid; do [ -f "$p" ] && sb_exec kill "$(cat "$p")" 2>/dev/null; done
	remove_managed_containers
	stop_daemon
	stop_gate
}
trap cleanup EXIT
chmod 755 "$SB"
mkdir -p "$W" && chmod 777 "$W"
write_config
cat >> "$ETC/berth.conf" <<EOT

[reaper]
interval = 1s
idle_cpus = 0.05
warn = 3s
exemptions = $SB/exemptions.json
EOT
sed -i '/^\[user\]/a gpu_hold_after_stop = 3s\nidle_timeout = 5s' "$ETC/groups.d/students.conf"
GPU=GPU-00000000-0000-0000-0000-000000000000
echo "{\"gpus\":[{\"uuid\":\"$GPU\",\"pci\":\"0000:e1:00.0\",\"numa\":0}]}" > "$NVML_JSON"
make_test_users
start_daemon
ok $? "daemon and gate started with one GPU"

# wait USER NAME: a client waiting in the queue, its lines in $W/NAME.out
wait_for_gpu() {
	local u=$1 n=$2
	: > "$W/$n.out"
	chmod 666 "$W/$n.out"
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups /usr/bin/python3 -u -c '
import os, socket, sys
open(sys.argv[3][:-4] + ".pid", "w").write(str(os.getpid()))
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(("{\"op\":\"reserve\",\"wait\":true,\"spec\":{\"name\":\"%s\",\"gpus\":1}}\n" % sys.argv[2]).encode())
f = open(sys.argv[3], "a")
buf = b""
while True:
    b = s.recv(65536)
    if not b: break
    buf += b
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        f.write(line.decode() + "\n"); f.flush()
import time; time.sleep(3600)' "$SOCK" "$n" "$W/$n.out" >/dev/null 2>&1 &
}
last() { tail -n 1 "$W/$1.out" 2>/dev/null; }
until_line() { # until_line NAME JQ-FILTER: within 10 s
	local i
	for i in $(seq 1 50); do
		last "$1" | jq -e "$2" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

held=$(as berthtali '{"op":"reserve","spec":{"name":"first","gpus":1}}')
is "$(jq -r '.gpus[0]' <<<"$held")" "$GPU" "alice holds the one GPU"
wait_for_gpu berthtbob bob
until_line bob '.queued and .position == 1'
ok $? "bob waits, first in line: $(last bob | jq -c '{position,waiting,estimate_s}')"
wait_for_gpu berthtdan dan
until_line dan '.queued and .position == 2'
ok $? "dan waits behind him"
wait_for_gpu berthtcar car
until_line car '.queued and .position == 1'
ok $? "carol, of the higher-priority group, goes first though she came last"
until_line bob '.queued and .position == 2'
ok $? "bob hears his new position"
q=$(as berthtbob '{"op":"queue"}')
is "$(jq -r '[.queue[].user] | join(" ")' <<<"$q")" "berthtcar berthtbob berthtdan" "queue: in order"

# a newcomer with no wait is refused, with how to wait, and takes nothing
r=$(as berthteve '{"op":"reserve","spec":{"name":"sneak","gpus":1}}')
is "$(jq -r .error <<<"$r")" gpus_unavailable "a newcomer without --wait is refused"
like "$(jq -r .message <<<"$r")" "before yours.*--wait" "… told that others wait and how to join"

# dan gives up: he leaves the queue holding nothing
sb_exec kill "$(cat "$W/dan.pid")"; rm -f "$W/dan.pid"
sleep 1
q=$(as berthtbob '{"op":"queue"}')
is "$(jq -r '[.queue[].user] | join(" ")' <<<"$q")" "berthtcar berthtbob" "dan left the queue by closing"

# the GPU is freed: carol is served, bob moves up
as berthtali "{\"op\":\"cancel\",\"reservation\":\"$(jq -r .reservation <<<"$held")\"}" >/dev/null
until_line car '.ok and .reservation'
ok $? "carol gets the freed GPU: $(last car | jq -c '{name,gpus}')"
until_line bob '.queued and .position == 1'
ok $? "bob is first in line now"
car_res=$(last car | jq -r .reservation)
as berthtcar "{\"op\":\"cancel\",\"reservation\":\"$car_res\"}" >/dev/null
until_line bob '.ok and .reservation'
ok $? "then bob"
as berthtbob "{\"op\":\"cancel\",\"reservation\":\"$(last bob | jq -r .reservation)\"}" >/dev/null
s=$(as root '{"op":"status"}')
is "$(jq -r '[.containers[] | select(.user == "berthtdan")] | length' <<<"$s")" 0 "dan holds nothing"
is "$(jq -r '.queue | length' <<<"$s")" 0 "status: the queue is empty"

# --- docker run/create through the wrapper with BERTH_WAIT=1 ---------------
held=$(as berthtali '{"op":"reserve","spec":{"name":"first","gpus":1}}')
sb_exec setpriv --reuid=berthtbob --regid="$(id -g berthtbob)" --init-groups env -i -C /home/berthtbob PATH=/usr/bin:/bin \
	HOME=/home/berthtbob USER=berthtbob BERTH_CONFIG="$ETC" BERTH_WAIT=1 DOCKER_HOST="unix://$SB/docker.sock" \
	timeout -k 5 60 "$BUILD/berth-docker" create --gpus 1 --name q berth-test sleep 600 > "$W/wrap.out" 2>&1 &
wrap=$!
for i in $(seq 1 50); do grep -q "waiting for a GPU" "$W/wrap.out" && break; sleep 0.2; done
like "$(cat "$W/wrap.out")" "berth: waiting for a GPU; 1 of 1 in the queue" "BERTH_WAIT=1 docker create waits, saying so"
as berthtali "{\"op\":\"cancel\",\"reservation\":\"$(jq -r .reservation <<<"$held")\"}" >/dev/null
wait $wrap
ok $? "… and creates the container once the GPU is free"
is "$(sbdocker inspect -f '{{index .Config.Labels "berth.gpus"}}' q._.berthtbob 2>/dev/null)" "$GPU" "it holds the GPU"
sbdocker rm -f q._.berthtbob >/dev/null 2>&1
for i in $(seq 1 20); do [ "$(as root '{"op":"status"}' | jq -r '.gpus[0].container // "free"')" = free ] && break; sleep 0.2; done

# --- container deploy --wait --json: JSON lines while it waits -------------
held=$(as berthtali '{"op":"reserve","spec":{"name":"first","gpus":1}}')
sb_exec setpriv --reuid=berthtbob --regid="$(id -g berthtbob)" --init-groups env -C / HOME=/home/berthtbob \
	BERTH_CONFIG="$ETC" timeout -k 5 60 "$BUILD/container" deploy w --image berth-test:latest --gpus 1 --wait --detach --json \
	> "$W/deploy.out" 2> "$W/deploy.err" &
dep=$!
for i in $(seq 1 50); do grep -q '"queued":true' "$W/deploy.out" 2>/dev/null && break; sleep 0.2; done
is "$(head -n 1 "$W/deploy.out" | jq -c '[.queued, .position, .waiting]')" "[true,1,1]" "container deploy --wait --json: a JSON line with its place"
as berthtali "{\"op\":\"cancel\",\"reservation\":\"$(jq -r .reservation <<<"$held")\"}" >/dev/null
wait $dep
# served, it goes on to Docker (which has no NVIDIA runtime here to start a GPU container)
unlike "$(cat "$W/deploy.err")" "in use|waits|gpus_unavailable" "… and once served it goes on past the queue: $(head -c 200 "$W/deploy.err")"
sbdocker rm -f w._.berthtbob >/dev/null 2>&1
for i in $(seq 1 20); do [ "$(as root '{"op":"status"}' | jq -r '.gpus[0].container // "free"')" = free ] && break; sleep 0.2; done

# --- hold after stop, then take back on start ---------------------------
holder() { as root '{"op":"status"}' | jq -r '.gpus[0].container // "free"'; }
C=train._.berthtali
GPUS=1 run_managed berthtali train sh -c 'while :; do :; done'
ok $? "alice runs a GPU container"
is "$(holder)" "$C" "it holds the GPU"
sbdocker stop -t 1 $C >/dev/null
sleep 1
is "$(holder)" "$C" "stopped, it keeps the GPU during gpu_hold_after_stop"
like "$(as root '{"op":"status"}' | jq -r --arg c $C '.containers[] | select(.container == $c) | .gpus_free_in_s')" '^[0-9]+$' \
	"status says when it is freed"
like "$(sb_exec "$BUILD/berthctl" --config "$ETC" status)" "$C +berthtali +bound +$GPU +stopped, GPUs freed in [0-9]+s" \
	"berthctl status shows it"
like "$(sb_exec setpriv --reuid=berthtali --regid="$(id -g berthtali)" --init-groups env -C / HOME=/home/berthtali \
	BERTH_CONFIG="$ETC" "$BUILD/container" list)" "train .* stopped, GPUs freed in [0-9]+s" "container list shows it too"
for i in $(seq 1 30); do [ "$(holder)" = free ] && break; sleep 0.5; done
is "$(holder)" free "after the hold the GPU is free"
sleep 1
b=$(as berthtbob '{"op":"reserve","spec":{"name":"grab","gpus":1}}')
is "$(jq -r '.gpus[0]' <<<"$b")" "$GPU" "bob takes it"
out=$(gd berthtali start $C 2>&1)
rc=$?
ok "$(test $rc -ne 0; echo $?)" "alice's start through the gate is refused while bob holds it"
like "$out" "grab._.berthtbob" "… saying who holds it: $out"
is "$(sbdocker inspect -f '{{.State.Running}}' $C)" false "… and it did not start"
# root on dockerd's own socket gets past the gate: the daemon stops it again
sbdocker start $C >/dev/null 2>&1
for i in $(seq 1 30); do [ "$(sbdocker inspect -f '{{.State.Running}}' $C)" = false ] && break; sleep 0.5; done
is "$(sbdocker inspect -f '{{.State.Running}}' $C)" false "a start past the gate is stopped again"
like "$(sb_exec journalctl -o json --all --no-pager BERTH_EVENT=container.reap BERTH_CONTAINER=$C | tail -n 1 | jq -r .BERTH_REASON)" \
	"held by others" "… and container.reap says why"
is "$(holder)" grab._.berthtbob "bob still holds the GPU"
as berthtbob "{\"op\":\"cancel\",\"reservation\":\"$(jq -r .reservation <<<"$b")\"}" >/dev/null
gd berthtali start $C >/dev/null 2>&1
ok $? "once it is free again, the start takes it back"
is "$(holder)" "$C" "the container holds the GPU again"

# --- an exemption keeps an idle container running, then ends by itself ---
run_managed berthtali idle sh -c 'trap "exit 0" TERM; while sleep 1; do :; done'
T0=$(date +%s)
r=$(ctl_as berthtali exempt idle._.berthtali --until +1h --reason mine 2>&1)
ok "$(test $? -ne 0; echo $?)" "a user may not exempt: $r"
r=$(sb_exec "$BUILD/berthctl" --config "$ETC" exempt idle._.berthtali --until +12s --reason "demo tomorrow" 2>&1)
like "$r" "leaves idle._.berthtali running until" "an admin exempts it for 12 s"
sleep 8
is "$(sbdocker inspect -f '{{.State.Running}}' idle._.berthtali)" true "the exempt idle container outlives its idle_timeout"
s=$(as root '{"op":"status"}')
is "$(jq -r '.exemptions[0] | [.target, .kind, .reason, .by] | join(" ")' <<<"$s")" "idle._.berthtali container demo tomorrow root" \
	"status shows the exemption"
is "$(jq -r '.containers[] | select(.container == "idle._.berthtali") | .reaper.exempt' <<<"$s")" true "… and the container as exempt"
for i in $(seq 1 40); do [ "$(sbdocker inspect -f '{{.State.Running}}' idle._.berthtali)" = false ] && break; sleep 0.5; done
is "$(sbdocker inspect -f '{{.State.Running}}' idle._.berthtali)" false "when it ends by itself, the idle container is stopped ($(($(date +%s) - T0)) s)"
is "$(sb_exec journalctl --all --no-pager -o json BERTH_EVENT=reaper.exempt BERTH_CONTAINER=idle._.berthtali | jq -r .MESSAGE | sed 's/ (until.*//')" \
	"berth: the reaper exemption of idle._.berthtali was given
berth: the reaper exemption of idle._.berthtali ended by itself" "given and ended, in the journal"
