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
#include "policy/dockercli-tables.h"

#define B DOCKER_FLAG_BOOL
#define V DOCKER_FLAG_VALUE
#define O DOCKER_FLAG_OPTIONAL
#define R DOCKER_FLAG_ONLY_RUN

static const struct docker_flag flags_global[] = {
        { "config", 0, V, 0 },
        { "context", 'c', V, 0 },
        { "debug", 'D', B, 0 },
        { "help", 'h', B, 0 },
        { "host", 'H', V, 0 },
        { "log-level", 'l', V, 0 },
        { "tls", 0, B, 0 },
        { "tlscacert", 0, V, 0 },
        { "tlscert", 0, V, 0 },
        { "tlskey", 0, V, 0 },
        { "tlsverify", 0, B, 0 },
        { "version", 'v', B, 0 },
};

/* run and create: one table; the options only run has are marked R. */
static const struct docker_flag flags_run[] = {
        { "add-host", 0, V, 0 },
        { "annotation", 0, V, 0 },
        { "attach", 'a', V, 0 },
        { "blkio-weight", 0, V, 0 },
        { "blkio-weight-device", 0, V, 0 },
        { "cap-add", 0, V, 0 },
        { "cap-drop", 0, V, 0 },
        { "cgroup-parent", 0, V, 0 },
        { "cgroupns", 0, V, 0 },
        { "cidfile", 0, V, 0 },
        { "cpu-count", 0, V, 0 },
        { "cpu-percent", 0, V, 0 },
        { "cpu-period", 0, V, 0 },
        { "cpu-quota", 0, V, 0 },
        { "cpu-rt-period", 0, V, 0 },
        { "cpu-rt-runtime", 0, V, 0 },
        { "cpu-shares", 'c', V, 0 },
        { "cpus", 0, V, 0 },
        { "cpuset-cpus", 0, V, 0 },
        { "cpuset-mems", 0, V, 0 },
        { "detach", 'd', B, R },
        { "detach-keys", 0, V, R },
        { "device", 0, V, 0 },
        { "device-cgroup-rule", 0, V, 0 },
        { "device-read-bps", 0, V, 0 },
        { "device-read-iops", 0, V, 0 },
        { "device-write-bps", 0, V, 0 },
        { "device-write-iops", 0, V, 0 },
        { "disable-content-trust", 0, B, 0 },
        { "dns", 0, V, 0 },
        { "dns-opt", 0, V, 0 },  /* hidden */
        { "dns-option", 0, V, 0 },
        { "dns-search", 0, V, 0 },
        { "domainname", 0, V, 0 },
        { "entrypoint", 0, V, 0 },
        { "env", 'e', V, 0 },
        { "env-file", 0, V, 0 },
        { "expose", 0, V, 0 },
        { "gpus", 0, V, 0 },
        { "group-add", 0, V, 0 },
        { "health-cmd", 0, V, 0 },
        { "health-interval", 0, V, 0 },
        { "health-retries", 0, V, 0 },
        { "health-start-interval", 0, V, 0 },
        { "health-start-period", 0, V, 0 },
        { "health-timeout", 0, V, 0 },
        { "help", 0, B, 0 },
        { "hostname", 'h', V, 0 },
        { "init", 0, B, 0 },
        { "interactive", 'i', B, 0 },
        { "io-maxbandwidth", 0, V, 0 },
        { "io-maxiops", 0, V, 0 },
        { "ip", 0, V, 0 },
        { "ip6", 0, V, 0 },
        { "ipc", 0, V, 0 },
        { "isolation", 0, V, 0 },
        { "kernel-memory", 0, V, 0 },
        { "label", 'l', V, 0 },
        { "label-file", 0, V, 0 },
        { "link", 0, V, 0 },
        { "link-local-ip", 0, V, 0 },
        { "log-driver", 0, V, 0 },
        { "log-opt", 0, V, 0 },
        { "mac-address", 0, V, 0 },
        { "memory", 'm', V, 0 },
        { "memory-reservation", 0, V, 0 },
        { "memory-swap", 0, V, 0 },
        { "memory-swappiness", 0, V, 0 },
        { "mount", 0, V, 0 },
        { "name", 0, V, 0 },
        { "net", 0, V, 0 },  /* hidden */
        { "net-alias", 0, V, 0 },  /* hidden */
        { "network", 0, V, 0 },
        { "network-alias", 0, V, 0 },
        { "no-healthcheck", 0, B, 0 },
        { "oom-kill-disable", 0, B, 0 },
        { "oom-score-adj", 0, V, 0 },
        { "pid", 0, V, 0 },
        { "pids-limit", 0, V, 0 },
        { "platform", 0, V, 0 },
        { "privileged", 0, B, 0 },
        { "publish", 'p', V, 0 },
        { "publish-all", 'P', B, 0 },
        { "pull", 0, V, 0 },
        { "quiet", 'q', B, 0 },
        { "read-only", 0, B, 0 },
        { "restart", 0, V, 0 },
        { "rm", 0, B, 0 },
        { "runtime", 0, V, 0 },
        { "security-opt", 0, V, 0 },
        { "shm-size", 0, V, 0 },
        { "sig-proxy", 0, B, R },
        { "stop-signal", 0, V, 0 },
        { "stop-timeout", 0, V, 0 },
        { "storage-opt", 0, V, 0 },
        { "sysctl", 0, V, 0 },
        { "tmpfs", 0, V, 0 },
        { "tty", 't', B, 0 },
        { "ulimit", 0, V, 0 },
        { "use-api-socket", 0, B, 0 },
        { "user", 'u', V, 0 },
        { "userns", 0, V, 0 },
        { "uts", 0, V, 0 },
        { "volume", 'v', V, 0 },
        { "volume-driver", 0, V, 0 },
        { "volumes-from", 0, V, 0 },
        { "workdir", 'w', V, 0 },
};

static const struct docker_flag flags_exec[] = {
        { "detach", 'd', B, 0 },
        { "detach-keys", 0, V, 0 },
        { "env", 'e', V, 0 },
        { "env-file", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "interactive", 'i', B, 0 },
        { "privileged", 0, B, 0 },
        { "tty", 't', B, 0 },
        { "user", 'u', V, 0 },
        { "workdir", 'w', V, 0 },
};

static const struct docker_flag flags_logs[] = {
        { "details", 0, B, 0 },
        { "follow", 'f', B, 0 },
        { "help", 'h', B, 0 },
        { "since", 0, V, 0 },
        { "tail", 'n', V, 0 },
        { "timestamps", 't', B, 0 },
        { "until", 0, V, 0 },
};

static const struct docker_flag flags_stats[] = {
        { "all", 'a', B, 0 },
        { "format", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "no-stream", 0, B, 0 },
        { "no-trunc", 0, B, 0 },
};

static const struct docker_flag flags_attach[] = {
        { "detach-keys", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "no-stdin", 0, B, 0 },
        { "sig-proxy", 0, B, 0 },
};

static const struct docker_flag flags_top[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_port[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_diff[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_export[] = {
        { "help", 'h', B, 0 },
        { "output", 'o', V, 0 },
};

static const struct docker_flag flags_wait[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_cp[] = {
        { "archive", 'a', B, 0 },
        { "follow-link", 'L', B, 0 },
        { "help", 'h', B, 0 },
        { "quiet", 'q', B, 0 },
};

static const struct docker_flag flags_commit[] = {
        { "author", 'a', V, 0 },
        { "change", 'c', V, 0 },
        { "help", 'h', B, 0 },
        { "message", 'm', V, 0 },
        { "pause", 'p', B, 0 },
};

static const struct docker_flag flags_stop[] = {
        { "help", 'h', B, 0 },
        { "signal", 's', V, 0 },
        { "time", 0, V, 0 },  /* deprecated */
        { "timeout", 't', V, 0 },
};

static const struct docker_flag flags_start[] = {
        { "attach", 'a', B, 0 },
        { "checkpoint", 0, V, 0 },
        { "checkpoint-dir", 0, V, 0 },
        { "detach-keys", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "interactive", 'i', B, 0 },
};

static const struct docker_flag flags_restart[] = {
        { "help", 'h', B, 0 },
        { "signal", 's', V, 0 },
        { "time", 0, V, 0 },  /* deprecated */
        { "timeout", 't', V, 0 },
};

static const struct docker_flag flags_pause[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_unpause[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_kill[] = {
        { "help", 'h', B, 0 },
        { "signal", 's', V, 0 },
};

static const struct docker_flag flags_rm[] = {
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
        { "link", 'l', B, 0 },
        { "volumes", 'v', B, 0 },
};

static const struct docker_flag flags_rename[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_update[] = {
        { "blkio-weight", 0, V, 0 },
        { "cpu-period", 0, V, 0 },
        { "cpu-quota", 0, V, 0 },
        { "cpu-rt-period", 0, V, 0 },
        { "cpu-rt-runtime", 0, V, 0 },
        { "cpu-shares", 'c', V, 0 },
        { "cpus", 0, V, 0 },
        { "cpuset-cpus", 0, V, 0 },
        { "cpuset-mems", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "kernel-memory", 0, V, 0 },  /* hidden in 28 */
        { "memory", 'm', V, 0 },
        { "memory-reservation", 0, V, 0 },
        { "memory-swap", 0, V, 0 },
        { "pids-limit", 0, V, 0 },
        { "restart", 0, V, 0 },
};

static const struct docker_flag flags_inspect[] = {
        { "format", 'f', V, 0 },
        { "help", 'h', B, 0 },
        { "size", 's', B, 0 },
        { "type", 0, V, 0 },
};

static const struct docker_flag flags_container_inspect[] = {
        { "format", 'f', V, 0 },
        { "help", 'h', B, 0 },
        { "size", 's', B, 0 },
};

static const struct docker_flag flags_ps[] = {
        { "all", 'a', B, 0 },
        { "filter", 'f', V, 0 },
        { "format", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "last", 'n', V, 0 },
        { "latest", 'l', B, 0 },
        { "no-trunc", 0, B, 0 },
        { "quiet", 'q', B, 0 },
        { "size", 's', B, 0 },
};

static const struct docker_flag flags_build[] = {
        { "add-host", 0, V, 0 },
        { "allow", 0, V, 0 },
        { "annotation", 0, V, 0 },
        { "attest", 0, V, 0 },
        { "build-arg", 0, V, 0 },
        { "build-context", 0, V, 0 },
        { "builder", 0, V, 0 },
        { "cache-from", 0, V, 0 },
        { "cache-to", 0, V, 0 },
        { "call", 0, V, 0 },
        { "cgroup-parent", 0, V, 0 },
        { "check", 0, O, 0 },
        { "compress", 0, B, 0 },
        { "cpu-period", 0, V, 0 },
        { "cpu-quota", 0, V, 0 },
        { "cpu-shares", 'c', V, 0 },
        { "cpuset-cpus", 0, V, 0 },
        { "cpuset-mems", 0, V, 0 },
        { "debug", 'D', B, 0 },
        { "detach", 0, B, 0 },
        { "disable-content-trust", 0, B, 0 },
        { "file", 'f', V, 0 },
        { "force-rm", 0, B, 0 },
        { "help", 'h', B, 0 },
        { "iidfile", 0, V, 0 },
        { "invoke", 0, V, 0 },
        { "isolation", 0, V, 0 },
        { "label", 0, V, 0 },
        { "load", 0, B, 0 },
        { "memory", 'm', V, 0 },
        { "memory-swap", 0, V, 0 },
        { "metadata-file", 0, V, 0 },
        { "network", 0, V, 0 },
        { "no-cache", 0, B, 0 },
        { "no-cache-filter", 0, V, 0 },
        { "output", 'o', V, 0 },
        { "platform", 0, V, 0 },
        { "policy", 0, V, 0 },
        { "print", 0, V, 0 },
        { "progress", 0, V, 0 },
        { "provenance", 0, V, 0 },
        { "pull", 0, B, 0 },
        { "push", 0, B, 0 },
        { "quiet", 'q', B, 0 },
        { "resource", 0, V, 0 },
        { "rm", 0, B, 0 },
        { "root", 0, V, 0 },
        { "sbom", 0, V, 0 },
        { "secret", 0, V, 0 },
        { "security-opt", 0, V, 0 },
        { "server-config", 0, V, 0 },
        { "shm-size", 0, V, 0 },
        { "squash", 0, B, 0 },
        { "ssh", 0, V, 0 },
        { "stream", 0, B, 0 },  /* hidden */
        { "tag", 't', V, 0 },
        { "target", 0, V, 0 },
        { "ulimit", 0, V, 0 },
};

static const struct docker_flag flags_rmi[] = {
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
        { "no-prune", 0, B, 0 },
        { "platform", 0, V, 0 },
};

static const struct docker_flag flags_container_prune[] = {
        { "filter", 0, V, 0 },
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_image_prune[] = {
        { "all", 'a', B, 0 },
        { "filter", 0, V, 0 },
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_volume_prune[] = {
        { "all", 'a', B, 0 },
        { "filter", 0, V, 0 },
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_network_prune[] = {
        { "filter", 0, V, 0 },
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_system_prune[] = {
        { "all", 'a', B, 0 },
        { "filter", 0, V, 0 },
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
        { "volumes", 0, B, 0 },
};

static const struct docker_flag flags_builder_prune[] = {
        { "all", 'a', B, 0 },
        { "builder", 0, V, 0 },
        { "debug", 'D', B, 0 },
        { "filter", 0, V, 0 },
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
        { "keep-storage", 0, V, 0 },
        { "max-used-space", 0, V, 0 },
        { "min-free-space", 0, V, 0 },
        { "reserved-space", 0, V, 0 },
        { "verbose", 0, B, 0 },
};

static const struct docker_flag flags_network_connect[] = {
        { "alias", 0, V, 0 },
        { "driver-opt", 0, V, 0 },
        { "gw-priority", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "ip", 0, V, 0 },
        { "ip6", 0, V, 0 },
        { "link", 0, V, 0 },
        { "link-local-ip", 0, V, 0 },
};

static const struct docker_flag flags_network_disconnect[] = {
        { "force", 'f', B, 0 },
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_network_create[] = {
        { "attachable", 0, B, 0 },
        { "aux-address", 0, V, 0 },
        { "config-from", 0, V, 0 },
        { "config-only", 0, B, 0 },
        { "driver", 'd', V, 0 },
        { "gateway", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "ingress", 0, B, 0 },
        { "internal", 0, B, 0 },
        { "ip-range", 0, V, 0 },
        { "ipam-driver", 0, V, 0 },
        { "ipam-opt", 0, V, 0 },
        { "ipv4", 0, B, 0 },
        { "ipv6", 0, B, 0 },
        { "label", 0, V, 0 },
        { "opt", 'o', V, 0 },
        { "scope", 0, V, 0 },
        { "subnet", 0, V, 0 },
};

static const struct docker_flag flags_volume_create[] = {
        { "availability", 0, V, 0 },
        { "driver", 'd', V, 0 },
        { "group", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "label", 0, V, 0 },
        { "limit-bytes", 0, V, 0 },
        { "name", 0, V, 0 },  /* hidden */
        { "opt", 'o', V, 0 },
        { "required-bytes", 0, V, 0 },
        { "scope", 0, V, 0 },
        { "secret", 0, V, 0 },
        { "sharing", 0, V, 0 },
        { "topology-preferred", 0, V, 0 },
        { "topology-required", 0, V, 0 },
        { "type", 0, V, 0 },
};

static const struct docker_flag flags_tag[] = {
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_import[] = {
        { "change", 'c', V, 0 },
        { "help", 'h', B, 0 },
        { "message", 'm', V, 0 },
        { "platform", 0, V, 0 },
};

static const struct docker_flag flags_load[] = {
        { "help", 'h', B, 0 },
        { "input", 'i', V, 0 },
        { "platform", 0, V, 0 },
        { "quiet", 'q', B, 0 },
};

static const struct docker_flag flags_checkpoint_create[] = {
        { "checkpoint-dir", 0, V, 0 },
        { "help", 'h', B, 0 },
        { "leave-running", 0, B, 0 },
};

static const struct docker_flag flags_checkpoint_ls[] = {
        { "checkpoint-dir", 0, V, 0 },
        { "help", 'h', B, 0 },
};

static const struct docker_flag flags_checkpoint_rm[] = {
        { "checkpoint-dir", 0, V, 0 },
        { "help", 'h', B, 0 },
};

const struct docker_flag_table docker_flag_tables[_DOCKER_FLAGS_MAX] = {
        [DOCKER_FLAGS_GLOBAL] = { flags_global, ELEMENTSOF(flags_global) },
        [DOCKER_FLAGS_RUN] = { flags_run, ELEMENTSOF(flags_run) },
        [DOCKER_FLAGS_CREATE] = { flags_run, ELEMENTSOF(flags_run), DOCKER_FLAG_ONLY_RUN },
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
        [DOCKER_FLAGS_TAG] = { flags_tag, ELEMENTSOF(flags_tag) },
        [DOCKER_FLAGS_IMPORT] = { flags_import, ELEMENTSOF(flags_import) },
        [DOCKER_FLAGS_LOAD] = { flags_load, ELEMENTSOF(flags_load) },
        [DOCKER_FLAGS_CONTAINER_PRUNE] = { flags_container_prune, ELEMENTSOF(flags_container_prune) },
        [DOCKER_FLAGS_IMAGE_PRUNE] = { flags_image_prune, ELEMENTSOF(flags_image_prune) },
        [DOCKER_FLAGS_VOLUME_PRUNE] = { flags_volume_prune, ELEMENTSOF(flags_volume_prune) },
        [DOCKER_FLAGS_NETWORK_PRUNE] = { flags_network_prune, ELEMENTSOF(flags_network_prune) },
        [DOCKER_FLAGS_SYSTEM_PRUNE] = { flags_system_prune, ELEMENTSOF(flags_system_prune) },
        [DOCKER_FLAGS_BUILDER_PRUNE] = { flags_builder_prune, ELEMENTSOF(flags_builder_prune) },
        [DOCKER_FLAGS_NETWORK_CONNECT] = { flags_network_connect, ELEMENTSOF(flags_network_connect) },
        [DOCKER_FLAGS_NETWORK_DISCONNECT] = { flags_network_disconnect, ELEMENTSOF(flags_network_disconnect) },
        [DOCKER_FLAGS_VOLUME_CREATE] = { flags_volume_create, ELEMENTSOF(flags_volume_create) },
        [DOCKER_FLAGS_NETWORK_CREATE] = { flags_network_create, ELEMENTSOF(flags_network_create) },
        [DOCKER_FLAGS_CHECKPOINT_CREATE] = { flags_checkpoint_create, ELEMENTSOF(flags_checkpoint_create) },
        [DOCKER_FLAGS_CHECKPOINT_LS] = { flags_checkpoint_ls, ELEMENTSOF(flags_checkpoint_ls) },
        [DOCKER_FLAGS_CHECKPOINT_RM] = { flags_checkpoint_rm, ELEMENTSOF(flags_checkpoint_rm) },
};
