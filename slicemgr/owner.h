/* SPDX-License-Identifier: MIT */
/* Who owns a container or an image, for the wrapper's ownership check
 * (owner.c). */
#pragma once

#include <stdbool.h>

#include "manager.h"

/* {"target","exists","id","name","user","managed","mine"} for one container
 * that caller asked about; a Docker failure sets *ret_failed and adds
 * "error".  NULL when out of memory. */
json_t *owner_of_container(Manager *m, const char *caller, const char *target, bool *ret_failed);
/* The same for an image, by its berth.user label. */
json_t *owner_of_image(Manager *m, const char *caller, const char *target, bool *ret_failed);
