/* SPDX-License-Identifier: MIT */
/* Who a caller is, by uid: their name, their Unix groups and whether they
 * are an admin, from NSS.  Every control request needs this, and one
 * answer takes about ten NSS lookups (several through systemd's userdb over
 * varlink where nss-systemd is configured): half a millisecond that every
 * `docker ps` would pay.  So answers are kept for IDENTITY_TTL_USEC; a group
 * change reaches berth within that time, as it reaches the users of nscd or
 * sssd within theirs.  A reload forgets them all (the admin group may have
 * changed).  Unknown users are never kept. */
#include "identity.h"

#include "basic/time-util.h"
#include "basic/util.h"
#include "core/config.h"
#include "core/identity.h"

#include <grp.h>
#include <pwd.h>
#include <time.h>

#define IDENTITY_TTL_USEC (5ULL * 1000000)
#define IDENTITY_CACHE_MAX 256

struct identity {
        uid_t uid;
        char *user;
        char **groups; /* names, primary first */
        gid_t *gids;   /* every group, as NSS gives them */
        size_t n_gids;
        bool has_admin_gid;
        gid_t admin_gid;
        uint64_t expires; /* CLOCK_MONOTONIC, usec */
};

static void identity_done(struct identity *id) {
        free(id->user);
        free(id->gids);
        strv_free(id->groups);
}

void identity_cache_clear(struct identity_cache *c) {
        for (size_t i = 0; i < c->n_entries; i++)
                identity_done(&c->entries[i]);
        free(c->entries);
        c->entries = NULL;
        c->n_entries = 0;
}

static void drop(struct identity_cache *c, size_t i) {
        identity_done(&c->entries[i]);
        memmove(&c->entries[i], &c->entries[i + 1], (c->n_entries - i - 1) * sizeof(struct identity));
        c->n_entries--;
}

static int lookup(const char *admin_group, uid_t uid, struct identity *ret) {
        struct passwd pw, *pwr = NULL;
        char buf[16384];
        _cleanup_(identity_done) struct identity id = { .uid = uid };

        int e = getpwuid_r(uid, &pw, buf, sizeof(buf), &pwr);
        if (e != 0)
                return -e;
        if (!pwr)
                return -ENOENT;
        id.user = strdup(pwr->pw_name);
        if (!id.user)
                return -ENOMEM;
        int r = config_user_groups(pwr->pw_name, pwr->pw_gid, &id.groups, &id.gids, &id.n_gids);
        if (r < 0)
                return r;
        id.has_admin_gid = identity_group_gid(admin_group, &id.admin_gid) > 0;
        id.expires = now_usec() + IDENTITY_TTL_USEC;
        *ret = id;
        id = (struct identity) { 0 }; /* handed over */
        return 0;
}

static int identity_get(struct identity_cache *c, const char *admin_group, uid_t uid, const struct identity **ret) {
        uint64_t now = now_usec();
        for (size_t i = 0; i < c->n_entries; i++) {
                if (c->entries[i].uid != uid)
                        continue;
                if (c->entries[i].expires > now) {
                        *ret = &c->entries[i];
                        return 0;
                }
                drop(c, i);
                break;
        }

        _cleanup_(identity_done) struct identity id = { 0 };
        int r = lookup(admin_group, uid, &id);
        if (r < 0)
                return r;
        for (size_t i = c->n_entries; i > 0; i--)
                if (c->entries[i - 1].expires <= now)
                        drop(c, i - 1);
        if (c->n_entries >= IDENTITY_CACHE_MAX)
                drop(c, 0); /* the oldest */
        struct identity *v = reallocarray(c->entries, c->n_entries + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        c->entries = v;
        v[c->n_entries] = id;
        id = (struct identity) { 0 }; /* handed over */
        *ret = &v[c->n_entries++];
        return 0;
}

int identity_cache_get(struct identity_cache *c, const char *admin_group, uid_t uid, gid_t gid, char **ret_user,
                       char ***ret_groups, bool *ret_admin) {
        const struct identity *id;
        int r = identity_get(c, admin_group, uid, &id);
        if (r < 0)
                return r;
        _cleanup_free_ char *user = strdup(id->user);
        _cleanup_strv_free_ char **groups = NULL;
        if (!user)
                return -ENOMEM;
        for (char **g = id->groups; g && *g; g++)
                if (strv_push(&groups, *g) < 0)
                        return -ENOMEM;
        *ret_admin = identity_admin_rule(uid, id->gids, id->n_gids, id->has_admin_gid, id->admin_gid, gid);
        *ret_user = TAKE_PTR(user);
        *ret_groups = TAKE_PTR(groups);
        return 0;
}
