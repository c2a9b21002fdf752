/* SPDX-License-Identifier: MIT */
/* The reaper: idle_timeout and max_runtime enforced from the loop.  Each
 * [reaper] interval every running berth container is sampled: CPU as the
 * cgroup's CPU time over the wall time since the last sample, GPUs as NVML's
 * utilisation and compute processes (those in the container's cgroup).  A
 * container is idle since the start of the first interval of an unbroken run
 * of idle samples; one without GPUs is judged by CPU alone, and one that
 * cannot be sampled is never idle.  Docker (inspect for the cgroup and
 * start, stop) and NVML (every device's sample, once a tick) are asked only
 * through the lookup worker, never from the loop: a tick's verdicts follow
 * when NVML has answered. */
#include "reaper.h"

#include <math.h>
#include <time.h>

#include "basic/units.h"
#include "basic/util.h"
#include "core/audit.h"
#include "system/cgroup.h"
#include "system/nvml.h"
#include "system/terminals.h"

#define USEC_PER_SEC 1000000ULL
#define REAPER_STOP_TIMEOUT_S 10 /* Docker's own default grace before SIGKILL */
#define NEVER UINT64_MAX

struct watched {
        char *id;
        char *name;
        char *user;
        char *cgroup;        /* NULL until Docker said (inspect) */
        bool asking;         /* an inspect is on the worker */
        bool stopping;       /* a stop is on the worker */
        uint64_t started;    /* CLOCK_REALTIME usec, 0 = not known yet */
        bool sampled;
        uint64_t last_cpu_nsec, last_usec; /* the previous sample, CLOCK_MONOTONIC */
        uint64_t idle_since;               /* CLOCK_MONOTONIC usec, 0 = busy */
        uint64_t warned;                   /* bit i: warn offset i given for this deadline */
        uint64_t idle_usec, stops_in_usec; /* as of the last tick, for status */
        bool exempt;
        char reason[96];
};

struct Reaper {
        Manager *m;
        Lookup *lookup;
        sd_event_source *timer;
        struct watched *v;
        size_t n;
        /* the last tick's sample of every inventory device (inventory order) */
        struct gpu_sample *samples;
        size_t n_samples;
        bool sampling;      /* a sample is on the worker */
        bool samples_fresh; /* samples are this tick's */
        uint64_t warnings, stops;
};

static void watched_done(struct watched *w) {
        free(w->id);
        free(w->name);
        free(w->user);
        free(w->cgroup);
}

static struct watched *find(const Reaper *r, const char *id) {
        for (size_t i = 0; r && i < r->n; i++)
                if (streq(r->v[i].id, id))
                        return &r->v[i];
        return NULL;
}

/* --- Docker, off the loop -------------------------------------------------- */

struct job {
        Reaper *r;
        char *id;
        char *name;
        char *user;
        char *reason;
        /* inspect: what Docker said */
        char *cgroup_parent;
        char *started_at;
        bool running;
        bool ran; /* the worker ran it (not handed back unrun at shutdown) */
        int result;
        struct berth_error err;
};

static void job_free(struct job *j) {
        free(j->id);
        free(j->name);
        free(j->user);
        free(j->reason);
        free(j->cgroup_parent);
        free(j->started_at);
        free(j);
}

static struct job *job_new(Reaper *r, const struct watched *w, const char *reason) {
        struct job *j = calloc(1, sizeof(*j));
        if (!j)
                return NULL;
        j->r = r;
        j->id = strdup(w->id);
        j->name = strdup(strempty(w->name));
        j->user = strdup(strempty(w->user));
        j->reason = strdup(strempty(reason));
        if (!j->id || !j->name || !j->user || !j->reason) {
                job_free(j);
                return NULL;
        }
        return j;
}

static void inspect_run(void *job, struct docker *d) {
        struct job *j = job;
        _cleanup_json_ json_t *info = NULL;
        if (!d) {
                j->result = -ENOTCONN;
                return;
        }
        j->result = docker_container_inspect(d, j->id, &info, &j->err);
        if (j->result < 0)
                return;
        const char *parent = json_string_value(json_object_get(json_object_get(info, "HostConfig"), "CgroupParent"));
        json_t *state = json_object_get(info, "State");
        const char *started = json_string_value(json_object_get(state, "StartedAt"));
        j->running = json_is_true(json_object_get(state, "Running"));
        j->cgroup_parent = parent && *parent ? strdup(parent) : NULL;
        j->started_at = started ? strdup(started) : NULL;
}

/* Docker's "2026-12-01T15:48:12.123456789Z" into CLOCK_REALTIME usec; 0 when
 * it is not that. */
static uint64_t parse_started_at(const char *s) {
        struct tm tm = { 0 };
        const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
        if (!rest || tm.tm_year < 100)
                return 0; /* "0001-01-01T00:00:00Z": never started */
        time_t t = timegm(&tm);
        return t > 0 ? (uint64_t) t * USEC_PER_SEC : 0;
}

static void inspect_done(void *job) {
        struct job *j = job;
        struct watched *w = find(j->r, j->id);
        if (w) {
                w->asking = false;
                if (j->result >= 0 && !j->running)
                        reaper_container_stopped(j->r, j->id);
                else if (j->result >= 0) {
                        if (!w->started)
                                w->started = parse_started_at(j->started_at);
                        /* without a parent Docker's own default; berth's containers always have one */
                        if (cgroup_container_path(j->cgroup_parent ? j->cgroup_parent : "system.slice", w->id,
                                                  &w->cgroup) < 0)
                                w->cgroup = NULL;
                } else if (j->result == -ENOENT)
                        reaper_container_stopped(j->r, j->id);
        }
        job_free(j);
}

static void stop_run(void *job, struct docker *d) {
        struct job *j = job;
        j->result = d ? docker_container_stop(d, j->id, REAPER_STOP_TIMEOUT_S, &j->err) : -ENOTCONN;
        j->ran = true;
}

static void stop_done(void *job) {
        struct job *j = job;
        struct watched *w = find(j->r, j->id);
        if (w)
                w->stopping = false;
        if (!j->ran)
                ; /* the daemon stops: nothing was asked */
        else if (j->result < 0)
                log_info("berth-slicemgr: could not stop %s (%s): %s; trying again", j->name, j->reason,
                         j->result == -ENOTCONN ? "Docker is not reachable" : j->err.message);
        else {
                struct audit_fields f = AUDIT_FIELDS_INIT;
                f.container = j->name;
                f.user = j->user;
                f.reason = j->reason;
                audit_log(AUDIT_CONTAINER_REAP, &f, "berth: stopped %s of %s (%s); it was not removed", j->name,
                          j->user, j->reason);
                j->r->stops++;
                if (w)
                        reaper_container_stopped(j->r, j->id);
        }
        job_free(j);
}

static void submit(Reaper *r, struct watched *w, const char *reason, lookup_run_t run, lookup_done_t done,
                   bool *flag) {
        struct job *j = job_new(r, w, reason);
        if (!j)
                return;
        /* uid 0: the reaper's questions take turns with the callers' */
        if (lookup_submit(r->lookup, 0, j, run, done) < 0) {
                job_free(j);
                return;
        }
        *flag = true;
}

/* --- one tick --------------------------------------------------------------- */

/* The GPUs of a container as the ledger holds them (a NULL-terminated list). */
static char **container_uuids(Manager *m, const char *id) {
        const struct ledger_entry *e = ledger_find_container(m->ledger, id);
        _cleanup_free_ char *list = NULL;
        char **v = NULL, *save = NULL;
        if (!e || e->n_devices == 0 || ledger_entry_uuids(e, &list) < 0 || !list)
                return NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (strv_push(&v, t) < 0)
                        break;
        return v;
}

const struct gpu_sample *reaper_gpu_sample(const Reaper *r, const char *uuid) {
        for (size_t i = 0; r && i < r->n_samples; i++)
                if (streq(r->samples[i].uuid, uuid))
                        return &r->samples[i];
        return NULL;
}

/* Whether one of the compute processes NVML lists runs in the container
 * (its cgroup, or one below it): a process of anyone else on its GPU is no
 * sign that the container's owner uses it. */
static bool runs_a_process(const struct watched *w, const struct gpu_sample *s) {
        for (size_t i = 0; i < s->n_pids; i++)
                if (cgroup_pid_within(NULL, s->pids[i], w->cgroup) > 0)
                        return true;
        return false;
}

/* Whether every GPU of the container was idle in this tick's sample: under
 * the threshold (or NVML does not say, as for MIG) and no compute process
 * of the container.  Without this tick's sample nothing with GPUs is idle. */
static bool gpus_idle(const Reaper *r, const struct watched *w, char *const *uuids) {
        if (!uuids || !*uuids)
                return true;
        if (!r->samples_fresh)
                return false;
        for (char *const *u = uuids; *u; u++) {
                const struct gpu_sample *s = reaper_gpu_sample(r, *u);
                if (!s || !s->found || !s->processes_known || runs_a_process(w, s) ||
                    (s->utilization >= 0 && (unsigned) s->utilization >= r->m->config->reaper_idle_gpu_percent))
                        return false;
        }
        return true;
}

/* One sample of w; updates idle_since. */
static void sample(Reaper *r, struct watched *w, uint64_t now) {
        Manager *m = r->m;
        struct cgroup_use u = { 0 };
        if (!w->cgroup || cgroup_use_read(NULL, w->cgroup, &u) < 0 || !(u.known & CGROUP_USE_CPU)) {
                w->sampled = false;
                w->idle_since = 0;
                return;
        }
        bool had = w->sampled && now > w->last_usec && u.cpu_nsec >= w->last_cpu_nsec;
        uint64_t prev = w->last_usec;
        double cpus = had ? (double) (u.cpu_nsec - w->last_cpu_nsec) / 1000.0 / (double) (now - prev) : NAN;
        w->sampled = true;
        w->last_cpu_nsec = u.cpu_nsec;
        w->last_usec = now;
        if (!had)
                return;
        _cleanup_strv_free_ char **uuids = container_uuids(m, w->id);
        bool idle = cpus < m->config->reaper_idle_cpus && gpus_idle(r, w, uuids);
        if (!idle)
                w->idle_since = 0;
        else if (!w->idle_since)
                w->idle_since = prev;
}

static void warn(Reaper *r, struct watched *w, const char *why, uint64_t left) {
        char l[32];
        struct audit_fields f = AUDIT_FIELDS_INIT;
        _cleanup_free_ char *reason = NULL;
        if (asprintf(&reason, "%s, stops in %s", why, format_duration_coarse(left, l, sizeof(l))) < 0)
                return;
        f.container = w->name;
        f.user = w->user;
        f.reason = reason;
        audit_log(AUDIT_CONTAINER_WARN, &f, "berth: %s of %s will be stopped: %s", w->name, w->user, reason);
        r->warnings++;
        /* and on the owner's terminals, never blocking the loop */
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "berth: %s will be stopped in %s (%s); it is not removed: 'docker start %s' brings it back.",
                     w->name, l, why, w->name) >= 0)
                (void) terminals_notify_user_name(w->user, line, NULL, NULL);
}

/* A user's idle_timeout and max_runtime, resolved once a tick (NSS is
 * asked for their groups): a lab's containers have few owners. */
struct owner_limits {
        const char *user; /* borrowed from a watched container */
        uint64_t idle_timeout, max_runtime;
};

static void owner_limits_of(Manager *m, const char *user, struct owner_limits *cache, size_t *n, size_t max,
                            uint64_t *ret_idle, uint64_t *ret_run) {
        struct resolved_user ru = { 0 };
        *ret_idle = *ret_run = LIMIT_INFINITY;
        if (!user)
                return;
        for (size_t i = 0; i < *n; i++)
                if (streq(cache[i].user, user)) {
                        *ret_idle = cache[i].idle_timeout;
                        *ret_run = cache[i].max_runtime;
                        return;
                }
        if (config_resolve_user(m->config, user, time(NULL), &ru) >= 0) {
                *ret_idle = ru.limits.idle_timeout_usec;
                *ret_run = ru.limits.max_runtime_usec;
                resolved_user_done(&ru);
        }
        if (*n < max)
                cache[(*n)++] = (struct owner_limits) { user, *ret_idle, *ret_run };
}

static void judge(Reaper *r, struct watched *w, uint64_t now, uint64_t realtime, uint64_t idle_timeout,
                  uint64_t max_runtime) {
        Manager *m = r->m;
        char a[32], b[32];

        w->idle_usec = w->idle_since && now > w->idle_since ? now - w->idle_since : 0;
        uint64_t idle_left = NEVER, run_left = NEVER;
        if (idle_timeout != LIMIT_INFINITY && w->idle_since)
                idle_left = w->idle_usec >= idle_timeout ? 0 : idle_timeout - w->idle_usec;
        if (max_runtime != LIMIT_INFINITY && w->started) {
                uint64_t ran = realtime > w->started ? realtime - w->started : 0;
                run_left = ran >= max_runtime ? 0 : max_runtime - ran;
        }
        uint64_t left = idle_left < run_left ? idle_left : run_left;
        /* an admin's exemption: watched and shown, never stopped */
        w->exempt = exemptions_find(&m->exemptions, w->name, w->user, (time_t) (realtime / USEC_PER_SEC)) != NULL;
        if (w->exempt)
                left = NEVER;
        w->stops_in_usec = left;
        if (left == NEVER) {
                w->reason[0] = 0;
                w->warned = 0;
                return;
        }
        if (left == idle_left)
                snprintf(w->reason, sizeof(w->reason), "idle %s", format_duration_coarse(w->idle_usec, a, sizeof(a)));
        else
                snprintf(w->reason, sizeof(w->reason), "running %s, max_runtime %s",
                         format_duration_coarse(realtime - w->started, a, sizeof(a)),
                         format_duration_coarse(max_runtime, b, sizeof(b)));

        if (left == 0) {
                if (!w->stopping) {
                        log_info("berth-slicemgr: stopping %s of %s: %s", w->name, w->user, w->reason);
                        submit(r, w, w->reason, stop_run, stop_done, &w->stopping);
                }
                return;
        }
        /* offsets further than the deadline again (busy again) may warn again */
        bool due = false;
        for (size_t i = 0; i < m->config->n_reaper_warn && i < 64; i++) {
                uint64_t bit = 1ULL << i;
                if (m->config->reaper_warn_usec[i] < left)
                        w->warned &= ~bit;
                else if (!(w->warned & bit)) {
                        w->warned |= bit;
                        due = true;
                }
        }
        if (due) /* one entry, even when one tick passed several offsets */
                warn(r, w, w->reason, left);
}

static void arm(Reaper *r) {
        uint64_t now;
        sd_event_now(r->m->event, CLOCK_MONOTONIC, &now);
        sd_event_source_set_time(r->timer, now + r->m->config->reaper_interval_usec);
        sd_event_source_set_enabled(r->timer, SD_EVENT_ONESHOT);
}

/* Every watched container sampled and judged against the loop's now. */
static void evaluate(Reaper *r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t realtime = (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
        uint64_t now;
        sd_event_now(r->m->event, CLOCK_MONOTONIC, &now);
        struct owner_limits cache[64];
        size_t n_cache = 0;

        for (size_t i = 0; i < r->n; i++) {
                struct watched *w = &r->v[i];
                if (!w->cgroup || !w->started) {
                        if (!w->asking)
                                submit(r, w, NULL, inspect_run, inspect_done, &w->asking);
                        if (!w->cgroup)
                                continue;
                }
                sample(r, w, now);
                uint64_t idle_timeout, max_runtime;
                owner_limits_of(r->m, w->user, cache, &n_cache, ELEMENTSOF(cache), &idle_timeout, &max_runtime);
                judge(r, w, now, realtime, idle_timeout, max_runtime);
        }
}

/* NVML, on the worker: every device of the inventory as it was at submit. */
struct sample_job {
        Reaper *r;
        char *library;
        char **uuids;
        struct gpu_sample *samples;
        size_t n;
        bool ran;
        int result;
        struct berth_error err;
};

static void sample_job_free(struct sample_job *j) {
        free(j->library);
        strv_free(j->uuids);
        gpu_samples_free(j->samples, j->n);
        free(j);
}

static void sample_run(void *job, struct docker *d) {
        struct sample_job *j = job;
        j->result = gpu_sample_load(j->library, j->uuids, &j->samples, &j->n, &j->err);
        j->ran = true;
}

static void sample_done(void *job) {
        struct sample_job *j = job;
        Reaper *r = j->r;
        r->sampling = false;
        if (!j->ran) { /* the daemon stops */
                sample_job_free(j);
                return;
        }
        gpu_samples_free(r->samples, r->n_samples);
        r->samples = NULL;
        r->n_samples = 0;
        if (j->result >= 0) {
                r->samples = TAKE_PTR(j->samples);
                r->n_samples = j->n;
                j->n = 0;
                r->samples_fresh = true;
        } else
                log_info("berth-slicemgr: the reaper could not sample the GPUs: %s; no GPU container counts as idle",
                         j->err.message);
        sample_job_free(j);
        evaluate(r);
}

/* Asks NVML for this tick's samples; false when the verdicts cannot wait
 * for them (no GPUs, or the worker is busy or gone). */
static bool sample_gpus(Reaper *r) {
        Manager *m = r->m;
        const struct gpu_inventory *inv = ledger_inventory(m->ledger);
        if (m->config->gpus == GPU_MODE_NONE || !inv || inv->n_devices == 0 || r->sampling)
                return false;
        struct sample_job *j = calloc(1, sizeof(*j));
        if (!j)
                return false;
        j->r = r;
        j->library = strdup(m->config->nvml_library);
        bool ok = j->library != NULL;
        for (size_t i = 0; ok && i < inv->n_devices; i++)
                ok = strv_push(&j->uuids, inv->devices[i].uuid) >= 0;
        if (!ok || lookup_submit(r->lookup, 0, j, sample_run, sample_done) < 0) {
                sample_job_free(j);
                return false;
        }
        r->sampling = true;
        return true;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        Reaper *r = userdata;
        exemptions_expire(&r->m->exemptions, time(NULL));
        r->samples_fresh = false;
        if (!sample_gpus(r))
                evaluate(r);
        arm(r);
        return 0;
}

/* --- the set of running containers ----------------------------------------- */

void reaper_container_running(Reaper *r, const char *id, const char *name, const char *user, uint64_t started) {
        if (!r || !id)
                return;
        if (name && name[0] == '/')
                name++;
        struct watched *w = find(r, id);
        if (w) {
                if (started)
                        w->started = started;
                return;
        }
        struct watched *v = reallocarray(r->v, r->n + 1, sizeof(*v));
        if (!v)
                return;
        r->v = v;
        w = &v[r->n];
        *w = (struct watched) { .id = strdup(id), .name = strdup(strempty(name)), .user = user ? strdup(user) : NULL,
                                .started = started };
        if (!w->id || !w->name || (user && !w->user)) {
                watched_done(w);
                return;
        }
        r->n++;
        submit(r, w, NULL, inspect_run, inspect_done, &w->asking);
}

void reaper_stop_now(Reaper *r, const char *id, const char *name, const char *user, const char *reason) {
        if (!r || !id)
                return;
        struct watched w = { .id = (char *) id, .name = (char *) strempty(name && name[0] == '/' ? name + 1 : name),
                             .user = (char *) user };
        bool flag = false;
        submit(r, &w, reason, stop_run, stop_done, &flag);
}

void reaper_container_stopped(Reaper *r, const char *id) {
        struct watched *w = find(r, id);
        if (!w)
                return;
        watched_done(w);
        size_t i = (size_t) (w - r->v);
        memmove(w, w + 1, (r->n - i - 1) * sizeof(*w));
        r->n--;
}

void reaper_keep_only(Reaper *r, char *const *running_ids) {
        for (size_t i = 0; r && i < r->n;)
                if (!strv_contains(running_ids, r->v[i].id))
                        reaper_container_stopped(r, r->v[i].id);
                else
                        i++;
}

json_t *reaper_container_json(const Reaper *r, const char *id) {
        const struct watched *w = id ? find(r, id) : NULL;
        if (!w)
                return NULL;
        json_t *o = json_pack("{s:I,s:s?,s:b}", "idle_usec", (json_int_t) w->idle_usec, "reason",
                              w->reason[0] ? w->reason : NULL, "exempt", w->exempt);
        if (o)
                json_object_set_new(o, "stops_in_usec",
                                    w->stops_in_usec == NEVER ? json_null() : json_integer((json_int_t) w->stops_in_usec));
        return o;
}

uint64_t reaper_stops_in(const Reaper *r, const char *id) {
        const struct watched *w = id ? find(r, id) : NULL;
        return w ? w->stops_in_usec : UINT64_MAX;
}

void reaper_counters(const Reaper *r, uint64_t *ret_warnings, uint64_t *ret_stops) {
        *ret_warnings = r ? r->warnings : 0;
        *ret_stops = r ? r->stops : 0;
}

int reaper_new(Manager *m, Lookup *l, Reaper **ret) {
        Reaper *r = calloc(1, sizeof(*r));
        uint64_t now;
        int k;
        if (!r)
                return -ENOMEM;
        r->m = m;
        r->lookup = l;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        k = sd_event_add_time(m->event, &r->timer, CLOCK_MONOTONIC, now + m->config->reaper_interval_usec, 0, on_tick, r);
        if (k < 0) {
                free(r);
                return k;
        }
        *ret = r;
        return 0;
}

void reaper_free(Reaper *r) {
        if (!r)
                return;
        sd_event_source_disable_unref(r->timer);
        for (size_t i = 0; i < r->n; i++)
                watched_done(&r->v[i]);
        free(r->v);
        gpu_samples_free(r->samples, r->n_samples);
        free(r);
}
