/* SPDX-License-Identifier: MIT */
/* The command lines berth-docker-policy hands the real docker, built from
 * the user's argv and what was decided.  Pure: no I/O, so unit tests can
 * hold every word of them. */
#pragma once

#include <sys/types.h>

#include <jansson.h>

#include "policy/dockercli.h"
#include "policy/spec.h"

/* argv[from..to) (never past argc) appended to *v. */
int wrapper_argv_append(char ***v, int argc, char *const *argv, int from, int to);

/* Who a container with host paths runs as (DESIGN §5): the owner's uid,
 * primary gid and every other group of theirs. */
struct wrapper_owner {
        uid_t uid;
        gid_t gid;
        const gid_t *gids; /* may hold gid too: it is not added twice */
        size_t n_gids;
};

/* run/create: global options and command words as typed, the user's
 * options minus --name and --gpus, then what berth-slicemgr's reserve reply
 * says to inject (name, cgroup parent, labels, GPUs, env, default cpus and
 * memory when the user gave none, a NUMA cpuset when the user set none),
 * then the image and everything after it untouched.  Bind sources (-v,
 * --mount), volume-opt device= paths and --device paths reach docker as
 * the spec has them resolved.  owner (the verdict said run_as_owner; NULL:
 * no): the user's --user and --group-add go, and --user UID:GID, a
 * --group-add for each other group and --security-opt no-new-privileges
 * come instead.  -EBADMSG when inject lacks the name or the cgroup
 * parent. */
int wrapper_run_argv(const struct docker_invocation *inv, int argc, char *const *argv, const struct docker_args *a,
                     const struct container_spec *s, json_t *inject, const struct wrapper_owner *owner, char ***ret);

/* exec into a container with host paths: argv with the user's -u/--user
 * taken out and --user UID:GID put after the command words. */
int wrapper_exec_argv(const struct docker_invocation *inv, int argc, char *const *argv, const struct docker_args *a,
                      const struct wrapper_owner *owner, char ***ret);

/* volume create by a user: the label berth.user=USER after the command
 * words. */
int wrapper_volume_create_argv(const struct docker_invocation *inv, int argc, char *const *argv, const char *user,
                               char ***ret);

/* build: the user's slice as --cgroup-parent and the labels every build
 * gets (policy_build_labels()), ahead of the build's own arguments. */
int wrapper_build_argv(const struct docker_invocation *inv, int argc, char *const *argv, const char *slice,
                       const char *user, uid_t uid, char ***ret);

/* The option o of a copy v of argv (a new strv of the same words) set to
 * value: its own word when it had one ("-t x"), else the part after the
 * "--tag=" or "-t" of the word it shares. */
int wrapper_argv_set_value(char **v, char *const *argv, const struct docker_opt *o, const char *value);
