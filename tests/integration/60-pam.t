#!/bin/bash
# pam_berth.so in the sandbox, through pamtester and a small libpam program
# (tests/helpers/berth-pam.c): the login creates the user's slice and sets
# BERTH_GROUP/BERTH_SLICE, greets terminal logins, hands the user's limits to
# pam_systemd (whose session scope then carries them, read back from the
# cgroup files), keeps logins going when slicemgr is hung or gone (and
# refuses them with 'strict'), all within its timeout, refuses users in no
# group with 'require_group', and survives 1000 sessions under valgrind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 72

# /etc is the host's: every PAM service here has a unique name, removed on exit
SVC=berth-test-$$
MOD=$BUILD/pam_berth.so
PAM=$BUILD/helpers/berth-pam
cleanup() {
	rm -f /etc/pam.d/$SVC-*
	stop_logind berthtali jean-luc
	sb_exec systemctl kill -s CONT berth-slicemgr >/dev/null 2>&1
	stop_daemon
}
trap cleanup EXIT

service() { # service NAME LINES...: /etc/pam.d/$SVC-NAME
	local f=/etc/pam.d/$SVC-$1
	shift
	printf '%s\n' "$@" > "$f"
}
ms() { echo $(($(date +%s%N) / 1000000)); }

chmod 755 "$SB"
write_config
write_inventory
make_test_users
make_user berthtnog # in no berth group
# Earlier test files may have left the test users' slices behind (they
# share the sandbox and the users): this file starts from none.
sb_exec systemctl stop berth.slice >/dev/null 2>&1 || true
start_daemon
ok $? "berth-slicemgr runs"

service basic "session required $MOD config=$ETC greeting frobnicate timeout=5min"
service strict "session required $MOD config=$ETC strict timeout=1s"
service lenient "session required $MOD config=$ETC timeout=1s"
service root "session required $MOD config=$ETC" "session optional pam_permit.so"
service acct "account required $MOD config=$ETC require_group" "session required pam_permit.so"
service limits "session required $MOD config=$ETC session_limits" "session required pam_systemd.so"
service cycles "session required $MOD config=$ETC greeting session_limits timeout=10s"

U=/berth.slice/berth-students.slice
R=/berth.slice/berth-researchers.slice

# --- a login creates the slice and tells the session about it -------------
is "$(sb_exec systemctl show -p ActiveState --value berth-students-berthtali.slice)" inactive "before the login alice has no slice"
out=$(sb_exec pamtester $SVC-basic berthtali open_session close_session 2>&1)
ok $? "pamtester: alice's session opens and closes"
like "$out" "successfully opened a session" "pamtester says so"
is "$(sb_exec systemctl show -p ActiveState --value berth-students-berthtali.slice)" active "the login created alice's slice"
is "$(cg cpu $U/berth-students-berthtali.slice cpu.cfs_quota_us)" 200000 "with her CPU quota (2 CPUs)"
is "$(cg memory $U/berth-students-berthtali.slice memory.limit_in_bytes)" 536870912 "her memory (512M)"
is "$(cg pids $U/berth-students-berthtali.slice pids.max)" 300 "and her tasks (300)"
like "$(journal 1 -g "ignoring argument 'frobnicate'")" "pam_berth\\($SVC-basic:session\\): ignoring argument 'frobnicate': unknown argument" \
	"an unknown argument is logged and ignored"
like "$(journal 1 -g "timeout=5min")" "must be 1ms to 60s" "so is a timeout out of range"

out=$(sb_exec "$PAM" $SVC-basic berthtali)
ok $? "berth-pam: alice's session opens"
like "$out" "env: BERTH_GROUP=students" "BERTH_GROUP is in the PAM environment"
like "$out" "env: BERTH_SLICE=berth-students-berthtali.slice" "BERTH_SLICE too"
is "$(sb_exec "$PAM" $SVC-basic berthtali --run 'echo "$BERTH_GROUP $BERTH_SLICE"' | tail -n 1)" \
	"students berth-students-berthtali.slice" "a program started in the session sees both"
out=$(sb_exec "$PAM" $SVC-basic jean-luc)
like "$out" 'env: BERTH_SLICE=berth-researchers-jean\\x2dluc.slice' "jean-luc's slice name arrives escaped"
is "$(cg memory $R/'berth-researchers-jean\x2dluc.slice' memory.limit_in_bytes)" 805306368 "and his slice exists with his memory (768M)"
out=$(sb_exec "$PAM" $SVC-basic berthtdan)
like "$out" "env: BERTH_SLICE=berth-students-berthtdan.slice" "dan is placed in students too"

entry=$(journal 1 -o json SYSLOG_IDENTIFIER=pam_berth BERTH_EVENT=login.session BERTH_USER=berthtali | tail -n 1)
is "$(jq -r .BERTH_SLICE <<<"$entry")" berth-students-berthtali.slice "login.session is audited with the slice"
is "$(jq -r .BERTH_GROUP <<<"$entry")" students "and the group"
is "$(jq -r .BERTH_UID <<<"$entry")" "$(id -u berthtali)" "and the uid"

# --- root is left alone --------------------------------------------------------
out=$(sb_exec pamtester $SVC-root root open_session close_session 2>&1)
ok $? "root's login goes on (pam_berth ignores it)"
is "$(sb_exec systemctl show -p ActiveState --value berth-default-root.slice)" inactive "and root gets no slice"

# --- the greeting ------------------------------------------------------------
out=$(as berthtali '{"op":"reserve","spec":{"name":"greet","image":"berth-test","gpus":1}}')
res=$(jq -r .reservation <<<"$out")
is "$(jq -r .ok <<<"$out")" true "alice reserves a GPU container"
out=$(sb_exec pamtester -I tty=/dev/pts/0 $SVC-basic berthtali open_session 2>&1)
like "$out" "berth: group students gives you 2 CPUs, 512M of memory and 2 GPUs; you hold 1 of 4 containers and 1 GPU\." \
	"a terminal login is greeted with group, CPUs, memory, GPUs and what alice holds"
is "$(grep -c 'berth: group' <<<"$out")" 1 "in one line"
out=$(sb_exec "$PAM" $SVC-basic berthtali --tty ssh)
like "$out" "info: berth: group students" "an ssh login is greeted (sshd shows it only on a terminal)"
out=$(sb_exec "$PAM" $SVC-basic berthtali)
is "$(grep -c '^info:' <<<"$out")" 0 "a login without a terminal is not"
out=$(sb_exec "$PAM" $SVC-basic berthtali --tty cron)
is "$(grep -c '^info:' <<<"$out")" 0 "nor is cron"
out=$(sb_exec "$PAM" $SVC-basic jean-luc --tty /dev/pts/1)
like "$out" "info: berth: group researchers gives you 1.5 CPUs, 768M of memory and 2 GPUs; you hold 0 of 6 containers and 0 GPUs\." \
	"jean-luc's greeting has his group's limits"
as berthtali "{\"op\":\"cancel\",\"reservation\":\"$res\"}" >/dev/null

# --- slicemgr hung or gone: within the timeout, strict or not ----------------
sb_exec systemctl kill -s STOP berth-slicemgr
t0=$(ms)
out=$(sb_exec pamtester $SVC-lenient berthtbob open_session close_session 2>&1)
rc=$? el=$(($(ms) - t0))
ok $rc "slicemgr hung: the login goes on without 'strict'"
ok $((el >= 6000)) "within timeout=1s and a generous margin (took ${el} ms)"
like "$(journal 1 SYSLOG_IDENTIFIER=pam_berth BERTH_EVENT=login.session BERTH_USER=berthtbob)" "did not answer within 1000 ms" \
	"the login without a slice is audited with the reason"
t0=$(ms)
out=$(sb_exec pamtester $SVC-strict berthtbob open_session 2>&1)
rc=$? el=$(($(ms) - t0))
ok $((rc == 0)) "slicemgr hung: 'strict' refuses the session"
ok $((el >= 6000)) "also within the timeout (took ${el} ms)"
like "$out" "did not answer within 1000 ms" "and tells the user why"
is "$(sb_exec systemctl show -p ActiveState --value berth-students-berthtbob.slice)" inactive "bob got no slice"
sb_exec systemctl kill -s CONT berth-slicemgr

stop_daemon
t0=$(ms)
out=$(sb_exec pamtester $SVC-lenient berthtbob open_session close_session 2>&1)
rc=$? el=$(($(ms) - t0))
ok $rc "slicemgr stopped: the login goes on without 'strict'"
ok $((el >= 6000)) "at once (took ${el} ms)"
out=$(sb_exec pamtester $SVC-strict berthtbob open_session 2>&1)
ok $(($? == 0)) "slicemgr stopped: 'strict' refuses the session"
like "$out" "berth daemon is not reachable" "saying the daemon is not reachable"
out=$(sb_exec "$PAM" $SVC-lenient berthtbob)
is "$(grep -c '^env: BERTH_' <<<"$out")" 0 "without a slice no BERTH_* variables are set"
start_daemon
out=$(sb_exec pamtester $SVC-strict berthtbob open_session close_session 2>&1)
ok $? "slicemgr back: the 'strict' login succeeds"
is "$(sb_exec systemctl show -p ActiveState --value berth-students-berthtbob.slice)" active "and bob has his slice"

# --- one user's 1024 idle connections leave everyone's login served -----------
FLOOD="$SB/berth-flood-pam.pl"
cp "$BERTH_TOP/tests/helpers/berth-flood.pl" "$FLOOD"; chmod 755 "$FLOOD"
sb_exec setpriv --reuid=berthtali --regid="$(id -g berthtali)" --init-groups \
	sh -c "ulimit -n 4096; exec perl $FLOOD idle $SOCK 1024 6" > "$SB/flood-pam.out" &
flood=$!
for i in $(seq 100); do [ -s "$SB/flood-pam.out" ] && break; sleep 0.1; done
like "$(cat "$SB/flood-pam.out")" "^[0-9]+ [0-9]+$" "alice holds all the connections the daemon lets her have"
t0=$(ms)
out=$(sb_exec pamtester $SVC-strict berthtbob open_session close_session 2>&1)
rc=$? el=$(($(ms) - t0))
ok $rc "meanwhile bob's 'strict' login succeeds"
ok $((el >= 1000)) "within pam_berth's timeout=1s (took ${el} ms)"
wait $flood

out=$(sb_exec pamtester $SVC-basic nosuchuserberth open_session 2>&1)
rc=$?
ok $((rc == 0)) "an unknown user's session is refused"
like "$out" "User not known" "as PAM_USER_UNKNOWN"

# --- require_group ---------------------------------------------------------------
out=$(sb_exec pamtester $SVC-acct berthtnog acct_mgmt 2>&1)
ok $(($? == 0)) "require_group: a user in no berth group is refused"
like "$out" "berth: berthtnog is in no berth group on this machine; ask an admin to add you to one in $ETC/groups.d\." \
	"with a message that says what to do"
like "$out" "Permission denied" "as PAM_PERM_DENIED"
like "$(journal 1 SYSLOG_IDENTIFIER=pam_berth BERTH_EVENT=access.deny BERTH_USER=berthtnog)" "in no berth group" "the refusal is audited"
out=$(sb_exec pamtester $SVC-acct berthtali acct_mgmt 2>&1)
ok $? "a member of a group is let in"
out=$(sb_exec pamtester $SVC-acct berthtcar acct_mgmt 2>&1)
ok $? "so is a user named in a group's members"
out=$(sb_exec pamtester $SVC-acct berthtadmin acct_mgmt 2>&1)
ok $? "and a member of admin_group"
out=$(sb_exec pamtester $SVC-acct root acct_mgmt 2>&1)
ok $? "root is never refused"
out=$(sb_exec pamtester $SVC-acct nosuchuserberth acct_mgmt 2>&1)
like "$out" "User not known" "an unknown user is PAM_USER_UNKNOWN"

# --- session_limits through pam_systemd and systemd-logind ------------------
# The sandbox masks logind; this test runs it and masks it again on exit.
start_logind
ok $? "systemd-logind runs in the sandbox"
# Inside the session, as root: the cgroup files of the scope it runs in.
SCOPE='for c in memory pids cpu; do p=$(grep -E "^[0-9]+:([a-z]+,)*$c(,[a-z]+)*:" /proc/self/cgroup | cut -d: -f3); echo "$c $p"; done
p=$(grep -E "^[0-9]+:([a-z]+,)*memory(,[a-z]+)*:" /proc/self/cgroup | cut -d: -f3); echo "mem=$(cat /sys/fs/cgroup/memory$p/memory.limit_in_bytes)"
p=$(grep -E "^[0-9]+:([a-z]+,)*pids(,[a-z]+)*:" /proc/self/cgroup | cut -d: -f3); echo "pids=$(cat /sys/fs/cgroup/pids$p/pids.max)"
p=$(grep -E "^[0-9]+:([a-z]+,)*cpu(,[a-z]+)*:" /proc/self/cgroup | cut -d: -f3); echo "shares=$(cat /sys/fs/cgroup/cpu$p/cpu.shares)"'
out=$(sb_run "$PAM" $SVC-limits berthtali --run "$SCOPE")
ok $? "alice's login through pam_berth and pam_systemd opens"
like "$out" "env: XDG_SESSION_ID=" "pam_systemd created a logind session"
like "$(awk '$1 == "memory" { print $2 }' <<<"$out")" "^/user.slice/user-$(id -u berthtali).slice/session-[^/]+[.]scope$" \
	"the session runs in its own scope"
is "$(sed -n 's/^mem=//p' <<<"$out")" 536870912 "the session scope's memory.limit_in_bytes is alice's memory (512M)"
is "$(sed -n 's/^pids=//p' <<<"$out")" 300 "its pids.max is her tasks (300)"
is "$(sed -n 's/^shares=//p' <<<"$out")" 2048 "its CPU weight follows her 2 CPUs (CPUWeight 200, cpu.shares 2048)"
out=$(sb_run "$PAM" $SVC-limits jean-luc --run "$SCOPE")
is "$(sed -n 's/^mem=//p' <<<"$out")" 805306368 "jean-luc's session scope: memory 768M"
is "$(sed -n 's/^pids=//p' <<<"$out")" 500 "500 tasks"
is "$(sed -n 's/^shares=//p' <<<"$out")" 1536 "CPU weight for 1.5 CPUs (cpu.shares 1536)"
out=$(sb_run "$PAM" $SVC-basic berthtali --run "$SCOPE")
is "$(sed -n 's/^mem=//p' <<<"$out")" "$(sb_exec cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" \
	"without session_limits (and pam_systemd) no memory limit is set where the login runs"

# --- 1000 sessions: no leaks, no growth --------------------------------------
VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes --error-exitcode=99"
out=$(sb_exec $VG "$PAM" $SVC-cycles berthtali --tty /dev/pts/0 --cycles 1000 2>&1)
rc=$?
is "$rc" 0 "1000 open/close cycles on one handle under valgrind: no errors, no leaks"
[ "$rc" = 0 ] || diag "$(grep -v '^info:' <<<"$out" | tail -n 30)"
out=$(sb_exec $VG "$PAM" $SVC-cycles berthtali --tty /dev/pts/0 --cycles 20 --fresh 2>&1)
rc=$?
is "$rc" 0 "20 logins each with its own pam_start/pam_end under valgrind: the module unloads clean"
[ "$rc" = 0 ] || diag "$(grep -v '^info:' <<<"$out" | tail -n 30)"
for mode in "" --fresh; do
	read -r a b < <(sb_exec "$PAM" $SVC-cycles berthtali --tty /dev/pts/0 --cycles 1000 $mode | sed -n 's/^rss-kb: //p')
	ok $(( ${b:-999999} - ${a:-0} > 512 )) "1000 cycles${mode:+ ($mode)}: resident memory does not grow (${a} KiB after 100, ${b} KiB after 1000)"
done
