/* SPDX-License-Identifier: MIT */
/* Whether a container meets a host path, from Docker's view of its mounts
 * (mounts.c): a bind, or a volume whose driver options name device=. */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "system/docker.h"

/* Docker's own volume name rule, [a-zA-Z0-9][a-zA-Z0-9_.-]+: no other
 * name is asked of Docker. */
bool volume_name_valid(const char *name);
/* A volume object (GET /volumes/NAME, or an entry of GET /volumes) whose
 * Options name device=, so it is a host path under another name. */
bool volume_has_host_path(json_t *volume);
/* GET /volumes/NAME; -ENOENT when there is none (or the name is not one
 * Docker allows). */
int volume_inspect(struct docker *d, const char *name, json_t **ret, struct berth_error *err);

/* Whether mounts (the "Mounts" of a container listing or inspect) meet a
 * host path.  A volume is looked up in volumes (the Volumes of GET
 * /volumes; may be NULL), else asked of d (may be NULL); one that cannot
 * be told counts as a host path. */
bool mounts_meet_host_path(json_t *mounts, json_t *volumes, struct docker *d);
