/* SPDX-License-Identifier: MIT */
/* The option tables of the docker commands berth polices: the union of
 * what /usr/bin/docker 20.10.24 and /usr/local/bin/docker 28.2.2 accept,
 * hidden and deprecated options included.  Generated, then checked by hand:
 * every long name from each command's --help (both CLIs) and every flag name
 * defined in docker/cli v20.10.24 and v28.2.2 (cli/, cmd/) was tried against
 * both binaries as "docker VERB --NAME" and "docker VERB -X" for every letter
 * and digit: "unknown flag" means absent, "flag needs an argument" means it
 * takes a value, anything else means boolean.  The buildx tables (buildx build
 * and prune, which "docker build" and "docker builder" become when the buildx
 * plugin is installed, even in a user's own ~/.docker/cli-plugins) come from
 * docker/buildx commands/build.go, prune.go and root.go, v0.10 to v0.36, as
 * buildx is not installed here.  -h is --help wherever a command has no -h
 * of its own (run/create: --hostname). */
#include "dockercli-tables.h"

#define B DOCKER_FLAG_BOOL
#define V DOCKER_FLAG_VALUE
#define O DOCKER_FLAG_OPTIONAL

static const struct docker_flag flags_global[] = {
        { "config", 0, V },
        { "context", 'c', V },
        { "debug", 'D', B },
        { "help", 'h', B },
        { "host", 'H', V },
        { "log-level", 'l', V },
        { "tls", 0, B },
        { "tlscacert", 0, V },
        { "tlscert", 0, V },
        { "tlskey", 0, V },
        { "tlsverify", 0, B },
        { "version", 'v', B },
};

static const struct docker_flag flags_run[] = {
        { "add-host", 0, V },
        { "annotation", 0, V },
        { "attach", 'a', V },
        { "blkio-weight", 0, V },
        { "blkio-weight-device", 0, V },
        { "cap-add", 0, V },
        { "cap-drop", 0, V },
        { "cgroup-parent", 0, V },
        { "cgroupns", 0, V },
        { "cidfile", 0, V },
        { "cpu-count", 0, V },
        { "cpu-percent", 0, V },
        { "cpu-period", 0, V },
        { "cpu-quota", 0, V },
        { "cpu-rt-period", 0, V },
        { "cpu-rt-runtime", 0, V },
        { "cpu-shares", 'c', V },
        { "cpus", 0, V },
        { "cpuset-cpus", 0, V },
        { "cpuset-mems", 0, V },
        { "detach", 'd', B },
        { "detach-keys", 0, V },
        { "device", 0, V },
        { "device-cgroup-rule", 0, V },
        { "device-read-bps", 0, V },
        { "device-read-iops", 0, V },
        { "device-write-bps", 0, V },
        { "device-write-iops", 0, V },
        { "disable-content-trust", 0, B },
        { "dns", 0, V },
        { "dns-opt", 0, V },  /* hidden */
        { "dns-option", 0, V },
        { "dns-search", 0, V },
        { "domainname", 0, V },
        { "entrypoint", 0, V },
        { "env", 'e', V },
        { "env-file", 0, V },
        { "expose", 0, V },
        { "gpus", 0, V },
        { "group-add", 0, V },
        { "health-cmd", 0, V },
        { "health-interval", 0, V },
        { "health-retries", 0, V },
        { "health-start-interval", 0, V },
        { "health-start-period", 0, V },
        { "health-timeout", 0, V },
        { "help", 0, B },
        { "hostname", 'h', V },
        { "init", 0, B },
        { "interactive", 'i', B },
        { "io-maxbandwidth", 0, V },
        { "io-maxiops", 0, V },
        { "ip", 0, V },
        { "ip6", 0, V },
        { "ipc", 0, V },
        { "isolation", 0, V },
        { "kernel-memory", 0, V },
        { "label", 'l', V },
        { "label-file", 0, V },
        { "link", 0, V },
        { "link-local-ip", 0, V },
        { "log-driver", 0, V },
        { "log-opt", 0, V },
        { "mac-address", 0, V },
        { "memory", 'm', V },
        { "memory-reservation", 0, V },
        { "memory-swap", 0, V },
        { "memory-swappiness", 0, V },
        { "mount", 0, V },
        { "name", 0, V },
        { "net", 0, V },  /* hidden */
        { "net-alias", 0, V },  /* hidden */
        { "network", 0, V },
        { "network-alias", 0, V },
        { "no-healthcheck", 0, B },
        { "oom-kill-disable", 0, B },
        { "oom-score-adj", 0, V },
        { "pid", 0, V },
        { "pids-limit", 0, V },
        { "platform", 0, V },
        { "privileged", 0, B },
        { "publish", 'p', V },
        { "publish-all", 'P', B },
        { "pull", 0, V },
        { "quiet", 'q', B },
        { "read-only", 0, B },
        { "restart", 0, V },
        { "rm", 0, B },
        { "runtime", 0, V },
        { "security-opt", 0, V },
        { "shm-size", 0, V },
        { "sig-proxy", 0, B },
        { "stop-signal", 0, V },
        { "stop-timeout", 0, V },
        { "storage-opt", 0, V },
        { "sysctl", 0, V },
        { "tmpfs", 0, V },
        { "tty", 't', B },
        { "ulimit", 0, V },
        { "use-api-socket", 0, B },
        { "user", 'u', V },
        { "userns", 0, V },
        { "uts", 0, V },
        { "volume", 'v', V },
        { "volume-driver", 0, V },
        { "volumes-from", 0, V },
        { "workdir", 'w', V },
};

static const struct docker_flag flags_create[] = {
        { "add-host", 0, V },
        { "annotation", 0, V },
        { "attach", 'a', V },
        { "blkio-weight", 0, V },
        { "blkio-weight-device", 0, V },
        { "cap-add", 0, V },
        { "cap-drop", 0, V },
        { "cgroup-parent", 0, V },
        { "cgroupns", 0, V },
        { "cidfile", 0, V },
        { "cpu-count", 0, V },
        { "cpu-percent", 0, V },
        { "cpu-period", 0, V },
        { "cpu-quota", 0, V },
        { "cpu-rt-period", 0, V },
        { "cpu-rt-runtime", 0, V },
        { "cpu-shares", 'c', V },
        { "cpus", 0, V },
        { "cpuset-cpus", 0, V },
        { "cpuset-mems", 0, V },
        { "device", 0, V },
        { "device-cgroup-rule", 0, V },
        { "device-read-bps", 0, V },
        { "device-read-iops", 0, V },
        { "device-write-bps", 0, V },
        { "device-write-iops", 0, V },
        { "disable-content-trust", 0, B },
        { "dns", 0, V },
        { "dns-opt", 0, V },  /* hidden */
        { "dns-option", 0, V },
        { "dns-search", 0, V },
        { "domainname", 0, V },
        { "entrypoint", 0, V },
        { "env", 'e', V },
        { "env-file", 0, V },
        { "expose", 0, V },
        { "gpus", 0, V },
        { "group-add", 0, V },
        { "health-cmd", 0, V },
        { "health-interval", 0, V },
        { "health-retries", 0, V },
        { "health-start-interval", 0, V },
        { "health-start-period", 0, V },
        { "health-timeout", 0, V },
        { "help", 0, B },
        { "hostname", 'h', V },
        { "init", 0, B },
        { "interactive", 'i', B },
        { "io-maxbandwidth", 0, V },
        { "io-maxiops", 0, V },
        { "ip", 0, V },
        { "ip6", 0, V },
        { "ipc", 0, V },
        { "isolation", 0, V },
        { "kernel-memory", 0, V },
        { "label", 'l', V },
        { "label-file", 0, V },
        { "link", 0, V },
        { "link-local-ip", 0, V },
        { "log-driver", 0, V },
        { "log-opt", 0, V },
        { "mac-address", 0, V },
        { "memory", 'm', V },
        { "memory-reservation", 0, V },
        { "memory-swap", 0, V },
        { "memory-swappiness", 0, V },
        { "mount", 0, V },
        { "name", 0, V },
        { "net", 0, V },  /* hidden */
        { "net-alias", 0, V },  /* hidden */
        { "network", 0, V },
        { "network-alias", 0, V },
        { "no-healthcheck", 0, B },
        { "oom-kill-disable", 0, B },
        { "oom-score-adj", 0, V },
        { "pid", 0, V },
        { "pids-limit", 0, V },
        { "platform", 0, V },
        { "privileged", 0, B },
        { "publish", 'p', V },
        { "publish-all", 'P', B },
        { "pull", 0, V },
        { "quiet", 'q', B },
        { "read-only", 0, B },
        { "restart", 0, V },
        { "rm", 0, B },
        { "runtime", 0, V },
        { "security-opt", 0, V },
        { "shm-size", 0, V },
        { "stop-signal", 0, V },
        { "stop-timeout", 0, V },
        { "storage-opt", 0, V },
        { "sysctl", 0, V },
        { "tmpfs", 0, V },
        { "tty", 't', B },
        { "ulimit", 0, V },
        { "use-api-socket", 0, B },
        { "user", 'u', V },
        { "userns", 0, V },
        { "uts", 0, V },
        { "volume", 'v', V },
        { "volume-driver", 0, V },
        { "volumes-from", 0, V },
        { "workdir", 'w', V },
};

static const struct docker_flag flags_exec[] = {
        { "detach", 'd', B },
        { "detach-keys", 0, V },
        { "env", 'e', V },
        { "env-file", 0, V },
        { "help", 'h', B },
        { "interactive", 'i', B },
        { "privileged", 0, B },
        { "tty", 't', B },
        { "user", 'u', V },
        { "workdir", 'w', V },
};

static const struct docker_flag flags_logs[] = {
        { "details", 0, B },
        { "follow", 'f', B },
        { "help", 'h', B },
        { "since", 0, V },
        { "tail", 'n', V },
        { "timestamps", 't', B },
        { "until", 0, V },
};

static const struct docker_flag flags_stats[] = {
        { "all", 'a', B },
        { "format", 0, V },
        { "help", 'h', B },
        { "no-stream", 0, B },
        { "no-trunc", 0, B },
};

static const struct docker_flag flags_attach[] = {
        { "detach-keys", 0, V },
        { "help", 'h', B },
        { "no-stdin", 0, B },
        { "sig-proxy", 0, B },
};

static const struct docker_flag flags_top[] = {
        { "help", 'h', B },
};

static const struct docker_flag flags_port[] = {
        { "help", 'h', B },
};

static const struct docker_flag flags_diff[] = {
        { "help", 'h', B },
};

static const struct docker_flag flags_export[] = {
        { "help", 'h', B },
        { "output", 'o', V },
};

static const struct docker_flag flags_wait[] = {
        { "help", 'h', B },
};

static const struct docker_flag flags_cp[] = {
        { "archive", 'a', B },
        { "follow-link", 'L', B },
        { "help", 'h', B },
        { "quiet", 'q', B },
};

static const struct docker_flag flags_commit[] = {
        { "author", 'a', V },
        { "change", 'c', V },
        { "help", 'h', B },
        { "message", 'm', V },
        { "pause", 'p', B },
};

static const struct docker_flag flags_stop[] = {
        { "help", 'h', B },
        { "signal", 's', V },
        { "time", 0, V },  /* deprecated */
        { "timeout", 't', V },
};

static const struct docker_flag flags_start[] = {
        { "attach", 'a', B },
        { "checkpoint", 0, V },
        { "checkpoint-dir", 0, V },
        { "detach-keys", 0, V },
        { "help", 'h', B },
        { "interactive", 'i', B },
};

static const struct docker_flag flags_restart[] = {
        { "help", 'h', B },
        { "signal", 's', V },
        { "time", 0, V },  /* deprecated */
        { "timeout", 't', V },
};

static const struct docker_flag flags_pause[] = {
        { "help", 'h', B },
};

static const struct docker_flag flags_unpause[] = {
        { "help", 'h', B },
};

static const struct docker_flag flags_kill[] = {
        { "help", 'h', B },
        { "signal", 's', V },
};

static const struct docker_flag flags_rm[] = {
        { "force", 'f', B },
        { "help", 'h', B },
        { "link", 'l', B },
        { "volumes", 'v', B },
};

static const struct docker_flag flags_rename[] = {
        { "help", 'h', B },
};

static const struct docker_flag flags_update[] = {
        { "blkio-weight", 0, V },
        { "cpu-period", 0, V },
        { "cpu-quota", 0, V },
        { "cpu-rt-period", 0, V },
        { "cpu-rt-runtime", 0, V },
        { "cpu-shares", 'c', V },
        { "cpus", 0, V },
        { "cpuset-cpus", 0, V },
        { "cpuset-mems", 0, V },
        { "help", 'h', B },
        { "kernel-memory", 0, V },  /* hidden in 28 */
        { "memory", 'm', V },
        { "memory-reservation", 0, V },
        { "memory-swap", 0, V },
        { "pids-limit", 0, V },
        { "restart", 0, V },
};

static const struct docker_flag flags_inspect[] = {
        { "format", 'f', V },
        { "help", 'h', B },
        { "size", 's', B },
        { "type", 0, V },
};

static const struct docker_flag flags_container_inspect[] = {
        { "format", 'f', V },
        { "help", 'h', B },
        { "size", 's', B },
};

static const struct docker_flag flags_ps[] = {
        { "all", 'a', B },
        { "filter", 'f', V },
        { "format", 0, V },
        { "help", 'h', B },
        { "last", 'n', V },
        { "latest", 'l', B },
        { "no-trunc", 0, B },
        { "quiet", 'q', B },
        { "size", 's', B },
};

static const struct docker_flag flags_build[] = {
        { "add-host", 0, V },
        { "allow", 0, V },
        { "annotation", 0, V },
        { "attest", 0, V },
        { "build-arg", 0, V },
        { "build-context", 0, V },
        { "builder", 0, V },
        { "cache-from", 0, V },
        { "cache-to", 0, V },
        { "call", 0, V },
        { "cgroup-parent", 0, V },
        { "check", 0, O },
        { "compress", 0, B },
        { "cpu-period", 0, V },
        { "cpu-quota", 0, V },
        { "cpu-shares", 'c', V },
        { "cpuset-cpus", 0, V },
        { "cpuset-mems", 0, V },
        { "debug", 'D', B },
        { "detach", 0, B },
        { "disable-content-trust", 0, B },
        { "file", 'f', V },
        { "force-rm", 0, B },
        { "help", 'h', B },
        { "iidfile", 0, V },
        { "invoke", 0, V },
        { "isolation", 0, V },
        { "label", 0, V },
        { "load", 0, B },
        { "memory", 'm', V },
        { "memory-swap", 0, V },
        { "metadata-file", 0, V },
        { "network", 0, V },
        { "no-cache", 0, B },
        { "no-cache-filter", 0, V },
        { "output", 'o', V },
        { "platform", 0, V },
        { "policy", 0, V },
        { "print", 0, V },
        { "progress", 0, V },
        { "provenance", 0, V },
        { "pull", 0, B },
        { "push", 0, B },
        { "quiet", 'q', B },
        { "resource", 0, V },
        { "rm", 0, B },
        { "root", 0, V },
        { "sbom", 0, V },
        { "secret", 0, V },
        { "security-opt", 0, V },
        { "server-config", 0, V },
        { "shm-size", 0, V },
        { "squash", 0, B },
        { "ssh", 0, V },
        { "stream", 0, B },  /* hidden */
        { "tag", 't', V },
        { "target", 0, V },
        { "ulimit", 0, V },
};

static const struct docker_flag flags_rmi[] = {
        { "force", 'f', B },
        { "help", 'h', B },
        { "no-prune", 0, B },
        { "platform", 0, V },
};

static const struct docker_flag flags_container_prune[] = {
        { "filter", 0, V },
        { "force", 'f', B },
        { "help", 'h', B },
};

static const struct docker_flag flags_image_prune[] = {
        { "all", 'a', B },
        { "filter", 0, V },
        { "force", 'f', B },
        { "help", 'h', B },
};

static const struct docker_flag flags_volume_prune[] = {
        { "all", 'a', B },
        { "filter", 0, V },
        { "force", 'f', B },
        { "help", 'h', B },
};

static const struct docker_flag flags_network_prune[] = {
        { "filter", 0, V },
        { "force", 'f', B },
        { "help", 'h', B },
};

static const struct docker_flag flags_system_prune[] = {
        { "all", 'a', B },
        { "filter", 0, V },
        { "force", 'f', B },
        { "help", 'h', B },
        { "volumes", 0, B },
};

static const struct docker_flag flags_builder_prune[] = {
        { "all", 'a', B },
        { "builder", 0, V },
        { "debug", 'D', B },
        { "filter", 0, V },
        { "force", 'f', B },
        { "help", 'h', B },
        { "keep-storage", 0, V },
        { "max-used-space", 0, V },
        { "min-free-space", 0, V },
        { "reserved-space", 0, V },
        { "verbose", 0, B },
};

static const struct docker_flag flags_network_connect[] = {
        { "alias", 0, V },
        { "driver-opt", 0, V },
        { "gw-priority", 0, V },
        { "help", 'h', B },
        { "ip", 0, V },
        { "ip6", 0, V },
        { "link", 0, V },
        { "link-local-ip", 0, V },
};

static const struct docker_flag flags_network_disconnect[] = {
        { "force", 'f', B },
        { "help", 'h', B },
};

static const struct docker_flag flags_volume_create[] = {
        { "availability", 0, V },
        { "driver", 'd', V },
        { "group", 0, V },
        { "help", 'h', B },
        { "label", 0, V },
        { "limit-bytes", 0, V },
        { "name", 0, V },  /* hidden */
        { "opt", 'o', V },
        { "required-bytes", 0, V },
        { "scope", 0, V },
        { "secret", 0, V },
        { "sharing", 0, V },
        { "topology-preferred", 0, V },
        { "topology-required", 0, V },
        { "type", 0, V },
};

static const struct docker_flag flags_checkpoint_create[] = {
        { "checkpoint-dir", 0, V },
        { "help", 'h', B },
        { "leave-running", 0, B },
};

static const struct docker_flag flags_checkpoint_ls[] = {
        { "checkpoint-dir", 0, V },
        { "help", 'h', B },
};

static const struct docker_flag flags_checkpoint_rm[] = {
        { "checkpoint-dir", 0, V },
        { "help", 'h', B },
};

const struct docker_flag_table docker_flag_tables[_DOCKER_FLAGS_MAX] = {
        [DOCKER_FLAGS_GLOBAL] = { flags_global, ELEMENTSOF(flags_global) },
        [DOCKER_FLAGS_RUN] = { flags_run, ELEMENTSOF(flags_run) },
        [DOCKER_FLAGS_CREATE] = { flags_create, ELEMENTSOF(flags_create) },
        [DOCKER_FLAGS_EXEC] = { flags_exec, ELEMENTSOF(flags_exec) },
        [DOCKER_FLAGS_LOGS] = { flags_logs, ELEMENTSOF(flags_logs) },
        [DOCKER_FLAGS_STATS] = { flags_stats, ELEMENTSOF(flags_stats) },
        [DOCKER_FLAGS_ATTACH] = { flags_attach, ELEMENTSOF(flags_attach) },
        [DOCKER_FLAGS_TOP] = { flags_top, ELEMENTSOF(flags_top) },
        [DOCKER_FLAGS_PORT] = { flags_port, ELEMENTSOF(flags_port) },
        [DOCKER_FLAGS_DIFF] = { flags_diff, ELEMENTSOF(flags_diff) },
        [DOCKER_FLAGS_EXPORT] = { flags_export, ELEMENTSOF(flags_export) },
        [DOCKER_FLAGS_WAIT] = { flags_wait, ELEMENTSOF(flags_wait) },
        [DOCKER_FLAGS_CP] = { flags_cp, ELEMENTSOF(flags_cp) },
        [DOCKER_FLAGS_COMMIT] = { flags_commit, ELEMENTSOF(flags_commit) },
        [DOCKER_FLAGS_STOP] = { flags_stop, ELEMENTSOF(flags_stop) },
        [DOCKER_FLAGS_START] = { flags_start, ELEMENTSOF(flags_start) },
        [DOCKER_FLAGS_RESTART] = { flags_restart, ELEMENTSOF(flags_restart) },
        [DOCKER_FLAGS_PAUSE] = { flags_pause, ELEMENTSOF(flags_pause) },
        [DOCKER_FLAGS_UNPAUSE] = { flags_unpause, ELEMENTSOF(flags_unpause) },
        [DOCKER_FLAGS_KILL] = { flags_kill, ELEMENTSOF(flags_kill) },
        [DOCKER_FLAGS_RM] = { flags_rm, ELEMENTSOF(flags_rm) },
        [DOCKER_FLAGS_RENAME] = { flags_rename, ELEMENTSOF(flags_rename) },
        [DOCKER_FLAGS_UPDATE] = { flags_update, ELEMENTSOF(flags_update) },
        [DOCKER_FLAGS_INSPECT] = { flags_inspect, ELEMENTSOF(flags_inspect) },
        [DOCKER_FLAGS_CONTAINER_INSPECT] = { flags_container_inspect, ELEMENTSOF(flags_container_inspect) },
        [DOCKER_FLAGS_PS] = { flags_ps, ELEMENTSOF(flags_ps) },
        [DOCKER_FLAGS_BUILD] = { flags_build, ELEMENTSOF(flags_build) },
        [DOCKER_FLAGS_RMI] = { flags_rmi, ELEMENTSOF(flags_rmi) },
        [DOCKER_FLAGS_CONTAINER_PRUNE] = { flags_container_prune, ELEMENTSOF(flags_container_prune) },
        [DOCKER_FLAGS_IMAGE_PRUNE] = { flags_image_prune, ELEMENTSOF(flags_image_prune) },
        [DOCKER_FLAGS_VOLUME_PRUNE] = { flags_volume_prune, ELEMENTSOF(flags_volume_prune) },
        [DOCKER_FLAGS_NETWORK_PRUNE] = { flags_network_prune, ELEMENTSOF(flags_network_prune) },
        [DOCKER_FLAGS_SYSTEM_PRUNE] = { flags_system_prune, ELEMENTSOF(flags_system_prune) },
        [DOCKER_FLAGS_BUILDER_PRUNE] = { flags_builder_prune, ELEMENTSOF(flags_builder_prune) },
        [DOCKER_FLAGS_NETWORK_CONNECT] = { flags_network_connect, ELEMENTSOF(flags_network_connect) },
        [DOCKER_FLAGS_NETWORK_DISCONNECT] = { flags_network_disconnect, ELEMENTSOF(flags_network_disconnect) },
        [DOCKER_FLAGS_VOLUME_CREATE] = { flags_volume_create, ELEMENTSOF(flags_volume_create) },
        [DOCKER_FLAGS_CHECKPOINT_CREATE] = { flags_checkpoint_create, ELEMENTSOF(flags_checkpoint_create) },
        [DOCKER_FLAGS_CHECKPOINT_LS] = { flags_checkpoint_ls, ELEMENTSOF(flags_checkpoint_ls) },
        [DOCKER_FLAGS_CHECKPOINT_RM] = { flags_checkpoint_rm, ELEMENTSOF(flags_checkpoint_rm) },
};
