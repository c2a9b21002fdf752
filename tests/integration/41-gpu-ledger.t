#!/bin/bash
# The GPU ledger under load and crashes: 4 fake GPUs (one split into MIG
# instances), 20 concurrent clients from 5 users, kill -9 of the daemon in
# the middle, expiry of uncommitted reservations, and removal freeing GPUs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 37

cleanup() {
	remove_managed_containers
	stop_daemon
}
trap cleanup EXIT
chmod 755 "$SB"
TTL=5s write_config
write_inventory
make_test_users
start_daemon
ok $? "daemon started with the fake inventory"

CL="$SB/clients"
mkdir -p "$CL"

# What the wrapper does: reserve, create the container with what berth
# injects, commit on success, cancel on failure.
client() { # client USER NAME GPUS
	local out labels res
	out=$(as "$1" "{\"op\":\"reserve\",\"spec\":{\"name\":\"$2\",\"gpus\":$3}}" 2>&1)
	echo "$out" > "$CL/$2._.$1.json"
	[ "$(jq -r .ok <<<"$out" 2>/dev/null)" = true ] || return 0
	res=$(jq -r .reservation <<<"$out")
	labels=$(jq -r '.inject.labels|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
	if sbdocker create --name "$(jq -r .name <<<"$out")" $labels \
		--cgroup-parent "$(jq -r .slice <<<"$out")" berth-test sleep 600 >/dev/null 2>"$CL/$2._.$1.create-err"; then
		as "$1" "{\"op\":\"commit\",\"reservation\":\"$res\"}" > "$CL/$2._.$1.commit" 2>&1
	else
		as "$1" "{\"op\":\"cancel\",\"reservation\":\"$res\"}" >/dev/null 2>&1
	fi
}

USERS="berthtali berthtbob berthtdan jean-luc berthteve"
status() { as root '{"op":"status"}'; }
frac() { # frac UUID: the GPU fraction of a device
	status | jq -r --arg u "$1" '.gpus[] | select(.uuid == $u) | .fraction'
}

# Docker's truth: "container uuid" per held device, sorted
docker_truth() {
	sbdocker ps -a --filter label=berth.managed=true --format '{{.Names}} {{.Label "berth.gpus"}}' |
		while read -r n g; do for u in ${g//,/ }; do echo "$n $u"; done; done | sort
}
ledger_view() { # held by containers Docker reported (not pending reservations)
	status | jq -r '.gpus[] | select(.state == "bound" or .state == "adopted") | "\(.container) \(.uuid)"' | sort
}
check_no_double() { # no UUID in two containers' labels
	[ -z "$(docker_truth | awk '{print $2}' | sort | uniq -d)" ]
}
check_limits() { # per-user <= 2 GPUs, students <= 3, researchers <= 4
	status | jq -e '
		(.users | all(.gpus <= 2.0001)) and
		([.groups[] | select(.group == "students") | .gpus] | all(. <= 3.0001)) and
		([.groups[] | select(.group == "researchers") | .gpus] | all(. <= 4.0001))' >/dev/null
}

# --- 20 concurrent clients from 5 users --------------------------------------
i=0
for u in $USERS; do
	for k in 1 2 3 4; do
		i=$((i + 1))
		client "$u" "w$k" $((1 + (i % 2))) &
	done
done
wait
granted=$(cat "$CL"/*.json | jq -r 'select(.ok == true) | .gpus[]' | sort)
refused=$(cat "$CL"/*.json | jq -r 'select(.ok == false) | .error' | sort | uniq -c | tr -s ' ' | tr '\n' ',')
diag "refusals: $refused"
is "$(uniq -d <<<"$granted")" "" "no GPU was handed to two clients"
ok "$(test -n "$granted"; echo $?)" "some GPUs were handed out ($(wc -l <<<"$granted"))"
like "$refused" "quota_exceeded|gpus_unavailable" "the rest were refused for quota or availability"
bad=$(cat "$CL"/*.json | jq -r 'select(.ok == false) | .message | select(test("^berth: [^\n]+\\.$") | not)')
is "$bad" "" "every refusal is one sentence"
check_limits
ok $? "every user and group limit holds"
sleep 1
ok "$(test -n "$(docker_truth)"; echo $?)" "the granted clients created their containers"
is "$(ledger_view)" "$(docker_truth)" "the ledger equals Docker's labels"
check_no_double
ok $? "no GPU appears in two containers"
sum_users=$(status | jq '[.users[].gpus] | add // 0 | . * 1000 | round')
sum_devices=$(status | jq '[.gpus[] | select(.user != null) | .fraction] | add // 0 | . * 1000 | round')
is "$sum_users" "$sum_devices" "status totals add up: per-user use equals the held devices"

# --- kill -9 in the middle ---------------------------------------------------
ids=$(sbdocker ps -aq --filter label=berth.managed=true)
[ -n "$ids" ] && sbdocker rm -f $ids >/dev/null
for i in $(seq 50); do [ -z "$(ledger_view)" ] && break; sleep 0.1; done
is "$(ledger_view)" "" "removing the containers freed every GPU"
rm -f "$CL"/*
i=0
for u in $USERS; do
	for k in 1 2 3 4; do
		i=$((i + 1))
		client "$u" "k$k" $((1 + (i % 2))) &
	done
done
sleep 0.3
sb_exec systemctl kill -s KILL berth-slicemgr
wait
for i in $(seq 50); do [ "$(sb_exec systemctl is-active berth-slicemgr)" != active ] && break; sleep 0.1; done
start_daemon
ok $? "the daemon restarts after kill -9"
out=$(as berthtcar '{"op":"reserve","spec":{"name":"early","gpus":1}}')
like "$(jq -r .message <<<"$out")" "restarted after a crash" "after a crash no GPU is handed out while old reservations may still be taken up"
sleep 6
is "$(ledger_view)" "$(docker_truth)" "the rebuilt ledger equals the truth from Docker"
check_no_double
ok $? "and no GPU is held twice"
check_limits
ok $? "and every limit still holds"

# --- expiry and removal ------------------------------------------------------
ids=$(sbdocker ps -aq --filter label=berth.managed=true)
[ -n "$ids" ] && sbdocker rm -f $ids >/dev/null
for i in $(seq 50); do [ -z "$(ledger_view)" ] && break; sleep 0.1; done
out=$(as berthtcar '{"op":"reserve","spec":{"name":"forgot","gpus":1}}')
uuid=$(jq -r '.gpus[0]' <<<"$out")
is "$(status | jq -r --arg u "$uuid" '.gpus[] | select(.uuid == $u) | .state')" reserved "a reservation holds its GPU"
sleep 6.5
is "$(status | jq -r --arg u "$uuid" '.gpus[] | select(.uuid == $u) | .user')" null "never committed, it expired and the GPU is free"
like "$(journal 1 BERTH_EVENT=gpu.release SYSLOG_IDENTIFIER=berth-slicemgr BERTH_USER=berthtcar)" "expired" "gpu.release audited with the reason"

out=$(as berthtcar '{"op":"reserve","spec":{"name":"job","gpus":0.4}}')
mig=$(jq -r '.gpus[0]' <<<"$out")
like "$mig" "^MIG-" "a fraction below 1 gets a MIG instance"
is "$(frac "$mig")" "0.42857142857142855" "the smallest instance that fits: 3/7"
client berthtcar job2 1
n=$(status | jq '[.gpus[] | select(.user == "berthtcar")] | length')
sbdocker rm -f job2._.berthtcar >/dev/null
for i in $(seq 50); do [ "$(status | jq '[.gpus[] | select(.user == "berthtcar")] | length')" -lt "$n" ] && break; sleep 0.1; done
is "$(status | jq -r '[.gpus[] | select(.container == "job2._.berthtcar")] | length')" 0 "removing a container frees its GPUs at once"
like "$(journal 1 BERTH_EVENT=gpu.bind SYSLOG_IDENTIFIER=berth-slicemgr BERTH_USER=berthtcar)" "job2._.berthtcar holds" "gpu.bind audited when Docker reports the container"

# --- NUMA affinity: node 0 has CPUs 0-1, node 1 only CPU 3 ---------------------
numa() { # numa GPU CPUS: "cpus/mems" injected for a reservation of that GPU
	local out
	out=$(as berthteve "{\"op\":\"reserve\",\"spec\":{\"name\":\"numa$RANDOM\",\"gpus\":\"device=$1\",\"cpus\":$2}}")
	echo "$(jq -r '.inject.cpuset_cpus // "none"' <<<"$out")/$(jq -r '.inject.cpuset_mems // "none"' <<<"$out")"
	as berthteve "{\"op\":\"cancel\",\"reservation\":\"$(jq -r .reservation <<<"$out")\"}" >/dev/null
}
is "$(numa GPU-00000000-0000-0000-0000-000000000000 1.5)" "0-1/0" "a GPU on node 0 pins the container to node 0's CPUs and memory"
is "$(numa GPU-22222222-2222-2222-2222-222222222222 1)" "3/1" "a GPU on node 1 pins it to node 1"
is "$(numa GPU-22222222-2222-2222-2222-222222222222 1.5)" "none/none" "a CPU request that does not fit the node is not pinned"

# --- berth.* labels count only under berth's seal -----------------------------
ids=$(sbdocker ps -aq --filter label=berth.managed=true)
[ -n "$ids" ] && sbdocker rm -f $ids >/dev/null
for i in $(seq 50); do [ -z "$(ledger_view)" ] && break; sleep 0.1; done
out=$(as berthtcar '{"op":"reserve","spec":{"name":"sealed","gpus":1}}')
res=$(jq -r .reservation <<<"$out")
like "$(jq -r '.inject.labels["berth.seal"]' <<<"$out")" '^v1:[0-9a-f]{64}$' "reserve hands out a berth.seal label"
labels=$(jq -r '.inject.labels|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
sbdocker create --name sealed._.berthtcar $labels berth-test sleep 600 >/dev/null
as berthtcar "{\"op\":\"commit\",\"reservation\":\"$res\"}" >/dev/null
ali_uid=$(id -u berthtali)
# the same labels, copied: onto another user's name, and with more GPUs
other=$(jq -r --arg u "$ali_uid" '.inject.labels|.["berth.user"]="berthtali"|.["berth.uid"]=$u|.["berth.reservation"]="x"|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
sbdocker create --name fake._.berthtali $other berth-test sleep 600 >/dev/null
more=$(jq -r '.inject.labels|.["berth.gpus"]="GPU-22222222-2222-2222-2222-222222222222"|.["berth.reservation"]="y"|to_entries|map("--label=\(.key)=\(.value)")|join(" ")' <<<"$out")
sbdocker create --name more._.berthtcar $more berth-test sleep 600 >/dev/null
# committed: the image carries the sealed container's labels, a new name does not fit them
sbdocker commit sealed._.berthtcar berth-forged:test >/dev/null
sbdocker create --name built._.berthtcar berth-forged:test sleep 600 >/dev/null
for i in $(seq 50); do [ "$(status | jq '.forged | length')" = 3 ] && break; sleep 0.1; done
is "$(status | jq -r '[.forged[].container] | sort | join(" ")')" "built._.berthtcar fake._.berthtali more._.berthtcar" "containers with copied-but-altered or committed labels are listed as forged"
is "$(status | jq -r '.forged[] | select(.container == "fake._.berthtali") | .claims_user')" berthtali "with the owner they claim"
is "$(status | jq -r '.forged[] | select(.container == "more._.berthtcar") | .gpus')" GPU-22222222-2222-2222-2222-222222222222 "and the GPUs they claim"
is "$(status | jq -r '[.containers[] | select(.state == "bound" or .state == "adopted") | .container] | join(" ")')" "sealed._.berthtcar" "only the sealed container is counted"
is "$(status | jq -r '.gpus[] | select(.uuid == "GPU-22222222-2222-2222-2222-222222222222") | .user')" null "the GPU a forged container claims stays free"
is "$(journal 1 BERTH_EVENT=container.forged SYSLOG_IDENTIFIER=berth-slicemgr BERTH_CONTAINER=fake._.berthtali BERTH_USER=berthtali | grep -c .)" 1 "container.forged is audited once, with the claimed owner"
journal 1 BERTH_EVENT=container.forged SYSLOG_IDENTIFIER=berth-slicemgr BERTH_CONTAINER=more._.berthtcar >/dev/null
is "$(sb_exec journalctl -o json BERTH_EVENT=container.forged SYSLOG_IDENTIFIER=berth-slicemgr BERTH_CONTAINER=more._.berthtcar | jq -r .BERTH_GPUS)" GPU-22222222-2222-2222-2222-222222222222 "and the claimed GPUs"
out=$(as berthtali '{"op":"owner","targets":["fake._.berthtali"]}')
is "$(jq -r '.targets[0] | "\(.exists) \(.managed) \(.mine) \(.user)"' <<<"$out")" "true false false null" "a forged container is nobody's: not managed, not its claimed owner's"
# the rebuild at start believes only the seal too
stop_daemon
start_daemon
for i in $(seq 50); do [ "$(status | jq -r .docker_synced)" = true ] && break; sleep 0.1; done
is "$(status | jq -r '[.containers[] | select(.state == "bound" or .state == "adopted") | .container] | join(" ")')" "sealed._.berthtcar" "after a restart the ledger is rebuilt from sealed containers only"
is "$(status | jq -r '[.forged[].container] | sort | join(" ")')" "built._.berthtcar fake._.berthtali more._.berthtcar" "and the forged ones are reported again"
sbdocker rmi -f berth-forged:test >/dev/null 2>&1
