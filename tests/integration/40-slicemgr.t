#!/bin/bash
# berth-slicemgr in the sandbox: slices with limits read back from the
# cgroup files, reload raising and lowering live limits, identity only from
# SO_PEERCRED, admin ops, and a control socket that survives bad clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 81

trap 'sbdocker rm -f hold._.berthtali >/dev/null 2>&1; stop_daemon' EXIT
chmod 755 "$SB"
write_config
write_inventory
make_test_users
start_daemon
ok $? "berth-slicemgr starts as a Type=notify service (READY=1 reached)"

U=/berth.slice/berth-students.slice
R=/berth.slice/berth-researchers.slice

# --- three users, two groups -------------------------------------------------
out=$(as berthtali '{"op":"ensure-slice"}')
is "$(jq -r .slice <<<"$out")" "berth-students-berthtali.slice" "alice's slice is named after group and user"
as berthtbob '{"op":"ensure-slice"}' >/dev/null
out=$(as jean-luc '{"op":"ensure-slice"}')
is "$(jq -r .slice <<<"$out")" 'berth-researchers-jean\x2dluc.slice' "jean-luc gets an escaped, distinct slice"
is "$(sb_exec systemctl show -p ActiveState --value 'berth-researchers-jean\x2dluc.slice')" active "and systemd has it active"

is "$(cg cpu $U cpu.cfs_quota_us)" 300000 "students group slice: CPU quota 3 CPUs"
is "$(cg memory $U memory.limit_in_bytes)" 1073741824 "students group slice: memory 1G"
is "$(cg pids $U pids.max)" 1000 "students group slice: 1000 tasks"
for u in berthtali berthtbob; do
	is "$(cg cpu $U/berth-students-$u.slice cpu.cfs_quota_us)" 200000 "$u: CPU quota 2 CPUs"
	is "$(cg memory $U/berth-students-$u.slice memory.limit_in_bytes)" 536870912 "$u: memory 512M"
	is "$(cg pids $U/berth-students-$u.slice pids.max)" 300 "$u: 300 tasks"
done
J='berth-researchers-jean\x2dluc.slice'
is "$(cg cpu $R/$J cpu.cfs_quota_us)" 150000 "jean-luc: CPU quota 1.5 CPUs"
is "$(cg memory $R/$J memory.limit_in_bytes)" 805306368 "jean-luc: memory 768M"
is "$(cg pids $R/$J pids.max)" 500 "jean-luc: 500 tasks"
is "$(cg cpu $R cpu.cfs_quota_us)" 400000 "researchers group slice: CPU quota 4 CPUs"
is "$(journal 1 BERTH_EVENT=slice.create SYSLOG_IDENTIFIER=berth-slicemgr BERTH_SLICE="$J" | grep -c .)" 1 "slice.create audited for jean-luc's slice"

# --- reload with a container running in the slice ---------------------------
sbdocker run -d --name hold._.berthtali --cgroup-parent berth-students-berthtali.slice berth-test sleep 300 >/dev/null
pid=$(sbdocker inspect -f '{{.State.Pid}}' hold._.berthtali)
like "$(sb_exec cat /proc/$pid/cgroup | grep ':cpu:')" "berth-students-berthtali.slice/docker-" "a container runs inside alice's slice"

sed -i 's/^cpus = 2$/cpus = 1/; s/^memory = 512M$/memory = 384M/; s/^memory_high = 400M$/memory_high = 300M/' "$ETC/groups.d/students.conf"
out=$(as root '{"op":"reload"}')
is "$(jq -r .ok <<<"$out")" true "reload as root succeeds"
is "$(cg cpu $U/berth-students-berthtali.slice cpu.cfs_quota_us)" 100000 "lowered: alice's CPU quota is now 1 CPU"
is "$(cg memory $U/berth-students-berthtali.slice memory.limit_in_bytes)" 402653184 "lowered: alice's memory is now 384M"
is "$(cg cpu $U/berth-students-berthtbob.slice cpu.cfs_quota_us)" 100000 "lowered: bob's too"
is "$(sbdocker inspect -f '{{.State.Running}}' hold._.berthtali)" true "the container keeps running"

sed -i '/^\[total\]/,$ s/^cpus = 3$/cpus = 6/' "$ETC/groups.d/students.conf"
sed -i '/^\[user\]/,/^\[total\]/ s/^cpus = 1$/cpus = 5/' "$ETC/groups.d/students.conf"
sb_exec systemctl kill -s HUP berth-slicemgr
for i in $(seq 50); do [ "$(cg cpu $U/berth-students-berthtali.slice cpu.cfs_quota_us)" = 500000 ] && break; sleep 0.1; done
is "$(cg cpu $U cpu.cfs_quota_us)" 600000 "raised by SIGHUP: the group slice first, to 6 CPUs"
is "$(cg cpu $U/berth-students-berthtali.slice cpu.cfs_quota_us)" 500000 "raised: alice's CPU quota is 5 CPUs, above the old group total"
for i in $(seq 50); do [ "$(sb_exec journalctl -o cat BERTH_EVENT=config.reload SYSLOG_IDENTIFIER=berth-slicemgr | wc -l)" -ge 2 ] && break; sleep 0.1; done
is "$(sb_exec journalctl -o cat BERTH_EVENT=config.reload SYSLOG_IDENTIFIER=berth-slicemgr | wc -l)" 2 "config.reload audited twice"

cp "$ETC/groups.d/students.conf" "$SB/students.good"
sed -i 's/^tasks = 300$/task = 10/; s/^memory = 384M$/memory = 12Q/' "$ETC/groups.d/students.conf"
out=$(as root '{"op":"reload"}')
is "$(jq -r .error <<<"$out")" config_invalid "a broken edit is refused"
like "$(jq -r .message <<<"$out")" "students.conf:[0-9]+: memory: invalid value '12Q'.*students.conf:[0-9]+: task: unknown key 'task'" "and names every error with file:line"
is "$(cg memory $U/berth-students-berthtali.slice memory.limit_in_bytes)" 402653184 "the old limits stay in force"
like "$(journal 1 BERTH_EVENT=config.invalid SYSLOG_IDENTIFIER=berth-slicemgr)" "keeping the last good one" "config.invalid goes to the journal"
journal 1 BERTH_EVENT=config.invalid SYSLOG_IDENTIFIER=berth-slicemgr >/dev/null
like "$(sb_exec journalctl -o json BERTH_EVENT=config.invalid SYSLOG_IDENTIFIER=berth-slicemgr | jq -r .BERTH_REASON)" "12Q" "with every error in BERTH_REASON"
out=$(as berthtali '{"op":"whoami"}')
is "$(jq -r .limits.cpus <<<"$out")" 5 "the daemon still serves with the last good config"
cp "$SB/students.good" "$ETC/groups.d/students.conf"

# --- identity comes from the socket, never from the request -----------------
out=$(as berthtali '{"op":"whoami","user":"berthtbob"}')
is "$(jq -r .error <<<"$out")" bad_request "a request naming a user is refused"
like "$(jq -r .message <<<"$out")" "from the socket" "and says why"
out=$(as berthtali '{"op":"reserve","spec":{"name":"x","user":"berthtbob"}}')
is "$(jq -r .ok <<<"$out")" false "a spec naming a user is refused"
out=$(as berthtbob '{"op":"reserve","spec":{"name":"mine"}}')
res=$(jq -r .reservation <<<"$out")
is "$(jq -r .name <<<"$out")" "mine._.berthtbob" "bob reserves mine._.berthtbob"
out=$(as berthtali "{\"op\":\"cancel\",\"reservation\":\"$res\"}")
is "$(jq -r .error <<<"$out")" permission_denied "alice cannot cancel bob's reservation"
out=$(as berthtali "{\"op\":\"commit\",\"reservation\":\"$res\"}")
is "$(jq -r .error <<<"$out")" permission_denied "nor commit it"
out=$(as berthtali '{"op":"reserve","spec":{"name":"a._.berthtbob"}}')
is "$(jq -r .error <<<"$out")" invalid_name "alice cannot reserve a name in bob's namespace"
out=$(as berthtbob "{\"op\":\"cancel\",\"reservation\":\"$res\"}")
is "$(jq -r .ok <<<"$out")" true "bob cancels his own"

for op in reload users '{"op":"release","target":"x"}'; do
	[ "${op:0:1}" = "{" ] && req=$op || req="{\"op\":\"$op\"}"
	out=$(as berthtali "$req")
	is "$(jq -r .error <<<"$out")" permission_denied "a student's $(jq -r .op <<<"$req") is refused"
done
like "$(journal 1 BERTH_EVENT=access.deny SYSLOG_IDENTIFIER=berth-slicemgr BERTH_USER=berthtali)" "admin operation refused" "access.deny audited"
out=$(as berthtadmin '{"op":"users","target":"jean-luc"}')
is "$(jq -r '.users[0].group' <<<"$out")" researchers "a member of admin_group may use admin ops"
# Who a caller is stays known a few seconds; a reload forgets it at once, so
# a membership change an admin makes and then reloads applies to the next
# request (and a removal as well).
gpasswd -a berthtali berthtadm >/dev/null
as root '{"op":"reload"}' >/dev/null
out=$(as berthtali '{"op":"users","target":"jean-luc"}')
is "$(jq -r .ok <<<"$out")" true "alice, added to admin_group, may use admin ops right after a reload"
gpasswd -d berthtali berthtadm >/dev/null
as root '{"op":"reload"}' >/dev/null
out=$(as berthtali '{"op":"users","target":"jean-luc"}')
is "$(jq -r .error <<<"$out")" permission_denied "and removed again, she may not, right after the next reload"

# --- a control socket that survives bad clients ------------------------------
raw() { # raw PERL-SNIPPET: talk to the socket byte by byte
	sb_exec perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
		'"$1"'' "$SOCK"
}
out=$(raw 'print $s "{\"op\":\n"; print scalar <$s>;')
is "$(jq -r .error <<<"$out")" bad_request "malformed JSON gets bad_request"
# (found by fuzz-proto: the parser's message quotes the bad bytes, which are
# not UTF-8, and the refusal could not be written)
out=$(raw 'print $s "{\"op\":\"reserve\",\"spec\":{\"gpus\":\"device=GP\\\xe7\x9b\x9a\xdd}}\n"; print scalar <$s>;')
is "$(jq -r .error <<<"$out")" bad_request "malformed JSON with bytes that are not UTF-8 still gets a bad_request line"
out=$(raw 'print $s "[1,2]\n{\"op\":\"fly\"}\n{\"op\":\"commit\",\"reservation\":5}\n{\"op\":\"hello\",\"op\":\"hello\"}\n"; print scalar <$s> for 1..4;')
is "$(sed -n 1p <<<"$out" | jq -r .error)" bad_request "a non-object is refused"
is "$(sed -n 2p <<<"$out" | jq -r .error)" unknown_op "an unknown op is named"
is "$(sed -n 3p <<<"$out" | jq -r .error)" bad_request "a wrong type is refused"
is "$(sed -n 4p <<<"$out" | jq -r .error)" bad_request "duplicate keys are refused"
out=$(raw 'print $s ("x" x 70000) . "\n{\"op\":\"hello\"}\n"; print scalar <$s> for 1..2;')
is "$(sed -n 1p <<<"$out" | jq -r .message)" "berth: request longer than 64 KiB." "an oversized line is refused"
is "$(sed -n 2p <<<"$out" | jq -r .ok)" true "and the connection goes on with the next line"
raw 'print $s "{\"op\":\"hel"; sleep 1;' # half a request, then gone
sb_exec perl -MIO::Socket::UNIX -e 'for (1..1000) { my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die; close $s }' "$SOCK"
ok $? "1000 connections opened and dropped at once"
half=$(sb_exec perl -MIO::Socket::UNIX -e 'my @k; for (1..50) { my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die; print $s "{"; push @k, $s } print scalar(@k), "\n"' "$SOCK")
is "$half" 50 "50 half-open connections are accepted"
out=$(as berthtali '{"op":"hello"}')
is "$(jq -r .ok <<<"$out")" true "the daemon keeps serving"
is "$(sb_exec systemctl show -p NRestarts --value berth-slicemgr)/$(sb_exec systemctl is-active berth-slicemgr)" "0/active" "and never died"

# --- the seal key: made at first start, root's alone ----------------------------
is "$(stat -c %a:%u:%s "$SEAL_KEY")" "600:0:32" "the daemon made its seal key: 32 bytes, root's, mode 0600"
stop_daemon
chmod 644 "$SEAL_KEY"
start_daemon 2>/dev/null
isnt "$?" 0 "a seal key others can read stops the daemon from starting"
like "$(sb_exec journalctl -o cat -u berth-slicemgr | grep 'seal key' | tail -1)" "seal key .*must be owned by root with mode 0600" "and the journal says why"
chmod 600 "$SEAL_KEY"
start_daemon
ok $? "with the key made safe again it starts"

# --- host paths and volumes in owner answers ---------------------------------
sb_exec mkdir -p "$SB/hostdir"
sbdocker create --name bind._.berthtali -v "$SB/hostdir:/h" berth-test true >/dev/null
sbdocker volume create --label berth.user=berthtali alivol >/dev/null
sbdocker volume create -o type=none -o o=bind -o device="$SB/hostdir" devvol >/dev/null
sbdocker create --name vol._.berthtali -v devvol:/d berth-test true >/dev/null
out=$(as berthtali '{"op":"owner","targets":["bind._.berthtali","vol._.berthtali","hold._.berthtali"]}')
is "$(jq -r '[.targets[].host_paths] | join(" ")' <<<"$out")" "true true false" "owner answers say which containers meet a host path (a bind, a volume over device=)"
out=$(as berthtali '{"op":"owner","kind":"volume","targets":["alivol","devvol","novol","../x"]}')
is "$(jq -c '[.targets[] | [.target, .exists, .user, .managed, .mine, .host_path]]' <<<"$out")" '[["alivol",true,"berthtali",true,true,false],["devvol",true,null,false,false,true],["novol",false,null,null,null,null],["../x",false,null,null,null,null]]' "owner of volumes: the owner's label, and a host path behind device="
sbdocker rm -f bind._.berthtali vol._.berthtali >/dev/null
sbdocker volume rm alivol devvol >/dev/null

# --- no user can starve the daemon -------------------------------------------
FLOOD="$SB/berth-flood.pl"
cp "$BERTH_TOP/tests/helpers/berth-flood.pl" "$FLOOD"; chmod 755 "$FLOOD"
as_user() { local u=$1; shift; sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
as_user berthtbob sh -c "ulimit -n 4096; exec perl $FLOOD idle $SOCK 1024 4" > "$SB/flood.out" &
flood=$!
for i in $(seq 100); do [ -s "$SB/flood.out" ] && break; sleep 0.1; done
is "$(cat "$SB/flood.out")" "1024 992" "bob opens 1024 connections: 32 are kept, the rest refused with too_many_connections"
t0=$(ms); out=$(as berthtali '{"op":"whoami"}'); t1=$(ms)
is "$(jq -r .user <<<"$out")" berthtali "while bob holds them, alice's whoami is answered"
ok "$(test $((t1 - t0)) -lt 2000; echo $?)" "within 2 s ($((t1 - t0)) ms)"
t0=$(ms); out=$(as_user berthtdan "$BUILD/helpers/berth-call" --socket "$SOCK" --timeout 2000 '{"op":"whoami"}'); t1=$(ms)
is "$(jq -r .user <<<"$out")/$(test $((t1 - t0)) -lt 2000 && echo fast)" "berthtdan/fast" "a login's whoami with pam_berth's 2 s timeout is answered in time"
out=$(as_user berthtbob perl -MIO::Socket::UNIX -e 'my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die; print scalar <$s>' "$SOCK")
is "$(jq -r .error <<<"$out")" too_many_connections "bob's own 33rd connection is refused"
like "$(jq -r .message <<<"$out")" "^berth: you hold 32 connections" "with a sentence"
wait $flood

t=$(as_user berthtali perl "$FLOOD" trickle "$SOCK")
ok "$(test "$t" -ge 4 -a "$t" -le 8; echo $?)" "a client trickling one byte a second is disconnected 5 s after its first byte (${t} s)"

as_user berthtbob perl "$FLOOD" owner "$SOCK" 8 2 256 > "$SB/owner.out" &
flood=$!
sleep 0.3
worst=0
for i in 1 2 3 4 5; do
	t0=$(ms); as berthtali '{"op":"hello"}' >/dev/null; t1=$(ms)
	[ $((t1 - t0)) -gt $worst ] && worst=$((t1 - t0))
	sleep 0.1
done
ok "$(test $worst -lt 1000; echo $?)" "owner questions about 4096 unknown names do not delay alice's hello (worst ${worst} ms)"
t0=$(ms); out=$(as berthtali '{"op":"owner","targets":["nothing-here"]}'); t1=$(ms)
is "$(jq -r '.targets[0].exists' <<<"$out")" false "alice's own question about an unknown name is answered meanwhile"
ok "$(test $((t1 - t0)) -lt 3000; echo $?)" "without waiting for bob's flood to drain ($((t1 - t0)) ms)"
wait $flood
is "$(cat "$SB/owner.out")" 16 "and every one of bob's questions was answered"
is "$(sb_exec systemctl show -p NRestarts --value berth-slicemgr)/$(sb_exec systemctl is-active berth-slicemgr)" "0/active" "the watchdog never fired"

# --- the version: the Makefile's one -----------------------------------------
V=$(sed -n 's/^VERSION *:= *//p' "$BERTH_TOP/Makefile")
is "$(sb_exec "$BUILD/berth-slicemgr" --version)" "berth-slicemgr (berth) $V" "--version names the program and berth's version"
sb_exec "$BUILD/berth-slicemgr" --version >/dev/null
ok $? "and exits 0"
out=$(as berthtali '{"op":"hello"}')
is "$(jq -r '"\(.version) \(.server) \(.protocol) \(.uid|type)"' <<<"$out")" "$V berth-slicemgr 1 number" "hello carries the same version, and every key it had"
