#!/bin/bash
# Host paths: binds outside the allowed paths in every spelling docker takes
# (-v, --volume=, --mount type=bind in CSV variants, relative paths, "..",
# symlinks, another user's home, a volume whose options bind a host path,
# --volumes-from another user's container), and the run-as-owner rule: a
# container that meets a host path runs as its owner, so root inside never
# writes on the host (the two-command root of issue 13 and its variants).
. "$(dirname "$0")/lib.sh"
sec_setup
check_harness
UIDB=$(id -u $ATT) GIDB=$(id -g $ATT)
# the payload of the two-command root: a setuid-root copy of a shell in bob's home
ROOTME='cp /bin/busybox /h/prog && chown 0:0 /h/prog && chmod 4755 /h/prog; touch /h/rootfile'
asuser $ATT 'ln -sfn /etc etc-link; ln -sfn /home/berthtali ali-link; ln -sfn / root-link; ln -sfn work work-link'

# --- positive controls --------------------------------------------------------------------------
out=$(wd $ATT run --rm -v "$AH/work:/w" $IMG cat /w/file 2>/dev/null)
is "$out" "mine" "bob: a bind of his own directory works"
out=$(wd $ATT run --rm -v "$SHARED/shared:/s:ro" $IMG true 2>&1)
ok $? "bob: a bind under the allowed directory besides ~ works"; [ -z "$out" ] || diag "$out"
out=$(wd $ATT run --rm -v "$AH/:/h" $IMG id -u 2>/dev/null)
tok "$([ "$out" = "$UIDB" ] && echo 0 || echo 1)" "bob: a container with his home bound runs as him (uid $UIDB, got '$out')"
out=$(wd $ATT run --rm -v "$AH/:/h" $IMG sh -c 'touch /h/made-inside && stat -c %u /h/made-inside' 2>/dev/null)
tok "$([ "$out" = "$UIDB" ] && echo 0 || echo 1)" "and what it writes in his home is his (got '$out')"
rm -f "$AH/made-inside"
out=$(wd $ATT run --rm -v "$AH/:/h" -u "$UIDB:$GIDB" $IMG id -u 2>/dev/null)
is "$out" "$UIDB" "bob: -u of his own uid:gid with his home bound works"
out=$(wd $ATT run --rm $IMG id -u 2>/dev/null)
is "$out" 0 "bob: without host paths the container may run as root (volumes only)"
nnp=$(wd $ATT run --rm -v "$AH/:/h" $IMG grep NoNewPrivs /proc/self/status 2>/dev/null | tr -d '\t ')
tok "$([ "$nnp" = "NoNewPrivs:1" ] && echo 0 || echo 1)" "with host paths no-new-privileges is set (got '$nnp')"

# --- binds outside the allowed paths ---------------------------------------------------------
attack "-v /etc:/x"                           $ATT run -v /etc:/x $IMG true
attack "-v/etc:/x (attached value)"           $ATT run -v/etc:/x $IMG true
attack "--volume=/:/host"                     $ATT run --volume=/:/host $IMG true
attack "--volume /etc:/x:ro"                  $ATT run --volume /etc:/x:ro $IMG true
attack -x cli "-t wants a terminal; the CLI stops before it asks" -x newcli "-t wants a terminal; the CLI stops before it asks" "-itv /etc:/x (bundled)"               $ATT run -itv /etc:/x $IMG true
attack "-v /root:/x"                          $ATT create -v /root:/x $IMG true
attack "-v /var/run:/x (dockerd's socket)"    $ATT run -v /var/run:/x $IMG true
attack "-v $SB/docker.sock:/var/run/docker.sock" $ATT run -v "$SB/docker.sock:/var/run/docker.sock" $IMG true
attack "-v /home/berthtali:/x"                $ATT run -v /home/berthtali:/x $IMG true
attack "-v /home/berthtali/:/x"               $ATT run -v /home/berthtali/:/x $IMG true
attack "-v /home/berthtali/data:/x"           $ATT run -v /home/berthtali/data:/x $IMG true
attack "-v /home:/x (every home)"             $ATT run -v /home:/x $IMG true
attack "-v '~berthtali:/x' (literal tilde)" $ATT run -v '~berthtali:/x' $IMG true
attack "-v '~berthtali/data:/x' (literal)" $ATT run -v '~berthtali/data:/x' $IMG true
attack "-v '~/../berthtali:/x' (literal)" $ATT run -v '~/../berthtali:/x' $IMG true
attack "/home/bob/../berthtali via .."        $ATT run -v /home/berthtbob/../berthtali:/x $IMG true
attack "-v /home//berthtali:/x"               $ATT run -v /home//berthtali:/x $IMG true
attack "-v /home/./berthtali/.:/x"            $ATT run -v /home/./berthtali/.:/x $IMG true
UP=$(printf '/..%.0s' $(seq "$(printf %s "$SHARED" | tr -cd / | wc -c)")) # from the allowed dir up to /
attack "-v <allowed dir>/../…/etc:/x"         $ATT run -v "$SHARED$UP/etc:/x" $IMG true
attack "relative -v ../berthtali:/x"          $ATT run -v ../berthtali:/x $IMG true
attack "relative -v ./../berthtali:/x"        $ATT run -v ./../berthtali:/x $IMG true
attack "relative -v ../../etc:/x"             $ATT run -v ../../etc:/x $IMG true
attack "a symlink in bob's home to /etc"      $ATT run -v "$AH/etc-link:/x" $IMG true
attack "a path under the symlink"             $ATT run -v "$AH/etc-link/ssl:/x" $IMG true
attack "a symlink to alice's home"            $ATT run -v "$AH/ali-link/data:/x" $IMG true
attack "a symlink to / then etc"              $ATT run -v "$AH/root-link/etc:/x" $IMG true
attack "--mount type=bind,src=/etc,dst=/x"    $ATT run --mount type=bind,src=/etc,dst=/x $IMG true
attack "--mount type=bind,source=/,target=/x" $ATT create --mount type=bind,source=/,target=/x $IMG true
attack "--mount=type=bind,...,destination=/x" $ATT run --mount=type=bind,source=/etc,destination=/x $IMG true
attack "--mount dst first, src last"          $ATT run --mount type=bind,dst=/x,src=/etc $IMG true
attack "--mount Type=Bind,Source=/etc (case)" $ATT run --mount Type=Bind,Source=/etc,Target=/x $IMG true
attack "--mount with a quoted \"source=/etc\"" $ATT run --mount 'type=bind,"source=/etc",target=/x' $IMG true
attack "--mount with a quoted \"src=/etc,x\""  $ATT run --mount 'type=bind,"src=/etc",dst=/x,readonly' $IMG true
attack -x cli "the CLI refuses the quotes itself" -x newcli "the CLI refuses the quotes itself" "--mount src=\"/etc\" (inner quotes)"  $ATT run --mount 'type=bind,src="/etc",dst=/x' $IMG true
attack "--mount src twice, the last /etc"     $ATT run --mount "type=bind,src=$AH/work,src=/etc,dst=/x" $IMG true
attack "--mount type twice, the last bind"    $ATT run --mount "type=volume,type=bind,src=/etc,dst=/x" $IMG true
attack "--mount bind-propagation=rshared of /" $ATT run --mount type=bind,src=/,dst=/x,bind-propagation=rshared $IMG true
attack "--mount of alice's home by .."        $ATT run --mount "type=bind,src=$AH/../berthtali,dst=/x" $IMG true
attack "--mount of a symlink to /etc"         $ATT run --mount "type=bind,src=$AH/etc-link,dst=/x" $IMG true
attack "--mount volume with device=/etc"      $ATT run --mount type=volume,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc $IMG true
attack "--mount volume, quoted \"volume-opt=device=/etc\"" $ATT run --mount 'type=volume,dst=/x,volume-opt=type=none,volume-opt=o=bind,"volume-opt=device=/etc"' $IMG true
attack "--mount volume, device= of alice's home" $ATT run --mount type=volume,src=sneaky,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/home/berthtali $IMG true
attack "--mount type=npipe"                   $ATT run --mount type=npipe,src=/x,dst=/y $IMG true
attack "--volumes-from alice's container"     $ATT run --volumes-from $VCONT $IMG true
attack "--volumes-from alice's, :ro"          $ATT run --volumes-from "$VCONT:ro" $IMG true
attack "--volumes-from alice's id prefix"     $ATT run --volumes-from "${VID:0:12}" $IMG true
attack "--volumes-from=<alice's full id>"     $ATT create "--volumes-from=$VID" $IMG true

# --- the run-as-owner rule: host paths never meet root -----------------------------------------
attack "-v ~/:/h -u 0 (the two-command root)" $ATT run -v "$AH/:/h" -u 0 $IMG sh -c "$ROOTME"
attack "-v ~/:/h --user root"                 $ATT run -v "$AH/:/h" --user root $IMG sh -c "$ROOTME"
attack "-v ~/:/h --user 0:0"                  $ATT run -v "$AH/:/h" --user 0:0 $IMG sh -c "$ROOTME"
attack "-v ~/:/h --user=0"                    $ATT run -v "$AH/:/h" --user=0 $IMG sh -c "$ROOTME"
attack "-v ~/:/h -u0 (attached)"              $ATT run -v "$AH/:/h" -u0 $IMG sh -c "$ROOTME"
attack "-v ~/:/h -u root:root"                $ATT run -v "$AH/:/h" -u root:root $IMG sh -c "$ROOTME"
attack "-v ~/:/h -u <his uid>:0"              $ATT run -v "$AH/:/h" -u "$UIDB:0" $IMG sh -c "$ROOTME"
attack "-v ~/:/h -u berthtbob:0"              $ATT run -v "$AH/:/h" -u "berthtbob:0" $IMG sh -c "$ROOTME"
attack "-v ~/:/h -u <alice's uid>"            $ATT run -v "$AH/:/h" -u "$(id -u $VIC)" $IMG sh -c "$ROOTME"
attack "-v ~/:/h -u 1 (daemon)"               $ATT run -v "$AH/:/h" -u 1 $IMG sh -c "$ROOTME"
attack "-v ~/:/h --group-add 0"               $ATT run -v "$AH/:/h" --group-add 0 $IMG sh -c "$ROOTME"
attack "-v ~/:/h --group-add root"            $ATT run -v "$AH/:/h" --group-add root $IMG sh -c "$ROOTME"
attack "-v ~/:/h --group-add <alice's gid>"   $ATT run -v "$AH/:/h" --group-add "$(id -g $VIC)" $IMG true
attack "-v ~/:/h -u 0 --privileged"           $ATT run -v "$AH/:/h" -u 0 --privileged $IMG sh -c "$ROOTME"
attack "--mount type=bind of ~ with -u 0"     $ATT run --mount "type=bind,src=$AH,dst=/h" -u 0 $IMG sh -c "$ROOTME"
attack "-v of a symlink into ~ with -u 0"     $ATT run -v "$AH/work-link:/h" -u 0 $IMG sh -c "$ROOTME"
attack "-v <allowed dir>/shared with -u 0"          $ATT run -v "$SHARED/shared:/h" -u 0 $IMG sh -c "$ROOTME"
attack "a volume with device=~ and -u 0"      $ATT run --mount "type=volume,src=homevol,dst=/h,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=$AH" -u 0 $IMG sh -c "$ROOTME"
attack "-v ~/:/h -u 0 --security-opt no-new-privileges=false" $ATT run -v "$AH/:/h" -u 0 --security-opt no-new-privileges=false $IMG sh -c "$ROOTME"
attack "container create -v ~/:/h -u 0"       $ATT container create -v "$AH/:/h" -u 0 $IMG sh -c "$ROOTME"
# bob's own containers: one with his home bound, one without
own bobbind -v "$AH/:/h"
own bobplain
BBID=$(cid bobbind._.$ATT)
attack "--volumes-from his own bind container, -u 0" $ATT run --volumes-from bobbind._.$ATT -u 0 $IMG sh -c "$ROOTME"
attack "exec -u 0 into his container with binds" $ATT exec -u 0 bobbind sh -c "$ROOTME"
attack "exec --user root"                     $ATT exec --user root bobbind sh -c "$ROOTME"
attack "exec -u 0:0"                          $ATT exec -u 0:0 bobbind sh -c "$ROOTME"
attack "exec -u0 (attached)"                  $ATT exec -u0 bobbind sh -c "$ROOTME"
attack "exec -u <his uid>:0"                  $ATT exec -u "$UIDB:0" bobbind sh -c "$ROOTME"
attack "exec --privileged"                    $ATT exec --privileged bobbind sh -c "$ROOTME"
attack "container exec -u 0"                  $ATT container exec -u 0 bobbind sh -c "$ROOTME"
attack "exec -u 0 by id prefix"               $ATT exec -u 0 "${BBID:0:12}" sh -c "$ROOTME"
attack "exec -i -u 0 (bundled options)"       $ATT exec -iu 0 bobbind sh -c "$ROOTME"
attack "cp into his container with binds"     $ATT cp "$AH/work/file" bobbind:/tmp/
attack "cp out of his container with binds"   $ATT cp bobbind:/etc/passwd "$AH/work/stolen"
attack "container cp into it"                 $ATT container cp "$AH/work/file" "bobbind._.$ATT:/h/"
attack "cp into it by id prefix"              $ATT cp "$AH/work/file" "${BBID:0:12}:/tmp/"
out=$(wd $ATT exec bobplain id -u 2>&1)
is "$out" 0 "bob: exec into his own container without binds is root there (volumes only)"
wd $ATT cp bobplain:/etc/hostname - >/dev/null 2>&1
ok $? "bob: cp out of his own container without binds works"

# --- a bind symlink swapped between create and start ---------------------------------------
asuser $ATT 'ln -sfn work swap-link'
wd $ATT create --name swap -v "$AH/swap-link:/x" $IMG sleep 600 >/dev/null 2>&1
asuser $ATT 'ln -sfn /etc swap-link'
wd $ATT start swap >/dev/null 2>&1
src=$(api /containers/swap._.$ATT/json | jq -r '.Mounts[] | select(.Destination == "/x") | .Source')
tok "$([ "$src" = "$AH/work" ] && echo 0 || echo 1)" "a bind symlink swapped after create: docker holds the resolved $AH/work (got '$src')"
out=$(sbdocker exec swap._.$ATT cat /x/file 2>/dev/null)
is "$out" "mine" "and the started container sees bob's work, not /etc"
sbdocker rm -f swap._.$ATT >/dev/null 2>&1
out=$(find "$AH" "$VH" -xdev -uid 0 2>/dev/null | head -3)
is "$out" "" "no root-owned file is left in bob's or alice's home"
done_testing
