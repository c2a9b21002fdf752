/* SPDX-License-Identifier: MIT */
/* The operations of the control socket.  Who is asking comes only from
 * SO_PEERCRED, or from "for" when that is root (berth-gate); every answer is
 * one JSON line. */
#include "ops.h"

#include <math.h>
#include <time.h>

#include "basic/cpulist.h"
#include "basic/util.h"
#include "core/audit.h"
#include "core/limits.h"
#include "core/names.h"
#include "exempt.h"
#include "queue.h"
#include "reaper.h"
#include "core/proto.h"
#include "core/seal.h"
#include "gpu-audit.h"
#include "identity.h"
#include "owner.h"
#include "policy/policy.h"
#include "system/cgroup.h"
#include "system/numa.h"

#include <openssl/crypto.h>

/* Who is asking: peer always; the rest once looked up (every op but hello). */
struct caller {
        const struct ucred *peer;
        const struct ucred *conn_peer;  /* who is on the socket (berth-gate for a "for" request) */
        const char *line;               /* the request as it came */
        size_t len;
        struct ops_deferred **deferred; /* where a request that must ask Docker goes; NULL: ask now */
        const struct ops_wait *wait;    /* how a reserve may wait for GPUs; NULL: it may not */
        char *user;
        bool admin;
        struct resolved_user ru;
};

static void caller_done(struct caller *c) {
        free(c->user);
        resolved_user_done(&c->ru);
}

static char *error_line(const char *kind, const char *fmt, ...) _printf_(2, 3);
static char *error_line(const char *kind, const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return proto_error_line(kind, msg);
}

/* Fills in who c->peer is and their limits; on failure, the reply line
 * that says why (NULL when out of memory) goes into *ret_error. */
static int caller_resolve(Manager *m, struct caller *c, char **ret_error) {
        _cleanup_strv_free_ char **groups = NULL;
        _cleanup_free_ char *user = NULL;
        bool admin;

        int r = identity_cache_get(&m->identities, m->config->admin_group, c->peer->uid, c->peer->gid, &user, &groups,
                                   &admin);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *ret_error = error_line("unknown_user", "berth: uid %u has no account name; ask an admin to check NSS.",
                                        (unsigned) c->peer->uid);
                return -ENOENT;
        }
        r = config_resolve_user_groups(m->config, user, c->peer->uid, groups, time(NULL), &c->ru);
        if (r < 0) {
                *ret_error = error_line("unknown_user", "berth: cannot resolve the limits of %s: %s.", user,
                                        strerror(-r));
                return r;
        }
        c->user = TAKE_PTR(user);
        c->admin = admin;
        return 0;
}

static json_t *usage_json(Manager *m, const char *user) {
        double gpus = 0;
        uint64_t containers = 0;
        ledger_user_usage(m->ledger, user, &gpus, &containers);
        return json_pack("{s:f,s:I}", "gpus", gpus, "containers", (json_int_t) containers);
}

static char *op_hello(Manager *m, struct caller *c, const struct proto_request *req) {
        _cleanup_json_ json_t *o = json_pack("{s:s,s:i,s:I,s:s}", "server", "berth-slicemgr", "protocol", 1, "uid",
                                             (json_int_t) c->peer->uid, "version", BERTH_VERSION);
        return o ? proto_ok_line(o) : NULL;
}

static char *op_whoami(Manager *m, struct caller *c, const struct proto_request *req) {
        _cleanup_free_ char *slice = NULL;
        _cleanup_json_ json_t *sources = json_object();
        for (enum limit_key k = 0; k < _LIMIT_MAX && sources; k++)
                json_object_set_new(sources, limit_key_name(k), json_string(limit_source_name(c->ru.source[k])));
        if (name_slice_user(c->ru.group, c->user, &slice) < 0)
                return NULL;
        _cleanup_json_ json_t *o = json_pack("{s:s,s:I,s:s,s:b,s:b,s:s,s:o,s:O*,s:o,s:o}", "user", c->user, "uid",
                                             (json_int_t) c->peer->uid, "group", c->ru.group, "in_group",
                                             c->ru.in_configured_group, "admin", c->admin, "slice", slice, "limits",
                                             limits_json(&c->ru.limits, false), "sources", sources, "total",
                                             limits_json(&c->ru.total, true), "usage", usage_json(m, c->user));
        if (o && c->ru.override) {
                const struct user_override *ov = c->ru.override;
                json_object_set_new(o, "override", json_pack("{s:s?,s:s?}", "expires", ov->expires_text, "reason",
                                                             ov->reason));
        }
        return o ? proto_ok_line(o) : NULL;
}

static char *op_ensure_slice(Manager *m, struct caller *c, const struct proto_request *req) {
        struct berth_error err = { 0 };
        _cleanup_free_ char *slice = NULL, *group_slice = NULL;
        if (m->ensure_user_slice(&m->slices, &c->ru, &slice, &err) < 0)
                return error_line("slice_failed", "%s", err.message);
        if (name_slice_group(c->ru.group, &group_slice) < 0)
                return NULL;
        _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "slice", slice, "group_slice", group_slice, "group",
                                             c->ru.group, "limits", limits_json(&c->ru.limits, false));
        return o ? proto_ok_line(o) : NULL;
}

/* The container's full name: what the user asked for, else the project's
 * first free name (thesis, thesis-2, …). */
static char *container_name(Manager *m, struct caller *c, const struct proto_spec *spec, char **ret_error) {
        _cleanup_free_ char *full = NULL;
        int r;

        if (spec->name) {
                r = name_container_typed(spec->name, c->user, &full);
                if (r == -EPERM) {
                        *ret_error = error_line("invalid_name",
                                                "berth: '%s' names another user's container; use a plain name and berth adds '._.%s'.",
                                                spec->name, c->user);
                        return NULL;
                }
                if (r < 0) {
                        *ret_error = error_line("invalid_name",
                                                "berth: '%s' is not a valid container name; use letters, digits, '_', '.' and '-', starting with a letter or digit.",
                                                spec->name);
                        return NULL;
                }
                if (ledger_find_container(m->ledger, full)) {
                        _cleanup_free_ char *base = NULL;
                        (void) name_container_parse(full, &base, NULL);
                        *ret_error = error_line("name_taken",
                                                "berth: you already have a container named %s; pick another name or retire it with 'container retire %s'.",
                                                full, base ? base : spec->name);
                        return NULL;
                }
                return TAKE_PTR(full);
        }
        _cleanup_free_ char *project = NULL;
        if (name_project(spec->project, NULL, "/container", &project) < 0) {
                *ret_error = error_line("invalid_name", "berth: the project name is not usable; name the container with --name.");
                return NULL;
        }
        for (unsigned n = 1; n < 10000; n++) {
                _cleanup_free_ char *candidate = NULL, *name = NULL;
                if (name_project_next(project, n, &candidate) < 0 || name_container(candidate, c->user, &name) < 0)
                        break;
                if (!ledger_find_container(m->ledger, name))
                        return TAKE_PTR(name);
        }
        *ret_error = error_line("invalid_name", "berth: no free name for project %s; name the container with --name.",
                                project);
        return NULL;
}

static void audit_deny(struct caller *c, enum audit_event ev, const char *container, const char *message) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.user = c->user;
        f.uid = (long) c->peer->uid;
        f.group = c->ru.group;
        f.container = container;
        f.reason = message;
        audit_log(ev, &f, "%s", message);
}

static char *deny(struct caller *c, enum audit_event ev, const char *container, const char *kind, const char *fmt, ...)
        _printf_(5, 6);
static char *deny(struct caller *c, enum audit_event ev, const char *container, const char *kind, const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        audit_deny(c, ev, container, msg);
        return proto_error_line(kind, msg);
}

static void add_numa(Manager *m, const struct ledger_entry *e, double cpus, json_t *inject) {
        int node = -1;
        const struct gpu_inventory *inv = ledger_inventory(m->ledger);

        if (!m->config->numa_affinity || e->n_devices == 0 || !inv)
                return;
        for (size_t i = 0; i < e->n_devices; i++) {
                size_t idx = e->devices[i].index;
                if (idx == LEDGER_DEVICE_UNKNOWN || idx >= inv->n_devices)
                        return;
                int n = inv->devices[idx].numa_node;
                if (n < 0 || (node >= 0 && n != node))
                        return; /* unknown, or GPUs on different nodes: no pinning */
                node = n;
        }
        _cleanup_free_ char *cpulist = NULL;
        if (gpu_numa_node_cpus(m->config->sysfs_root, node, &cpulist) < 0)
                return;
        int n_cpus = cpulist_count(cpulist);
        if (n_cpus <= 0 || (double) n_cpus < ceil(cpus))
                return; /* the request does not fit the node: better unpinned than starved */
        char mems[16];
        snprintf(mems, sizeof(mems), "%d", node);
        json_object_set_new(inject, "cpuset_cpus", json_string(cpulist));
        json_object_set_new(inject, "cpuset_mems", json_string(mems));
}

static int group_priority(Manager *m, const char *group) {
        const struct group_config *g = config_find_group(m->config, group);
        return g ? g->priority : 0;
}

/* GPUs others hold (or that waiters ahead are owed): a request that may
 * wait joins the queue, or stays in it; any other is refused, with how to
 * wait next time. */
static char *wait_or_refuse(Manager *m, struct caller *c, const struct proto_request *req, const char *full,
                            int priority, const char *why) {
        const struct ops_wait *w = c->wait;
        if (req->wait && w && w->place) { /* asked again from the queue: still waiting */
                *w->ret_wait = true;
                return NULL;
        }
        if (req->wait && w && w->send) {
                *w->ret_waiter = queue_add(m->queue, c->conn_peer, c->line, c->len, priority, c->user, why, w->send,
                                           w->conn);
                if (*w->ret_waiter)
                        return NULL;
                return error_line("internal", "berth: the daemon ran out of memory; try again.");
        }
        return deny(c, AUDIT_GPU_DENY, full, "gpus_unavailable",
                    "%s To wait for one in the queue: 'container deploy --wait', or 'BERTH_WAIT=1 docker run'.", why);
}

static char *reserve(Manager *m, struct caller *c, const struct proto_request *req) {
        const struct proto_spec *spec = &req->spec;
        const struct limits *l = &c->ru.limits;
        struct berth_error err = { 0 };
        _cleanup_free_ char *full = NULL, *slice = NULL, *uuids = NULL, *project = NULL;
        char *error = NULL;
        uint64_t now;

        if (!m->docker_synced)
                return error_line("unavailable", "berth: the berth daemon is still reading Docker's state; try again in a moment.");

        full = container_name(m, c, spec, &error);
        if (!full)
                return error;

        double cpus = spec->cpus > 0 ? spec->cpus : l->container_cpus;
        /* Docker refuses --cpus above the machine's CPU count: a default
         * written for a bigger box is capped rather than failing every run. */
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        if (spec->cpus <= 0 && online > 0 && cpus > (double) online)
                cpus = (double) online;
        uint64_t memory = spec->memory > 0 ? spec->memory : l->container_memory;
        char why[256];
        if (policy_resources_fit(l, spec->cpus, spec->memory, why, sizeof(why)) != POLICY_FITS)
                return deny(c, AUDIT_CONTAINER_DENY, full, "quota_exceeded", "%s", why);

        double gpus = spec->gpus;
        if (spec->gpus_all) {
                double cap = fmin(l->gpus_per_container, l->gpus);
                gpus = isinf(cap) ? 1 : floor(cap);
                if (gpus < 1)
                        gpus = 1; /* the ledger says why this is refused */
        }

        bool wants_gpus = gpus > 0 || spec->devices;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now); /* this loop iteration's time */
        if (wants_gpus && now < m->gpu_grace_until)
                return error_line("unavailable",
                                  "berth: the berth daemon restarted after a crash; GPUs are handed out again in %llu s, once the old daemon's reservations have run out.",
                                  (unsigned long long) ((m->gpu_grace_until - now) / 1000000 + 1));

        if (m->ensure_user_slice(&m->slices, &c->ru, &slice, &err) < 0)
                return error_line("slice_failed", "%s", err.message);

        /* a freed GPU goes to the head of the queue before anyone else */
        int priority = group_priority(m, c->ru.group);
        size_t ahead = wants_gpus ? queue_ahead(m->queue, c->wait ? c->wait->place : NULL, priority) : 0;
        if (ahead > 0) {
                snprintf(why, sizeof(why), "berth: %zu %s for GPUs before yours.", ahead,
                         ahead == 1 ? "request waits" : "requests wait");
                return wait_or_refuse(m, c, req, full, priority, why);
        }

        struct ledger_request lr = {
                .user = c->user,
                .uid = c->peer->uid,
                .group = c->ru.group,
                .container = full,
                .gpus = gpus,
                .devices = spec->devices,
                .user_gpus_max = l->gpus,
                .per_container_gpus_max = l->gpus_per_container,
                .group_gpus_max = (c->ru.total.set & (1u << LIMIT_GPUS)) ? c->ru.total.gpus : INFINITY,
                .user_containers_max = l->containers == LIMIT_INFINITY ? UINT64_MAX : l->containers,
                .group_containers_max = (c->ru.total.set & (1u << LIMIT_CONTAINERS)) &&
                                                        c->ru.total.containers != LIMIT_INFINITY
                                                ? c->ru.total.containers
                                                : UINT64_MAX,
                .ttl_usec = m->config->reservation_ttl_usec,
                .admin = c->admin,
        };
        const struct ledger_entry *e = NULL;
        int r = ledger_reserve(m->ledger, &lr, now, &e, &err);
        if (r == -EBUSY && wants_gpus)
                return wait_or_refuse(m, c, req, full, priority, err.message);
        if (r < 0) {
                const char *kind = ledger_error_kind_name(ledger_error_kind_from_errno(r));
                return deny(c, wants_gpus ? AUDIT_GPU_DENY : AUDIT_CONTAINER_DENY, full, kind, "%s", err.message);
        }
        manager_schedule_expiry(m);
        if (ledger_entry_uuids(e, &uuids) < 0)
                return NULL;

        char uid[32], created[64];
        time_t t = time(NULL);
        struct tm tm;
        snprintf(uid, sizeof(uid), "%u", (unsigned) c->peer->uid);
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        if (name_project(spec->project, NULL, "/container", &project) < 0)
                project = NULL;

        _cleanup_json_ json_t *gpu_list = json_array();
        for (size_t i = 0; i < e->n_devices && gpu_list; i++)
                json_array_append_new(gpu_list, json_string(e->devices[i].uuid));
        _cleanup_free_ char *device_arg = NULL;
        if (*uuids && asprintf(&device_arg, "device=%s", uuids) < 0)
                device_arg = NULL;
        /* what makes the container alice's and what it holds, sealed: Docker
         * is believed only where the seal verifies */
        char seal[SEAL_TEXT_MAX];
        if (seal_compute(m->seal_key, sizeof(m->seal_key), full, c->user, c->peer->uid, uuids, seal) < 0)
                return NULL;
        _cleanup_json_ json_t *labels = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "berth.managed", "true", "berth.user", c->user,
                                   "berth.uid", uid, "berth.group", c->ru.group, "berth.project",
                                   project ? project : "", "berth.gpus", uuids, "berth.reservation", e->id,
                                   "berth.created", created, SEAL_LABEL, seal);
        _cleanup_json_ json_t *inject = json_pack("{s:s,s:O,s:s,s:s?,s:{s:s},s:f,s:I}", "name", full, "labels", labels,
                                   "cgroup_parent", slice, "gpus", device_arg, "env", "NVIDIA_VISIBLE_DEVICES",
                                   *uuids ? uuids : "void", "cpus", cpus, "memory", (json_int_t) memory);
        if (inject)
                add_numa(m, e, cpus, inject);
        _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:O,s:s,s:O,s:I}", "reservation", e->id, "name", full, "gpus",
                                             gpu_list, "slice", slice, "inject", inject, "expires_in",
                                             (json_int_t) (m->config->reservation_ttl_usec / 1000000));
        /* word for word what a claim of this reservation answers */
        if (!o || claims_keep(&m->claims, e->id, o) < 0)
                return NULL;
        if (*uuids) {
                struct audit_fields f = AUDIT_FIELDS_INIT;
                f.user = c->user;
                f.uid = (long) c->peer->uid;
                f.group = c->ru.group;
                f.container = full;
                f.gpus = uuids;
                f.slice = slice;
                audit_log(AUDIT_GPU_RESERVE, &f, "berth: reserved %s for %s (reservation %s)", uuids, full, e->id);
        }
        return proto_ok_line(o);
}

/* Every answer, granted or refused, counts in the latency the metrics show. */
static char *op_reserve(Manager *m, struct caller *c, const struct proto_request *req) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        char *line = reserve(m, c, req);
        clock_gettime(CLOCK_MONOTONIC, &b);
        /* answered now; a wait in the queue is not the daemon's latency */
        if (line && !(c->wait && c->wait->place))
                metrics_histogram_observe(&m->reserve_latency,
                                          (double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec) / 1e9);
        return line;
}

static char *op_commit_cancel(Manager *m, struct caller *c, const struct proto_request *req) {
        enum proto_op op = req->op;
        const char *id = req->reservation;
        struct berth_error err = { 0 };
        uint64_t now;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        const struct ledger_entry *e = ledger_find(m->ledger, id);
        _cleanup_free_ char *uuids = NULL, *container = NULL;
        if (e) {
                (void) ledger_entry_uuids(e, &uuids);
                container = e->container ? strdup(e->container) : NULL;
        }
        int r = op == OP_COMMIT ? ledger_commit(m->ledger, id, c->peer->uid, c->admin, now, &err)
                                : ledger_cancel(m->ledger, id, c->peer->uid, c->admin, now, &err);
        if (r < 0)
                return proto_error_line(ledger_error_kind_name(ledger_error_kind_from_errno(r)), err.message);
        claims_forget(&m->claims, id); /* the client is done with it: no claim takes it over now */
        manager_schedule_expiry(m);
        if (op == OP_CANCEL && uuids && *uuids) {
                struct audit_fields f = AUDIT_FIELDS_INIT;
                f.user = c->user;
                f.uid = (long) c->peer->uid;
                f.group = c->ru.group;
                f.container = container;
                f.gpus = uuids;
                f.reason = "reservation cancelled";
                audit_log(AUDIT_GPU_RELEASE, &f, "berth: reservation %s cancelled; freed %s", id, uuids);
        }
        _cleanup_json_ json_t *o = json_object();
        return o ? proto_ok_line(o) : NULL;
}

/* berth-gate takes over the reservation the wrapper made for the same user:
 * the reply reserve gave, word for word, with a fresh TTL, since the create
 * follows at once.  The ledger's commit is what renews a pending entry; the
 * kept reply is what says it may still be claimed, until a client commits
 * or cancels, so that the create the docker CLI sends again after pulling
 * the image claims it again.  The GPUs stay held once. */
static char *op_claim(Manager *m, struct caller *c, const struct proto_request *req) {
        const char *id = req->reservation;
        struct berth_error err = { 0 };
        uint64_t now;

        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        const struct ledger_entry *e = ledger_find(m->ledger, id);
        bool pending = e && (e->state == LEDGER_RESERVED || e->state == LEDGER_COMMITTED);
        if (!e || (pending && e->expires_usec <= now))
                return error_line("not_found", "berth: reservation %s is not held (it may have expired); run the command again.",
                                  id);
        /* not even an admin's: the claim injects the owner's name, labels and slice */
        if (e->uid != c->peer->uid)
                return deny(c, AUDIT_ACCESS_DENY, e->container, "permission_denied",
                            "berth: reservation %s belongs to another user; only its owner may claim it.", id);
        if (!pending)
                return error_line("conflict", "berth: reservation %s already belongs to container %s; run the command again.",
                                  id, strempty(e->container ? e->container : e->container_id));
        json_t *kept = claims_get(&m->claims, id);
        if (!kept)
                return error_line("conflict", "berth: reservation %s was already committed; run the command again.", id);

        _cleanup_json_ json_t *o = json_deep_copy(kept);
        if (!o)
                return NULL;
        int r = ledger_commit(m->ledger, id, c->peer->uid, false, now, &err);
        if (r < 0)
                return proto_error_line(ledger_error_kind_name(ledger_error_kind_from_errno(r)), err.message);
        manager_schedule_expiry(m);
        if (json_object_set_new(o, "expires_in", json_integer((json_int_t) ((e->expires_usec - now) / 1000000))) < 0)
                return NULL;
        return proto_ok_line(o);
}

/* When an entry was recorded, as UTC ISO 8601: the ledger counts in
 * CLOCK_MONOTONIC, so the wall clock is worked back from the loop's now. */
static const char *entry_since(Manager *m, const struct ledger_entry *e, char *buf, size_t n) {
        uint64_t mono, real;
        struct tm tm;
        if (!e || sd_event_now(m->event, CLOCK_MONOTONIC, &mono) < 0 ||
            sd_event_now(m->event, CLOCK_REALTIME, &real) < 0)
                return NULL;
        uint64_t age = mono > e->created_usec ? mono - e->created_usec : 0;
        time_t t = (time_t) ((real > age ? real - age : 0) / 1000000);
        if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return NULL;
        return buf;
}

/* What a slice uses now, as "cpu_usage_usec" and "memory" (null when its
 * cgroup says nothing: not made yet, or gone). */
static void set_slice_usage(Manager *m, json_t *row, const char *slice) {
        _cleanup_free_ char *path = NULL;
        struct cgroup_use u = { 0 };
        if (!row)
                return;
        if (!slice || cgroup_slice_path(slice, &path) < 0 || cgroup_use_read(m->slices.cgroup_root, path, &u) < 0)
                u.known = 0;
        json_object_set_new(row, "cpu_usage_usec",
                            u.known & CGROUP_USE_CPU ? json_integer((json_int_t) (u.cpu_nsec / 1000)) : json_null());
        json_object_set_new(row, "memory", u.known & CGROUP_USE_MEMORY ? json_integer((json_int_t) u.memory) : json_null());
}

static json_t *json_integer_or_null(bool known, uint64_t v) {
        return known ? json_integer((json_int_t) v) : json_null();
}

static void set_gpu_sample(Manager *m, json_t *g, const struct gpu_device *d) {
        const struct gpu_sample *s = reaper_gpu_sample(m->reaper, d->uuid);
        bool mem = s && s->found && s->memory_known;
        if (!g)
                return;
        json_object_set_new(g, "utilization", json_integer_or_null(s && s->found && s->utilization >= 0,
                                                                    s ? (uint64_t) s->utilization : 0));
        json_object_set_new(g, "memory_used", json_integer_or_null(mem, mem ? s->memory_used : 0));
        json_object_set_new(g, "memory_total", json_integer_or_null(mem || d->memory > 0, mem ? s->memory_total : d->memory));
}

/* The limits a user's metrics are held against: cpus, memory, gpus and
 * containers as whoami says them (null: unlimited); {} when the user cannot
 * be resolved. */
static json_t *user_limits_json(Manager *m, const char *user) {
        _cleanup_(resolved_user_done) struct resolved_user ru = { 0 };
        if (config_resolve_user(m->config, user, time(NULL), &ru) < 0)
                return json_object();
        return json_pack("{s:o,s:o,s:o,s:o}", "cpus", limit_json(&ru.limits, LIMIT_CPUS), "memory",
                         limit_json(&ru.limits, LIMIT_MEMORY), "gpus", limit_json(&ru.limits, LIMIT_GPUS),
                         "containers", limit_json(&ru.limits, LIMIT_CONTAINERS));
}

/* users[] and groups[]: those holding ledger entries. */
static int status_holders(Manager *m, json_t *users, json_t *groups) {
        size_t n;
        const struct ledger_entry *const *entries = ledger_entries(m->ledger, &n);
        _cleanup_strv_free_ char **seen_users = NULL, **seen_groups = NULL;

        for (size_t i = 0; i < n; i++) {
                const char *grp = strempty(entries[i]->group);
                if (!strv_contains(seen_users, entries[i]->user)) {
                        double ug = 0;
                        uint64_t uc = 0;
                        _cleanup_free_ char *slice = NULL;
                        ledger_user_usage(m->ledger, entries[i]->user, &ug, &uc);
                        json_t *row = json_pack("{s:s,s:s,s:f,s:I,s:o}", "user", entries[i]->user, "group", grp,
                                                "gpus", ug, "containers", (json_int_t) uc, "limits",
                                                user_limits_json(m, entries[i]->user));
                        if (*grp && name_slice_user(grp, entries[i]->user, &slice) < 0)
                                slice = NULL;
                        set_slice_usage(m, row, slice);
                        json_array_append_new(users, row);
                        if (strv_push(&seen_users, entries[i]->user) < 0)
                                return -ENOMEM;
                }
                if (!strv_contains(seen_groups, grp)) {
                        double gg = 0;
                        uint64_t gc = 0;
                        _cleanup_free_ char *slice = NULL;
                        const struct group_config *gc_cfg = config_find_group(m->config, grp);
                        ledger_group_usage(m->ledger, grp, &gg, &gc);
                        json_t *row = json_pack("{s:s,s:f,s:I,s:o}", "group", grp, "gpus", gg, "containers",
                                                (json_int_t) gc, "total",
                                                gc_cfg ? limits_json(&gc_cfg->total, true) : json_object());
                        if (*grp && name_slice_group(grp, &slice) < 0)
                                slice = NULL;
                        set_slice_usage(m, row, slice);
                        json_array_append_new(groups, row);
                        if (strv_push(&seen_groups, grp) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static char *op_status(Manager *m, struct caller *c, const struct proto_request *req) {
        const struct gpu_inventory *inv = ledger_inventory(m->ledger);
        char since[64];
        _cleanup_json_ json_t *gpus = json_array(), *users = json_array(), *groups = json_array(),
                              *containers = json_array();
        size_t n;
        const struct ledger_entry *const *entries = ledger_entries(m->ledger, &n);
        uint64_t warnings = 0, stops = 0;

        for (size_t i = 0; inv && i < inv->n_devices && gpus; i++) {
                const struct gpu_device *d = &inv->devices[i];
                const struct ledger_entry *h = ledger_device_holder(m->ledger, i);
                json_t *g = json_pack("{s:s,s:s?,s:i,s:f,s:s?,s:s?,s:s?,s:s?,s:s?}", "uuid", d->uuid, "pci",
                                      d->pci_bus_id, "numa", d->numa_node, "fraction", (double) d->slices / GPU_SLICES,
                                      "parent", d->parent_uuid, "user", h ? h->user : NULL, "container",
                                      h ? h->container : NULL, "state", h ? ledger_state_name(h->state) : NULL,
                                      "since", entry_since(m, h, since, sizeof(since)));
                set_gpu_sample(m, g, d);
                json_array_append_new(gpus, g);
        }
        if (!users || !groups || status_holders(m, users, groups) < 0)
                return NULL;
        for (size_t i = 0; i < n && containers; i++) {
                const struct ledger_entry *e = entries[i];
                _cleanup_free_ char *uuids = NULL;
                (void) ledger_entry_uuids(e, &uuids);
                bool mine = c->admin || e->uid == c->peer->uid;
                json_t *reaper = e->container_id ? reaper_container_json(m->reaper, e->container_id) : NULL;
                json_t *row = json_pack("{s:s?,s:s,s:s,s:s?,s:f,s:s?,s:s?}", "container", e->container, "user",
                                        e->user, "state", ledger_state_name(e->state), "gpus", uuids, "fraction",
                                        e->gpus, "reservation", mine ? e->id : NULL, "since",
                                        entry_since(m, e, since, sizeof(since)));
                /* a stopped container's GPUs: held a while, then given up */
                if (row && e->n_devices > 0 && e->hold_until_usec != LEDGER_NEVER) {
                        uint64_t mono;
                        sd_event_now(m->event, CLOCK_MONOTONIC, &mono);
                        json_object_set_new(row, "gpus_free_in_s",
                                            json_integer((json_int_t) (e->hold_until_usec > mono
                                                                               ? (e->hold_until_usec - mono + 999999) / 1000000
                                                                               : 0)));
                }
                if (row && e->parked) {
                        json_t *p = json_array();
                        for (char **u = e->parked; p && *u; u++)
                                json_array_append_new(p, json_string(*u));
                        json_object_set_new(row, "gpus_released", p);
                }
                /* what the reaper makes of it, while it runs */
                if (row && reaper)
                        json_object_set_new(row, "reaper", reaper);
                else
                        json_decref(reaper);
                json_array_append_new(containers, row);
        }
        if (m->reaper)
                reaper_counters(m->reaper, &warnings, &stops);
        _cleanup_json_ json_t *o = json_pack(
                "{s:O,s:O,s:O,s:O,s:b,s:o,s:{s:I,s:I},s:o,s:{s:I,s:I,s:s},s:o,s:o}", "gpus", gpus, "users", users, "groups",
                groups, "containers", containers, "docker_synced", m->docker_synced, "forged",
                forged_set_json(&m->forged), "reaper", "warnings", (json_int_t) warnings, "stops", (json_int_t) stops,
                "reserve_latency", metrics_histogram_json(&m->reserve_latency), "daemon", "started",
                (json_int_t) m->started, "config_generation", (json_int_t) m->config_generation, "version",
                BERTH_VERSION, "queue", queue_json(m->queue), "exemptions", exemptions_json(&m->exemptions));
        return o ? proto_ok_line(o) : NULL;
}

static char *op_reload(Manager *m, struct caller *c, const struct proto_request *req) {
        _cleanup_free_ char *msg = NULL;
        int r = manager_reload(m, &msg);
        if (r == -EINVAL)
                return proto_error_line("config_invalid", msg ? msg : "berth: the configuration is invalid.");
        _cleanup_json_ json_t *o = json_pack("{s:s,s:b}", "message", msg ? msg : "", "applied", r >= 0);
        return o ? proto_ok_line(o) : NULL;
}

static char *op_release(Manager *m, struct caller *c, const struct proto_request *req) {
        struct berth_error err = { 0 };
        char reason[128];
        snprintf(reason, sizeof(reason), "released by admin uid %u", (unsigned) c->peer->uid);
        int r = ledger_release_admin(m->ledger, req->target, gpu_audit_released_by_admin, reason, &err);
        if (r < 0)
                return proto_error_line(ledger_error_kind_name(ledger_error_kind_from_errno(r)), err.message);
        manager_schedule_expiry(m);
        _cleanup_json_ json_t *o = json_pack("{s:i}", "released", r);
        return o ? proto_ok_line(o) : NULL;
}

/* users: everyone berth knows of, or one user's resolution */
static char *op_users(Manager *m, struct caller *c, const struct proto_request *req) {
        _cleanup_json_ json_t *list = json_array();
        size_t n;
        const struct ledger_entry *const *entries = ledger_entries(m->ledger, &n);
        _cleanup_strv_free_ char **names = NULL;
        if (req->target) {
                if (strv_push(&names, req->target) < 0)
                        return NULL;
        } else
                for (size_t i = 0; i < n; i++)
                        if (!strv_contains(names, entries[i]->user) && strv_push(&names, entries[i]->user) < 0)
                                return NULL;
        for (char **u = names; u && *u && list; u++) {
                _cleanup_(resolved_user_done) struct resolved_user ru = { 0 };
                if (config_resolve_user(m->config, *u, time(NULL), &ru) < 0) {
                        if (req->target)
                                return error_line("unknown_user", "berth: there is no user %s.", *u);
                        continue;
                }
                json_array_append_new(list, json_pack("{s:s,s:s,s:o,s:o}", "user", *u, "group", ru.group, "limits",
                                                      limits_json(&ru.limits, false), "usage", usage_json(m, *u)));
        }
        _cleanup_json_ json_t *o = json_pack("{s:O}", "users", list);
        return o ? proto_ok_line(o) : NULL;
}

/* start: a container that gave up its GPUs while stopped takes them back,
 * or is refused (berth-gate asks before it forwards a start or restart). */
static char *op_start(Manager *m, struct caller *c, const struct proto_request *req) {
        struct berth_error err = { 0 };
        const struct ledger_entry *e = ledger_find_container(m->ledger, req->target);
        if (!e || e->state == LEDGER_RESERVED || e->state == LEDGER_COMMITTED || !e->parked) {
                _cleanup_json_ json_t *o = json_pack("{s:b}", "retaken", false);
                return o ? proto_ok_line(o) : NULL;
        }
        if (e->uid != c->peer->uid && !c->admin)
                return deny(c, AUDIT_ACCESS_DENY, e->container, "permission_denied",
                            "berth: %s belongs to another user; only its owner or an admin may start it.",
                            strempty(e->container));
        _cleanup_free_ char *name = strdup(e->container ? e->container : e->container_id);
        _cleanup_free_ char *cid = strdup(e->container_id);
        if (!name || !cid)
                return NULL;
        int r = manager_container_rehold(m, cid, &err);
        if (r < 0)
                return deny(c, AUDIT_GPU_DENY, name, ledger_error_kind_name(ledger_error_kind_from_errno(r)), "%s",
                            err.message);
        _cleanup_json_ json_t *o = json_pack("{s:b}", "retaken", r > 0);
        return o ? proto_ok_line(o) : NULL;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* When the GPUs held now are due to be freed, soonest first: a running
 * holder's stop by the reaper (idle_timeout, max_runtime), a stopped one's
 * end of gpu_hold_after_stop.  Holders with no such end are left out. */
size_t ops_release_times(void *userdata, uint64_t now, uint64_t **ret) {
        Manager *m = userdata;
        size_t n_entries, n = 0;
        const struct ledger_entry *const *e = ledger_entries(m->ledger, &n_entries);
        uint64_t *v = calloc(n_entries + 1, sizeof(*v));
        if (!v) {
                *ret = NULL;
                return 0;
        }
        for (size_t i = 0; i < n_entries; i++) {
                if (e[i]->n_devices == 0 || !e[i]->container_id)
                        continue;
                if (e[i]->hold_until_usec != LEDGER_NEVER) {
                        v[n++] = e[i]->hold_until_usec > now ? e[i]->hold_until_usec - now : 0;
                        continue;
                }
                uint64_t left = reaper_stops_in(m->reaper, e[i]->container_id);
                if (left != UINT64_MAX)
                        v[n++] = left;
        }
        qsort(v, n, sizeof(*v), cmp_u64);
        *ret = v;
        return n;
}

char *ops_queue_ask(void *userdata, const struct ucred *peer, const char *line, size_t len,
                    const struct queue_place *place, bool *ret_wait) {
        return ops_handle_queued(userdata, peer, line, len, place, ret_wait);
}

/* exempt (admins): the reaper leaves a container or user alone until a time. */
static char *op_exempt(Manager *m, struct caller *c, const struct proto_request *req) {
        int r = exemptions_set(&m->exemptions, req->target, req->until, req->reason, c->user, time(NULL));
        if (r == -ENOENT)
                return error_line("not_found", "berth: %s has no exemption to end.", req->target);
        if (r < 0)
                return error_line("internal", "berth: the exemption could not be saved to %s: %s.", m->exemptions.path,
                                  strerror(-r));
        _cleanup_json_ json_t *o = json_pack("{s:b,s:o}", "exempt", r > 0, "exemptions", exemptions_json(&m->exemptions));
        return o ? proto_ok_line(o) : NULL;
}

static char *op_queue(Manager *m, struct caller *c, const struct proto_request *req) {
        _cleanup_json_ json_t *o = json_pack("{s:o}", "queue", queue_json(m->queue));
        return o ? proto_ok_line(o) : NULL;
}

/* An owner request whose answers the mirror did not all have: the rest
 * is asked of Docker, off the loop when the control socket allows. */
struct ops_deferred {
        uid_t uid;
        char *caller;
        bool admin;
        bool images, volumes, networks;
        uint8_t key[SEAL_KEY_SIZE];
        char **targets;
        json_t *answers; /* one per target; JSON null where Docker is to be asked */
        bool failed;
};

void ops_deferred_free(struct ops_deferred *x) {
        if (!x)
                return;
        free(x->caller);
        strv_free(x->targets);
        json_decref(x->answers);
        OPENSSL_cleanse(x->key, sizeof(x->key));
        free(x);
}

uid_t ops_deferred_uid(const struct ops_deferred *x) {
        return x->uid;
}

void ops_deferred_run(struct ops_deferred *x, struct docker *d) {
        for (size_t i = 0; x->targets[i]; i++) {
                const char *t = x->targets[i];
                json_t *o;
                if (!json_is_null(json_array_get(x->answers, i)))
                        continue;
                if (!d) {
                        x->failed = true;
                        o = json_pack("{s:s,s:b,s:s}", "target", t, "exists", false, "error",
                                      "berth: Docker cannot be reached.");
                } else if (x->images)
                        o = owner_image_docker(d, x->caller, t, &x->failed);
                else if (x->volumes)
                        o = owner_volume_docker(d, x->caller, t, &x->failed);
                else if (x->networks)
                        o = owner_network_docker(d, x->caller, t, &x->failed);
                else
                        o = owner_container_docker(d, x->key, x->caller, t, &x->failed);
                if (!o || json_array_set_new(x->answers, i, o) < 0)
                        x->failed = true; /* out of memory: an error line, not a half answer */
        }
}

char *ops_deferred_finish(struct ops_deferred *x) {
        char *line;
        if (x->failed)
                line = error_line("docker_error", "berth: Docker could not say who owns %s.", x->targets[0]);
        else {
                _cleanup_json_ json_t *o = json_pack("{s:O,s:b}", "targets", x->answers, "admin", x->admin);
                line = o ? proto_ok_line(o) : NULL;
        }
        ops_deferred_free(x);
        return line;
}

static char *op_owner(Manager *m, struct caller *c, const struct proto_request *req) {
        if (!m->docker || !m->docker_synced)
                return error_line("unavailable", "berth: the berth daemon is not connected to Docker yet; try again in a moment.");
        struct ops_deferred *x = calloc(1, sizeof(*x));
        bool missing = false;
        if (!x)
                return NULL;
        x->uid = c->peer->uid;
        x->caller = strdup(c->user);
        x->admin = c->admin;
        x->images = req->images;
        x->volumes = req->volumes;
        x->networks = req->networks;
        memcpy(x->key, m->seal_key, SEAL_KEY_SIZE);
        x->answers = json_array();
        for (char **t = req->targets; t && *t; t++)
                if (strv_push(&x->targets, *t) < 0) {
                        ops_deferred_free(x);
                        return NULL;
                }
        if (!x->caller || !x->targets || !x->answers) {
                ops_deferred_free(x);
                return NULL;
        }
        /* containers the mirror knows are answered at once */
        for (char **t = x->targets; *t; t++) {
                json_t *o = req->images || req->volumes || req->networks ? NULL : owner_container_mirror(m, c->user, *t);
                missing = missing || !o;
                if (json_array_append_new(x->answers, o ? o : json_null()) < 0) {
                        ops_deferred_free(x);
                        return NULL;
                }
        }
        if (missing && c->deferred) {
                *c->deferred = x;
                return NULL;
        }
        if (missing)
                ops_deferred_run(x, m->docker);
        return ops_deferred_finish(x);
}

typedef char *(*op_handler)(Manager *m, struct caller *c, const struct proto_request *req);

/* Every op of the protocol.  Which ops are for admins only is the
 * protocol's fact (proto_op_is_admin()), not this table's. */
static const struct op {
        op_handler handler;
        bool anonymous; /* answered without looking the caller up */
} op_table[_OP_MAX] = {
        [OP_HELLO] = { op_hello, true },
        [OP_WHOAMI] = { op_whoami, false },
        [OP_ENSURE_SLICE] = { op_ensure_slice, false },
        [OP_RESERVE] = { op_reserve, false },
        [OP_COMMIT] = { op_commit_cancel, false },
        [OP_CANCEL] = { op_commit_cancel, false },
        [OP_CLAIM] = { op_claim, false },
        [OP_STATUS] = { op_status, false },
        [OP_OWNER] = { op_owner, false },
        [OP_RELOAD] = { op_reload, false },
        [OP_RELEASE] = { op_release, false },
        [OP_USERS] = { op_users, false },
        [OP_START] = { op_start, false },
        [OP_EXEMPT] = { op_exempt, false },
        [OP_QUEUE] = { op_queue, false },
};

/* "for" from anyone but root: refused, and audited as who really asked. */
static char *refuse_behalf(Manager *m, struct caller *c, const struct proto_request *req) {
        _cleanup_free_ char *ignored = NULL;
        struct audit_fields f = AUDIT_FIELDS_INIT;
        char reason[128];

        (void) caller_resolve(m, c, &ignored);
        snprintf(reason, sizeof(reason), "'%s' asked on behalf of uid %u; only root may", proto_op_name(req->op),
                 (unsigned) req->behalf.uid);
        f.user = c->user;
        f.uid = (long) c->peer->uid;
        f.group = c->ru.group;
        f.reason = reason;
        audit_log(AUDIT_ACCESS_DENY, &f, "berth: uid %u: %s", (unsigned) c->peer->uid, reason);
        return error_line("permission_denied", "berth: only root may ask on another user's behalf.");
}

char *ops_handle_control(Manager *m, const struct ucred *peer, const char *line, size_t len,
                         struct ops_deferred **ret_deferred, const struct ops_wait *w) {
        _cleanup_(proto_request_done) struct proto_request req = { 0 };
        _cleanup_(caller_done) struct caller c = { .peer = peer, .conn_peer = peer, .line = line, .len = len,
                                                   .deferred = ret_deferred, .wait = w };
        struct berth_error err = { 0 };
        const char *kind = "bad_request";
        struct ucred behalf;
        char *error = NULL;

        if (ret_deferred)
                *ret_deferred = NULL;
        if (proto_parse_request(line, len, &req, &kind, &err) < 0)
                return proto_error_line(kind, err.message);
        /* berth-gate, as root, asks for the user SO_PEERCRED showed it: from
         * here on the request is that user's, as if they had connected */
        if (req.behalf.set) {
                if (peer->uid != 0)
                        return refuse_behalf(m, &c, &req);
                behalf = (struct ucred) { .pid = req.behalf.pid, .uid = req.behalf.uid, .gid = req.behalf.gid };
                c.peer = &behalf;
        }
        const struct op *op = req.op < _OP_MAX ? &op_table[req.op] : NULL;
        if (!op || !op->handler)
                return error_line("unknown_op", "berth: unknown op.");
        if (!op->anonymous && caller_resolve(m, &c, &error) < 0)
                return error;
        if (proto_op_is_admin(req.op) && !c.admin) {
                audit_deny(&c, AUDIT_ACCESS_DENY, NULL, "admin operation refused");
                return error_line("permission_denied", "berth: '%s' is for admins (root or members of %s).",
                                  proto_op_name(req.op), m->config->admin_group);
        }
        return op->handler(m, &c, &req);
}

char *ops_handle_deferrable(Manager *m, const struct ucred *peer, const char *line, size_t len,
                            struct ops_deferred **ret_deferred) {
        return ops_handle_control(m, peer, line, len, ret_deferred, NULL);
}

char *ops_handle(Manager *m, const struct ucred *peer, const char *line, size_t len) {
        return ops_handle_control(m, peer, line, len, NULL, NULL);
}

char *ops_handle_queued(Manager *m, const struct ucred *peer, const char *line, size_t len,
                        const struct queue_place *place, bool *ret_wait) {
        struct ops_wait w = { .place = place, .ret_wait = ret_wait };
        *ret_wait = false;
        return ops_handle_control(m, peer, line, len, NULL, &w);
}
