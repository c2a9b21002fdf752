/* SPDX-License-Identifier: MIT */
/* The Docker Engine API's request bodies (API v1.41–v1.47) as berth judges
 * them, and the bodies berth-gate forwards instead.  What dockercli-spec.h
 * does for docker's argv, this does for POST /containers/create,
 * POST /containers/{id}/exec and POST /containers/{id}/update: the same
 * struct container_spec comes out, so that policy_check() decides alike
 * whichever door a request came through.  Pure: no I/O.
 *
 * Strictness (DESIGN §5): Docker's Go decoder matches keys case-insensitively
 * (Unicode folding included) and ignores keys it does not know, so a key is
 * taken here only when it is spelled exactly as Docker spells it; any other
 * key is refused, as are duplicate keys (at any depth), keys that spell a
 * plain letter with a \u escape, HostConfig fields at the top level (Docker
 * up to 20.10 honoured them there), a value of the wrong type, and a body
 * that is not one JSON object of at most API_BODY_MAX bytes.  null is taken
 * wherever Docker takes it as "absent".
 *
 * Returns: 0; -ENOMEM; or, with one sentence starting "berth: " in *err,
 * -EINVAL for a body Docker would refuse too (not JSON, a wrong type, a
 * value that does not parse), -EPERM for one Docker would take but berth
 * refuses (an unknown, case-variant, escaped or duplicate key, a top-level
 * HostConfig field, a field that weakens isolation and that the spec has no
 * slot for), -E2BIG for a body over API_BODY_MAX.  The ret_ parameters are
 * left untouched on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "basic/error.h"
#include "policy/spec.h"

#define API_BODY_MAX (1024 * 1024)

/* Who a container that meets a host path runs as (the verdict's
 * run_as_owner): uid, primary gid and every group of the owner (gids may
 * hold the primary one too; it is not repeated). */
struct api_owner {
        uid_t uid;
        gid_t gid;
        const gid_t *gids;
        size_t n_gids;
};

/* POST /containers/create.  Fills *ret as docker_run_spec() fills it from
 * the equivalent argv, except ret->name: the name comes from the ?name=
 * query, which the caller sets.  Mounts come in the body's order: Binds,
 * then Mounts, then Tmpfs, then Volumes (flags "HostConfig.Binds",
 * "HostConfig.Mounts", "HostConfig.Tmpfs", "Volumes"); container references
 * carry the docker flag they stand for ("--volumes-from", "--link",
 * "--network", "--pid", "--ipc"), as the policy keys on them.  Bind sources,
 * --device paths and the containers referred to are left for the caller to
 * resolve (spec_mount.resolved, volume_opts device= in place,
 * spec_device.resolved/kind, spec_ref.*), exactly as for the wrapper.
 * *ret_doc (may be NULL) gets the parsed document, for api_create_rewrite(). */
int api_create_parse(const char *body, size_t len, struct container_spec *ret, json_t **ret_doc,
                     struct berth_error *err);

/* The body to forward, from the document api_create_parse() returned, the
 * spec it filled (with what the caller resolved) and the "inject" object of
 * berth-slicemgr's reserve reply; the same changes wrapper_run_argv() makes
 * to argv:
 *   - Labels: every berth.* key (any case) goes, the inject labels are set;
 *   - HostConfig.CgroupParent = inject "cgroup_parent";
 *   - HostConfig.DeviceRequests: one request for inject "gpus"
 *     ("device=UUID,…"), else none; Env: the user's GPU variables go, the
 *     inject "env" entries are appended;
 *   - NanoCpus, Memory, CpusetCpus+CpusetMems from inject "cpus", "memory",
 *     "cpuset_cpus"+"cpuset_mems" where the user set none;
 *   - owner non-NULL: User "UID:GID", GroupAdd the owner's other gids,
 *     SecurityOpt gains "no-new-privileges";
 *   - Binds and Mounts bind sources, volume driver options and Devices
 *     PathOnHost as the spec has them resolved.
 * doc is left as it is (a copy is changed); *ret_body is compact JSON
 * (free() it).  The container name is not in the body: the caller forwards
 * inject "name" as the ?name= query.  -EBADMSG: inject lacks "name" or "cgroup_parent", or a
 * value has the wrong type; -EINVAL: doc and spec do not belong together, or
 * a resolved bind source holds a ':' (a Binds entry cannot say it); -ENOMEM. */
int api_create_rewrite(const json_t *doc, const struct container_spec *spec, json_t *inject,
                       const struct api_owner *owner, char **ret_body);

/* POST /containers/{id}/exec: what policy_check_exec() takes, and the
 * environment (the caller refuses GPU variables in it, as the wrapper does). */
struct api_exec {
        char *user;      /* User, NULL when empty or absent */
        bool privileged;
        char **env;
};
void api_exec_done(struct api_exec *e);

int api_exec_parse(const char *body, size_t len, struct api_exec *ret, json_t **ret_doc, struct berth_error *err);

/* The exec body to forward: with owner, User is "UID:GID". */
int api_exec_rewrite(const json_t *doc, const struct api_owner *owner, char **ret_body);

/* POST /containers/{id}/update: the resource fields the wrapper reads from
 * docker update (cpus, cpu_quota_given, memory, memory_swap, cpu_shares,
 * cpuset_cpus/mems) into a spec with nothing else set, for policy_check()
 * as wrapper/verbs.c check_update() calls it.  RestartPolicy, BlkioWeight,
 * MemoryReservation, MemorySwappiness and PidsLimit are taken as they are;
 * every other field must be absent or zero (KernelMemory, CgroupParent,
 * Devices, DeviceRequests, Ulimits …: -EPERM). */
int api_update_parse(const char *body, size_t len, struct container_spec *ret, json_t **ret_doc,
                     struct berth_error *err);

/* A document as the compact JSON berth forwards (free() *ret_body). */
int api_body_dump(const json_t *doc, char **ret_body);
