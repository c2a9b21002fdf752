/* SPDX-License-Identifier: MIT */
/* Reserve replies kept for 'claim'.  A jansson object is the map: there are
 * only as many entries as pending reservations, pruned at every change. */
#include "claims.h"

#include "basic/util.h"

int claims_keep(struct claims *c, const char *id, json_t *reply) {
        json_t *copy = json_deep_copy(reply);
        if (!copy)
                return -ENOMEM;
        if (!c->replies && !(c->replies = json_object())) {
                json_decref(copy);
                return -ENOMEM;
        }
        return json_object_set_new(c->replies, id, copy) < 0 ? -ENOMEM : 0;
}

json_t *claims_get(const struct claims *c, const char *id) {
        return c->replies ? json_object_get(c->replies, id) : NULL;
}

void claims_forget(struct claims *c, const char *id) {
        if (c->replies)
                (void) json_object_del(c->replies, id);
}

void claims_prune(struct claims *c, const struct ledger *l) {
        const char *id;
        json_t *v;
        void *tmp;

        if (!c->replies)
                return;
        json_object_foreach_safe(c->replies, tmp, id, v) {
                const struct ledger_entry *e = ledger_find(l, id);
                if (!e || (e->state != LEDGER_RESERVED && e->state != LEDGER_COMMITTED))
                        (void) json_object_del(c->replies, id);
        }
}

void claims_clear(struct claims *c) {
        json_decref(c->replies);
        c->replies = NULL;
}
