/* SPDX-License-Identifier: MIT */
/* Docker is the source of truth for who holds what: at start (and after
 * losing Docker) the ledger is rebuilt from the berth.* labels of existing
 * containers, then kept current from the /events stream.  The same listing
 * and stream keep m->containers, the mirror of every container's id, name
 * and owner that answers the wrapper's ownership questions. */
#include "docker-watch.h"

#include <time.h>

#include "basic/util.h"
#include "gpu-audit.h"

#define DOCKER_RETRY_USEC (2ULL * 1000000)

struct DockerWatch {
        Manager *m;
        struct docker_event_stream *events;
        sd_event_source *events_source;
        sd_event_source *retry;
};

static const char *label(json_t *labels, const char *key) {
        return json_string_value(json_object_get(labels, key));
}

static uid_t label_uid(json_t *labels) {
        const char *s = label(labels, "berth.uid");
        char *end;
        if (!s || !*s)
                return (uid_t) -1;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v >= (uid_t) -1)
                return (uid_t) -1;
        return (uid_t) v;
}

/* Record a container Docker tells us about, from its labels: 1 when it
 * claims GPUs another holder has, 0, or a negative errno. */
static int adopt(Manager *m, const char *id, const char *name, json_t *labels, const char *why) {
        const char *user = label(labels, "berth.user");
        const char *group = label(labels, "berth.group");
        const char *gpus = label(labels, "berth.gpus");
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
        int r = ledger_adopt(m->ledger, user, label_uid(labels), group ? group : m->config->default_group, name, id,
                             uuids, now, &e);
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
                         name ? name : id, strempty(label(labels, "berth.gpus")));
}

static void mirror_put_logged(Manager *m, const char *id, const char *name, json_t *labels, bool managed) {
        int r = cmirror_put(&m->containers, id, name, label(labels, "berth.user"), managed);
        if (r < 0)
                log_error_errno(r, "cannot mirror container %s (its owner is asked of Docker): %m", name);
}

static int on_event(json_t *ev, void *userdata) {
        DockerWatch *w = userdata;
        Manager *m = w->m;
        const char *type = json_string_value(json_object_get(ev, "Type"));
        const char *action = json_string_value(json_object_get(ev, "Action"));
        json_t *actor = json_object_get(ev, "Actor");
        const char *id = json_string_value(json_object_get(actor, "ID"));
        json_t *attrs = json_object_get(actor, "Attributes");
        const char *name = label(attrs, "name");
        uint64_t now;

        if (!type || !streq(type, "container") || !action || !id)
                return 0;
        bool managed = streq_ptr(label(attrs, "berth.managed"), "true");
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);

        if (streq(action, "create")) {
                if (name)
                        mirror_put_logged(m, id, name, attrs, managed);
                if (!managed)
                        return 0;
                const char *reservation = label(attrs, "berth.reservation");
                const struct ledger_entry *e = NULL;
                /* a reservation past its expiry is audited and freed first */
                ledger_expire(m->ledger, now, gpu_audit_released, (void *) "reservation expired");
                int r = ledger_bind(m->ledger, reservation, name, id, now, &e);
                if (r >= 0 && e)
                        gpu_audit_entry(AUDIT_GPU_BIND, e, "container created", false);
                else if (r == -ENOENT)
                        adopt_logged(m, id, name, attrs, "container created without a live reservation");
                manager_schedule_expiry(m);
        } else if (streq(action, "rename")) {
                /* a mirror entry that cannot follow goes: Docker is asked instead */
                if (cmirror_rename(&m->containers, id, name) < 0)
                        cmirror_remove(&m->containers, id);
        } else if (streq(action, "destroy")) {
                cmirror_remove(&m->containers, id);
                ledger_release_container(m->ledger, id, gpu_audit_released, (void *) "container removed");
        }
        return 0;
}

/* The ledger and the mirror rebuilt from Docker's list of containers;
 * returns how many berth containers there are. */
static int resync(Manager *m, struct berth_error *err) {
        _cleanup_json_ json_t *list = NULL;
        int r;

        r = docker_container_list(m->docker, true, NULL, &list, err);
        if (r < 0)
                return r;

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
        cmirror_clear(&m->containers);
        json_array_foreach(list, k, c) {
                const char *cid = json_string_value(json_object_get(c, "Id"));
                const char *cname = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
                json_t *labels = json_object_get(c, "Labels");
                bool managed = streq_ptr(label(labels, "berth.managed"), "true");
                if (cid && cname)
                        mirror_put_logged(m, cid, cname, labels, managed);
                if (!managed)
                        continue;
                adopt_logged(m, cid, cname, labels, "found in Docker at start");
                n_managed++;
        }
        return n_managed;
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
