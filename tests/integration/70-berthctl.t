#!/bin/bash
# berthctl against a live daemon in the sandbox: status and quota from real
# holdings and config layers, audit read back from the journal (exactly one
# user's decisions, in order, filtered and followed; entries a user or a
# root program wrote never pass for a daemon's), slices flagging a cgroup
# value changed behind berth's back, the admin-only verbs, status's
# forged-label section from a daemon that reports one, and doctor's
# checks, each FAIL the issue names made to happen.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 147

U=berthtctl # a user of this test only: its audit trail is this test's
CTL="$BUILD/berthctl"
ctl() { sb_exec "$CTL" --config "$ETC" "$@"; }
ctl_as() { # ctl_as USER ARGS...: berthctl run by that user
	local u=$1; shift
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$CTL" --config "$ETC" "$@"
}
cleanup() {
	sb_exec pkill -f -- "fake-slicemgr.py" 2>/dev/null
	sb_exec pkill -f -- "fake-dockerd.py" 2>/dev/null
	[ -n "${SOCK_MODE:-}" ] && chmod "$SOCK_MODE" "$DOCKERD_SOCK"
	sbdocker rm -f "a._.$U" >/dev/null 2>&1
	rm -f "$ETC/users.d/berthtbob.conf"
	stop_daemon
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
write_inventory
make_test_users
make_user "$U" berthtstu
cat > "$ETC/users.d/berthtbob.conf" <<EOT
[user]
gpus = 1
tasks = 200
expires = 2099-01-01
reason = paper deadline
EOT
chmod -R a+rX "$ETC"
T0=$(date +%s)
sleep 1 # --until @T0 must end before anything this test does
start_daemon
ok $? "daemon started"

# --- quota: every value with the layer it came from --------------------------
out=$(ctl quota berthtbob)
like "$out" "override .*/users.d/berthtbob.conf: until 2099-01-01, reason: paper deadline" "quota names the override with its expiry and reason"
like "$(grep -m1 '^gpus ' <<<"$out")" "^gpus +1 +override, until 2099-01-01 \(.*users.d/berthtbob.conf:2\)$" "gpus comes from the override, file and line given"
like "$(grep -m1 '^cpus ' <<<"$out")" "^cpus +2 +group students \(.*groups.d/students.conf:[0-9]+\)$" "cpus comes from the group"
j=$(ctl quota berthtbob --json)
is "$(jq -r '[.sources.gpus.layer, .sources.gpus.expires, .sources.gpus.reason, .limits.gpus, .limits.tasks] | join("|")' <<<"$j")" \
	"override|2099-01-01|paper deadline|1|200" "--json: the override's values, expiry and reason"
is "$(jq -r '[.group, .sources.cpus.layer, .sources.tasks.layer, .sources.idle_timeout.layer, .override.expired] | join("|")' <<<"$j")" \
	"students|group|override|built-in|false" "--json: group, group, override and built-in layers"
is "$(ctl quota berthtcar --json | jq -r '[.group, .limits.cpus, .sources.containers.layer] | join("|")')" \
	"researchers|1.5|group" "a member named in members= resolves into researchers"
j=$(ctl quota @students --json)
is "$(jq -r '[.limits.cpus, .limits.memory, .limits.memory_high, .total.cpus, .total.gpus, .total.containers] | map(tostring) | join("|")' <<<"$j")" \
	"2|536870912|419430400|3|3|null" "quota @students: [user] and [total], unset total unlimited"
is "$(jq -r '[.sources.memory.layer, .total_sources.cpus.layer, .total_sources.containers.layer] | join("|")' <<<"$j")" \
	"group|total|unset" "and where each came from"
is "$(ctl quota @default --json | jq -r '[.default, .limits.cpus, .sources.cpus.layer] | map(tostring) | join("|")')" \
	"true|1|defaults" "quota @default: the default group gets [defaults]"
out=$(ctl quota nosuchuserx 2>&1); rc=$?
is "$rc" 1 "quota of an unknown user exits 1"
like "$out" "^berthctl: there is no user 'nosuchuserx'" "with one sentence"
out=$(ctl quota @nosuch 2>&1); rc=$?
is "$rc/$out" "1/berthctl: there is no group 'nosuch' in $ETC/groups.d; 'berthctl check-config' lists the groups." "quota of an unknown group exits 1"
ctl quota >/dev/null 2>&1
is "$?" 2 "quota without a name is a usage error"

# --- real holdings: one GPU container, one refusal ----------------------------
out=$(as "$U" '{"op":"reserve","spec":{"name":"a","gpus":1}}')
is "$(jq -r .ok <<<"$out")" true "$U reserves a GPU"
res=$(jq -r .reservation <<<"$out")
gpu=$(jq -r '.gpus[0]' <<<"$out")
labels=$(jq -r '.inject.labels|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
sbdocker create --name "a._.$U" $labels --cgroup-parent "$(jq -r .slice <<<"$out")" berth-test sleep 600 >/dev/null
as "$U" "{\"op\":\"commit\",\"reservation\":\"$res\"}" >/dev/null
sbdocker start "a._.$U" >/dev/null # something running in the slice, for its use
for i in $(seq 50); do
	[ "$(as root '{"op":"status"}' | jq -r --arg g "$gpu" '.gpus[] | select(.uuid == $g) | .state')" = bound ] && break
	sleep 0.1
done
out=$(as "$U" '{"op":"reserve","spec":{"name":"big","gpus":3}}')
is "$(jq -r .error <<<"$out")" quota_exceeded "a reservation over the per-container quota is refused"
deny_msg=$(jq -r .message <<<"$out")

# --- status -----------------------------------------------------------------
j=$(ctl status --json)
is "$(jq -r --arg g "$gpu" '.gpus[] | select(.uuid == $g) | [.kind, .user, .container, .state] | join("|")' <<<"$j")" \
	"gpu|$U|a._.$U|bound" "status --json: the GPU, its holder, container and state"
like "$(jq -r --arg g "$gpu" '.gpus[] | select(.uuid == $g) | .since' <<<"$j")" "^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]{8}Z$" "with the time it was taken"
is "$(jq -r '[.gpus[] | select(.kind == "mig")] | length' <<<"$j")" 3 "MIG instances are listed as such"
is "$(jq -r --arg u "$U" '.users[] | select(.user == $u) | [.group, .gpus.used, .gpus.limit, .containers.used, .containers.limit, .memory.limit, .cpus.limit] | map(tostring) | join("|")' <<<"$j")" \
	"students|1|2|1|4|536870912|2" "per user: GPUs and containers used against quota, memory and CPU limits"
is "$(jq -r --arg u "$U" '.users[] | select(.user == $u) | [(.memory.used | type), (.cpus.used | type), .slice] | join("|")' <<<"$j")" \
	"number|number|berth-students-$U.slice" "and what the user's slice uses now"
is "$(jq -r '.groups[] | select(.group == "students") | [.gpus.used, .gpus.limit, .cpus.limit, .memory.limit] | map(tostring) | join("|")' <<<"$j")" \
	"1|3|3|1073741824" "per group: totals against the group's [total]"
is "$(jq -r .limits_from <<<"$j")" daemon "an admin gets the daemon's limits"
out=$(ctl status)
like "$out" "$gpu +gpu +$U +a\._\.$U +bound +20" "status table: a GPU row with holder, container, state and since"
like "$(grep "^$U " <<<"$out")" "^$U +students +[0-9.]+/2 +[0-9.]+[KMG]?/512M +1/2 +1/4$" "status table: the user's use/limit columns"
like "$(grep "^students " <<<"$out")" "^students +[0-9]+ +[0-9.-]+/3 +[0-9.KMG-]+/1G +1/3 +[0-9]+/infinity$" "status table: the group's totals"
is "$(ctl_as berthtali status --json | jq -r --arg u "$U" '[.limits_from, (.users[] | select(.user == $u) | .gpus.limit)] | map(tostring) | join("|")')" \
	"config|2" "a non-admin may see status, limits read from the config files"
as berthtali '{"op":"users"}' >/dev/null # one access.deny, after whatever status logged
is "$(journal 1 --since "@$T0" BERTH_EVENT=access.deny BERTH_USER=berthtali | grep -c .)" 1 \
	"a non-admin's status leaves no access.deny: it asks whoami before an admin op"

# --- audit: exactly this user's decisions, in order ---------------------------
truth() { # what journald holds for the user, berth's events only
	sb_exec journalctl -o json --no-pager BERTH_USER="$U" | jq -r 'select(.MESSAGE_ID != null) | .BERTH_EVENT' | tr '\n' ' '
}
for i in $(seq 50); do [[ "$(truth)" == *gpu.deny* ]] && break; sleep 0.1; done
want=$(truth)
like "$want" "gpu.reserve gpu.bind gpu.deny $" "the journal holds the reservation, the bind and the refusal"
j=$(ctl audit --user "$U" --json)
is "$(jq -r .event <<<"$j" | tr '\n' ' ')" "$want" "audit --user: exactly the user's decisions, in order"
is "$(jq -r .user <<<"$j" | sort -u)" "$U" "and no one else's"
is "$(jq -r 'select(.event == "gpu.deny") | [.uid, .origin, .program, .identifier, .container, .reason] | map(tostring) | join("|")' <<<"$j")" \
	"0|daemon|berth-slicemgr|berth-slicemgr|big._.$U|$deny_msg" "a refusal: trusted _UID 0 and _EXE (the daemon), container and reason"
is "$(jq -r 'select(.event == "gpu.reserve") | .gpus' <<<"$j")" "$gpu" "the reservation names its GPU"
is "$(ctl audit --user "$U" --event gpu.deny --json | jq -s -r 'map(.event) | join(" ")')" "gpu.deny" "--event selects one kind"
is "$(ctl audit --user "$U" --until "@$T0" --json | wc -l)" 0 "--until before the test: nothing"
is "$(ctl audit --user "$U" --since -1h --json | jq -r .event | tr '\n' ' ')" "$want" "--since -1h: everything"
is "$(ctl audit --user "$U" --since today --json | jq -r .event | tr '\n' ' ')" "$want" "--since today: everything"
out=$(ctl audit --user "$U")
like "$(sed -n 1p <<<"$out")" "^TIME +EVENT +UID +ORIGIN +USER +CONTAINER +GPUS +MESSAGE$" "the table has a header"
like "$(grep gpu.deny <<<"$out")" "^20[0-9-]+ [0-9:]+ +gpu.deny +0 +daemon +$U +big\._\.$U +- +berth: " "and one row per decision"
is "$(grep -c . <<<"$out")" "$(( $(wc -w <<<"$want") + 1 ))" "one row per entry"
out=$(ctl audit --event gpu.steal 2>&1); rc=$?
is "$rc" 2 "an unknown event is a usage error"
like "$out" "unknown event 'gpu.steal'; valid events: slice.create, .*gpu.deny, .*login.session[,.]" "and lists the valid ones"
out=$(ctl audit --since "last tuesday" 2>&1); rc=$?
like "$rc/$out" "^2/berthctl: cannot read the time 'last tuesday'" "an unreadable time is a usage error"

# --- audit: forged entries never pass for a daemon's decision ---------------
# the test user writes berth's own fields three ways: logger --journald
# (any field it likes, SYSLOG_IDENTIFIER too), a program calling
# sd_journal_send (the test helper), systemd-cat; root's logger likewise
UID_U=$(id -u "$U")
MID_RESERVE=713c01a8474541bdbf165ba7433e1813
MID_RELEASE=c18b2f6b0f474e4d9a0b47d11090a60d
F=forged$$x$RANDOM
as_user() { local u=$1; shift; sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
printf 'MESSAGE=berth: reserved GPU-x for %s\nMESSAGE_ID=%s\nBERTH_EVENT=gpu.reserve\nBERTH_USER=%s\nBERTH_GPUS=GPU-x\nBERTH_REASON=%s-logger\nSYSLOG_IDENTIFIER=berth-slicemgr\n_UID=0\n_COMM=berth-slicemgr\n' \
	"$U" "$MID_RESERVE" "$U" "$F" | as_user "$U" logger --journald
as_user "$U" "$BUILD/helpers/berth-audit-send" gpu.reserve --user "$U" --uid 0 --gpus GPU-y --reason "$F-send" "berth: reserved GPU-y"
printf 'MESSAGE_ID=%s BERTH_EVENT=gpu.reserve BERTH_USER=%s BERTH_REASON=%s-cat\n' "$MID_RESERVE" "$U" "$F" |
	as_user "$U" systemd-cat -t berth-slicemgr
# a release "by an admin", to hide among the real one below
printf 'MESSAGE=berth: released\nMESSAGE_ID=%s\nBERTH_EVENT=gpu.release\nBERTH_USER=%s\nBERTH_CONTAINER=a._.%s\nBERTH_REASON=released by admin uid 0\nSYSLOG_IDENTIFIER=berth-slicemgr\n' \
	"$MID_RELEASE" "$U" "$U" | as_user "$U" logger --journald
printf 'MESSAGE=berth: reserved GPU-z\nMESSAGE_ID=%s\nBERTH_EVENT=gpu.reserve\nBERTH_USER=%s\nBERTH_REASON=%s-root\nSYSLOG_IDENTIFIER=berth-slicemgr\n' \
	"$MID_RESERVE" "$U" "$F" | sb_exec logger --journald
for i in $(seq 50); do
	[ "$(sb_exec journalctl -o cat --no-pager BERTH_USER="$U" BERTH_EVENT=gpu.reserve | grep -c .)" -ge 4 ] &&
		[ -n "$(journal 1 BERTH_EVENT=gpu.release BERTH_USER="$U")" ] && break
	sleep 0.1
done
is "$(sb_exec journalctl -o json --no-pager BERTH_USER="$U" BERTH_EVENT=gpu.reserve | jq -r 'select(.BERTH_REASON // "" | startswith("'"$F"'")) | "\(.BERTH_REASON)=\(._UID)"' | sort | tr '\n' ' ')" \
	"$F-logger=$UID_U $F-root=0 $F-send=$UID_U " "the journal holds the forgeries, each with journald's own _UID"
j=$(ctl audit --user "$U" --json)
is "$(jq -r .event <<<"$j" | tr '\n' ' ')" "$want" "audit shows none of them: only the daemon's decisions"
is "$(jq -r 'select(.origin != "daemon")' <<<"$j" | grep -c .)" 0 "every entry it shows is the daemon's"
out=$(ctl audit --user "$U" 2>&1 >/dev/null)
like "$out" "^berthctl: [0-9]+ client entries .* left out; --clients shows them\\.$" "the table says client entries were left out"
unlike "$(ctl audit --user "$U" 2>/dev/null)" "$F|GPU-[xyz]" "and shows none"
j=$(ctl audit --user "$U" --clients --json)
is "$(jq -r 'select(.reason // "" | startswith("'"$F"'")) | "\(.reason)=\(.origin)/\(.uid)"' <<<"$j" | sort | tr '\n' ' ')" \
	"$F-logger=client/$UID_U $F-root=client/0 $F-send=client/$UID_U " "--clients: each forgery marked client, with its real uid"
is "$(jq -r 'select(.uid != 0 and .origin != "client")' <<<"$j" | grep -c .)" 0 "--clients: no entry with a uid other than 0 passes for a daemon's"
is "$(jq -r 'select(.reason == "'"$F"'-send") | [.berth_uid, .identifier, .origin] | map(tostring) | join("|")' <<<"$j")" \
	"0|berth-audit-send|client" "a claimed BERTH_UID 0 changes nothing: the origin is journald's _UID"
out=$(ctl audit --user "$U" --clients)
like "$(grep -- "GPU-x" <<<"$out")" " gpu.reserve +$UID_U +client +$U " "--clients table: the forgery's row says client and its uid"
like "$(grep -- "GPU-z" <<<"$out")" " gpu.reserve +0 +client +$U " "a root logger's entry is a client's too: UID 0 alone is not the daemon"
is "$(grep -cE '^[0-9-]+ [0-9:]+ +[a-z.]+ +0 +daemon ' <<<"$out")" "$(wc -w <<<"$want")" "and the daemon's rows are exactly its decisions"

# -f: a decision made while following shows up
sb_exec timeout 8 "$CTL" --config "$ETC" audit -f --json --user "$U" --event access.deny > "$SB/follow.out" 2>&1 &
fpid=$!
sleep 1
ctl_as "$U" reload >/dev/null 2>&1
for i in $(seq 60); do grep -q access.deny "$SB/follow.out" && break; sleep 0.1; done
# end the follower inside the sandbox: killing the local sb_exec would
# orphan nsenter and leave a process the sandbox's PID 1 cannot reap
sb_exec pkill -TERM -f -- "audit -f --json --user $U" 2>/dev/null; wait $fpid 2>/dev/null
is "$(jq -r '[.event, .user, .reason] | join("|")' "$SB/follow.out" 2>/dev/null | tail -n 1)" \
	"access.deny|$U|admin operation refused" "audit -f prints a decision made while it follows"

# --- slices: configured beside the kernel, drift flagged ----------------------
S=berth-students-$U.slice
CGP=/berth.slice/berth-students.slice/$S
j=$(ctl slices --json)
is "$(jq -r --arg s "$S" '.slices[] | select(.slice == $s) | [.kind, .group, .user, .configured.tasks_max, .kernel.tasks_max, .configured.cpus, .kernel.cpus, (.drift | length)] | map(tostring) | join("|")' <<<"$j")" \
	"user|students|$U|300|300|2|2|0" "slices --json: configured and kernel values agree"
is "$(jq -r '.slices[] | select(.slice == "berth-students.slice") | [.kind, .configured.memory_max, .kernel.memory_max] | map(tostring) | join("|")' <<<"$j")" \
	"group|1073741824|1073741824" "a group slice holds the group's [total]"
is "$(jq -r --arg s "$S" '.slices[] | select(.slice == $s) | .use | [(.memory | type), (.tasks | type), (.cpu_usec | type)] | join("|")' <<<"$j")" \
	"number|number|number" "with its current use"
is "$(jq -r .cgroup <<<"$j")" "$( [ -e /sys/fs/cgroup/cgroup.controllers ] && echo v2 || echo v1)" "and the cgroup layout"
sb_exec sh -c "echo 77 > /sys/fs/cgroup/pids$CGP/pids.max"
is "$(cg pids "$CGP" pids.max)" 77 "pids.max changed behind berth's back"
j=$(ctl slices --json)
is "$(jq -r --arg s "$S" '.slices[] | select(.slice == $s) | [.kernel.tasks_max, .configured.tasks_max, (.drift | join(","))] | map(tostring) | join("|")' <<<"$j")" \
	"77|300|tasks_max" "slices flags the drift: kernel 77, configured 300"
is "$(jq -r .drifted <<<"$j")" 1 "one slice drifted"
out=$(ctl slices)
like "$(grep "^$S " <<<"$out")" " 77 \(config 300\) .*DRIFT: tasks_max$" "the table shows kernel and configured values and DRIFT"
like "$out" "1 slice drifted" "and says what to do"
like "$(grep '^berth-students.slice ' <<<"$out")" " 1000 .* -$" "a slice that holds its configured values shows no drift"

# --- reload and release: admin only -------------------------------------------
out=$(ctl_as berthtali reload 2>&1); rc=$?
is "$rc" 1 "reload as a student exits 1"
like "$out" "^berthctl: 'reload' is for admins" "with the daemon's message"
out=$(ctl reload); rc=$?
is "$rc" 0 "reload as root"
is "$(ctl reload --json | jq -r .applied)" true "reload --json says it applied the config"
is "$(cg pids "$CGP" pids.max)" 300 "reload put the configured pids.max back"
is "$(ctl slices --json | jq -r .drifted)" 0 "and slices shows no drift"
ctl_as berthtadmin reload >/dev/null 2>&1
is "$?" 0 "reload as a member of admin_group"
out=$(ctl_as berthtali release "a._.$U" 2>&1); rc=$?
is "$rc/$out" "1/berthctl: 'release' is for admins (root or members of berthtadm)." "release as a student is refused"
is "$(as root '{"op":"status"}' | jq -r --arg g "$gpu" '.gpus[] | select(.uuid == $g) | .user')" "$U" "and the GPU is still held"
out=$(ctl release "a._.$U"); rc=$?
is "$rc/$out" "0/berth: released 1 holding matching a._.$U." "release as root frees the container's holding"
is "$(ctl status --json | jq -r --arg g "$gpu" '.gpus[] | select(.uuid == $g) | .state')" free "its GPU is free"
for i in $(seq 50); do [ -n "$(ctl audit --user "$U" --event gpu.release --json)" ] && break; sleep 0.1; done
is "$(ctl audit --user "$U" --event gpu.release --json | jq -r '[.container, .reason] | join("|")')" "a._.$U|released by admin uid 0" "the release is audited with who did it"
out=$(ctl release nosuchthing 2>&1); rc=$?
is "$rc" 1 "releasing what nobody holds exits 1"
is "$(ctl release nosuchthing --json 2>/dev/null | jq -r .released)" "" "release --json prints nothing when refused"
ctl release >/dev/null 2>&1
is "$?" 2 "release without a target is a usage error"

# --- status: forged labels, from a daemon that reports them ---------------------
# a stand-in daemon on a socket of its own answers status with a "forged" list
FAKE="$SB/fake-slicemgr.sock"
mkdir -p "$SB/etc-fake" && cp -r "$ETC/." "$SB/etc-fake/"
sed -i "s|^control_socket = .*|control_socket = $FAKE|" "$SB/etc-fake/berth.conf"
cat > "$SB/fake-slicemgr.py" <<'EOT'
import json, os, socket, sys
path, forged = sys.argv[1], json.loads(sys.argv[2])
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chmod(path, 0o666)
s.listen(8)
while True:
    c, _ = s.accept()
    f = c.makefile("rwb")
    for line in f:
        op = json.loads(line).get("op")
        if op == "status":
            r = {"ok": True, "gpus": [], "users": [], "groups": [], "docker_synced": True}
            if forged is not None:
                r["forged"] = forged
        elif op == "whoami":
            r = {"ok": True, "admin": False}
        else:
            r = {"ok": False, "error": "unknown_op", "message": "berth: not here."}
        f.write((json.dumps(r) + "\n").encode())
        f.flush()
    c.close()
EOT
fake_daemon() { # fake_daemon FORGED-JSON: (re)start the stand-in
	sb_exec pkill -f -- "fake-slicemgr.py" 2>/dev/null
	sb_exec /usr/bin/python3 "$SB/fake-slicemgr.py" "$FAKE" "$1" >/dev/null 2>&1 &
	for i in $(seq 50); do [ -S "$FAKE" ] && break; sleep 0.1; done
	sleep 0.2
}
fctl() { sb_exec "$CTL" --config "$SB/etc-fake" "$@"; }
fake_daemon '[{"container":"evil._.berthtbob","claims_user":"berthtali","gpus":"GPU-a,GPU-b"},{"container":"x._.berthtcar","claims_user":"berthtcar","gpus":["MIG-c"]}]'
out=$(fctl status)
like "$out" "forged labels: 2 containers carry berth\\.\\* labels without a valid seal" "status names the forged containers in a section of their own"
like "$(grep '^evil\._\.berthtbob ' <<<"$out")" "^evil\\._\\.berthtbob +berthtali +GPU-a,GPU-b *$" "one row each: container, claimed user, claimed GPUs"
is "$(fctl status --json | jq -c .forged)" \
	'[{"container":"evil._.berthtbob","claims_user":"berthtali","gpus":["GPU-a","GPU-b"]},{"container":"x._.berthtcar","claims_user":"berthtcar","gpus":["MIG-c"]}]' \
	"--json keeps them, GPUs as a list"
fake_daemon null
out=$(fctl status); rc=$?
is "$rc" 0 "a daemon with no forged key: status works as before"
unlike "$out" "forged" "and has no forged section"
is "$(fctl status --json | jq -c .forged)" "[]" "--json: an empty list"
sb_exec pkill -f -- "fake-slicemgr.py" 2>/dev/null

# --- doctor: every check a row; each FAIL of the issue made to happen -------
# the fake NVML needs its inventory; --root points the well-known files
# (pam.d, /run/berth) at a tree of the test's own
doc() { local dir=$1; shift; sb_exec env BERTH_FAKE_NVML="$NVML_JSON" "$CTL" --config "$dir" doctor "$@"; }
row() { jq -r --arg c "$1" '.[] | select(.check == $c) | [.status, .detail, .fix // ""] | join("|")' <<<"$2"; }
j=$(doc "$ETC" --json); rc=$?
ok "$(jq -e 'type == "array" and length > 10 and all(.[]; (.check | type) == "string" and (.status | test("^(OK|WARN|FAIL)$")) and (.detail | type) == "string")' <<<"$j" >/dev/null; echo $?)" \
	"doctor --json parses: an array of {check, status, detail, fix}"
is "$rc" "$(jq -e 'any(.[]; .status == "FAIL")' <<<"$j" >/dev/null && echo 1 || echo 0)" "doctor exits 1 exactly when a check FAILs"
is "$(jq -r '[.[] | select(.status == "OK" and .fix != null)] | length' <<<"$j")" 0 "an OK row carries no fix"
like "$(row "docker cgroup driver" "$j")" "^OK\|systemd\|$" "the sandbox's dockerd uses the systemd cgroup driver: OK"
like "$(row "berth daemon" "$j")" "^OK\|answers at $SOCK " "the daemon answers hello"
like "$(row "berth-slicemgr active" "$j")" "^OK\|running" "berth-slicemgr.service is active"
like "$(row "configuration" "$j")" "^OK\|$ETC is valid" "the configuration is valid"
like "$(row "nvml" "$j")" "^OK\|.*libnvidia-ml.so.1 loads" "gpus = nvml: NVML loads"
like "$(row "gpu count" "$j")" "^OK\|[1-9][0-9]* GPUs\|" "and the GPU count"
like "$(row "seal key" "$j")" "^OK\|$SEAL_KEY \(0600, uid 0\)" "the seal key is root's, mode 0600"
like "$(row "real_docker" "$j")" "^OK\|/usr/bin/docker" "real_docker is Docker's CLI"
out=$(doc "$ETC"); rc=$?
like "$(sed -n 1p <<<"$out")" "^STATUS +CHECK +DETAIL +FIX$" "the table has a header"
is "$(sed 1d <<<"$out" | grep -cvE '^(OK|WARN|FAIL) ')" 0 "and every row starts OK, WARN or FAIL"
# dockerd's socket opened to every user
SOCK_MODE=$(stat -c %a "$DOCKERD_SOCK")
chmod 666 "$DOCKERD_SOCK"
j=$(doc "$ETC" --json); rc=$?
chmod "$SOCK_MODE" "$DOCKERD_SOCK"
like "$rc/$(row "docker socket" "$j")" "^1/FAIL\|$DOCKERD_SOCK \(0666, .*every user may open it.*\|make it root-only: the docker.socket drop-in .*chmod 0660 $DOCKERD_SOCK$" \
	"a socket chmod 666: FAIL, exit 1, with the fix"
# a config whose real_docker is berth's own front, naming a group and a user NSS does not know
DOC="$SB/etc-doctor"
rm -rf "$DOC" && mkdir -p "$DOC" && cp -r "$ETC/." "$DOC/"
sed -i "s|^real_docker = .*|real_docker = $BUILD/berth-docker|" "$DOC/berth.conf"
sed -i "s|^members = .*|members = @berthtnogrp berthtnousr|" "$DOC/groups.d/researchers.conf"
j=$(doc "$DOC" --json); rc=$?
is "$rc" 1 "doctor on that config exits 1"
is "$(row "real_docker" "$j")" "FAIL|$BUILD/berth-docker is berth's own front: the wrapper would run itself|point real_docker at Docker's own CLI (the diverted one)" \
	"real_docker pointing at the front: FAIL"
like "$(row "groups and users" "$j" | grep berthtnogrp)" "^FAIL\|.*researchers.conf names group berthtnogrp, which does not exist\|create the group" \
	"a group in the config missing from NSS: FAIL"
like "$(row "groups and users" "$j" | grep berthtnousr)" "^WARN\|.*names user berthtnousr, which does not exist\|create the user" \
	"a user missing from NSS: WARN"
# pam_berth before and after pam_systemd, in a root of the test's own
R="$SB/doctor-root"
mkdir -p "$R/etc/pam.d" "$R/run/berth"
printf 'session required pam_unix.so
session optional pam_berth.so
session optional pam_systemd.so
' > "$R/etc/pam.d/common-session"
j=$(doc "$ETC" --root "$R" --json)
like "$(row pam "$j")" "^OK\|" "--root: pam_berth before pam_systemd: OK"
like "$(row tmpfiles "$j")" "^OK\|$R/run/berth exists" "and /run/berth is read under the root"
printf 'session optional pam_systemd.so
session optional pam_berth.so
' > "$R/etc/pam.d/common-session"
like "$(row pam "$(doc "$ETC" --root "$R" --json)")" "^FAIL\|/etc/pam.d/common-session: pam_berth comes after pam_systemd\|move" \
	"pam_berth after pam_systemd: FAIL"

# --- doctor: the gate on [gate] socket ------------------------------------------
GSOCK="$SB/docker.sock"
j=$(doc "$ETC" --json)
like "$(row "berth-gate" "$j")" "^OK\|answers at $GSOCK \(API [0-9.]+\)\|$" "the gate answers GET /_ping on [gate] socket: OK"
is "$(row "berth-gate.socket active" "$j")" "WARN|not active; berth-gate.service runs without it|systemctl start berth-gate.socket; journalctl -u berth-gate.socket says why it stopped" \
	"the sandbox's gate binds [gate] socket itself, with no berth-gate.socket: WARN"
like "$(row "berth-gate.socket enabled" "$j")" "^WARN\|.*\|systemctl enable berth-gate.socket$" "berth-gate.socket not enabled: WARN"
# the gate stopped, then started again as it was
stop_gate
j=$(doc "$ETC" --json); rc=$?
start_gate
like "$rc/$(row "berth-gate" "$j")" "^1/FAIL\|$GSOCK is missing: No such file or directory\|systemctl start berth-gate.socket$" \
	"the gate stopped: FAIL, exit 1, with the fix"
is "$(row "berth-gate.socket active" "$j")" "FAIL|not active: users have no Docker socket|systemctl start berth-gate.socket; journalctl -u berth-gate.socket says why it stopped" \
	"and nothing listens for the gate: FAIL"
like "$(row "berth-gate" "$(doc "$ETC" --json)")" "^OK\|" "started again, the gate answers"
# [gate] socket not a socket, a socket nobody answers on, dockerd's own
GDOC="$SB/etc-doctor-gate"
gate_at() { rm -rf "$GDOC" && mkdir -p "$GDOC" && cp -r "$ETC/." "$GDOC/" && sed -i "s|^socket = .*|socket = $1|" "$GDOC/berth.conf"; }
: > "$SB/not-a-socket"
gate_at "$SB/not-a-socket"
j=$(doc "$GDOC" --json); rc=$?
is "$rc/$(row "berth-gate" "$j")" "1/FAIL|$SB/not-a-socket is not a socket|systemctl start berth-gate.socket" "[gate] socket a plain file: FAIL"
rm -f "$SB/stale.sock"
sb_exec /usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SB/stale.sock"
gate_at "$SB/stale.sock"
j=$(doc "$GDOC" --json); rc=$?
like "$rc/$(row "berth-gate" "$j")" "^1/FAIL\|no answer to GET /_ping at $SB/stale.sock: .+\|systemctl start berth-gate.socket$" \
	"[gate] socket that nobody answers on: FAIL"
gate_at "$DOCKERD_SOCK"
j=$(doc "$GDOC" --json); rc=$?
like "$rc/$(row "docker socket" "$j")" "^1/FAIL\|$DOCKERD_SOCK is \[gate\] socket too: the gate refuses to start.*\|give dockerd a socket of its own: .*set \[daemon\] docker_socket to that$" \
	"[gate] socket the same as docker_socket: the docker socket row FAILs, not taking the gate's socket for dockerd's"
like "$(row "berth-gate" "$j")" "^FAIL\|$DOCKERD_SOCK is \[daemon\] docker_socket too: what answers there is dockerd, not the gate\|give dockerd" \
	"and the gate row does not pass dockerd's answer for the gate's"

# --- doctor: a Docker with the cgroupfs driver ----------------------------------
# a stand-in dockerd on a socket of its own answers /_ping and /info
FAKED="$SB/fake-dockerd.sock"
cat > "$SB/fake-dockerd.py" <<'EOT'
import json, os, socketserver, sys
from http.server import BaseHTTPRequestHandler
path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def address_string(self):
        return "fake"
    def log_message(self, *args):
        pass
    def do_GET(self):
        code, body = 404, {"message": "not here"}
        if self.path == "/_ping":
            code, body = 200, None
        elif self.path.endswith("/info"):
            code, body = 200, {"CgroupDriver": "cgroupfs", "Runtimes": {"runc": {}}}
        data = b"OK" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Type", "text/plain" if body is None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
socketserver.ThreadingUnixStreamServer(path, Handler).serve_forever()
EOT
sb_exec /usr/bin/python3 "$SB/fake-dockerd.py" "$FAKED" >/dev/null 2>&1 &
for i in $(seq 50); do [ -S "$FAKED" ] && break; sleep 0.1; done
FDOC="$SB/etc-doctor-cgroupfs"
rm -rf "$FDOC" && mkdir -p "$FDOC" && cp -r "$ETC/." "$FDOC/"
sed -i "s|^docker_socket = .*|docker_socket = $FAKED|" "$FDOC/berth.conf"
j=$(doc "$FDOC" --json); rc=$?
sb_exec pkill -f -- "fake-dockerd.py" 2>/dev/null
is "$rc/$(row "docker cgroup driver" "$j")" "1/FAIL|cgroupfs|put \"exec-opts\": [\"native.cgroupdriver=systemd\"] in /etc/docker/daemon.json and restart Docker" \
	"Docker on the cgroupfs driver: FAIL, exit 1, with the fix"

# --- check-config: values that parse but cannot work ------------------------------
CC="$SB/etc-cc-warn"
rm -rf "$CC" && mkdir -p "$CC" && cp -r "$ETC/." "$CC/"
cc_set() { sed -i "s|^$1 = .*|$1 = $2|" "$CC/berth.conf"; }
ccw() { sb_exec "$CTL" check-config "$CC" "$@"; }
cc_set real_docker "$SB/no-such-docker"
out=$(ccw 2>&1 >/dev/null); rc=$?
is "$rc/$out" "0/berthctl: warning: real_docker $SB/no-such-docker: No such file or directory; docker commands cannot run until [daemon] real_docker names Docker's CLI." \
	"check-config: a real_docker that does not exist warns, and the tree stays valid (exit 0)"
: > "$SB/not-a-program" && chmod 644 "$SB/not-a-program"
cc_set real_docker "$SB/not-a-program"
is "$(ccw 2>&1 >/dev/null)" "berthctl: warning: real_docker $SB/not-a-program is not an executable file; set [daemon] real_docker to Docker's CLI." \
	"a real_docker that is not executable warns"
cc_set real_docker "$BUILD/berth-docker"
is "$(ccw 2>&1 >/dev/null)" "berthctl: warning: real_docker $BUILD/berth-docker is berth's own front: the wrapper would run itself; point it at Docker's own CLI (the diverted one)." \
	"a real_docker that is berth's own front warns"
cc_set real_docker /usr/bin/docker
cc_set admin_group berthtnoadm
is "$(ccw 2>&1 >/dev/null)" "berthctl: warning: admin_group berthtnoadm is unknown to NSS: nobody but root is an admin; create it (groupadd) or set [daemon] admin_group." \
	"an admin_group NSS does not know warns"
cc_set admin_group berthtadm
printf '\n[deploy]\nbase_image = Bad Image!\n' >> "$CC/berth.conf"
out=$(ccw 2>&1 >/dev/null); rc=$?
is "$rc/$out" "0/berthctl: warning: [deploy] base_image 'Bad Image!' is not a valid image reference: container deploy and image create fail with it; correct it." \
	"an invalid base_image reference warns, exit 0"
j=$(ccw --json 2>/dev/null); rc=$?
is "$rc/$(jq -r '[.valid, (.warnings | length), (.warnings[0] | test("base_image .Bad Image!. is not a valid image reference"))] | map(tostring) | join("|")' <<<"$j")" \
	"0/true|1|true" "--json: the warnings as a list, the tree still valid"
is "$(ctl check-config --json 2>/dev/null | jq -c .warnings)" "[]" "a tree that can work: no warnings"

# --- no daemon ----------------------------------------------------------------
stop_daemon
j=$(doc "$ETC" --json); rc=$?
like "$rc/$(row "berth-slicemgr active" "$j")" "^1/FAIL\|not running\|systemctl start berth-slicemgr" "doctor with the daemon stopped: FAIL, exit 1"
like "$(row "berth daemon" "$j")" "^FAIL\|no answer at $SOCK: .*\|systemctl start berth-slicemgr" "and the daemon does not answer hello: FAIL with the fix"
out=$(ctl status 2>&1); rc=$?
is "$rc" 3 "status without a daemon exits 3"
like "$out" "^berthctl: the berth daemon is not reachable" "with one sentence"

# --- the framework: usage errors before the daemon, --version, --json, did you mean
for args in "status extra" "status --bogus" "quota" "quota a b" "release" "audit --since" "slices -x"; do
	out=$(ctl $args 2>&1); rc=$?
	is "$rc" 2 "berthctl $args: a usage error, with no daemon"
	unlike "$out" "not reachable|berth:" "berthctl $args: told before asking the daemon, in berthctl's own words"
done
is "$("$CTL" --version)" "berthctl (berth) $(sed -n 's/^VERSION *:= *//p' "$BERTH_TOP/Makefile")" "berthctl --version"
out=$(ctl chek-config 2>&1); rc=$?
is "$rc/$out" "2/berthctl: unknown verb 'chek-config'; did you mean 'check-config'? 'berthctl --help' lists them." \
	"a mistyped verb: a suggestion, exit 2"
is "$(ctl check-config --json | jq -r '[.valid, .dir, (.groups | map(.name) | sort | join(","))] | map(tostring) | join("|")')" \
	"true|$ETC|researchers,students" "check-config --json: the summary as JSON"
is "$(ctl quota berthtbob --json | jq -r .user)" berthtbob "quota --json parses without a daemon"
