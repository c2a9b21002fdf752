#!/bin/bash
# berth's demo, run by `sudo make demo` through `tests/sandbox/sandbox demo`:
# inside a throw-away sandbox (a real systemd and a real dockerd in
# namespaces) it installs berth from this checkout with the example config
# and a fake 4-GPU inventory, creates demo users, and plays a short story.
# The sandbox is torn down afterwards, users and all.  Every step is
# checked: the demo fails (exit 1) if berth does not behave as narrated.
set -u
. "$BERTH_TOP/tests/integration/lib.sh" >/dev/null

B=$'\e[1m'; D=$'\e[2m'; R=$'\e[0m'
[ -t 1 ] || { B=; D=; R=; }
say() { printf '\n%s==> %s%s\n' "$B" "$*" "$R"; }
note() { printf '%s    %s%s\n' "$D" "$*" "$R"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

INST="$SB/install"
ETC="$SB/etc-berth"
BIN="$INST/usr/local/bin"
SOCK="$SB/slicemgr.sock"
chmod 755 "$SB"

# shown ARGS...: the words as a shell line, quoted where a shell needs it
shown() {
	local out="" a q="'"
	for a; do
		if [[ "$a" =~ [][[:space:]\"{}()\;\&\|\$\'\*\?\<\>] ]]; then out+=" '${a//$q/$q\\$q$q}'"; else out+=" $a"; fi
	done
	printf '%s' "${out# }"
}
# as USER CMD...: a shell line typed by USER, shown, then run.
as() {
	local u=$1; shift
	printf '%s%s@berth$%s %s\n' "$B" "$u" "$R" "$(shown "$@")"
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i -C "/home/$u" PATH="$BIN:/usr/bin:/bin" HOME="/home/$u" USER="$u" TERM=dumb \
		BERTH_CONFIG="$ETC" DOCKER_HOST="unix://$SB/docker.sock" "$@" 2>&1 |
		grep -v '^WARNING: IPv4 forwarding is disabled' | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}
admin() { printf '%sroot@berth#%s %s\n' "$B" "$R" "$*"; sb_exec "$@" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }
refused() { local rc=$1 what=$2; [ "$rc" -ne 0 ] || die "$what was not refused"; note "(refused, exit $rc — as it should be)"; }

say "Installing berth from this checkout into the sandbox (make install DESTDIR=…)"
make -s -C "$BERTH_TOP" O="$BUILD_SRC" DESTDIR="$INST" install >/dev/null || die "make install failed"
# make install wrote a minimal /etc/berth; the demo plays the examples it
# installed beside the documentation, as an admin would start from them.
cp -a "$INST/usr/local/share/doc/berth/examples" "$ETC"
# The example config, pointed at the sandbox's sockets, the fake NVML, the
# local test image and demo-only Unix groups (so no real group is touched).
sed -i -e "s|^docker_socket = .*|docker_socket = $DOCKERD_SOCK|" \
	-e "s|^control_socket = .*|control_socket = $SOCK|" \
	-e "s|^nvml_library = .*|nvml_library = $BUILD/fakes/libnvidia-ml.so.1|" \
	-e "s|^admin_group = .*|admin_group = berthdemo-adm|" \
	-e "s|^base_image = .*|base_image = berth-test:latest|" \
	-e "s|^mounts = .*|mounts =|" "$ETC/berth.conf"
# users reach Docker through berth-gate on the sandbox's docker.sock only
# (and the seal key in the sandbox, never the host's /var/lib/berth)
printf '\n[gate]\nsocket = %s\nseal_key = %s\n' "$SB/docker.sock" "$SB/var-lib-berth/seal.key" >> "$ETC/berth.conf"
sed -i -e "s|@students|@berthdemo-stu|" "$ETC/groups.d/students.conf"
sed -i -e "s|@researchers @postdocs|@berthdemo-res|" "$ETC/groups.d/researchers.conf"
note "installed: $(cd "$INST" && find usr etc lib -type f 2>/dev/null | wc -l) files; config in $ETC"
admin "$BIN/berthctl" check-config --config "$ETC" || die "the example config does not load"

cat > "$SB/fake-nvml.json" <<'EOT'
{"gpus":[
 {"uuid":"GPU-0a0a0a0a-0000-4000-8000-000000000000","pci":"0000:17:00.0","numa":0},
 {"uuid":"GPU-1b1b1b1b-1111-4111-8111-111111111111","pci":"0000:31:00.0","numa":0},
 {"uuid":"GPU-2c2c2c2c-2222-4222-8222-222222222222","pci":"0000:b1:00.0","numa":1},
 {"uuid":"GPU-3d3d3d3d-3333-4333-8333-333333333333","pci":"0000:ca:00.0","numa":1}]}
EOT
say "Starting berth-slicemgr (Type=notify) with a fake 4-GPU NVML"
sb_exec systemd-run -q --unit=berth-slicemgr -p Type=notify -p NotifyAccess=main -p WatchdogSec=30 \
	--setenv=BERTH_FAKE_NVML="$SB/fake-nvml.json" "$INST/usr/local/sbin/berth-slicemgr" --config "$ETC" ||
	die "berth-slicemgr did not start"
trap 'sb_exec systemctl stop berth-gate berth-slicemgr >/dev/null 2>&1' EXIT
note "$(sb_exec systemctl show -p ActiveState --value berth-slicemgr): berth-slicemgr.service"
say "Starting berth-gate: the only Docker socket users can open (dockerd's own is root's)"
sb_exec systemd-run -q --unit=berth-gate -p Type=notify -p NotifyAccess=main -p WatchdogSec=30 \
	"$INST/usr/local/sbin/berth-gate" --config "$ETC" || die "berth-gate did not start"
note "$(sb_exec systemctl show -p ActiveState --value berth-gate): berth-gate.service on $SB/docker.sock; dockerd's socket is $(stat -c '%a %U:%G' "$DOCKERD_SOCK")"

say "Creating demo users: ada and lin (students), and an admin"
make_group berthdemo-stu; make_group berthdemo-adm
make_user demo-ada berthdemo-stu; make_user demo-lin berthdemo-stu; make_user demo-admin berthdemo-adm
note "demo-ada, demo-lin in berthdemo-stu (the 'students' group: 8 CPUs, 32G, 2 GPUs, 1 per container)"
START=$(date '+%Y-%m-%d %H:%M:%S')

say "ada deploys a container with one GPU"
as demo-ada container deploy thesis --gpus 1 --detach || die "ada's deploy failed"
note "ada's container runs in her own slice; the kernel holds its limits:"
S='berth.slice/berth-students.slice/berth-students-demo\x2dada.slice'
if sb_exec test -e /sys/fs/cgroup/cgroup.controllers; then
	note "  $S/cpu.max = $(sb_exec cat "/sys/fs/cgroup/$S/cpu.max")   (8 CPUs)"
	note "  $S/memory.max = $(sb_exec cat "/sys/fs/cgroup/$S/memory.max")   (32G)"
else
	note "  cpu/$S/cpu.cfs_quota_us = $(sb_exec cat "/sys/fs/cgroup/cpu/$S/cpu.cfs_quota_us")   (8 CPUs)"
	note "  memory/$S/memory.limit_in_bytes = $(sb_exec cat "/sys/fs/cgroup/memory/$S/memory.limit_in_bytes")   (32G)"
fi

say "lin just types docker: the wrapper names, labels and places her container"
as demo-lin docker run -d --gpus 1 --name train berth-test:latest sleep 600 || die "lin's docker run failed"
as demo-lin docker ps --format '{{.Names}}  {{.Labels}}' | cut -c1-120

say "ada asks for more than her quota allows: two GPUs in one container"
as demo-ada container deploy big --gpus 2 --detach
refused $? "ada's deploy beyond quota"

say "lin reaches for ada's container"
as demo-lin docker exec thesis._.demo-ada id
refused $? "lin's exec into ada's container"
as demo-lin docker logs thesis._.demo-ada
refused $? "lin's logs of ada's container"
as demo-lin docker run --rm --privileged berth-test:latest true
refused $? "lin's --privileged"

say "Past berth's docker front: the plain CLI, curl, compose and the Python SDK meet berth-gate"
note "dockerd's own socket is root's; a user cannot even open it:"
as demo-lin curl -s --unix-socket "$DOCKERD_SOCK" http://d/_ping
refused $? "lin's connection to dockerd's own socket"
as demo-lin /usr/bin/docker run --rm --privileged berth-test:latest true
refused $? "lin's --privileged through Debian's docker CLI"
note "raw JSON, a bind of the host's root: berth-gate answers 403 with one sentence"
out=$(as demo-lin curl -s -w ' (HTTP %{http_code})' --unix-socket "$SB/docker.sock" -H 'Content-Type: application/json' \
	-d '{"Image":"berth-test:latest","HostConfig":{"Binds":["/:/host"]}}' http://d/v1.41/containers/create)
printf '%s\n' "$out"
[[ "$out" == *'"message":"berth: '*'(HTTP 403)'* ]] || die "the raw create was not refused by the gate"
mkdir -p /home/demo-lin/evil /home/demo-lin/fine
printf 'services:\n  x:\n    image: berth-test:latest\n    privileged: true\n    volumes: ["/etc:/host-etc"]\n' \
	> /home/demo-lin/evil/docker-compose.yml
printf 'services:\n  web:\n    image: berth-test:latest\n    command: sleep 600\n' > /home/demo-lin/fine/docker-compose.yml
chown -R demo-lin: /home/demo-lin/evil /home/demo-lin/fine
admin cat /home/demo-lin/evil/docker-compose.yml
as demo-lin sh -c 'cd evil && docker-compose up -d'
refused $? "lin's privileged compose file"
as demo-lin sh -c 'cd evil && docker-compose down' >/dev/null
note "what the rules allow works as it always did, named and placed as berth does it:"
as demo-lin sh -c 'cd fine && docker-compose up -d && docker-compose ps' || die "lin's compose up failed"
as demo-lin python3 -c 'import docker; print(docker.from_env().containers.run("berth-test:latest", "echo hello from the Python SDK", remove=True).decode().strip())' ||
	die "lin's SDK run failed"
as demo-lin sh -c 'cd fine && docker-compose down' || die "lin's compose down failed"

say "The admin raises ada's quota by editing a file, and reloads"
cat > "$ETC/users.d/demo-ada.conf" <<EOT
[user]
gpus = 3
gpus_per_container = 2
expires = $(date -d '+30 days' +%F)
reason = paper deadline
EOT
admin cat "$ETC/users.d/demo-ada.conf"
as demo-admin berthctl --config "$ETC" reload || die "reload failed"
as demo-admin berthctl --config "$ETC" quota demo-ada || die "quota failed"
as demo-ada container deploy big --gpus 2 --detach || die "ada's deploy after the raise failed"

say "berthctl status: who holds which GPU"
as demo-admin berthctl --config "$ETC" status || die "status failed"

say "berthctl audit: every decision, from the journal"
admin "$BIN/berthctl" --config "$ETC" audit --since "$START" || die "audit failed"

say "ada retires her containers; the GPUs are free again"
as demo-ada container retire thesis || die "retire failed"
as demo-ada container retire big || die "retire failed"
as demo-lin docker rm -f train >/dev/null || die "lin's rm failed"
for i in $(seq 50); do
	held=$(sb_exec "$BUILD/helpers/berth-call" --socket "$SOCK" '{"op":"status"}' | jq '[.gpus[] | select(.user != null)] | length')
	[ "$held" = 0 ] && break
	sleep 0.1
done
[ "$held" = 0 ] || die "GPUs still held after retiring: $held"
as demo-admin berthctl --config "$ETC" status || die "status failed"

say "Done. The sandbox, its users and containers are removed now."
