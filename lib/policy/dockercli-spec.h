/* SPDX-License-Identifier: MIT */
/* docker run/create argv into a container spec, and docker's value syntax
 * (go-units sizes, NanoCPUs).  Pure, like dockercli.h. */
#pragma once

#include <stdint.h>

#include "policy/dockercli.h"
#include "policy/spec.h"

/* Reads a --env-file/--label-file as the invoking user: the lines that
 * docker would use, in order (comments and blank lines dropped, "K" lines
 * kept as "K" — docker fills them from the environment).  Negative errno. */
typedef int (*docker_read_lines_t)(const char *path, char ***ret_lines, void *userdata);

/* Fill a container spec from a parsed run/create.  Values that do not parse
 * (--cpus abc, --memory 1Q) are errors like docker's own; files named by
 * --env-file/--label-file go through read_lines (NULL: such options are an
 * error).  Binds, devices and container references are only split here
 * (resolved, kind, owner are left for the caller). */
int docker_run_spec(const struct docker_invocation *inv, int argc, char *const *argv, const struct docker_args *a,
                    docker_read_lines_t read_lines, void *userdata, struct container_spec *ret,
                    struct berth_error *err);

/* Fill a build spec from a parsed build / buildx build. */
int docker_build_spec(const struct docker_args *a, struct build_spec *ret);

/* docker's own value syntax, for options berth checks outside run/create
 * (docker update): sizes as go-units RAMInBytes ("4g", "512m", 1024-based)
 * and CPUs as NanoCPUs ("1.5", "3/2"). */
int docker_ram_in_bytes(const char *s, uint64_t *ret);
int docker_parse_cpus(const char *s, double *ret);
