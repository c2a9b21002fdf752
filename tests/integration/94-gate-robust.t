#!/bin/bash
# berth-gate under load and abuse, and killed: 100 concurrent streams, a
# user holding a thousand half-sent requests and flooding pipelined ones,
# while another user's docker CLI still gets answers; and kill -9 of the
# gate in the middle of GPU creates, after which no GPU is held twice and
# no reservation outlives its TTL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 19

GATE_SOCK="$SB/docker.sock"
PY=/usr/bin/python3
A=berthtali B=berthtbob C=berthtcar
cleanup() {
	remove_managed_containers
	stop_gate
	stop_daemon
}
trap cleanup EXIT
chmod 755 "$SB"
TTL=5s write_config
write_inventory
make_test_users
start_daemon
ok $? "berth-slicemgr and berth-gate started (reservation_ttl 5s)"

gate_pid() { sb_exec systemctl show -p MainPID --value berth-gate; }
gate_fds() { sb_exec sh -c "ls /proc/$(gate_pid)/fd | wc -l"; }
pyuser() { # pyuser USER PYTHON [ARGS...]: a Python script as USER
	local u=$1 code=$2; shift 2
	sb_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups timeout -k 5 120 $PY -c "$code" "$GATE_SOCK" "$@"
}

# --- 100 concurrent streams ----------------------------------------------------------------
gd $A run -d --name ticker berth-test sh -c 'while :; do echo tick; sleep 0.2; done' >/dev/null
fds0=$(gate_fds)
pyuser $A '
import socket, sys, time
path, name = sys.argv[1], sys.argv[2]
conns = []
for i in range(100):
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(path)
    s.sendall(("GET /v1.41/containers/%s/logs?follow=1&stdout=1&tail=0 HTTP/1.1\r\nHost: d\r\n\r\n" % name).encode())
    conns.append(s)
got = 0
deadline = time.monotonic() + 20
for s in conns:
    buf = b""
    while buf.count(b"tick") < 2 and time.monotonic() < deadline:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b: break
        buf += b
    got += buf.count(b"tick") >= 2 and buf.startswith(b"HTTP/1.1 200")
print(got); sys.stdout.flush()
time.sleep(6) # held while the other user asks
for s in conns: s.close()
' ticker._.$A > "$SB/streams.out" 2>&1 &
streams=$!
sleep 3
ps_out=$(gd $B ps -a --format '{{.Names}}' 2>&1; echo "rc=$?")
is "$ps_out" "rc=0" "while alice holds 100 log streams, bob's docker ps is answered"
wait "$streams"
is "$(cat "$SB/streams.out")" 100 "100 concurrent logs -f streams through the gate each get their lines"
sleep 1
fds1=$(gate_fds)
# (beyond the listening socket and the loop's own, each of the 8 workers may
# keep one connection to berth-slicemgr, and one to dockerd for exec ids)
KEPT=16
ok $(( fds1 <= fds0 + KEPT ? 0 : 1 )) "… and once they close, the gate holds no more descriptors than its workers keep ($fds0 then $fds1)"
sbdocker rm -f ticker._.$A >/dev/null

# --- abuse: half-sent heads, a pipelined flood, garbage ---------------------------------------
pyuser $B '
import socket, sys, time
path = sys.argv[1]
held = []
for i in range(1000):
    s = socket.socket(socket.AF_UNIX); s.connect(path)
    s.sendall(b"GET /v1.41/containers/json HTTP/1.1\r\nHost: d\r\nX-Slow: ")
    held.append(s)
for i in range(100):
    s = socket.socket(socket.AF_UNIX); s.connect(path)
    try: s.sendall(bytes(range(256)) * 64)
    except OSError: pass
    held.append(s)
flood = socket.socket(socket.AF_UNIX); flood.connect(path); flood.setblocking(False)
pings = b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n" * 20000
try:
    while pings: # as much as the gate takes in while it answers, never reading them
        pings = pings[flood.send(pings):]
except OSError: pass
held.append(flood)
print("held", len(held)); sys.stdout.flush()
time.sleep(10)
' > "$SB/abuse.out" 2>&1 &
abuser=$!
sleep 4
out=$(gd $A run --rm berth-test echo still-serving 2>&1 | grep -v '^WARNING: IPv4')
is "$out" "still-serving" "while bob holds 1000 half-sent heads, 100 garbage streams and a flood of pipelined pings, alice's docker run works"
out=$(gc $A http://d/_ping)
is "$(status_of "$out")" 200 "… and so does a raw /_ping"
wait "$abuser"
like "$(cat "$SB/abuse.out")" "^held 1101" "the abuser held all of it"
is "$(sb_exec systemctl show -p NRestarts --value berth-gate)/$(sb_exec systemctl is-active berth-gate)" "0/active" \
	"the gate never died or restarted"
sleep 1
fds2=$(gate_fds)
ok $(( fds2 <= fds0 + KEPT ? 0 : 1 )) "… and once the abuser is gone it holds what it held before ($fds0 then $fds2)"

# --- deadlines on kept-alive connections ---------------------------------------------------------
# A head has 15 s from its first byte (CONN_HEAD_USEC).  The gate moves its
# timer only when a deadline comes sooner, so after a first request both
# connections' timers are still set for that request's deadline (t+15 s)
# when their second heads begin (t+10 s): one head ends in time (t+20 s)
# and is answered, the other never ends and is refused once its own 15 s
# are up, not when the earlier deadline passes.
pyuser $A '
import socket, sys, time
path = sys.argv[1]
def answer(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        b = s.recv(65536)
        if not b: break
        buf += b
    return buf
conns = []
for i in range(2):
    s = socket.socket(socket.AF_UNIX); s.settimeout(40); s.connect(path)
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
    print("first", answer(s).split(b"\r\n")[0].decode())
    conns.append(s)
t0 = time.monotonic()
time.sleep(10)
for s in conns:
    s.sendall(b"GET /_ping HTTP/1.1\r\n")
time.sleep(10)
conns[0].sendall(b"Host: d\r\n\r\n")
print("finished", answer(conns[0]).split(b"\r\n")[0].decode())
late = answer(conns[1])
print("unfinished", late.split(b"\r\n")[0].decode(), "after", int(time.monotonic() - t0) >= 24)
rest = b""
while True:
    b = conns[1].recv(65536)
    if not b: break
    rest += b
print("said", (late + rest).split(b"\r\n\r\n", 1)[-1].decode().strip())
' > "$SB/deadline.out" 2>&1
is "$(grep -c '^first HTTP/1.1 200' "$SB/deadline.out")" 2 "two kept-alive connections answered once each"
is "$(grep '^finished' "$SB/deadline.out")" "finished HTTP/1.1 200 OK" \
	"a second head begun 10 s later and ended 10 s after that is answered (its own deadline, not the first request's)"
is "$(grep '^unfinished' "$SB/deadline.out")" "unfinished HTTP/1.1 400 Bad Request after True" \
	"a second head that never ends is refused with 400, once its own 15 s are up"
is "$(grep '^said' "$SB/deadline.out")" 'said {"message":"berth: the request did not arrive in time."}' \
	"… saying why, and the connection closes"

# --- kill -9 in the middle of GPU creates -------------------------------------------------------
# every GPU the ledger holds is held by one container that exists and sees
# exactly its GPUs; every existing container that sees a GPU holds it; no
# reservation is left once the TTL has passed
ledger_consistent() {
	local st held seen bad=""
	st=$(as root '{"op":"status"}')
	held=$(jq -r '.gpus[] | select(.user != null) | "\(.uuid) \(.container) \(.state)"' <<<"$st" | sort)
	grep -q ' reserved$' <<<"$held" && bad="$bad reservation-left"
	seen=$(for c in $(sbdocker ps -aq --filter label=berth.managed=true); do
		sbdocker inspect -f '{{.Name}}{{range .Config.Env}}{{"\n"}}{{.}}{{end}}' "$c" |
			awk 'NR==1 {n=substr($1,2)} /^NVIDIA_VISIBLE_DEVICES=(GPU|MIG)-/ {split(substr($0,24),g,","); for (i in g) print g[i], n}'
	done | sort)
	[ "$(cut -d' ' -f1 <<<"$seen" | sort | uniq -d)" ] && bad="$bad gpu-seen-twice"
	[ "$(cut -d' ' -f1,2 <<<"$held")" = "$seen" ] || bad="$bad ledger-and-docker-differ"
	[ -z "$bad" ] || { diag "ledger: $held"; diag "docker: $seen"; }
	echo "${bad:-consistent}"
}
for delay in 0.05 0.15 0.3; do
	for u in $A $B $C; do
		for i in 1 2; do
			gd $u run -d --name "k$i" --gpus 1 berth-test sleep 600 >"$SB/kill.$u.$i" 2>&1 &
		done
	done
	sleep "$delay"
	sb_exec systemctl kill -s KILL berth-gate
	wait
	start_gate
	sleep 8 # past the 5 s TTL and berth-slicemgr's expiry
	made=$(cat "$SB"/kill.* | grep -c '^[0-9a-f]\{64\}$')
	cut=$(cat "$SB"/kill.* | grep -ci 'EOF\|reset\|connect\|broken pipe')
	is "$(ledger_consistent)" consistent \
		"kill -9 of the gate $delay s into six GPU creates ($made made, $cut cut off): no GPU held twice, none leaked"
	rm -f "$SB"/kill.*
	remove_managed_containers
done
out=$(gd $A run --rm --gpus 1 berth-test sh -c 'echo $NVIDIA_VISIBLE_DEVICES' 2>&1 | grep -v '^WARNING: IPv4')
like "$out" '^GPU-' "after it all, a GPU run through the restarted gate works"
sleep 1
is "$(as root '{"op":"status"}' | jq '[.gpus[] | select(.user != null)] | length')" 0 "… and every GPU is free again"
is "$(journal 1 BERTH_EVENT=gpu.release --since=-120s | grep -c . | sed 's/^[1-9][0-9]*$/some/')" some \
	"the releases are in the journal"
