/* SPDX-License-Identifier: MIT */
/* One policy, one place (DESIGN §1, §5): what a user may run, as a pure
 * function over a container spec.  The wrapper fills the spec from docker's
 * argv, `container deploy` builds one itself, a later API gate will fill it
 * from a create request's JSON.  No I/O happens here: facts that need the
 * file system or Docker (a bind source with its symlinks resolved, what kind
 * of file a --device names, who owns a container named in container:X) are
 * looked up by the caller and handed in, so every rule is unit-tested. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "config.h"

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
};

void container_spec_done(struct container_spec *s);
void spec_mount_done(struct spec_mount *m); /* frees the fields, leaves it zeroed */

struct policy_identity {
        const char *user;
        uid_t uid;
        const char *home; /* for "~" in allowed_binds */
        bool admin;       /* root or a member of admin_group */
};

/* The verdict.  allowed == false: reason is one sentence starting with
 * "berth: ", hint one more ("use … instead"), rule a short stable id
 * ("privileged", "bind", "gpu-env" …) for audit and tests.  An admin is
 * allowed what would be refused; then admin_override is set and reason/rule
 * say what an ordinary user would have been refused, for the audit entry. */
struct policy_verdict {
        bool allowed;
        bool admin_override;
        const char *rule;
        char reason[512];
        char hint[256];

        /* What the reserve request to slicemgr carries (DESIGN §4). */
        double gpus;         /* 0: none */
        bool gpus_all;
        char **gpu_devices;  /* --gpus device=… entries (UUIDs or indices) */
        double cpus;         /* 0: slicemgr injects the default */
        uint64_t memory;     /* 0: likewise */
        char *project;       /* berth.project label value if the user gave one */
};

void policy_verdict_done(struct policy_verdict *v);

/* Put what the verdict asks for into a reserve request's "spec" object
 * (DESIGN §4): "gpus" (N, "all" or "device=A,B"), "cpus", "memory", each
 * only when asked.  The wrapper and `container deploy` both build their
 * requests with it.  -ENOMEM. */
int policy_verdict_reserve_spec(const struct policy_verdict *v, json_t *spec);

/* Decide.  c: the loaded config ([policy] keys), ru: the caller's resolved
 * limits.  Returns 0 with *ret filled (allowed or not), -ENOMEM, or -EINVAL
 * when the spec itself is malformed (then ret->reason says why). */
int policy_check(const struct berth_config *c, const struct resolved_user *ru, const struct policy_identity *id,
                 const struct container_spec *spec, struct policy_verdict *ret);

/* --gpus as docker takes it: "all", "N", "count=N", "device=A,B",
 * "\"device=A,B\",capabilities=…".  Fills what the reserve request needs. */
int policy_parse_gpus(const char *value, double *ret_gpus, bool *ret_all, char ***ret_devices);

/* Is this environment entry ("K=V" or "K") one a user may not set
 * (NVIDIA_VISIBLE_DEVICES, CUDA_VISIBLE_DEVICES, NVIDIA_MIG_*_DEVICES …)? */
bool policy_env_is_gpu(const char *entry);

/* Is path (absolute, normalised) inside one of allowed_binds ("~" = home)? */
bool policy_bind_allowed(char *const *allowed_binds, const char *home, const char *path);

/* Lexically normalise an absolute path: "//", "/./", "/../" folded, no
 * trailing slash.  Returns -EINVAL for a relative path. */
int path_normalize(const char *path, char **ret);

/* Resolve a host path as the kernel would for Docker: relative to cwd,
 * "~" is NOT expanded (docker does not), symlinks followed, ".." folded; a
 * missing tail (Docker creates bind sources) is appended to the resolved
 * existing prefix.  I/O: used by the callers, never by policy_check(). */
int path_resolve_host(const char *path, const char *cwd, char **ret);
