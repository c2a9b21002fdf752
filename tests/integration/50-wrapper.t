#!/bin/bash
# The docker wrapper (berth-docker) against the sandbox dockerd and a live
# berth-slicemgr, run by real test users: names, slices, labels and limits
# injected; GPUs reserved and freed; every policy rule attacked the way a
# clever student would; ownership of other users' containers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 230

IMG=berth-test:latest
cleanup() {
	sbdocker ps -aq --filter label=berth.managed=true | xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" rm -f >/dev/null 2>&1
	sbdocker rm -f adm._.berthtadmin >/dev/null 2>&1
	sbdocker rmi -f berth/berthtali/snap:latest berthtbob-own:latest berth/berthtbob/bobimg:latest berth/berthtbob/bobimg2:latest >/dev/null 2>&1
	sbdocker volume rm -f bobvol bobvol2 bobvol3 alivol >/dev/null 2>&1
	stop_daemon
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
cat >> "$ETC/berth.conf" <<EOT

[policy]
allowed_binds = ~ $SB/berth-data
allow_host_network = no
allowed_runtimes = runc
allowed_caps = NET_BIND_SERVICE
EOT
write_inventory
make_test_users
start_daemon
ok $? "berth-slicemgr is up"
# The sandbox's own dockerd: test users may reach it (it is the sandbox's).

# wd USER ARGS...: "docker" typed by USER, in their home, with a clean env.
wd() {
	local u=$1; shift
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i -C "/home/$u" PATH=/usr/bin:/bin HOME="/home/$u" USER="$u" BERTH_CONFIG="$ETC" \
		DOCKER_HOST="unix://$SB/docker.sock" "${DOCKER_BIN:-$BUILD/berth-docker}" "$@"
}
okd() { local rc=$1; ok "$rc" "$2"; [ "$rc" = 0 ] || diag "$3"; }
ncont() { sbdocker ps -aq | wc -l; }
label() { sbdocker inspect -f "{{index .Config.Labels \"$2\"}}" "$1"; }
cgroup_of() { sb_exec cat "/proc/$(sbdocker inspect -f '{{.State.Pid}}' "$1")/cgroup" | sed -n "s/^[0-9]*:$2:\(.*\)/\1/p"; }

# --- a plain docker run lands where it belongs -----------------------------------
out=$(wd berthtali run -d --name x $IMG sleep 600 2>&1)
okd $? "alice: docker run -d --name x works through the wrapper" "$out"
is "$(sbdocker inspect -f '{{.Name}}' x._.berthtali 2>/dev/null)" "/x._.berthtali" "the container is named x._.berthtali"
like "$(cgroup_of x._.berthtali memory)" '^/berth.slice/berth-students.slice/berth-students-berthtali.slice/docker-[0-9a-f]*.scope$' \
	"its cgroup is inside berth-students-berthtali.slice (read from /proc/PID/cgroup)"
for l in berth.managed=true berth.user=berthtali berth.group=students berth.project=berthtali "berth.gpus="; do
	is "$(label x._.berthtali "${l%%=*}")" "${l#*=}" "label ${l%%=*} is '${l#*=}'"
done
like "$(label x._.berthtali berth.reservation)" '^[0-9a-f-]+$' "label berth.reservation names the reservation"
is "$(label x._.berthtali berth.uid)" "$(id -u berthtali)" "label berth.uid is alice's uid"
SC=$(cgroup_of x._.berthtali memory) # the same path in every v1 hierarchy
is "$(cg cpu "$SC" cpu.cfs_quota_us)" 100000 "default --cpus 1 (container_cpus) is in cpu.cfs_quota_us"
is "$(cg memory "$(cgroup_of x._.berthtali memory)" memory.limit_in_bytes)" 268435456 "default --memory 256M (container_memory) is in memory.limit_in_bytes"
is "$(sbdocker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' x._.berthtali | grep ^NVIDIA_VISIBLE_DEVICES=)" \
	"NVIDIA_VISIBLE_DEVICES=void" "no GPU asked: NVIDIA_VISIBLE_DEVICES=void"

out=$(wd berthtali run --rm $IMG echo --privileged -v /etc:/x 2>/dev/null)
is "$out" "--privileged -v /etc:/x" "the command after the image is passed untouched (not read as options)"

out=$(wd berthtali ps --format '{{.Names}}' 2>&1)
is "$out" "x._.berthtali" "alice's docker ps lists her container"
out=$(wd berthtali logs x 2>&1; echo rc=$?)
is "$out" "rc=0" "alice: 'docker logs x' finds x._.berthtali"

# --- GPUs ----------------------------------------------------------------------------
out=$(wd berthtali create --gpus 1 --name g0 $IMG sleep 600 2>&1)
okd $? "alice: docker create --gpus 1" "$out"
dev=$(sbdocker inspect -f '{{range .HostConfig.DeviceRequests}}{{join .DeviceIDs ","}}{{end}}' g0._.berthtali)
like "$dev" '^(GPU|MIG)-[0-9a-f-]*$' "HostConfig.DeviceRequests holds one reserved fake GPU ($dev)"
is "$(sbdocker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' g0._.berthtali | grep ^NVIDIA_VISIBLE_DEVICES=)" \
	"NVIDIA_VISIBLE_DEVICES=$dev" "NVIDIA_VISIBLE_DEVICES is the same device"
is "$(label g0._.berthtali berth.gpus)" "$dev" "berth.gpus label names it"
sbdocker rm -f g0._.berthtali >/dev/null
# the daemon frees the GPU when Docker reports the container destroyed
for i in $(seq 50); do
	[ "$(as berthtali '{"op":"status"}' | jq '[.gpus[] | select(.user == "berthtali")] | length')" = 0 ] && break
	sleep 0.1
done
out=$(wd berthtali create --gpus all --name g1 $IMG sleep 600 2>&1)
okd $? "alice: --gpus all" "$out"
dev=$(sbdocker inspect -f '{{range .HostConfig.DeviceRequests}}{{join .DeviceIDs ","}}{{end}}' g1._.berthtali)
like "$dev" '^[GM][A-Z]*-[0-9a-f-]*,[GM][A-Z]*-[0-9a-f-]*$' "maps onto the 2 GPUs she may hold in one container ($dev)"
n=$(ncont)
out=$(wd berthtali create --gpus 1 --name g3 $IMG sleep 600 2>&1); rc=$?
isnt "$rc" 0 "past her GPU limit: refused"
like "$out" '^berth: .*GPU' "with a one-sentence reason ($out)"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "on one line"
is "$(ncont)" "$n" "and no container was created"
sbdocker rm -f g1._.berthtali >/dev/null

out=$(wd berthtali run --gpus 1 --name miss no-such-image:latest true 2>&1); rc=$?
isnt "$rc" 0 "docker run of a missing image fails"
st=$(as berthtali '{"op":"status"}')
is "$(jq '[.containers[] | select(.user=="berthtali" and .gpus != [] and (.container // "" | startswith("miss")))] | length' <<<"$st")" 0 \
	"its GPU reservation was freed at once (slicemgr status)"

# --- the escape suite: each is refused, with a sentence, and creates nothing ------------
sb_exec mkdir -p /home/berthtbob/work $SB/berth-data/shared
sb_exec chown berthtbob: /home/berthtbob/work
sb_exec ln -sfn /etc /home/berthtbob/etc-link
printf 'berth.user=berthtali\n' > "$SB/bob-labels"; chmod 644 "$SB/bob-labels"
printf '# GPUs\nNVIDIA_VISIBLE_DEVICES=all\n' > "$SB/bob-env"; chmod 644 "$SB/bob-env"
ALI_ID=$(sbdocker inspect -f '{{.Id}}' x._.berthtali)

deny() { # deny DESCRIPTION DOCKER-ARGS...
	local desc=$1 before out rc; shift
	before=$(ncont)
	out=$(wd berthtbob "$@" 2>&1); rc=$?
	if [ "$rc" -ne 0 ] && [ "$(ncont)" = "$before" ] && [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] &&
		[[ "$out" == berth:* ]]; then
		ok 0 "refused: $desc"
	else
		ok 1 "refused: $desc"
		diag "rc=$rc out=$out"
	fi
}
deny "--privileged"                      run --privileged $IMG true
deny "--privileged=true"                 run --privileged=true $IMG true
deny "container run --privileged"        container run --privileged $IMG true
deny "create -it --privileged"           create -it --privileged $IMG true
deny "bundled -dit before --privileged"  run -dit --privileged $IMG true
deny "--cap-add SYS_ADMIN"               run --cap-add SYS_ADMIN $IMG true
deny "--cap-add=sys_admin"               run --cap-add=sys_admin $IMG true
deny "--cap-add CAP_SYS_ADMIN"           create --cap-add CAP_SYS_ADMIN $IMG true
deny "--cap-add ALL"                     run --cap-add ALL $IMG true
deny "--cap-add with an allowed and a forbidden one" run --cap-add NET_BIND_SERVICE,SYS_PTRACE $IMG true
deny "--device /dev/nvidia0"             run --device /dev/nvidia0 $IMG true
deny "--device=/dev/mem"                 run --device=/dev/mem $IMG true
deny "--device of a block device"        run --device /dev/loop0 $IMG true
deny "--device-cgroup-rule"              run --device-cgroup-rule 'b *:* rwm' $IMG true
deny "--pid host"                        run --pid host $IMG true
deny "--pid=host"                        container create --pid=host $IMG true
deny "--ipc host"                        run --ipc host $IMG true
deny "--uts=host"                        run --uts=host $IMG true
deny "--userns host"                     run --userns host $IMG true
deny "--cgroupns host"                   run --cgroupns host $IMG true
deny "--network host"                    run --network host $IMG true
deny "--net=host"                        run --net=host $IMG true
deny "--network container:<alice's>"     run --network container:x._.berthtali $IMG true
deny "--pid container:<alice's id>"      run --pid "container:${ALI_ID:0:12}" $IMG true
deny "--ipc container:<alice's>"         run --ipc container:x._.berthtali $IMG true
deny "--volumes-from <alice's>"          run --volumes-from x._.berthtali $IMG true
deny "--link <alice's>"                  run --link x._.berthtali:a $IMG true
deny "-v /etc:/x"                        run -v /etc:/x $IMG true
deny "-v/etc:/x (attached value)"        run -v/etc:/x $IMG true
deny "--volume=/:/host"                  run --volume=/:/host $IMG true
deny "-itv /etc:/x (bundled)"            run -itv /etc:/x $IMG true
deny "another user's home"               run -v /home/berthtali:/x $IMG true
deny "/home/bob/../berthtali via .."     run -v /home/berthtbob/../berthtali:/x $IMG true
deny "a symlink in bob's home to /etc"   run -v /home/berthtbob/etc-link:/x $IMG true
deny "a path under the symlink"          run -v /home/berthtbob/etc-link/ssl:/x $IMG true
deny "--mount type=bind,src=/etc"        run --mount type=bind,src=/etc,dst=/x $IMG true
deny "--mount source=/,target=/x"        create --mount type=bind,source=/,target=/x $IMG true
deny "--mount volume with device=/etc"   run --mount type=volume,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc $IMG true
deny "--mount type=npipe"                run --mount type=npipe,src=/x,dst=/y $IMG true
deny "--label berth.user=…"              run --label berth.user=berthtali $IMG true
deny "-l berth.gpus=…"                   run -l berth.gpus=GPU-0 $IMG true
deny "--label=Berth.User=… (case)"       run --label=Berth.User=x $IMG true
deny "--label-file with berth.user"      run --label-file "$SB/bob-labels" $IMG true
deny "--cgroup-parent=/"                 run --cgroup-parent=/ $IMG true
deny "--cgroup-parent berth.slice"       create --cgroup-parent berth.slice $IMG true
deny "-e NVIDIA_VISIBLE_DEVICES=all"     run -e NVIDIA_VISIBLE_DEVICES=all $IMG true
deny "--env=CUDA_VISIBLE_DEVICES=0"      run --env=CUDA_VISIBLE_DEVICES=0 $IMG true
deny "-e NVIDIA_VISIBLE_DEVICES (from env)" run -e NVIDIA_VISIBLE_DEVICES $IMG true
deny "--env-file setting the GPU list"   run --env-file "$SB/bob-env" $IMG true
deny "-ite (bundled) NVIDIA_VISIBLE_DEVICES" run -ite NVIDIA_VISIBLE_DEVICES=all $IMG true
deny "--security-opt seccomp=unconfined" run --security-opt seccomp=unconfined $IMG true
deny "--security-opt apparmor=unconfined" run --security-opt apparmor=unconfined $IMG true
deny "--security-opt label=disable"      run --security-opt=label=disable $IMG true
deny "--runtime runsc"                   run --runtime runsc $IMG true
deny "--name of alice's container"       run --name x._.berthtali $IMG true
deny "--cpus above the slice"            run --cpus 8 $IMG true
deny "-m above the slice"                run -m 4g $IMG true
deny "--memory=4g"                       create --memory=4g $IMG true
deny "--cpu-quota around --cpus"         run --cpu-quota 1000000 $IMG true
deny "--gpus 3 above gpus_per_container" run --gpus 3 $IMG true
deny "-p 22:22 (a system port)"          run -p 22:22 $IMG true
deny "--oom-score-adj -1000"             run --oom-score-adj -1000 $IMG true
deny "an unknown option"                 run --frobnicate $IMG true
deny "an unknown short option"           run -Z $IMG true

# allowed forms of the same things, so the rules are not just "refuse all"
out=$(wd berthtbob run --rm -v /home/berthtbob/work:/w -v $SB/berth-data/shared:/s:ro --cap-add NET_BIND_SERVICE \
	--security-opt no-new-privileges $IMG true 2>&1)
okd $? "bob: own home, an allowed bind, an allowed capability and no-new-privileges are fine" "$out"
out=$(wd berthtbob run -d --name y $IMG sleep 600 2>&1)
okd $? "bob: a container of his own" "$out"

# --- host paths meet only their owner ------------------------------------------------
BOBUID=$(id -u berthtbob)
# nothing in bob's home is root's (owner or group) after an attack
no_root_files() {
	is "$(sb_exec find /home/berthtbob -xdev \( -type f -o -type d \) \( -uid 0 -o -gid 0 \) -print 2>/dev/null)" "" "$1"
}
# the root-through-home attack: a setuid root copy of a shell in his home
out=$(wd berthtbob run --rm -v /home/berthtbob/:/h $IMG sh -c \
	'id -u; busybox cp /bin/busybox /h/prog; busybox chown 0:0 /h/prog; busybox chmod 4755 /h/prog' 2>/dev/null)
like "$out" "^$BOBUID" "-v ~/:/h: the container ran as bob (id -u inside: $BOBUID)"
no_root_files "-v ~/:/h: no root-owned file in bob's home afterwards"
is "$(sb_exec find /home/berthtbob -type f -perm -4000 -uid 0 2>/dev/null)" "" "and no setuid-root file"
sb_exec rm -f /home/berthtbob/prog
out=$(wd berthtbob run --rm --mount type=bind,src=/home/berthtbob,dst=/h $IMG sh -c \
	'id -u; busybox touch /h/m; busybox chown 0:0 /h/m' 2>/dev/null)
like "$out" "^$BOBUID" "--mount type=bind: the container ran as bob"
no_root_files "--mount type=bind: no root-owned file in bob's home"
sb_exec rm -f /home/berthtbob/m
out=$(wd berthtbob run --rm -v /home/berthtbob:/h $IMG sh -c 'id -G; busybox grep NoNewPrivs /proc/self/status' 2>&1)
like "$out" "NoNewPrivs:[[:space:]]*1" "a container with a bind has no-new-privileges"
deny "-v ~:/h with --user 0"             run -v /home/berthtbob:/h --user 0 $IMG true
deny "--mount bind with -u root"         run --mount type=bind,src=/home/berthtbob,dst=/h -u root $IMG true
deny "-v ~:/h with --group-add 0"        run -v /home/berthtbob:/h --group-add 0 $IMG true
deny "-v ~:/h with --user 0:0 (attached)" create -v /home/berthtbob:/h -u0:0 $IMG true
# a symlink in his home swapped between create and start: the container
# gets the path berth resolved, and runs as bob anyway
sb_exec install -d -o berthtbob -g "$(id -g berthtbob)" /home/berthtbob/real
sb_exec setpriv --reuid=berthtbob --regid="$(id -g berthtbob)" --init-groups ln -sfn /home/berthtbob/real /home/berthtbob/swap
out=$(wd berthtbob create --name sw -v /home/berthtbob/swap:/h $IMG sh -c 'id -u; busybox touch /h/t; busybox ls /h' 2>&1)
okd $? "bob: create with a bind through a symlink in his home" "$out"
sb_exec setpriv --reuid=berthtbob --regid="$(id -g berthtbob)" --init-groups ln -sfn /etc /home/berthtbob/swap
is "$(sbdocker inspect -f '{{range .Mounts}}{{.Source}}{{end}}' sw._.berthtbob 2>/dev/null)" "/home/berthtbob/real" \
	"docker got the resolved path, not the symlink"
out=$(wd berthtbob start -a sw 2>/dev/null)
like "$out" "^$BOBUID" "started after the swap, it runs as bob"
is "$(sb_exec stat -c %u /home/berthtbob/real/t 2>/dev/null)" "$BOBUID" "and wrote to the resolved directory as bob"
sb_exec test -e /etc/t
isnt $? 0 "nothing reached /etc"
wd berthtbob rm -f sw >/dev/null 2>&1
# --volumes-from a container with binds, exec and cp into it
out=$(wd berthtbob run -d --name hb -v /home/berthtbob:/h $IMG sleep 600 2>&1)
okd $? "bob: a container of his with his home bound" "$out"
out=$(wd berthtbob run --rm --volumes-from hb._.berthtbob $IMG id -u 2>/dev/null)
is "$out" "$BOBUID" "--volumes-from a container with binds: runs as bob"
deny "--volumes-from it with --user 0"   run --volumes-from hb._.berthtbob -u 0 $IMG true
out=$(wd berthtbob exec hb id -u 2>&1)
is "$out" "$BOBUID" "exec into it without -u runs as bob"
out=$(wd berthtbob exec -u 0 hb id -u 2>&1); rc=$?
if [ "$rc" -ne 0 ] && [[ "$out" == berth:* ]]; then ok 0 "exec -u 0 into it is refused"; else ok 1 "exec -u 0 into it is refused"; diag "rc=$rc out=$out"; fi
out=$(wd berthtbob exec -u root hb id -u 2>&1); rc=$?
isnt "$rc" 0 "exec -u root into it is refused"
out=$(wd berthtbob exec --privileged hb id -u 2>&1); rc=$?
isnt "$rc" 0 "exec --privileged into it is refused"
out=$(wd berthtbob exec -e NVIDIA_VISIBLE_DEVICES=all y true 2>&1); rc=$?
isnt "$rc" 0 "exec -e NVIDIA_VISIBLE_DEVICES into his own container is refused"
out=$(wd berthtbob cp /etc/hostname hb:/h/copied 2>&1); rc=$?
isnt "$rc" 0 "cp into a container with binds is refused"
like "$out" "/home/berthtbob" "saying where the files are on the host"
sb_exec test -e /home/berthtbob/copied
isnt $? 0 "and nothing was copied"
out=$(wd berthtbob cp hb:/etc/passwd - 2>&1); rc=$?
isnt "$rc" 0 "cp out of it is refused too"
no_root_files "after all that, no root-owned file in bob's home"
wd berthtbob rm -f hb >/dev/null 2>&1
# volumes
n=$(ncont)
out=$(wd berthtbob volume create -o type=none -o o=bind -o device=/etc bobvol2 2>&1); rc=$?
isnt "$rc" 0 "volume create -o device=/etc is refused"
like "$out" "^berth: " "with a sentence"
sbdocker volume inspect bobvol2 >/dev/null 2>&1
isnt $? 0 "and no volume was created"
out=$(wd berthtbob volume create --driver other bobvol3 2>&1); rc=$?
isnt "$rc" 0 "volume create --driver other is refused"
out=$(wd berthtali volume create alivol 2>&1)
okd $? "alice: volume create alivol" "$out"
is "$(sbdocker volume inspect -f '{{index .Labels "berth.user"}}' alivol 2>/dev/null)" "berthtali" "it is labelled berth.user=berthtali"
out=$(wd berthtbob run --rm -v alivol:/v $IMG true 2>&1); rc=$?
isnt "$rc" 0 "bob: mounting alice's volume is refused"
like "$out" "berthtali" "naming whose it is"
is "$(ncont)" "$n" "and no container was created"
out=$(wd berthtbob volume rm alivol 2>&1); rc=$?
isnt "$rc" 0 "bob: volume rm of alice's volume is refused"
sbdocker volume inspect alivol >/dev/null 2>&1
ok $? "and it is still there"
out=$(wd berthtbob volume inspect alivol 2>&1); rc=$?
isnt "$rc" 0 "bob: volume inspect of alice's volume is refused"
out=$(wd berthtali run --rm -v alivol:/v $IMG id -u 2>/dev/null)
is "$out" "0" "alice: her own volume mounts, and root inside may use it"
out=$(wd berthtali volume rm alivol 2>&1)
okd $? "alice: volume rm of her own" "$out"
# every option decided
out=$(wd berthtbob compose version 2>&1); rc=$?
isnt "$rc" 0 "docker compose is refused"
like "$out" "API gate" "saying it will work through the API gate"
out=$(wd berthtbob buildx bake 2>&1); rc=$?
isnt "$rc" 0 "docker buildx bake is refused"
out=$(wd berthtbob update --memory-swap -1 y 2>&1); rc=$?
isnt "$rc" 0 "update --memory-swap -1 is refused"
out=$(wd berthtbob rm -f ' y' 2>&1); rc=$?
isnt "$rc" 0 "a target name with leading white space is refused"
like "$out" "white space" "saying why"

# --- ownership: bob against alice's container -----------------------------------------
touch_ok() { # owned ACTION: alice's container must still be there and running
	is "$(sbdocker inspect -f '{{.State.Running}} {{.Name}}' "$ALI_ID" 2>/dev/null)" "true /x._.berthtali" "$1"
}
odeny() { # odeny DESCRIPTION DOCKER-ARGS...
	local desc=$1 out rc; shift
	out=$(wd berthtbob "$@" 2>&1); rc=$?
	if [ "$rc" -ne 0 ] && [[ "$out" == *"belongs to berthtali"* ]]; then ok 0 "bob refused: $desc"
	else ok 1 "bob refused: $desc"; diag "rc=$rc out=$out"; fi
}
odeny "exec"                      exec x._.berthtali id
odeny "exec with -u and -w values" exec -u root -w /tmp x._.berthtali id
odeny "exec -u <his own name>"     exec -u y._.berthtbob x._.berthtali id
odeny "logs"                      logs x._.berthtali
odeny "logs --since 1h"           logs --since 1h x._.berthtali
odeny "inspect"                   inspect x._.berthtali
odeny "inspect by id prefix"      inspect "${ALI_ID:0:12}"
odeny "container inspect"         container inspect x._.berthtali
odeny "stop -t 1"                 stop -t 1 x._.berthtali
odeny "kill"                      kill x._.berthtali
odeny "rm -f with his own first"  rm -f y._.berthtbob x._.berthtali
odeny "container rm"              container rm -f x._.berthtali
odeny "cp out of it"              cp x._.berthtali:/etc/passwd /tmp/stolen
odeny "cp into it"                cp /etc/hostname x._.berthtali:/tmp/
odeny "commit"                    commit x._.berthtali bobs-copy
odeny "rename"                    rename x._.berthtali mine
odeny "update --cpus 0.5"         update --cpus 0.5 x._.berthtali
odeny "pause"                     pause x._.berthtali
odeny "top"                       top x._.berthtali
odeny "stats --no-stream"         stats --no-stream x._.berthtali
odeny "network disconnect"        network disconnect bridge x._.berthtali
touch_ok "after all that, alice's container is untouched and running"
# a container made through the API a moment ago (not by berth): bob may not
# touch it, also when he asks at once, before berth-slicemgr hears of it
for i in 1 2 3; do
	sbdocker create --name "raw$i" $IMG sleep 60 >/dev/null 2>&1
	out=$(wd berthtbob rm -f "raw$i" 2>&1); rc=$?
	if [ "$rc" -ne 0 ] && [[ "$out" == *"is not a berth container"* ]] && sbdocker inspect "raw$i" >/dev/null 2>&1; then
		ok 0 "bob refused: rm -f of raw$i, created through the API just before"
	else ok 1 "bob refused: rm -f of raw$i, created through the API just before"; diag "rc=$rc out=$out"; fi
	sbdocker rm -f "raw$i" >/dev/null 2>&1
done
out=$(wd berthtadmin ps -a --format '{{.Names}}' 2>&1 | sort | tr '\n' ' ')
like "$out" "x._.berthtali.*y._.berthtbob" "an admin's docker ps -a shows every user's containers"
out=$(wd berthtbob ps -a --format '{{.Names}}' 2>&1)
is "$out" "y._.berthtbob" "bob's docker ps -a shows only his own container"
out=$(wd berthtbob ps -a --filter label=berth.user=berthtali --format '{{.Names}}' 2>&1)
is "$out" "" "and a filter for alice's label shows nothing"
out=$(wd berthtbob container prune -f 2>&1); rc=$?
isnt "$rc" 0 "bob: container prune is refused"
like "$out" "for admins only" "with a sentence"
out=$(wd berthtbob system prune -f 2>&1); rc=$?
isnt "$rc" 0 "bob: system prune is refused"
out=$(wd berthtbob exec --privileged y id 2>&1); rc=$?
isnt "$rc" 0 "bob: exec --privileged into his own container is refused"
out=$(wd berthtbob update --cpus 8 y 2>&1); rc=$?
isnt "$rc" 0 "bob: update --cpus past his slice is refused"
out=$(wd berthtbob update --memory 4g y 2>&1); rc=$?
isnt "$rc" 0 "bob: update --memory past his slice is refused"
out=$(wd berthtbob volume create -o type=none -o o=bind -o device=/etc bobvol 2>&1); rc=$?
isnt "$rc" 0 "bob: a volume that binds /etc is refused"
out=$(wd berthtbob build --cgroup-parent / - </dev/null 2>&1); rc=$?
isnt "$rc" 0 "bob: build --cgroup-parent is refused"

# alice may do all of it to her own
out=$(wd berthtali exec x id -u 2>&1)
is "$out" "0" "alice: exec into her own (short name) works"
out=$(wd berthtali inspect -f '{{.Name}}' x 2>&1)
is "$out" "/x._.berthtali" "alice: inspect by the short name"
wd berthtali cp x:/etc/hostname - >/dev/null 2>&1
ok $? "alice: cp out of her own"
wd berthtali update --cpus 0.5 x >/dev/null 2>&1
ok $? "alice: update --cpus 0.5 within her slice"
is "$(cg cpu "$SC" cpu.cfs_quota_us)" 50000 "and the kernel has it (cpu.cfs_quota_us)"
out=$(wd berthtali commit x berth/berthtali/snap 2>&1)
okd $? "alice: commit her own to berth/berthtali/snap" "$out"
out=$(wd berthtbob rmi berth/berthtali/snap 2>&1); rc=$?
isnt "$rc" 0 "bob: rmi of alice's image is refused"
like "$out" "berthtali" "naming whose it is"
# a user's image names land in their namespace, and their own is found first
out=$(printf 'FROM %s\nLABEL x=y\n' "$IMG" | wd berthtbob build -q -t bobimg - 2>&1)
okd $? "bob: build -t bobimg" "$out"
is "$(sbdocker inspect -f '{{index .Config.Labels "berth.user"}}' berth/berthtbob/bobimg:latest 2>&1)" berthtbob \
	"it lands as berth/berthtbob/bobimg, labelled his"
out=$(wd berthtbob create --name fromown bobimg true 2>&1)
okd $? "bob: create from 'bobimg'" "$out"
is "$(sbdocker inspect -f '{{.Config.Image}}' fromown._.berthtbob 2>&1)" berth/berthtbob/bobimg:latest \
	"docker was given his own berth/berthtbob/bobimg"
wd berthtbob rm fromown >/dev/null 2>&1
out=$(wd berthtbob tag bobimg bobimg2 2>&1)
okd $? "bob: tag bobimg bobimg2" "$out"
out=$(wd berthtbob rmi berth/berthtbob/bobimg2 2>&1)
okd $? "bob: rmi of his own berth/berthtbob/bobimg2" "$out"
# renaming a berth container would break the seal on its labels (it covers
# the name): refused for its owner, an admin's override is audited
out=$(wd berthtali rename x x2 2>&1); rc=$?
isnt "$rc" 0 "alice: rename x x2 is refused"
like "$out" "^berth: renaming x._.berthtali would break the seal on its GPUs. Create a new container instead.$" \
	"with one sentence ($out)"
is "$(sbdocker inspect -f '{{.Name}}' "$ALI_ID")" "/x._.berthtali" "and the name did not change"
out=$(wd berthtali container rename x x2 2>&1); rc=$?
isnt "$rc" 0 "alice: container rename x x2 is refused too"
out=$(wd berthtadmin rename x._.berthtali x2._.berthtali 2>&1)
okd $? "an admin may rename it" "$out"
is "$(sbdocker inspect -f '{{.Name}}' "$ALI_ID")" "/x2._.berthtali" "the new name keeps her suffix"
like "$(sb_exec journalctl -o export BERTH_EVENT=admin.override BERTH_USER=berthtadmin | grep '^BERTH_REASON=berth: renaming' | head -1)" \
	'^BERTH_REASON=berth: renaming x._.berthtali' "the admin's rename is audited as an override"
# berth-slicemgr's mirror of Docker's containers follows the rename
out=$(wd berthtali inspect -f '{{.Name}}' x2 2>&1)
is "$out" "/x2._.berthtali" "alice: the renamed container is found by its new short name"
out=$(wd berthtali inspect -f '{{.Name}}' x 2>&1); rc=$?
isnt "$rc" 0 "alice: the old short name finds nothing"
like "$out" "No such" "docker says there is no such container"
odeny "logs by the new name"      logs x2._.berthtali
odeny "stop by the new name"      stop -t 1 x2._.berthtali
out=$(wd berthtali stop -t 1 x2 2>&1)
ok $? "alice: stop her own"
out=$(wd berthtali rm x2 2>&1)
ok $? "alice: rm her own"

# an admin may, and it is audited
out=$(wd berthtadmin inspect -f '{{.Name}}' y._.berthtbob 2>&1)
is "$out" "/y._.berthtbob" "an admin may inspect bob's container"
out=$(wd berthtadmin create --name adm --privileged $IMG true 2>&1)
okd $? "an admin may create a --privileged container" "$out"
is "$(sbdocker inspect -f '{{.HostConfig.Privileged}}' adm._.berthtadmin 2>/dev/null)" true "and it is privileged"
like "$(sb_exec journalctl -o export BERTH_EVENT=admin.override BERTH_USER=berthtadmin | grep '^BERTH_REASON=berth: --priv' | head -1)" \
	'^BERTH_REASON=berth: --privileged' "the override records what a user would have been told"
j=$(journal 1 BERTH_EVENT=admin.override BERTH_USER=berthtadmin)
like "$j" "berthtadmin" "and the admin override is in the journal"

# --- audit -------------------------------------------------------------------------------
j=$(journal 1 BERTH_EVENT=container.deny BERTH_USER=berthtbob)
like "$j" "privileged" "container.deny entries for bob are in the journal"
j=$(journal 1 BERTH_EVENT=access.deny BERTH_USER=berthtbob)
like "$j" "belongs to berthtali" "access.deny entries for bob are in the journal"
j=$(journal 1 BERTH_EVENT=container.create BERTH_USER=berthtali)
like "$j" "x._.berthtali" "container.create for alice's x is in the journal"
like "$(sb_exec journalctl -o export BERTH_EVENT=container.deny BERTH_USER=berthtbob | grep '^BERTH_REASON=' | head -1)" \
	'^BERTH_REASON=berth: --privileged' "deny entries carry the reason as BERTH_REASON"

# --- a config of the user's own is not honoured -------------------------------------------
# bob writes a permissive berth.conf whose real docker is his own program
# and points BERTH_CONFIG at it: the front (pass-through) and the policy
# half both ignore a directory root does not own.
sb_exec install -d -o berthtbob -g "$(id -g berthtbob)" -m 0755 /home/berthtbob/cfg
sb_exec setpriv --reuid=berthtbob --regid="$(id -g berthtbob)" --init-groups sh -c \
	'printf "#!/bin/sh\necho HIJACKED\n" > /home/berthtbob/cfg/evil && chmod 755 /home/berthtbob/cfg/evil &&
	 printf "[daemon]\nreal_docker = /home/berthtbob/cfg/evil\n[policy]\nallowed_binds = /\n" > /home/berthtbob/cfg/berth.conf'
bobcfg() { sb_exec setpriv --reuid=berthtbob --regid="$(id -g berthtbob)" --init-groups \
	env -i -C /home/berthtbob PATH=/usr/bin:/bin HOME=/home/berthtbob BERTH_CONFIG=/home/berthtbob/cfg \
	DOCKER_HOST="unix://$SB/docker.sock" "$BUILD/berth-docker" "$@"; }
out=$(bobcfg version --format '{{.Client.Version}}' 2>&1)
unlike "$out" "HIJACKED" "BERTH_CONFIG at bob's own directory: docker version does not run his real_docker"
n=$(ncont)
out=$(bobcfg run --rm -v /etc:/x $IMG true 2>&1); rc=$?
is "$rc" 125 "and docker run -v /etc:/x is still refused (his allowed_binds = / is not read)"
unlike "$out" "HIJACKED" "without running his program"
is "$(ncont)" "$n" "and nothing was created"

# --- fail closed ---------------------------------------------------------------------------
stop_daemon
n=$(ncont)
out=$(wd berthtbob run --rm $IMG true 2>&1); rc=$?
isnt "$rc" 0 "slicemgr down: docker run is refused"
like "$out" "slicemgr" "saying berth-slicemgr is not there"
is "$(ncont)" "$n" "and nothing was created"
wd berthtbob version >/dev/null 2>&1
ok $? "other verbs still work (docker version)"
out=$(wd berthtbob ps -a --format '{{.Names}}' 2>&1)
is "$out" "y._.berthtbob" "docker ps still works and still shows only his own"

# The front without its policy half (a copy of it alone in a directory):
# policed verbs are refused, never passed through; the others still run.
mkdir -p "$SB/front-alone" && cp "$BUILD/berth-docker" "$SB/front-alone/docker" && chmod 755 "$SB/front-alone"
out=$(DOCKER_BIN="$SB/front-alone/docker" wd berthtbob run --rm $IMG true 2>&1); rc=$?
is "$rc" 125 "front alone: docker run exits 125"
like "$out" "^berth: cannot run berth's docker policy \\(berth-docker-policy\\)" "saying the policy half is missing"
is "$(ncont)" "$n" "and nothing was created"
out=$(DOCKER_BIN="$SB/front-alone/docker" wd berthtbob ps -a --format '{{.Names}}' 2>&1); rc=$?
is "$rc" 125 "front alone: docker ps is refused too, not shown unfiltered"
out=$(DOCKER_BIN="$SB/front-alone/docker" wd berthtbob version --format '{{.Client.Version}}' 2>&1)
okd $? "front alone: docker version still runs the real docker" "$out"
