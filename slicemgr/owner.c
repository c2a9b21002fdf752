/* SPDX-License-Identifier: MIT */
/* Who owns a container, by its sealed berth.user label, resolved exactly as
 * docker would (full id, name, id prefix).  A plain name that is not a
 * container but whose "NAME._.caller" is, answers for that one, so "docker
 * logs train" finds train._.alice (the wrapper then gives docker the full
 * name).  Exact ids and names come from the mirror of Docker's containers;
 * what the mirror does not know (an id prefix, a container created a
 * moment ago) is asked of Docker, so a stale mirror can never make an
 * unknown container look absent.  A container whose labels berth did not
 * seal belongs to nobody.  The caller (the wrapper) decides; this only
 * reports. */
#include "owner.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "basic/util.h"
#include "core/names.h"
#include "labels.h"
#include "mounts.h"

static json_t *owner_json(const char *asked, const char *id, const char *name, const char *user, bool managed,
                          bool host_paths, const char *caller) {
        if (name && name[0] == '/')
                name++;
        return json_pack("{s:s,s:b,s:s?,s:s?,s:s?,s:b,s:b,s:b}", "target", asked, "exists", true, "id", id, "name",
                         name, "user", user, "managed", managed, "mine", managed && streq_ptr(user, caller),
                         "host_paths", host_paths);
}

static json_t *absent(const char *target) {
        return json_pack("{s:s,s:b}", "target", target, "exists", false);
}

static json_t *failed(const char *target, const struct berth_error *err, bool *ret_failed) {
        *ret_failed = true;
        return json_pack("{s:s,s:b,s:s}", "target", target, "exists", false, "error", err->message);
}

json_t *owner_container_mirror(Manager *m, const char *caller, const char *target) {
        _cleanup_free_ char *mine = NULL;
        const struct cmirror_entry *e;

        if (!strstr(target, "._."))
                (void) name_container_typed(target, caller, &mine); /* no such name: only target is asked about */
        e = cmirror_find(&m->containers, target);
        if (!e && mine)
                e = cmirror_find(&m->containers, mine);
        if (!e)
                return NULL;
        return owner_json(target, e->id, e->name, e->user, e->managed, e->host_paths, caller);
}

json_t *owner_container_docker(struct docker *d, const uint8_t key[static SEAL_KEY_SIZE], const char *caller,
                               const char *target, bool *ret_failed) {
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *info = NULL;
        _cleanup_free_ char *mine = NULL;

        if (!strstr(target, "._."))
                (void) name_container_typed(target, caller, &mine);
        int r = docker_container_inspect(d, target, &info, &err);
        if (r == -ENOENT && mine)
                r = docker_container_inspect(d, mine, &info, &err);
        if (r == -ENOENT)
                return absent(target);
        if (r < 0)
                return failed(target, &err, ret_failed);
        const char *name = json_string_value(json_object_get(info, "Name"));
        json_t *labels = json_object_get(json_object_get(info, "Config"), "Labels");
        bool sealed = labels_trust(key, name, labels) == LABEL_TRUST_SEALED;
        return owner_json(target, json_string_value(json_object_get(info, "Id")), name,
                          sealed ? labels_get(labels, "berth.user") : NULL,
                          sealed && streq_ptr(labels_get(labels, "berth.managed"), "true"),
                          mounts_meet_host_path(json_object_get(info, "Mounts"), NULL, d), caller);
}

/* An image's berth.user label is set by `image create` and by the wrapper
 * on `docker build`. */
json_t *owner_image_docker(struct docker *d, const char *caller, const char *target, bool *ret_failed) {
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *info = NULL;
        int r = docker_image_inspect(d, target, &info, &err);
        if (r == -ENOENT)
                return absent(target);
        if (r < 0)
                return failed(target, &err, ret_failed);
        json_t *labels = json_object_get(json_object_get(info, "Config"), "Labels");
        const char *user = labels_get(labels, "berth.user");
        return json_pack("{s:s,s:b,s:s?,s:s?,s:b,s:b}", "target", target, "exists", true, "id",
                         json_string_value(json_object_get(info, "Id")), "user", user, "managed", user != NULL, "mine",
                         user && streq(user, caller));
}

/* A volume's berth.user label is set by berth when a user creates it. */
json_t *owner_volume_docker(struct docker *d, const char *caller, const char *target, bool *ret_failed) {
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *info = NULL;
        int r = volume_inspect(d, target, &info, &err);
        if (r == -ENOENT)
                return absent(target);
        if (r < 0)
                return failed(target, &err, ret_failed);
        const char *user = labels_get(json_object_get(info, "Labels"), "berth.user");
        return json_pack("{s:s,s:b,s:s?,s:b,s:b,s:b}", "target", target, "exists", true, "user", user, "managed",
                         user != NULL, "mine", user && streq(user, caller), "host_path", volume_has_host_path(info));
}

/* A network's berth.user label is set by the wrapper on `docker network
 * create`.  The name goes into the path percent-encoded: Docker resolves it
 * (full id, name, id prefix) exactly as the CLI's request would. */
json_t *owner_network_docker(struct docker *d, const char *caller, const char *target, bool *ret_failed) {
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *info = NULL;
        _cleanup_free_ char *path = malloc(strlen("/networks/") + 3 * strlen(target) + 1);
        if (!path)
                return NULL;
        char *p = stpcpy(path, "/networks/");
        for (const unsigned char *c = (const unsigned char *) target; *c; c++)
                if (isalnum(*c) || *c == '-' || *c == '_' || *c == '.')
                        *p++ = (char) *c;
                else
                        p += sprintf(p, "%%%02X", *c);
        *p = 0;
        int r = target[0] ? docker_request(d, "GET", path, NULL, NULL, &info, &err) : -ENOENT;
        if (r == -ENOENT)
                return absent(target);
        if (r < 0)
                return failed(target, &err, ret_failed);
        const char *name = json_string_value(json_object_get(info, "Name"));
        const char *user = labels_get(json_object_get(info, "Labels"), "berth.user");
        json_t *opts = json_object_get(info, "Options");
        bool builtin = streq_ptr(name, "bridge") || streq_ptr(name, "host") || streq_ptr(name, "none") ||
                       streq_ptr(json_string_value(json_object_get(opts, "com.docker.network.bridge.default_bridge")),
                                 "true");
        return json_pack("{s:s,s:b,s:s?,s:s?,s:s?,s:b,s:b,s:b}", "target", target, "exists", true, "id",
                         json_string_value(json_object_get(info, "Id")), "name", name, "user", user, "managed",
                         user != NULL, "mine", user && streq(user, caller), "builtin", builtin);
}
