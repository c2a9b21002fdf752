#!/bin/bash
# Names a user does not own never change under them: berth.* labels in
# every case and spelling (and --label-file), container names with another
# user's suffix or white space, every targeting verb against another user's
# container (by name, id, id prefix, under `container`), and another user's
# or a shared image tag moved by tag, commit, build, load or rmi.
. "$(dirname "$0")/lib.sh"
sec_setup
check_harness

okd() { ok "$1" "$2"; [ "$1" = 0 ] || diag "$3"; }
lfile() { printf "$2" > "$AH/$1"; chown "$ATT:" "$AH/$1"; }
lfile labels-plain 'team=a\nberth.user=berthtali\n'
lfile labels-bom   '\357\273\277berth.user=berthtali\n'
lfile labels-crlf  'team=a\r\nberth.gpus=GPU-0\r\n'
lfile labels-space '  berth.managed=false\n'
lfile labels-case  'Berth.Seal=00\n'
own bobplain
printf 'FROM %s\nLABEL x=y\n' "$IMG" > "$AH/Dockerfile"; chown "$ATT:" "$AH/Dockerfile"
# an image of bob's with an id of its own, and a shared one with a registry name
sbdocker commit -c 'LABEL bob=1' "bobplain._.$ATT" "berth/$ATT/mine:latest" >/dev/null
sbdocker tag $IMG registry.example:5000/team/model:latest
# a tar that loads as a tag in alice's namespace
sbdocker tag "berth/$ATT/mine:latest" "berth/$VIC/evil:latest"
sbdocker save -o "$AH/evil.tar" "berth/$VIC/evil:latest"; chown "$ATT:" "$AH/evil.tar"
sbdocker rmi "berth/$VIC/evil:latest" >/dev/null
tar -C "$AH/work" -cf "$AH/rootfs.tar" file; chown "$ATT:" "$AH/rootfs.tar"

# --- positive controls ----------------------------------------------------------------------------
out=$(wd $VIC inspect -f '{{.Name}}' victim 2>&1)
is "$out" "/$VCONT" "alice: her own container by its short name"
lfile labels-space.ok 'team=b\n'
out=$(wd $ATT run --rm -l team=a -l berth.project=p --label-file "$AH/labels-space.ok" $IMG true 2>&1 | grep -v '^WARNING: IPv4'; echo "rc=${PIPESTATUS[0]}")
like "$out" "rc=0" "bob: his own labels, by -l and --label-file, and berth.project work"
out=$(wd $ATT inspect -f '{{.Name}}' bobplain 2>&1)
is "$out" "/bobplain._.$ATT" "bob: his own container by its short name"

# --- berth.* labels --------------------------------------------------------------------------
attack "--label berth.user=<alice>"           $ATT run --label berth.user=$VIC $IMG true
attack "-l berth.gpus=GPU-0"                  $ATT run -l berth.gpus=GPU-0 $IMG true
attack "-lberth.user=x (attached)"            $ATT run -lberth.user=x $IMG true
attack "--label=Berth.User=x (case)"          $ATT run --label=Berth.User=x $IMG true
attack "--label BERTH.MANAGED=false"          $ATT run --label BERTH.MANAGED=false $IMG true
attack "--label berth.seal=00"                $ATT run --label berth.seal=00 $IMG true
attack "--label berth.uid=0"                  $ATT create --label berth.uid=0 $IMG true
attack "--label berth.reservation=x"          $ATT run --label berth.reservation=x $IMG true
attack "--label berth.group=admins"           $ATT run --label berth.group=admins $IMG true
attack "--label berth.Project=x (the settable one, in another case)" $ATT run --label berth.Project=x $IMG true
attack "--label berth.user (no value)"        $ATT run --label berth.user $IMG true
attack "--label berth.=x"                     $ATT run --label berth.=x $IMG true
attack "an ordinary label, then berth.user"   $ATT run -l a=b -l berth.user=$VIC $IMG true
attack "--label-file with berth.user"         $ATT run --label-file "$AH/labels-plain" $IMG true
attack "--label-file with a byte-order mark"  $ATT run --label-file "$AH/labels-bom" $IMG true
attack "--label-file with CRLF line ends"     $ATT run --label-file "$AH/labels-crlf" $IMG true
attack "--label-file with leading spaces"     $ATT run --label-file "$AH/labels-space" $IMG true
attack "--label-file=FILE in another case"    $ATT run "--label-file=$AH/labels-case" $IMG true
attack "container create --label berth.user"  $ATT container create --label berth.user=$VIC $IMG true
attack "build --label berth.user"             $ATT build --label berth.user=$VIC -f "$AH/Dockerfile" "$AH/work"
attack "commit --change 'LABEL berth.user=…'" $ATT commit --change "LABEL berth.user=$VIC" bobplain mine2
attack "commit -c 'LABEL berth.seal …'"       $ATT commit -c 'LABEL berth.seal=00' bobplain mine3
attack "commit -c continued into a second -c"  $ATT commit -c 'LABEL a=b \' -c "berth.user=$VIC" bobplain mine4
attack "commit -c 'label a=b BERTH.USER=…' (case)" $ATT commit -c "label a=b BERTH.USER=$VIC" bobplain mine5
attack "commit -c 'LABEL \$K=…' (a variable key)" $ATT commit -c 'ENV K=berth.user' -c 'LABEL $K=x' bobplain mine6
attack "commit -c 'ONBUILD LABEL berth.user=…'" $ATT commit -c "ONBUILD LABEL berth.user=$VIC" bobplain mine7
ATTACK_STDIN="$AH/rootfs.tar" attack "import -c 'LABEL berth.user=…'" $ATT import -c "LABEL berth.user=$VIC" - mine8
# --- container names ----------------------------------------------------------------------------
attack "--name <alice's container>"           $ATT run --name $VCONT $IMG true
attack "--name x._.<alice>"                   $ATT run --name x._.$VIC $IMG true
attack "--name=x._.<alice>"                   $ATT create --name=x._.$VIC $IMG true
attack "--name /x._.<alice> (leading slash)"  $ATT create --name /x._.$VIC $IMG true
attack "--name ' victim' (leading space)"     $ATT create --name ' victim' $IMG true
attack "--name 'victim ' (trailing space)"    $ATT create --name 'victim ' $IMG true
attack "--name with a tab"                    $ATT create --name "$(printf 'a\tb')" $IMG true
attack "--name with a newline"                $ATT create --name "$(printf 'a\nb')" $IMG true
attack "rename his own to x._.<alice>"        $ATT rename bobplain x._.$VIC
attack "container rename his own to alice's suffix" $ATT container rename bobplain y._.$VIC
# --- every targeting verb against alice's container --------------------------------------------
attack "exec"                                 $ATT exec $VCONT id
attack "exec -u root -w /tmp"                 $ATT exec -u root -w /tmp $VCONT id
attack "exec by id prefix"                    $ATT exec "${VID:0:12}" id
attack "exec by a 5-character id prefix"      $ATT exec "${VID:0:5}" id
attack "exec by the full id"                  $ATT exec "$VID" id
attack "exec ' name' (leading space)"         $ATT exec " $VCONT" id
attack "exec 'name ' (trailing space)"        $ATT exec "$VCONT " id
attack "exec '/name' (leading slash)"         $ATT exec "/$VCONT" id
attack "container exec"                       $ATT container exec $VCONT id
attack "logs"                                 $ATT logs $VCONT
attack "logs --since 1h by id prefix"         $ATT logs --since 1h "${VID:0:12}"
attack "container logs"                       $ATT container logs $VCONT
attack "inspect"                              $ATT inspect $VCONT
attack "inspect --type container"             $ATT inspect --type container $VCONT
attack "inspect an own one, then alice's"     $ATT inspect bobplain $VCONT
attack "container inspect by id prefix"       $ATT container inspect "${VID:0:12}"
attack "stop -t 1"                            $ATT stop -t 1 $VCONT
attack "container stop"                       $ATT container stop $VCONT
attack "kill"                                 $ATT kill $VCONT
attack "kill -s KILL by id prefix"            $ATT kill -s KILL "${VID:0:12}"
attack "container kill"                       $ATT container kill $VCONT
attack "restart"                              $ATT restart -t 1 $VCONT
attack "start"                                $ATT start $VCONT
attack "pause"                                $ATT pause $VCONT
attack "container pause"                      $ATT container pause $VCONT
attack "unpause"                              $ATT unpause $VCONT
attack "rm -f"                                $ATT rm -f $VCONT
attack -w "a CLI removes one name at a time: his own goes, the victim's is refused" "rm -f with his own first"             $ATT rm -f bobplain $VCONT
attack "rm -f by id prefix"                   $ATT rm -f "${VID:0:12}"
attack "container rm -f"                      $ATT container rm -f $VCONT
attack -x cli "Debian's CLI 20.10 has no container remove" "container remove -f"                  $ATT container remove -f $VCONT
attack "cp out of it"                         $ATT cp "$VCONT:/data/notes" "$AH/work/stolen"
# (a CLI stats the target with HEAD first; refused, an answer with no body
# for berth's sentence, it stops there with "no such directory")
head_stop=(-x cli "the CLI stops at the refused HEAD" -x newcli "the CLI stops at the refused HEAD")
attack "${head_stop[@]}" "cp into it"                           $ATT cp "$AH/work/file" "$VCONT:/data/"
attack "container cp out by id prefix"        $ATT container cp "${VID:0:12}:/data/notes" -
attack "commit"                               $ATT commit $VCONT bobs-copy
attack "container commit"                     $ATT container commit $VCONT bobs-copy
attack "rename"                               $ATT rename $VCONT mine
attack "update --cpus 0.5"                    $ATT update --cpus 0.5 $VCONT
attack "container update --memory 100m"       $ATT container update --memory 100m $VCONT
attack "top"                                  $ATT top $VCONT
attack "stats --no-stream"                    $ATT stats --no-stream $VCONT
attack "attach"                               $ATT attach --no-stdin $VCONT
attack "wait"                                 $ATT wait $VCONT
attack "diff"                                 $ATT diff $VCONT
attack "export"                               $ATT export -o "$AH/work/ali.tar" $VCONT
attack "port"                                 $ATT port $VCONT
attack "network disconnect bridge"            $ATT network disconnect bridge $VCONT
attack "network connect of alice's container" $ATT network connect $VNET $VCONT
attack -x cli "the CLI wants an experimental daemon" -x newcli "the CLI wants an experimental daemon" "checkpoint create"                    $ATT checkpoint create $VCONT c1
# --- networks ---------------------------------------------------------------------------------
out=$(wd $ATT network create bobnet 2>&1); rc=$?
okd $rc "bob: network create of his own works" "$out"
is "$(sbdocker network inspect -f '{{index .Labels "berth.user"}}' bobnet 2>&1)" "$ATT" "and it is labelled as his"
out=$(wd $ATT run --rm --network bobnet $IMG true 2>&1 | grep -v '^WARNING: IPv4'; echo "rc=${PIPESTATUS[0]}")
like "$out" "rc=0" "bob: run --network on his own network works"
out=$(wd $ATT network connect bobnet bobplain 2>&1)
okd $? "bob: network connect his own container to his own network" "$out"
out=$(wd $ATT network inspect -f '{{.Name}}' none 2>&1)
is "$out" "none" "bob: network inspect of Docker's own none"
attack "network connect his own to alice's network" $ATT network connect $VNET bobplain
attack "network connect by the long form, alice's network" $ATT network connect "$VNET" "bobplain._.$ATT"
attack "network rm of alice's network"        $ATT network rm $VNET
attack -x cli "Debian's CLI 20.10 has no network rm -f" "network remove -f of alice's network" $ATT network remove -f $VNET
attack "network rm of Docker's none"          $ATT network rm none
attack "network inspect of alice's network"   $ATT network inspect $VNET
attack "network inspect -v, his own then alice's" $ATT network inspect -v bobnet $VNET
attack "run --network <alice's network>"      $ATT run --network $VNET $IMG true
attack "create --net <alice's network>"       $ATT create --net $VNET $IMG true
attack "run --network name=<alice's>,alias=x" $ATT run --network "name=$VNET,alias=x" $IMG true
attack "run --network name=host (long form)"  $ATT run --network name=host $IMG true
attack "network create with -o"               $ATT network create -o com.docker.network.bridge.name=docker0 bobnet2
attack "network create --driver macvlan"      $ATT network create --driver macvlan -o parent=eth0 bobnet3
attack "network create -d host"               $ATT network create -d host bobnet4
attack "network create --label berth.user=<alice>" $ATT network create --label berth.user=$VIC bobnet5
attack "network create --ipam-driver null"    $ATT network create --ipam-driver null bobnet6
attack "network create --config-only"         $ATT network create --config-only bobnet7
attack "network create of alice's network's name" $ATT network create $VNET
# --- renames and pulls ----------------------------------------------------------------------------
attack "rename of his own berth container (breaks its seal)" $ATT rename bobplain bobplain2
attack "container rename of his own"          $ATT container rename bobplain bobplain3
attack "pull berth/<alice>/x"                 $ATT pull "berth/$VIC/x"
attack "image pull docker.io/berth/<alice>/x" $ATT image pull "docker.io/berth/$VIC/x:latest"
attack "pull -q index.docker.io/berth/<alice>/x" $ATT pull -q "index.docker.io/berth/$VIC/x"
# --- images ------------------------------------------------------------------------------
attack "tag over alice's image"               $ATT tag "berth/$ATT/mine" "$VIMG"
attack "image tag over alice's image"         $ATT image tag "berth/$ATT/mine" "$VIMG"
attack "tag into alice's namespace"           $ATT tag "berth/$ATT/mine" "berth/$VIC/new:latest"
attack "tag over the shared image"            $ATT tag "berth/$ATT/mine" $IMG
attack "tag over a shared registry-named image" $ATT tag "berth/$ATT/mine" registry.example:5000/team/model:latest
attack "commit onto alice's image"            $ATT commit bobplain "$VIMG"
attack "commit onto the shared image"         $ATT commit bobplain $IMG
ATTACK_STDIN="$AH/Dockerfile" attack "build -t alice's image" $ATT build -t "$VIMG" -
ATTACK_STDIN="$AH/Dockerfile" attack "build -t the shared image" $ATT build -t $IMG -
ATTACK_STDIN="$AH/Dockerfile" attack "build --tag=shared registry name" $ATT build --tag=registry.example:5000/team/model:latest -
attack "load of a tar tagged in alice's namespace" $ATT load -i "$AH/evil.tar"
ATTACK_STDIN="$AH/evil.tar" attack "image load from stdin, alice's namespace" $ATT image load
ATTACK_STDIN="$AH/rootfs.tar" attack "import onto alice's image" $ATT import - "$VIMG"
ATTACK_STDIN="$AH/rootfs.tar" attack "import onto the shared image" $ATT import - $IMG
attack "rmi alice's image"                    $ATT rmi "$VIMG"
attack "image rm alice's image by id"         $ATT image rm "$VIMG_ID"
attack "rmi -f of the shared image"           $ATT rmi -f $IMG
attack "image remove of a shared registry image" $ATT image remove registry.example:5000/team/model:latest
attack "tag as docker.io/berth/<alice>/img"   $ATT tag "berth/$ATT/mine" "docker.io/berth/$VIC/img:latest"
attack "image tag over the shared image, no tag" $ATT image tag "berth/$ATT/mine" berth-test
attack "container commit onto a shared registry name" $ATT container commit bobplain registry.example:5000/team/model:latest
ATTACK_STDIN="$AH/Dockerfile" attack -x cli "Debian's CLI 20.10 builds classically and drops --output (an untagged image of his own)" -x newcli "the CLI has --output with buildx alone" "build --output naming alice's image" $ATT build --output "type=docker,name=$VIMG" -
ATTACK_STDIN="$AH/rootfs.tar" attack "image import onto a shared registry name" $ATT image import - registry.example:5000/team/model:latest
attack "rmi of the shared image by id"        $ATT rmi "$(api "/images/$IMG/json" | jq -r .Id)"
# alice tagged bob's image into her namespace: bob's rmi -f by id would drop her tag too
sbdocker tag "berth/$ATT/mine:latest" "berth/$VIC/frombob:latest" >/dev/null
MINE_ID=$(api "/images/berth/$ATT/mine:latest/json" | jq -r .Id)
attack "rmi -f of his own image by id, alice's tag on it" $ATT rmi -f "$MINE_ID"
attack "rmi -f by a short id prefix"          $ATT rmi -f "$(cut -c8-19 <<<"$MINE_ID")"
sbdocker rmi "berth/$VIC/frombob:latest" >/dev/null
done_testing
