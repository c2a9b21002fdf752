/* SPDX-License-Identifier: MIT */
/* Host paths behind a container's mounts.  Docker lists what a container
 * got from --volumes-from among its own mounts, so one look at "Mounts"
 * covers every way in.  Unknown counts as a host path: the rules that
 * follow from it (run as the owner, no cp) only take rights away. */
#include "mounts.h"

#include "basic/util.h"

bool volume_name_valid(const char *name) {
        if (!name || strlen(name) < 2 || strlen(name) > 255)
                return false;
        for (const char *p = name; *p; p++) {
                bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
                if (!alnum && (p == name || !strchr("_.-", *p)))
                        return false;
        }
        return true;
}

bool volume_has_host_path(json_t *volume) {
        json_t *options = json_object_get(volume, "Options");
        const char *k;
        json_t *v;
        /* Docker's local driver reads its options by exact key */
        json_object_foreach(options, k, v)
                if (strcasecmp(k, "device") == 0)
                        return true;
        return false;
}

int volume_inspect(struct docker *d, const char *name, json_t **ret, struct berth_error *err) {
        _cleanup_free_ char *path = NULL;
        if (!volume_name_valid(name))
                return berth_error_set(err, -ENOENT, "no such volume");
        if (asprintf(&path, "/volumes/%s", name) < 0)
                return berth_error_set(err, -ENOMEM, "out of memory");
        return docker_request(d, "GET", path, NULL, NULL, ret, err);
}

static int volume_lookup(json_t *volumes, struct docker *d, const char *name) {
        size_t i;
        json_t *v;
        json_array_foreach(volumes, i, v)
                if (streq_ptr(json_string_value(json_object_get(v, "Name")), name))
                        return volume_has_host_path(v);
        if (!d)
                return -ENOENT;
        _cleanup_json_ json_t *info = NULL;
        struct berth_error err = { 0 };
        int r = volume_inspect(d, name, &info, &err);
        if (r < 0)
                return r;
        return volume_has_host_path(info);
}

bool mounts_meet_host_path(json_t *mounts, json_t *volumes, struct docker *d) {
        size_t i;
        json_t *mnt;
        json_array_foreach(mounts, i, mnt) {
                const char *type = json_string_value(json_object_get(mnt, "Type"));
                if (streq_ptr(type, "bind"))
                        return true;
                if (!streq_ptr(type, "volume"))
                        continue; /* tmpfs, npipe, cluster: no host path */
                if (volume_lookup(volumes, d, json_string_value(json_object_get(mnt, "Name"))) != 0)
                        return true; /* over a host path, or cannot be told */
        }
        return false;
}
