#!/bin/bash
# The user commands `container` and `image`, run as real test users against
# the sandbox's systemd, dockerd and berth-slicemgr: deploy, list (limits
# from the cgroup files), shell, retire --save, deploy from the saved image,
# image create from a local base with --file, and the refusals (quota, a
# taken name, another user's container), each one sentence and exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 89

cleanup() {
	remove_managed_containers
	imgs=$(sbdocker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep '^berth/')
	[ -n "$imgs" ] && sbdocker rmi -f $imgs >/dev/null 2>&1
	stop_daemon
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
cat >> "$ETC/berth.conf" <<EOT

[deploy]
base_image = berth-test:latest
workspace = ~/workspace
EOT
write_inventory
make_test_users
# the sandbox's dockerd socket is root's; test users reach it like docker-group members would
start_daemon
ok $? "daemon started"

A=berthtali
B=berthtbob
AUID=$(id -u $A)
AGID=$(id -g $A)
AHOME=$(getent passwd $A | cut -d: -f6)

# run USER PROG ARGS...: a user command as that user, no terminal, in /
run() {
	local u=$1 p=$2; shift 2
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -C / HOME="$(getent passwd "$u" | cut -d: -f6)" BERTH_CONFIG="$ETC" "$BUILD/$p" "$@"
}
# one line of stderr, and the exit status, of a refused command
refusal() { # refusal USER PROG ARGS... -> sets RC and MSG
	MSG=$(run "$@" 2>&1 >/dev/null); RC=$?
}
one_sentence() { [ "$(printf '%s\n' "$1" | grep -c .)" = 1 ] && [[ "$1" == container:* || "$1" == image:* ]]; }

# --- deploy ------------------------------------------------------------------
out=$(run $A container deploy train --detach --json)
is "$?" 0 "deploy train --detach succeeds"
is "$(jq -r .container <<<"$out")" "train._.$A" "--json names the container"
is "$(jq -r .image <<<"$out")" "berth-test:latest" "the image is the configured base image"
cid=$(jq -r .id <<<"$out")
insp=$(sbdocker inspect "train._.$A")
is "$(jq -r '.[0].Config.User' <<<"$insp")" "$AUID:$AGID" "it runs as the user's uid:gid"
is "$(jq -r '.[0].Config.Hostname' <<<"$insp")" "train" "hostname is the name"
is "$(jq -r '.[0].HostConfig.Init' <<<"$insp")" "true" "with an init process"
is "$(jq -r '.[0].HostConfig.CgroupParent' <<<"$insp")" "berth-students-$A.slice" "in the user's slice"
is "$(jq -r '.[0].Config.Labels["berth.user"]' <<<"$insp")" "$A" "labelled as the user's"
like "$(jq -r '.[0].HostConfig.Binds[0]' <<<"$insp")" "^$AHOME/workspace/train:/workspace\$" "workspace mounted at /workspace"
is "$(stat -c %U "$AHOME/workspace/train")" "$A" "the workspace directory belongs to the user"
like "$(jq -r '.[0].Config.Env[]' <<<"$insp" | tr '\n' ' ')" "HOME=/workspace .*NVIDIA_VISIBLE_DEVICES=void" "HOME set, no GPU visible"

# --- list: limits from the cgroup files -----------------------------------
scope="/berth.slice/berth-students.slice/berth-students-$A.slice/docker-$cid.scope"
list=$(run $A container list --json)
is "$?" 0 "list --json succeeds"
is "$(jq -r 'length' <<<"$list")" 1 "list shows one container"
is "$(jq -r '.[0].name + " " + .[0].state + " " + .[0].limits.source' <<<"$list")" "train running cgroup" \
	"list shows it running with limits from the cgroup files"
mem_file=$(cg memory "$scope" memory.limit_in_bytes || sb_exec cat "/sys/fs/cgroup$scope/memory.max")
is "$(jq -r '.[0].limits.memory' <<<"$list")" "$mem_file" "memory limit as the cgroup file says ($mem_file)"
is "$(jq -r '.[0].limits.memory' <<<"$list")" "268435456" "which is the group's container_memory (256M)"
quota=$(cg cpu "$scope" cpu.cfs_quota_us); period=$(cg cpu "$scope" cpu.cfs_period_us)
[ -n "$quota" ] || { read -r quota period < <(sb_exec cat "/sys/fs/cgroup$scope/cpu.max"); }
is "$(jq -r '.[0].limits.cpus' <<<"$list")" "$(awk -v q="$quota" -v p="$period" 'BEGIN {print q / p}')" \
	"CPU limit as the cgroup files say ($quota/$period)"
like "$(jq -r '.[0].use.memory' <<<"$list")" '^[0-9]+$' "current memory use is read"
like "$(run $A container list)" "train +[a-z0-9.-]+ +berth-test:latest +running" "the table lists it"
like "$(run $A container list | sed -n 1p)" "^NAME +PROJECT +IMAGE +STATE +UPTIME +CPU use/limit +MEM use/limit +GPUS +REAPER$" "under a header"
is "$(run $A container ls --json | jq -r '.[0].container')" "train._.$A" "ls is list"
is "$(run $A container ps --json | jq -r '.[0].container')" "train._.$A" "and so is ps"

# --- shell ---------------------------------------------------------------------
is "$(run $A container shell train id -u)" "$AUID" "container shell NAME id -u prints the user's uid"
# the image's root file system is root's: the test writes as root
sbdocker exec -u 0 "train._.$A" sh -c 'echo kept > /marker'
ok $? "a file written inside it"

# --- refusals --------------------------------------------------------------------
refusal $A container deploy train --detach
is "$RC" 1 "a taken name is refused with exit 1"
ok "$(one_sentence "$MSG" && [[ "$MSG" == *--replace* ]]; echo $?)" "in one sentence that mentions --replace: $MSG"

refusal $A container deploy big --cpus 8 --detach
is "$RC" 1 "more CPUs than the slice has are refused with exit 1"
ok "$(one_sentence "$MSG"; echo $?)" "in one sentence: $MSG"
refusal $A container deploy many --gpus 3 --detach
is "$RC" 1 "more GPUs than a container may hold are refused with exit 1"
ok "$(one_sentence "$MSG"; echo $?)" "in one sentence: $MSG"

refusal $B container stop "train._.$A"
is "$RC" 1 "another user's container cannot be stopped"
ok "$(one_sentence "$MSG"; echo $?)" "in one sentence: $MSG"
refusal $B container shell "train._.$A" id -u
is "$RC" 1 "nor entered"
is "$(run $B container list --json | jq length)" 0 "nor listed"
is "$(sbdocker inspect -f '{{.State.Running}}' "train._.$A")" true "and it still runs"

# who is an admin is the daemon's answer, never the command's own reading
out=$(run berthtadmin container logs "train._.$A" 2>&1); rc=$?
is "$rc" 0 "an admin (the daemon says so) may read another user's container's logs"
BHOME=$(getent passwd $B | cut -d: -f6)
sb_exec setpriv --reuid=$B --regid="$(id -g $B)" --init-groups sh -c \
	"mkdir -p '$BHOME/myberth' && cp -r '$ETC/.' '$BHOME/myberth/' && sed -i 's/^admin_group = .*/admin_group = berthtstu/' '$BHOME/myberth/berth.conf'"
is "$(sed -n 's/^admin_group = //p' "$BHOME/myberth/berth.conf")" berthtstu "$B writes a config of their own naming their group the admins"
refusal $B container --config "$BHOME/myberth" logs "train._.$A"
ok "$([ "$RC" = 1 ] || [ "$RC" = 3 ]; echo $?)" "with it, another user's container is still refused (exit $RC)"
ok "$(one_sentence "$MSG" && [[ "$MSG" == *"not root's"* ]]; echo $?)" "in one sentence that says why the config counts for nothing: $MSG"
is "$(sbdocker inspect -f '{{.State.Running}}' "train._.$A")" true "and the container is untouched"

refusal $A container deploy 'bad name!' --detach
is "$RC" 2 "a malformed name is a usage error (exit 2)"

dry=$(run $A container deploy probe --dry-run)
like "$dry" "^docker run -d --name probe\\._\\.$A .*berth-test:latest sleep infinity\$" "--dry-run prints the docker run line"
ok "$(sbdocker inspect "probe._.$A" >/dev/null 2>&1; [ $? != 0 ]; echo $?)" "and creates nothing"

# --- stop, start, restart, stats, retire: --json, and rm ---------------------------
run $A container deploy side --detach >/dev/null
is "$(run $A container stop side --json | jq -r '[.container, .running] | map(tostring) | join("|")')" "side._.$A|false" "stop --json"
is "$(run $A container start side --json | jq -r .running)" true "start --json"
is "$(run $A container restart side --json | jq -r .action)" restart "restart --json"
is "$(run $A container stats side --json | jq -r .Name)" "side._.$A" "stats --json: Docker's own sample"
is "$(run $A container rm side --json | jq -r '[.container, .saved] | map(tostring) | join("|")')" "side._.$A|null" "rm is retire, --json"
ok "$(sbdocker inspect "side._.$A" >/dev/null 2>&1; [ $? != 0 ]; echo $?)" "and the container is gone"

# --- the framework: usage errors before config and daemon, --version, did you mean
V=$(sed -n 's/^VERSION *:= *//p' "$BERTH_TOP/Makefile")
is "$(run $A container --version)" "container (berth) $V" "container --version"
is "$(run $A image --version)" "image (berth) $V" "image --version"
for args in "container retire" "container list extra" "container deploy x --gpus" "container logs x --bogus" \
	"container stop a b" "image list x" "image delete --nope"; do
	refusal $A ${args%% *} --config /nonexistent ${args#* }
	is "$RC" 2 "$args: a usage error, exit 2"
	ok "$([[ "$MSG" == "${args%% *}: "* && "$MSG" != *nonexistent* && "$MSG" != *reachable* ]]; echo $?)" \
		"told before any config or daemon, in the program's own words: $MSG"
done
refusal $A container lis
is "$RC/$MSG" "2/container: unknown verb 'lis'; did you mean 'list'? 'container --help' lists them." "a mistyped verb: did you mean"
refusal $A image delet
is "$RC/$MSG" "2/image: unknown verb 'delet'; did you mean 'delete'? 'image --help' lists them." "in image too"

# --- a failed deploy holds nothing --------------------------------------------------
# A GPU container Docker will not make (4M is below Docker's 6M minimum,
# within the user's slice): a deploy failing after its reservation.
refusal $A container deploy gpu --gpus 1 --memory 4M --detach
is "$RC" 3 "a deploy Docker cannot start is a Docker error (exit 3)"
ok "$(one_sentence "$MSG"; echo $?)" "in one sentence: $MSG"
ok "$(sbdocker inspect "gpu._.$A" >/dev/null 2>&1; [ $? != 0 ]; echo $?)" "the half-made container was removed"
for i in $(seq 50); do # a bound reservation is freed on Docker's destroy event
	held=$(as root '{"op":"status"}' | jq "[.gpus[] | select(.container == \"gpu._.$A\")] | length")
	[ "$held" = 0 ] && break
	sleep 0.1
done
is "$held" 0 "and its GPU is free again"

# --- retire --save, then deploy again from the saved image --------------------------
run $A container retire train --save >/dev/null
is "$?" 0 "retire --save succeeds"
ok "$(sbdocker inspect "train._.$A" >/dev/null 2>&1; [ $? != 0 ]; echo $?)" "the container is gone"
held=1
for i in $(seq 50); do # the daemon frees on Docker's destroy event
	held=$(as root '{"op":"status"}' | jq "[.containers[] | select(.container == \"train._.$A\")] | length")
	[ "$held" = 0 ] && break
	sleep 0.1
done
is "$held" 0 "the daemon no longer counts it against the quota"
like "$(journal 1 BERTH_EVENT=container.retire BERTH_CONTAINER="train._.$A")" "retired, saved as berth/$A/train:latest" \
	"the retirement is audited"
imgs=$(run $A image list --json)
is "$(jq -r '.[] | select(.name == "train") | .image' <<<"$imgs")" "berth/$A/train:latest" "image list shows the saved image"
out=$(run $A container deploy train --detach --json)
is "$(jq -r .image <<<"$out")" "berth/$A/train:latest" "deploy again starts from the saved image"
is "$(run $A container shell train cat /marker)" "kept" "with the state it was saved with"

# --- image create from a local base, offline -------------------------------------------
printf 'FROM berth-test:latest\nRUN echo built > /built-marker\n' > "$AHOME/Dockerfile.tool"
chown $A "$AHOME/Dockerfile.tool"
out=$(run $A image create tool --file "$AHOME/Dockerfile.tool" --no-cache --json 2>/dev/null)
is "$?" 0 "image create --file builds offline from berth-test:latest"
is "$(jq -r .image <<<"$out")" "berth/$A/tool:latest" "create --json names the image"
is "$(sbdocker image inspect -f '{{index .Config.Labels "berth.user"}}' "berth/$A/tool:latest")" "$A" \
	"the image is labelled as the user's"
ok "$(grep -q '^FROM berth-test:latest' "$AHOME/.config/berth/images/tool/Dockerfile"; echo $?)" \
	"its readable Dockerfile is kept under ~/.config/berth/images/tool"
run $A container deploy tool --detach >/dev/null
is "$(run $A container shell tool cat /built-marker)" "built" "a container runs from the built image"
is "$(run $A image ls --json | jq -r '.[] | select(.name == "tool") | .used_by[0]')" "tool._.$A" "image ls is list"
refusal $A image delete tool
is "$RC" 1 "image delete refuses while a container uses the image"
out=$(run $A image rm tool --force --json 2>/dev/null)
is "$?" 0 "image delete --force retires its container and deletes it"
is "$(jq -r '[.deleted, .retired[0]] | join("|")' <<<"$out")" "berth/$A/tool:latest|tool._.$A" "rm is delete; --json says what went"
ok "$(sbdocker image inspect "berth/$A/tool:latest" >/dev/null 2>&1; [ $? != 0 ]; echo $?)" "the image is gone"

exit $((TAP_FAILED > 0))
