#!/bin/bash
# The Debian package on a throw-away root (tests/sandbox/sandbox package: an
# overlay over /etc, /usr and /var, Docker from docker.io's own units):
# install it as an admin would, see berthctl doctor all OK and a user (in no
# docker group) run a container through the gate, then purge it and find
# nothing of berth left: no file, unit, diversion, PAM line, user or group.
set -u
. "$BERTH_TOP/tests/integration/lib.sh"
unset DOCKER_HOST
DEB=$(ls "$BUILD"/deb/berth_*_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
U=berthpkgu
# the directories the overlay covers, where a package may leave things
ROOTS="/etc /usr /var/lib /var/cache /var/log /home /root /run"
plan 41

[ -n "$DEB" ] || { echo "Bail out! no .deb in $BUILD/deb (make deb)"; exit 1; }
[ "$(sb_exec findmnt -n -o FSTYPE /usr)" = overlay ] || { echo "Bail out! /usr is not an overlay in this sandbox"; exit 1; }
dpkg_state() { sb_exec dpkg-query -W -f='${db:Status-Status}' berth 2>/dev/null || true; }
sbctl() { sb_exec systemctl "$@"; }
# every path in the overlay's roots whose name says berth (the test's own
# inventory and the sandbox's files are named otherwise)
berth_units() { sb_exec systemctl list-unit-files --no-legend 'berth*' | awk '{print $1}' | sort; }
berth_files() { sb_exec find $ROOTS -xdev -iname '*berth*' 2>/dev/null | grep -v '^/run/systemd/transient/' | sort; }

# --- before: Docker as Debian installs it, with the systemd cgroup driver ----
sb_exec mkdir -p /etc/docker
cat > "$SB/daemon.json" <<EOT
{"data-root": "$SB/docker-data", "exec-opts": ["native.cgroupdriver=systemd"],
 "bridge": "none", "iptables": false, "ip-masq": false, "ip-forward": false,
 "runtimes": {"nvidia": {"path": "runc"}}}
EOT
sb_exec cp "$SB/daemon.json" /etc/docker/daemon.json
# the one fake: the NVIDIA driver's library, through the real dlopen path
sb_exec install -m 0644 "$BUILD/fakes/libnvidia-ml.so.1" /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1
sb_exec ldconfig
echo '{"gpus":[{"uuid":"GPU-00000000-0000-0000-0000-000000000000","pci":"0000:e1:00.0","numa":0},
 {"uuid":"GPU-11111111-1111-1111-1111-111111111111","pci":"0000:e2:00.0","numa":0}]}' > "$SB/gpus.json"
sb_exec install -m 0644 "$SB/gpus.json" /etc/fake-nvml.json
before_files=$(berth_files)
before_units=$(berth_units) # the sandbox's own berth-sandbox.target
sb_exec mkdir -p /etc/systemd/system/berth-slicemgr.service.d
printf '[Service]\nEnvironment=BERTH_FAKE_NVML=/etc/fake-nvml.json\n' > "$SB/fake-nvml.conf"
sb_exec cp "$SB/fake-nvml.conf" /etc/systemd/system/berth-slicemgr.service.d/fake-nvml.conf
# a lab server starts services from maintainer scripts; this host's image
# may forbid it (policy-rc.d exit 101), the throw-away root does not
sb_exec rm -f /usr/sbin/policy-rc.d
sbctl daemon-reload
sbctl start docker.socket docker.service
for i in $(seq 100); do sb_exec /usr/bin/docker version >/dev/null 2>&1 && break; sleep 0.2; done
ok "$(sb_exec /usr/bin/docker version >/dev/null 2>&1; echo $?)" "before: Debian's dockerd answers on /run/docker.sock"
engine_version=$(sb_exec /usr/bin/docker --version)
# the test image, a busybox rootfs
r=$(mktemp -d "$SB/rootfs.XXXXXX")
mkdir -p "$r/bin" "$r/tmp" "$r/etc"
cp /bin/busybox "$r/bin/busybox"
for c in sh echo true id cat sleep; do ln -sf busybox "$r/bin/$c"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"; echo 'root:x:0:' > "$r/etc/group"
tar -C "$r" -c . | sb_exec /usr/bin/docker import -c 'CMD ["/bin/sh"]' - berth-test:latest >/dev/null
rm -rf "$r"
# a user as a lab has them: in no docker group
sb_exec useradd -m -s /bin/sh -U "$U"
echo "$U" >> "$SB/users"
pkg_asuser() { sb_exec setpriv --reuid="$U" --regid="$U" --init-groups env -i HOME="/home/$U" PATH=/usr/bin:/bin sh -c "$1"; }

# --- install --------------------------------------------------------------
out=$(sb_exec env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$DEB" 2>&1); rc=$?
is "$rc" 0 "apt-get install ./$(basename "$DEB")"
[ "$rc" = 0 ] || diag "$(tail -n 30 <<<"$out")"
is "$(dpkg_state)" installed "dpkg: installed"
like "$out" "berth: dockerd listens on /run/berth/dockerd.sock" "the postinst says where dockerd went"
is "$(sb_exec dpkg-divert --list /usr/bin/docker)" "diversion of /usr/bin/docker to /usr/bin/docker.distrib by berth" \
	"the engine's CLI is diverted, not overwritten"
is "$(sb_exec /usr/bin/docker.distrib --version)" "$engine_version" "and is the engine's CLI, whole"
ok "$(sb_exec grep -q berth-docker-policy /usr/bin/docker; echo $?)" "/usr/bin/docker is berth's front"
is "$(sb_exec sed -n 's/^real_docker = //p' /etc/berth/berth.conf)" /usr/bin/docker.distrib "real_docker names the diverted CLI"
is "$(sb_exec dpkg-query -W -f='${Conffiles}' berth | awk '{print $1}' | sort | xargs)" \
	"/etc/berth/berth.conf /etc/berth/groups.d/default.conf" "/etc/berth's files are conffiles"
ok "$(sb_exec test -e /usr/share/doc/berth/examples/groups.d/students.conf; echo $?)" "the examples are in /usr/share/doc/berth/examples"
for u in berth-slicemgr.service berth-gate.socket; do
	is "$(sbctl is-enabled $u)/$(sbctl is-active $u)" enabled/active "$u enabled and running"
done
is "$(sbctl is-active docker.service)" active "Docker runs again"
is "$(sb_exec stat -c '%a %U:%G %F' /run/berth/dockerd.sock)" "660 root:root socket" "dockerd's socket is root's only"
is "$(sbctl show -p Listen --value docker.socket)" "/run/berth/dockerd.sock (Stream)" "docker.socket listens there (the drop-in)"
is "$(sb_exec stat -c '%a %F' /run/docker.sock)" "666 socket" "the gate has /run/docker.sock"
is "$(sb_exec getent group berth-admin | cut -d: -f1)" berth-admin "sysusers made the group berth-admin"
is "$(sb_exec stat -c '%s %a %U' /var/lib/berth/seal.key)" "32 600 root" "the seal key: 32 bytes, root's, 0600"
is "$(sb_exec grep -Eo 'pam_(berth|systemd)\.so' /etc/pam.d/common-session | xargs)" "pam_berth.so pam_systemd.so" \
	"pam-auth-update put pam_berth before pam_systemd"

# --- doctor and a user ------------------------------------------------------
j=$(sb_exec env BERTH_FAKE_NVML=/etc/fake-nvml.json berthctl doctor --json); rc=$?
is "$rc" 0 "berthctl doctor exits 0"
is "$(jq -r '[.[] | select(.status != "OK") | "\(.status) \(.check): \(.detail)"] | join("; ")' <<<"$j")" "" \
	"and every row is OK"
ok "$(jq -e 'length >= 15' <<<"$j" >/dev/null; echo $?)" "doctor checked all it knows ($(jq length <<<"$j") rows)"
# (stderr has dockerd's warning that this sandbox forwards no IPv4)
out=$(pkg_asuser 'docker run --rm berth-test echo hello from berth' 2>/dev/null)
is "$out" "hello from berth" "a user in no docker group runs a container with 'docker run'"
out=$(pkg_asuser '/usr/bin/docker.distrib run --rm --privileged berth-test true' 2>&1); rc=$?
like "$rc/$out" "^125/.*Error response from daemon: berth: .*privileged" "the engine's own CLI is held by the gate too"
out=$(pkg_asuser 'curl -s --unix-socket /run/berth/dockerd.sock http://d/_ping' 2>&1); rc=$?
isnt "$rc/$out" "0/OK" "a user cannot reach dockerd's own socket"
out=$(pkg_asuser 'docker run -d --name app berth-test sleep 60 && docker ps --format "{{.Names}}"' 2>/dev/null)
is "$out" "$(printf '%s\n%s' "$(sb_exec /usr/bin/docker.distrib -H unix:///run/berth/dockerd.sock ps -q --filter name=app --no-trunc)" "app._.$U")" \
	"the container is named app._.$U"
slice=$(sb_exec /usr/bin/docker.distrib -H unix:///run/berth/dockerd.sock inspect -f '{{.HostConfig.CgroupParent}}' "app._.$U")
like "$slice" "berth.*\.slice$" "and runs in the user's slice ($slice)"
pkg_asuser 'docker rm -f app' >/dev/null 2>&1
# a stop of the slice manager must not take dockerd's socket with it
sbctl stop berth-slicemgr.service
ok "$(sb_exec test -S /run/berth/dockerd.sock; echo $?)" "stopping berth-slicemgr leaves dockerd's socket in /run/berth"
sbctl start berth-slicemgr.service

# --- purge --------------------------------------------------------------------
# the test's own user and the fake driver's drop-in go first
sb_exec userdel -r "$U" >/dev/null 2>&1
sb_exec rm -rf /etc/systemd/system/berth-slicemgr.service.d
out=$(sb_exec env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q berth 2>&1); rc=$?
is "$rc" 0 "apt-get purge berth"
[ "$rc" = 0 ] || diag "$(tail -n 30 <<<"$out")"
is "$(dpkg_state)" "" "dpkg knows no berth"
is "$(sb_exec dpkg-divert --list | grep -c berth)" 0 "no diversion is left"
is "$(sb_exec /usr/bin/docker --version)" "$engine_version" "/usr/bin/docker is the engine's CLI again"
ok "$(sb_exec test ! -e /usr/bin/docker.distrib; echo $?)" "and /usr/bin/docker.distrib is gone"
# (what was there before the install may be gone: purge removes berth's
# state wherever it came from)
is "$(comm -13 <(echo "$before_files") <(berth_files))" "" "no file named berth is left anywhere under $ROOTS"
is "$(berth_units)" "$before_units" "no berth unit is left"
is "$(sbctl show -p Listen --value docker.socket)" "/run/docker.sock (Stream)" "docker.socket is back on /run/docker.sock"
is "$(sbctl show -p DropInPaths --value docker.socket)" "" "with no drop-in"
for i in $(seq 50); do sb_exec /usr/bin/docker version >/dev/null 2>&1 && break; sleep 0.2; done
ok "$(sb_exec /usr/bin/docker version >/dev/null 2>&1; echo $?)" "and Docker answers root there"
is "$(sb_exec getent group berth-admin)" "" "the group berth-admin is gone"
is "$(sb_exec grep -l pam_berth -r /etc/pam.d | wc -l)" 0 "no PAM stack names pam_berth"
is "$(sb_exec find /etc/systemd /lib/systemd -lname '*berth*' | wc -l)" 0 "no unit symlink is left"

exit $((TAP_FAILED > 0))
