# The attack harness of tests/security/*.t, on top of the integration
# tests' helpers (TAP, the sandbox, the config tree, the daemon).
#
#   attack [-t TODO-REASON] DESCRIPTION USER DOCKER-ARGS...
#
# runs "docker DOCKER-ARGS..." through the wrapper as USER (a real test
# user, in their home, with a clean environment) and passes when
#   (a) it exits non-zero with exactly one line on stderr, "berth: …", and
#       nothing on stdout, and
#   (b) nothing changed: a snapshot taken before and after (every
#       container with its state, labels, mounts and networks; every image
#       tag and id; every volume and network with labels and options; the
#       victim's container in detail; GPU holders in berth-slicemgr; root-
#       owned, setuid and setgid files under both users' homes and the
#       allowed bind directory; every file of the victim's home) is equal.
# On failure it prints why and the diff of the snapshots, then undoes what
# the attack made (new containers, tags, volumes, networks, root-owned
# files; a victim container that was touched is made afresh), so that one
# hole does not hide or fake the next result.
#
# -t marks an attack whose rule has not landed yet: TAP's "# TODO" directive.
#
# Every attack goes through each door in $ATTACK_DOORS, one TAP test per
# door:
#   wrapper  berth's docker front, as above;
#   cli      Debian's docker CLI straight to berth-gate, no berth code on
#            the user's side: the refusal is the gate's, which the CLI
#            prints as "…Error response from daemon: berth: …" once (its
#            own "See 'docker … --help'.", "Error: failed to …" and
#            "WARNING: …" lines besides it are allowed), and what it prints
#            on stdout must hold nothing of the victim's;
#   newcli   the same with a newer docker CLI ($NEW_DOCKER), where the
#            machine has one (docker-ce's, which knows CDI devices,
#            annotations and other options Debian's 20.10 does not).
# The default is every door this machine has.
# -x DOOR REASON skips one door (TAP's "# SKIP REASON"): the client there
# refuses the attack itself, so the gate never sees it, or behaves in a way
# the attack does not judge. -w REASON keeps an attack to the wrapper's
# door: what it tries exists only in the wrapper (its own options, its
# all-or-nothing handling of several names).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/slicemgr-lib.sh"

IMG=berth-test:latest
ATT=berthtbob # the attacker
VIC=berthtali # the victim
AH=/home/$ATT
VH=/home/$VIC
VCONT=victim._.$VIC # the victim's container (a bind of her data, running)
VVOL=alivol         # the victim's volume
VIMG=berth/$VIC/img:latest
VNET=alinet._.$VIC # the victim's network
SHARED=$SB/berth-data # the allowed bind directory besides ~ (gone with the sandbox)
VSECRET="alice-secret-$$" # in the victim's data: never in what an attack prints
SNAP="$SB/sec-snap.$$"
# a docker CLI newer than Debian's, when the machine has one
if [ -z "${NEW_DOCKER+set}" ]; then
	NEW_DOCKER=""
	for x in /usr/local/bin/docker /opt/docker/bin/docker; do
		[ -x "$x" ] && [ "$(readlink -f "$x")" != "$(readlink -f "$REAL_DOCKER")" ] && { NEW_DOCKER=$x; break; }
	done
fi
ATTACK_DOORS=${ATTACK_DOORS:-wrapper cli${NEW_DOCKER:+ newcli}}
ATTACK_TIMEOUT=${ATTACK_TIMEOUT:-30}

# wd USER ARGS...: "docker" typed by USER, in their home, with a clean env
# (and a time limit of $WD_TIMEOUT seconds when that is set).
wd() {
	local u=$1; shift
	sb_exec ${WD_TIMEOUT:+timeout -k 5 "$WD_TIMEOUT"} setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i -C "/home/$u" PATH=/usr/bin:/bin HOME="/home/$u" USER="$u" BERTH_CONFIG="$ETC" \
		DOCKER_HOST="unix://$SB/docker.sock" "${DOCKER_BIN:-$BUILD/berth-docker}" "$@"
}
api() { curl -sf --unix-socket "$DOCKERD_SOCK" "http://docker$1"; }
cid() { api "/containers/$1/json" | jq -r .Id; }

# tok STATUS DESCRIPTION [TODO-REASON]: ok, with TAP's TODO directive
tok() {
	if [ -n "${3:-}" ]; then ok "$1" "$2 # TODO $3"; [ "$1" = 0 ] || TAP_FAILED=$((TAP_FAILED - 1))
	else ok "$1" "$2"; fi
}

# --- set-up and tear-down ---------------------------------------------------------------
sec_setup() {
	chmod 755 "$SB"
	write_config
	cat >> "$ETC/berth.conf" <<EOT

[policy]
allowed_binds = ~ $SHARED
allow_host_network = no
allowed_runtimes = runc
allowed_caps = NET_BIND_SERVICE
allowed_devices = /dev/fuse
EOT
	write_inventory
	make_test_users
	# berth-slicemgr, then berth-gate on the public socket; dockerd's own
	# is root's alone
	start_daemon || { echo "Bail out! berth-slicemgr did not start"; exit 1; }
	mkdir -p "$SNAP" "$SHARED/shared"
	trap sec_cleanup EXIT
	asuser "$VIC" "mkdir -p data && echo '$VSECRET' > data/notes && chmod 700 data"
	asuser "$ATT" 'mkdir -p work && echo mine > work/file'
	victim_setup
}

# The victim's things, made afresh when missing (idempotent).
victim_setup() {
	if ! api "/containers/$VCONT/json" >/dev/null; then
		wd "$VIC" run -d --name victim -v "$VH/data:/data" $IMG sleep 3600 >/dev/null 2>&1 ||
			diag "the victim's container could not be made"
	fi
	VID=$(cid "$VCONT")
	api "/volumes/$VVOL" >/dev/null || wd "$VIC" volume create "$VVOL" >/dev/null 2>&1 ||
		sbdocker volume create --label berth.user=$VIC "$VVOL" >/dev/null
	api "/images/$VIMG/json" >/dev/null || sbdocker commit -c 'LABEL owner=alice' "$VCONT" "$VIMG" >/dev/null
	VIMG_ID=$(api "/images/$VIMG/json" | jq -r .Id)
	api "/networks/$VNET" >/dev/null || sbdocker network create --label berth.user=$VIC "$VNET" >/dev/null 2>&1 || true
}

# own NAME [RUN-OPTIONS...]: the attacker's own long-running container
declare -A OWN_ARGS
own() {
	local n=$1; shift
	OWN_ARGS[$n]="$*"
	api "/containers/$n._.$ATT/json" >/dev/null && return 0
	wd "$ATT" run -d --name "$n" "$@" $IMG sleep 3600 >/dev/null 2>&1 || diag "bob's container $n could not be made"
}

sec_cleanup() {
	sbdocker ps -aq --filter label=berth.managed=true | xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" rm -f >/dev/null 2>&1
	sbdocker ps -aq | xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" rm -f >/dev/null 2>&1
	api /images/json | jq -r '.[] | .RepoTags[]? | select(. != "berth-test:latest" and . != "<none>:<none>")' |
		xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" rmi -f >/dev/null 2>&1
	sbdocker image prune -f >/dev/null 2>&1
	sbdocker volume ls -q | xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" volume rm -f >/dev/null 2>&1
	sbdocker network ls --filter type=custom -q | xargs -r "$REAL_DOCKER" -H "unix://$DOCKERD_SOCK" network rm >/dev/null 2>&1
	stop_daemon
	rm -rf "$SNAP" "$SHARED"
}

# --- the snapshot -------------------------------------------------------------------------
snapshot() { # snapshot DIR
	local d=$1
	mkdir -p "$d"
	api '/containers/json?all=1' | jq -r '.[] | [.Id, (.Names | join(",")), .State, .Image,
		(.Labels | tojson), ([.Mounts[] | "\(.Type):\(.Source)->\(.Destination):\(.RW)"] | join(",")),
		(.NetworkSettings.Networks // {} | keys | join(","))] | join(" ")' | sort > "$d/containers"
	api '/images/json?all=1' | jq -r '.[] | (.RepoTags // [] | if length == 0 then ["<none>:<none>"] else . end)[] as $t |
		"\($t) \(.Id)"' | sort > "$d/images"
	api /volumes | jq -r '.Volumes // [] | .[] | [.Name, .Driver, (.Labels // {} | tojson), (.Options // {} | tojson)] |
		join(" ")' | sort > "$d/volumes"
	api /networks | jq -r '.[] | [.Id, .Name, .Driver, (.Labels // {} | tojson), (.Options // {} | tojson)] | join(" ")' |
		sort > "$d/networks"
	api "/containers/$VCONT/json" | jq -r '"id \(.Id)", "name \(.Name)", "status \(.State.Status)",
		"started \(.State.StartedAt)", "paused \(.State.Paused)", "restarts \(.RestartCount)", "image \(.Image)",
		"user \(.Config.User)", "cpus \(.HostConfig.NanoCpus)", "memory \(.HostConfig.Memory)",
		"cpushares \(.HostConfig.CpuShares)", "binds \(.HostConfig.Binds)",
		(.Config.Labels | to_entries[] | "label \(.key)=\(.value)"),
		(.NetworkSettings.Networks | keys[] | "network \(.)")' > "$d/victim" 2>/dev/null || echo "victim gone" > "$d/victim"
	as root '{"op":"status"}' 2>/dev/null | jq -r '(.gpus[] | "gpu \(.uuid) \(.user) \(.container) \(.state)"),
		(.containers[] | "held \(.container) \(.user) \(.state) \(.gpus)"), "forged \(.forged)"' | sort > "$d/ledger"
	find "$AH" "$VH" "$SHARED" -xdev \( -uid 0 -o -gid 0 -o -perm -4000 -o -perm -2000 \) -printf '%p %U:%G %m\n' 2>/dev/null |
		sort > "$d/files"
	find "$VH" -xdev -printf 'victim-home %p %U:%G %m %s\n' 2>/dev/null | sort >> "$d/files"
}

# undo DIR-BEFORE DIR-AFTER: remove what appeared; remake the victim's things
undo() {
	local b=$1 a=$2 x
	local n
	for x in $(comm -13 "$b/containers" "$a/containers" | cut -d' ' -f1); do
		if ! grep -q "^$x " "$b/containers"; then sbdocker rm -f "$x" >/dev/null 2>&1; continue; fi
		# one of bob's own containers, altered (a network joined…): made afresh
		n=$(api "/containers/$x/json" | jq -r .Name); n=${n#/}; n=${n%._.$ATT}
		if [ -n "${OWN_ARGS[$n]+set}" ]; then
			sbdocker rm -f "$x" >/dev/null 2>&1
			# shellcheck disable=SC2086 # the recorded options, word-split as given
			own "$n" ${OWN_ARGS[$n]}
		fi
	done
	# one of bob's own containers, gone or renamed (a CLI does one name at a
	# time, and the rule may be missing): made afresh under its name
	for x in $(comm -23 "$b/containers" "$a/containers" | cut -d' ' -f1); do
		n=$(grep "^$x " "$b/containers" | cut -d' ' -f2); n=${n#/}; n=${n%._.$ATT}
		[ -n "${OWN_ARGS[$n]+set}" ] || continue
		api "/containers/$n._.$ATT/json" >/dev/null && continue
		sbdocker rm -f "$x" >/dev/null 2>&1
		# shellcheck disable=SC2086 # the recorded options, word-split as given
		own "$n" ${OWN_ARGS[$n]}
	done
	comm -13 "$b/images" "$a/images" | while read -r t id; do
		if [ "$t" = "<none>:<none>" ]; then sbdocker rmi -f "$id" >/dev/null 2>&1
		elif grep -q "^$t $id\$" "$b/images"; then :
		else
			sbdocker rmi "$t" >/dev/null 2>&1
			# a tag moved away from its image: put it back
			old=$(grep "^$t " "$b/images" | cut -d' ' -f2)
			[ -n "$old" ] && sbdocker tag "$old" "$t" >/dev/null 2>&1
			grep -q " $id\$" "$b/images" || sbdocker rmi -f "$id" >/dev/null 2>&1
		fi
	done
	comm -23 "$b/images" "$a/images" | while read -r t id; do
		[ "$t" != "<none>:<none>" ] && ! grep -q "^$t " "$a/images" && sbdocker tag "$id" "$t" >/dev/null 2>&1
	done
	for x in $(comm -13 "$b/volumes" "$a/volumes" | cut -d' ' -f1); do
		grep -q "^$x " "$b/volumes" || sbdocker volume rm -f "$x" >/dev/null 2>&1
	done
	for x in $(comm -13 "$b/networks" "$a/networks" | cut -d' ' -f1); do
		grep -q "^$x " "$b/networks" || sbdocker network rm "$x" >/dev/null 2>&1
	done
	comm -13 "$b/files" "$a/files" | grep -v '^victim-home ' | while read -r p _; do
		case "$p" in "$AH"/* | "$VH"/* | "$SHARED"/*) rm -rf "$p" ;; esac
	done
	if ! cmp -s "$b/victim" "$a/victim" || ! cmp -s "$b/files" "$a/files"; then
		sbdocker rm -f "$VCONT" >/dev/null 2>&1
		find "$VH" -xdev -uid 0 -mindepth 1 -exec rm -rf {} + 2>/dev/null
	fi
	victim_setup
}

ATTACK_N=0
attack() { # attack [-t TODO-REASON] [-w REASON] [-x DOOR REASON]... DESCRIPTION USER DOCKER-ARGS...
	local todo="" only="" door
	local -A skip=()
	while :; do
		case "$1" in
		-t) todo=$2; shift 2 ;;
		-w) only=$2; shift 2 ;;
		-x) skip[$2]=$3; shift 3 ;;
		*) break ;;
		esac
	done
	for door in $ATTACK_DOORS; do
		if [ -n "$only" ] && [ "$door" != wrapper ]; then
			ATTACK_N=$((ATTACK_N + 1)); ok 0 "refused ($door): $1 # SKIP wrapper only: $only"
		elif [ -n "${skip[$door]+set}" ]; then
			ATTACK_N=$((ATTACK_N + 1)); ok 0 "refused ($door): $1 # SKIP ${skip[$door]}"
		else
			attack_door "$door" "$todo" "$@"
		fi
	done
	return 0
}

# berth's sentence as a door prints it, or nothing when it is not there
door_sentence() { # door_sentence DOOR STDERR
	local lines
	lines=$(printf '%s\n' "$2" | grep .)
	case "$1" in
	wrapper) [ "$(grep -c . <<<"$lines")" = 1 ] && [[ "$lines" == "berth: "* ]] && echo "$lines" ;;
	cli | newcli)
		# the CLIs' own lines around an error: a hint, a warning, a summary,
		# a notice (indented lines continue it), an exit status
		lines=$(grep -v -e "^See '.* --help'\.\$" -e "^Run '.* --help' for more information\$" \
			-e '^Error: failed to ' -e '^WARNING: ' -e '^DEPRECATED: ' -e '^[[:space:]]' \
			-e '^exit status [0-9]*$' <<<"$lines")
		[ "$(grep -c . <<<"$lines")" = 1 ] &&
			[[ "$lines" =~ ^(docker: )?(Error: )?"Error response from daemon: berth: " ]] &&
			echo "$lines"
		;;
	esac
}

# what a door may print on stdout: the wrapper nothing; a CLI, which does
# one name at a time and talks as it goes, nothing of the victim's
door_stdout_ok() { # door_stdout_ok DOOR STDOUT
	[ -z "$2" ] && return 0
	[ "$1" = wrapper ] && return 1
	! grep -q -F -e "${VID:0:12}" -e "${VIMG_ID#sha256:}" -e "$VIC" -e "$VSECRET" <<<"$2"
}

attack_door() { # attack_door DOOR TODO DESCRIPTION USER DOCKER-ARGS...
	local door=$1 todo=$2 desc=$3 u=$4 rc out err why="" b a bin
	shift 4
	ATTACK_N=$((ATTACK_N + 1))
	case "$door" in
	wrapper) bin=$BUILD/berth-docker ;;
	cli) bin=$REAL_DOCKER ;;
	newcli) bin=$NEW_DOCKER ;;
	*) echo "Bail out! unknown door $door"; exit 1 ;;
	esac
	b="$SNAP/b" a="$SNAP/a"
	rm -rf "$b" "$a"
	snapshot "$b"
	out=$(DOCKER_BIN=$bin WD_TIMEOUT=$ATTACK_TIMEOUT wd "$u" "$@" 2>"$SNAP/err" <"${ATTACK_STDIN:-/dev/null}")
	rc=$?
	err=$(cat "$SNAP/err")
	snapshot "$a"
	if [ "$rc" = 0 ]; then why="it succeeded (rc 0)"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then why="it ran past ${ATTACK_TIMEOUT}s"
	elif [ -z "$(door_sentence "$door" "$err")" ]; then why="stderr is not one 'berth: ' sentence (rc $rc)"
	elif ! door_stdout_ok "$door" "$out"; then why="something was written on stdout"
	fi
	local changed=""
	for f in containers images volumes networks victim ledger files; do
		cmp -s "$b/$f" "$a/$f" || changed="$changed $f"
	done
	[ -n "$changed" ] && why="${why:+$why; }changed:$changed"
	tok "$([ -z "$why" ] && echo 0 || echo 1)" "refused ($door): $desc" "$todo"
	if [ -n "$why" ]; then
		diag "  docker $*  (as $u, $door)"
		diag "  $why"
		[ -n "$err" ] && printf '%s\n' "$err" | head -5 | sed 's/^/#   stderr: /'
		[ -n "$out" ] && printf '%s\n' "$out" | head -5 | sed 's/^/#   stdout: /'
		for f in $changed; do diff -U0 "$b/$f" "$a/$f" | grep '^[-+][^-+]' | head -20 | sed "s/^/#   $f: /"; done
		undo "$b" "$a"
	fi
}

# check_harness: the snapshot sees a change of each kind, so the suite cannot
# pass by looking at nothing
check_harness() {
	local b="$SNAP/hb" a="$SNAP/ha" c
	rm -rf "$b" "$a"
	snapshot "$b"
	sbdocker create --name sec-probe $IMG true >/dev/null
	sbdocker tag $IMG sec-probe:latest
	sbdocker volume create sec-probe >/dev/null
	touch "$AH/sec-probe" # root-owned
	sbdocker pause "$VCONT" >/dev/null
	snapshot "$a"
	c=""
	for f in containers images volumes victim files; do cmp -s "$b/$f" "$a/$f" || c="$c $f"; done
	is "$c" " containers images volumes victim files" "the harness sees a new container, tag, volume, root-owned file and a touched victim"
	sbdocker unpause "$VCONT" >/dev/null
	undo "$b" "$a"
	rm -rf "$b"; snapshot "$b"
	rm -rf "$a"; snapshot "$a"
	c=""
	for f in containers images volumes networks victim ledger files; do cmp -s "$b/$f" "$a/$f" || c="$c $f"; done
	is "$c" "" "and after undo two snapshots in a row are equal"
}

# the plan, at the end (TAP allows it there): a file that dies half-way has none
done_testing() { plan "$TAP_N"; }
