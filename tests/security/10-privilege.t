#!/bin/bash
# Privilege: --privileged, capabilities, security options, the host's
# namespaces, another user's namespaces, devices (block, memory, GPU, CDI
# names, symlinks to them, cgroup rules), runtimes and cgroup parents.
# Every attack is run by bob through the wrapper and must be refused with
# nothing changed (tests/security/lib.sh).
. "$(dirname "$0")/lib.sh"

sec_setup
check_harness

# --- positive controls: the rules are not "refuse everything" ------------------------------
out=$(wd $ATT run --rm $IMG echo hello 2>/dev/null)
is "$out" "hello" "bob: a plain docker run works"
out=$(wd $ATT run --rm --cap-add NET_BIND_SERVICE --security-opt no-new-privileges --device /dev/fuse $IMG true 2>&1)
ok $? "bob: an allowed capability, no-new-privileges and a listed device work"; [ -z "$out" ] || diag "$out"
asuser $ATT 'ln -sfn /dev/mem mem-link; ln -sfn /dev/loop0 disk-link; ln -sfn /dev/fuse dev-link'

# a device symlink swapped between create and start changes nothing: docker
# was given the resolved path
wd $ATT create --name devswap --device "$AH/dev-link:/dev/x" $IMG true >/dev/null 2>&1
asuser $ATT 'ln -sfn /dev/mem dev-link'
is "$(api /containers/devswap._.$ATT/json | jq -r '.HostConfig.Devices[0].PathOnHost')" /dev/fuse \
	"a device symlink swapped after create: docker holds the resolved /dev/fuse, not the link"
sbdocker rm -f devswap._.$ATT >/dev/null 2>&1

# --- privileged ---------------------------------------------------------------------------------
attack "--privileged"                        $ATT run --privileged $IMG true
attack "--privileged=true"                   $ATT run --privileged=true $IMG true
attack "--privileged=1"                      $ATT run --privileged=1 $IMG true
attack "--privileged=TRUE"                   $ATT create --privileged=TRUE $IMG true
attack "container run --privileged"          $ATT container run --privileged $IMG true
attack "container create --privileged"       $ATT container create --privileged $IMG true
attack "bundled -dit before --privileged"    $ATT run -dit --privileged $IMG sh
attack "--privileged after -e and -v values" $ATT run -e A=--x -v "$AH/work:/w" --privileged $IMG true
attack "global -H before run --privileged"   $ATT -H "unix://$SB/docker.sock" run --privileged $IMG true
# --- capabilities ------------------------------------------------------------------------------
attack "--cap-add SYS_ADMIN"                 $ATT run --cap-add SYS_ADMIN $IMG true
attack "--cap-add=sys_admin"                 $ATT run --cap-add=sys_admin $IMG true
attack "--cap-add CAP_SYS_ADMIN"             $ATT create --cap-add CAP_SYS_ADMIN $IMG true
attack "--cap-add=cap_sys_admin"             $ATT run --cap-add=cap_sys_admin $IMG true
attack "--cap-add ALL"                       $ATT run --cap-add ALL $IMG true
attack "--cap-add all"                       $ATT run --cap-add all $IMG true
attack "--cap-add SYS_MODULE"                $ATT run --cap-add SYS_MODULE $IMG true
attack "--cap-add DAC_READ_SEARCH"           $ATT run --cap-add DAC_READ_SEARCH $IMG true
attack "--cap-add an allowed,a forbidden one" $ATT run --cap-add NET_BIND_SERVICE,SYS_PTRACE $IMG true
attack "a second --cap-add after an allowed" $ATT run --cap-add NET_BIND_SERVICE --cap-add SETFCAP $IMG true
# --- security options --------------------------------------------------------------------------
attack "--security-opt seccomp=unconfined"   $ATT run --security-opt seccomp=unconfined $IMG true
attack "--security-opt seccomp:unconfined"   $ATT run --security-opt seccomp:unconfined $IMG true
asuser $ATT 'echo "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}" > allow-all.json'
attack "--security-opt seccomp=<own profile>" $ATT run --security-opt "seccomp=$AH/allow-all.json" $IMG true
attack "--security-opt apparmor=unconfined"  $ATT run --security-opt apparmor=unconfined $IMG true
attack "--security-opt=label=disable"        $ATT run --security-opt=label=disable $IMG true
attack "--security-opt label:disable"        $ATT run --security-opt label:disable $IMG true
attack "--security-opt systempaths=unconfined" $ATT run --security-opt systempaths=unconfined $IMG true
# --- the host's namespaces ----------------------------------------------------------------------
attack "--userns host"                       $ATT run --userns host $IMG true
attack "--userns=host"                       $ATT run --userns=host $IMG true
attack "--pid host"                          $ATT run --pid host $IMG true
attack "--pid=host"                          $ATT container create --pid=host $IMG true
attack "--ipc host"                          $ATT run --ipc host $IMG true
attack "--ipc=host"                          $ATT create --ipc=host $IMG true
attack "--uts host"                          $ATT run --uts host $IMG true
attack "--uts=host"                          $ATT run --uts=host $IMG true
attack "--cgroupns host"                     $ATT run --cgroupns host $IMG true
attack "--cgroupns=host"                     $ATT run --cgroupns=host $IMG true
attack "--network host"                      $ATT run --network host $IMG true
attack "--net=host"                          $ATT run --net=host $IMG true
# --- another user's namespaces ------------------------------------------------------------------
attack "--pid container:<alice's>"           $ATT run --pid "container:$VCONT" $IMG true
attack "--pid container:<alice's id prefix>" $ATT run --pid "container:${VID:0:12}" $IMG true
attack "--ipc container:<alice's>"           $ATT run --ipc "container:$VCONT" $IMG true
attack "--network container:<alice's>"       $ATT run --network "container:$VCONT" $IMG true
attack "--net=container:<alice's full id>"   $ATT run "--net=container:$VID" $IMG true
# --- devices -----------------------------------------------------------------------------------
attack "--device /dev/sda"                   $ATT run --device /dev/sda $IMG true
attack "--device=/dev/mem"                   $ATT run --device=/dev/mem $IMG true
attack "--device /dev/kmem"                  $ATT run --device /dev/kmem $IMG true
attack "--device /dev/loop0 (block)"         $ATT run --device /dev/loop0 $IMG true
attack "--device /dev/net/tun (not listed)"  $ATT run --device /dev/net/tun $IMG true
attack "--device /dev/tty (not listed)"      $ATT run --device /dev/tty $IMG true
attack "--device /dev/sda:/dev/xvda:rwm"     $ATT run --device /dev/sda:/dev/xvda:rwm $IMG true
attack "--device /dev/../dev/mem"            $ATT run --device /dev/../dev/mem $IMG true
attack "--device a symlink to /dev/mem"      $ATT run --device "$AH/mem-link" $IMG true
attack "--device a symlink to a block device" $ATT run --device "$AH/disk-link:/dev/d" $IMG true
attack "--device /dev/nvidia0"               $ATT run --device /dev/nvidia0 $IMG true
attack "--device /dev/nvidiactl"             $ATT run --device /dev/nvidiactl $IMG true
attack "--device=/dev/nvidia-uvm"            $ATT run --device=/dev/nvidia-uvm $IMG true
attack -x cli "Debian's CLI 20.10 knows no CDI names and refuses them itself" "--device nvidia.com/gpu=all (CDI)"   $ATT run --device nvidia.com/gpu=all $IMG true
attack -x cli "Debian's CLI 20.10 knows no CDI names and refuses them itself" "--device=nvidia.com/gpu=0 (CDI)"     $ATT run --device=nvidia.com/gpu=0 $IMG true
attack -x cli "Debian's CLI 20.10 knows no CDI names and refuses them itself" "--device vendor.example/class=x (CDI)" $ATT create --device vendor.example/class=x $IMG true
attack "--device-cgroup-rule 'b *:* rwm'"    $ATT run --device-cgroup-rule 'b *:* rwm' $IMG true
attack "--device-cgroup-rule='c 1:1 rwm'"    $ATT run '--device-cgroup-rule=c 1:1 rwm' $IMG true
# --- runtimes and cgroups -----------------------------------------------------------------------
attack "--runtime runsc"                     $ATT run --runtime runsc $IMG true
attack "--cgroup-parent=/"                   $ATT run --cgroup-parent=/ $IMG true
attack "--cgroup-parent berth.slice"         $ATT create --cgroup-parent berth.slice $IMG true
attack "--cgroup-parent <alice's slice>"     $ATT run --cgroup-parent berth-students-berthtali.slice $IMG true
attack "--oom-score-adj -1000"               $ATT run --oom-score-adj -1000 $IMG true
done_testing
