#!/bin/bash
# The docker wrapper against the real docker, side by side in one run
# (run by 'sudo make bench' inside the sandbox): the median of at least 30
# alternating runs of each, as a test user, for pass-through (docker
# version), ps (label filter added), inspect (one ownership question to
# berth-slicemgr) and run --rm (a reserve/commit round trip, the slice).
set -u
. "$BERTH_TOP/tests/integration/lib.sh" >/dev/null
. "$BERTH_TOP/tests/integration/slicemgr-lib.sh"
chmod 755 "$SB"
TTL=600s write_config
write_inventory
make_test_users >/dev/null 2>&1
start_daemon
trap 'sbdocker rm -f bench._.berthtali >/dev/null 2>&1; stop_daemon' EXIT

U=berthtali
N=${BENCH_N:-60}
as_user() { sb_exec setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups \
	env -i -C "/home/$U" PATH=/usr/bin:/bin HOME="/home/$U" BERTH_CONFIG="$ETC" DOCKER_HOST="unix://$SB/docker.sock" "$@"; }
as_user "$BUILD/berth-docker" run -d --name bench berth-test:latest sleep 3600 >/dev/null
# the plain docker gets the same container through its full name
pair() { # pair LABEL N ARGS...
	local label=$1 n=$2; shift 2
	read -r a b r f < <(as_user "$BUILD/bench/cmdpair" "$n" /usr/bin/docker "$@" -- "$BUILD/berth-docker" "$@")
	printf '%-28s docker %8.2f ms   wrapper %8.2f ms   ratio %s%s\n' "$label" \
		"$(awk -v x="$a" 'BEGIN{print x/1000}')" "$(awk -v x="$b" 'BEGIN{print x/1000}')" "$r" \
		"$([ "$f" = 0 ] || echo "  ($f failed runs)")"
}
echo "== berth-docker vs docker ($N alternating runs each, medians, as user $U)"
pair "docker version" "$N" version
pair "docker ps" "$N" ps
pair "docker inspect NAME" "$N" inspect bench._.berthtali
pair "docker run --rm IMAGE sleep 0" "$N" run --rm berth-test:latest sleep 0
