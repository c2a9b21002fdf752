/* SPDX-License-Identifier: MIT */
/* docker run and create, policed. */
#pragma once

#include "context.h"

/* The exit status of the command: docker's own, or WRAPPER_EXIT_REFUSED. */
int wrapper_run(struct wrapper *w);

/* --env-file / --label-file, read with the caller's own rights: the lines
 * docker would use (a docker_read_lines_t; exec's --env-file too). */
int wrapper_read_lines(const char *path, char ***ret, void *userdata);
