#!/bin/bash
# lib/docker.c against the sandbox's real dockerd (through berth-dockertool),
# checked against the real docker client; then the event-stream parser and
# reply limits against a small fake daemon that splits and joins objects.
. "$(dirname "$0")/lib.sh"
# lib/system/docker against dockerd itself, as root
export DOCKER_HOST="unix://$DOCKERD_SOCK"
plan 67

T="$BUILD/helpers/berth-dockertool"
M=bt$$x$RANDOM # marks everything this run creates
C1=$M-c1
IMG=berth-it/$M
TMP=$(mktemp -d /tmp/berth-dc.XXXXXX)
BG=()

cleanup() {
	local p
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG[@]}"; do wait "$p" 2>/dev/null; done
	ids=$(sbdocker ps -aq --filter "label=berth.test=$M" 2>/dev/null)
	[ -n "$ids" ] && sbdocker rm -f $ids >/dev/null 2>&1
	sbdocker rm -f "$M-plain" "$M-other" >/dev/null 2>&1
	sbdocker rmi -f "$IMG:v1" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for() {
	local n=$(($1 * 20)); shift
	while ! "$@"; do
		n=$((n - 1)); [ "$n" -gt 0 ] || return 1
		sleep 0.05
	done
}
state_running() { "$T" inspect "$C1" | jq -e ".State.Running == $1" >/dev/null; }

# --- connecting --------------------------------------------------------------
out=$("$T" ping 2>&1); rc=$?
is "$rc" 0 "ping succeeds"
is "$out" "$(sbdocker version --format '{{.Server.APIVersion}}')" "the recorded API version is the daemon's"
is "$("$T" socket-path)" "$DOCKERD_SOCK" "DOCKER_HOST=unix://… selects the sandbox socket"
out=$(DOCKER_HOST=tcp://127.0.0.1:2375 "$T" ping 2>&1); rc=$?
ok $((rc == 0)) "DOCKER_HOST=tcp://… is refused"
like "$out" "DOCKER_HOST=tcp://127.0.0.1:2375 is not supported: .*unix socket" "and says only unix sockets work"
out=$(DOCKER_HOST=unix://$TMP/none.sock "$T" ping 2>&1); rc=$?
ok $((rc == 0)) "a socket that does not exist fails"
is "$out" "berth-dockertool: Cannot connect to the Docker daemon at unix://$TMP/none.sock: there is no such socket; is dockerd running?" "with a sentence naming the socket"
out=$("$T" request GET /info); rc=$?
is "$rc/$(head -n1 <<<"$out")" "0/200" "a generic request returns the HTTP status"
is "$(tail -n1 <<<"$out" | jq -r .ID)" "$(sbdocker info --format '{{.ID}}')" "and Docker's JSON reply"

# --- events listeners, started before anything happens -----------------------
since=$(date +%s)
"$T" events --filter "label=berth.test=$M" --since "$since" > "$TMP/ev-block" 2> "$TMP/ev-block.err" &
BG+=($!)
"$T" events --nonblock --filter "label=berth.test=$M" --filter type=container --since "$since" > "$TMP/ev-nb" 2> "$TMP/ev-nb.err" &
BG+=($!)
"$T" events --count 2 --filter "label=berth.test=$M" --since "$since" > "$TMP/ev-count" 2>&1 &
pid_count=$!
BG+=($pid_count)

# --- containers --------------------------------------------------------------
id=$("$T" create "$C1" berth-test:latest "label=berth.test=$M" label=berth.user=alice -- sleep 300); rc=$?
is "$rc" 0 "create succeeds"
like "$id" '^[0-9a-f]{64}$' "and prints the new container's id"
sbdocker create --name "$M-plain" berth-test:latest sleep 300 >/dev/null 2>&1
sbdocker create --name "$M-other" --label berth.test=someone-else berth-test:latest sleep 300 >/dev/null 2>&1
out=$("$T" start "$id" 2>&1); rc=$?
is "$rc" 0 "start succeeds"
sbdocker start "$M-plain" >/dev/null

out=$("$T" list "berth.test=$M"); rc=$?
is "$rc" 0 "list with a label filter succeeds"
is "$(jq -r 'map(.Id) | join(" ")' <<<"$out")" "$id" "only our labelled container is listed, not the unlabelled one"
is "$(jq -r 'map(.Id) | join(" ")' <<<"$out")" "$(sbdocker ps --no-trunc -q --filter "label=berth.test=$M")" "the same as docker ps --filter label=…"
is "$(jq -r '.[0].Names[0]' <<<"$out")" "/$C1" "the listing carries the name"
out=$("$T" list "berth.test=$M" berth.user=alice | jq length)
is "$out" 1 "two label filters must both match (match)"
out=$("$T" list "berth.test=$M" berth.user=bob | jq length)
is "$out" 0 "two label filters must both match (no match)"
out=$("$T" list berth.user | jq -r 'map(.Id) | join(" ")')
is "$out" "$id" "a bare key filter matches containers that have the label"
all=$("$T" list --all | jq -r 'map(.Names[0]) | sort | join(" ")')
is "$all" "$(sbdocker ps -a --format '/{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//')" "list --all without filters matches docker ps -a"

j=$("$T" inspect "$C1"); rc=$?
is "$rc" 0 "inspect by name succeeds"
is "$(jq -r .Id <<<"$j")" "$id" "inspect: Id"
is "$(jq -r .Name <<<"$j")" "/$C1" "inspect: Name"
is "$(jq -c '.Config.Labels' <<<"$j")" "{\"berth.test\":\"$M\",\"berth.user\":\"alice\"}" "inspect: Config.Labels"
is "$(jq -r .State.Running <<<"$j")" true "inspect: State.Running"
is "$(jq -c .Config.Cmd <<<"$j")" '["sleep","300"]' "inspect: Config.Cmd"
is "$("$T" inspect "${id:0:12}" | jq -r .Name)" "/$C1" "inspect by short id"

out=$("$T" inspect "$M-missing" 2>&1); rc=$?
is "$rc" 1 "inspect of a missing container fails"
is "$out" "berth-dockertool: http 404: No such container: $M-missing" "with HTTP 404 and Docker's own message"
out=$("$T" create "$C1" berth-test:latest 2>&1); rc=$?
is "$rc" 1 "create with a taken name fails"
like "$out" "^berth-dockertool: http 409: Conflict\. The container name \"/$C1\" is already in use" "with HTTP 409 and Docker's own message"
out=$("$T" create "$M-noimg" berth-test:nonexistent 2>&1); rc=$?
like "$rc/$out" "^1/berth-dockertool: http 404: No such image: berth-test:nonexistent" "create with a missing image gives 404"
out=$("$T" inspect "../../info" 2>&1); rc=$?
like "$rc/$out" "^1/.*is not a valid container or image name" "a name that walks up the URL path is refused"
out=$("$T" inspect "/$C1" | jq -r .Id)
is "$out" "$id" "a leading / (as in .Names) is accepted"
out=$("$T" inspect "a b?c#d" 2>&1); rc=$?
is "$rc/$out" "1/berth-dockertool: http 404: No such container: a b?c#d" "odd characters are escaped, not interpreted"

out=$("$T" stop --time 1 "$C1" 2>&1); rc=$?
is "$rc" 0 "stop succeeds"
is "$("$T" inspect "$C1" | jq -r '[.State.Running, .State.ExitCode] | join(" ")')" "false 137" "after stop it is not running (sleep as PID 1 ignores SIGTERM: killed after 1s)"
out=$("$T" stop "$C1" 2>&1); rc=$?
is "$rc" 0 "stop of a stopped container succeeds (304)"
"$T" start "$C1" && wait_for 5 state_running true
out=$("$T" kill "$C1" SIGKILL 2>&1); rc=$?
is "$rc" 0 "kill succeeds"
wait_for 5 state_running false; ok $? "after kill it is not running"
out=$("$T" kill "$C1" 2>&1); rc=$?
like "$rc/$out" "^1/berth-dockertool: http 409: .*is not running" "kill of a stopped container gives 409"

# --- images ------------------------------------------------------------------
img=$("$T" commit "$C1" "$IMG" v1 "label=berth.image=$M"); rc=$?
is "$rc" 0 "commit succeeds"
like "$img" '^sha256:[0-9a-f]{64}$' "and prints the image id"
j=$("$T" image-inspect "$IMG:v1"); rc=$?
is "$rc/$(jq -r .Id <<<"$j")" "0/$img" "image-inspect by repo:tag finds it"
is "$(jq -r '.RepoTags | join(" ")' <<<"$j")" "$IMG:v1" "image-inspect: RepoTags"
is "$(jq -r '.Config.Labels["berth.image"]' <<<"$j")" "$M" "the commit set the label on the image"
is "$(jq -c '.Config.Cmd' <<<"$j")" '["sleep","300"]' "the rest of the config came from the container"
is "$("$T" image-list "berth.image=$M" | jq -r 'map(.Id) | join(" ")')" "$img" "image-list with a label filter finds only it"
is "$(sbdocker images -q --no-trunc --filter "label=berth.image=$M")" "$img" "the same as docker images --filter label=…"
out=$("$T" image-rm "$IMG:v1" 2>&1); rc=$?
is "$rc" 0 "image-rm succeeds"
out=$("$T" image-inspect "$IMG:v1" 2>&1); rc=$?
like "$rc/$out" "^1/berth-dockertool: http 404: .*No such image: $IMG:v1\$" "and the image is gone"

# --- removal -------------------------------------------------------------------
"$T" start "$C1" && wait_for 5 state_running true
out=$("$T" rm "$C1" 2>&1); rc=$?
like "$rc/$out" "^1/berth-dockertool: http 409: .*(running|stop)" "rm of a running container without --force gives 409"
out=$("$T" rm --force "$C1" 2>&1); rc=$?
is "$rc" 0 "rm --force succeeds"
out=$("$T" inspect "$C1" 2>&1); rc=$?
is "$rc/$out" "1/berth-dockertool: http 404: No such container: $C1" "and the container is gone"

# --- events ------------------------------------------------------------------
has_destroy() { jq -e -s "any(.[]; .Action == \"destroy\")" "$1" >/dev/null 2>&1; }
wait_for 10 has_destroy "$TMP/ev-block"; ok $? "the blocking stream saw the destroy"
wait_for 10 has_destroy "$TMP/ev-nb"; ok $? "the event-loop (non-blocking) stream saw the destroy"
actions=$(jq -r -s '[.[] | select(.Actor.Attributes.name == "'"$C1"'") | .Action] | map(select(. == "create" or . == "start" or . == "destroy")) | unique | join(" ")' "$TMP/ev-block")
is "$actions" "create destroy start" "create, start and destroy events arrived"
is "$(jq -r -s 'map(.Actor.Attributes["berth.test"]) | unique | join(" ")' "$TMP/ev-block")" "$M" "only events of containers with our label"
is "$(jq -c -s 'map([.Action, .id])' "$TMP/ev-nb")" "$(jq -c -s 'map(select(.Type == "container") | [.Action, .id])' "$TMP/ev-block")" "both variants delivered the same container events"
wait_for 5 eval '! kill -0 $pid_count 2>/dev/null'; wait "$pid_count"; rc=$?
is "$rc/$(wc -l < "$TMP/ev-count")" "0/2" "--count 2: the callback stops the stream cleanly after two events"
is "$(jq -r -s 'map(.Action) | join(" ")' "$TMP/ev-count")" "create start" "and those are the first two"

out=$(timeout 20 "$T" events --filter "label=berth.test=$M" --filter type=container --since "$since" --until "$(date +%s.%N)"); rc=$?
is "$rc/$(jq -r -s 'map(.Action) | (first + " … " + last)' <<<"$out")" "0/create … destroy" "with until, the daemon replays the past and ends the stream: a clean end"

# --- the parser against a fake daemon ----------------------------------------
PY=$(command -v python3 || true)
if [ -z "$PY" ]; then
	for i in 1 2 3 4 5; do ok 0 "# skip python3 is not installed (fake daemon)"; done
else
	cat > "$TMP/fake.py" <<'EOF'
import json, os, socketserver, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, code, body, ctype="application/json"):
        self.send_response(code)
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data)); self.wfile.flush(); time.sleep(0.05)
    def do_GET(self):
        u = urllib.parse.urlparse(self.path); q = urllib.parse.parse_qs(u.query)
        if u.path == "/_ping":
            return self.send(200, b"OK", "text/plain")
        if u.path == "/v1.41/events":
            want = {"label": ["x=y"], "type": ["container"]}
            if json.loads(q["filters"][0]) != want or q.get("since") != ["5"]:
                return self.send(400, json.dumps({"message": "bad query " + self.path}).encode())
            self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
            if q.get("until") == ["6"]:
                self.chunk(b'{"a":1}\n{"b":')  # the stream breaks inside an object
            else:
                for c in [b'{"a":1}{"b":"}{\\"}"}\n  {"c"', b':[1,{"d":[2]}]', b'}\r\n{"e":"\xc3\xa9\\u00e9"}\n', b'{"f":{}}']:
                    self.chunk(c)
            self.wfile.write(b"0\r\n\r\n"); self.wfile.flush()
            return
        if u.path == "/v1.41/images/json":  # above the 16 MiB reply limit
            return self.send(200, b"[" + b'"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",' * 600000 + b'""]')
        if u.path == "/v1.41/containers/boom/json":
            return self.send(500, json.dumps({"message": "boom: something broke"}).encode())
        if u.path == "/v1.41/containers/dup/json":
            return self.send(200, b'{"Id":"a","Id":"b"}')
        self.send(404, json.dumps({"message": "page not found"}).encode())
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    def handle_error(self, request, client_address): pass  # the client hangs up on the oversized reply
S(sys.argv[1], H).serve_forever()
EOF
	"$PY" "$TMP/fake.py" "$TMP/fake.sock" &
	BG+=($!)
	wait_for 5 test -S "$TMP/fake.sock"
	F() { DOCKER_HOST=unix://$TMP/fake.sock "$T" "$@"; }
	out=$(F events --filter label=x=y --filter type=container --since 5 2>&1); rc=$?
	is "$rc/$out" "0/$(printf '%s\n' '{"a":1}' '{"b":"}{\"}"}' '{"c":[1,{"d":[2]}]}' '{"e":"éé"}' '{"f":{}}')" \
		"objects split across chunks, joined in one chunk and with braces in strings are parsed one by one"
	out=$(F events --nonblock --filter label=x=y --filter type=container --since 5 2>&1 | wc -l)
	is "$out" 5 "the event-loop variant parses the same five"
	out=$(F events --filter label=x=y --filter type=container --since 5 --until 6 2>&1); rc=$?
	is "$rc/$out" "$(printf '%s\n%s' 1/'{"a":1}' 'berth-dockertool: The Docker event stream ended in the middle of an event.')" "a stream that breaks inside an object is an error, after the complete ones"
	out=$(F image-list 2>&1); rc=$?
	like "$rc/$out" "^1/berth-dockertool: .*larger than 16777216 bytes" "a reply above 16 MiB is refused"
	out=$(F inspect boom 2>&1; F inspect dup 2>&1)
	like "$out" "^berth-dockertool: http 500: boom: something broke
berth-dockertool: http 200: The Docker daemon sent a reply that is not JSON: duplicate object key" \
		"5xx carries Docker's message; duplicate keys are rejected"
fi
