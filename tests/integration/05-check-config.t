#!/bin/bash
# berthctl check-config: the example tree passes; a broken tree names
# file:line for every error and exits 1, changing nothing.
. "$(dirname "$0")/lib.sh"
plan 12

T=$(mktemp -d /tmp/berth-cc.XXXXXX)
trap 'rm -rf "$T"' EXIT

out=$("$BUILD/berthctl" check-config --config "$BERTH_TOP/etc/berth" 2>&1); rc=$?
is "$rc" 0 "the example tree in etc/ is valid"
like "$out" "students \(priority 10\)" "summary lists the students group"
like "$out" "per user: cpus 8, memory 32G" "summary shows per-user limits"
like "$out" "total: +cpus 32, memory 128G, gpus 4" "summary shows group totals"

cp -r "$BERTH_TOP/etc/berth" "$T/bad"
sed -i 's/^cpus = 4$/cpu = 4/' "$T/bad/berth.conf"                      # typo'd key
sed -i 's/^memory = 32G /memory = 12Q /' "$T/bad/groups.d/students.conf" # bad size
printf '[user]\ngroup = phd\n' > "$T/bad/users.d/bob.conf"                # unknown group
printf '[group]\npriority = 5\n\n[user]\ncpus = 2\n' > "$T/bad/groups.d/empty.conf"  # no members
out=$("$BUILD/berthctl" check-config "$T/bad" 2>&1); rc=$?
is "$rc" 1 "a broken tree exits 1"
line=$(grep -n '^cpu = 4' "$T/bad/berth.conf" | cut -d: -f1)
like "$out" "$T/bad/berth.conf:$line: cpu: unknown key 'cpu' in \[defaults\] \(did you mean 'cpus'\?\)" "typo'd key named with file:line and a suggestion"
line=$(grep -n '^memory = 12Q' "$T/bad/groups.d/students.conf" | cut -d: -f1)
like "$out" "$T/bad/groups.d/students.conf:$line: memory: invalid value '12Q'" "bad size named with file:line"
like "$out" "$T/bad/users.d/bob.conf:2: group: unknown group 'phd'" "override for an unknown group named with file:line"
like "$out" "$T/bad/groups.d/empty.conf:1: members: group 'empty' has no members" "group with no members named with file:line"
like "$out" "4 errors; nothing was changed" "the count of errors closes the report"

out=$("$BUILD/berthctl" check-config "$T/nonexistent" 2>&1); rc=$?
is "$rc" 1 "a missing tree exits 1"
like "$out" "berth.conf:0: file: cannot read: No such file or directory" "and says which file is missing"
