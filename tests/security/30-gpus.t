#!/bin/bash
# GPUs come only from a reservation: GPU environment variables in every
# spelling docker accepts (-e, --env=, attached, bundled, --env-file with a
# byte-order mark, CRLF line ends, leading white space), NVIDIA_MIG_*,
# NVIDIA_DRIVER_CAPABILITIES, CUDA_VISIBLE_DEVICES; --gpus past the quota;
# mounts at the NVIDIA toolkit's device-list paths; GPU runtimes.
. "$(dirname "$0")/lib.sh"
sec_setup
check_harness

envfile() { # envfile NAME CONTENT (printf format): a file bob owns
	printf "$2" > "$AH/$1"
	chown "$ATT:" "$AH/$1"
}
envfile env-plain  '# GPUs\nNVIDIA_VISIBLE_DEVICES=all\n'
envfile env-bom    '\357\273\277NVIDIA_VISIBLE_DEVICES=all\n'
envfile env-crlf   'A=1\r\nNVIDIA_VISIBLE_DEVICES=all\r\n'
envfile env-bomcrlf '\357\273\277NVIDIA_VISIBLE_DEVICES=all\r\nB=2\r\n'
envfile env-space  '   NVIDIA_VISIBLE_DEVICES=all\n'
envfile env-tab    '\tCUDA_VISIBLE_DEVICES=0\n'
envfile env-name   'NVIDIA_VISIBLE_DEVICES\n'
envfile env-caps   'NVIDIA_DRIVER_CAPABILITIES=all\n'
envfile env-mig    'NVIDIA_MIG_CONFIG_DEVICES=all\n'
envfile env-late   'A=1\nB=2\nC=3\n\n# the last one\nNVIDIA_VISIBLE_DEVICES=GPU-22222222-2222-2222-2222-222222222222\n'
envfile env-ok     'A=1\nB=2\n'

# --- positive controls ---------------------------------------------------------------------------
out=$(wd $ATT run --rm --env-file "$AH/env-ok" -e C=3 $IMG sh -c 'echo $A$B$C' 2>/dev/null)
is "$out" 123 "bob: an env-file and -e of ordinary variables work"
out=$(wd $ATT run --rm --gpus 1 $IMG sh -c 'echo $NVIDIA_VISIBLE_DEVICES' 2>/dev/null)
like "$out" '^(GPU|MIG)-' "bob: --gpus 1 works and brings one reserved GPU ($out)"
for i in $(seq 100); do # the daemon frees it when Docker reports the container gone
	[ "$(as root '{"op":"status"}' | jq "[.gpus[] | select(.user == \"$ATT\")] | length")" = 0 ] && break
	sleep 0.1
done

# --- GPU environment variables ----------------------------------------------------------------
attack "-e NVIDIA_VISIBLE_DEVICES=all"        $ATT run -e NVIDIA_VISIBLE_DEVICES=all $IMG true
attack "--env NVIDIA_VISIBLE_DEVICES=all"     $ATT run --env NVIDIA_VISIBLE_DEVICES=all $IMG true
attack "--env=NVIDIA_VISIBLE_DEVICES=0"       $ATT run --env=NVIDIA_VISIBLE_DEVICES=0 $IMG true
attack "-eNVIDIA_VISIBLE_DEVICES=all (attached)" $ATT run -eNVIDIA_VISIBLE_DEVICES=all $IMG true
attack -x cli "-t wants a terminal; the CLI stops before it asks" -x newcli "-t wants a terminal; the CLI stops before it asks" "-ite NVIDIA_VISIBLE_DEVICES=all (bundled)" $ATT run -ite NVIDIA_VISIBLE_DEVICES=all $IMG true
attack "-e NVIDIA_VISIBLE_DEVICES (from the environment)" $ATT run -e NVIDIA_VISIBLE_DEVICES $IMG true
attack "-e NVIDIA_VISIBLE_DEVICES=<another GPU's UUID>" $ATT run -e NVIDIA_VISIBLE_DEVICES=GPU-33333333-3333-3333-3333-333333333333 $IMG true
attack "-e NVIDIA_VISIBLE_DEVICES= after --gpus 1" $ATT run --gpus 1 -e NVIDIA_VISIBLE_DEVICES=all $IMG true
attack "-e NVIDIA_DRIVER_CAPABILITIES=all"    $ATT run -e NVIDIA_DRIVER_CAPABILITIES=all $IMG true
attack "--env=NVIDIA_DRIVER_CAPABILITIES=compute,utility" $ATT run --env=NVIDIA_DRIVER_CAPABILITIES=compute,utility $IMG true
attack "-e NVIDIA_MIG_CONFIG_DEVICES=all"     $ATT run -e NVIDIA_MIG_CONFIG_DEVICES=all $IMG true
attack "-e NVIDIA_MIG_MONITOR_DEVICES=all"    $ATT run -e NVIDIA_MIG_MONITOR_DEVICES=all $IMG true
attack "-e CUDA_VISIBLE_DEVICES=0"            $ATT run -e CUDA_VISIBLE_DEVICES=0 $IMG true
attack "--env=CUDA_VISIBLE_DEVICES=0,1"       $ATT create --env=CUDA_VISIBLE_DEVICES=0,1 $IMG true
attack "container run -e NVIDIA_VISIBLE_DEVICES" $ATT container run -e NVIDIA_VISIBLE_DEVICES=all $IMG true
attack "--env-file setting the GPU list"      $ATT run --env-file "$AH/env-plain" $IMG true
attack "--env-file=FILE"                      $ATT run "--env-file=$AH/env-plain" $IMG true
attack "--env-file with a byte-order mark"    $ATT run --env-file "$AH/env-bom" $IMG true
attack "--env-file with CRLF line ends"       $ATT run --env-file "$AH/env-crlf" $IMG true
attack "--env-file with a BOM and CRLF"       $ATT run --env-file "$AH/env-bomcrlf" $IMG true
attack "--env-file with leading spaces"       $ATT run --env-file "$AH/env-space" $IMG true
attack "--env-file with a leading tab (CUDA_)" $ATT run --env-file "$AH/env-tab" $IMG true
attack -w "a CLI takes the value from its own environment, where it is unset, and sends nothing" "--env-file naming the variable only"  $ATT run --env-file "$AH/env-name" $IMG true
attack "--env-file NVIDIA_DRIVER_CAPABILITIES" $ATT run --env-file "$AH/env-caps" $IMG true
attack "--env-file NVIDIA_MIG_CONFIG_DEVICES" $ATT run --env-file "$AH/env-mig" $IMG true
attack "--env-file, the GPU line last"        $ATT run --env-file "$AH/env-ok" --env-file "$AH/env-late" $IMG true
attack "--env-file by a relative path"        $ATT run --env-file ./env-bom $IMG true
# --- --gpus past the quota (2 per container) -----------------------------------------------
attack "--gpus 3"                             $ATT run --gpus 3 $IMG true
attack "--gpus=5"                             $ATT run --gpus=5 $IMG true
attack "--gpus count=3"                       $ATT run --gpus count=3 $IMG true
attack "--gpus 'count=3,capabilities=utility'" $ATT run --gpus count=3,capabilities=utility $IMG true
attack "--gpus '\"device=0,1,2\"'"            $ATT run --gpus '"device=0,1,2"' $IMG true
attack "--gpus twice, 1 then 3"               $ATT run --gpus 1 --gpus 3 $IMG true
attack -x cli "the CLI refuses it itself" -x newcli "the CLI refuses it itself" "--gpus garbage"                       $ATT run --gpus 'count=x' $IMG true
# --- the toolkit's device-list paths -----------------------------------------------------------
attack "-v at /var/run/nvidia-container-devices/all" $ATT run -v "$AH/work:/var/run/nvidia-container-devices/all" $IMG true
attack "-v at /run/nvidia-container-devices"  $ATT run -v "$AH/work:/run/nvidia-container-devices" $IMG true
attack "a named volume at the device-list dir" $ATT run -v gpuvol:/var/run/nvidia-container-devices $IMG true
attack "--mount at the device-list path/GPU"  $ATT run --mount "type=bind,src=$AH/work,dst=/var/run/nvidia-container-devices/GPU-00000000-0000-0000-0000-000000000000" $IMG true
attack "--mount type=tmpfs at the device-list dir" $ATT run --mount type=tmpfs,dst=/var/run/nvidia-container-devices $IMG true
attack "--tmpfs at the device-list dir"       $ATT run --tmpfs /var/run/nvidia-container-devices $IMG true
attack "the device-list path by .."           $ATT run -v "$AH/work:/var/run/x/../nvidia-container-devices/all" $IMG true
attack "the device-list path with //"         $ATT run -v "$AH/work://var/run//nvidia-container-devices/all" $IMG true
# --- GPU runtimes and devices ---------------------------------------------------------------
attack "--runtime nvidia (not allowed here)"  $ATT run --runtime nvidia $IMG true
attack "--device /dev/nvidia0"                $ATT run --device /dev/nvidia0 $IMG true
attack -x cli "Debian's CLI 20.10 knows no CDI names and refuses them itself" "--device nvidia.com/gpu=all (CDI)"    $ATT run --device nvidia.com/gpu=all $IMG true
attack "-l berth.gpus=<a GPU>"                $ATT run -l berth.gpus=GPU-00000000-0000-0000-0000-000000000000 $IMG true
done_testing
