#!/bin/bash
# lib/docker.c against the real docker client, side by side on the sandbox's
# dockerd: `berth-dockertool inspect` vs `docker inspect` of one container and
# `berth-dockertool list --all LABEL` vs `docker ps -a --filter label=LABEL`,
# alternating, each a fresh process (connect, ping, one call), as a user would
# run them.  Prints medians and the ratio berth/docker.
# Run by `make bench` (tests/sandbox/sandbox bench: SB, BUILD set).
set -u
: "${SB:?run through 'make bench'}" "${BUILD:?}"
RUNS=${BENCH_RUNS:-30}
T="$BUILD/helpers/berth-dockertool"
D=${REAL_DOCKER:-/usr/bin/docker}
export DOCKER_HOST="unix://$SB/dockerd.sock" # root, straight to dockerd
M=bench$$
sbdocker() { "$D" -H "$DOCKER_HOST" "$@"; }

cleanup() {
	ids=$(sbdocker ps -aq --filter "label=berth.bench=$M" 2>/dev/null)
	[ -n "$ids" ] && sbdocker rm -f $ids >/dev/null 2>&1
}
trap cleanup EXIT

# 20 containers, 5 of them carry the label the listing filters on.
for i in $(seq 20); do
	l=other; [ $((i % 4)) = 0 ] && l=mine
	sbdocker create --name "$M-$i" --label "berth.bench=$M" --label "berth.set=$M-$l" berth-test:latest sleep 1 >/dev/null 2>&1 || {
		echo "bench: cannot create containers in the sandbox" >&2; exit 1; }
done
target="$M-4"

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m / 1e6 }'; }

# bench NAME "BERTH CMD" "DOCKER CMD": alternate RUNS times, print medians.
bench() {
	local name=$1 a=$2 b=$3 i t0 ta=() tb=()
	eval "$a" >/dev/null 2>&1 || { echo "bench: '$a' fails" >&2; return 1; }
	eval "$b" >/dev/null 2>&1 || { echo "bench: '$b' fails" >&2; return 1; }
	for i in $(seq "$RUNS"); do
		t0=$(now); eval "$a" >/dev/null 2>&1; ta+=($(($(now) - t0)))
		t0=$(now); eval "$b" >/dev/null 2>&1; tb+=($(($(now) - t0)))
	done
	local ma mb
	ma=$(printf '%s\n' "${ta[@]}" | median)
	mb=$(printf '%s\n' "${tb[@]}" | median)
	printf 'docker-client %-8s berth-dockertool %7s ms   docker %7s ms   ratio %s   (median of %d alternating runs)\n' \
		"$name" "$ma" "$mb" "$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.3f", a / b }')" "$RUNS"
}

rc=0
bench inspect "\"$T\" inspect $target" "sbdocker inspect $target" || rc=1
bench list "\"$T\" list --all berth.set=$M-mine" "sbdocker ps -a --no-trunc --filter label=berth.set=$M-mine" || rc=1
# Without process start-up: the library alone, one kept-alive connection.
us=$("$T" repeat-inspect "$target" 300) || rc=1
printf 'docker-client in-process: %s us per inspect (300 calls on one connection)\n' "$us"
exit $rc
