/* SPDX-License-Identifier: MIT */
/* Docker is the source of truth for who holds what: at start (and after
 * losing Docker) the ledger is rebuilt from the berth.* labels of existing
 * containers, then kept current from the /events stream.  The same listing
 * and stream keep m->containers, the mirror of every container's id, name
 * and owner that answers the wrapper's ownership questions. */
#include "manager.h"

#include <time.h>

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

/* Record a container Docker tells us about, from its labels. */
static void adopt(Manager *m, const char *id, const char *name, json_t *labels, const char *why) {
        const char *user = label(labels, "berth.user");
        const char *group = label(labels, "berth.group");
        const char *gpus = label(labels, "berth.gpus");
        _cleanup_strv_free_ char **uuids = NULL;
        const struct ledger_entry *e = NULL;
        uint64_t now;

        if (!user || !*user)
                return; /* not a berth container after all */
        if (gpus && *gpus) {
                _cleanup_free_ char *copy = strdup(gpus);
                char *save = NULL;
                if (!copy)
                        return;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                        if (strv_push(&uuids, t) < 0)
                                return;
        }
        if (name && name[0] == '/')
                name++;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        int r = ledger_adopt(m->ledger, user, label_uid(labels), group ? group : m->config->default_group, name, id,
                             uuids, now, &e);
        if (r == -EEXIST)
                return; /* already known */
        if (r < 0) {
                log_error_errno(r, "cannot record container %s: %m", name ? name : id);
                return;
        }
        if (r > 0)
                log_info("berth-slicemgr: container %s claims GPUs another holder has (%s); neither is handed out again until both are gone",
                         name ? name : id, gpus);
        if (e)
                manager_audit_entry(AUDIT_GPU_BIND, e, why, false);
}

static int on_event(json_t *ev, void *userdata) {
        Manager *m = userdata;
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
                int r = name ? cmirror_put(&m->containers, id, name, label(attrs, "berth.user"), managed) : 0;
                if (r < 0)
                        log_error_errno(r, "cannot mirror container %s (its owner is asked of Docker): %m", name);
                if (!managed)
                        return 0;
                const char *reservation = label(attrs, "berth.reservation");
                const struct ledger_entry *e = NULL;
                /* a reservation past its expiry is audited and freed first */
                ledger_expire(m->ledger, now, manager_audit_released, (void *) "reservation expired");
                r = ledger_bind(m->ledger, reservation, name, id, now, &e);
                if (r >= 0 && e)
                        manager_audit_entry(AUDIT_GPU_BIND, e, "container created", false);
                else if (r == -ENOENT)
                        adopt(m, id, name, attrs, "container created without a live reservation");
                manager_schedule_expiry(m);
        } else if (streq(action, "rename")) {
                /* a mirror entry that cannot follow goes: Docker is asked instead */
                if (cmirror_rename(&m->containers, id, name) < 0)
                        cmirror_remove(&m->containers, id);
        } else if (streq(action, "destroy")) {
                cmirror_remove(&m->containers, id);
                ledger_release_container(m->ledger, id, manager_audit_released, (void *) "container removed");
        }
        return 0;
}

static int resync(Manager *m) {
        _cleanup_json_ json_t *list = NULL;
        struct berth_error err = { 0 };
        int r;

        r = docker_container_list(m->docker, true, NULL, &list, &err);
        if (r < 0)
                return log_error_errno(r, "cannot list containers: %s", err.message);

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
                        return -ENOMEM;
        }
        for (char **g = gone; g && *g; g++)
                ledger_release_container(m->ledger, *g, manager_audit_released, (void *) "container gone while Docker was away");

        size_t k, n_managed = 0;
        json_t *c;
        cmirror_clear(&m->containers);
        json_array_foreach(list, k, c) {
                const char *cid = json_string_value(json_object_get(c, "Id"));
                const char *cname = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
                json_t *labels = json_object_get(c, "Labels");
                bool managed = streq_ptr(label(labels, "berth.managed"), "true");
                r = cid && cname ? cmirror_put(&m->containers, cid, cname, label(labels, "berth.user"), managed) : 0;
                if (r < 0)
                        log_error_errno(r, "cannot mirror container %s (its owner is asked of Docker): %m", cname);
                if (!managed)
                        continue;
                adopt(m, cid, cname, labels, "found in Docker at start");
                n_managed++;
        }
        log_info("berth-slicemgr: ledger rebuilt from %zu berth container%s", n_managed, n_managed == 1 ? "" : "s");
        return 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);

static void schedule_retry(Manager *m) {
        uint64_t now;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        if (!m->docker_retry) {
                if (sd_event_add_time(m->event, &m->docker_retry, CLOCK_MONOTONIC, now + DOCKER_RETRY_USEC, 0,
                                      on_retry, m) < 0)
                        return;
        } else
                sd_event_source_set_time(m->docker_retry, now + DOCKER_RETRY_USEC);
        sd_event_source_set_enabled(m->docker_retry, SD_EVENT_ONESHOT);
}

static void drop_stream(Manager *m) {
        m->events_source = sd_event_source_disable_unref(m->events_source);
        if (m->events) {
                docker_event_stream_free(m->events);
                m->events = NULL;
        }
        m->docker_synced = false;
}

static int on_stream(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        struct berth_error err = { 0 };
        int r = docker_event_stream_process(m->events, &err);
        if (r == 0) {
                /* curl may have moved to another fd */
                int nfd = docker_event_stream_fd(m->events);
                if (nfd >= 0 && nfd != fd) {
                        m->events_source = sd_event_source_disable_unref(m->events_source);
                        if (sd_event_add_io(m->event, &m->events_source, nfd, EPOLLIN, on_stream, m) < 0) {
                                drop_stream(m);
                                schedule_retry(m);
                        }
                }
                return 0;
        }
        log_info("berth-slicemgr: lost Docker's event stream (%s); reconnecting",
                 r < 0 ? err.message : "closed");
        drop_stream(m);
        schedule_retry(m);
        return 0;
}

static int connect_docker(Manager *m) {
        struct berth_error err = { 0 };
        int r;

        drop_stream(m);
        if (m->docker) {
                docker_close(m->docker);
                m->docker = NULL;
        }
        r = docker_open(m->config->docker_socket, &m->docker, &err);
        if (r < 0) {
                log_info("berth-slicemgr: Docker not reachable yet: %s", err.message);
                return r;
        }
        /* events since just before the listing, so nothing falls between them */
        char since[32];
        snprintf(since, sizeof(since), "%lld", (long long) time(NULL) - 1);
        _cleanup_json_ json_t *filters = json_pack("{s:[s],s:s}", "type", "container", "since", since);
        if (!filters)
                return -ENOMEM;
        r = docker_event_stream_open(m->docker, filters, on_event, m, &m->events, &err);
        if (r < 0) {
                log_info("berth-slicemgr: cannot open Docker's event stream: %s", err.message);
                return r;
        }
        r = resync(m);
        if (r < 0) {
                drop_stream(m);
                return r;
        }
        r = sd_event_add_io(m->event, &m->events_source, docker_event_stream_fd(m->events), EPOLLIN, on_stream, m);
        if (r < 0) {
                drop_stream(m);
                return r;
        }
        m->docker_synced = true;
        manager_schedule_expiry(m);
        /* events that arrived while we listed */
        on_stream(m->events_source, docker_event_stream_fd(m->events), EPOLLIN, m);
        return 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        if (connect_docker(m) < 0)
                schedule_retry(m);
        return 0;
}

int docker_watch_start(Manager *m) {
        /* Docker may start after us: we retry, and refuse reservations until synced */
        if (connect_docker(m) < 0)
                schedule_retry(m);
        return 0;
}

void docker_watch_stop(Manager *m) {
        drop_stream(m);
        m->docker_retry = sd_event_source_disable_unref(m->docker_retry);
        if (m->docker) {
                docker_close(m->docker);
                m->docker = NULL;
        }
}
