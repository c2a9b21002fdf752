/* SPDX-License-Identifier: MIT */
/* berth.* labels are berth's alone (DESIGN §5): anyone can put them on a
 * container (docker create --label, an image's LABEL, a commit), so they
 * count only when the seal berth-slicemgr handed out with the reservation
 * verifies over the container's name, owner, uid and GPUs. */
#include "labels.h"

#include "basic/util.h"

const char *labels_get(json_t *labels, const char *key) {
        return json_string_value(json_object_get(labels, key));
}

uid_t labels_uid(json_t *labels) {
        const char *s = labels_get(labels, "berth.uid");
        char *end;
        if (!s || *s < '0' || *s > '9')
                return (uid_t) -1;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v >= (uid_t) -1)
                return (uid_t) -1;
        return (uid_t) v;
}

/* The labels that make a container someone's or hold something: the
 * project alone (allowed on builds) claims nothing. */
static bool claims_anything(json_t *labels) {
        static const char *const keys[] = { "berth.managed", "berth.user", "berth.uid", "berth.gpus",
                                            "berth.reservation", SEAL_LABEL };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (json_object_get(labels, keys[i]))
                        return true;
        return false;
}

enum label_trust labels_trust(const uint8_t key[static SEAL_KEY_SIZE], const char *name, json_t *labels) {
        if (!json_is_object(labels) || !claims_anything(labels))
                return LABEL_TRUST_NONE;
        if (name && name[0] == '/')
                name++;
        const char *user = labels_get(labels, "berth.user");
        uid_t uid = labels_uid(labels);
        if (!name || !*name || !user || !*user || uid == (uid_t) -1)
                return LABEL_TRUST_FORGED;
        const char *gpus = labels_get(labels, "berth.gpus");
        if (!seal_verify(key, SEAL_KEY_SIZE, labels_get(labels, SEAL_LABEL), name, user, uid, gpus ? gpus : ""))
                return LABEL_TRUST_FORGED;
        return LABEL_TRUST_SEALED;
}

static void forged_done(struct forged_container *f) {
        free(f->id);
        free(f->name);
        free(f->user);
        free(f->gpus);
}

const struct forged_container *forged_set_find(const struct forged_set *s, const char *id) {
        for (size_t i = 0; id && i < s->n; i++)
                if (streq(s->v[i].id, id))
                        return &s->v[i];
        return NULL;
}

static char *strdup_or_null(const char *s, bool *oom) {
        char *d = s ? strdup(s) : NULL;
        if (s && !d)
                *oom = true;
        return d;
}

int forged_set_add(struct forged_set *s, const char *id, const char *name, json_t *labels) {
        bool oom = false;

        if (!id)
                return -EINVAL;
        if (forged_set_find(s, id))
                return 0;
        if (name && name[0] == '/')
                name++;
        struct forged_container f = {
                .id = strdup_or_null(id, &oom),
                .name = strdup_or_null(name, &oom),
                .user = strdup_or_null(labels_get(labels, "berth.user"), &oom),
                .gpus = strdup_or_null(labels_get(labels, "berth.gpus"), &oom),
        };
        struct forged_container *v = oom ? NULL : reallocarray(s->v, s->n + 1, sizeof(*v));
        if (!v) {
                forged_done(&f);
                return -ENOMEM;
        }
        s->v = v;
        s->v[s->n++] = f;
        return 1;
}

int forged_set_rename(struct forged_set *s, const char *id, const char *name) {
        struct forged_container *f = (struct forged_container *) forged_set_find(s, id);
        if (!f || !name)
                return 0;
        if (name[0] == '/')
                name++;
        char *n = strdup(name);
        if (!n)
                return -ENOMEM;
        free(f->name);
        f->name = n;
        return 0;
}

void forged_set_remove(struct forged_set *s, const char *id) {
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->v[i].id, id)) {
                        forged_done(&s->v[i]);
                        memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
                        s->n--;
                        return;
                }
}

void forged_set_clear(struct forged_set *s) {
        for (size_t i = 0; i < s->n; i++)
                forged_done(&s->v[i]);
        free(s->v);
        s->v = NULL;
        s->n = 0;
}

json_t *forged_set_json(const struct forged_set *s) {
        _cleanup_json_ json_t *a = json_array();
        for (size_t i = 0; i < s->n && a; i++)
                if (json_array_append_new(a, json_pack("{s:s?,s:s?,s:s?}", "container", s->v[i].name, "claims_user",
                                                       s->v[i].user, "gpus", s->v[i].gpus)) < 0)
                        return NULL;
        return TAKE_PTR(a);
}
