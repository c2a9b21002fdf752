#!/bin/bash
# Images, commits and builds through berth-gate, as users who are not in the
# docker group, with Debian's docker CLI, the wrapper and raw HTTP: the names
# they give land in berth/<user>/, names they do not own never move, builds
# run in their slice with their labels, and what dockerd would fetch itself
# or run outside the slice (remote=, fromSrc=URL, BuildKit) is refused with
# one "berth: …" sentence and nothing changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slicemgr-lib.sh"
plan 97

GATE_SOCK="$SB/docker.sock"
DSOCK="$DOCKERD_SOCK"
SOCK_MODE=$(stat -c %a "$DSOCK") SOCK_GROUP=$(stat -c %g "$DSOCK")
CTX=/home/berthtali/ctx
cleanup() {
	remove_managed_containers
	sbdocker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^berth/berthta(li|bob)/' |
		xargs -r "$REAL_DOCKER" -H "unix://$DSOCK" rmi -f >/dev/null 2>&1
	sbdocker images -q --filter dangling=true --filter label=berth.user=berthtali |
		xargs -r "$REAL_DOCKER" -H "unix://$DSOCK" rmi -f >/dev/null 2>&1
	stop_gate
	stop_daemon
	chgrp "$SOCK_GROUP" "$DSOCK"; chmod "$SOCK_MODE" "$DSOCK"
	rm -rf "$CTX" "$SB/rootfs.tar" "$SB/saved.tar"
}
trap cleanup EXIT
chmod 755 "$SB"
chgrp root "$DSOCK"; chmod 660 "$DSOCK"
GATE_SOCK="$GATE_SOCK" write_config
write_inventory
make_test_users
start_daemon
ok $? "berth-slicemgr started"
start_gate
ok $? "berth-gate started on $GATE_SOCK, dockerd's socket root-only"
ALI_UID=$(id -u berthtali)

# gd builds with the classic builder, which runs build steps under the
# cgroup parent (BUILDKIT=1 gd … for BuildKit)
BUILDKIT=${BUILDKIT:-0}
message_of() { sed '$d' <<<"$1" | jq -r .message 2>/dev/null; }
imgs() { sbdocker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort; }
exists() { sbdocker image inspect "$1" >/dev/null 2>&1; }
# refused DESCRIPTION OUTPUT REGEX: one "berth: " sentence, and no image name changed
refused() {
	like "$2" "$3" "$1: refused, saying why"
	is "$(imgs)" "$IMGS0" "$1: no image name changed"
}

install -d -o berthtali -g "$(id -g berthtali)" "$CTX"
printf 'FROM berth-test\nRUN cat /proc/self/cgroup > /cg\n' > "$CTX/Dockerfile"
tar -C "$CTX" -cf "$SB/ctx.tar" Dockerfile
chown berthtali "$CTX/Dockerfile"; chmod 644 "$SB/ctx.tar"
r=$(mktemp -d); echo hello > "$r/hello"; tar -C "$r" -cf "$SB/rootfs.tar" .; rm -rf "$r"; chmod 644 "$SB/rootfs.tar"
gd berthtali run -d --name src berth-test sleep 300 >/dev/null
is "$(sbdocker inspect -f '{{.Name}}' src._.berthtali 2>/dev/null)" "/src._.berthtali" "alice runs src through the gate"
BASE_ID=$(sbdocker image inspect -f '{{.Id}}' berth-test)

# --- tag -------------------------------------------------------------------------
out=$(gd berthtali tag berth-test mytag 2>&1)
ok $? "alice: docker tag berth-test mytag ($out)"
exists berth/berthtali/mytag:latest
ok $? "… lands as berth/berthtali/mytag:latest"
exists mytag:latest
isnt $? 0 "… and not as mytag"
out=$(gd berthtali tag mytag mytag2 2>&1)
ok $? "alice: tag mytag mytag2 finds her own berth/berthtali/mytag first ($out)"
exists berth/berthtali/mytag2:latest
ok $? "… as berth/berthtali/mytag2"
out=$(gw berthtali tag berth-test wtag 2>&1)
ok $? "alice: the wrapper's tag, through the gate ($out)"
exists berth/berthtali/wtag:latest
ok $? "… lands as berth/berthtali/wtag"
IMGS0=$(imgs)
refused "tag into bob's namespace" "$(gd berthtali tag berth-test berth/berthtbob/evil 2>&1)" \
	"berth: berth/berthtbob/evil(:latest)? is in berthtbob's namespace"
refused "tag over the shared berth-test" "$(gd berthtbob tag berth/berthtali/mytag berth-test 2>&1)" \
	"berth: berth-test:latest is a shared image; only an admin may move its name"
r=$(gc berthtali -X POST 'http://d/v1.41/images/berth-test/tag?repo=docker.io/berth/berthtbob/new&tag=latest')
is "$(status_of "$r")" 403 "tag as docker.io/berth/<bob>/… by raw HTTP: 403"
refused "tag as docker.io/berth/<bob>/…" "$(message_of "$r")" "^berth: .*berthtbob's namespace"
r=$(gc berthtali -X POST 'http://d/v1.41/images/berth-test/tag?repo=Bad')
is "$(status_of "$r")" 400 "tag to a name Docker would not take: 400"

# --- commit ------------------------------------------------------------------------
out=$(gd berthtali commit src snap 2>&1)
ok $? "alice: docker commit src snap ($out)"
exists berth/berthtali/snap:latest
ok $? "… lands as berth/berthtali/snap:latest"
out=$(gw berthtali commit src wsnap 2>&1)
ok $? "alice: the wrapper's commit, through the gate ($out)"
IMGS0=$(imgs)
refused "bob commits alice's container" "$(gd berthtbob commit src._.berthtali bobsnap 2>&1)" \
	"berth: src._.berthtali belongs to berthtali; you may only commit"
refused "commit -c 'LABEL berth.user=…'" "$(gd berthtali commit -c 'LABEL berth.user=berthtbob' src snap2 2>&1)" \
	"berth: --change 'LABEL berth.user' is not allowed"
refused "commit -c continued into a second -c" "$(gd berthtali commit -c 'LABEL a=b \' -c 'berth.user=x' src snap2 2>&1)" \
	"berth: --change 'LABEL berth.user' is not allowed"
refused "commit onto the shared berth-test" "$(gd berthtali commit src berth-test 2>&1)" \
	"berth: berth-test:latest is a shared image"
commit_body() { gc berthtali -X POST -H 'Content-Type: application/json' --data-binary "$1" \
	"http://d/v1.41/commit?container=src&repo=snap3"; }
r=$(commit_body '{"Labels":{"berth.user":"berthtbob"}}')
is "$(status_of "$r")" 403 "a commit body with Labels berth.user: 403"
refused "commit body Labels" "$(message_of "$r")" "^berth: the label berth.user is berth's to set"
r=$(commit_body '{"labels":{"berth.user":"berthtbob"}}')
is "$(status_of "$r")/$(imgs)" "403/$IMGS0" "… in another case too, nothing changed"
r=$(commit_body '{"OnBuild":["LABEL berth.user=berthtbob"]}')
is "$(status_of "$r")/$(imgs)" "403/$IMGS0" "a commit body with OnBuild LABEL berth.user: 403, nothing changed"
# berth's own image labels pass only with the caller's own values, or cleared
for l in '"berth.uid":"0"' '"berth.group":"researchers"' '"berth.gpus":"GPU-00000000-0000-0000-0000-000000000000"' \
	'"berth.managed":"false"' '"berth.seal":"v1:00"'; do
	r=$(commit_body "{\"Labels\":{$l}}")
	is "$(status_of "$r")/$(imgs)" "403/$IMGS0" "a commit body with Labels {$l} (not what berth would set): 403, nothing changed"
done
r=$(commit_body '{"Labels":{"team":"a"}}')
is "$(status_of "$r")" 201 "a commit body with an ordinary label: 201"
is "$(sbdocker image inspect -f '{{index .Config.Labels "team"}}' berth/berthtali/snap3 2>/dev/null)" "a" "… as berth/berthtali/snap3, labelled"

# --- build -------------------------------------------------------------------------
out=$(gd berthtali build -q -t x "$CTX" 2>&1)
ok $? "alice: DOCKER_BUILDKIT=0 docker build -t x ($out)"
is "$(sbdocker image inspect -f '{{index .Config.Labels "berth.user"}}/{{index .Config.Labels "berth.uid"}}' berth/berthtali/x:latest 2>&1)" \
	"berthtali/$ALI_UID" "… lands as berth/berthtali/x, labelled berth.user and berth.uid"
like "$(sbdocker run --rm berth/berthtali/x cat /cg 2>&1 | grep -m1 pids)" "berth-students-berthtali\.slice" \
	"… its RUN step ran in her slice"
out=$(gw berthtali build -q -t wx "$CTX" 2>&1)
ok $? "alice: the wrapper's build (its --cgroup-parent and labels), through the gate ($out)"
exists berth/berthtali/wx:latest
ok $? "… lands as berth/berthtali/wx"
IMGS0=$(imgs)
# bulk_refused DESCRIPTION REGEX USER DOCKER-ARGS...: a refusal of a request
# whose body (a build context, an archive, from $STDIN) the CLI streams.
# The gate answers from the head while the CLI may still be sending; when
# the CLI then reports the connection closed under it instead of the
# answer, the journal's entry for the refusal stands in.
bulk_refused() {
	local desc=$1 re=$2 u=$3 out since
	shift 3
	since=$(date '+%Y-%m-%d %H:%M:%S')
	out=$(gd "$u" "$@" 2>&1 < "${STDIN:-/dev/null}")
	if [[ "$out" =~ (broken pipe|connection reset) ]]; then
		diag "$desc: the CLI lost the gate's answer ($out); the journal has it"
		out=$(journal 1 BERTH_EVENT=access.deny --since="$since" | grep -m1 -E "$re")
	fi
	refused "$desc" "$out" "$re"
}
build_refused() { local desc=$1 re=$2; shift 2; bulk_refused "$desc" "$re" berthtali build -q "$@" "$CTX"; }
build_refused "build --label berth.user" "berth: the label 'berth.user' is berth's own" --label berth.user=berthtbob -t y
build_refused "build -t into bob's namespace" "berth: berth/berthtbob/z is in berthtbob's namespace" -t berth/berthtbob/z
build_refused "build -t the shared berth-test" "berth: berth-test:latest is a shared image" -t berth-test
build_refused "build --cgroup-parent" "berth: --cgroup-parent is not allowed" --cgroup-parent system.slice -t y
build_refused "build --network host" "berth: --network host is not allowed" --network host -t y
build() { gc berthtali -X POST -H 'Content-Type: application/x-tar' --data-binary "@$SB/ctx.tar" "http://d/v1.41/build?$1"; }
r=$(build 't=y&labels=%7B%22Berth.Seal%22%3A%2200%22%7D')
is "$(status_of "$r")/$(imgs)" "403/$IMGS0" "build labels={\"Berth.Seal\":…} by raw HTTP: 403, nothing changed"
r=$(build 't=y&labels=%7B%22berth.uid%22%3A%220%22%7D')
is "$(status_of "$r")/$(imgs)" "403/$IMGS0" "build labels={\"berth.uid\":\"0\"} (not alice's uid): 403, nothing changed"
r=$(build 't=y&remote=http%3A%2F%2Fexample.invalid%2Fctx.tar')
is "$(status_of "$r")" 403 "build remote=URL: 403"
refused "build remote=URL" "$(message_of "$r")" "^berth: building from a URL .*docker build DIR"
r=$(build 't=y&version=2')
is "$(status_of "$r")" 403 "build version=2 (BuildKit): 403"
refused "build version=2" "$(message_of "$r")" "^berth: BuildKit builds .*DOCKER_BUILDKIT=0"
out=$(BUILDKIT=1 gd berthtali build -q -t y "$CTX" 2>&1); rc=$?
# docker 20.10 opens BuildKit's session first and shows only its status
like "$rc/$out" "^[1-9].*received 403" "DOCKER_BUILDKIT=1 docker build is refused (its /session: 403)"
is "$(imgs)" "$IMGS0" "… and made no image"
r=$(build 't=y&memswap=-1')
is "$(status_of "$r")" 403 "build memswap=-1: 403"
r=$(build 't=y&bogus=1')
is "$(status_of "$r")" 403 "build with a parameter berth has no rule for: 403"
r=$(gc berthtali -X POST http://d/v1.41/session)
is "$(status_of "$r")" 403 "BuildKit's /session: 403"
like "$(message_of "$r")" "^berth: .*DOCKER_BUILDKIT=0" "… naming the classic builder"
r=$(gc berthtali -X POST 'http://d/v1.41/build/cancel?id=abc')
is "$(status_of "$r")" 403 "/build/cancel: 403"

# --- import --------------------------------------------------------------------------
out=$(gd berthtali import - imp < "$SB/rootfs.tar" 2>&1)
ok $? "alice: docker import - imp, from stdin ($out)"
exists berth/berthtali/imp:latest
ok $? "… lands as berth/berthtali/imp:latest"
IMGS0=$(imgs)
STDIN="$SB/rootfs.tar" bulk_refused "import -c 'LABEL berth.user=…'" "berth: --change 'LABEL berth.user' is not allowed" \
	berthtali import -c 'LABEL berth.user=berthtbob' - imp2
STDIN="$SB/rootfs.tar" bulk_refused "import onto the shared berth-test" "berth: berth-test:latest is a shared image" \
	berthtali import - berth-test
r=$(gc berthtali -X POST 'http://d/v1.41/images/create?fromSrc=http%3A%2F%2Fexample.invalid%2Froot.tar&repo=imp3')
is "$(status_of "$r")" 403 "import fromSrc=URL: 403"
refused "import fromSrc=URL" "$(message_of "$r")" "^berth: importing from a URL .*docker import FILE NAME"

# --- pull, load ------------------------------------------------------------------------
refused "pull berth/<bob>/x" "$(gd berthtali pull berth/berthtbob/x 2>&1)" \
	"berth: berth/berthtbob/x(:latest)? is in another user's namespace; you may pull only into berth/berthtali/"
r=$(gc berthtali -X POST 'http://d/v1.41/images/create?fromImage=docker.io%2Fberth%2Fberthtbob%2Fx&tag=latest')
is "$(status_of "$r")/$(imgs)" "403/$IMGS0" "pull fromImage=docker.io/berth/<bob>/x by raw HTTP: 403, nothing changed"
sbdocker save -o "$SB/saved.tar" berth-test; chmod 644 "$SB/saved.tar"
bulk_refused "docker load" "berth: 'docker load' is for admins only.*docker import FILE NAME" berthtali load -i "$SB/saved.tar"

# --- rmi ---------------------------------------------------------------------------------
refused "bob removes alice's image" "$(gd berthtbob rmi berth/berthtali/mytag 2>&1)" \
	"berth: berth/berthtali/mytag is berthtali's image; you may only remove your own"
refused "bob removes the shared berth-test" "$(gd berthtbob rmi berth-test 2>&1)" \
	"berth: berth-test is a shared image; only an admin may remove it"
refused "rmi -f by image id" "$(gd berthtali rmi -f "$BASE_ID" 2>&1)" \
	"berth: rmi -f by image id"
refused "bob removes alice's built image by id" "$(gd berthtbob rmi "$(sbdocker image inspect -f '{{.Id}}' berth/berthtali/x)" 2>&1)" \
	"berth: the image sha256:[0-9a-f]+ belongs to berthtali"
out=$(gd berthtali rmi berth/berthtali/mytag2 2>&1)
ok $? "alice: rmi of her own berth/berthtali/mytag2 ($out)"
exists berth/berthtali/mytag2:latest
isnt $? 0 "… and it is gone"

like "$(journal 1 BERTH_EVENT=access.deny --since=-300s | grep -c 'berthtbob.s namespace')" "^[1-9]" "refusals are in the journal"
like "$(journal 1 BERTH_EVENT=image.create --since=-300s | grep -c 'may build berth/berthtali/x')" "^[1-9]" \
	"builds are in the journal, with the slice"
