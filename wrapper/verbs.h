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
/* tag SOURCE TARGET: TARGET in the caller's namespace (wrapper_image_targets()). */
int wrapper_tag(struct wrapper *w);
/* import FILE [NAME]: NAME in the caller's namespace, no berth.* label by --change. */
int wrapper_import(struct wrapper *w);
/* load: admins only (the names come from the archive). */
int wrapper_load(struct wrapper *w);
/* volume create: local, no driver options, labelled with its owner. */
int wrapper_volume_create(struct wrapper *w);
/* network create: a plain bridge, no driver options, labelled with its owner. */
int wrapper_network_create(struct wrapper *w);
/* What docker would pass through but berth polices (wrapper_pass_needs_
 * policy()): volume rm|inspect of the caller's own or shared volumes only,
 * network rm|inspect likewise, pull only into the caller's namespace;
 * compose, buildx bake and --bootstrap refused until the API gate. */
int wrapper_pass_policed(struct wrapper *w);
/* Prunes and Docker-host changes: admins only, and audited; what says why. */
int wrapper_admin_only(struct wrapper *w, const char *what);
