/* SPDX-License-Identifier: MIT */
/* Who owns a container, by its berth.user label, resolved exactly as docker
 * would (full id, name, id prefix).  A plain name that is not a container
 * but whose "NAME._.caller" is, answers for that one, so "docker logs
 * train" finds train._.alice (the wrapper then gives docker the full name).
 * Exact ids and names come from the mirror of Docker's containers; what
 * the mirror does not know (an id prefix, a container created a moment
 * ago) is asked of Docker, so a stale mirror can never make an unknown
 * container look absent.  The caller (the wrapper) decides; this only
 * reports. */
#include "owner.h"

#include "basic/util.h"
#include "core/names.h"

static json_t *owner_json(const char *asked, const char *id, const char *name, const char *user, bool managed,
                          const char *caller) {
        if (name && name[0] == '/')
                name++;
        return json_pack("{s:s,s:b,s:s?,s:s?,s:s?,s:b,s:b}", "target", asked, "exists", true, "id", id, "name", name,
                         "user", user, "managed", managed, "mine", managed && streq_ptr(user, caller));
}

json_t *owner_of_container(Manager *m, const char *caller, const char *target, bool *ret_failed) {
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *info = NULL;
        _cleanup_free_ char *mine = NULL;
        const struct cmirror_entry *e;

        if (!strstr(target, "._."))
                (void) name_container_typed(target, caller, &mine); /* no such name: only target is asked about */
        e = cmirror_find(&m->containers, target);
        if (!e && mine)
                e = cmirror_find(&m->containers, mine);
        if (e)
                return owner_json(target, e->id, e->name, e->user, e->managed, caller);

        int r = docker_container_inspect(m->docker, target, &info, &err);
        if (r == -ENOENT && mine)
                r = docker_container_inspect(m->docker, mine, &info, &err);
        if (r == -ENOENT)
                return json_pack("{s:s,s:b}", "target", target, "exists", false);
        if (r < 0) {
                *ret_failed = true;
                return json_pack("{s:s,s:b,s:s}", "target", target, "exists", false, "error", err.message);
        }
        json_t *labels = json_object_get(json_object_get(info, "Config"), "Labels");
        const char *managed = json_string_value(json_object_get(labels, "berth.managed"));
        return owner_json(target, json_string_value(json_object_get(info, "Id")),
                          json_string_value(json_object_get(info, "Name")),
                          json_string_value(json_object_get(labels, "berth.user")), streq_ptr(managed, "true"), caller);
}

/* An image's berth.user label is set by `image create` and by the wrapper
 * on `docker build`. */
json_t *owner_of_image(Manager *m, const char *caller, const char *target, bool *ret_failed) {
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *info = NULL;
        int r = docker_image_inspect(m->docker, target, &info, &err);
        if (r == -ENOENT)
                return json_pack("{s:s,s:b}", "target", target, "exists", false);
        if (r < 0) {
                *ret_failed = true;
                return json_pack("{s:s,s:b,s:s}", "target", target, "exists", false, "error", err.message);
        }
        json_t *labels = json_object_get(json_object_get(info, "Config"), "Labels");
        const char *user = json_string_value(json_object_get(labels, "berth.user"));
        return json_pack("{s:s,s:b,s:s?,s:s?,s:b,s:b}", "target", target, "exists", true, "id",
                         json_string_value(json_object_get(info, "Id")), "user", user, "managed", user != NULL, "mine",
                         user && streq(user, caller));
}
