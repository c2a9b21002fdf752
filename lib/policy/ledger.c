/* SPDX-License-Identifier: MIT */
#include "policy/ledger.h"

#include <inttypes.h>
#include <math.h>
#include <sys/random.h>

/* The last request's amounts are compared in slices held as doubles: sums of
 * whole slices are exact, and a limit such as 0.5 GPU is 3.5 slices. */
#define SLICE_EPSILON 1e-6
/* Requests carry at most 3 decimals ("0.429" for a 3/7 instance). */
#define FRACTION_EPSILON 0.0005
#define REQUEST_GPUS_MAX 4096
#define ADMIN_PREFIX_MIN 12

struct ledger {
        const struct gpu_inventory *inv;
        struct ledger_entry **entries; /* oldest first */
        size_t n_entries;
        size_t n_allocated;
        ledger_id_func id_func;
        void *id_userdata;
};

static const struct gpu_inventory empty_inventory = { NULL, 0 };

static const char *const state_names[_LEDGER_STATE_MAX] = {
        [LEDGER_RESERVED] = "reserved",
        [LEDGER_COMMITTED] = "committed",
        [LEDGER_BOUND] = "bound",
        [LEDGER_ADOPTED] = "adopted",
};

static const char *const error_kind_names[_LEDGER_ERROR_MAX] = {
        [LEDGER_ERROR_NONE] = "none",
        [LEDGER_ERROR_INVALID] = "invalid",
        [LEDGER_ERROR_QUOTA_EXCEEDED] = "quota_exceeded",
        [LEDGER_ERROR_GPUS_UNAVAILABLE] = "gpus_unavailable",
        [LEDGER_ERROR_NOT_FOUND] = "not_found",
        [LEDGER_ERROR_PERMISSION_DENIED] = "permission_denied",
        [LEDGER_ERROR_INTERNAL] = "internal",
};

const char *ledger_state_name(enum ledger_state s) {
        return (unsigned) s < _LEDGER_STATE_MAX ? state_names[s] : NULL;
}

enum ledger_error_kind ledger_error_kind_from_errno(int r) {
        switch (r) {
        case -EINVAL:
                return LEDGER_ERROR_INVALID;
        case -EDQUOT:
                return LEDGER_ERROR_QUOTA_EXCEEDED;
        case -EBUSY:
                return LEDGER_ERROR_GPUS_UNAVAILABLE;
        case -ENOENT:
                return LEDGER_ERROR_NOT_FOUND;
        case -EPERM:
                return LEDGER_ERROR_PERMISSION_DENIED;
        default:
                return r >= 0 ? LEDGER_ERROR_NONE : LEDGER_ERROR_INTERNAL;
        }
}

const char *ledger_error_kind_name(enum ledger_error_kind k) {
        return (unsigned) k < _LEDGER_ERROR_MAX ? error_kind_names[k] : NULL;
}

/* --- small helpers ---------------------------------------------------------- */

static bool is_pending(const struct ledger_entry *e) {
        return e->state == LEDGER_RESERVED || e->state == LEDGER_COMMITTED;
}

static bool is_expired(const struct ledger_entry *e, uint64_t now_usec) {
        return is_pending(e) && e->expires_usec <= now_usec;
}

static uint64_t expiry_after(uint64_t now_usec, uint64_t ttl_usec) {
        /* LEDGER_NEVER is reserved for entries that do not expire */
        if (ttl_usec >= LEDGER_NEVER - 1 - now_usec)
                return LEDGER_NEVER - 1;
        return now_usec + ttl_usec;
}

static bool startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Two devices are one for hand-out purposes when they are the same UUID or one
 * is the MIG parent of the other; siblings are independent. */
static bool devices_overlap(const char *u1, const char *p1, const char *u2, const char *p2) {
        return streq(u1, u2) || (p1 && streq(p1, u2)) || (p2 && streq(p2, u1));
}

static bool fits(uint64_t held_slices, double add_slices, double cap_gpus) {
        return (double) held_slices + add_slices <= cap_gpus * GPU_SLICES + SLICE_EPSILON;
}

static const char *gpu_noun(double gpus) {
        return gpus == 0 || gpus > 1 ? "GPUs" : "GPU";
}

/* "2", "0.5", "1.43": at most two decimals, no trailing zeros. */
static const char *format_gpus(double gpus, char *buf, size_t n) {
        if (isinf(gpus))
                return "unlimited";
        snprintf(buf, n, "%.2f", gpus);
        char *dot = strchr(buf, '.');
        if (dot) {
                char *end = buf + strlen(buf) - 1;
                while (end > dot && *end == '0')
                        *end-- = 0;
                if (end == dot)
                        *end = 0;
        }
        return buf;
}

static double slices_to_gpus(double slices) {
        return slices / GPU_SLICES;
}

/* A comma list for messages, cut short with "and N more" so a sentence stays
 * readable and fits struct berth_error. */
struct name_list {
        char buf[300];
        size_t len;
        size_t n;
        size_t dropped;
};

static void name_list_add(struct name_list *nl, const char *name) {
        size_t need = strlen(name) + (nl->n ? 2 : 0);

        if (nl->dropped || nl->len + need + 16 >= sizeof(nl->buf)) {
                nl->dropped++;
                return;
        }
        nl->len += (size_t) snprintf(nl->buf + nl->len, sizeof(nl->buf) - nl->len, "%s%s", nl->n ? ", " : "", name);
        nl->n++;
}

static const char *name_list_done(struct name_list *nl) {
        if (nl->dropped)
                snprintf(nl->buf + nl->len, sizeof(nl->buf) - nl->len, " and %zu more", nl->dropped);
        return nl->buf;
}

/* How an entry is named in messages: its container, else its reservation. */
static void name_list_add_entry(struct name_list *nl, const struct ledger_entry *e) {
        char what[64];

        if (e->container && *e->container) {
                name_list_add(nl, e->container);
                return;
        }
        snprintf(what, sizeof(what), "pending reservation %.8s", e->id);
        name_list_add(nl, what);
}

static bool id_valid(const char *id) {
        size_t i;

        for (i = 0; id[i]; i++)
                if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
                        return false;
        return i == LEDGER_ID_LEN;
}

static int id_random(char *ret, void *userdata) {
        static const char hex[] = "0123456789abcdef";
        uint8_t b[LEDGER_ID_LEN / 2];
        ssize_t n;

        do
                n = getrandom(b, sizeof(b), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t) n != sizeof(b))
                return -EIO;
        for (size_t i = 0; i < sizeof(b); i++) {
                ret[2 * i] = hex[b[i] >> 4];
                ret[2 * i + 1] = hex[b[i] & 15];
        }
        ret[LEDGER_ID_LEN] = 0;
        return 0;
}

/* --- entries ------------------------------------------------------------------ */

static void entry_free(struct ledger_entry *e) {
        if (!e)
                return;
        free(e->user);
        free(e->group);
        free(e->container);
        free(e->container_id);
        for (size_t i = 0; i < e->n_devices; i++) {
                free(e->devices[i].uuid);
                free(e->devices[i].parent_uuid);
        }
        free(e->devices);
        strv_free(e->parked);
        free(e);
}

static void entry_freep(struct ledger_entry **e) {
        entry_free(*e);
}

static void entry_sum(struct ledger_entry *e) {
        e->slices = 0;
        for (size_t i = 0; i < e->n_devices; i++)
                e->slices += e->devices[i].slices;
        e->gpus = (double) e->slices / GPU_SLICES;
}

static struct ledger_entry *find_by_id(const struct ledger *l, const char *id) {
        for (size_t i = 0; i < l->n_entries; i++)
                if (streq(l->entries[i]->id, id))
                        return l->entries[i];
        return NULL;
}

static struct ledger_entry *find_by_container_id(const struct ledger *l, const char *cid) {
        for (size_t i = 0; i < l->n_entries; i++)
                if (streq_ptr(l->entries[i]->container_id, cid))
                        return l->entries[i];
        return NULL;
}

static struct ledger_entry *find_by_name(const struct ledger *l, const char *name, bool pending) {
        for (size_t i = 0; i < l->n_entries; i++)
                if (is_pending(l->entries[i]) == pending && streq_ptr(l->entries[i]->container, name))
                        return l->entries[i];
        return NULL;
}

/* A fresh id no entry has; with a broken generator, -EIO. */
static int new_id(struct ledger *l, char *ret) {
        char id[LEDGER_ID_LEN + 1];

        for (unsigned tries = 0; tries < 16; tries++) {
                memset(id, 0, sizeof(id));
                int r = l->id_func(id, l->id_userdata);
                if (r < 0)
                        return r;
                id[LEDGER_ID_LEN] = 0;
                if (!id_valid(id))
                        return -EIO;
                if (!find_by_id(l, id)) {
                        memcpy(ret, id, sizeof(id));
                        return 0;
                }
        }
        return -EIO;
}

/* Room for one more entry; growing the array changes nothing observable. */
static int reserve_slot(struct ledger *l) {
        if (l->n_entries < l->n_allocated)
                return 0;
        size_t n = l->n_allocated ? l->n_allocated * 2 : 16;
        struct ledger_entry **p = reallocarray(l->entries, n, sizeof(*p));
        if (!p)
                return -ENOMEM;
        l->entries = p;
        l->n_allocated = n;
        return 0;
}

static void link_entry(struct ledger *l, struct ledger_entry *e) {
        l->entries[l->n_entries++] = e;
}

/* Remove every entry pick() selects, each shown to cb first; no allocation,
 * so it cannot fail half way. */
static size_t remove_entries(struct ledger *l, bool (*pick)(const struct ledger_entry *e, const void *arg),
                             const void *arg, ledger_entry_func cb, void *userdata) {
        size_t kept = 0, removed = 0;

        for (size_t i = 0; i < l->n_entries; i++) {
                struct ledger_entry *e = l->entries[i];
                if (pick(e, arg)) {
                        if (cb)
                                cb(e, userdata);
                        entry_free(e);
                        removed++;
                } else
                        l->entries[kept++] = e;
        }
        l->n_entries = kept;
        return removed;
}

static bool pick_pointer(const struct ledger_entry *e, const void *arg) {
        return e == arg;
}

/* --- the ledger ------------------------------------------------------------- */

int ledger_new(const struct gpu_inventory *inv, struct ledger **ret) {
        struct ledger *l;

        if (!ret)
                return -EINVAL;
        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->inv = inv ? inv : &empty_inventory;
        l->id_func = id_random;
        *ret = l;
        return 0;
}

void ledger_free(struct ledger *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n_entries; i++)
                entry_free(l->entries[i]);
        free(l->entries);
        free(l);
}

void ledger_set_id_generator(struct ledger *l, ledger_id_func f, void *userdata) {
        l->id_func = f ? f : id_random;
        l->id_userdata = f ? userdata : NULL;
}

const struct gpu_inventory *ledger_inventory(const struct ledger *l) {
        return l->inv;
}

static ssize_t inventory_index(const struct gpu_inventory *inv, const char *uuid) {
        const struct gpu_device *d = gpu_inventory_find(inv, uuid);
        return d ? d - inv->devices : -1;
}

static bool entries_overlap(const struct ledger_entry *a, const struct ledger_entry *b) {
        for (size_t i = 0; i < a->n_devices; i++)
                for (size_t j = 0; j < b->n_devices; j++)
                        if (devices_overlap(a->devices[i].uuid, a->devices[i].parent_uuid, b->devices[j].uuid,
                                            b->devices[j].parent_uuid))
                                return true;
        return false;
}

int ledger_set_inventory(struct ledger *l, const struct gpu_inventory *inv) {
        _cleanup_free_ ssize_t *idx = NULL;
        _cleanup_free_ char **parent = NULL;
        size_t total = 0, k = 0;
        int conflicts = 0;

        if (!l)
                return -EINVAL;
        if (!inv)
                inv = &empty_inventory;
        for (size_t i = 0; i < l->n_entries; i++)
                total += l->entries[i]->n_devices;

        /* First everything that can fail: look-ups and copies of new parents. */
        idx = calloc(total + 1, sizeof(*idx));
        parent = calloc(total + 1, sizeof(*parent));
        if (!idx || !parent)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_entries; i++) {
                const struct ledger_entry *e = l->entries[i];
                for (size_t j = 0; j < e->n_devices; j++, k++) {
                        idx[k] = inventory_index(inv, e->devices[j].uuid);
                        if (idx[k] < 0 || !inv->devices[idx[k]].parent_uuid)
                                continue;
                        parent[k] = strdup(inv->devices[idx[k]].parent_uuid);
                        if (!parent[k]) {
                                for (size_t m = 0; m < k; m++)
                                        free(parent[m]);
                                return -ENOMEM;
                        }
                }
        }

        /* Then apply, which cannot fail.  A device that vanished keeps the
         * parent it was known with, so its old GPU or siblings stay guarded. */
        k = 0;
        for (size_t i = 0; i < l->n_entries; i++) {
                struct ledger_entry *e = l->entries[i];
                for (size_t j = 0; j < e->n_devices; j++, k++) {
                        struct ledger_device *d = &e->devices[j];
                        if (idx[k] < 0) {
                                d->index = LEDGER_DEVICE_UNKNOWN;
                                d->slices = 0;
                                continue;
                        }
                        d->index = (size_t) idx[k];
                        d->slices = inv->devices[idx[k]].slices;
                        free(d->parent_uuid);
                        d->parent_uuid = parent[k];
                }
                entry_sum(e);
        }
        l->inv = inv;

        /* A new MIG layout can relate devices that two entries hold; the later
         * one carries the mark, as adopt does. */
        for (size_t j = 0; j < l->n_entries; j++)
                for (size_t i = 0; i < j && !l->entries[j]->conflict; i++)
                        if (entries_overlap(l->entries[i], l->entries[j])) {
                                l->entries[j]->conflict = true;
                                conflicts++;
                        }
        return conflicts;
}

/* --- queries ------------------------------------------------------------------ */

struct usage {
        uint64_t slices;
        uint64_t containers;
};

static struct usage usage_of(const struct ledger *l, const char *user, const char *group) {
        struct usage u = { 0, 0 };

        for (size_t i = 0; i < l->n_entries; i++) {
                const struct ledger_entry *e = l->entries[i];
                if ((user && streq(e->user, user)) || (group && streq(e->group, group))) {
                        u.slices += e->slices;
                        u.containers++;
                }
        }
        return u;
}

void ledger_user_usage(const struct ledger *l, const char *user, double *ret_gpus, uint64_t *ret_containers) {
        struct usage u = usage_of(l, strempty(user), NULL);

        if (ret_gpus)
                *ret_gpus = (double) u.slices / GPU_SLICES;
        if (ret_containers)
                *ret_containers = u.containers;
}

void ledger_group_usage(const struct ledger *l, const char *group, double *ret_gpus, uint64_t *ret_containers) {
        struct usage u = usage_of(l, NULL, strempty(group));

        if (ret_gpus)
                *ret_gpus = (double) u.slices / GPU_SLICES;
        if (ret_containers)
                *ret_containers = u.containers;
}

static const struct ledger_entry *holder_of(const struct ledger *l, const struct gpu_device *dev) {
        for (size_t i = 0; i < l->n_entries; i++) {
                const struct ledger_entry *e = l->entries[i];
                for (size_t j = 0; j < e->n_devices; j++)
                        if (devices_overlap(e->devices[j].uuid, e->devices[j].parent_uuid, dev->uuid,
                                            dev->parent_uuid))
                                return e;
        }
        return NULL;
}

const struct ledger_entry *ledger_device_holder(const struct ledger *l, size_t index) {
        if (!l || index >= l->inv->n_devices)
                return NULL;
        return holder_of(l, &l->inv->devices[index]);
}

const struct ledger_entry *const *ledger_entries(const struct ledger *l, size_t *ret_n) {
        if (ret_n)
                *ret_n = l->n_entries;
        return (const struct ledger_entry *const *) l->entries;
}

const struct ledger_entry *ledger_find(const struct ledger *l, const char *id) {
        return l && id ? find_by_id(l, id) : NULL;
}

const struct ledger_entry *ledger_find_container(const struct ledger *l, const char *container) {
        const struct ledger_entry *e;

        if (!l || !container || !*container)
                return NULL;
        e = find_by_container_id(l, container);
        if (!e)
                e = find_by_name(l, container, false);
        if (!e)
                e = find_by_name(l, container, true);
        return e;
}

int ledger_entry_uuids(const struct ledger_entry *e, char **ret) {
        size_t len = 1;
        char *s, *p;

        if (!e || !ret)
                return -EINVAL;
        for (size_t i = 0; i < e->n_devices; i++)
                len += strlen(e->devices[i].uuid) + 1;
        s = malloc(len);
        if (!s)
                return -ENOMEM;
        p = s;
        *p = 0;
        for (size_t i = 0; i < e->n_devices; i++)
                p = stpcpy(stpcpy(p, i ? "," : ""), e->devices[i].uuid);
        *ret = s;
        return 0;
}

/* --- reserve ------------------------------------------------------------------ */

static bool cap_invalid(double cap) {
        return isnan(cap) || cap < 0;
}

static int request_validate(const struct ledger_request *req, struct berth_error *err) {
        char a[32];

        if (!req->user || !*req->user || !req->group || !*req->group)
                return berth_error_set(err, -EINVAL,
                                       "berth: the GPU request names no user or group; this is a bug in berth, please report it.");
        if (cap_invalid(req->user_gpus_max) || cap_invalid(req->per_container_gpus_max) ||
            cap_invalid(req->group_gpus_max))
                return berth_error_set(err, -EINVAL,
                                       "berth: a GPU limit is not a number; this is a bug in berth, please report it.");
        if (req->devices) {
                if (!req->devices[0])
                        return berth_error_set(err, -EINVAL,
                                               "berth: the GPU request lists no device; name at least one UUID with device=, or leave it out.");
                return 0;
        }
        if (!isfinite(req->gpus) || req->gpus < 0 || (req->gpus > 1 && req->gpus != floor(req->gpus)) ||
            req->gpus > REQUEST_GPUS_MAX)
                return berth_error_set(err, -EINVAL,
                                       "berth: cannot reserve %s GPUs; ask for a whole number of GPUs or a fraction below 1 (such as 0.5).",
                                       isfinite(req->gpus) ? format_gpus(req->gpus, a, sizeof(a)) : "that many");
        return 0;
}

enum want_kind {
        WANT_NONE,
        WANT_COUNT,    /* n devices, largest first */
        WANT_FRACTION, /* one device of at least min_slices, smallest first */
        WANT_EXPLICIT, /* exactly the listed devices */
};

struct want {
        enum want_kind kind;
        size_t n;             /* devices */
        unsigned min_slices;  /* WANT_FRACTION */
        double slices;        /* what the quota pre-check charges */
        double asked;         /* in GPUs, for messages */
};

/* The devices a request names, resolved to inventory indices into pick[]. */
static int resolve_explicit(const struct ledger *l, char *const *devices, size_t *pick, struct want *w,
                            struct berth_error *err) {
        const struct gpu_inventory *inv = l->inv;
        size_t n = strv_length(devices);

        for (size_t i = 0; i < n; i++) {
                ssize_t x = inventory_index(inv, devices[i]);
                if (x < 0) {
                        for (size_t j = 0; j < inv->n_devices; j++)
                                if (streq_ptr(inv->devices[j].parent_uuid, devices[i]))
                                        return berth_error_set(err, -EINVAL,
                                                               "berth: %s is split into MIG instances and is not handed out whole; name one of its instances (such as %s) instead.",
                                                               devices[i], inv->devices[j].uuid);
                        return berth_error_set(err, -EINVAL,
                                               "berth: this machine has no GPU %s to hand out; 'berthctl status' lists the GPUs.",
                                               devices[i]);
                }
                for (size_t j = 0; j < i; j++) {
                        const struct gpu_device *a = &inv->devices[pick[j]], *b = &inv->devices[x];
                        if (pick[j] == (size_t) x)
                                return berth_error_set(err, -EINVAL,
                                                       "berth: %s is listed twice; name each device once.", devices[i]);
                        if (devices_overlap(a->uuid, a->parent_uuid, b->uuid, b->parent_uuid))
                                return berth_error_set(err, -EINVAL,
                                                       "berth: %s and %s are the same GPU (one is a MIG instance of the other); name only one.",
                                                       a->uuid, b->uuid);
                }
                pick[i] = (size_t) x;
                w->slices += inv->devices[x].slices;
        }
        w->kind = WANT_EXPLICIT;
        w->n = n;
        w->asked = slices_to_gpus(w->slices);
        return 0;
}

static void user_gpu_holders(const struct ledger *l, const char *user, struct name_list *nl) {
        for (size_t i = 0; i < l->n_entries; i++)
                if (streq(l->entries[i]->user, user) && l->entries[i]->n_devices > 0)
                        name_list_add_entry(nl, l->entries[i]);
}

static void user_entries(const struct ledger *l, const char *user, struct name_list *nl) {
        for (size_t i = 0; i < l->n_entries; i++)
                if (streq(l->entries[i]->user, user))
                        name_list_add_entry(nl, l->entries[i]);
}

static void all_gpu_holders(const struct ledger *l, struct name_list *nl) {
        for (size_t i = 0; i < l->n_entries; i++)
                if (l->entries[i]->n_devices > 0)
                        name_list_add_entry(nl, l->entries[i]);
}

static int quota_user_gpus(const struct ledger *l, const struct ledger_request *req, const struct want *w,
                           struct usage u, struct berth_error *err) {
        struct name_list nl = { .n = 0 };
        char h[32], c[32], a[32];
        double held = slices_to_gpus((double) u.slices), cap = req->user_gpus_max;

        if (cap == 0)
                return berth_error_set(err, -EDQUOT,
                                       "berth: you may not hold any GPU (your limit is 0); run without --gpus or ask an admin to raise it.");
        if (u.slices == 0)
                return berth_error_set(err, -EDQUOT, "berth: you may hold %s %s at once and asked for %s; ask for fewer.",
                                       format_gpus(cap, c, sizeof(c)), gpu_noun(cap),
                                       format_gpus(w->asked, a, sizeof(a)));
        user_gpu_holders(l, req->user, &nl);
        if ((double) u.slices + SLICE_EPSILON >= cap * GPU_SLICES)
                return berth_error_set(err, -EDQUOT,
                                       "berth: you already hold %s of %s %s (%s); retire one with 'container retire NAME'.",
                                       format_gpus(held, h, sizeof(h)), format_gpus(cap, c, sizeof(c)), gpu_noun(cap),
                                       name_list_done(&nl));
        return berth_error_set(err, -EDQUOT,
                               "berth: you hold %s of %s %s (%s) and asked for %s more; ask for fewer or retire one with 'container retire NAME'.",
                               format_gpus(held, h, sizeof(h)), format_gpus(cap, c, sizeof(c)), gpu_noun(cap),
                               name_list_done(&nl), format_gpus(w->asked, a, sizeof(a)));
}

static int quota_group_gpus(const struct ledger_request *req, const struct want *w, struct usage g,
                            struct berth_error *err) {
        char h[32], c[32], a[32];
        double held = slices_to_gpus((double) g.slices), cap = req->group_gpus_max;

        if (cap == 0)
                return berth_error_set(err, -EDQUOT,
                                       "berth: group %s may not hold any GPU; run without --gpus or ask an admin.",
                                       req->group);
        if (g.slices == 0)
                return berth_error_set(err, -EDQUOT,
                                       "berth: group %s may hold %s %s at once and you asked for %s; ask for fewer.",
                                       req->group, format_gpus(cap, c, sizeof(c)), gpu_noun(cap),
                                       format_gpus(w->asked, a, sizeof(a)));
        if ((double) g.slices + SLICE_EPSILON >= cap * GPU_SLICES)
                return berth_error_set(err, -EDQUOT,
                                       "berth: group %s already holds %s of %s %s; ask an admin or wait for one to be freed.",
                                       req->group, format_gpus(held, h, sizeof(h)), format_gpus(cap, c, sizeof(c)),
                                       gpu_noun(cap));
        return berth_error_set(err, -EDQUOT,
                               "berth: group %s holds %s of %s %s and you asked for %s more; ask for fewer, ask an admin, or wait for one to be freed.",
                               req->group, format_gpus(held, h, sizeof(h)), format_gpus(cap, c, sizeof(c)), gpu_noun(cap),
                               format_gpus(w->asked, a, sizeof(a)));
}

static const char *plural(uint64_t n, const char *one, const char *many) {
        return n == 1 ? one : many;
}

/* Every quota, in a fixed order, before anything is picked. */
static int check_quotas(const struct ledger *l, const struct ledger_request *req, const struct want *w,
                        struct usage u, struct usage g, struct berth_error *err) {
        char c[32], a[32];

        if (w->slices > 0 && !fits(0, w->slices, req->per_container_gpus_max)) {
                if (req->per_container_gpus_max == 0)
                        return berth_error_set(err, -EDQUOT,
                                               "berth: your containers may not hold GPUs (the per-container limit is 0); run without --gpus or ask an admin.");
                return berth_error_set(err, -EDQUOT, "berth: a container may hold at most %s %s and you asked for %s; ask for fewer.",
                                       format_gpus(req->per_container_gpus_max, c, sizeof(c)),
                                       gpu_noun(req->per_container_gpus_max), format_gpus(w->asked, a, sizeof(a)));
        }
        if (w->slices > 0 && !fits(u.slices, w->slices, req->user_gpus_max))
                return quota_user_gpus(l, req, w, u, err);
        if (w->slices > 0 && !fits(g.slices, w->slices, req->group_gpus_max))
                return quota_group_gpus(req, w, g, err);
        if (u.containers >= req->user_containers_max) {
                struct name_list nl = { .n = 0 };
                if (req->user_containers_max == 0)
                        return berth_error_set(err, -EDQUOT,
                                               "berth: you may not hold containers (your limit is 0); ask an admin to raise it.");
                user_entries(l, req->user, &nl);
                return berth_error_set(err, -EDQUOT,
                                       "berth: you may hold %" PRIu64 " %s at once and hold %" PRIu64 " (%s); retire one with 'container retire NAME' first.",
                                       req->user_containers_max, plural(req->user_containers_max, "container", "containers"),
                                       u.containers, name_list_done(&nl));
        }
        if (g.containers >= req->group_containers_max) {
                if (req->group_containers_max == 0)
                        return berth_error_set(err, -EDQUOT,
                                               "berth: group %s may not hold containers; ask an admin.", req->group);
                return berth_error_set(err, -EDQUOT,
                                       "berth: group %s may hold %" PRIu64 " %s at once and holds %" PRIu64 "; ask an admin or wait for one to be retired.",
                                       req->group, req->group_containers_max,
                                       plural(req->group_containers_max, "container", "containers"), g.containers);
        }
        return 0;
}

/* "6 GPUs and MIG instances", "4 GPUs", "1 GPU". */
static const char *inventory_noun(const struct gpu_inventory *inv, char *buf, size_t n) {
        size_t mig = 0;

        for (size_t i = 0; i < inv->n_devices; i++)
                if (inv->devices[i].parent_uuid)
                        mig++;
        snprintf(buf, n, "%zu %s%s", inv->n_devices, inv->n_devices == 1 ? "GPU" : "GPUs",
                 mig ? " and MIG instances" : "");
        return buf;
}

static int unavailable(const struct ledger *l, const struct want *w, size_t n_free, struct berth_error *err) {
        struct name_list nl = { .n = 0 };
        char what[64], a[32];

        if (l->inv->n_devices == 0)
                return berth_error_set(err, -EBUSY, "berth: this machine has no GPUs to hand out; run without --gpus.");
        if (w->kind == WANT_COUNT && w->n > l->inv->n_devices)
                return berth_error_set(err, -EBUSY,
                                       "berth: you asked for %zu GPUs but this machine has only %s; ask for fewer.", w->n,
                                       inventory_noun(l->inv, what, sizeof(what)));
        all_gpu_holders(l, &nl);
        if (n_free == 0) {
                inventory_noun(l->inv, what, sizeof(what));
                return berth_error_set(err, -EBUSY,
                                       "berth: %s %s %s in use (%s); 'berthctl status' shows who holds them.",
                                       l->inv->n_devices == 1 ? "the" : "all", what,
                                       l->inv->n_devices == 1 ? "is" : "are", name_list_done(&nl));
        }
        if (w->kind == WANT_FRACTION)
                return berth_error_set(err, -EBUSY,
                                       "berth: no free GPU or MIG instance has %s GPU or more (the others are held by %s); ask for less or wait, 'berthctl status' shows who holds them.",
                                       format_gpus(w->asked, a, sizeof(a)), name_list_done(&nl));
        return berth_error_set(err, -EBUSY,
                               "berth: you asked for %zu GPUs but only %zu %s free (the others are held by %s); ask for fewer or wait, 'berthctl status' shows who holds them.",
                               w->n, n_free, n_free == 1 ? "is" : "are", name_list_done(&nl));
}

/* The fraction a request may still take without passing a cap, in slices. */
static double headroom(const struct ledger_request *req, struct usage u, struct usage g) {
        double h = req->per_container_gpus_max * GPU_SLICES;
        double hu = req->user_gpus_max * GPU_SLICES - (double) u.slices;
        double hg = req->group_gpus_max * GPU_SLICES - (double) g.slices;

        if (hu < h)
                h = hu;
        if (hg < h)
                h = hg;
        return h;
}

/* The smallest free device would do for the fraction, but passes a cap. */
static int fraction_over_quota(const struct ledger *l, const struct ledger_request *req, const struct want *w,
                               const struct gpu_device *d, struct usage u, struct usage g,
                               struct berth_error *err) {
        char dev[64], a[32], c[32], h[32];

        if (d->slices >= GPU_SLICES)
                snprintf(dev, sizeof(dev), "a whole GPU");
        else
                snprintf(dev, sizeof(dev), "a MIG instance of %s GPU",
                         format_gpus(slices_to_gpus(d->slices), a, sizeof(a)));
        format_gpus(w->asked, a, sizeof(a));
        if (!fits(0, d->slices, req->per_container_gpus_max))
                return berth_error_set(err, -EDQUOT,
                                       "berth: the smallest free device with at least %s GPU is %s, but a container may hold at most %s %s; wait for a smaller one to be freed.",
                                       a, dev, format_gpus(req->per_container_gpus_max, c, sizeof(c)),
                                       gpu_noun(req->per_container_gpus_max));
        if (!fits(u.slices, d->slices, req->user_gpus_max)) {
                struct name_list nl = { .n = 0 };
                if (u.slices == 0)
                        return berth_error_set(err, -EDQUOT,
                                               "berth: the smallest free device with at least %s GPU is %s, but you may hold at most %s %s; wait for a smaller one to be freed.",
                                               a, dev, format_gpus(req->user_gpus_max, c, sizeof(c)),
                                               gpu_noun(req->user_gpus_max));
                user_gpu_holders(l, req->user, &nl);
                return berth_error_set(err, -EDQUOT,
                                       "berth: the smallest free device with at least %s GPU is %s, but you hold %s of %s %s%s%s%s; wait for a smaller one to be freed or retire one with 'container retire NAME'.",
                                       a, dev, format_gpus(slices_to_gpus((double) u.slices), h, sizeof(h)),
                                       format_gpus(req->user_gpus_max, c, sizeof(c)), gpu_noun(req->user_gpus_max),
                                       nl.n ? " (" : "", nl.n ? name_list_done(&nl) : "", nl.n ? ")" : "");
        }
        if (g.slices == 0)
                return berth_error_set(err, -EDQUOT,
                                       "berth: the smallest free device with at least %s GPU is %s, but group %s may hold at most %s %s; wait for a smaller one to be freed or ask an admin.",
                                       a, dev, req->group, format_gpus(req->group_gpus_max, c, sizeof(c)),
                                       gpu_noun(req->group_gpus_max));
        return berth_error_set(err, -EDQUOT,
                               "berth: the smallest free device with at least %s GPU is %s, but group %s holds %s of %s %s; wait for a smaller one to be freed or ask an admin.",
                               a, dev, req->group, format_gpus(slices_to_gpus((double) g.slices), h, sizeof(h)),
                               format_gpus(req->group_gpus_max, c, sizeof(c)), gpu_noun(req->group_gpus_max));
}

static void mark_overlapping(const struct gpu_inventory *inv, size_t x, bool *busy) {
        for (size_t i = 0; i < inv->n_devices; i++)
                if (devices_overlap(inv->devices[i].uuid, inv->devices[i].parent_uuid, inv->devices[x].uuid,
                                    inv->devices[x].parent_uuid))
                        busy[i] = true;
}

/* Free devices in hand-out order: by slices (descending when largest first),
 * then inventory order.  Insertion sort: inventories are small. */
static size_t free_candidates(const struct gpu_inventory *inv, const bool *busy, unsigned min_slices,
                              bool largest_first, size_t *out) {
        size_t n = 0;

        for (size_t i = 0; i < inv->n_devices; i++) {
                unsigned s = inv->devices[i].slices;
                if (busy[i] || s < min_slices)
                        continue;
                size_t j = n++;
                for (; j > 0; j--) {
                        unsigned t = inv->devices[out[j - 1]].slices;
                        if (largest_first ? t >= s : t <= s)
                                break;
                        out[j] = out[j - 1];
                }
                out[j] = i;
        }
        return n;
}

static int pick_devices(const struct ledger *l, const struct ledger_request *req, const struct want *w,
                        struct usage u, struct usage g, size_t *pick, struct berth_error *err) {
        const struct gpu_inventory *inv = l->inv;
        _cleanup_free_ bool *busy = NULL;
        _cleanup_free_ size_t *cand = NULL;
        size_t n_free = 0, n;

        busy = calloc(inv->n_devices + 1, sizeof(*busy));
        cand = calloc(inv->n_devices + 1, sizeof(*cand));
        if (!busy || !cand)
                return berth_error_set(err, -ENOMEM, "berth: out of memory while picking GPUs; try again.");
        for (size_t i = 0; i < inv->n_devices; i++) {
                busy[i] = holder_of(l, &inv->devices[i]) != NULL;
                n_free += !busy[i];
        }

        switch (w->kind) {
        case WANT_NONE:
                return 0;

        case WANT_EXPLICIT:
                for (size_t i = 0; i < w->n; i++)
                        if (busy[pick[i]]) {
                                struct name_list nl = { .n = 0 };
                                name_list_add_entry(&nl, holder_of(l, &inv->devices[pick[i]]));
                                return berth_error_set(err, -EBUSY,
                                                       "berth: %s is held by %s; leave out device= to get a free GPU, or wait, 'berthctl status' shows who holds them.",
                                                       inv->devices[pick[i]].uuid, name_list_done(&nl));
                        }
                return 0;

        case WANT_COUNT:
                if (w->n > inv->n_devices || n_free < w->n)
                        return unavailable(l, w, n_free, err);
                /* whole GPUs first, then MIG instances largest first */
                for (size_t k = 0; k < w->n; k++) {
                        n = free_candidates(inv, busy, 1, true, cand);
                        if (n == 0)
                                return unavailable(l, w, k, err);
                        pick[k] = cand[0];
                        mark_overlapping(inv, cand[0], busy);
                }
                return 0;

        case WANT_FRACTION:
                /* MIG instances smallest first, then whole GPUs */
                n = free_candidates(inv, busy, w->min_slices, false, cand);
                if (n == 0)
                        return unavailable(l, w, n_free, err);
                for (size_t k = 0; k < n; k++)
                        if (req->admin || inv->devices[cand[k]].slices <= headroom(req, u, g) + SLICE_EPSILON) {
                                pick[0] = cand[k];
                                return 0;
                        }
                return fraction_over_quota(l, req, w, &inv->devices[cand[0]], u, g, err);

        default:
                return berth_error_set(err, -EINVAL, "berth: internal error in the GPU ledger; please report it.");
        }
}

static int device_copy(struct ledger_device *d, const char *uuid, const char *parent, size_t index, unsigned slices) {
        d->uuid = strdup(uuid);
        d->parent_uuid = parent ? strdup(parent) : NULL;
        d->index = index;
        d->slices = slices;
        if (!d->uuid || (parent && !d->parent_uuid))
                return -ENOMEM;
        return 0;
}

static int entry_new(const char *user, uid_t uid, const char *group, const char *container, size_t n_devices,
                     struct ledger_entry **ret) {
        _cleanup_(entry_freep) struct ledger_entry *e = NULL;

        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        e->user = strdup(strempty(user));
        e->group = strdup(strempty(group));
        e->uid = uid;
        e->hold_until_usec = LEDGER_NEVER;
        if (!e->user || !e->group)
                return -ENOMEM;
        if (container && *container) {
                e->container = strdup(container);
                if (!e->container)
                        return -ENOMEM;
        }
        if (n_devices > 0) {
                e->devices = calloc(n_devices, sizeof(*e->devices));
                if (!e->devices)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(e);
        return 0;
}

int ledger_reserve(struct ledger *l, const struct ledger_request *req, uint64_t now_usec,
                   const struct ledger_entry **ret, struct berth_error *err) {
        _cleanup_(entry_freep) struct ledger_entry *e = NULL;
        _cleanup_free_ size_t *pick = NULL;
        struct want w = { .kind = WANT_NONE };
        struct usage u, g;
        int r;

        if (!l || !req)
                return berth_error_set(err, -EINVAL, "berth: empty GPU request; this is a bug in berth, please report it.");
        r = request_validate(req, err);
        if (r < 0)
                return r;

        /* validated: without devices, gpus is a whole number up to REQUEST_GPUS_MAX or below 1 */
        pick = calloc((req->devices ? strv_length(req->devices) : (size_t) req->gpus) + 1, sizeof(*pick));
        if (!pick)
                return berth_error_set(err, -ENOMEM, "berth: out of memory while reserving GPUs; try again.");
        if (req->devices) {
                r = resolve_explicit(l, req->devices, pick, &w, err);
                if (r < 0)
                        return r;
        } else if (req->gpus >= 1) {
                w.kind = WANT_COUNT;
                w.n = (size_t) req->gpus;
                w.slices = (double) w.n * GPU_SLICES;
                w.asked = req->gpus;
        } else if (req->gpus > 0) {
                double s = ceil((req->gpus - FRACTION_EPSILON) * GPU_SLICES);
                w.kind = WANT_FRACTION;
                w.n = 1;
                w.min_slices = s < 1 ? 1 : s > GPU_SLICES ? GPU_SLICES : (unsigned) s;
                w.slices = req->gpus * GPU_SLICES;
                w.asked = req->gpus;
        }

        u = usage_of(l, req->user, NULL);
        g = usage_of(l, NULL, req->group);
        if (!req->admin) {
                r = check_quotas(l, req, &w, u, g, err);
                if (r < 0)
                        return r;
        }
        r = pick_devices(l, req, &w, u, g, pick, err);
        if (r < 0)
                return r;

        /* Everything is decided; now build the entry, then link it last. */
        r = entry_new(req->user, req->uid, req->group, req->container, w.n, &e);
        if (r < 0)
                return berth_error_set(err, r, "berth: out of memory while reserving GPUs; try again.");
        for (size_t i = 0; i < w.n; i++) {
                const struct gpu_device *d = &l->inv->devices[pick[i]];
                r = device_copy(&e->devices[e->n_devices++], d->uuid, d->parent_uuid, pick[i], d->slices);
                if (r < 0)
                        return berth_error_set(err, r, "berth: out of memory while reserving GPUs; try again.");
        }
        entry_sum(e);
        e->state = LEDGER_RESERVED;
        e->created_usec = now_usec;
        e->ttl_usec = req->ttl_usec ? req->ttl_usec : LEDGER_TTL_DEFAULT_USEC;
        e->expires_usec = expiry_after(now_usec, e->ttl_usec);
        r = new_id(l, e->id);
        if (r < 0)
                return berth_error_set(err, r, "berth: could not make a reservation id: %s; try again.", strerror(-r));
        r = reserve_slot(l);
        if (r < 0)
                return berth_error_set(err, r, "berth: out of memory while reserving GPUs; try again.");

        if (ret)
                *ret = e;
        link_entry(l, TAKE_PTR(e));
        return 0;
}

/* --- commit, cancel, bind ----------------------------------------------------- */

static int lookup_owned(struct ledger *l, const char *id, uid_t uid, bool admin, uint64_t now_usec,
                        struct ledger_entry **ret, struct berth_error *err) {
        struct ledger_entry *e;

        if (!l || !id || !*id)
                return berth_error_set(err, -EINVAL, "berth: no reservation id given; this is a bug in the client, please report it.");
        e = find_by_id(l, id);
        if (!e)
                return berth_error_set(err, -ENOENT,
                                       "berth: reservation %.40s is unknown or has expired; run the command again to get a new one.",
                                       id);
        if (e->uid != uid && !admin)
                return berth_error_set(err, -EPERM,
                                       "berth: reservation %s belongs to another user; only its owner or an admin may commit or cancel it.",
                                       id);
        if (is_expired(e, now_usec))
                return berth_error_set(err, -ENOENT,
                                       "berth: reservation %s has expired; run the command again to get a new one.", id);
        *ret = e;
        return 0;
}

int ledger_commit(struct ledger *l, const char *id, uid_t uid, bool admin, uint64_t now_usec,
                  struct berth_error *err) {
        struct ledger_entry *e;
        int r;

        r = lookup_owned(l, id, uid, admin, now_usec, &e, err);
        if (r < 0)
                return r;
        /* Docker may report the container before the client commits. */
        if (!is_pending(e))
                return 0;
        e->state = LEDGER_COMMITTED;
        e->expires_usec = expiry_after(now_usec, e->ttl_usec);
        return 0;
}

int ledger_cancel(struct ledger *l, const char *id, uid_t uid, bool admin, uint64_t now_usec,
                  struct berth_error *err) {
        struct ledger_entry *e;
        int r;

        r = lookup_owned(l, id, uid, admin, now_usec, &e, err);
        if (r < 0)
                return r;
        /* docker run exits non-zero when the command in the container fails, yet the
         * container exists and holds its GPUs until it is removed. */
        if (!is_pending(e))
                return berth_error_set(err, -EBUSY,
                                       "berth: reservation %s already belongs to container %s; retire the container to free its GPUs.",
                                       id, strempty(e->container ? e->container : e->container_id));
        remove_entries(l, pick_pointer, e, NULL, NULL);
        return 0;
}

int ledger_bind(struct ledger *l, const char *id, const char *container_name, const char *container_id,
                uint64_t now_usec, const struct ledger_entry **ret) {
        struct ledger_entry *e = NULL, *existing;
        _cleanup_free_ char *cid = NULL, *name = NULL;

        if (!l || !container_id || !*container_id || (!id && !container_name))
                return -EINVAL;

        existing = find_by_container_id(l, container_id);
        if (existing) {
                if (id && !streq(existing->id, id))
                        return -EEXIST;
                if (ret)
                        *ret = existing;
                return 0;
        }

        if (id)
                e = find_by_id(l, id);
        else
                for (size_t i = 0; i < l->n_entries; i++)
                        if (is_pending(l->entries[i]) && !is_expired(l->entries[i], now_usec) &&
                            streq_ptr(l->entries[i]->container, container_name)) {
                                e = l->entries[i];
                                break;
                        }
        if (!e || is_expired(e, now_usec))
                return -ENOENT;
        if (!is_pending(e))
                return -EEXIST; /* bound to another container already */

        cid = strdup(container_id);
        if (!cid)
                return -ENOMEM;
        if (container_name && *container_name && !streq_ptr(e->container, container_name)) {
                name = strdup(container_name);
                if (!name)
                        return -ENOMEM;
        }

        e->container_id = TAKE_PTR(cid);
        if (name) {
                free(e->container);
                e->container = TAKE_PTR(name);
        }
        e->state = LEDGER_BOUND;
        e->expires_usec = LEDGER_NEVER;
        if (ret)
                *ret = e;
        return 0;
}

/* --- adopt, release, expire ---------------------------------------------------- */

int ledger_adopt(struct ledger *l, const char *user, uid_t uid, const char *group, const char *container_name,
                 const char *container_id, char *const *gpu_uuids, uint64_t now_usec,
                 const struct ledger_entry **ret) {
        _cleanup_(entry_freep) struct ledger_entry *e = NULL;
        int r, conflicts = 0;

        if (!l || !container_id || !*container_id)
                return -EINVAL;
        if (find_by_container_id(l, container_id))
                return -EEXIST;

        r = entry_new(user, uid, group, container_name, strv_length(gpu_uuids), &e);
        if (r < 0)
                return r;
        e->container_id = strdup(container_id);
        if (!e->container_id)
                return -ENOMEM;
        for (char *const *u = gpu_uuids; u && *u; u++) {
                bool dup = false;
                if (!**u)
                        continue;
                for (size_t j = 0; j < e->n_devices; j++)
                        dup = dup || streq(e->devices[j].uuid, *u);
                if (dup)
                        continue;
                ssize_t x = inventory_index(l->inv, *u);
                const struct gpu_device *d = x >= 0 ? &l->inv->devices[x] : NULL;
                r = device_copy(&e->devices[e->n_devices++], *u, d ? d->parent_uuid : NULL,
                                d ? (size_t) x : LEDGER_DEVICE_UNKNOWN, d ? d->slices : 0);
                if (r < 0)
                        return r;
        }
        entry_sum(e);
        e->state = LEDGER_ADOPTED;
        e->created_usec = now_usec;
        e->expires_usec = LEDGER_NEVER;

        for (size_t j = 0; j < e->n_devices; j++)
                for (size_t i = 0; i < l->n_entries; i++) {
                        const struct ledger_entry *o = l->entries[i];
                        bool hit = false;
                        for (size_t k = 0; k < o->n_devices && !hit; k++)
                                hit = devices_overlap(e->devices[j].uuid, e->devices[j].parent_uuid,
                                                      o->devices[k].uuid, o->devices[k].parent_uuid);
                        if (hit) {
                                conflicts++;
                                break;
                        }
                }
        e->conflict = conflicts > 0;

        r = new_id(l, e->id);
        if (r < 0)
                return r;
        r = reserve_slot(l);
        if (r < 0)
                return r;
        if (ret)
                *ret = e;
        link_entry(l, TAKE_PTR(e));
        return conflicts;
}

int ledger_release_container(struct ledger *l, const char *container, ledger_entry_func cb, void *userdata) {
        struct ledger_entry *e;

        if (!l || !container || !*container)
                return -EINVAL;
        e = find_by_container_id(l, container);
        if (!e)
                e = find_by_name(l, container, false);
        if (!e)
                return 0;
        remove_entries(l, pick_pointer, e, cb, userdata);
        return 1;
}

/* --- stopped containers: the hold, then parked devices --------------------- */

static struct ledger_entry *find_held(const struct ledger *l, const char *container_id) {
        struct ledger_entry *e = l && container_id ? find_by_container_id(l, container_id) : NULL;
        return e && !is_pending(e) ? e : NULL;
}

int ledger_container_stopped(struct ledger *l, const char *container_id, uint64_t hold_until_usec) {
        struct ledger_entry *e = find_held(l, container_id);
        if (!e)
                return -ENOENT;
        e->hold_until_usec = hold_until_usec;
        return 0;
}

int ledger_container_started(struct ledger *l, const char *container_id) {
        struct ledger_entry *e = find_held(l, container_id);
        if (!e)
                return -ENOENT;
        e->hold_until_usec = LEDGER_NEVER;
        return 0;
}

static bool hold_over(const struct ledger_entry *e, uint64_t now_usec) {
        return !is_pending(e) && e->n_devices > 0 && e->hold_until_usec != LEDGER_NEVER && e->hold_until_usec <= now_usec;
}

/* The entry's devices become its parked UUIDs; all allocation first, so a
 * failure changes nothing. */
static int park(struct ledger_entry *e) {
        char **v = calloc(e->n_devices + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < e->n_devices; i++)
                v[i] = TAKE_PTR(e->devices[i].uuid);
        for (size_t i = 0; i < e->n_devices; i++)
                free(e->devices[i].parent_uuid);
        free(e->devices);
        strv_free(e->parked);
        e->parked = v;
        e->devices = NULL;
        e->n_devices = 0;
        e->hold_until_usec = LEDGER_NEVER;
        entry_sum(e);
        return 0;
}

size_t ledger_release_held(struct ledger *l, uint64_t now_usec, ledger_entry_func cb, void *userdata) {
        size_t n = 0;
        for (size_t i = 0; l && i < l->n_entries; i++) {
                struct ledger_entry *e = l->entries[i];
                if (!hold_over(e, now_usec))
                        continue;
                if (cb)
                        cb(e, userdata);
                if (park(e) >= 0)
                        n++;
        }
        return n;
}

uint64_t ledger_next_hold_end(const struct ledger *l) {
        uint64_t next = LEDGER_NEVER;
        for (size_t i = 0; l && i < l->n_entries; i++) {
                const struct ledger_entry *e = l->entries[i];
                if (!is_pending(e) && e->n_devices > 0 && e->hold_until_usec < next)
                        next = e->hold_until_usec;
        }
        return next;
}

int ledger_rehold(struct ledger *l, const char *container_id, const struct ledger_request *req, uint64_t now_usec,
                  struct berth_error *err) {
        struct ledger_entry *e = find_held(l, container_id);
        _cleanup_free_ size_t *pick = NULL;
        _cleanup_free_ struct ledger_device *devices = NULL;
        struct want w = { .kind = WANT_NONE };
        const char *name;
        int r;

        if (!e)
                return berth_error_set(err, -ENOENT, "berth: the container holds nothing in the GPU ledger.");
        if (!e->parked || !e->parked[0])
                return 0;
        name = e->container ? e->container : e->container_id;
        if (!req || !req->user || !req->group || cap_invalid(req->user_gpus_max) ||
            cap_invalid(req->per_container_gpus_max) || cap_invalid(req->group_gpus_max))
                return berth_error_set(err, -EINVAL, "berth: the start request names no user or limits; this is a bug in berth, please report it.");
        size_t n = strv_length(e->parked);
        pick = calloc(n + 1, sizeof(*pick));
        devices = calloc(n, sizeof(*devices));
        if (!pick || !devices)
                return berth_error_set(err, -ENOMEM, "berth: out of memory while taking GPUs back; try again.");
        for (size_t i = 0; i < n; i++)
                if (inventory_index(l->inv, e->parked[i]) < 0)
                        return berth_error_set(err, -EINVAL,
                                               "berth: %s was created with %s, which this machine no longer hands out; remove it and deploy it again.",
                                               name, e->parked[i]);
        r = resolve_explicit(l, e->parked, pick, &w, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const struct ledger_entry *h = holder_of(l, &l->inv->devices[pick[i]]);
                if (h) {
                        struct name_list nl = { .n = 0 };
                        name_list_add_entry(&nl, h);
                        return berth_error_set(err, -EBUSY,
                                               "berth: %s was created with %s, which was freed while it was stopped and %s holds now; remove it and deploy it again to get a free GPU, or start it once that one is freed.",
                                               name, e->parked[i], name_list_done(&nl));
                }
        }
        if (!req->admin) {
                struct ledger_request q = *req;
                q.user_containers_max = q.group_containers_max = UINT64_MAX;
                r = check_quotas(l, &q, &w, usage_of(l, req->user, NULL), usage_of(l, NULL, req->group), err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n; i++) {
                const struct gpu_device *d = &l->inv->devices[pick[i]];
                r = device_copy(&devices[i], d->uuid, d->parent_uuid, pick[i], d->slices);
                if (r < 0) {
                        for (size_t j = 0; j <= i; j++) {
                                free(devices[j].uuid);
                                free(devices[j].parent_uuid);
                        }
                        return berth_error_set(err, r, "berth: out of memory while taking GPUs back; try again.");
                }
        }
        e->devices = TAKE_PTR(devices);
        e->n_devices = n;
        strv_free(e->parked);
        e->parked = NULL;
        entry_sum(e);
        e->hold_until_usec = expiry_after(now_usec, req->ttl_usec ? req->ttl_usec : LEDGER_TTL_DEFAULT_USEC);
        return 1;
}

static bool pick_admin(const struct ledger_entry *e, const void *arg) {
        const char *what = arg;

        if (streq(e->id, what) || streq_ptr(e->container, what))
                return true;
        if (e->container_id &&
            (streq(e->container_id, what) || (strlen(what) >= ADMIN_PREFIX_MIN && startswith(e->container_id, what))))
                return true;
        for (size_t i = 0; i < e->n_devices; i++)
                if (streq(e->devices[i].uuid, what))
                        return true;
        return false;
}

int ledger_release_admin(struct ledger *l, const char *what, ledger_entry_func cb, void *userdata,
                         struct berth_error *err) {
        size_t n;

        if (!l || !what || !*what)
                return berth_error_set(err, -EINVAL, "berth: name a container, reservation or GPU UUID to release.");
        n = remove_entries(l, pick_admin, what, cb, userdata);
        if (n == 0)
                return berth_error_set(err, -ENOENT,
                                       "berth: no container, reservation or GPU named %.200s is held; 'berthctl status' lists the holders.",
                                       what);
        return n > INT32_MAX ? INT32_MAX : (int) n;
}

struct expire_arg {
        uint64_t now_usec;
};

static bool pick_expired(const struct ledger_entry *e, const void *arg) {
        const struct expire_arg *a = arg;
        return is_expired(e, a->now_usec);
}

size_t ledger_expire(struct ledger *l, uint64_t now_usec, ledger_entry_func cb, void *userdata) {
        struct expire_arg a = { now_usec };

        if (!l)
                return 0;
        return remove_entries(l, pick_expired, &a, cb, userdata);
}

uint64_t ledger_next_expiry(const struct ledger *l) {
        uint64_t next = LEDGER_NEVER;

        if (l)
                for (size_t i = 0; i < l->n_entries; i++)
                        if (is_pending(l->entries[i]) && l->entries[i]->expires_usec < next)
                                next = l->entries[i]->expires_usec;
        return next;
}

/* --- invariants ---------------------------------------------------------------- */

static int check_entry(const struct ledger *l, const struct ledger_entry *e) {
        const struct gpu_inventory *inv = l->inv;
        unsigned sum = 0;

        if (!id_valid(e->id) || (unsigned) e->state >= _LEDGER_STATE_MAX || !e->user || !e->group)
                return -EUCLEAN;
        if (e->container && !*e->container)
                return -EUCLEAN;
        if (is_pending(e)) {
                if (e->expires_usec == LEDGER_NEVER || e->container_id)
                        return -EUCLEAN;
        } else if (e->expires_usec != LEDGER_NEVER || !e->container_id || !*e->container_id)
                return -EUCLEAN;
        if (e->n_devices > 0 && !e->devices)
                return -EUCLEAN;
        if ((e->parked && (e->n_devices > 0 || is_pending(e))) ||
            (is_pending(e) && e->hold_until_usec != LEDGER_NEVER))
                return -EUCLEAN;
        for (size_t i = 0; i < e->n_devices; i++) {
                const struct ledger_device *d = &e->devices[i];
                if (!d->uuid)
                        return -EUCLEAN;
                if (d->index == LEDGER_DEVICE_UNKNOWN) {
                        if (d->slices != 0 || inventory_index(inv, d->uuid) >= 0)
                                return -EUCLEAN;
                } else {
                        if (d->index >= inv->n_devices)
                                return -EUCLEAN;
                        const struct gpu_device *g = &inv->devices[d->index];
                        if (!streq_ptr(g->uuid, d->uuid) || g->slices != d->slices ||
                            !streq_ptr(g->parent_uuid, d->parent_uuid))
                                return -EUCLEAN;
                }
                for (size_t j = 0; j < i; j++)
                        if (streq(e->devices[j].uuid, d->uuid))
                                return -EUCLEAN;
                sum += d->slices;
        }
        if (sum != e->slices || e->gpus != (double) sum / GPU_SLICES)
                return -EUCLEAN;
        return 0;
}

int ledger_check_invariants(const struct ledger *l) {
        if (!l || !l->inv || l->n_entries > l->n_allocated || (l->n_entries > 0 && !l->entries))
                return -EUCLEAN;
        for (size_t i = 0; i < l->n_entries; i++) {
                const struct ledger_entry *e = l->entries[i];
                if (!e || check_entry(l, e) < 0)
                        return -EUCLEAN;
                for (size_t j = 0; j < i; j++) {
                        const struct ledger_entry *o = l->entries[j];
                        if (o == e || streq(o->id, e->id))
                                return -EUCLEAN;
                        if (e->container_id && streq_ptr(o->container_id, e->container_id))
                                return -EUCLEAN;
                        /* a shared device is only ever recorded on top of an older
                         * holder, with the mark on the newer entry */
                        if (!e->conflict && entries_overlap(e, o))
                                return -EUCLEAN;
                }
        }
        return 0;
}
