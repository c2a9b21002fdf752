/* SPDX-License-Identifier: MIT */
/* libFuzzer: the input is a program of ledger operations (reserve, commit,
 * cancel, bind, adopt, release, expire, reload with another inventory).
 * After every step the invariants must hold; a refused call must change
 * nothing; a granted reservation must respect every quota it was given and
 * never share a device with anyone. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/ledger.h"
#include "basic/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GPU0 "GPU-00000000-0000-4000-8000-000000000000"
#define GPU1 "GPU-11111111-1111-4111-8111-111111111111"
#define GPU2 "GPU-22222222-2222-4222-8222-222222222222"
#define GPU3 "GPU-33333333-3333-4333-8333-333333333333"
#define MIG_A "MIG-aaaaaaaa-aaaa-5aaa-8aaa-aaaaaaaaaaaa"
#define MIG_B "MIG-bbbbbbbb-bbbb-5bbb-8bbb-bbbbbbbbbbbb"
#define MIG_C "MIG-cccccccc-cccc-5ccc-8ccc-cccccccccccc"
#define GONE "GPU-deadbeef-dead-4dea-8dea-deadbeefdead"

#define SEC 1000000ULL

#define DEV(u, slices, parent) { (char *) (u), (char *) "0000:00:00.0", 0, (char *) "fake", (slices), (parent), 0 }

static struct gpu_device dev_mig[] = {
        DEV(GPU0, 7, NULL), DEV(MIG_A, 3, (char *) GPU1), DEV(MIG_B, 2, (char *) GPU1),
        DEV(MIG_C, 2, (char *) GPU1), DEV(GPU2, 7, NULL), DEV(GPU3, 7, NULL),
};
static struct gpu_device dev_whole[] = {
        DEV(GPU0, 7, NULL), DEV(GPU1, 7, NULL), DEV(GPU2, 7, NULL), DEV(GPU3, 7, NULL),
};
/* Not what NVML would give (a GPU next to its own instance), but the ledger
 * must stay safe with it. */
static struct gpu_device dev_odd[] = {
        DEV(GPU1, 7, NULL), DEV(MIG_A, 3, (char *) GPU1), DEV(MIG_C, 2, (char *) GPU2), DEV(GPU3, 7, NULL),
};
static const struct gpu_inventory inventories[] = {
        { dev_mig, ELEMENTSOF(dev_mig) },
        { dev_whole, ELEMENTSOF(dev_whole) },
        { dev_odd, ELEMENTSOF(dev_odd) },
        { NULL, 0 },
};

static const char *const pool[] = { GPU0, GPU1, GPU2, GPU3, MIG_A, MIG_B, MIG_C, GONE };
static const char *const users[] = { "alice", "bob", "carol", "dave", "erin" };
static const double wants[] = { 0, 1, 2, 3, 7, 0.25, 0.4, 0.5, 0.99, 0.001, 1.5, -1, NAN, 5000, 0, 1 };
static const double gpu_caps[] = { INFINITY, 0, 0.5, 1, 2, 3, 1.43, 4 };
static const uint64_t count_caps[] = { UINT64_MAX, 0, 1, 2, 3, 5, 8, UINT64_MAX };

#define check(x)                          \
        do {                              \
                if (!(x))                 \
                        __builtin_trap(); \
        } while (0)

struct input {
        const uint8_t *p;
        size_t n;
};

static uint8_t next(struct input *in) {
        if (in->n == 0)
                return 0;
        in->n--;
        return *in->p++;
}

static int counter_id(char *ret, void *userdata) {
        uint64_t *n = userdata;
        snprintf(ret, LEDGER_ID_LEN + 1, "%032" PRIx64, ++*n);
        return 0;
}

static uint64_t mix(uint64_t h, const void *p, size_t n) {
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                h = (h ^ b[i]) * UINT64_C(1099511628211);
        return h;
}

static uint64_t mix_str(uint64_t h, const char *s) {
        return s ? mix(h, s, strlen(s) + 1) : mix(h, "\xff", 1);
}

/* Everything observable, as one number. */
static uint64_t fingerprint(const struct ledger *l) {
        uint64_t h = UINT64_C(14695981039346656037);
        size_t n;
        const struct ledger_entry *const *es = ledger_entries(l, &n);

        h = mix(h, &n, sizeof(n));
        for (size_t i = 0; i < n; i++) {
                const struct ledger_entry *e = es[i];
                h = mix_str(h, e->id);
                h = mix(h, &e->state, sizeof(e->state));
                h = mix_str(h, e->user);
                h = mix(h, &e->uid, sizeof(e->uid));
                h = mix_str(h, e->group);
                h = mix_str(h, e->container);
                h = mix_str(h, e->container_id);
                h = mix(h, &e->expires_usec, sizeof(e->expires_usec));
                h = mix(h, &e->conflict, sizeof(e->conflict));
                for (size_t j = 0; j < e->n_devices; j++) {
                        h = mix_str(h, e->devices[j].uuid);
                        h = mix(h, &e->devices[j].index, sizeof(e->devices[j].index));
                }
        }
        return h;
}

static const struct ledger_entry *pick_entry(const struct ledger *l, uint8_t b) {
        size_t n;
        const struct ledger_entry *const *es = ledger_entries(l, &n);
        return n ? es[b % n] : NULL;
}

static bool overlap(const struct ledger_device *a, const struct ledger_device *b) {
        return streq(a->uuid, b->uuid) || streq_ptr(a->parent_uuid, b->uuid) || streq_ptr(b->parent_uuid, a->uuid);
}

/* A granted reservation shares no device (or MIG parent/child) with anyone. */
static void check_exclusive(const struct ledger *l, const struct ledger_entry *e) {
        size_t n;
        const struct ledger_entry *const *es = ledger_entries(l, &n);

        check(!e->conflict);
        for (size_t i = 0; i < n; i++)
                if (es[i] != e)
                        for (size_t j = 0; j < es[i]->n_devices; j++)
                                for (size_t k = 0; k < e->n_devices; k++)
                                        check(!overlap(&es[i]->devices[j], &e->devices[k]));
}

static void do_reserve(struct ledger *l, struct input *in, uint64_t now) {
        uint8_t b = next(in), c = next(in), d = next(in), m = next(in);
        const char *devs[ELEMENTSOF(pool) + 1];
        size_t nd = 0;
        char name[32];
        const char *user = users[b % ELEMENTSOF(users)];
        struct ledger_request req = {
                .user = user,
                .uid = (uid_t) (1000 + b % ELEMENTSOF(users)),
                .group = (b / 8) % 2 ? "staff" : "students",
                .gpus = wants[c % ELEMENTSOF(wants)],
                .user_gpus_max = gpu_caps[(c / 16) % ELEMENTSOF(gpu_caps)],
                .per_container_gpus_max = gpu_caps[d % ELEMENTSOF(gpu_caps)],
                .group_gpus_max = gpu_caps[(d / 8) % ELEMENTSOF(gpu_caps)],
                .user_containers_max = count_caps[(d / 64) * 2 % ELEMENTSOF(count_caps)],
                .group_containers_max = count_caps[(b / 32) % ELEMENTSOF(count_caps)],
                .ttl_usec = (uint64_t) (m % 16) * SEC,
                .admin = (b / 16) % 2 && m % 3 == 0,
        };
        const struct ledger_entry *e = NULL;
        struct berth_error err = { 0 };
        double ug0, gg0, ug1, gg1;
        uint64_t uc0, gc0, uc1, gc1;

        if (m & 0x80) {
                uint8_t mask = next(in);
                for (size_t i = 0; i < ELEMENTSOF(pool); i++)
                        if (mask & (1u << i))
                                devs[nd++] = pool[i];
                if (nd == 0 && (mask & 1))
                        devs[nd++] = pool[0], devs[nd++] = pool[0]; /* a duplicate */
                devs[nd] = NULL;
                req.devices = (char *const *) devs;
        }
        if (m & 0x40) {
                snprintf(name, sizeof(name), "c%u._.%s", (unsigned) (m & 7), user);
                req.container = name;
        }

        ledger_user_usage(l, req.user, &ug0, &uc0);
        ledger_group_usage(l, req.group, &gg0, &gc0);
        uint64_t before = fingerprint(l);
        int r = ledger_reserve(l, &req, now, &e, &err);
        if (r < 0) {
                check(r == -EINVAL || r == -EDQUOT || r == -EBUSY || r == -EIO);
                check(e == NULL);
                check(err.code == r && strncmp(err.message, "berth: ", 7) == 0);
                check(fingerprint(l) == before);
                return;
        }
        check(r == 0 && e);
        check(e->state == LEDGER_RESERVED && e->expires_usec > now && e->expires_usec != LEDGER_NEVER);
        check_exclusive(l, e);
        if (req.admin)
                return;
        ledger_user_usage(l, req.user, &ug1, &uc1);
        ledger_group_usage(l, req.group, &gg1, &gc1);
        check(uc1 == uc0 + 1 && uc1 <= req.user_containers_max);
        check(gc1 == gc0 + 1 && gc1 <= req.group_containers_max);
        if (e->slices > 0) {
                check(e->gpus <= req.per_container_gpus_max + 1e-9);
                check(ug1 <= req.user_gpus_max + 1e-9);
                check(gg1 <= req.group_gpus_max + 1e-9);
        }
        if (!req.devices && req.gpus >= 1)
                check(e->n_devices == (size_t) req.gpus);
        if (!req.devices && req.gpus > 0 && req.gpus < 1)
                check(e->n_devices == 1 && e->gpus + 0.001 >= req.gpus);
}

static void do_adopt(struct ledger *l, struct input *in, uint64_t now, uint64_t *cid) {
        uint8_t b = next(in), mask = next(in);
        const char *uuids[ELEMENTSOF(pool) + 2];
        size_t n = 0;
        char id[32], name[32];
        const struct ledger_entry *e = NULL;

        for (size_t i = 0; i < ELEMENTSOF(pool); i++)
                if (mask & (1u << i))
                        uuids[n++] = pool[i];
        if (b & 0x80 && n > 0)
                uuids[n++] = uuids[0];
        uuids[n] = NULL;
        if (b & 0x40) {
                const struct ledger_entry *o = pick_entry(l, b);
                snprintf(id, sizeof(id), "%s", o && o->container_id ? o->container_id : "cid-x");
        } else
                snprintf(id, sizeof(id), "cid-%" PRIu64, ++*cid);
        snprintf(name, sizeof(name), "a%u._.%s", (unsigned) (b & 3), users[b % ELEMENTSOF(users)]);

        uint64_t before = fingerprint(l);
        int r = ledger_adopt(l, users[b % ELEMENTSOF(users)], (uid_t) (1000 + b % ELEMENTSOF(users)),
                             b & 8 ? "staff" : "students", b & 0x20 ? NULL : name, id, (char *const *) uuids, now, &e);
        if (r < 0) {
                check(r == -EEXIST && fingerprint(l) == before);
                return;
        }
        check(e && e->state == LEDGER_ADOPTED && e->conflict == (r > 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct input in = { data, size };
        struct ledger *l = NULL;
        uint64_t ids = 0, cid = 0, now = 0;
        const struct ledger_entry *e;
        struct berth_error err;
        char buf[64];

        if (ledger_new(&inventories[0], &l) < 0)
                return 0;
        ledger_set_id_generator(l, counter_id, &ids);

        for (unsigned steps = 0; in.n > 0 && steps < 512; steps++) {
                uint8_t op = next(&in), b = next(&in);
                uint64_t before = fingerprint(l);
                int r;

                memset(&err, 0, sizeof(err));
                switch (op % 12) {
                case 0:
                case 1:
                        do_reserve(l, &in, now);
                        break;
                case 2:
                        e = pick_entry(l, b);
                        if (!e)
                                break;
                        snprintf(buf, sizeof(buf), "%s", e->id);
                        r = ledger_commit(l, b & 0x80 ? "nope" : buf, e->uid + ((b & 0x40) != 0), b & 0x20, now, &err);
                        if (r < 0)
                                check((r == -ENOENT || r == -EPERM) && fingerprint(l) == before);
                        break;
                case 3:
                        e = pick_entry(l, b);
                        if (!e)
                                break;
                        snprintf(buf, sizeof(buf), "%s", e->id);
                        r = ledger_cancel(l, buf, e->uid + ((b & 0x40) != 0), b & 0x20, now, &err);
                        if (r < 0)
                                check((r == -ENOENT || r == -EPERM || r == -EBUSY) && fingerprint(l) == before);
                        else
                                check(!ledger_find(l, buf));
                        break;
                case 4:
                case 5:
                        e = pick_entry(l, b);
                        if (!e)
                                break;
                        {
                                char id[64], name[64];
                                snprintf(id, sizeof(id), "%s", e->id);
                                snprintf(name, sizeof(name), "%s", e->container ? e->container : "noname");
                                if (b & 0x80) {
                                        const struct ledger_entry *o = pick_entry(l, b / 3);
                                        snprintf(buf, sizeof(buf), "%s", o && o->container_id ? o->container_id : "cid-y");
                                } else
                                        snprintf(buf, sizeof(buf), "cid-%" PRIu64, ++cid);
                                r = ledger_bind(l, op % 12 == 4 ? id : NULL, b & 0x40 ? "renamed._.x" : name, buf,
                                                now, &e);
                                if (r < 0)
                                        check((r == -ENOENT || r == -EEXIST) && fingerprint(l) == before);
                                else
                                        check(e->state == LEDGER_BOUND || e->state == LEDGER_ADOPTED);
                        }
                        break;
                case 6:
                        do_adopt(l, &in, now, &cid);
                        break;
                case 7:
                        e = pick_entry(l, b);
                        snprintf(buf, sizeof(buf), "%s",
                                 !e ? "none" : b & 1 && e->container ? e->container : strempty(e->container_id));
                        if (!*buf)
                                break;
                        r = ledger_release_container(l, buf, NULL, NULL);
                        check(r == 0 || r == 1);
                        if (r == 0)
                                check(fingerprint(l) == before);
                        break;
                case 8:
                        e = pick_entry(l, b);
                        snprintf(buf, sizeof(buf), "%s", b & 1 || !e ? pool[(b / 2) % ELEMENTSOF(pool)] : e->id);
                        r = ledger_release_admin(l, buf, NULL, NULL, &err);
                        check(r > 0 || (r == -ENOENT && fingerprint(l) == before));
                        break;
                case 9: {
                        uint64_t next_expiry = ledger_next_expiry(l);
                        now += (uint64_t) b * SEC / 4;
                        size_t n = ledger_expire(l, now, NULL, NULL);
                        check((n > 0) == (next_expiry <= now));
                        check(ledger_next_expiry(l) > now);
                        break;
                }
                case 10:
                        r = ledger_set_inventory(l, &inventories[b % ELEMENTSOF(inventories)]);
                        check(r >= 0);
                        break;
                case 11:
                        now += b;
                        break;
                default:
                        __builtin_trap();
                }
                check(ledger_check_invariants(l) == 0);
        }

        /* every device the inventory lists is either free or has a holder that says so */
        const struct gpu_inventory *inv = ledger_inventory(l);
        for (size_t i = 0; i < inv->n_devices; i++) {
                e = ledger_device_holder(l, i);
                if (e) {
                        char *s = NULL;
                        check(ledger_entry_uuids(e, &s) == 0);
                        free(s);
                }
        }
        ledger_free(l);
        return 0;
}
