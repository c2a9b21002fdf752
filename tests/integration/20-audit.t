#!/bin/bash
# lib/audit.c: every event reaches the sandbox's journald with its fixed
# MESSAGE_ID, priority and BERTH_* fields; odd values keep the framing.
. "$(dirname "$0")/lib.sh"
plan 50

A="$BUILD/helpers/berth-audit-send"
M=au$$x$RANDOM # marks this run's entries

# The contract (DESIGN §7): these ids never change.
declare -A MID=(
	[slice.create]=2e46a6ddd92143d4b72aa78811ff79d2 [slice.update]=91f8fe6e75b9436d954e8288d1096d6c
	[config.reload]=47df80924bea41afaac3a726e3e8dcf7 [config.invalid]=f59439e448664ad493e31ce265de69e6
	[gpu.reserve]=713c01a8474541bdbf165ba7433e1813 [gpu.bind]=26080eb649c34c9ca12c581c46030ce8
	[gpu.release]=c18b2f6b0f474e4d9a0b47d11090a60d [gpu.deny]=caeee26fe44c471dac457d60088b6e14
	[container.create]=99d791e797c84f2899c2909478575c4e [container.deny]=f2198aed44964fde96b7bc83fb0172d5
	[container.retire]=29e2712013ee49abb54b244e11524020 [access.deny]=6c6bc5e8cfb544b7a65c384ec3f8554d
	[image.create]=18a3494a450d454dad0165c1638a76f8 [image.delete]=438290ebae044d5584e20c4828566f58
	[login.session]=c3f77dc4a04446428f7012a0813c0d1d [container.forged]=dcae343ecfa645dc826e552caae90616
	[container.warn]=6a0f3c1e8d2b4f7a9c5e1b3d7f9a2c4e [container.reap]=b41d9e7c2a5f4e8b8d3c6a1f0e7b9d25
	[reaper.exempt]=8273cc6c8d08484abdb25d6597e3c348
)
EVENTS="slice.create slice.update config.reload config.invalid gpu.reserve gpu.bind gpu.release gpu.deny
container.create container.deny container.retire access.deny image.create image.delete login.session container.forged
container.warn container.reap reaper.exempt"
prio() { case $1 in *.deny | container.forged) echo 4 ;; config.invalid) echo 3 ;; reaper.exempt) echo 5 ;; *) echo 6 ;; esac; }

# jread MATCH...: the newest matching entry as one JSON object, waiting
# (bounded) for journald to have it.
jread() {
	local out i
	for i in $(seq 100); do
		out=$(sb_exec journalctl -o json --all --no-pager "$@" 2>/dev/null | tail -n 1)
		[ -n "$out" ] && { printf '%s\n' "$out"; return 0; }
		sleep 0.05
	done
	return 1
}
# A field as text whether journalctl printed it as a string or as bytes.
jfield() { jq -r --arg k "$1" '.[$k] | if type == "array" then implode else . end'; }

for ev in $EVENTS; do
	sb_run "$A" "$ev" --user alice --uid 4242 --group students --container "train._.alice" \
		--gpus GPU-a,GPU-b --slice berth-students-alice.slice --reason "$M-$ev" "alice: $ev happened"
done
for ev in $EVENTS; do
	j=$(jread "BERTH_REASON=$M-$ev")
	is "$(jq -r .MESSAGE_ID <<<"$j")" "${MID[$ev]}" "$ev: MESSAGE_ID"
	is "$(jq -r '[.BERTH_EVENT, .PRIORITY, .SYSLOG_IDENTIFIER, .BERTH_USER, .BERTH_UID, .BERTH_GROUP, .BERTH_CONTAINER, .BERTH_GPUS, .BERTH_SLICE, .MESSAGE] | join("|")' <<<"$j")" \
		"$ev|$(prio "$ev")|berth-audit-send|alice|4242|students|train._.alice|GPU-a,GPU-b|berth-students-alice.slice|alice: $ev happened" \
		"$ev: priority, identifier, BERTH_* fields and message"
done

j=$(jread "MESSAGE_ID=${MID[gpu.deny]}" "BERTH_REASON=$M-gpu.deny")
is "$(jq -r .BERTH_EVENT <<<"$j")" gpu.deny "a reader can select by MESSAGE_ID"
like "$(jq -r '[._UID, ._PID, ._TRANSPORT] | join(" ")' <<<"$j")" '^0 [0-9]+ journal$' "journald's trusted _UID and _PID are there"

sb_run "$A" container.deny --user "nl-$M" --reason "$(printf 'first line\nsecond line')" "$(printf 'two\nlines')"
j=$(jread "BERTH_USER=nl-$M")
is "$(jfield BERTH_REASON <<<"$j")" "$(printf 'first line\nsecond line')" "a value with a newline survives"
is "$(jfield MESSAGE <<<"$j")" "$(printf 'two\nlines')" "a message with a newline survives"

sb_run "$A" access.deny --user "inj-$M" --reason "$(printf 'x\nMESSAGE_ID=00000000000000000000000000000000\nBERTH_USER=mallory')" "x"
j=$(jread "BERTH_USER=inj-$M")
is "$(jq -r '[.MESSAGE_ID, .BERTH_USER] | join(" ")' <<<"$j")" "${MID[access.deny]} inj-$M" "fields smuggled in a value do not become fields"
is "$(jfield BERTH_REASON <<<"$j")" "$(printf 'x\nMESSAGE_ID=00000000000000000000000000000000\nBERTH_USER=mallory')" "and the value is kept whole"

big=$(head -c 3072 /dev/urandom | base64 -w0 | head -c 4096)
sb_run "$A" image.create --user "big-$M" --reason "$big" "$big"
j=$(jread "BERTH_USER=big-$M")
r=$(jfield BERTH_REASON <<<"$j")
is "${#r}" 4096 "a 4 KiB value arrives at full length"
ok "$([ "$r" = "$big" ] && [ "$(jfield MESSAGE <<<"$j")" = "$big" ]; echo $?)" "and unchanged (field and message)"

sb_run "$A" gpu.release --user "sparse-$M" --container "" --slice ""
j=$(jread "BERTH_USER=sparse-$M")
is "$(jq -r '[keys[] | select(startswith("BERTH_"))] | join(" ")' <<<"$j")" "BERTH_EVENT BERTH_USER" "unset and empty fields are left out"
is "$(jq -r .MESSAGE <<<"$j")" gpu.release "with no message the event name is the message"

out=$("$A" gpu.steal --user x 2>&1); rc=$?
is "$rc/$out" "2/berth-audit-send: unknown event 'gpu.steal'" "an unknown event name is refused"
# No journald at all (an empty /run): the send still returns 0 (DESIGN §7).
unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec "$0" login.session --user nobody "no journal"' "$A"; rc=$?
is "$rc" 0 "a send with nothing listening returns 0"
