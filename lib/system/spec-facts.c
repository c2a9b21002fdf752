/* SPDX-License-Identifier: MIT */
#include "system/spec-facts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/names.h"
#include "core/owner-answer.h"
#include "system/hostpath.h"

/* Ask f->ask about names: 1 with the answers, 0 when there are no names to
 * ask about.  An admin answer is remembered in f->admin. */
static int ask(struct spec_facts *f, const char *kind, char **names, json_t **ret, bool *ret_admin,
               struct berth_error *err) {
        bool admin = false;
        if (!names)
                return 0;
        int r = f->ask(f->userdata, kind, names, ret, &admin, err);
        if (r < 0)
                return r;
        f->admin = f->admin || admin;
        *ret_admin = admin;
        return 1;
}

/* A failure that came with no sentence of its own gets one. */
static int could_not_check(struct berth_error *err, int r, const char *what) {
        if (!err->message[0])
                (void) berth_error_set(err, r, "berth: the %s you named could not be checked.", what);
        return r;
}

/* Binds, volume device= options and devices, as the host has them. */
static void resolve_host(const struct spec_facts *f, struct container_spec *s) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                struct spec_mount *m = &s->mounts[i];
                if (m->kind == SPEC_MOUNT_BIND && m->source && !m->resolved)
                        (void) path_resolve_host(m->source, f->cwd, &m->resolved); /* NULL: refused */
                /* a volume's device= is a bind by another name: judge where
                 * it really leads (unresolvable: left as given, refused) */
                for (char **o = m->volume_opts; m->kind == SPEC_MOUNT_VOLUME && o && *o; o++) {
                        _cleanup_free_ char *res = NULL, *opt = NULL;
                        if (strncmp(*o, "device=/", 8) != 0 || path_resolve_host(*o + 7, f->cwd, &res) < 0 ||
                            asprintf(&opt, "device=%s", res) < 0)
                                continue;
                        free(*o);
                        *o = TAKE_PTR(opt);
                }
        }
        for (size_t i = 0; i < s->n_devices; i++) {
                struct spec_device *d = &s->devices[i];
                struct stat st;
                if (!d->path)
                        continue;
                d->resolved = realpath(d->path, NULL);
                if (!d->resolved)
                        d->kind = errno == ENOENT ? SPEC_DEVICE_MISSING : SPEC_DEVICE_UNKNOWN;
                else if (stat(d->resolved, &st) < 0)
                        d->kind = SPEC_DEVICE_UNKNOWN;
                else
                        d->kind = S_ISCHR(st.st_mode)   ? SPEC_DEVICE_CHAR
                                  : S_ISBLK(st.st_mode) ? SPEC_DEVICE_BLOCK
                                                        : SPEC_DEVICE_NOT_DEVICE;
        }
}

/* Containers named by container:X, --volumes-from, --link: one question
 * for all of them. */
static int resolve_refs(struct spec_facts *f, struct container_spec *s, struct berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *list = NULL;
        bool admin = false;

        for (size_t i = 0; i < s->n_refs; i++) {
                if (owner_name_untrimmed(s->refs[i].name))
                        return berth_error_set(err, -EINVAL,
                                               "berth: %s '%s' has white space at an end, which docker may trim; give the name exactly.",
                                               s->refs[i].flag, s->refs[i].name);
                if (strv_push(&names, s->refs[i].name) < 0)
                        return -ENOMEM;
        }
        int r = ask(f, "container", names, &list, &admin, err);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < s->n_refs && i < json_array_size(list); i++) {
                json_t *o = json_array_get(list, i);
                struct spec_ref *ref = &s->refs[i];
                const char *owner = json_string_value(json_object_get(o, "user"));
                ref->resolved = true;
                ref->exists = json_is_true(json_object_get(o, "exists"));
                ref->managed = json_is_true(json_object_get(o, "managed"));
                ref->owner = owner ? strdup(owner) : NULL;
                ref->has_binds = owner_host_paths(o);
        }
        return 0;
}

/* The named volumes the container mounts: berth-slicemgr says whose each
 * is and whether it lies over a host path.  Another user's volume is
 * refused (*ret_refused, with the sentence in err); a volume over a host
 * path gets "device=…" among its options, so the policy sees the host path. */
static int resolve_volumes(struct spec_facts *f, struct container_spec *s, bool *ret_refused, struct berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *owners = NULL;
        bool admin = false;

        *ret_refused = false;
        for (size_t i = 0; i < s->n_mounts; i++)
                if (s->mounts[i].kind == SPEC_MOUNT_VOLUME && s->mounts[i].source && strv_push(&names, s->mounts[i].source) < 0)
                        return -ENOMEM;
        int r = ask(f, "volume", names, &owners, &admin, err);
        if (r <= 0)
                return r;
        for (size_t i = 0, k = 0; i < s->n_mounts; i++) {
                struct spec_mount *m = &s->mounts[i];
                if (m->kind != SPEC_MOUNT_VOLUME || !m->source)
                        continue;
                json_t *o = json_array_get(owners, k++);
                const char *user = json_string_value(json_object_get(o, "user"));
                bool exists = json_is_true(json_object_get(o, "exists"));
                json_t *hp = json_object_get(o, "host_path");
                if (exists && user && !streq(user, f->user) && !admin) {
                        berth_error_set(err, -EPERM,
                                        "berth: the volume %s belongs to %s; you may mount only your own volumes and shared ones.",
                                        m->source, user);
                        *ret_refused = true;
                        return 0;
                }
                /* an older daemon does not say: fail closed */
                if (!(json_is_false(hp) || (hp && !exists))) {
                        _cleanup_free_ char *opt = NULL;
                        bool has = false;
                        for (char **p = m->volume_opts; p && *p; p++)
                                has = has || strncmp(*p, "device=", 7) == 0;
                        if (!has && (asprintf(&opt, "device=%s", json_is_string(hp) ? json_string_value(hp) : "(host path)") < 0 ||
                                     strv_push(&m->volume_opts, opt) < 0))
                                return -ENOMEM;
                }
        }
        return 0;
}

/* The network a --network value names: the value itself, or the name= of
 * its long form ("name=NET,alias=a"); NULL for container:X (a reference
 * resolve_refs() checks).  -EINVAL for a long form berth cannot read (a
 * quote, no name=), or one naming host or container:X, which the policy
 * looks for in the short form only. */
static int network_word(const char *value, char **ret) {
        *ret = NULL;
        if (!strchr(value, '=')) {
                if (strncmp(value, "container:", 10) == 0)
                        return 0;
                *ret = strdup(value);
                return *ret ? 0 : -ENOMEM;
        }
        if (strchr(value, '"'))
                return -EINVAL;
        for (const char *p = value; p && *p;) {
                size_t n = strcspn(p, ",");
                if (n > 5 && strncmp(p, "name=", 5) == 0) {
                        free(*ret);
                        *ret = strndup(p + 5, n - 5);
                        if (!*ret)
                                return -ENOMEM;
                }
                p = p[n] ? p + n + 1 : NULL;
        }
        if (!*ret || strcasecmp(*ret, "host") == 0 || strncasecmp(*ret, "container:", 10) == 0) {
                free(*ret);
                *ret = NULL;
                return -EINVAL;
        }
        return 0;
}

/* Every --network the container joins is the caller's, shared or
 * Docker's own (*ret_refused, the sentence in err). */
static int resolve_networks(struct spec_facts *f, const struct container_spec *s, bool *ret_refused,
                            struct berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *owners = NULL;
        bool admin = false;

        *ret_refused = false;
        for (char **n = s->networks; n && *n; n++) {
                _cleanup_free_ char *name = NULL;
                int r = network_word(*n, &name);
                if (r == -EINVAL) {
                        *ret_refused = true;
                        (void) berth_error_set(err, -EPERM, "berth: --network %s cannot be checked; give the network's name alone.",
                                               *n);
                        return 0;
                }
                if (r < 0)
                        return r;
                if (name && strv_push(&names, name) < 0)
                        return -ENOMEM;
        }
        int r = ask(f, "network", names, &owners, &admin, err);
        if (r <= 0)
                return r;
        if (admin)
                return 0;
        for (size_t i = 0; names[i]; i++) {
                char msg[512];
                if (owner_network_refused(json_array_get(owners, i), names[i], f->user, "join", false, msg, sizeof(msg))) {
                        *ret_refused = true;
                        (void) berth_error_set(err, -EPERM, "%s", msg);
                        return 0;
                }
        }
        return 0;
}

int spec_facts_resolve(struct spec_facts *f, struct container_spec *s, enum spec_facts_refusal *ret_refused,
                       struct berth_error *err) {
        bool refused = false;
        int r;

        *ret_refused = SPEC_FACTS_OK;
        resolve_host(f, s);
        r = resolve_refs(f, s, err);
        if (r < 0)
                return could_not_check(err, r, "containers");
        r = resolve_volumes(f, s, &refused, err);
        if (r < 0)
                return could_not_check(err, r, "volumes");
        if (refused) {
                *ret_refused = SPEC_FACTS_VOLUME;
                return 0;
        }
        r = resolve_networks(f, s, &refused, err);
        if (r < 0)
                return could_not_check(err, r, "networks");
        if (refused)
                *ret_refused = SPEC_FACTS_NETWORK;
        return 0;
}

int spec_facts_own_image(struct spec_facts *f, const char *image, char **ret) {
        _cleanup_free_ char *own = NULL;
        _cleanup_json_ json_t *answers = NULL;
        struct berth_error err = { 0 };
        bool admin = false;

        *ret = NULL;
        if (!image || name_image_own(image, f->user, &own) < 0 || !own)
                return 0;
        char *names[] = { own, NULL };
        if (f->ask(f->userdata, "image", names, &answers, &admin, &err) < 0)
                return 0;
        f->admin = f->admin || admin;
        if (json_is_true(json_object_get(json_array_get(answers, 0), "exists")))
                *ret = TAKE_PTR(own);
        return 0;
}
