/* SPDX-License-Identifier: MIT */
#include "owner-cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "basic/util.h"

struct slot {
        uid_t uid;
        char *target; /* NULL: empty */
        json_t *answer;
        uint64_t until;
};

struct OwnerCache {
        pthread_mutex_t lock;
        struct slot slots[OWNER_CACHE_SLOTS];
};

static size_t slot_of(uid_t uid, const char *target) {
        /* FNV-1a over the uid and the target */
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < sizeof(uid); i++)
                h = (h ^ ((uid >> (8 * i)) & 0xff)) * 1099511628211ULL;
        for (const unsigned char *p = (const unsigned char *) target; *p; p++)
                h = (h ^ *p) * 1099511628211ULL;
        return (size_t) (h & (OWNER_CACHE_SLOTS - 1));
}

static void slot_clear(struct slot *s) {
        s->target = mfree(s->target);
        json_decref(s->answer);
        s->answer = NULL;
}

int owner_cache_new(OwnerCache **ret) {
        OwnerCache *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        if (pthread_mutex_init(&c->lock, NULL) != 0) {
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

OwnerCache *owner_cache_free(OwnerCache *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < OWNER_CACHE_SLOTS; i++)
                slot_clear(&c->slots[i]);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
}

json_t *owner_cache_get(OwnerCache *c, uid_t uid, const char *target, uint64_t now) {
        json_t *copy = NULL;
        if (!c || !target)
                return NULL;
        pthread_mutex_lock(&c->lock);
        struct slot *s = &c->slots[slot_of(uid, target)];
        if (s->target && s->uid == uid && streq(s->target, target)) {
                if (now < s->until)
                        copy = json_deep_copy(s->answer);
                else
                        slot_clear(s);
        }
        pthread_mutex_unlock(&c->lock);
        return copy;
}

void owner_cache_put(OwnerCache *c, uid_t uid, const char *target, const json_t *answer, uint64_t now) {
        if (!c || !target || !json_is_true(json_object_get(answer, "mine")) ||
            !json_is_string(json_object_get(answer, "id")))
                return;
        /* copies made outside the lock */
        char *t = strdup(target);
        json_t *a = json_deep_copy(answer);
        if (!t || !a) {
                free(t);
                json_decref(a);
                return;
        }
        pthread_mutex_lock(&c->lock);
        struct slot *s = &c->slots[slot_of(uid, target)];
        slot_clear(s);
        *s = (struct slot) { .uid = uid, .target = t, .answer = a, .until = now + OWNER_CACHE_TTL_USEC };
        pthread_mutex_unlock(&c->lock);
}

void owner_cache_forget(OwnerCache *c, uid_t uid) {
        if (!c)
                return;
        pthread_mutex_lock(&c->lock);
        for (size_t i = 0; i < OWNER_CACHE_SLOTS; i++)
                if (c->slots[i].target && c->slots[i].uid == uid)
                        slot_clear(&c->slots[i]);
        pthread_mutex_unlock(&c->lock);
}
