#!/bin/bash
# Every client still works through berth-gate, as a user not in the docker
# group: docker-compose (Debian's) with a two-service project and a GPU
# request, the Python SDK, an interactive "docker run -it" on a terminal
# with a resize, attach, "logs -f", cp both ways, a classic build, "events"
# filtered to the user's own, "wait", and the newer docker CLI where the
# machine has one.  What they make has the names, slices and GPUs the
# wrapper gives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 39

GATE_SOCK="$SB/docker.sock"
PY=/usr/bin/python3 # Debian's, with python3-docker
PTY="$BERTH_TOP/tests/helpers/berth-pty.py"
A=berthtali B=berthtbob
cleanup() {
	remove_managed_containers
	sbdocker network ls -q --filter label=com.docker.compose.project | xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" network rm >/dev/null 2>&1
	sbdocker images -q --filter reference='berth/berthtali/*' | xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" rmi -f >/dev/null 2>&1
	stop_gate
	stop_daemon
	rm -rf "/home/$A/proj" "/home/$A/ctx" "/home/$A/big" "/home/$A/back"
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
write_inventory
make_test_users
start_daemon
ok $? "berth-slicemgr and berth-gate started"
ok "$(id -nG $A | grep -qw docker && echo 1 || echo 0)" "alice is not in the docker group"

# as USER in DIR: a command with a clean environment, Docker at the gate
in_dir() { # in_dir USER DIR COMMAND...
	local u=$1 d=$2; shift 2
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups env -i -C "$d" PATH=/usr/bin:/bin \
		HOME="/home/$u" USER="$u" DOCKER_HOST="unix://$GATE_SOCK" timeout -k 5 120 "$@"
}
holder_of() { as root '{"op":"status"}' | jq -r --arg c "$1" '[.gpus[] | select(.container == $c) | .uuid] | join(",")'; }

# --- docker-compose: two services, one with a GPU ------------------------------------------
asuser $A 'mkdir -p proj'
cat > "/home/$A/proj/docker-compose.yml" <<EOT
version: "2.4"
services:
  web:
    image: berth-test
    command: sleep 600
  train:
    image: berth-test
    command: sleep 600
    deploy:
      resources:
        reservations:
          devices:
            - capabilities: [gpu]
              count: 1
EOT
chown "$A:" "/home/$A/proj/docker-compose.yml"
out=$(in_dir $A "/home/$A/proj" docker-compose up -d 2>&1); rc=$?
ok $rc "docker-compose up -d of a two-service project with a GPU request"; [ $rc = 0 ] || diag "$out"
names=$(sbdocker ps --filter label=com.docker.compose.project=proj --format '{{.Names}}' | sort | tr '\n' ' ')
is "$names" "proj_train_1._.$A proj_web_1._.$A " "… both services run, named <name>._.alice"
is "$(sbdocker inspect -f '{{.HostConfig.CgroupParent}}' proj_web_1._.$A proj_train_1._.$A | sort -u)" \
	"berth-students-$A.slice" "… in alice's slice"
like "$(cg memory "/berth.slice/berth-students.slice/berth-students-$A.slice" memory.limit_in_bytes)" '^[0-9]+$' \
	"… whose memory limit the kernel holds"
gpu=$(holder_of proj_train_1._.$A)
like "$gpu" '^GPU-' "… the GPU service holds a GPU in berth-slicemgr's ledger ($gpu)"
is "$(sbdocker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' proj_train_1._.$A | sed -n 's/^NVIDIA_VISIBLE_DEVICES=//p')" \
	"$gpu" "… and sees that GPU, and only it"
is "$(holder_of proj_web_1._.$A)" "" "… the other service holds none"
out=$(in_dir $A "/home/$A/proj" docker-compose ps --services 2>&1 | sort | tr '\n' ' ')
is "$out" "train web " "docker-compose ps finds both"
out=$(in_dir $A "/home/$A/proj" docker-compose exec -T web echo hi-from-compose 2>&1)
is "$out" "hi-from-compose" "docker-compose exec"
out=$(in_dir $A "/home/$A/proj" docker-compose down 2>&1); rc=$?
ok $rc "docker-compose down"; [ $rc = 0 ] || diag "$out"
is "$(sbdocker ps -aq --filter label=com.docker.compose.project=proj | wc -l)/$(sbdocker network ls -q --filter name=proj_default | wc -l)" \
	"0/0" "… removes the containers and the project's network"
sleep 1
is "$(holder_of proj_train_1._.$A)" "" "… and the GPU is free again"

# --- the Python SDK ----------------------------------------------------------------------
sdk() { in_dir $A "/home/$A" $PY -c "import docker; c = docker.DockerClient(base_url='unix://$GATE_SOCK'); $1"; }
out=$(sdk "print(c.containers.run('berth-test', 'echo from-sdk', remove=True).decode().strip())" 2>&1)
is "$out" "from-sdk" "SDK: containers.run"
out=$(sdk "k = c.containers.run('berth-test', 'sleep 300', name='sdkbox', detach=True); print(c.containers.get('sdkbox').name)" 2>&1)
is "$out" "sdkbox._.$A" "SDK: run detached with a name, then get it by its short name"
is "$(sbdocker inspect -f '{{.HostConfig.CgroupParent}} {{index .Config.Labels "berth.user"}}' sdkbox._.$A)" \
	"berth-students-$A.slice $A" "… in her slice, labelled hers"
out=$(sdk "print(c.containers.get('sdkbox').exec_run('echo in-exec').output.decode().strip())" 2>&1)
is "$out" "in-exec" "SDK: exec_run"
out=$(sdk "print([x.name for x in c.containers.list()])" 2>&1)
is "$out" "['sdkbox._.$A']" "SDK: containers.list shows hers alone"
out=$(sdk "k = c.containers.run('berth-test', 'true', device_requests=[docker.types.DeviceRequest(count=1, capabilities=[['gpu']])], name='sdkgpu', detach=True); print(k.wait()['StatusCode'])" 2>&1)
is "$out/$(holder_of sdkgpu._.$A | cut -c1-4)" "0/GPU-" "SDK: a GPU by DeviceRequest, held by the container"
sbdocker rm -f sdkgpu._.$A >/dev/null

# --- a terminal: docker run -it, with a resize ---------------------------------------------
# The pause before the resize is for the docker CLI, not the gate: the CLI starts listening for
# SIGWINCH only after its first resize call returns, and the shell's prompt can reach the
# terminal before that, so a resize sent at once may be lost (the same with dockerd's own socket).
out=$(in_dir $A "/home/$A" $PTY 30x100 'expect:# ' 'send:stty size\r' 'expect:30 100' 'sleep:1' 'resize:40x120' 'sleep:3' \
	'send:stty size\r' 'expect:40 120' 'send:echo $((6*7))\r' 'expect:42' 'send:exit 7\r' eof -- \
	"$REAL_DOCKER" run -it --rm berth-test sh 2>&1); rc=$?
is "$rc" 7 "docker run -it: a shell on the terminal, its size, a resize, and its exit status"; [ $rc = 7 ] || diag "$out"
in_dir $A "/home/$A" "$REAL_DOCKER" run -d --name term -it berth-test sh >/dev/null
out=$(in_dir $A "/home/$A" $PTY 24x80 'send:\r' 'expect:# ' 'send:echo attached\r' 'expect:attached' \
	'send:\x10\x11' 'expect:read escape sequence' eof -- "$REAL_DOCKER" attach term 2>&1); rc=$?
# (the CLI ends a detach with status 1; 99 is a step not met)
is "$rc/$(sbdocker inspect -f '{{.State.Running}}' term._.$A)" "1/true" "docker attach to a TTY container, detach with ^P^Q: it runs on"
[ $rc = 0 ] || diag "$out"
out=$(in_dir $A "/home/$A" $PTY 24x80 'expect:# ' 'send:tty\r' 'expect:/dev/pts/' 'send:exit\r' eof -- \
	"$REAL_DOCKER" exec -it term sh 2>&1); rc=$?
is "$rc" 0 "docker exec -it: a terminal in the container"
sbdocker rm -f term._.$A >/dev/null

# --- attach, logs -f, wait ------------------------------------------------------------------
# (stdin through attach is the terminal's, above; a pipe's EOF ends the
# CLI before the answer, through dockerd's own socket as well)
in_dir $A "/home/$A" "$REAL_DOCKER" run -d --name echoer berth-test sh -c 'sleep 1; echo through-attach; sleep 1' >/dev/null
out=$(in_dir $A "/home/$A" timeout -s KILL 20 "$REAL_DOCKER" attach --no-stdin echoer 2>&1)
is "$out" "through-attach" "docker attach: the container's output, and it ends with the container"
sbdocker rm -f echoer._.$A >/dev/null
in_dir $A "/home/$A" "$REAL_DOCKER" run -d --name ticker berth-test sh -c 'for i in 1 2 3 4 5; do echo tick$i; sleep 0.5; done' >/dev/null
out=$(in_dir $A "/home/$A" timeout 20 "$REAL_DOCKER" logs -f ticker 2>&1 | tr '\n' ' ')
is "$out" "tick1 tick2 tick3 tick4 tick5 " "docker logs -f follows the container to its end"
sbdocker rm -f ticker._.$A >/dev/null
in_dir $A "/home/$A" "$REAL_DOCKER" run -d --name waiter berth-test sh -c 'sleep 1; exit 3' >/dev/null
out=$(in_dir $A "/home/$A" timeout 20 "$REAL_DOCKER" wait waiter 2>&1)
is "$out" 3 "docker wait answers when the container ends"
sbdocker rm -f waiter._.$A >/dev/null

# --- cp both ways --------------------------------------------------------------------------
asuser $A 'mkdir -p big back && head -c 20000000 /dev/urandom > big/blob && mkdir -p big/dir/sub && echo leaf > big/dir/sub/leaf'
in_dir $A "/home/$A" "$REAL_DOCKER" cp big/blob sdkbox:/tmp/blob 2>&1; rc=$?
in_dir $A "/home/$A" "$REAL_DOCKER" cp big/dir sdkbox:/tmp/ 2>&1
in_dir $A "/home/$A" "$REAL_DOCKER" cp sdkbox:/tmp/blob back/blob 2>&1
in_dir $A "/home/$A" "$REAL_DOCKER" cp sdkbox:/tmp/dir back/ 2>&1
is "$rc/$(sha256sum < "/home/$A/big/blob")" "0/$(sha256sum < "/home/$A/back/blob")" "docker cp of 20 MB in and out: the same bytes"
is "$(cat "/home/$A/back/dir/sub/leaf")/$(stat -c %U "/home/$A/back/blob")" "leaf/$A" "… a directory too, and what came back is hers"

# --- downloads, read in batches: the same bytes as dockerd's own socket --------------------
in_dir $A "/home/$A" "$REAL_DOCKER" run --name talker berth-test sh -c \
	'i=0; while [ $i -lt 20000 ]; do echo "line $i of a log long enough to come in many pieces"; i=$((i+1)); done' >/dev/null 2>&1
n=$(in_dir $A "/home/$A" "$REAL_DOCKER" logs talker 2>&1 | wc -l)
a=$(in_dir $A "/home/$A" "$REAL_DOCKER" logs talker 2>&1 | sha256sum)
is "$n/$a" "20000/$(sbdocker logs talker._.$A 2>&1 | sha256sum)" "docker logs of 20000 lines: all of them, as dockerd's own socket gives them"
a=$(in_dir $A "/home/$A" "$REAL_DOCKER" export talker 2>/dev/null | sha256sum)
is "$a" "$(sbdocker export talker._.$A | sha256sum)" "docker export: the same bytes as dockerd's own socket"
sbdocker rm -f talker._.$A >/dev/null

# --- a classic build -----------------------------------------------------------------------
asuser $A 'mkdir -p ctx && printf "FROM berth-test\nRUN echo built > /built\n" > ctx/Dockerfile'
out=$(in_dir $A "/home/$A" env DOCKER_BUILDKIT=0 "$REAL_DOCKER" build -q -t mine ctx 2>&1); rc=$?
ok $rc "docker build (classic) of a context"; [ $rc = 0 ] || diag "$out"
out=$(in_dir $A "/home/$A" "$REAL_DOCKER" run --rm mine cat /built 2>&1 | grep -v '^WARNING: IPv4')
is "$out" "built" "… tagged berth/alice/mine, and it runs by its short name"

# --- events, filtered ------------------------------------------------------------------------
sleep 1 # events are kept by the second
since=$(date +%s)
sbdocker run -d --name stranger berth-test true >/dev/null 2>&1 # not hers (made by root)
in_dir $B "/home/$B" "$REAL_DOCKER" run --rm --name bobev berth-test true >/dev/null 2>&1
in_dir $A "/home/$A" "$REAL_DOCKER" run --rm --name aliev berth-test true >/dev/null 2>&1
sleep 1
out=$(in_dir $A "/home/$A" "$REAL_DOCKER" events --since "$since" --until "$(date +%s)" --filter type=container \
	--format '{{.Actor.Attributes.name}}' 2>&1 | sort -u | tr '\n' ' ')
is "$out" "aliev._.$A " "docker events shows alice her own containers' events and nobody else's"
sbdocker rm -f stranger >/dev/null 2>&1
out=$(in_dir $A "/home/$A" "$REAL_DOCKER" ps --filter status=running --filter name=sdkbox --format '{{.Names}}' 2>&1)
is "$out" "sdkbox._.$A" "docker ps with filters of its own (Docker's older map form) still shows hers"

# --- a name that leads to a new container at once ----------------------------------------------
# (the gate keeps owner answers a moment; a remove and a create forget them)
in_dir $A "/home/$A" "$REAL_DOCKER" run -d --name again berth-test sleep 300 >/dev/null
id1=$(in_dir $A "/home/$A" "$REAL_DOCKER" inspect -f '{{.Id}}' again)
in_dir $A "/home/$A" "$REAL_DOCKER" rm -f again >/dev/null
in_dir $A "/home/$A" "$REAL_DOCKER" run -d --name again berth-test sleep 300 >/dev/null
id2=$(in_dir $A "/home/$A" "$REAL_DOCKER" inspect -f '{{.Id}}' again)
out=$(in_dir $A "/home/$A" "$REAL_DOCKER" exec again echo the-new-one 2>&1)
is "$([ -n "$id1" ] && [ "$id1" != "$id2" ] && echo new)/$out" "new/the-new-one" \
	"rm -f, then run with the same name: the name leads to the new container at once"
sbdocker rm -f again._.$A >/dev/null

# --- the newer CLI -----------------------------------------------------------------------
NEW_DOCKER=${NEW_DOCKER:-/usr/local/bin/docker}
if [ -x "$NEW_DOCKER" ] && [ "$(readlink -f "$NEW_DOCKER")" != "$(readlink -f "$REAL_DOCKER")" ]; then
	v=$("$NEW_DOCKER" version --format '{{.Client.Version}}' 2>/dev/null)
	out=$(in_dir $A "/home/$A" "$NEW_DOCKER" run --rm --name newcli berth-test echo from-new-cli 2>&1 | grep -v '^WARNING')
	is "$out" "from-new-cli" "docker $v (API newer than 1.47) negotiates down and runs"
	out=$(in_dir $A "/home/$A" "$NEW_DOCKER" ps --format '{{.Names}}' 2>&1 | grep -c "^sdkbox._.$A\$")
	is "$out" 1 "… and lists hers"
else
	ok 0 "# SKIP no docker CLI newer than Debian's here"; ok 0 "# SKIP no docker CLI newer than Debian's here"
fi

# --- what they made is the wrapper's kind ------------------------------------------------------
is "$(sbdocker ps -a --filter label=berth.user=$A --format '{{index .Labels "berth.seal"}}' | grep -cv '^v1:')" 0 \
	"every container alice made through these clients carries berth's seal"
is "$(sbdocker ps -a --filter label=berth.user=$A --format '{{.Names}}' | grep -cv "\._\.$A\$")" 0 \
	"… and her name suffix"
