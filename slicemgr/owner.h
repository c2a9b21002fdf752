/* SPDX-License-Identifier: MIT */
/* Who owns a container, an image, a volume or a network, for the wrapper's ownership
 * check (owner.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/seal.h"
#include "manager.h"
#include "system/docker.h"

/* {"target","exists","id","name","user","managed","mine","host_paths"} for
 * a container target, from m's mirror alone; NULL when the mirror does not
 * know it (then Docker is asked: owner_container_docker()). */
json_t *owner_container_mirror(Manager *m, const char *caller, const char *target);

/* The same, asked of d; the labels are believed only under a seal that
 * verifies with key.  Touches no Manager, so it may run off the loop.  A
 * Docker failure sets *ret_failed and adds "error".  NULL when out of
 * memory. */
json_t *owner_container_docker(struct docker *d, const uint8_t key[static SEAL_KEY_SIZE], const char *caller,
                               const char *target, bool *ret_failed);
/* {"target","exists","id","user","managed","mine"} for an image, by its
 * berth.user label, asked of d. */
json_t *owner_image_docker(struct docker *d, const char *caller, const char *target, bool *ret_failed);
/* {"target","exists","user","managed","mine","host_path"} for a volume, by
 * its berth.user label; host_path: its driver options name device=. */
json_t *owner_volume_docker(struct docker *d, const char *caller, const char *target, bool *ret_failed);
/* {"target","exists","id","name","user","managed","mine","builtin"} for a
 * network, by its berth.user label; builtin: bridge, host, none or
 * Docker's default network, which every user may use. */
json_t *owner_network_docker(struct docker *d, const char *caller, const char *target, bool *ret_failed);
