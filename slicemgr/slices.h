/* SPDX-License-Identifier: MIT */
/* Group and user slices with their limits, over sd-bus (slices.c). */
#pragma once

#include <stddef.h>
#include <systemd/sd-bus.h>

#include "basic/error.h"
#include "core/config.h"

struct slice_cache_entry;

struct slices {
        sd_bus *bus;       /* owned: the system bus */
        char *cgroup_root; /* /sys/fs/cgroup, for reading limits back */
        /* slices set up here, with what was set: a request for a slice that
         * still holds exactly that (read back from the cgroup files) needs
         * no bus call.  Emptied when limits may change. */
        struct slice_cache_entry *cache;
        size_t n_cache;
};

/* The user's slice under their group's, both holding their limits; the
 * user slice's name in *ret_slice (may be NULL). */
int slices_ensure_user(struct slices *s, const struct resolved_user *u, char **ret_slice, struct berth_error *err);
/* Re-apply the configured limits to every live berth slice. */
int slices_apply_all(struct slices *s, const struct berth_config *c, struct berth_error *err);
/* The cache, the cgroup root and the bus go. */
void slices_done(struct slices *s);
