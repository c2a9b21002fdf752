/* SPDX-License-Identifier: MIT */
/* Docker is the source of truth for who holds what: at start (and after
 * losing Docker) the ledger is rebuilt from the berth.* labels of existing
 * containers, then kept current from the /events stream.  The same listing
 * and stream keep m->containers, the mirror of every container's id, name
 * and owner that answers the wrapper's ownership questions.  Labels count
 * only under a seal that verifies: a container that claims berth.* labels
 * without one is forged, never counted nor anyone's, and reported once. */
#include "docker-watch.h"

#include <time.h>

#include "basic/util.h"
#include "gpu-audit.h"
#include "labels.h"
#include "mounts.h"
#include "reaper.h"

#define DOCKER_RETRY_USEC (2ULL * 1000000)

struct DockerWatch {
        Manager *m;
        struct docker_event_stream *events;
        sd_event_source *events_source;
        sd_event_source *retry;
};

/* Record a container Docker tells us about, from its labels: 1 when it
 * claims GPUs another holder has, 0, or a negative errno. */
static int adopt(Manager *m, const char *id, const char *name, json_t *labels, const char *why) {
        const char *user = labels_get(labels, "berth.user");
        const char *gpus = labels_get(labels, "berth.gpus");
        struct resolved_user ru = { 0 };
        _cleanup_strv_free_ char **uuids = NULL;
        const struct ledger_entry *e = NULL;
        uint64_t now;

        if (!user || !*user)
                return 0; /* not a berth container after all */
        if (gpus && *gpus) {
                _cleanup_free_ char *copy = strdup(gpus);
                char *save = NULL;
                if (!copy)
                        return -ENOMEM;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                        if (strv_push(&uuids, t) < 0)
                                return -ENOMEM;
        }
        if (name && name[0] == '/')
                name++;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        /* the group counts against the group's total: it comes from the
         * config, never from a label (berth.group is not sealed, and a user
         * who ran docker with the injected labels could change it) */
        bool resolved = config_resolve_user(m->config, user, time(NULL), &ru) >= 0;
        int r = ledger_adopt(m->ledger, user, labels_uid(labels), resolved ? ru.group : m->config->default_group, name,
                             id, uuids, now, &e);
        if (resolved)
                resolved_user_done(&ru);
        if (r == -EEXIST)
                return 0; /* already known */
        if (r < 0)
                return r;
        if (e)
                gpu_audit_entry(AUDIT_GPU_BIND, e, why, false);
        return r > 0;
}

/* What adopting one container came to, in the log: skipped containers and
 * conflicts are worth an admin's look, the rest is in the audit. */
static void adopt_logged(Manager *m, const char *id, const char *name, json_t *labels, const char *why) {
        int r = adopt(m, id, name, labels, why);
        if (name && name[0] == '/')
                name++;
        if (r < 0)
                log_error_errno(r, "cannot record container %s: %m", name ? name : id);
        else if (r > 0)
                log_info("berth-slicemgr: container %s claims GPUs another holder has (%s); neither is handed out again until both are gone",
                         name ? name : id, strempty(labels_get(labels, "berth.gpus")));
}

/* Into the mirror: the owner and "managed" only when the labels are
 * berth's own. */
static void mirror_put_logged(Manager *m, const char *id, const char *name, json_t *labels, enum label_trust trust,
                              bool host_paths) {
        bool sealed = trust == LABEL_TRUST_SEALED;
        int r = cmirror_put(&m->containers, id, name, sealed ? labels_get(labels, "berth.user") : NULL,
                            sealed && streq_ptr(labels_get(labels, "berth.managed"), "true"));
        if (r < 0)
                log_error_errno(r, "cannot mirror container %s (its owner is asked of Docker): %m", name);
        else
                cmirror_set_host_paths(&m->containers, id, host_paths);
}

/* A container with berth.* labels that berth did not seal: into set, and
 * audited unless known already (known, may be NULL). */
static void note_forged(Manager *m, struct forged_set *set, const struct forged_set *known, const char *id,
                        const char *name, json_t *labels) {
        int r = forged_set_add(set, id, name, labels);
        if (r < 0) {
                log_error_errno(r, "cannot record forged container %s: %m", strempty(name));
                return;
        }
        if (name && name[0] == '/')
                name++;
        if (r == 0 || (known && forged_set_find(known, id)))
                return;
        struct audit_fields f = AUDIT_FIELDS_INIT;
        const char *gpus = labels_get(labels, "berth.gpus");
        f.container = name;
        f.user = labels_get(labels, "berth.user");
        f.gpus = gpus;
        f.reason = "berth.* labels without a valid seal";
        audit_log(AUDIT_CONTAINER_FORGED, &f,
                  "berth: container %s carries berth.* labels berth did not seal (claims user %s%s%s); it is not counted and belongs to nobody",
                  strempty(name), f.user ? f.user : "(none)", gpus && *gpus ? ", GPUs " : "", gpus && *gpus ? gpus : "");
}

/* What a container's mounts come to, asked of Docker (the mounts of a
 * create event are not in the event). */
static bool container_host_paths(Manager *m, const char *id) {
        _cleanup_json_ json_t *info = NULL;
        struct berth_error err = { 0 };
        if (!m->docker)
                return false;
        if (docker_container_inspect(m->docker, id, &info, &err) < 0)
                return err.code != -ENOENT; /* gone already, else unknown: a host path */
        return mounts_meet_host_path(json_object_get(info, "Mounts"), NULL, m->docker);
}

int docker_watch_event(Manager *m, json_t *ev) {
        const char *type = json_string_value(json_object_get(ev, "Type"));
        const char *action = json_string_value(json_object_get(ev, "Action"));
        json_t *actor = json_object_get(ev, "Actor");
        const char *id = json_string_value(json_object_get(actor, "ID"));
        json_t *attrs = json_object_get(actor, "Attributes");
        const char *name = labels_get(attrs, "name");
        uint64_t now;

        if (!type || !streq(type, "container") || !action || !id)
                return 0;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);

        if (streq(action, "create")) {
                /* an event's attributes are the container's labels, its name and image */
                enum label_trust trust = labels_trust(m->seal_key, name, attrs);
                if (name)
                        mirror_put_logged(m, id, name, attrs, trust, container_host_paths(m, id));
                if (trust == LABEL_TRUST_FORGED)
                        note_forged(m, &m->forged, NULL, id, name, attrs);
                if (trust != LABEL_TRUST_SEALED || !streq_ptr(labels_get(attrs, "berth.managed"), "true"))
                        return 0;
                const char *reservation = labels_get(attrs, "berth.reservation");
                const struct ledger_entry *e = NULL;
                /* a reservation past its expiry is audited and freed first */
                ledger_expire(m->ledger, now, gpu_audit_released, (void *) "reservation expired");
                int r = ledger_bind(m->ledger, reservation, name, id, now, &e);
                if (r >= 0 && e)
                        gpu_audit_entry(AUDIT_GPU_BIND, e, "container created", false);
                else if (r == -ENOENT)
                        adopt_logged(m, id, name, attrs, "container created without a live reservation");
                manager_schedule_expiry(m);
        } else if (streq(action, "start")) {
                /* the reaper watches berth's own containers from their start */
                const struct cmirror_entry *c = cmirror_find(&m->containers, id);
                json_int_t nano = json_integer_value(json_object_get(ev, "timeNano"));
                if (c && c->managed && c->user)
                        reaper_container_running(m->reaper, id, c->name, c->user, nano > 0 ? (uint64_t) nano / 1000 : 0);
                /* started past the gate (an admin, root on dockerd's socket):
                 * GPUs it gave up come back, or it is stopped again */
                struct berth_error err = { 0 };
                if (manager_container_rehold(m, id, &err) < 0) {
                        log_info("berth-slicemgr: %s started without the GPUs it was created with: %s", strempty(name),
                                 err.message);
                        reaper_stop_now(m->reaper, id, name, c ? c->user : NULL, "started while its GPUs are held by others");
                }
                (void) ledger_container_started(m->ledger, id);
                manager_schedule_expiry(m);
        } else if (streq(action, "die")) {
                reaper_container_stopped(m->reaper, id);
                manager_container_stopped(m, id);
        } else if (streq(action, "rename")) {
                /* a mirror entry that cannot follow goes: Docker is asked instead */
                if (cmirror_rename(&m->containers, id, name) < 0)
                        cmirror_remove(&m->containers, id);
                (void) forged_set_rename(&m->forged, id, name);
        } else if (streq(action, "destroy")) {
                cmirror_remove(&m->containers, id);
                forged_set_remove(&m->forged, id);
                reaper_container_stopped(m->reaper, id);
                ledger_release_container(m->ledger, id, gpu_audit_released, (void *) "container removed");
        }
        return 0;
}

static int on_event(json_t *ev, void *userdata) {
        DockerWatch *w = userdata;
        return docker_watch_event(w->m, ev);
}

int docker_watch_rebuild(Manager *m, json_t *list, json_t *volumes, struct berth_error *err) {
        _cleanup_(forged_set_clear) struct forged_set forged = { 0 };

        /* entries of containers that went away while we were not listening */
        size_t n;
        const struct ledger_entry *const *entries = ledger_entries(m->ledger, &n);
        _cleanup_strv_free_ char **gone = NULL;
        for (size_t i = 0; i < n; i++) {
                const char *cid = entries[i]->container_id;
                bool found = false;
                size_t k;
                json_t *c;
                if (!cid)
                        continue;
                json_array_foreach(list, k, c)
                        if (streq_ptr(json_string_value(json_object_get(c, "Id")), cid))
                                found = true;
                if (!found && strv_push(&gone, cid) < 0)
                        return berth_error_set(err, -ENOMEM, "out of memory");
        }
        for (char **g = gone; g && *g; g++)
                ledger_release_container(m->ledger, *g, gpu_audit_released, (void *) "container gone while Docker was away");

        size_t k;
        int n_managed = 0;
        json_t *c;
        _cleanup_strv_free_ char **running = NULL;
        cmirror_clear(&m->containers);
        json_array_foreach(list, k, c) {
                const char *cid = json_string_value(json_object_get(c, "Id"));
                const char *cname = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
                json_t *labels = json_object_get(c, "Labels");
                enum label_trust trust = labels_trust(m->seal_key, cname, labels);
                if (cid && cname)
                        mirror_put_logged(m, cid, cname, labels, trust,
                                          mounts_meet_host_path(json_object_get(c, "Mounts"), volumes, m->docker));
                if (trust == LABEL_TRUST_FORGED && cid)
                        note_forged(m, &forged, &m->forged, cid, cname, labels);
                if (trust != LABEL_TRUST_SEALED || !streq_ptr(labels_get(labels, "berth.managed"), "true"))
                        continue;
                adopt_logged(m, cid, cname, labels, "found in Docker at start");
                n_managed++;
                /* its start time is asked of Docker by the reaper */
                const char *state = json_string_value(json_object_get(c, "State"));
                if (cid && (streq_ptr(state, "running") || streq_ptr(state, "paused") || streq_ptr(state, "restarting"))) {
                        (void) ledger_container_started(m->ledger, cid);
                        if (!streq(state, "running"))
                                continue;
                        reaper_container_running(m->reaper, cid, cname, labels_get(labels, "berth.user"), 0);
                        if (strv_push(&running, cid) < 0)
                                return berth_error_set(err, -ENOMEM, "out of memory");
                } else if (cid) {
                        /* stopped while nobody watched: the hold counts from now */
                        const struct ledger_entry *e = ledger_find_container(m->ledger, cid);
                        if (e && e->n_devices > 0 && e->hold_until_usec == LEDGER_NEVER)
                                manager_container_stopped(m, cid);
                }
        }
        reaper_keep_only(m->reaper, running);
        forged_set_clear(&m->forged);
        m->forged = forged;
        forged = (struct forged_set) { 0 };
        return n_managed;
}

/* The ledger and the mirror rebuilt from Docker's lists of containers and
 * volumes; returns how many berth containers there are. */
static int resync(Manager *m, struct berth_error *err) {
        _cleanup_json_ json_t *list = NULL, *volumes = NULL;
        struct berth_error verr = { 0 };
        int r;

        r = docker_container_list(m->docker, true, NULL, &list, err);
        if (r < 0)
                return r;
        /* without the volume list each volume is asked about on its own */
        if (docker_request(m->docker, "GET", "/volumes", NULL, NULL, &volumes, &verr) < 0)
                volumes = NULL;
        return docker_watch_rebuild(m, list, json_object_get(volumes, "Volumes"), err);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);

static void schedule_retry(DockerWatch *w) {
        sd_event *event = w->m->event;
        uint64_t now;
        sd_event_now(event, CLOCK_MONOTONIC, &now);
        if (!w->retry) {
                if (sd_event_add_time(event, &w->retry, CLOCK_MONOTONIC, now + DOCKER_RETRY_USEC, 0, on_retry, w) < 0)
                        return;
        } else
                sd_event_source_set_time(w->retry, now + DOCKER_RETRY_USEC);
        sd_event_source_set_enabled(w->retry, SD_EVENT_ONESHOT);
}

static void drop_stream(DockerWatch *w) {
        w->events_source = sd_event_source_disable_unref(w->events_source);
        if (w->events) {
                docker_event_stream_free(w->events);
                w->events = NULL;
        }
        w->m->docker_synced = false;
}

static void close_docker(DockerWatch *w) {
        drop_stream(w);
        if (w->m->docker) {
                docker_close(w->m->docker);
                w->m->docker = NULL;
        }
}

static int on_stream(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        DockerWatch *w = userdata;
        struct berth_error err = { 0 };
        int r = docker_event_stream_process(w->events, &err);
        if (r == 0) {
                /* curl may have moved to another fd */
                int nfd = docker_event_stream_fd(w->events);
                if (nfd >= 0 && nfd != fd) {
                        w->events_source = sd_event_source_disable_unref(w->events_source);
                        if (sd_event_add_io(w->m->event, &w->events_source, nfd, EPOLLIN, on_stream, w) < 0) {
                                drop_stream(w);
                                schedule_retry(w);
                        }
                }
                return 0;
        }
        log_info("berth-slicemgr: lost Docker's event stream (%s); reconnecting", r < 0 ? err.message : "closed");
        drop_stream(w);
        schedule_retry(w);
        return 0;
}

/* Client, event stream, listing: the ledger is Docker's once this returns
 * 0; *err says why not. */
static int connect_docker(DockerWatch *w, struct berth_error *err) {
        Manager *m = w->m;
        int r;

        close_docker(w);
        r = docker_open(m->config->docker_socket, &m->docker, err);
        if (r < 0)
                return r;
        /* events since just before the listing, so nothing falls between them */
        char since[32];
        snprintf(since, sizeof(since), "%lld", (long long) time(NULL) - 1);
        _cleanup_json_ json_t *filters = json_pack("{s:[s],s:s}", "type", "container", "since", since);
        if (!filters)
                return berth_error_set(err, -ENOMEM, "out of memory");
        r = docker_event_stream_open(m->docker, filters, on_event, w, &w->events, err);
        if (r < 0)
                return r;
        r = resync(m, err);
        if (r < 0) {
                drop_stream(w);
                return r;
        }
        int n_managed = r;
        r = sd_event_add_io(m->event, &w->events_source, docker_event_stream_fd(w->events), EPOLLIN, on_stream, w);
        if (r < 0) {
                drop_stream(w);
                return berth_error_set(err, r, "cannot watch Docker's event stream: %s", strerror(-r));
        }
        m->docker_synced = true;
        log_info("berth-slicemgr: ledger rebuilt from %d berth container%s", n_managed, n_managed == 1 ? "" : "s");
        manager_schedule_expiry(m);
        /* events that arrived while we listed */
        on_stream(w->events_source, docker_event_stream_fd(w->events), EPOLLIN, w);
        return 0;
}

/* One try; when Docker is not there, say so and try again soon. */
static void connect_or_retry(DockerWatch *w) {
        struct berth_error err = { 0 };
        if (connect_docker(w, &err) >= 0)
                return;
        log_info("berth-slicemgr: Docker not reachable yet: %s", err.message);
        schedule_retry(w);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        connect_or_retry(userdata);
        return 0;
}

int docker_watch_new(Manager *m, DockerWatch **ret) {
        DockerWatch *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->m = m;
        connect_or_retry(w);
        *ret = w;
        return 0;
}

void docker_watch_free(DockerWatch *w) {
        if (!w)
                return;
        close_docker(w);
        sd_event_source_disable_unref(w->retry);
        free(w);
}
