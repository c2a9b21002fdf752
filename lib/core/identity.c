/* SPDX-License-Identifier: MIT */
#include "core/identity.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>

#include "basic/macro.h"

bool identity_admin_rule(uid_t uid, const gid_t *gids, size_t n_gids, bool has_admin_gid, gid_t admin_gid,
                         gid_t peer_gid) {
        if (uid == 0)
                return true;
        if (!has_admin_gid)
                return false;
        if (peer_gid != (gid_t) -1 && peer_gid == admin_gid)
                return true;
        for (size_t i = 0; i < n_gids; i++)
                if (gids[i] == admin_gid)
                        return true;
        return false;
}

int identity_user_gids(const char *user, gid_t primary, gid_t **ret, size_t *ret_n) {
        _cleanup_free_ gid_t *gids = NULL;
        int n = 64;

        if (!user)
                return -EINVAL;
        for (;;) {
                gid_t *ng = reallocarray(gids, (size_t) n, sizeof(gid_t));
                if (!ng)
                        return -ENOMEM;
                gids = ng;
                int want = n;
                if (getgrouplist(user, primary, gids, &want) >= 0) {
                        n = want;
                        break;
                }
                if (want <= n || want > 65536)
                        return -EIO;
                n = want;
        }
        *ret = TAKE_PTR(gids);
        *ret_n = (size_t) n;
        return 0;
}

int identity_group_gid(const char *group, gid_t *ret) {
        struct group gr, *res = NULL;
        char buf[16384];

        if (!group || !*group)
                return 0;
        int e = getgrnam_r(group, &gr, buf, sizeof(buf), &res);
        if (e != 0)
                return e == ENOENT || e == ESRCH ? 0 : -e;
        if (!res)
                return 0;
        *ret = res->gr_gid;
        return 1;
}

bool identity_is_admin(const char *admin_group, uid_t uid, const char *user, gid_t primary, gid_t peer_gid) {
        _cleanup_free_ gid_t *gids = NULL;
        size_t n = 0;
        gid_t admin_gid = 0;

        if (uid == 0)
                return true;
        bool has = identity_group_gid(admin_group, &admin_gid) > 0;
        if (has && user && identity_user_gids(user, primary, &gids, &n) < 0)
                n = 0;
        return identity_admin_rule(uid, gids, n, has, admin_gid, peer_gid);
}
