#!/bin/bash
# The reaper's cost and the queue's speed, in one run on the sandbox:
#  1. berth-slicemgr's CPU time per [reaper] interval with N running
#     containers (200 by default) beside the same daemon with none: the
#     reaper samples each container's cgroup and, once a tick, every GPU of
#     the fake NVML, and judges them;
#  2. a reserve served from the head of the GPU queue: from the holder's
#     cancel leaving to the waiter's answer arriving, beside a plain reserve
#     of a free GPU (request to answer).  Both as root "for" the users, on
#     the control socket, one process timing both ends.
# Prints medians and ratios.  Run by `make bench` (tests/sandbox/sandbox
# bench: SB, BUILD set), or BENCH=bench/reaper.sh alone.
set -u
: "${SB:?run through 'make bench'}" "${BUILD:?}"
. "$BERTH_TOP/tests/integration/lib.sh" >/dev/null
. "$BERTH_TOP/tests/integration/slicemgr-lib.sh"
N=${BENCH_CONTAINERS:-200}
SECONDS_PER_SAMPLE=${BENCH_REAPER_SECONDS:-20}
RUNS=${BENCH_RUNS:-20}
chmod 755 "$SB"
write_config
cat >> "$ETC/berth.conf" <<EOT

[reaper]
interval = 1s
warn = 30min 5min
EOT
# the one user of the bench may hold them all; nobody is ever idle long enough
sed -i '/^\[user\]/a idle_timeout = 24h' "$ETC/groups.d/students.conf"
cat > "$ETC/users.d/berthtali.conf" <<EOT
[user]
containers = infinity
tasks = infinity
memory = 16G
EOT
write_inventory
make_test_users >/dev/null 2>&1
start_daemon
trap 'remove_managed_containers; stop_daemon' EXIT

# the daemon's user+system CPU time, all its threads (the worker samples NVML and asks Docker), in ns
cpu_nsec() {
	local pid
	pid=$(sb_exec systemctl show -P MainPID berth-slicemgr)
	sb_exec cat "/proc/$pid/stat" | awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.0f", ($12 + $13) / hz * 1e9 }'
}
# per_tick: the daemon's CPU time over SECONDS_PER_SAMPLE s, per 1 s tick, in ms
per_tick() {
	local a b
	a=$(cpu_nsec); sleep "$SECONDS_PER_SAMPLE"; b=$(cpu_nsec)
	awk -v a="$a" -v b="$b" -v s="$SECONDS_PER_SAMPLE" 'BEGIN { printf "%.3f", (b - a) / s / 1e6 }'
}

idle=$(per_tick)
for i in $(seq "$N"); do
	run_managed berthtali "r$i" sleep infinity || { echo "bench: container $i did not start" >&2; exit 1; }
done
sleep 3 # every one inspected once
busy=$(per_tick)
printf 'reaper: %d containers %s ms of daemon CPU per 1 s tick   no containers %s ms   (%s ms per container; at the default 1min interval %.4f%% of one CPU)\n' \
	"$N" "$busy" "$idle" "$(awk -v a="$busy" -v b="$idle" -v n="$N" 'BEGIN { printf "%.4f", (a - b) / n }')" \
	"$(awk -v a="$busy" 'BEGIN { printf "%.4f", a / 60000 * 100 }')"
remove_managed_containers

# the queue: one GPU free, so a plain reserve and a queued one are alike but for the wait
sb_exec /usr/bin/python3 - "$SOCK" "$(id -u berthtali)" "$(id -u berthtbob)" "$RUNS" <<'EOF'
import json, socket, statistics, sys, time
sock, alice, bob, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(sock); return s, s.makefile("rb")
def ask(c, req, uid):
    req["for"] = {"uid": uid, "gid": uid}
    c[0].sendall((json.dumps(req) + "\n").encode())
def answer(c):
    return json.loads(c[1].readline())
def reserve(name, wait=False):
    r = {"op": "reserve", "spec": {"name": name, "gpus": "device=GPU-00000000-0000-0000-0000-000000000000"}}
    if wait: r["wait"] = True
    return r
plain, queued = [], []
for i in range(runs):
    a = conn()
    t0 = time.perf_counter(); ask(a, reserve("p%d" % i), alice); got = answer(a); t1 = time.perf_counter()
    assert got["ok"], got
    plain.append(t1 - t0)
    b = conn()
    ask(b, reserve("q%d" % i, True), bob)
    assert answer(b).get("queued"), "bob does not wait"
    t0 = time.perf_counter()
    ask(a, {"op": "cancel", "reservation": got["reservation"]}, alice)
    served = answer(b)
    t1 = time.perf_counter()
    assert served["ok"] and served.get("reservation"), served
    queued.append(t1 - t0)
    answer(a)
    ask(b, {"op": "cancel", "reservation": served["reservation"]}, bob); answer(b)
    a[0].close(); b[0].close()
mp, mq = statistics.median(plain) * 1e6, statistics.median(queued) * 1e6
print("queue: served from the head after a release %.0f us   plain reserve of a free GPU %.0f us   ratio %.2f   (median of %d)" % (mq, mp, mq / mp, runs))
EOF
