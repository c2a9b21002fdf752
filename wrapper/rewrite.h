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

/* run/create: global options and command words as typed, the user's
 * options minus --name and --gpus, then what berth-slicemgr's reserve reply
 * says to inject (name, cgroup parent, labels, GPUs, env, default cpus and
 * memory when the user gave none, a NUMA cpuset when the user set none),
 * then the image and everything after it untouched.  -EBADMSG when inject
 * lacks the name or the cgroup parent. */
int wrapper_run_argv(const struct docker_invocation *inv, int argc, char *const *argv, const struct docker_args *a,
                     const struct container_spec *s, json_t *inject, char ***ret);

/* build: the user's slice as --cgroup-parent and the berth.user and
 * berth.uid labels, ahead of the build's own arguments. */
int wrapper_build_argv(const struct docker_invocation *inv, int argc, char *const *argv, const char *slice,
                       const char *user, uid_t uid, char ***ret);
