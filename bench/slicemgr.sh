#!/bin/bash
# berth-slicemgr benchmarks, side by side in one run (run by 'sudo make bench'
# inside the sandbox): reserve+commit per second over the socket with 1 and
# 16 clients; ensure-slice latency for a new and an existing slice beside the
# same StartTransientUnit / SetUnitProperties made directly with busctl; the
# daemon's RSS idle, with a full ledger, and after a reload over 1000 slices.
set -u
. "$BERTH_TOP/tests/integration/lib.sh" >/dev/null
. "$BERTH_TOP/tests/integration/slicemgr-lib.sh"
chmod 755 "$SB"
TTL=600s write_config
write_inventory
make_test_users >/dev/null 2>&1
start_daemon

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.2f", n / 1000000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
rss_kb() { sb_exec awk '/VmRSS/ {print $2}' "/proc/$(sb_exec systemctl show -p MainPID --value berth-slicemgr)/status"; }

echo "== berth-slicemgr"
echo "RSS idle: $(rss_kb) KiB"

for c in 1 16; do
	out=$(sb_exec "$BUILD/bench/slicemgr-load" "$SOCK" "$c" 3)
	echo "reserve+commit, $c client(s): $(awk '{print $1}' <<<"$out")/s, median pair latency $(awk '{print $2}' <<<"$out") µs"
	echo "RSS with $(as root '{"op":"status"}' | jq '.containers | length') ledger entries: $(rss_kb) KiB"
	stop_daemon
	start_daemon
done

# ensure-slice: berth (request, StartTransientUnit, wait for the job, read the
# cgroup files back) against busctl's bare StartTransientUnit; both include
# starting one client process in the sandbox.
N=10
for i in $(seq $N); do make_user "berthtb$i" berthtstu >/dev/null 2>&1; done
props='CPUQuotaPerSecUSec t 2000000 MemoryMax t 536870912 MemoryHigh t 419430400 TasksMax t 300'
new_b=(); old_b=(); new_d=(); old_d=()
for i in $(seq $N); do
	t0=$(date +%s%N); as "berthtb$i" '{"op":"ensure-slice"}' >/dev/null; t1=$(date +%s%N)
	as "berthtb$i" '{"op":"ensure-slice"}' >/dev/null; t2=$(date +%s%N)
	sb_exec busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager \
		StartTransientUnit 'ssa(sv)a(sa(sv))' "berth-benchdirect-u$i.slice" fail 4 $props 0 >/dev/null; t3=$(date +%s%N)
	sb_exec busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager \
		SetUnitProperties 'sba(sv)' "berth-benchdirect-u$i.slice" true 4 $props >/dev/null; t4=$(date +%s%N)
	new_b+=($((t1 - t0))); old_b+=($((t2 - t1))); new_d+=($((t3 - t2))); old_d+=($((t4 - t3)))
done
nb=$(printf '%s\n' "${new_b[@]}" | median); ob=$(printf '%s\n' "${old_b[@]}" | median)
nd=$(printf '%s\n' "${new_d[@]}" | median); od=$(printf '%s\n' "${old_d[@]}" | median)
echo "ensure-slice, new slice:      berth $(ms $nb) ms, busctl StartTransientUnit $(ms $nd) ms, ratio $(ratio $nb $nd)"
echo "ensure-slice, existing slice: berth $(ms $ob) ms, busctl SetUnitProperties $(ms $od) ms, ratio $(ratio $ob $od)"

# 1000 users' slices: created directly, then a reload walks all of them
for i in $(seq 1000); do
	echo "call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager StartTransientUnit ssa(sv)a(sa(sv)) berth-students-benchu$i.slice fail 1 TasksMax t 300 0"
done > "$SB/busctl-script"
while read -r line; do sb_exec busctl $line >/dev/null || break; done < "$SB/busctl-script" &
wait
t0=$(date +%s%N)
as root '{"op":"reload"}' >/dev/null
t1=$(date +%s%N)
echo "reload over $(sb_exec systemctl list-units 'berth-*.slice' --no-legend | wc -l) live berth slices: $(ms $((t1 - t0))) ms"
echo "RSS after it: $(rss_kb) KiB"
stop_daemon
# the benchmarks after this one share the sandbox's systemd: leave it as it was
sb_exec systemctl stop 'berth-students-benchu*.slice' 'berth-benchdirect-*.slice' >/dev/null 2>&1 || true
