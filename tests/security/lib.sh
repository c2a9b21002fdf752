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
# Every .t sources this file by relative path and calls sec_setup first.
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
SNAP="$SB/sec-snap.$$"
ATTACK_TIMEOUT=${ATTACK_TIMEOUT:-30}

# wd USER ARGS...: "docker" typed by USER, in their home, with a clean env
# (and a time limit of $WD_TIMEOUT seconds when that is set).
wd() {
	local u=$1; shift
	sb_exec ${WD_TIMEOUT:+timeout -k 5 "$WD_TIMEOUT"} setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i -C "/home/$u" PATH=/usr/bin:/bin HOME="/home/$u" USER="$u" BERTH_CONFIG="$ETC" \
		DOCKER_HOST="unix://$SB/docker.sock" "${DOCKER_BIN:-$BUILD/berth-docker}" "$@"
}
# asuser USER SHELL-COMMAND: set-up done by the user themselves (so that
# whatever it makes is theirs, never root's)
asuser() {
	sb_exec setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups env -i -C "/home/$1" \
		PATH=/usr/bin:/bin HOME="/home/$1" sh -c "$2"
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
	start_daemon || { echo "Bail out! berth-slicemgr did not start"; exit 1; }
	# the sandbox's own dockerd: test users may reach it (the API gate, a
	# later issue, closes this door)
	mkdir -p "$SNAP" "$SHARED/shared"
	trap sec_cleanup EXIT
	asuser "$VIC" 'mkdir -p data && echo secret > data/notes && chmod 700 data'
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
attack() { # attack [-t TODO-REASON] DESCRIPTION USER DOCKER-ARGS...
	local todo="" desc u rc out err why="" b a
	if [ "$1" = -t ]; then todo=$2; shift 2; fi
	desc=$1 u=$2; shift 2
	ATTACK_N=$((ATTACK_N + 1))
	b="$SNAP/b" a="$SNAP/a"
	rm -rf "$b" "$a"
	snapshot "$b"
	out=$(WD_TIMEOUT=$ATTACK_TIMEOUT wd "$u" "$@" 2>"$SNAP/err" <"${ATTACK_STDIN:-/dev/null}")
	rc=$?
	err=$(cat "$SNAP/err")
	snapshot "$a"
	if [ "$rc" = 0 ]; then why="it succeeded (rc 0)"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then why="it ran past ${ATTACK_TIMEOUT}s"
	elif [ "$(printf '%s\n' "$err" | grep -c .)" != 1 ] || [[ "$err" != "berth: "* ]]; then
		why="stderr is not one 'berth: ' sentence (rc $rc)"
	elif [ -n "$out" ]; then why="something was written on stdout"
	fi
	local changed=""
	for f in containers images volumes networks victim ledger files; do
		cmp -s "$b/$f" "$a/$f" || changed="$changed $f"
	done
	[ -n "$changed" ] && why="${why:+$why; }changed:$changed"
	tok "$([ -z "$why" ] && echo 0 || echo 1)" "refused: $desc" "$todo"
	if [ -n "$why" ]; then
		diag "  docker $*  (as $u)"
		diag "  $why"
		[ -n "$err" ] && printf '%s\n' "$err" | head -5 | sed 's/^/#   stderr: /'
		[ -n "$out" ] && printf '%s\n' "$out" | head -5 | sed 's/^/#   stdout: /'
		for f in $changed; do diff -U0 "$b/$f" "$a/$f" | grep '^[-+][^-+]' | head -20 | sed "s/^/#   $f: /"; done
		undo "$b" "$a"
	fi
	return 0
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
