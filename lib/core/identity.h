/* SPDX-License-Identifier: MIT */
/* Who is an admin (DESIGN §5): one rule, for the daemons and every front
 * end.  An admin is root, or a member of [daemon] admin_group: by the
 * user's groups as NSS gives them (the primary group and every
 * supplementary one, as getgrouplist(3) reads them, so LDAP and sssd
 * groups count), or by the gid the caller runs with (a shell in `sg
 * berth-admin`).  Nothing else makes anyone an admin. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The rule on facts already looked up: uid, the user's gids (NSS), the
 * admin group's gid (has_admin_gid false when no such group exists) and
 * the gid the caller runs with ((gid_t) -1 when unknown).  Pure. */
bool identity_admin_rule(uid_t uid, const gid_t *gids, size_t n_gids, bool has_admin_gid, gid_t admin_gid,
                         gid_t peer_gid);

/* The gids of every Unix group user is in, primary first (getgrouplist). */
int identity_user_gids(const char *user, gid_t primary, gid_t **ret, size_t *ret_n);

/* The gid of a group by name: 1 with *ret set, 0 when no such group, or a
 * negative errno. */
int identity_group_gid(const char *group, gid_t *ret);

/* The whole rule through NSS: admin_group and user's groups looked up,
 * then identity_admin_rule().  user may be NULL (only uid 0 and peer_gid
 * count then). */
bool identity_is_admin(const char *admin_group, uid_t uid, const char *user, gid_t primary, gid_t peer_gid);
