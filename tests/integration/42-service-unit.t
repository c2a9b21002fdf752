#!/bin/bash
# The shipped, hardened berth-slicemgr.service runs the daemon in the
# sandbox systemd and it still does its whole job: this is how we know what
# the hardening may take away.  Only paths that point into the test sandbox
# are changed, in a drop-in.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 15

U=/run/systemd/system/berth-slicemgr.service
# the unit's StateDirectory=berth makes /var/lib/berth on the shared host
# filesystem; it goes again unless the host had one
state_dir_was_there=$([ -e /var/lib/berth ] && echo yes || echo no)
cleanup() {
	sbdocker rm -f unit._.berthtali >/dev/null 2>&1
	sb_exec systemctl stop berth-slicemgr >/dev/null 2>&1
	sb_exec rm -rf "$U" "$U.d"
	sb_exec systemctl daemon-reload
	[ "$state_dir_was_there" = yes ] || rm -rf /var/lib/berth
}
trap cleanup EXIT
chmod 755 "$SB"
write_config
write_inventory
make_test_users
stop_daemon

is "$(systemd-analyze verify "$BERTH_TOP/systemd/berth-slicemgr.service" 2>&1 | grep -v -e 'Command /usr/local/sbin/berth-slicemgr is not executable' -e 'Command /usr/local/bin/berthctl is not executable' -e "Command 'man ")" "" "systemd-analyze verify finds nothing wrong with the unit"
sb_exec cp "$BERTH_TOP/systemd/berth-slicemgr.service" "$U"
sb_exec mkdir -p "$U.d"
sb_exec sh -c "cat > $U.d/test.conf" <<EOT
[Service]
ExecStart=
ExecStart=$BUILD/berth-slicemgr --config $ETC
ExecReload=
ExecReload=$BUILD/berthctl --config $ETC reload
Environment=BERTH_FAKE_NVML=$NVML_JSON
# the test sandbox keeps its config, sockets and build under /var/tmp and /work
PrivateTmp=no
ReadWritePaths=$SB
EOT
sb_exec systemctl daemon-reload
sb_exec systemctl start berth-slicemgr
ok $? "the hardened unit starts (Type=notify)"
is "$(sb_exec systemctl show -p CapabilityBoundingSet --value berth-slicemgr)" "" "with no capabilities at all"
is "$(sb_exec systemctl show -p NoNewPrivileges --value berth-slicemgr)" yes "and NoNewPrivileges"

out=$(as berthtali '{"op":"ensure-slice"}')
is "$(jq -r .slice <<<"$out")" berth-students-berthtali.slice "it still creates slices over the bus"
is "$(cg memory /berth.slice/berth-students.slice/berth-students-berthtali.slice memory.limit_in_bytes)" 536870912 "and reads their limits back"
out=$(as berthtali '{"op":"reserve","spec":{"name":"unit","gpus":1}}')
is "$(jq -r .ok <<<"$out")" true "it loads NVML through dlopen and reserves a GPU"
labels=$(jq -r '.inject.labels|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
sbdocker create --name unit._.berthtali $labels berth-test sleep 60 >/dev/null
for i in $(seq 50); do [ "$(as root '{"op":"status"}' | jq -r '.containers[0].state')" = bound ] && break; sleep 0.1; done
is "$(as root '{"op":"status"}' | jq -r '.containers[0].state')" bound "it follows Docker's event stream"
sb_exec systemctl reload berth-slicemgr
ok $? "systemctl reload succeeds with a valid configuration"
sleep 0.5
is "$(sb_exec systemctl is-active berth-slicemgr)" active "ExecReload reloads without dying"
cp "$ETC/berth.conf" "$SB/berth.conf.good"
printf '[nosuchsection]\nkey = 1\n' >> "$ETC/berth.conf"
out=$(sb_exec systemctl reload berth-slicemgr 2>&1)
isnt "$?" 0 "systemctl reload fails when the new configuration does not load"
is "$(sb_exec systemctl is-active berth-slicemgr)" active "and the daemon goes on"
for i in $(seq 50); do sb_exec journalctl -u berth-slicemgr --no-pager 2>/dev/null | grep -q nosuchsection && break; sleep 0.1; done
like "$(sb_exec journalctl -u berth-slicemgr --no-pager 2>/dev/null | grep nosuchsection | tail -n 1)" "berth.conf:[0-9]+: .*nosuchsection" \
	"the unit's journal names the error with its file and line"
like "$(sb_exec journalctl -u berth-slicemgr -p err --no-pager 2>/dev/null | grep nosuchsection | tail -n 1)" "nosuchsection" \
	"at priority err: journalctl -p err finds it"
cp "$SB/berth.conf.good" "$ETC/berth.conf"
sb_exec systemctl reload berth-slicemgr
ok $? "once fixed, reload succeeds again"
