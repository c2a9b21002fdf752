# Shared by the slicemgr tests: a config tree, test users in two groups,
# a fake 4-GPU inventory (one GPU split into MIG instances), and the daemon
# running as a Type=notify service of the sandbox systemd.
ETC="$SB/etc-berth"
SEAL_KEY="$SB/var-lib-berth/seal.key"
SOCK="$SB/slicemgr.sock"
NVML_JSON="$SB/fake-nvml.json"
SYSFS="$SB/sysfs"

write_config() { # write_config [EXTRA-DEFAULTS-LINES]
	mkdir -p "$ETC/groups.d" "$ETC/users.d"
	cat > "$ETC/berth.conf" <<EOT
[daemon]
docker_socket = $DOCKERD_SOCK
control_socket = $SOCK
real_docker = /usr/bin/docker
admin_group = berthtadm
default_group = default
gpus = nvml
nvml_library = $BUILD/fakes/libnvidia-ml.so.1
numa_affinity = yes
sysfs_root = $SYSFS
reservation_ttl = ${TTL:-60s}

[gate]
; the sandbox's own key: tests never touch the host's /var/lib/berth
seal_key = $SB/var-lib-berth/seal.key
socket = ${GATE_SOCK:-$SB/docker.sock}

[defaults]
cpus = 1
memory = 1G
gpus = 0
containers = 2
EOT
	cat > "$ETC/groups.d/students.conf" <<EOT
[group]
members = @berthtstu
priority = 10

[user]
cpus = 2
memory = 512M
memory_high = 400M
tasks = 300
gpus = 2
gpus_per_container = 2
containers = 4
container_cpus = 1
container_memory = 256M

[total]
cpus = 3
memory = 1G
tasks = 1000
gpus = 3
EOT
	cat > "$ETC/groups.d/researchers.conf" <<EOT
[group]
members = @berthtres berthtcar
priority = 20

[user]
cpus = 1.5
memory = 768M
tasks = 500
gpus = 2
gpus_per_container = 2
containers = 6

[total]
cpus = 4
memory = 2G
gpus = 4
EOT
}

# 4 GPUs on two NUMA nodes; GPU 3 split 3/7 + 2/7 + 2/7.
write_inventory() {
	cat > "$NVML_JSON" <<'EOT'
{"gpus":[
 {"uuid":"GPU-00000000-0000-0000-0000-000000000000","pci":"0000:e1:00.0","numa":0},
 {"uuid":"GPU-11111111-1111-1111-1111-111111111111","pci":"0000:e2:00.0","numa":0},
 {"uuid":"GPU-22222222-2222-2222-2222-222222222222","pci":"0000:e3:00.0","numa":1},
 {"uuid":"GPU-33333333-3333-3333-3333-333333333333","pci":"0000:e4:00.0","numa":1,
  "mig":[{"uuid":"MIG-33333333-0000-0000-0000-000000000003","slices":3},
         {"uuid":"MIG-33333333-0000-0000-0000-000000000002","slices":2},
         {"uuid":"MIG-33333333-0000-0000-0000-000000000001","slices":2}]}]}
EOT
	# a two-node machine, as sysfs would show it
	for p in e1 e2 e3 e4; do
		n=0; case $p in e3 | e4) n=1 ;; esac
		mkdir -p "$SYSFS/bus/pci/devices/0000:$p:00.0"
		echo $n > "$SYSFS/bus/pci/devices/0000:$p:00.0/numa_node"
	done
	mkdir -p "$SYSFS/devices/system/node/node0" "$SYSFS/devices/system/node/node1"
	echo 0-1 > "$SYSFS/devices/system/node/node0/cpulist"
	echo 3 > "$SYSFS/devices/system/node/node1/cpulist"
}

make_test_users() {
	make_group berthtstu
	make_group berthtres
	make_group berthtadm
	make_user berthtali berthtstu
	make_user berthtbob berthtstu
	make_user jean-luc berthtres
	make_user berthtcar
	make_user berthtdan berthtstu
	make_user berthteve berthtres
	make_user berthtadmin berthtadm
}

start_daemon() {
	sb_exec systemctl reset-failed berth-slicemgr >/dev/null 2>&1 || true
	sb_exec systemd-run -q --unit=berth-slicemgr -p Type=notify -p NotifyAccess=main -p WatchdogSec=30 \
		--setenv=BERTH_FAKE_NVML="$NVML_JSON" "$BUILD/berth-slicemgr" --config "$ETC"
	local rc=$?
	[ "$rc" = 0 ] || return $rc
	start_gate
}

# Clients of the gate, as USER in their home with a clean environment:
# gd  Debian's docker CLI (DOCKER_BUILDKIT=$BUILDKIT when that is set),
# gw  the wrapper, its docker talking to the gate,
# gc  raw HTTP (curl): prints the body, then the status on its own line.
gd() { # gd USER ARGS...
	local u=$1; shift
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups env -i -C "/home/$u" PATH=/usr/bin:/bin \
		HOME="/home/$u" DOCKER_HOST="unix://${GATE_SOCK:-$SB/docker.sock}" ${BUILDKIT:+DOCKER_BUILDKIT="$BUILDKIT"} \
		timeout -k 5 60 "$REAL_DOCKER" "$@"
}
gw() { # gw USER ARGS...
	local u=$1; shift
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups env -i -C "/home/$u" PATH=/usr/bin:/bin \
		HOME="/home/$u" USER="$u" BERTH_CONFIG="$ETC" DOCKER_HOST="unix://${GATE_SOCK:-$SB/docker.sock}" \
		timeout -k 5 60 "$BUILD/berth-docker" "$@"
}
gc() { # gc USER CURL-ARGS...
	local u=$1; shift
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups timeout 30 \
		curl -s --unix-socket "${GATE_SOCK:-$SB/docker.sock}" -w '\n%{http_code}' "$@"
}
status_of() { tail -n 1 <<<"$1"; } # of what gc printed
# RAW_PY ADDRESS WAIT BYTES [PIECE]: writes what a server answers to these
# bytes on one connection, until it closes or is quiet for WAIT s; ADDRESS
# is a socket path or HOST:PORT (backslash escapes in BYTES, \r\n and \x00
# alike, are decoded first); with PIECE, the bytes go PIECE at a time, 5 ms
# apart, so the server reads them in pieces
RAW_PY='
import socket, sys, time
a = sys.argv[1]
if a.startswith("/"):
    s = socket.socket(socket.AF_UNIX); s.settimeout(float(sys.argv[2])); s.connect(a)
else:
    s = socket.create_connection(tuple([a.rsplit(":", 1)[0], int(a.rsplit(":", 1)[1])])); s.settimeout(float(sys.argv[2]))
data = sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
piece = int(sys.argv[4]) if len(sys.argv) > 4 else len(data) or 1
try:
    for i in range(0, len(data), piece):
        s.sendall(data[i:i + piece])
        if piece < len(data): time.sleep(0.005)
except (BrokenPipeError, ConnectionResetError): pass # answered and closed before the rest: read the answer
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
except (socket.timeout, ConnectionResetError): pass
sys.stdout.write(out.decode(errors="replace"))'
# graw USER BYTES [PIECE]: what the gate answers to these bytes on one
# connection (PIECE bytes at a time, if given), as they came, until it
# closes or is quiet for 4 s
graw() {
	sb_exec setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups timeout -k 5 30 /usr/bin/python3 -c "$RAW_PY" \
		"${GATE_SOCK:-$SB/docker.sock}" 4 "$2" ${3:+"$3"}
}

# run_managed USER NAME CMD...: what the wrapper does, with docker run -d:
# reserve as USER (GPUS=N of them, default none), run with the labels and
# slice berth hands out, commit
run_managed() {
	local u=$1 n=$2 out labels
	shift 2
	out=$(as "$u" "{\"op\":\"reserve\",\"spec\":{\"name\":\"$n\",\"gpus\":${GPUS:-0}}}") || return 1
	labels=$(jq -r '.inject.labels|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
	sbdocker run -d --name "$(jq -r .name <<<"$out")" $labels --cgroup-parent "$(jq -r .slice <<<"$out")" \
		berth-test "$@" >/dev/null || return 1
	as "$u" "{\"op\":\"commit\",\"reservation\":\"$(jq -r .reservation <<<"$out")\"}" >/dev/null
}

# reaper_config WARN...: the reaper's tests' [reaper] (a sample every 2 s,
# warnings WARN before a stop) and students stopped after 10 s idle
reaper_config() {
	cat >> "$ETC/berth.conf" <<EOT

[reaper]
interval = 2s
idle_gpu_percent = 5
idle_cpus = 0.05
warn = $*
EOT
	sed -i '/^\[user\]/a idle_timeout = 10s' "$ETC/groups.d/students.conf"
}

# every container berth labelled, removed (the tests' cleanup)
remove_managed_containers() {
	local ids
	ids=$(sbdocker ps -aq --filter label=berth.managed=true 2>/dev/null)
	[ -n "$ids" ] && sbdocker rm -f $ids >/dev/null 2>&1
	return 0
}

# berth-gate on [gate] socket ($SB/docker.sock, the socket users reach),
# its upstream dockerd's own; start_daemon starts it after berth-slicemgr,
# which tells it who its callers are.  (Re)started with the config as it is.
start_gate() {
	stop_gate
	sb_exec systemd-run -q --unit=berth-gate -p Type=notify -p NotifyAccess=main -p WatchdogSec=30 \
		"$BUILD/berth-gate" --config "$ETC"
}
stop_gate() {
	sb_exec systemctl stop berth-gate >/dev/null 2>&1 || true
	sb_exec systemctl reset-failed berth-gate >/dev/null 2>&1 || true
}

# (the gate stays: Docker without berth-slicemgr is what users then meet;
# start_daemon restarts it with the config of the test)
stop_daemon() {
	sb_exec systemctl stop berth-slicemgr >/dev/null 2>&1 || true
	sb_exec systemctl reset-failed berth-slicemgr >/dev/null 2>&1 || true
}

# as USER JSON...: a request over the control socket as that user
as() {
	local u=$1; shift
	if [ "$u" = root ]; then
		sb_exec "$BUILD/helpers/berth-call" --socket "$SOCK" "$@"
	else
		sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$BUILD/helpers/berth-call" --socket "$SOCK" "$@"
	fi
}

# cg CONTROLLER PATH FILE: a cgroup file of the sandbox, v1 layout
cg() { sb_exec cat "/sys/fs/cgroup/$1$2/$3" 2>/dev/null; }
