#!/bin/bash
# The metrics against a live daemon with real containers and reservations:
# `berthctl metrics` passes promtool and its numbers are those of
# `berthctl status --json`; [metrics] listen serves the same text and
# shrugs off malformed HTTP; [metrics] textfile is written whole; a reload
# rebinds and counts a config generation.  promtool is Debian's, unpacked
# by 'make promtool' (never installed: the package starts a server).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
PROMTOOL=${PROMTOOL:-$BUILD/tools/promtool}
if [ ! -x "$PROMTOOL" ]; then
	echo "1..0 # SKIP no promtool: run 'make promtool' (it unpacks Debian's into the build tree)"
	exit 0
fi
plan 39

PORT=$((20000 + RANDOM % 9000)) PORT2=$((29000 + RANDOM % 900))
TEXTDIR="$SB/node-exporter"
CTL="$BUILD/berthctl"
ctl() { sb_exec "$CTL" --config "$ETC" "$@"; }
cleanup() {
	remove_managed_containers
	stop_daemon
	rm -rf "$TEXTDIR"
}
trap cleanup EXIT
chmod 755 "$SB"
mkdir -p "$TEXTDIR"
write_config
cat >> "$ETC/berth.conf" <<EOT

[reaper]
interval = 1s

[metrics]
listen = 127.0.0.1:$PORT
textfile = $TEXTDIR
EOT
write_inventory
# GPU 0 busy at 87 %, a quarter of its memory in use
sed -i 's|"pci":"0000:e1:00.0","numa":0}|"pci":"0000:e1:00.0","numa":0,"memory":8589934592,"memory_used":2147483648,"utilization":87}|' "$NVML_JSON"
make_test_users
start_daemon
ok $? "daemon started with [metrics] listen = 127.0.0.1:$PORT and textfile"

# run USER NAME GPUS: reserve, docker run with what berth injects, commit
run() {
	local out labels
	out=$(as "$1" "{\"op\":\"reserve\",\"spec\":{\"name\":\"$2\",\"gpus\":$3}}") || return 1
	labels=$(jq -r '.inject.labels|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
	sbdocker run -d --name "$(jq -r .name <<<"$out")" $labels --cgroup-parent "$(jq -r .slice <<<"$out")" \
		berth-test sh -c 'trap "exit 0" TERM; while sleep 1; do :; done' >/dev/null || return 1
	as "$1" "{\"op\":\"commit\",\"reservation\":\"$(jq -r .reservation <<<"$out")\"}" >/dev/null
}
run berthtali train 1 && run berthtali notes 0 && run jean-luc eval 1
ok $? "three containers run: two of berthtali (one with a GPU), one of jean-luc"
as berthtbob '{"op":"reserve","spec":{"name":"big","gpus":3}}' >/dev/null
as berthtbob '{"op":"reserve","spec":{"name":"pending","gpus":0}}' >/dev/null
sleep 2.5 # a reaper tick or two: the GPUs are sampled

M=$(ctl metrics)
ok $? "berthctl metrics exits 0"
# METRICS_OUT=FILE keeps this text (docs/metrics-svg.py draws README's picture from it)
[ -z "${METRICS_OUT:-}" ] || printf '%s\n' "$M" > "$METRICS_OUT"
out=$("$PROMTOOL" check metrics <<<"$M" 2>&1)
ok $? "promtool check metrics passes on berthctl metrics${out:+: $out}"
S=$(ctl status --json)

# metric NAME [LABELS]: the value of one sample of $M (exact labels)
metric() {
	local k=$1
	[ -z "${2:-}" ] || k="$1{$2}"
	K=$k awk '$1 == ENVIRON["K"] { print $2 }' <<<"$M"
}
num_eq() { awk -v a="$1" -v b="$2" -v t="${3:-0}" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }
limit_of() { jq -r "$1 | if . == null then \"+Inf\" else . end" <<<"$S"; }
G0=GPU-00000000-0000-0000-0000-000000000000 M3=MIG-33333333-0000-0000-0000-000000000003

is "$(metric berth_up)" 1 "berth_up 1"
held=$(jq -r '[.gpus[] | select(.state != "free") | .uuid] | sort | join(" ")' <<<"$S")
is "$(awk '/^berth_gpu_held\{/ && $2 == 1 { sub(/^berth_gpu_held\{uuid="/, "", $1); sub(/"\}$/, "", $1); print $1 }' <<<"$M" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"$held" "berth_gpu_held is 1 for exactly the GPUs status --json shows held ($held)"
holder=$(jq -r --arg g "$G0" '.gpus[] | select(.uuid == $g) | "\(.user) \(.container) \(.state)"' <<<"$S")
read -r hu hc hs <<<"$holder"
is "$(metric berth_gpu_holder_info "uuid=\"$G0\",user=\"$hu\",container=\"$hc\",state=\"$hs\"")" 1 \
	"berth_gpu_holder_info names GPU 0's holder as status does ($holder)"
is "$(jq -r --arg g "$G0" '.gpus[] | select(.uuid == $g) | .utilization' <<<"$S")" 87 "status --json: GPU 0's utilization is the fake's 87"
ok "$(num_eq "$(metric berth_gpu_utilization_ratio "uuid=\"$G0\"")" 0.87 1e-9; echo $?)" "berth_gpu_utilization_ratio of GPU 0 is 0.87"
is "$(metric berth_gpu_memory_used_bytes "uuid=\"$G0\"")" "$(jq -r --arg g "$G0" '.gpus[] | select(.uuid == $g) | .memory_used' <<<"$S")" \
	"berth_gpu_memory_used_bytes equals status's memory_used"
is "$(metric berth_gpu_memory_total_bytes "uuid=\"$G0\"")" 8589934592 "berth_gpu_memory_total_bytes is the device's memory"
ok "$(num_eq "$(metric berth_gpu_fraction "uuid=\"$M3\"")" "$(jq -r --arg g "$M3" '.gpus[] | select(.uuid == $g) | .fraction' <<<"$S")" 1e-9; echo $?)" \
	"berth_gpu_fraction of a 3/7 MIG instance equals status's"

U='user="berthtali",group="students"'
is "$(metric berth_user_gpus "$U")" "$(jq -r '.users[] | select(.user == "berthtali") | .gpus.used' <<<"$S" | awk '{ print $1 + 0 }')" \
	"berth_user_gpus equals status's gpus.used"
is "$(metric berth_user_containers "$U")" "$(jq -r '.users[] | select(.user == "berthtali") | .containers.used' <<<"$S")" \
	"berth_user_containers equals status's containers.used (reservations included)"
for k in cpus:berth_user_cpus_limit memory:berth_user_memory_limit_bytes gpus:berth_user_gpus_limit containers:berth_user_containers_limit; do
	want=$(limit_of ".users[] | select(.user == \"berthtali\") | .${k%%:*}.limit" | awk '$1 == "+Inf" { print; next } { print $1 + 0 }')
	got=$(metric "${k#*:}" "$U")
	[ "$got" = "$want" ] || { diag "${k#*:}: $got, status: $want"; break; }
done
ok $? "the user's four limits equal status's (+Inf where it says null)"
cpu=$(jq -r '.users[] | select(.user == "berthtali") | .cpu_usage_usec' <<<"$S")
ok "$(num_eq "$(metric berth_user_cpu_seconds_total "$U")" "$(awk -v u="$cpu" 'BEGIN { print u / 1e6 }')" 0.5; echo $?)" \
	"berth_user_cpu_seconds_total is status's cpu_usage_usec in seconds (a sleeping slice: within 0.5 s)"
like "$(metric berth_user_memory_bytes "$U")" '^[1-9][0-9]*$' "berth_user_memory_bytes is the slice's memory.current"
is "$(metric berth_group_gpus_limit 'group="students"')" "$(limit_of '.groups[] | select(.group == "students") | .gpus.limit' | awk '{ print $1 + 0 }')" \
	"berth_group_gpus_limit is the group's [total]"
is "$(metric berth_group_containers 'group="researchers"')" "$(jq -r '.groups[] | select(.group == "researchers") | .containers.used' <<<"$S")" \
	"berth_group_containers equals status's"

is "$(metric berth_reserve_duration_seconds_count)" "$(jq -r .reserve_latency.count <<<"$S")" \
	"berth_reserve_duration_seconds_count equals status's reserve_latency.count"
is "$(jq -r .reserve_latency.count <<<"$S")" 5 "five reserves were timed: four granted, one refused"
is "$(metric berth_reserve_duration_seconds_bucket 'le="+Inf"')" 5 "the +Inf bucket holds them all"
is "$(metric berth_reaper_warnings_total)/$(metric berth_reaper_stops_total)" \
	"$(jq -r '"\(.reaper.warnings)/\(.reaper.stops)"' <<<"$S")" "reaper warnings and stops equal status's"
is "$(metric berth_queue_length)" "$(jq -r '.queue // [] | length' <<<"$S")" "berth_queue_length is status's queue length"
is "$(metric berth_config_generation)" "$(jq -r .daemon.config_generation <<<"$S")" "berth_config_generation equals status's"
is "$(metric berth_build_info "version=\"$(jq -r .daemon.version <<<"$S")\"")" 1 "berth_build_info carries the daemon's version"

# the endpoint: the same families, valid too
H=$(curl -s -D "$SB/headers" --max-time 10 "http://127.0.0.1:$PORT/metrics")
ok "$(grep -q '^HTTP/1.1 200' "$SB/headers" && grep -qi '^content-type: text/plain; version=0.0.4' "$SB/headers"; echo $?)" \
	"GET /metrics: 200 with text/plain; version=0.0.4"
out=$("$PROMTOOL" check metrics <<<"$H" 2>&1)
ok $? "promtool passes on the endpoint's text${out:+: $out}"
is "$(grep '^# TYPE' <<<"$H" | md5sum)" "$(grep '^# TYPE' <<<"$M" | md5sum)" "the endpoint serves the families berthctl metrics prints"

code() { curl -s -o /dev/null -w '%{http_code} ' --max-time 10 "$@"; }
codes=$(code -X POST "http://127.0.0.1:$PORT/metrics"; code -I "http://127.0.0.1:$PORT/metrics"; code "http://127.0.0.1:$PORT/other")
is "$codes" "405 405 404 " "POST and HEAD: 405, another path: 404"
# raw bytes: garbage, a head over 8 KiB, and one that never ends (slowloris)
raw() { # raw SECONDS-TO-WAIT BYTES: the answer's status line, "closed" for none
	local l
	l=$(timeout 20 python3 -c "$RAW_PY" "127.0.0.1:$PORT" $(($1 + 3)) "$2" | head -n 1 | tr -d '\r')
	echo "${l:-closed}"
}
is "$(raw 1 '\x16\x03\x01 garbage\r\n\r\n')" "HTTP/1.1 400 Bad Request" "garbage: 400"
is "$(raw 1 "GET /metrics HTTP/1.1\\r\\nX-Big: $(head -c 10000 /dev/zero | tr '\0' a)\\r\\n\\r\\n")" \
	"HTTP/1.1 431 Request Header Fields Too Large" "a 10 KB head: 431"
t0=$(date +%s)
is "$(raw 8 'GET /metrics HTTP/1.1\r\nHost: x\r\n')" closed "a head that never ends: dropped without an answer"
ok "$(test $(($(date +%s) - t0)) -le 8; echo $?)" "within the 5 s per-connection timeout"
curl -sf --max-time 10 "http://127.0.0.1:$PORT/metrics" | grep -q '^berth_up 1$' && as root '{"op":"hello"}' >/dev/null
ok $? "after all that the endpoint and the control socket still answer"

ok "$(test "$(stat -c %a "$TEXTDIR/berth.prom" 2>/dev/null)" = 644 && "$PROMTOOL" check metrics < "$TEXTDIR/berth.prom" >/dev/null 2>&1; echo $?)" \
	"the textfile berth.prom is there, mode 0644, and passes promtool"
ok "$(! ls -A "$TEXTDIR" | grep -qv '^berth.prom$'; echo $?)" "no temporary file is left beside it"

# a reload onto another port: rebinds, and one more config generation
sed -i "s/^listen = 127.0.0.1:$PORT/listen = 127.0.0.1:$PORT2/" "$ETC/berth.conf"
ctl reload >/dev/null
gen=$(curl -s --max-time 10 "http://127.0.0.1:$PORT2/metrics" | awk '$1 == "berth_config_generation" { print $2 }')
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/metrics"
rc=$?
is "$gen/$([ $rc != 0 ] && echo gone)" "$(($(metric berth_config_generation) + 1))/gone" \
	"after a reload the new port answers with the next config generation; the old one is gone"

# malformed statuses through the renderer: still valid text
bad=0
for j in 'null' '[1,2]' '{"gpus":[{"uuid":"a\"b\\c\nd","user":7}],"users":[{"user":"x\ny","group":"\"","gpus":"1"}]}' \
	'{"reserve_latency":{"buckets":[{"le":1,"count":5}],"count":2,"sum":"x"},"queue":{}}' 'not json'; do
	"$BUILD/helpers/berth-metrics-render" <<<"$j" | "$PROMTOOL" check metrics >/dev/null 2>&1 || { diag "not valid for: $j"; bad=1; }
done
ok $bad "promtool passes on the renderer's text for malformed statuses"
