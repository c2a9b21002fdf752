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

#include "basic/macro.h"
#include "core/config.h"
#include "policy/spec.h"


struct policy_identity {
        const char *user;
        uid_t uid;
        gid_t gid;           /* primary group */
        const gid_t *gids;   /* every group the user is in (NSS), for --group-add */
        size_t n_gids;
        const char *home;    /* for "~" in allowed_binds */
        bool admin;          /* root or a member of admin_group */
        unsigned n_cpus;     /* CPUs online (--cpuset-cpus must stay below); 0: not checked */
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

        /* The container meets a host path (a bind, a volume over a host
         * directory, --volumes-from such a container): it must run as its
         * owner, the front end injecting uid:gid, the owner's groups and
         * no-new-privileges (DESIGN §5). */
        bool run_as_owner;
};

void policy_verdict_done(struct policy_verdict *v);

/* Make v a refusal: rule, one sentence in reason (control bytes shown as
 * '?', so it stays one line), hint (NULL: none), allowed false.  For the
 * rules that are asked only for users who are not admins. */
void policy_verdict_refuse(struct policy_verdict *v, const char *rule, const char *hint, const char *fmt, ...)
        _printf_(4, 5);

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

/* Does this container meet a host path: a bind mount, a volume whose
 * driver options name a host directory (device=), or --volumes-from a
 * container with host paths? */
bool policy_spec_has_host_paths(const struct container_spec *s);

/* exec into a container: GPU variables in env ("K=V" or "K", may be
 * NULL) and --privileged are refused; where it meets a host path
 * (has_host_paths) it runs as the owner, so --user other than the owner is
 * refused too, and run_as_owner says to inject --user.  user may be NULL. */
int policy_check_exec(const struct policy_identity *id, const char *user, bool privileged, char *const *env,
                      bool has_host_paths, struct policy_verdict *ret);

/* docker cp into or out of a container with host paths is refused: dockerd
 * copies as root, and the files are on the host already. */
int policy_check_cp(const struct policy_identity *id, bool has_host_paths, struct policy_verdict *ret);

/* A berth container (managed) is not renamed: the seal on its labels
 * covers its name, so renamed it would count as forged after a daemon
 * restart and its GPUs be free to hand out twice.  name: its full name, for
 * the sentence.  Others' containers follow the naming rule alone. */
int policy_check_rename(const struct policy_identity *id, bool managed, const char *name, struct policy_verdict *ret);

/* Is --user (as docker takes it: NAME|UID[:GROUP|GID]) the caller
 * themselves: their name or uid, and their primary gid if a group is given
 * (a group name is not, as the image's /etc/group would decide it)? */
bool policy_user_is_owner(const struct policy_identity *id, const char *user);

/* The build rules (docker build, buildx build): no own cgroup parent, no
 * berth.* label but berth.project, no host network unless the config
 * allows it, no entitlements, no security options but no-new-privileges,
 * no --output that names an image (only -t does, into the namespace).
 * Like policy_check(): an admin is allowed what would be refused, with
 * admin_override set. */
int policy_check_build(const struct berth_config *c, const struct policy_identity *id, const struct build_spec *b,
                       struct policy_verdict *ret);

/* Is this label ("key=value" or "key", leading white space ignored) one
 * that only berth sets: every berth.* key, in any case, but berth.project? */
bool policy_label_reserved(const char *label);

/* The one rule for CPUs and memory against the caller's slice: a container
 * asks for at most what the user's slice holds (l: the resolved limits;
 * cpus 0 and memory 0 mean "not asked").  0 when it fits; else
 * POLICY_OVER_CPUS or POLICY_OVER_MEMORY with one sentence in reason
 * ("berth: you asked for 8 CPUs but your slice has 4; ask for at most 4."). */
enum {
        POLICY_FITS = 0,
        POLICY_OVER_CPUS = 1,
        POLICY_OVER_MEMORY = 2,
};
int policy_resources_fit(const struct limits *l, double cpus, uint64_t memory, char *reason, size_t n);

/* --gpus as docker takes it: "all", "N", "count=N", "device=A,B",
 * "\"device=A,B\",capabilities=…".  Fills what the reserve request needs. */
int policy_parse_gpus(const char *value, double *ret_gpus, bool *ret_all, char ***ret_devices);

/* Is this environment entry ("K=V" or "K") one a user may not set
 * (NVIDIA_VISIBLE_DEVICES, CUDA_VISIBLE_DEVICES, NVIDIA_MIG_*_DEVICES …)? */
bool policy_env_is_gpu(const char *entry);

/* Is path (absolute, normalised) inside one of allowed_binds ("~" = home)? */
bool policy_bind_allowed(char *const *allowed_binds, const char *home, const char *path);
