#!/bin/bash
# Volumes: created with no driver options and labelled with their owner; a
# user mounts, inspects and removes only their own or admin-made shared
# ones. Attacks: volume create binding a host path (every -o spelling, a
# symlink, ..), a driver other than local, a forged owner label, and
# mounting, inspecting or removing alice's volume.
. "$(dirname "$0")/lib.sh"
sec_setup
check_harness
asuser $ATT 'ln -sfn /etc etc-link'
sbdocker volume create shared-data >/dev/null # made by an admin: shared

# --- positive controls ---------------------------------------------------------------------------
out=$(wd $ATT volume create bobvol 2>&1)
ok $? "bob: volume create of a plain volume works"; [ "$out" = bobvol ] || diag "$out"
owner=$(api /volumes/bobvol | jq -r '.Labels["berth.user"] // ""')
tok "$([ "$owner" = "$ATT" ] && echo 0 || echo 1)" "and it is labelled with its owner (berth.user=$owner)"
out=$(wd $ATT run --rm -v bobvol:/v $IMG sh -c 'echo hi > /v/f && cat /v/f' 2>/dev/null)
is "$out" hi "bob: a container may mount his own volume"
out=$(wd $ATT run --rm -v shared-data:/v:ro $IMG true 2>&1 | grep -v '^WARNING: IPv4'; echo "rc=${PIPESTATUS[0]}")
is "$out" "rc=0" "bob: a container may mount an admin-made shared volume"

# --- volume create ---------------------------------------------------------------------------------
attack "volume create -o device=/etc"         $ATT volume create -o device=/etc v1
attack "volume create, the bind in three -o"  $ATT volume create -o type=none -o o=bind -o device=/etc v2
attack "volume create --opt=device=/"         $ATT volume create --opt=device=/ -o type=none -o o=bind v3
attack "volume create --opt device=alice's home" $ATT volume create --opt device=/home/berthtali -o type=none -o o=bind v4
attack "volume create device= by .."          $ATT volume create -o device=/home/berthtbob/../berthtali -o type=none -o o=bind v5
attack "volume create device= a symlink to /etc" $ATT volume create -o "device=$AH/etc-link" -o type=none -o o=bind v6
attack "volume create device= relative"       $ATT volume create -o device=../berthtali -o type=none -o o=bind v7
attack "volume create -o o=bind only"         $ATT volume create -o o=bind v8
attack "volume create -o type=nfs"            $ATT volume create -o type=nfs -o o=addr=10.0.0.1 -o device=:/export v9
attack "volume create -o type=tmpfs"          $ATT volume create -o type=tmpfs -o device=tmpfs -o o=size=100g v10
attack "volume create -o device=/dev/sda (block)" $ATT volume create -o type=ext4 -o device=/dev/sda v11
attack "volume create --driver nfs"           $ATT volume create --driver nfs v12
attack "volume create -d vieux/sshfs"         $ATT volume create -d vieux/sshfs v13
attack "volume create --driver=local-persist" $ATT volume create --driver=local-persist v14
attack "volume create --label berth.user=alice" $ATT volume create --label berth.user=$VIC v15
attack "volume create --label=Berth.User (case)" $ATT volume create --label=Berth.User=$VIC v16
attack "volume create of alice's volume name" $ATT volume create $VVOL
attack "volume create --name=<alice's volume>" $ATT volume create --name=$VVOL
# --- another user's volume ---------------------------------------------------------------------------
attack "run -v <alice's volume>:/x"           $ATT run -v $VVOL:/x $IMG true
attack "run -v <alice's volume>:/x:ro"        $ATT run -v $VVOL:/x:ro $IMG true
attack "--mount source=<alice's volume>"      $ATT run --mount source=$VVOL,target=/x $IMG true
attack "--mount type=volume,src=<alice's>"    $ATT create --mount type=volume,src=$VVOL,dst=/x $IMG true
attack "--mount Type=Volume,Source=<alice's> (case)" $ATT run --mount Type=Volume,Source=$VVOL,Target=/x $IMG true
attack "volume rm <alice's>"                  $ATT volume rm $VVOL
attack "volume rm -f <alice's>"               $ATT volume rm -f $VVOL
attack -w "a CLI removes one name at a time: his own goes, the victim's is refused" "volume remove <alice's>, his own first" $ATT volume remove bobvol $VVOL
attack "volume inspect <alice's>"             $ATT volume inspect $VVOL
attack -w "the gate lets him prune his own volumes and nobody else's" "volume prune"                         $ATT volume prune -f
attack -x cli "Debian's CLI 20.10 has no prune --all" -x newcli "the CLI sends --all only to API 1.42 and later; this dockerd speaks 1.41" "volume prune --all"                   $ATT volume prune -a -f
attack "volume rm of the shared volume"       $ATT volume rm shared-data
attack "volume rm -f of the shared volume"    $ATT volume rm -f shared-data
attack -w "a CLI removes one name at a time: his own goes, the shared one is refused" "volume remove, his own first, then the shared one" $ATT volume remove bobvol shared-data
attack "volume create of the shared volume's name" $ATT volume create shared-data
done_testing
