#!/bin/bash
# Every option docker has, decided: --use-api-socket, --ulimit, log drivers
# and options, swap, CPU shares and sets, annotations, storage options,
# volume drivers, the OOM killer, checkpoints, unknown options; update held
# to create's limits; build's network, ulimits, cgroup parent, entitlements
# and security options; compose and buildx bake refused by the wrapper.
. "$(dirname "$0")/lib.sh"
sec_setup
check_harness
own bobplain
printf 'FROM %s\nRUN true\n' "$IMG" > "$AH/Dockerfile"; chown "$ATT:" "$AH/Dockerfile"
printf 'services:\n  x:\n    image: %s\n    privileged: true\n    volumes: ["/etc:/x"]\n' "$IMG" > "$AH/compose.yaml"
printf 'target "x" {\n  dockerfile = "Dockerfile"\n  context = "."\n}\n' > "$AH/docker-bake.hcl"
chown "$ATT:" "$AH/compose.yaml" "$AH/docker-bake.hcl"

# --- positive controls ----------------------------------------------------------------------------
out=$(wd $ATT run --rm --ulimit nofile=1024:1024 --log-driver local --log-opt max-size=1m --cpu-shares 512 \
	--cpuset-cpus 0 -m 128m --memory-swap 128m $IMG true 2>&1 | grep -v '^WARNING: IPv4'; echo "rc=${PIPESTATUS[0]}")
is "$out" "rc=0" "bob: ordinary --ulimit, --log-driver local, --log-opt max-size, --cpu-shares, --cpuset-cpus, equal swap work"
out=$(wd $ATT update --cpus 0.5 bobplain 2>&1)
ok $? "bob: update --cpus 0.5 of his own within his slice"; [ "$out" = "bobplain" ] || [ "$out" = "bobplain._.$ATT" ] || diag "$out"

# --- run and create options ------------------------------------------------------------------
attack -x cli "Debian's CLI 20.10 has no such option" "--use-api-socket"                     $ATT run --use-api-socket $IMG true
attack "--ulimit rtprio=99"                   $ATT run --ulimit rtprio=99 $IMG true
attack "--ulimit rtprio=99:99"                $ATT run --ulimit rtprio=99:99 $IMG true
attack -x cli "the CLI refuses the name itself" -x newcli "the CLI refuses the name itself" "--ulimit=RTPRIO=99 (case)"            $ATT run --ulimit=RTPRIO=99 $IMG true
attack "--ulimit memlock=-1:-1"               $ATT run --ulimit memlock=-1:-1 $IMG true
attack "--ulimit rttime=-1"                   $ATT run --ulimit rttime=-1 $IMG true
attack "--ulimit nice=40"                     $ATT run --ulimit nice=40 $IMG true
attack "--ulimit nofile, then memlock"        $ATT create --ulimit nofile=1024 --ulimit memlock=-1 $IMG true
attack "--log-driver journald"                $ATT run --log-driver journald $IMG true
attack "--log-driver=syslog"                  $ATT run --log-driver=syslog $IMG true
attack "--log-driver gelf"                    $ATT run --log-driver gelf --log-opt gelf-address=udp://1.2.3.4:12201 $IMG true
attack "--log-driver fluentd"                 $ATT run --log-driver fluentd $IMG true
attack "--log-driver JOURNALD (case)"         $ATT run --log-driver JOURNALD $IMG true
attack "--log-opt tag=…"                      $ATT run --log-opt 'tag={{.Name}}' $IMG true
attack "--log-opt labels=berth.user"          $ATT run --log-opt labels=berth.user $IMG true
attack "--log-opt env=… (copies env into logs)" $ATT run --log-opt env=HOME $IMG true
attack "--log-opt syslog-address="            $ATT run --log-opt syslog-address=udp://1.2.3.4:514 $IMG true
attack "--memory-swap -1"                     $ATT run --memory-swap -1 $IMG true
attack "--memory-swap=1g"                     $ATT run --memory-swap=1g $IMG true
attack "-m 128m --memory-swap 256m"           $ATT run -m 128m --memory-swap 256m $IMG true
attack "--cpu-shares 262144"                  $ATT run --cpu-shares 262144 $IMG true
attack "--cpu-shares=1000000"                 $ATT run --cpu-shares=1000000 $IMG true
attack "-c 1 (--cpu-shares, short)"           $ATT run -c 1 $IMG true
attack "--cpuset-cpus 0-1023"                 $ATT run --cpuset-cpus 0-1023 $IMG true
attack "--cpuset-cpus=512"                    $ATT run --cpuset-cpus=512 $IMG true
attack "--cpuset-cpus 0,4095"                 $ATT run --cpuset-cpus 0,4095 $IMG true
attack "--cpuset-mems 63"                     $ATT run --cpuset-mems 63 $IMG true
# (annotations need API 1.43: Debian's CLI has no such option, and a newer
# one will not send it to this dockerd, which speaks 1.41; 80-doors.t sends
# the JSON itself)
api143=(-x cli "Debian's CLI 20.10 has no --annotation" -x newcli "the CLI sends annotations only to API 1.43 and later")
attack "${api143[@]}" "--annotation cdi (GPUs via CDI)"      $ATT run --annotation cdi.k8s.io/gpu=nvidia.com/gpu=all $IMG true
attack "${api143[@]}" "--annotation=foo=bar"                 $ATT run --annotation=foo=bar $IMG true
attack "--storage-opt dm.basesize=100G"       $ATT run --storage-opt dm.basesize=100G $IMG true
attack "--storage-opt=foo=bar"                $ATT run --storage-opt=foo=bar $IMG true
attack "--volume-driver nfs"                  $ATT run --volume-driver nfs $IMG true
attack "--volume-driver=vieux/sshfs"          $ATT run --volume-driver=vieux/sshfs -v x:/x $IMG true
attack "--oom-kill-disable"                   $ATT run --oom-kill-disable $IMG true
attack "--oom-kill-disable=true"              $ATT run --oom-kill-disable=true $IMG true
attack "--cpu-rt-runtime 950000"              $ATT run --cpu-rt-runtime 950000 $IMG true
attack "--cpu-period=1000"                    $ATT run --cpu-period=1000 $IMG true
attack -w "the CLI's own options" "an unknown option"                    $ATT run --frobnicate $IMG true
attack -w "the CLI's own options" "an unknown option with a value"       $ATT run --frobnicate=1 $IMG true
attack -w "the CLI's own options" "an unknown short option"              $ATT run -Z $IMG true
attack -w "the CLI's own options" "an abbreviated option (--priv)"       $ATT run --priv $IMG true
# --- checkpoints (dockerd writes where it is told) ---------------------------------------------
# (a CLI asks for an experimental daemon before it sends any of these)
xp=(-x cli "the CLI wants an experimental daemon" -x newcli "the CLI wants an experimental daemon")
attack "${xp[@]}" "start --checkpoint-dir /etc"          $ATT start --checkpoint c1 --checkpoint-dir /etc bobplain
attack "${xp[@]}" "checkpoint create --checkpoint-dir"   $ATT checkpoint create --checkpoint-dir "$AH/work" bobplain c1
attack "${xp[@]}" "checkpoint ls of his own"             $ATT checkpoint ls --checkpoint-dir /etc bobplain
attack "${xp[@]}" "start --checkpoint of his own"         $ATT start --checkpoint c1 bobplain
attack "${xp[@]}" "container start --checkpoint-dir=/etc" $ATT container start --checkpoint-dir=/etc bobplain
attack "${xp[@]}" "checkpoint rm of his own"             $ATT checkpoint rm bobplain c1
# --- update holds create's limits -----------------------------------------------------------------
attack "update --cpus 8"                      $ATT update --cpus 8 bobplain
attack "update --memory 4g"                   $ATT update --memory 4g bobplain
attack "update --cpu-quota"                   $ATT update --cpu-quota 1000000 bobplain
attack "update --cpu-shares 262144"           $ATT update --cpu-shares 262144 bobplain
attack "update --cpuset-cpus 0-1023"          $ATT update --cpuset-cpus 0-1023 bobplain
attack "update --memory-swap -1"              $ATT update --memory-swap -1 bobplain
attack "update --cpu-rt-runtime 950000"       $ATT update --cpu-rt-runtime 950000 bobplain
attack -w "through the API 0 leaves the limit as it is" "update --cpus 0 (unlimited)"          $ATT update --cpus 0 bobplain
attack "container update --memory-swap -1"    $ATT container update --memory-swap -1 bobplain
# --- build ------------------------------------------------------------------------------------
ATTACK_STDIN="$AH/Dockerfile" attack "build --network container:<alice's>" $ATT build --network "container:$VCONT" -
ATTACK_STDIN="$AH/Dockerfile" attack "build --network=container:<id prefix>" $ATT build "--network=container:${VID:0:12}" -
ATTACK_STDIN="$AH/Dockerfile" attack "build --network host" $ATT build --network host -
ATTACK_STDIN="$AH/Dockerfile" attack "build --ulimit nofile=1024" $ATT build --ulimit nofile=1024 -
ATTACK_STDIN="$AH/Dockerfile" attack "build --ulimit memlock=-1" $ATT build --ulimit memlock=-1 -
ATTACK_STDIN="$AH/Dockerfile" attack "build --cgroup-parent /" $ATT build --cgroup-parent / -
ATTACK_STDIN="$AH/Dockerfile" attack "build --cgroup-parent=berth.slice" $ATT build --cgroup-parent=berth.slice -
ATTACK_STDIN="$AH/Dockerfile" attack "build --security-opt seccomp=unconfined" $ATT build --security-opt seccomp=unconfined -
ATTACK_STDIN="$AH/Dockerfile" attack "image build --network host" $ATT image build --network host -
# (the wrapper refuses the plugins it cannot see into; docker-compose and
# the SDK meet the gate in 80-doors.t)
plug=(-w "a plugin the wrapper cannot see into")
attack "${plug[@]}" "buildx build --allow security.insecure" $ATT buildx build --allow security.insecure -f "$AH/Dockerfile" "$AH/work"
attack "${plug[@]}" "buildx build --allow network.host"    $ATT buildx build --allow network.host --network host -f "$AH/Dockerfile" "$AH/work"
# --- compose and bake, which the wrapper cannot see into ----------------------------------------
attack "${plug[@]}" "compose up"                           $ATT compose up -d
attack "${plug[@]}" "compose -f FILE up"                   $ATT compose -f "$AH/compose.yaml" up -d
attack "${plug[@]}" "compose run"                          $ATT compose run x true
attack "${plug[@]}" "buildx bake"                          $ATT buildx bake
attack "${plug[@]}" "buildx bake -f FILE"                  $ATT buildx bake -f "$AH/docker-bake.hcl" x
attack "${plug[@]}" "buildx create --bootstrap"            $ATT buildx create --bootstrap --name bobx
attack "${plug[@]}" "buildx inspect --bootstrap"           $ATT buildx inspect --bootstrap
done_testing
