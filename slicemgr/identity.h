/* SPDX-License-Identifier: MIT */
/* Who a caller is, by uid, from NSS, kept a few seconds (identity.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct identity;

struct identity_cache {
        struct identity *entries;
        size_t n_entries;
};

/* The caller's name, Unix groups (primary first) and whether they are an
 * admin (uid 0, or in admin_group by membership or by the connection's
 * gid); -ENOENT for a uid without an account. */
int identity_cache_get(struct identity_cache *c, const char *admin_group, uid_t uid, gid_t gid, char **ret_user,
                       char ***ret_groups, bool *ret_admin);
/* Forget every answer (a reload may have changed the admin group). */
void identity_cache_clear(struct identity_cache *c);
