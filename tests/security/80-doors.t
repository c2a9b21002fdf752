#!/bin/bash
# The doors besides the docker CLI: docker-compose (Debian's), the Python
# SDK (Debian's python3-docker) and raw HTTP with curl or a socket, all
# straight to berth-gate with no berth code on the user's side.  Each
# attack must be refused with berth's sentence and nothing changed (the
# snapshots of tests/security/lib.sh), as through the wrapper.
. "$(dirname "$0")/lib.sh"

sec_setup
check_harness
PY=/usr/bin/python3 # Debian's, with python3-docker
GSOCK="$SB/docker.sock"

# judge DESCRIPTION RC OUTPUT [ALLOWED-NETWORK [SENTENCE]]: after an
# attack (its exit status and what it printed), compared with the snapshot
# "before" took: it failed, nothing changed, the output holds berth's
# sentence (unless SENTENCE is "no": an answer to HEAD has no body, and
# smuggled bytes are judged by their effects alone) and nothing of the
# victim's.  ALLOWED-NETWORK: compose makes the project's own network
# before its first container, so a refused "up" leaves bob that network
# (his own; "down" removes it afterwards).
judge() {
	local desc=$1 rc=$2 out=$3 net=${4:-} sentence=${5:-yes} why="" changed="" f
	snapshot "$SNAP/a"
	[ "$rc" = 0 ] && why="it succeeded (rc 0)"
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && why="it ran past ${ATTACK_TIMEOUT}s"
	[ "$sentence" = no ] || grep -q 'berth: ' <<<"$out" || why="${why:+$why; }no berth: sentence"
	if grep -q -F -e "$VSECRET" <<<"$out"; then why="${why:+$why; }the victim's data was shown"; fi
	for f in containers images volumes networks victim ledger files; do
		if [ "$f" = networks ] && [ -n "$net" ]; then
			diff <(cut -d' ' -f2- "$SNAP/b/networks") <(cut -d' ' -f2- "$SNAP/a/networks" | grep -v "^$net ") >/dev/null ||
				changed="$changed networks"
			continue
		fi
		cmp -s "$SNAP/b/$f" "$SNAP/a/$f" || changed="$changed $f"
	done
	[ -n "$changed" ] && why="${why:+$why; }changed:$changed"
	ok "$([ -z "$why" ] && echo 0 || echo 1)" "refused: $desc"
	if [ -n "$why" ]; then
		diag "  $why"
		printf '%s\n' "$out" | head -8 | sed 's/^/#   output: /'
		for f in $changed; do diff -U0 "$SNAP/b/$f" "$SNAP/a/$f" | grep '^[-+][^-+]' | head -20 | sed "s/^/#   $f: /"; done
		undo "$SNAP/b" "$SNAP/a"
	fi
}
before() { rm -rf "$SNAP/b" "$SNAP/a"; snapshot "$SNAP/b"; }

# --- docker-compose ----------------------------------------------------------------------
# compose_attack DESCRIPTION SERVICE-YAML: a one-service project of bob's
# (the service's lines below "image:", indented four spaces)
compose_attack() {
	local desc=$1 yaml=$2 out rc
	asuser $ATT 'rm -rf cmp; mkdir cmp'
	printf 'version: "2.4"\nservices:\n  x:\n    image: %s\n    command: sleep 60\n%b' "$IMG" "$yaml" > "$AH/cmp/docker-compose.yml"
	chown "$ATT:" "$AH/cmp/docker-compose.yml"
	before
	out=$(sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups env -i -C "$AH/cmp" PATH=/usr/bin:/bin \
		HOME="$AH" DOCKER_HOST="unix://$GSOCK" timeout -k 5 "$ATTACK_TIMEOUT" docker-compose -p bobatt up -d 2>&1 </dev/null)
	rc=$?
	judge "compose: $desc" "$rc" "$out" bobatt_default "${COMPOSE_SENTENCE:-yes}"
	sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups env -i -C "$AH/cmp" PATH=/usr/bin:/bin \
		HOME="$AH" DOCKER_HOST="unix://$GSOCK" timeout 30 docker-compose -p bobatt down >/dev/null 2>&1 </dev/null
}
compose_attack "privileged: true"                 '    privileged: true\n'
compose_attack "a bind of /etc"                   '    volumes: ["/etc:/x"]\n'
compose_attack "a bind of alice's home"           "    volumes: [\"$VH/data:/d\"]\n"
compose_attack "network_mode: host"               '    network_mode: host\n'
compose_attack "pid: host"                        '    pid: host\n'
compose_attack "cap_add: SYS_ADMIN"               '    cap_add: [SYS_ADMIN]\n'
compose_attack "devices: /dev/mem"                '    devices: ["/dev/mem:/dev/mem"]\n'
compose_attack "security_opt seccomp:unconfined"  '    security_opt: ["seccomp:unconfined"]\n'
compose_attack "cgroup_parent: /"                 '    cgroup_parent: /\n'
compose_attack "NVIDIA_VISIBLE_DEVICES=all"       '    environment: ["NVIDIA_VISIBLE_DEVICES=all"]\n'
compose_attack "a label berth.user"               '    labels: ["berth.user=berthtali"]\n'
compose_attack "container_name with alice's suffix" "    container_name: x._.$VIC\n"
compose_attack "runtime: runsc"                   '    runtime: runsc\n'
compose_attack "more GPUs than his quota"         '    deploy:\n      resources:\n        reservations:\n          devices: [{capabilities: [gpu], count: 3}]\n'
compose_attack "three GPUs by device id"          '    deploy:\n      resources:\n        reservations:\n          devices: [{capabilities: [gpu], device_ids: ["GPU-00000000-0000-0000-0000-000000000000", "GPU-11111111-1111-1111-1111-111111111111", "GPU-22222222-2222-2222-2222-222222222222"]}]\n'
# (compose asks for the container first: refused, it says the container
# does not exist, which is what bob may know of it)
COMPOSE_SENTENCE=no compose_attack "network_mode: alice's container" "    network_mode: container:$VCONT\n"
compose_attack "a volume with a bind's options"   '    volumes: ["evil:/x"]\nvolumes:\n  evil:\n    driver_opts: {type: none, o: bind, device: /etc}\n'

# --- the Python SDK ----------------------------------------------------------------------
# sdk_attack DESCRIPTION PYTHON: run with c = docker.DockerClient on the
# gate's socket; an APIError's explanation is printed
sdk_attack() {
	local desc=$1 code=$2 out rc
	before
	out=$(sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups env -i -C "$AH" PATH=/usr/bin:/bin HOME="$AH" \
		timeout -k 5 "$ATTACK_TIMEOUT" $PY -c "
import docker, sys
c = docker.DockerClient(base_url='unix://$GSOCK')
try:
    $code
except docker.errors.APIError as e:
    print(e.explanation); sys.exit(1)
" 2>&1 </dev/null)
	rc=$?
	judge "SDK: $desc" "$rc" "$out"
}
sdk_attack "containers.run(privileged=True)"   "c.containers.run('$IMG', 'true', privileged=True)"
sdk_attack "a bind of / (volumes=)"            "c.containers.run('$IMG', 'true', volumes={'/': {'bind': '/host', 'mode': 'rw'}})"
sdk_attack "Mount of alice's home"             "c.containers.run('$IMG', 'true', mounts=[docker.types.Mount('/d', '$VH', type='bind')])"
sdk_attack "cap_add=['ALL']"                   "c.containers.run('$IMG', 'true', cap_add=['ALL'])"
sdk_attack "devices=['/dev/sda']"              "c.containers.run('$IMG', 'true', devices=['/dev/sda:/dev/sda:rwm'])"
sdk_attack "network_mode='host'"               "c.containers.run('$IMG', 'true', network_mode='host')"
sdk_attack "userns_mode='host'"                "c.containers.run('$IMG', 'true', userns_mode='host')"
sdk_attack "environment with CUDA_VISIBLE_DEVICES" "c.containers.run('$IMG', 'true', environment={'CUDA_VISIBLE_DEVICES': '0'})"
sdk_attack "labels={'berth.seal': …}"          "c.containers.run('$IMG', 'true', labels={'berth.seal': 'v1:' + '0' * 64})"
sdk_attack "name='x._.<alice>'"                "c.containers.create('$IMG', 'true', name='x._.$VIC')"
sdk_attack "a DeviceRequest past his quota"   "c.containers.run('$IMG', 'true', device_requests=[docker.types.DeviceRequest(count=3, capabilities=[['gpu']])])"
sdk_attack "a DeviceRequest by driver cdi"     "c.containers.run('$IMG', 'true', device_requests=[docker.types.DeviceRequest(driver='cdi', device_ids=['nvidia.com/gpu=all'])])"
sdk_attack "exec_create in alice's container"  "c.api.exec_create('$VCONT', 'cat /data/notes')"
sdk_attack "exec_create by id prefix"          "c.api.exec_create('${VID:0:12}', 'id')"
sdk_attack "get_archive of alice's data"       "print(b''.join(c.api.get_archive('$VCONT', '/data/notes')[0]))"
sdk_attack "put_archive into alice's container" "c.api.put_archive('$VCONT', '/data', b'')"
sdk_attack "remove alice's container"          "c.containers.get('$VCONT').remove(force=True)"
sdk_attack "kill alice's container by id"      "c.api.kill('$VID')"
sdk_attack "update alice's container"          "c.api.update_container('$VCONT', mem_limit='4g')"
sdk_attack "commit alice's container"          "c.api.commit('$VCONT', repository='mine')"
sdk_attack "export alice's container"          "print(len(b''.join(c.api.export('$VCONT'))))"
sdk_attack "logs of alice's container"         "print(c.api.logs('$VCONT'))"
sdk_attack "remove alice's volume"             "c.volumes.get('$VVOL').remove(force=True)"
sdk_attack "remove alice's image"              "c.images.remove('$VIMG', force=True)"
sdk_attack "tag onto alice's image"            "c.api.tag('$IMG', 'berth/$VIC/img', 'latest', force=True)"
sdk_attack "swarm init"                        "c.swarm.init()"
sdk_attack "a plugin install"                  "c.plugins.install('vieux/sshfs')"
sdk_attack "a service create"                  "c.services.create('$IMG', command='true')"

# --- raw HTTP ------------------------------------------------------------------------------
# raw_attack DESCRIPTION CURL-ARGS...: bob's request; a 4xx with berth's
# sentence in Docker's JSON, nothing changed
raw_attack() {
	local desc=$1 out rc code; shift
	before
	out=$(sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups timeout -k 5 "$ATTACK_TIMEOUT" \
		curl -s --unix-socket "$GSOCK" -w '\n%{http_code}' "$@" 2>&1)
	code=$(tail -n 1 <<<"$out")
	rc=1; [[ "$code" =~ ^[45] ]] || rc=0
	if [ "$1" = -I ]; then judge "raw: $desc ($code)" "$rc" "" "" no
	else judge "raw: $desc ($code)" "$rc" "$(sed '$d' <<<"$out" | jq -r .message 2>/dev/null)"; fi
}
J=(-X POST -H 'Content-Type: application/json' --data-binary)
C=http://d/v1.41/containers
raw_attack "privileged in a case-variant key"  "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"privileged\":true}}" "$C/create"
raw_attack "Binds in a lower-case HostConfig"  "${J[@]}" "{\"Image\":\"$IMG\",\"hostConfig\":{\"Binds\":[\"/:/h\"]}}" "$C/create"
raw_attack "Privileged twice, true last"       "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}" "$C/create"
raw_attack "HostConfig twice"                  "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{},\"HostConfig\":{\"Privileged\":true}}" "$C/create"
raw_attack "a \\u-escaped key"                 "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"\\u0050rivileged\":true}}" "$C/create"
raw_attack "a \\u-escaped Binds value"         "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"Binds\":[\"\\u002fetc:/x\"]}}" "$C/create"
raw_attack "Privileged at the top level"       "${J[@]}" "{\"Image\":\"$IMG\",\"Privileged\":true}" "$C/create"
raw_attack "Binds at the top level"            "${J[@]}" "{\"Image\":\"$IMG\",\"Binds\":[\"/:/h\"]}" "$C/create"
raw_attack "an unknown key"                    "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"Frobnicate\":1}}" "$C/create"
raw_attack "CgroupParent of alice's slice"     "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"CgroupParent\":\"berth-students-$VIC.slice\"}}" "$C/create"
raw_attack "a CDI device"                      "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"nvidia.com/gpu=all\",\"PathInContainer\":\"\",\"CgroupPermissions\":\"rwm\"}]}}" "$C/create"
raw_attack "a CDI device request"              "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"DeviceRequests\":[{\"Driver\":\"cdi\",\"DeviceIDs\":[\"nvidia.com/gpu=all\"]}]}}" "$C/create"
raw_attack "an annotation"                     "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"Annotations\":{\"cdi.k8s.io/x\":\"nvidia.com/gpu=all\"}}}" "$C/create"
raw_attack "an RTPRIO ulimit"                  "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"Ulimits\":[{\"Name\":\"rtprio\",\"Soft\":99,\"Hard\":99}]}}" "$C/create"
raw_attack "OomKillDisable"                    "${J[@]}" "{\"Image\":\"$IMG\",\"HostConfig\":{\"OomKillDisable\":true}}" "$C/create"
raw_attack "a name with alice's suffix"        "${J[@]}" "{\"Image\":\"$IMG\"}" "$C/create?name=x._.$VIC"
raw_attack "a name given twice"                "${J[@]}" "{\"Image\":\"$IMG\"}" "$C/create?name=mine&name=x._.$VIC"
raw_attack "a form-encoded body"               -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "HostConfig.Privileged=true" "$C/create"
raw_attack "a JSON body sent as text/plain"    -X POST -H 'Content-Type: text/plain' --data-binary "{\"Image\":\"$IMG\",\"HostConfig\":{\"Privileged\":true}}" "$C/create"
raw_attack "API version 1.40"                  "${J[@]}" "{\"Image\":\"$IMG\"}" "http://d/v1.40/containers/create"
raw_attack "API version 1.99"                  "${J[@]}" "{\"Image\":\"$IMG\"}" "http://d/v1.99/containers/create"
raw_attack "a dot segment to reach alice's"    -X POST "$C/mine/../$VCONT/kill"
raw_attack "an encoded slash in the id"        -X POST "$C/x%2F..%2F$VCONT/kill"
raw_attack "a double slash"                    -X DELETE "http://d/v1.41//containers/$VCONT?force=1"
own bobstart
# an exec root made in alice's container, for bob to start by its id
api_exec_id() {
	curl -sf --unix-socket "$DOCKERD_SOCK" -X POST -H 'Content-Type: application/json' \
		--data-binary '{"Cmd":["sh","-c","echo owned > /data/by-bob"]}' "http://d/v1.41/containers/$VCONT/exec" | jq -r .Id
}
raw_attack "a legacy start body with binds"    "${J[@]}" '{"Binds":["/etc:/x"],"Privileged":true}' "$C/bobstart._.$ATT/start"
raw_attack "exec start of alice's exec by id"  "${J[@]}" '{"Detach":true}' \
	"http://d/v1.41/exec/$(api_exec_id)/start"
raw_attack "attach to alice's container"       -X POST "$C/$VID/attach?stream=1&stdout=1"
raw_attack "resize alice's container"          -X POST "$C/$VCONT/resize?h=10&w=10"
raw_attack "archive PUT into alice's"          -X PUT -H 'Content-Type: application/x-tar' --data-binary @/dev/null "$C/$VCONT/archive?path=/data"
raw_attack "archive HEAD of alice's"           -I "$C/$VCONT/archive?path=/data/notes"
raw_attack "commit of alice's container"       -X POST "http://d/v1.41/commit?container=$VCONT&repo=mine"
raw_attack "/swarm/init"                       "${J[@]}" '{}' http://d/v1.41/swarm/init
raw_attack "/secrets/create"                   "${J[@]}" '{"Name":"s","Data":"eA=="}' http://d/v1.41/secrets/create
raw_attack "/plugins/pull"                     "${J[@]}" '[]' 'http://d/v1.41/plugins/pull?remote=vieux/sshfs'
raw_attack "a checkpoint of his own"           "${J[@]}" '{"CheckpointID":"c","CheckpointDir":"/etc"}' "$C/bobstart._.$ATT/checkpoints"
raw_attack "/grpc"                             -X POST http://d/grpc
raw_attack "an image from a URL"               -X POST 'http://d/v1.41/images/create?fromSrc=http%3A%2F%2F127.0.0.1%2Fx.tar&repo=x'
raw_attack "a build from a remote context"     -X POST 'http://d/v1.41/build?remote=http%3A%2F%2F127.0.0.1%2Fx.tar'
# a plain image name is looked up in bob's own berth/<bob>/ only: alice's
# berth/<alice>/img is never what "img" means to him (Docker's 404 answers)
before
out=$(sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups curl -s --unix-socket "$GSOCK" -w '\n%{http_code}' \
	"${J[@]}" '{"Image":"img"}' "$C/create")
snapshot "$SNAP/a"
is "$(tail -n 1 <<<"$out")/$(diff "$SNAP/b/containers" "$SNAP/a/containers" >/dev/null && echo same)" "404/same" \
	"raw: a create of the plain name of alice's image does not find hers"
# a list filter in Docker's older map form gets bob's own label in that form:
# one naming alice's label shows him nothing
out=$(sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups curl -s --unix-socket "$GSOCK" \
	'http://d/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%7B%22berth.user%3Dberthtali%22%3Atrue%7D%7D')
is "$(jq length <<<"$out")" 0 "raw: a map-form label filter naming alice lists nothing of hers"
out=$(sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups curl -s --unix-socket "$GSOCK" \
	'http://d/v1.41/containers/json?all=1&filters=%7B%22status%22%3A%7B%22running%22%3Atrue%7D%7D')
is "$(jq -r '[.[].Labels["berth.user"]] | unique | join(",")' <<<"$out")" "$ATT" \
	"raw: a map-form filter of his own lists his containers alone"

# a prune is bob's own: a label filter naming alice leaves hers as they are
sbdocker create --name stopped._.$VIC --label berth.user=$VIC $IMG true >/dev/null
before
out=$(sb_exec setpriv --reuid=$ATT --regid="$(id -g $ATT)" --init-groups curl -s --unix-socket "$GSOCK" -X POST \
	'http://d/v1.41/containers/prune?filters=%7B%22label%22%3A%5B%22berth.user%3Dberthtali%22%5D%7D')
snapshot "$SNAP/a"
is "$(jq -c .ContainersDeleted <<<"$out")/$(diff "$SNAP/b/containers" "$SNAP/a/containers" >/dev/null && echo same)" \
	"null/same" "raw: a prune filtered to alice's label deletes nothing of hers (her stopped container stays)"
sbdocker rm -f stopped._.$VIC >/dev/null

# --- smuggling: bytes on the socket ----------------------------------------------------------
# bytes_attack DESCRIPTION BYTES [PIECE]: what the gate answers (to the
# bytes sent PIECE at a time, if given); the second request hidden in these
# bytes (a privileged create, or a kill of alice's container) must not
# reach dockerd
bytes_attack() {
	local desc=$1 out
	before
	out=$(graw $ATT "$2" ${3:+"$3"} 2>&1)
	sleep 0.5 # what dockerd would do with a smuggled request, done
	# every answer the gate gave is a refusal, or one to the harmless first request
	judge "bytes: $desc" 1 "$out" "" no
}
KILL="POST /v1.41/containers/$VCONT/kill HTTP/1.1\\r\\nHost: d\\r\\nContent-Length: 0\\r\\n\\r\\n"
PRIV="{\"Image\":\"$IMG\",\"HostConfig\":{\"Privileged\":true}}"
CREATE="POST /v1.41/containers/create?name=smug HTTP/1.1\\r\\nHost: d\\r\\nContent-Type: application/json\\r\\nContent-Length: ${#PRIV}\\r\\n\\r\\n$PRIV"
H="Host: d\\r\\nContent-Type: application/json\\r\\n"
bytes_attack "Content-Length and chunked (CL.TE)" "POST /v1.41/containers/json HTTP/1.1\\r\\n${H}Content-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n$KILL"
bytes_attack "chunked, then identity"          "POST /v1.41/build HTTP/1.1\\r\\n${H}Transfer-Encoding: chunked\\r\\nTransfer-Encoding: identity\\r\\n\\r\\n0\\r\\n\\r\\n$KILL"
bytes_attack "Transfer-Encoding: xchunked"     "POST /v1.41/build HTTP/1.1\\r\\n${H}Transfer-Encoding: xchunked\\r\\n\\r\\n0\\r\\n\\r\\n$KILL"
bytes_attack "two Content-Lengths"             "POST /v1.41/containers/json HTTP/1.1\\r\\n${H}Content-Length: 0\\r\\nContent-Length: ${#KILL}\\r\\n\\r\\n$KILL"
bytes_attack "a folded header"                 "POST /v1.41/containers/json HTTP/1.1\\r\\n${H}X-A: a\\r\\n Transfer-Encoding: chunked\\r\\nContent-Length: 0\\r\\n\\r\\n$KILL"
bytes_attack "a space before the colon"        "POST /v1.41/containers/json HTTP/1.1\\r\\n${H}Transfer-Encoding : chunked\\r\\nContent-Length: 3\\r\\n\\r\\n0\\r\\n\\r\\n$KILL"
bytes_attack "bare LF line ends"               "POST /v1.41/containers/json HTTP/1.1\\nHost: d\\nContent-Length: 0\\n\\n$CREATE"
bytes_attack "a GET whose body is a create"    "GET /_ping HTTP/1.1\\r\\nHost: d\\r\\nContent-Length: ${#CREATE}\\r\\n\\r\\n$CREATE"
bytes_attack "a create after a harmless ping"  "GET /_ping HTTP/1.1\\r\\nHost: d\\r\\n\\r\\n$CREATE"
bytes_attack "a kill after an upgrade refused" "POST /v1.41/containers/json HTTP/1.1\\r\\nHost: d\\r\\nConnection: Upgrade\\r\\nUpgrade: tcp\\r\\n\\r\\n$KILL"
bytes_attack "an HTTP/1.0 absolute URI"        "POST http://d/v1.41/containers/$VCONT/kill HTTP/1.0\\r\\n\\r\\n"
bytes_attack "a NUL in the path"               "POST /v1.41/containers/mine\\x00/../$VCONT/kill HTTP/1.1\\r\\nHost: d\\r\\n\\r\\n"
# the same framing tricks with the head handed over 3 bytes at a time, so
# the gate reads every header name and value in pieces ("Transfer-En",
# "coding"): put together, they are refused as they are whole
bytes_attack "CL.TE, 3 bytes at a time"        "POST /v1.41/containers/json HTTP/1.1\\r\\n${H}Content-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n$KILL" 3
bytes_attack "two Content-Lengths, 3 at a time" "POST /v1.41/containers/json HTTP/1.1\\r\\n${H}Content-Length: 0\\r\\nContent-Length: ${#KILL}\\r\\n\\r\\n$KILL" 3
bytes_attack "xchunked, 3 bytes at a time"     "POST /v1.41/build HTTP/1.1\\r\\n${H}Transfer-Encoding: xchunked\\r\\n\\r\\n0\\r\\n\\r\\n$KILL" 3
# a rule only the gate knows (libhttp-parser takes the head): its header,
# read in pieces, is still seen for what it is
before
out=$(graw $ATT "POST /v1.41/containers/$VCONT/kill HTTP/1.1\\r\\nHost: d\\r\\nContent-Type: application/x-www-form-urlencoded\\r\\nContent-Length: 9\\r\\n\\r\\nsignal=9&" 3 2>&1)
sleep 0.5
judge "bytes: a kill of alice's container with a form body, 3 bytes at a time" 1 "$out"
like "$out" "form-encoded request bodies are refused" "bytes: … refused for its Content-Type, read in pieces, as it is whole"
# and a request in pieces is served as it is whole
out=$(graw $ATT "GET /_ping HTTP/1.1\\r\\nHost: d\\r\\nConnection: close\\r\\n\\r\\n" 1 2>&1)
like "$out" "^HTTP/1.1 200" "bytes: a ping handed over a byte at a time is answered"

done_testing
