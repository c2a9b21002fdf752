#!/bin/bash
# `container deploy --detach` against the equivalent plain `docker run -d`,
# side by side in one run on the sandbox's dockerd, as a test user: berth
# adds the policy check, one reserve and one commit round trip with
# berth-slicemgr (which makes sure the user's slice exists) and the Docker
# API calls; docker run is the real CLI with the same name, user, init,
# hostname, bind mount and limits.  Each sample is one fresh process;
# containers are removed between samples, outside the timing.  Prints the
# medians and the ratio berth/docker.
# Run by `make bench` (tests/sandbox/sandbox bench: SB, BUILD set).
set -u
: "${SB:?run through 'make bench'}" "${BUILD:?}"
. "$BERTH_TOP/tests/integration/lib.sh" >/dev/null
. "$BERTH_TOP/tests/integration/slicemgr-lib.sh"
RUNS=${BENCH_RUNS:-15}
chmod 755 "$SB"
TTL=600s write_config
cat >> "$ETC/berth.conf" <<EOT

[deploy]
base_image = berth-test:latest
EOT
write_inventory
make_test_users >/dev/null 2>&1
start_daemon
U=berthtali
G=$(id -g $U)
H=$(getent passwd $U | cut -d: -f6)
trap 'ids=$(sbdocker ps -aq --filter label=bench.deploy 2>/dev/null; sbdocker ps -aq --filter label=berth.user=$U 2>/dev/null); [ -n "$ids" ] && sbdocker rm -f $ids >/dev/null 2>&1; stop_daemon' EXIT

as_user() { sb_exec setpriv --reuid=$U --regid=$G --init-groups env -C / HOME="$H" BERTH_CONFIG="$ETC" "$@"; }
now() { date +%s%N; }
median_ms() { median | awk '{ printf "%.1f", $1 / 1e6 }'; } # of nanoseconds

mkdir -p "$H/workspace/plain" && chown -R $U "$H/workspace"
berth=(); plain=()
for i in $(seq "$RUNS"); do
	t0=$(now)
	as_user "$BUILD/container" deploy "b$i" --detach >/dev/null || { echo "bench: container deploy failed" >&2; exit 1; }
	t1=$(now)
	as_user /usr/bin/docker -H "unix://$SB/docker.sock" run -d --name "p$i" --hostname "p$i" --init --user "$(id -u $U):$G" \
		--env HOME=/workspace --workdir /workspace --volume "$H/workspace/plain:/workspace" --label bench.deploy=1 \
		--cpus 1 --memory 256m berth-test:latest sleep infinity >/dev/null 2>&1 || { echo "bench: docker run failed" >&2; exit 1; }
	t2=$(now)
	berth+=($((t1 - t0))); plain+=($((t2 - t1)))
	sbdocker rm -f "b$i._.$U" "p$i._.$U" >/dev/null 2>&1
done
mb=$(printf '%s\n' "${berth[@]}" | median_ms)
md=$(printf '%s\n' "${plain[@]}" | median_ms)
printf 'deploy: container deploy --detach %s ms   docker run -d %s ms   ratio %s   (median of %d alternating runs)\n' \
	"$mb" "$md" "$(awk -v a="$mb" -v b="$md" 'BEGIN { printf "%.2f", a / b }')" "$RUNS"
