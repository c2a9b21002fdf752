#!/bin/bash
# No user can starve the daemon for others (issue "The security model",
# part 8): bob holds every connection berth-slicemgr lets one uid have, and
# trickles bytes, and asks about thousands of unknown containers; meanwhile
# alice's docker run through the wrapper and her docker ps still finish in
# time, and the daemon never restarts.
. "$(dirname "$0")/lib.sh"
sec_setup
FLOOD="$SB/berth-flood-sec.pl"
cp "$BERTH_TOP/tests/helpers/berth-flood.pl" "$FLOOD"; chmod 755 "$FLOOD"
ms() { echo $(($(date +%s%N) / 1000000)); }
pid0=$(sb_exec systemctl show -p MainPID --value berth-slicemgr)

# the same commands, unloaded, for a yardstick
t0=$(ms); wd $VIC run --rm $IMG true >/dev/null 2>&1; base=$(($(ms) - t0))

sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups \
	sh -c "ulimit -n 4096; exec perl $FLOOD idle $SOCK 1024 20" > "$SB/flood-idle.out" &
idle=$!
for i in $(seq 100); do [ -s "$SB/flood-idle.out" ] && break; sleep 0.1; done
like "$(cat "$SB/flood-idle.out")" "^[0-9]+ [0-9]+$" "bob holds as many idle connections as berth lets one user"
sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups perl $FLOOD trickle "$SOCK" > /dev/null &
trickle=$!
sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups perl $FLOOD owner "$SOCK" 8 4 256 > /dev/null &
owner=$!
sleep 0.3

t0=$(ms); out=$(wd $VIC run --rm $IMG echo served 2>&1 | grep -v '^WARNING: IPv4'); el=$(($(ms) - t0))
is "$out" served "meanwhile alice's docker run through the wrapper runs"
tok "$([ $el -lt $((base + 5000)) ] && echo 0 || echo 1)" "in time (${el} ms; ${base} ms unloaded)"
t0=$(ms); out=$(wd $VIC ps -a --format '{{.Names}}' 2>&1); rc=$?; el=$(($(ms) - t0))
tok $rc "and her docker ps"
tok "$([ $el -lt 5000 ] && echo 0 || echo 1)" "in time (${el} ms)"
out=$(wd $VIC logs victim 2>&1; echo "rc=$?")
like "$out" "rc=0" "and her docker logs on her own container (an ownership question)"

wait $idle $trickle $owner 2>/dev/null
is "$(sb_exec systemctl show -p MainPID --value berth-slicemgr)" "$pid0" "berth-slicemgr never restarted (no watchdog kill)"
is "$(sb_exec systemctl show -p NRestarts --value berth-slicemgr)" 0 "NRestarts is 0"
done_testing
