/* SPDX-License-Identifier: MIT */
/* The policed verbs other than run/create.  Each returns the command's exit
 * status when it does not exec the real docker. */
#pragma once

#include "context.h"

/* Container-targeting verbs and network connect/disconnect: every target is the caller's. */
int wrapper_targets(struct wrapper *w);
/* ps: only the caller's containers. */
int wrapper_ps(struct wrapper *w);
/* build: the caller's slice and labels, the policy on what it may use. */
int wrapper_build(struct wrapper *w);
/* rmi: only the caller's images. */
int wrapper_rmi(struct wrapper *w);
/* volume create: no bind of a host path outside the allowed binds. */
int wrapper_volume_create(struct wrapper *w);
/* Prunes and Docker-host changes: admins only, and audited; what says why. */
int wrapper_admin_only(struct wrapper *w, const char *what);
