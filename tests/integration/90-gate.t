#!/bin/bash
# berth-gate in front of dockerd, tried as users who are not in the docker
# group: the docker CLI, the wrapper and raw HTTP through the gate's socket.
# What the rules allow works with the names, slices and GPUs the wrapper
# gives; what they refuse is a 403 with one "berth: …" sentence and
# nothing changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 42

GATE_SOCK="$SB/docker.sock"
DSOCK="$DOCKERD_SOCK"
SOCK_MODE=$(stat -c %a "$DSOCK") SOCK_GROUP=$(stat -c %g "$DSOCK")
cleanup() {
	remove_managed_containers
	sbdocker ps -aq --filter name=gate-admin | xargs -r "$REAL_DOCKER" -H "unix://$DSOCK" rm -f >/dev/null 2>&1
	stop_gate
	stop_daemon
	chgrp "$SOCK_GROUP" "$DSOCK"; chmod "$SOCK_MODE" "$DSOCK"
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
write_inventory
make_test_users
start_daemon
ok $? "berth-slicemgr started"

body_of() { sed '$d' <<<"$1"; }
count_containers() { sbdocker ps -aq | wc -l; }

# --- start-up refusals --------------------------------------------------------
chgrp root "$DSOCK"; chmod 666 "$DSOCK"
GATE_SOCK="$GATE_SOCK" write_config
out=$(sb_exec timeout 10 "$BUILD/berth-gate" --config "$ETC" 2>&1); rc=$?
like "$rc/$out" "^1/.*dockerd's socket $DSOCK is open to users" "the gate will not start while dockerd's socket is open to users"
chmod 660 "$DSOCK"
sed -i "s|^socket = .*|socket = $DSOCK|" "$ETC/berth.conf"
out=$(sb_exec timeout 10 "$BUILD/berth-gate" --config "$ETC" 2>&1); rc=$?
like "$rc/$out" "^1/.*same socket" "nor when its socket is dockerd's own"
GATE_SOCK="$GATE_SOCK" write_config
start_gate
ok $? "berth-gate started (Type=notify) on $GATE_SOCK, dockerd's socket root-only"
is "$(stat -c %a "$GATE_SOCK")" 666 "the gate's socket is open to every user"

out=$(sb_exec setpriv --reuid=berthtali --regid="$(id -g berthtali)" --init-groups \
	curl -s --unix-socket "$DSOCK" http://d/_ping 2>&1); rc=$?
isnt "$rc" 0 "a user cannot open dockerd's own socket"

# --- what passes as it is -----------------------------------------------------
r=$(gc berthtali http://d/_ping)
is "$(body_of "$r")/$(status_of "$r")" "OK/200" "/_ping is forwarded"
r=$(gc berthtali http://d/v1.41/version)
is "$(status_of "$r")/$(body_of "$r" | jq -r .ApiVersion)" "200/1.41" "/version is forwarded"
v=$(gd berthtali version --format '{{.Server.Version}}')
ok $? "docker version works through the gate ($v)"

# --- routes refused -----------------------------------------------------------
r=$(gc berthtali http://d/v1.41/swarm)
is "$(status_of "$r")" 403 "/swarm: 403"
like "$(body_of "$r" | jq -r .message)" "^berth: " "… with a berth: sentence in Docker's JSON"
r=$(gc berthtali http://d/v1.41/nonsense/route)
is "$(status_of "$r")" 403 "an unknown route is refused"
r=$(gc berthtali http://d/v1.40/_ping)
is "$(status_of "$r")" 400 "an API version below 1.41 is refused"
r=$(gc berthtali -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data 'x=1' \
	http://d/v1.41/containers/create)
is "$(status_of "$r")" 400 "a form-encoded body is refused"
r=$(gc berthtali -X POST -H 'Transfer-Encoding: chunked' -H 'Content-Length: 5' --data-binary '{}' \
	http://d/v1.41/containers/create)
like "$(status_of "$r")" "^(400|000)$" "Content-Length with chunked is refused"
out=$(graw berthtali 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
like "$out" "^HTTP/1.1 400" "an HTTP/2 preface is refused"

# --- create through the API, strictly -------------------------------------------
n0=$(count_containers)
create() { gc "$1" -X POST -H 'Content-Type: application/json' --data-binary "$2" "http://d/v1.41/containers/create${3:-}"; }
r=$(create berthtbob '{"Image":"berth-test","HostConfig":{"Privileged":true}}')
is "$(status_of "$r")" 403 "a privileged create is refused"
like "$(body_of "$r" | jq -r .message)" "^berth: .*privileged" "… saying why"
r=$(create berthtbob '{"Image":"berth-test","hostconfig":{"privileged":true}}')
is "$(status_of "$r")" 400 "case-variant keys are refused"
r=$(create berthtbob '{"Image":"berth-test","HostConfig":{"Privileged":false,"Privileged":true}}')
is "$(status_of "$r")" 400 "duplicate keys are refused"
r=$(create berthtbob '{"Image":"berth-test","HostConfig":{"Privil\u0065ged":true}}')
is "$(status_of "$r")" 400 "\\u-escaped keys are refused"
r=$(create berthtbob '{"Image":"berth-test","Privileged":true}')
is "$(status_of "$r")" 400 "HostConfig fields at the top level are refused"
r=$(create berthtbob '{"Image":"berth-test","HostConfig":{"Binds":["/etc:/host-etc"]}}')
is "$(status_of "$r")" 403 "a bind outside allowed_binds is refused"
r=$(create berthtbob '{"Image":"berth-test","Labels":{"berth.user":"berthtali"}}')
is "$(status_of "$r")" 403 "a berth.* label is refused"
is "$(count_containers)" "$n0" "… and none of them made a container"

r=$(create berthtali '{"Image":"berth-test","Cmd":["sleep","300"]}' '?name=web')
is "$(status_of "$r")" 201 "a plain create by alice is allowed"
id=$(body_of "$r" | jq -r .Id)
is "$(sbdocker inspect -f '{{.Name}} {{.HostConfig.CgroupParent}} {{index .Config.Labels "berth.user"}}' "$id")" \
	"/web._.berthtali berth-students-berthtali.slice berthtali" "… named web._.berthtali, in her slice, labelled hers"
like "$(sbdocker inspect -f '{{index .Config.Labels "berth.seal"}}' "$id")" "^v1:[0-9a-f]{64}$" "… with a seal"

# --- the docker CLI and the wrapper ----------------------------------------------
out=$(gd berthtali run --rm berth-test echo hello-gate 2>/dev/null)
is "$out" "hello-gate" "docker run --rm works through the gate"
out=$(gw berthtali run --rm --name wr berth-test echo via-wrapper 2>&1 | grep -v "^WARNING: IPv4")
is "$out" "via-wrapper" "the wrapper's run (its reservation claimed by the gate) works"
gd berthtali start web >/dev/null
out=$(echo piped | gd berthtali exec -i web cat)
is "$out" "piped" "exec -i: stdin half-closed, the command ends"
out=$(gd berthtali ps --format '{{.Names}}')
is "$out" "web._.berthtali" "docker ps lists alice's own containers"
out=$(gd berthtbob ps -a --format '{{.Names}}')
is "$out" "" "… and none to bob"
out=$(gd berthtbob exec web._.berthtali id 2>&1); rc=$?
like "$rc/$out" "^1/Error response from daemon: berth: web._.berthtali belongs to berthtali" "bob cannot exec into alice's container"
eid=$(gc berthtali -X POST -H 'Content-Type: application/json' --data-binary '{"Cmd":["id"],"AttachStdout":true}' \
	http://d/v1.41/containers/web._.berthtali/exec | sed '$d' | jq -r .Id)
r=$(gc berthtbob -X POST -H 'Content-Type: application/json' --data-binary '{"Detach":true}' "http://d/v1.41/exec/$eid/start")
is "$(status_of "$r")" 403 "bob cannot start alice's exec by its id"
out=$(gd berthtali logs web 2>&1; echo rc=$?)
is "$out" "rc=0" "docker logs of her own container works"
out=$(gd berthtbob rm -f web._.berthtali 2>&1); rc=$?
like "$rc/$(sbdocker inspect -f '{{.State.Running}}' web._.berthtali)" "^1/true$" "bob cannot remove it; it still runs"
r=$(gc berthtbob 'http://d/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22berth.user%3Dberthtali%22%5D%7D')
is "$(body_of "$r" | jq length)" 0 "a label filter naming alice shows bob nothing"

# --- admins pass, audited ---------------------------------------------------------
out=$(sb_exec env DOCKER_HOST="unix://$GATE_SOCK" "$REAL_DOCKER" create --name gate-admin --privileged berth-test sleep 30)
ok $? "root passes everything (creates a privileged container)"
like "$(journal 1 BERTH_EVENT=admin.override --since=-60s)" "passed the gate" "… and it is in the journal"
like "$(journal 1 BERTH_EVENT=access.deny --since=-120s | grep -c 'swarm')" "^[1-9]" "refusals are audited"

# --- nothing left spinning: an idle gate uses no CPU ----------------------------
gpid=$(sb_exec systemctl show -p MainPID --value berth-gate)
ticks() { sb_exec awk '{print $14 + $15}' "/proc/$gpid/stat"; }
t0=$(ticks); sleep 2; t1=$(ticks)
ok $(( t1 - t0 < 20 ? 0 : 1 )) "the idle gate spends no CPU once its clients are gone ($((t1 - t0)) ticks in 2 s)"
