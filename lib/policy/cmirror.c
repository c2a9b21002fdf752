/* SPDX-License-Identifier: MIT */
/* Docker's container table, mirrored for exact lookups (see cmirror.h).  A
 * flat array: a machine has hundreds of containers at most, and a lookup
 * is a few string compares each. */
#include "policy/cmirror.h"

#include "basic/util.h"

static void entry_done(struct cmirror_entry *e) {
        free(e->id);
        free(e->name);
        free(e->user);
}

static struct cmirror_entry *by_id(const struct cmirror *m, const char *id) {
        for (size_t i = 0; i < m->n; i++)
                if (streq(m->v[i].id, id))
                        return &m->v[i];
        return NULL;
}

static const char *bare(const char *name) {
        return name && name[0] == '/' ? name + 1 : name;
}

int cmirror_put(struct cmirror *m, const char *id, const char *name, const char *user, bool managed) {
        struct cmirror_entry e = { 0 };

        if (!id || !*id || !name || !*bare(name))
                return -EINVAL;
        e.id = strdup(id);
        e.name = strdup(bare(name));
        e.user = user ? strdup(user) : NULL;
        e.managed = managed;
        if (!e.id || !e.name || (user && !e.user)) {
                entry_done(&e);
                return -ENOMEM;
        }
        struct cmirror_entry *old = by_id(m, id);
        if (old) {
                entry_done(old);
                *old = e;
                return 0;
        }
        struct cmirror_entry *v = reallocarray(m->v, m->n + 1, sizeof(*v));
        if (!v) {
                entry_done(&e);
                return -ENOMEM;
        }
        m->v = v;
        m->v[m->n++] = e;
        return 0;
}

void cmirror_set_host_paths(struct cmirror *m, const char *id, bool host_paths) {
        struct cmirror_entry *e = by_id(m, id);
        if (e)
                e->host_paths = host_paths;
}

int cmirror_rename(struct cmirror *m, const char *id, const char *name) {
        struct cmirror_entry *e = by_id(m, id);
        if (!e)
                return 0;
        if (!name || !*bare(name))
                return -EINVAL;
        char *n = strdup(bare(name));
        if (!n)
                return -ENOMEM;
        free(e->name);
        e->name = n;
        return 0;
}

void cmirror_remove(struct cmirror *m, const char *id) {
        struct cmirror_entry *e = by_id(m, id);
        if (!e)
                return;
        entry_done(e);
        *e = m->v[--m->n];
}

void cmirror_clear(struct cmirror *m) {
        for (size_t i = 0; i < m->n; i++)
                entry_done(&m->v[i]);
        free(m->v);
        *m = (struct cmirror) { 0 };
}

const struct cmirror_entry *cmirror_find(const struct cmirror *m, const char *target) {
        if (!target || !*target)
                return NULL;
        const struct cmirror_entry *e = by_id(m, target);
        if (e)
                return e;
        /* dockerd puts a '/' in front of a name that has none: "x" and "/x"
         * are the same name, "//x" is not */
        const char *name = bare(target);
        if (!*name)
                return NULL;
        for (size_t i = 0; i < m->n; i++)
                if (streq(m->v[i].name, name))
                        return &m->v[i];
        return NULL;
}
