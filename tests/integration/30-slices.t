#!/bin/bash
# Slices over sd-bus (lib/slice.c, driven by berth-slicetool inside the
# sandbox): a group slice with totals and two user slices under it (one
# with an escaped name) are created, raised and lowered while a process
# runs in one, listed and stopped.  Every limit is asserted by reading the
# cgroup files, never by return codes.  A value systemd accepts but the
# kernel refuses (cgroup v1: a child's CPU quota above its parent's, or a
# parent's below a child's) is reported with the file and both values, and
# the ordered reload gets past it.  Nothing is left behind.
. "$(dirname "$0")/lib.sh"
plan 66

TOOL="$BUILD/helpers/berth-slicetool"
st() { sb_run "$TOOL" "$@"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # skip $1"; }

JEAN='berth-students-jean\x2dluc.slice'
G=/berth.slice/berth-students.slice
A=$G/berth-students-alice.slice
J=$G/$JEAN
PAGE=$(getconf PAGESIZE)

cleanup() {
	sb_exec systemctl stop berth-t1.service >/dev/null 2>&1
	for u in berth-students-alice.slice "$JEAN" berth-students.slice berth.slice; do
		st stop "$u" >/dev/null 2>&1
	done
}
trap cleanup EXIT

if sb_exec test -e /sys/fs/cgroup/cgroup.controllers; then V2=1; else V2=0; fi
diag "cgroup $([ $V2 = 1 ] && echo v2 || echo v1/hybrid) in the sandbox"

# cg KEY CGROUP: the kernel's value, straight from the files, in one form
# for both cgroup versions.  cpu: "QUOTA PERIOD" ("max PERIOD" for none);
# mem/high: bytes or "max"; pids: number or "max"; tasks: pids.current.
cg() {
	local p=$1 q per m
	case $2 in
	cpu)
		if [ $V2 = 1 ]; then sb_exec cat "/sys/fs/cgroup$p/cpu.max"; else
			q=$(sb_exec cat "/sys/fs/cgroup/cpu$p/cpu.cfs_quota_us")
			per=$(sb_exec cat "/sys/fs/cgroup/cpu$p/cpu.cfs_period_us")
			[ "$q" = -1 ] && q=max
			echo "$q $per"
		fi ;;
	mem)
		if [ $V2 = 1 ]; then sb_exec cat "/sys/fs/cgroup$p/memory.max"; else
			m=$(sb_exec cat "/sys/fs/cgroup/memory$p/memory.limit_in_bytes")
			# v1 prints "unlimited" as LONG_MAX rounded down to a page
			[ -n "$m" ] && [ "$m" -ge 9223372036854710272 ] && m=max
			echo "$m"
		fi ;;
	high) sb_exec cat "/sys/fs/cgroup$p/memory.high" ;;
	pids)
		if [ $V2 = 1 ]; then sb_exec cat "/sys/fs/cgroup$p/pids.max"; else sb_exec cat "/sys/fs/cgroup/pids$p/pids.max"; fi ;;
	tasks)
		if [ $V2 = 1 ]; then sb_exec cat "/sys/fs/cgroup$p/pids.current"; else sb_exec cat "/sys/fs/cgroup/pids$p/pids.current"; fi ;;
	esac 2>&1
}

# limits CGROUP CPU MEM PIDS WHAT: three assertions on the files
limits() {
	is "$(cg "$1" cpu)" "$2" "$5: CPU quota"
	is "$(cg "$1" mem)" "$3" "$5: memory limit"
	is "$(cg "$1" pids)" "$4" "$5: task limit"
}

# --- create ---------------------------------------------------------------
out=$(st ensure-group students --cpus 4 --memory 2G --tasks 500 2>&1)
is "$out" "created berth-students.slice" "group slice created with its totals"
limits $G "400000 100000" 2147483648 500 "group"

out=$(st ensure-user students alice --cpus 2 --memory 1G --memory-high 900M --tasks 100 2>&1)
is "$out" "created berth-students-alice.slice" "user slice created under the group"
limits $A "200000 100000" 1073741824 100 "alice"
if [ $V2 = 1 ]; then
	is "$(cg $A high)" 943718400 "alice: memory.high"
else
	skip "memory.high has no cgroup v1 equivalent"
fi

out=$(st ensure-user students jean-luc --cpus 1 --memory 512M --tasks 50 2>&1)
is "$out" "created $JEAN" "user jean-luc gets the escaped unit name"
is "$(st cgroup "$JEAN" 2>&1)" "$J" "its cgroup is under the group's"
limits "$J" "100000 100000" 536870912 50 "jean-luc"

out=$(st read berth-students-alice.slice 2>&1)
like "$out" $'cgroup=/berth.slice/berth-students.slice/berth-students-alice.slice\n' "read names the cgroup"
like "$out" $'cpus=2\nmemory_max=1073741824\n' "read gives CPUs and memory back"
like "$out" $'tasks_max=100\n' "read gives the task limit back"

is "$(st list 2>&1 | tr '\n' ' ')" "berth-students-alice.slice $JEAN berth-students.slice berth.slice " \
	"list shows berth.slice, the group and both users"

# --- change a live slice --------------------------------------------------
sb_exec systemd-run -q --slice=berth-students-alice.slice --unit=berth-t1 sleep 300
is "$(sb_exec systemctl show -P ControlGroup berth-t1.service)" "$A/berth-t1.service" "a process runs in alice's slice"
t=$(cg $A tasks)
ok "$([ "${t:-0}" -ge 1 ] 2>/dev/null; echo $?)" "alice's slice counts its task ($t)"

out=$(st ensure-user students alice --cpus 3 --memory 1536M --tasks 200 2>&1)
is "$out" "updated berth-students-alice.slice" "raising a live slice updates it"
limits $A "300000 100000" 1610612736 200 "alice raised"
is "$(sb_exec systemctl is-active berth-t1.service)" active "the process kept running"

out=$(st ensure-user students alice --cpus 0.5 --memory 256M --tasks 20 2>&1)
is "$out" "updated berth-students-alice.slice" "lowering a live slice updates it"
limits $A "50000 100000" 268435456 20 "alice lowered"

# the kernel keeps whole pages: a limit that is not a multiple of the page
# size reads back rounded down, which is no mismatch
out=$(st ensure-user students alice --cpus 0.5 --memory 100000001 --tasks 20 2>&1); rc=$?
is "$rc" 0 "a memory limit rounded down to a page is accepted ($out)"
is "$(cg $A mem)" $((100000001 / PAGE * PAGE)) "alice: memory.limit rounded down to the page size"

# --- what the kernel refuses ------------------------------------------------
out=$(st ensure-user students alice --cpus 8 --memory 256M --tasks 20 2>&1); rc=$?
if [ $V2 = 0 ]; then
	is "$rc" 1 "a user CPU quota above the group's fails (systemd said yes, the kernel no)"
	like "$out" "berth-students-alice.slice: /sys/fs/cgroup/cpu$A/cpu.cfs_quota_us holds 0.5 CPUs instead of 8 CPUs: the kernel refused" \
		"the error names the file, what it holds and what was set"
	is "$(cg $A cpu)" "50000 100000" "the kernel kept alice's old quota"
	is "$(cg $A mem)" 268435456 "the other limits of that change were applied"
else
	is "$rc" 0 "cgroup v2 accepts a user CPU quota above the group's (the group still caps it)"
	is "$(cg $A cpu)" "800000 100000" "cpu.max holds it"
	skip "no refusal to report on cgroup v2"
	skip "no refusal to report on cgroup v2"
fi

out=$(st ensure-user students alice --cpus 0.5 --memory 4G --tasks 20 2>&1); rc=$?
is "$rc" 0 "a user memory limit above the group's is accepted by the kernel (the group's still caps the sum)"
is "$(cg $A mem)" 4294967296 "alice: memory limit above the group's is in the file"

out=$(st ensure-group students --cpus 0.25 --memory 2G --tasks 500 2>&1); rc=$?
if [ $V2 = 0 ]; then
	is "$rc" 1 "lowering the group's CPU quota below a user's fails"
	like "$out" "berth-students.slice: /sys/fs/cgroup/cpu$G/cpu.cfs_quota_us holds 4 CPUs instead of 0.25 CPUs" \
		"the error names the group's file and both values"
	is "$(cg $G cpu)" "400000 100000" "the kernel kept the group's quota"
	out=$(st verify berth-students.slice --cpus 0.25 --memory 2G --tasks 500 2>&1); rc=$?
	is "$rc" 1 "slice_verify on its own reports the mismatch"
	like "$out" "cpu.cfs_quota_us holds 4 CPUs instead of 0.25 CPUs" "naming the file and both values"
else
	is "$rc" 0 "cgroup v2 accepts lowering the group below a user"
	skip "no refusal on cgroup v2"; skip "no refusal on cgroup v2"; skip "no refusal on cgroup v2"; skip "no refusal on cgroup v2"
fi
st ensure-group students --cpus 4 --memory 2G --tasks 500 >/dev/null 2>&1
out=$(st verify berth-students.slice --cpus 4 --memory 2G --tasks 500 2>&1); rc=$?
is "$rc" 0 "verify passes when the files hold what was set ($out)"

out=$(st ensure notaslice --cpus 1 2>&1); rc=$?
is "$rc" 1 "a unit that is not a slice is refused"
like "$out" "'notaslice' is not a slice unit name" "with a sentence saying so"

# --- ordered reload -----------------------------------------------------------
# alice's 5 CPUs are more than the group's old 4: only parents-first works
out=$(st apply-tree berth-students.slice --cpus 6 --memory 4G --tasks 1000 \
	-- berth-students-alice.slice --cpus 5 --memory 3G --tasks 500 \
	-- "$JEAN" --cpus 2 --memory 1G --tasks 100 2>&1); rc=$?
is "$rc" 0 "reload raising group and users applies (${out//$'\n'/, })"
limits $G "600000 100000" 4294967296 1000 "group raised"
is "$(cg $A cpu)" "500000 100000" "alice raised above the group's old quota"
is "$(cg "$J" cpu)" "200000 100000" "jean-luc raised"

# the group's 1 CPU is less than alice's current 5: only children-first works
out=$(st apply-tree berth-students.slice --cpus 1 --memory 1G --tasks 100 \
	-- berth-students-alice.slice --cpus 0.5 --memory 512M --tasks 50 \
	-- "$JEAN" --cpus 0.25 --memory 256M --tasks 20 2>&1); rc=$?
is "$rc" 0 "reload lowering group and users applies (${out//$'\n'/, })"
limits $G "100000 100000" 1073741824 100 "group lowered"
limits $A "50000 100000" 536870912 50 "alice lowered"
is "$(cg "$J" cpu)" "25000 100000" "jean-luc lowered"

# --- stop and leave nothing behind -------------------------------------------
out=$(st stop berth-students-alice.slice 2>&1)
is "$out" "stopped berth-students-alice.slice" "alice's slice stops"
is "$(sb_exec systemctl is-active berth-t1.service)" inactive "and the process in it with it"
st stop "$JEAN" >/dev/null 2>&1
st stop berth-students.slice >/dev/null 2>&1
out=$(st stop berth.slice 2>&1)
is "$out" "stopped berth.slice" "the root slice stops"
is "$(st list 2>&1)" "" "no berth slice is listed any more"
out=$(st stop berth-students-alice.slice 2>&1); rc=$?
is "$rc" 0 "stopping a slice that is gone is no error ($out)"
is "$(sb_exec find /sys/fs/cgroup -maxdepth 2 -name 'berth*.slice' 2>/dev/null)" "" "no berth cgroup is left"
is "$(sb_exec ls /run/systemd/transient /run/systemd/system.control 2>/dev/null | grep 'berth.*slice')" "" \
	"no transient unit or drop-in is left"

exit $((TAP_FAILED > 0))
