/* SPDX-License-Identifier: MIT */
/* A container as berth judges it: what a user asked Docker to run, filled
 * from docker's argv by the wrapper, from a create request by the gate, or
 * built by `container deploy`.  Facts that need I/O (resolved paths, device
 * kinds, owners of named containers) are filled in by the caller. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spec_mount_kind {
        SPEC_MOUNT_BIND,   /* -v /host:/ctr, --mount type=bind */
        SPEC_MOUNT_VOLUME, /* -v name:/ctr, -v /ctr (anonymous), --mount type=volume */
        SPEC_MOUNT_TMPFS,  /* --tmpfs, --mount type=tmpfs */
        SPEC_MOUNT_OTHER,  /* any other --mount type (npipe, cluster, image …) */
};

struct spec_mount {
        enum spec_mount_kind kind;
        char *type;      /* the --mount type= as given, for messages */
        char *source;    /* host path (bind) or volume name; NULL: anonymous volume */
        char *target;
        /* Bind: the host path with ~ expanded, relative paths made absolute,
         * ".." and symlinks resolved by the caller (path_resolve_host());
         * NULL when not resolved: refused. */
        char *resolved;
        char **volume_opts; /* "key=value" driver options: --mount volume-opt=, or
                             * what Docker reports for an existing named volume */
        char *volume_driver;
        char *flag;      /* "-v", "--mount", "--tmpfs", for messages */
};

enum spec_device_kind {
        SPEC_DEVICE_UNKNOWN, /* not looked at: refused */
        SPEC_DEVICE_CHAR,
        SPEC_DEVICE_BLOCK,
        SPEC_DEVICE_MISSING,
        SPEC_DEVICE_NOT_DEVICE,
};

struct spec_device {
        char *path;     /* host side, as given (before the first ':') */
        char *resolved; /* symlinks resolved by the caller, NULL if not */
        enum spec_device_kind kind;
};

/* A container named by another option: --network/--pid/--ipc
 * container:X, --volumes-from X, --link X.  The caller resolves each
 * through Docker before policy_check(). */
struct spec_ref {
        char *name;     /* X as given */
        char *flag;     /* "--network", "--volumes-from" … for messages */
        bool resolved;  /* the caller looked it up */
        bool exists;
        bool managed;   /* has berth.managed=true */
        char *owner;    /* berth.user, NULL if none */
        bool has_binds; /* the container has a host path mounted (for --volumes-from) */
};

struct container_spec {
        char *name;          /* --name as typed, NULL: none */
        char *image;
        char **labels;       /* "key=value" or "key", from --label and --label-file, in order */
        char *cgroup_parent; /* user-set --cgroup-parent, NULL: none */

        char **gpus;         /* every --gpus value as given (the last one counts) */

        bool cpus_given;
        double cpus;         /* --cpus */
        bool cpu_quota_given;  /* --cpu-quota, --cpu-period, --cpu-rt-* : refused, use --cpus */
        bool memory_given;
        uint64_t memory;     /* --memory */

        bool privileged;
        char **cap_add;
        struct spec_device *devices;
        size_t n_devices;
        char **device_cgroup_rules;

        char *pid, *ipc, *uts, *userns, *cgroupns; /* namespace modes, last given */
        char **networks;     /* every --network/--net value */

        struct spec_mount *mounts;
        size_t n_mounts;
        struct spec_ref *refs;
        size_t n_refs;

        char **env;          /* "K=V" or "K" from -e/--env and --env-file lines, in order */
        char *runtime;
        char **security_opts;
        char **sysctls;
        bool oom_score_adj_given;
        long oom_score_adj;
        char **publish;      /* -p values, for the low-port rule */

        char *user;          /* -u/--user as given, NULL: the image's */
        char **group_add;    /* every --group-add value */
        char *volume_driver; /* --volume-driver */
        char *log_driver;    /* --log-driver */
        char **log_opts;     /* every --log-opt "key=value" */
        char **ulimits;      /* every --ulimit "name=soft[:hard]" */
        bool memory_swap_given;
        int64_t memory_swap; /* --memory-swap in bytes, -1 unlimited */
        char *cpuset_cpus, *cpuset_mems;
        bool cpu_shares_given;
        int64_t cpu_shares;
        char **annotations;  /* every --annotation */
        char **storage_opts; /* every --storage-opt */
        bool oom_kill_disable;
        bool use_api_socket; /* --use-api-socket: dockerd's socket inside the container */
};

void container_spec_done(struct container_spec *s);

/* What a build asks for, the parts berth decides on (docker build, buildx
 * build). */
struct build_spec {
        char **labels;        /* every --label value */
        bool cgroup_parent;   /* --cgroup-parent was given */
        char **networks;      /* every --network value */
        bool entitlements;    /* --allow was given */
        char **security_opts; /* every --security-opt value */
        char **ulimits;       /* every --ulimit value */
        bool builder;         /* --builder: another builder instance */
        bool memory_swap;     /* --memory-swap */
        char **outputs;       /* every --output value (the API's outputs, as sent) */
        char *undecided;      /* the first option berth has no rule for, NULL: none */
};
void build_spec_done(struct build_spec *b);
void spec_mount_done(struct spec_mount *m); /* frees the fields, leaves it zeroed */
/* m appended to s->mounts (m is left zeroed: s owns what it held). */
int spec_mount_push(struct container_spec *s, struct spec_mount *m);
/* A volume name as Docker's local driver takes it ([a-zA-Z0-9][a-zA-Z0-9_.-]+):
 * what tells "-v NAME:/x" (a volume) from "-v PATH:/x" (a bind). */
bool spec_volume_name_valid(const char *s);
