#!/bin/bash
# berth-gate beside dockerd's own socket, in one run (sudo make bench, in the
# sandbox), as a test user:
#   - the docker CLI through each, alternating (bench/cmdpair), BENCH_N
#     (default 100) runs each: version, ps, inspect, run --rm; medians and
#     the ratio gate/dockerd
#   - per-request latency on one kept-alive connection (bench/httplat):
#     p50 and p99 of /_ping, /containers/json and an inspect, and what the
#     gate adds to the p50
#   - throughput: docker cp of BENCH_GIB GiB (default 1) into and out of a
#     container, and docker logs of as much, through each: pairs, dockerd
#     and gate, each first in every other pair, BENCH_CP_REPS (default 12)
#     for each cp and BENCH_TP_REPS (default 6) for logs; the median of the
#     pairs' ratios (single cp pairs on this VM range 0.6-1.6x, logs pairs
#     1.0-1.1x)
#   - BENCH_CONNS (default 1000) connections held open, with the gate's RSS
# Goals (issue "berth-gate"): CLI ratios <= 1.03, added p50 <= 100 us,
# throughput >= 0.9x, RSS <= 16 MiB at 1000 connections.
#
# For the side-by-side runs dockerd's socket is opened to the test user for
# the length of the bench (the gate checks it is root-only when it starts,
# which it does first); it is made root-only again at the end.
set -u
. "$BERTH_TOP/tests/integration/lib.sh" >/dev/null
. "$BERTH_TOP/tests/integration/slicemgr-lib.sh"
chmod 755 "$SB"
GATE_SOCK="$SB/docker.sock"
DSOCK="$DOCKERD_SOCK"
MODE=$(stat -c %a "$DSOCK") GROUP=$(stat -c %g "$DSOCK")
chgrp root "$DSOCK"; chmod 660 "$DSOCK"
TTL=600s GATE_SOCK="$GATE_SOCK" write_config
write_inventory
make_test_users >/dev/null 2>&1
start_daemon || { echo "bench: the daemons did not start" >&2; exit 1; }
chmod 666 "$DSOCK"
BIG="$SB/bench-big"
cleanup() {
	remove_managed_containers
	stop_gate
	stop_daemon
	rm -f "$BIG" "$SB/bench-out"
	chgrp "$GROUP" "$DSOCK"; chmod "$MODE" "$DSOCK"
}
trap cleanup EXIT

U=berthtali
# a CLI run is ~20 ms of Go start-up, of which the gate's share is a few
# hundred us: 40 runs each left medians 2-4% apart from run to run
N=${BENCH_N:-100}
GIB=${BENCH_GIB:-1}
CONNS=${BENCH_CONNS:-1000}
as_user() { sb_exec setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups \
	env -i -C "/home/$U" PATH=/usr/bin:/bin HOME="/home/$U" "$@"; }
ms() { awk -v x="$1" 'BEGIN{printf "%8.2f", x/1000}'; }

as_user env DOCKER_HOST="unix://$GATE_SOCK" /usr/bin/docker run -d --name bench berth-test:latest sleep 3600 >/dev/null
C=bench._.$U
pair() { # pair LABEL ARGS...: plain docker on dockerd's socket vs on the gate's
	local label=$1; shift
	read -r a b r f < <(as_user "$BUILD/bench/cmdpair" "$N" /usr/bin/env DOCKER_HOST="unix://$DSOCK" /usr/bin/docker "$@" \
		-- /usr/bin/env DOCKER_HOST="unix://$GATE_SOCK" /usr/bin/docker "$@")
	printf '%-30s dockerd %s ms   gate %s ms   ratio %s%s\n' "$label" "$(ms "$a")" "$(ms "$b")" "$r" \
		"$([ "$f" = 0 ] || echo "  ($f failed runs)")"
}
echo "== berth-gate vs dockerd's own socket ($N alternating runs each, medians, as user $U)"
pair "docker version" version
pair "docker ps" ps
pair "docker inspect NAME" inspect "$C"
pair "docker run --rm IMAGE sleep 0" run --rm berth-test:latest sleep 0

echo "== per request, one kept-alive connection each (${BENCH_REQS:-2000} requests, microseconds)"
id=$(sbdocker inspect -f '{{.Id}}' "$C")
for path in /_ping /v1.41/containers/json "/v1.41/containers/$id/json"; do
	read -r a50 a99 b50 b99 add < <(as_user "$BUILD/bench/httplat" lat "$DSOCK" "$GATE_SOCK" "${BENCH_REQS:-2000}" "$path")
	printf '%-30s dockerd p50 %7.1f p99 %7.1f   gate p50 %7.1f p99 %7.1f   added p50 %6.1f\n' \
		"${path/$id/ID}" "$a50" "$a99" "$b50" "$b99" "$add"
done

echo "== throughput ($GIB GiB; seconds, lower is better; $(nproc) CPUs for the client, the gate and dockerd)"
head -c "$((GIB * 1024 * 1024 * 1024))" /dev/urandom > "$BIG" && chmod 644 "$BIG"
through() { # through SOCKET CMD...: seconds a docker command takes on that socket
	local t0 t1
	t0=$(date +%s%N)
	as_user env DOCKER_HOST="unix://$1" /usr/bin/docker "${@:2}" >/dev/null 2>&1 || { echo fail; return; }
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) 'BEGIN{printf "%.2f", d/1e9}'
}
# the gate's CPU time so far, in clock ticks (user + system)
gate_ticks() { sb_exec awk '{print $14 + $15}' "/proc/$(sb_exec systemctl show -p MainPID --value berth-gate)/stat"; }
TICK=$(getconf CLK_TCK)
tp() { # tp reps LABEL ARGS...: reps pairs (dockerd and gate, in turn first); medians, and the gate's CPU per run
	local reps=$1 label=$2 a b t0 t1 cpu=0 i as=() bs=() rs=(); shift 2
	for i in $(seq "$reps"); do
		# each run starts with nothing left to write back: a cp in leaves
		# 1 GiB dirty, whose writeback would run into the next run (the
		# gate's, in a pair) and slow it (cp out after cp in: 0.86x, 0.96x
		# after a sync, in one A/B).  Which goes first alternates, so
		# neither side always runs on what the other left behind.
		if ((i % 2)); then
			sync; a=$(through "$DSOCK" "$@")
			sync; t0=$(gate_ticks); b=$(through "$GATE_SOCK" "$@"); t1=$(gate_ticks)
		else
			sync; t0=$(gate_ticks); b=$(through "$GATE_SOCK" "$@"); t1=$(gate_ticks)
			sync; a=$(through "$DSOCK" "$@")
		fi
		as+=("$a"); bs+=("$b"); rs+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", a / b }')"); cpu=$((cpu + t1 - t0))
	done
	awk -v l="$label" -v a="$(printf '%s\n' "${as[@]}" | median)" -v b="$(printf '%s\n' "${bs[@]}" | median)" \
		-v r="$(printf '%s\n' "${rs[@]}" | median)" -v lo="$(printf '%s\n' "${rs[@]}" | sort -g | head -n 1)" \
		-v hi="$(printf '%s\n' "${rs[@]}" | sort -g | tail -n 1)" -v n="$reps" -v g="$GIB" -v cpu="$cpu" -v hz="$TICK" 'BEGIN {
		printf "%-30s dockerd %6.2f s (%5.0f MiB/s)   gate %6.2f s (%5.0f MiB/s)   throughput ratio %.3f (%.2f-%.2f over %d pairs)   gate CPU %.2f s/run\n",
			l, a, g*1024/a, b, g*1024/b, r, lo, hi, n, cpu/hz/n }'
}
tp "${BENCH_CP_REPS:-12}" "docker cp FILE C:/tmp (in)" cp "$BIG" "$C:/tmp/big"
tp "${BENCH_CP_REPS:-12}" "docker cp C:/tmp/big - (out)" cp "$C:/tmp/big" -
as_user env DOCKER_HOST="unix://$GATE_SOCK" /usr/bin/docker run -d --name logs berth-test:latest \
	sh -c "head -c $((GIB * 768 * 1024 * 1024)) /dev/urandom | base64 -w 4095; : > /tmp/written; sleep 3600" >/dev/null
# once all of it is in the log (the test image's shell has test built in)
for i in $(seq 900); do sbdocker exec logs._.$U sh -c 'test -e /tmp/written' 2>/dev/null && break; sleep 1; done
tp "${BENCH_TP_REPS:-6}" "docker logs C (1 GiB of text)" logs "logs._.$U"

echo "== $CONNS connections held open"
rss() { sb_exec awk '/^VmRSS/ {print $2}' "/proc/$(sb_exec systemctl show -p MainPID --value berth-gate)/status"; }
r0=$(rss)
as_user "$BUILD/bench/httplat" hold "$GATE_SOCK" "$CONNS" 8 > "$SB/bench-out" &
hp=$!
for i in $(seq 80); do [ -s "$SB/bench-out" ] && break; sleep 0.1; done
sleep 1
r1=$(rss)
served=$(cat "$SB/bench-out")
ok=$(as_user env DOCKER_HOST="unix://$GATE_SOCK" /usr/bin/docker version --format '{{.Server.Version}}' 2>/dev/null)
wait $hp
printf '%-30s served %s of %s   gate RSS %.1f MiB idle, %.1f MiB holding them   another client served meanwhile: %s\n' \
	"connections" "$served" "$CONNS" "$(awk -v x="$r0" 'BEGIN{print x/1024}')" "$(awk -v x="$r1" 'BEGIN{print x/1024}')" \
	"${ok:-no}"
