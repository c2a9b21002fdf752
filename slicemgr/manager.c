/* SPDX-License-Identifier: MIT */
/* The Manager: config, GPU inventory, ledger, bus and loop; reload. */
#include "manager.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>

static void set_message(char **ret, const char *fmt, ...) _printf_(2, 3);
static void set_message(char **ret, const char *fmt, ...) {
        va_list ap;
        if (!ret)
                return;
        va_start(ap, fmt);
        if (vasprintf(ret, fmt, ap) < 0)
                *ret = NULL;
        va_end(ap);
}

static int load_config(const char *dir, struct berth_config **ret, char **ret_errors) {
        return config_load_report(dir, stderr, ret, ret_errors, NULL);
}

static int load_inventory(const struct berth_config *c, struct gpu_inventory **ret) {
        struct berth_error err = { 0 };
        if (c->gpus == GPU_MODE_NONE)
                return gpu_inventory_none(ret);
        int r = gpu_inventory_load_nvml(c->nvml_library, c->sysfs_root, ret, &err);
        if (r < 0)
                return log_error_errno(r, "%s", err.message);
        return 0;
}

int manager_new(const char *config_dir, Manager **ret) {
        Manager *m = calloc(1, sizeof(*m));
        _cleanup_free_ char *errors = NULL;
        int r;

        if (!m)
                return -ENOMEM;
        m->listen_fd = -1;
        m->config_dir = strdup(config_dir);
        const char *cg = getenv("BERTH_CGROUP_ROOT"); /* tests only: where cgroup files are read back */
        m->cgroup_root = strdup(cg && *cg ? cg : "/sys/fs/cgroup");
        if (!m->config_dir || !m->cgroup_root) {
                manager_free(m);
                return -ENOMEM;
        }

        r = load_config(config_dir, &m->config, &errors);
        if (r < 0) {
                struct audit_fields f = AUDIT_FIELDS_INIT;
                f.reason = errors;
                audit_log(AUDIT_CONFIG_INVALID, &f, "berth: configuration in %s is invalid; not starting", config_dir);
                log_error_errno(r, "configuration in %s is invalid: %m", config_dir);
                manager_free(m);
                return r;
        }
        r = load_inventory(m->config, &m->inventory);
        if (r < 0) {
                manager_free(m);
                return r;
        }
        r = ledger_new(m->inventory, &m->ledger);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "cannot create the GPU ledger: %m");
        }
        r = sd_event_default(&m->event);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "cannot create the event loop: %m");
        }
        r = sd_bus_open_system(&m->bus);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "cannot connect to the system bus: %m");
        }
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "cannot attach the bus to the loop: %m");
        }
        log_info("berth-slicemgr: %zu GPU device%s, %zu group%s, config %s", m->inventory->n_devices,
                 m->inventory->n_devices == 1 ? "" : "s", m->config->n_groups, m->config->n_groups == 1 ? "" : "s",
                 config_dir);
        *ret = m;
        return 0;
}

void manager_free(Manager *m) {
        if (!m)
                return;
        control_close_all(m);
        docker_watch_stop(m);
        sd_event_source_disable_unref(m->expiry_timer);
        manager_slice_cache_clear(m);
        ledger_free(m->ledger);
        cmirror_clear(&m->containers);
        manager_identity_cache_clear(m);
        gpu_inventory_free(m->inventory);
        config_free(m->config);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        free(m->config_dir);
        free(m->cgroup_root);
        free(m->clean_marker);
        free(m);
}

void manager_audit_entry(enum audit_event ev, const struct ledger_entry *e, const char *reason, bool even_without_gpus) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        _cleanup_free_ char *uuids = NULL;

        (void) ledger_entry_uuids(e, &uuids);
        if (!even_without_gpus && (!uuids || !*uuids))
                return; /* an entry without GPUs holds only a container slot */
        f.user = e->user;
        f.uid = (long) e->uid;
        f.group = e->group;
        f.container = e->container;
        f.gpus = uuids;
        f.reason = reason;
        audit_log(ev, &f, "berth: %s %s %s (%s)", e->container ? e->container : e->id,
                  ev == AUDIT_GPU_BIND ? "holds" : "released", uuids && *uuids ? uuids : "no GPUs", reason);
}

void manager_audit_released(const struct ledger_entry *e, void *reason) {
        manager_audit_entry(AUDIT_GPU_RELEASE, e, reason, false);
}

static int on_expiry(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        uint64_t now;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        ledger_expire(m->ledger, now, manager_audit_released, (void *) "reservation expired");
        manager_schedule_expiry(m);
        return 0;
}

void manager_schedule_expiry(Manager *m) {
        uint64_t next = ledger_next_expiry(m->ledger);
        if (next == LEDGER_NEVER) {
                if (m->expiry_timer)
                        sd_event_source_set_enabled(m->expiry_timer, SD_EVENT_OFF);
                return;
        }
        if (!m->expiry_timer) {
                if (sd_event_add_time(m->event, &m->expiry_timer, CLOCK_MONOTONIC, next, 0, on_expiry, m) < 0)
                        return;
        } else
                sd_event_source_set_time(m->expiry_timer, next);
        sd_event_source_set_enabled(m->expiry_timer, SD_EVENT_ONESHOT);
}

/* A marker beside the control socket says a daemon is running.  Found at
 * start, the last one did not stop cleanly (kill -9, a crash), and the
 * reservations it handed out may still be taken up within reservation_ttl.
 * It lives in /run, so a reboot clears it. */
static void setup_grace(Manager *m) {
        _cleanup_free_ char *dir = strdup(m->config->control_socket);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        uint64_t now;

        if (!slash)
                return;
        *slash = 0;
        if (asprintf(&m->clean_marker, "%s/slicemgr.running", *dir ? dir : "/") < 0) {
                m->clean_marker = NULL;
                return;
        }
        if (access(m->clean_marker, F_OK) == 0) {
                sd_event_now(m->event, CLOCK_MONOTONIC, &now);
                m->gpu_grace_until = now + m->config->reservation_ttl_usec;
                log_info("berth-slicemgr: the last daemon did not stop cleanly; GPUs are handed out again in %llu s",
                         (unsigned long long) (m->config->reservation_ttl_usec / 1000000));
        }
        int fd = open(m->clean_marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0)
                close(fd);
}

void manager_mark_clean_stop(Manager *m) {
        if (m->clean_marker)
                (void) unlink(m->clean_marker);
}

int manager_start(Manager *m) {
        struct berth_error err = { 0 };
        int r;

        setup_grace(m);

        r = control_listen(m);
        if (r < 0)
                return r;
        r = docker_watch_start(m);
        if (r < 0)
                return r;
        /* limits may have changed while we were down */
        r = manager_apply_all_slices(m, &err);
        if (r < 0)
                log_info("berth-slicemgr: could not re-apply limits at start: %s", err.message);
        return 0;
}

int manager_reload(Manager *m, char **ret_message) {
        struct berth_config *c = NULL;
        struct gpu_inventory *inv = NULL;
        _cleanup_free_ char *errors = NULL;
        struct audit_fields f = AUDIT_FIELDS_INIT;
        struct berth_error err = { 0 };
        int r;

        r = load_config(m->config_dir, &c, &errors);
        if (r < 0) {
                f.reason = errors;
                audit_log(AUDIT_CONFIG_INVALID, &f, "berth: new configuration in %s is invalid; keeping the last good one",
                          m->config_dir);
                set_message(ret_message, "berth: the configuration in %s is invalid, the last good one stays: %s",
                                 m->config_dir, errors ? errors : strerror(-r));
                return -EINVAL;
        }
        if (c->gpus != m->config->gpus || !streq(c->nvml_library, m->config->nvml_library) ||
            !streq(c->sysfs_root, m->config->sysfs_root)) {
                r = load_inventory(c, &inv);
                if (r < 0) {
                        config_free(c);
                        set_message(ret_message, "berth: cannot load the GPU inventory of the new configuration; the last good one stays.");
                        return r;
                }
                r = ledger_set_inventory(m->ledger, inv);
                if (r < 0) {
                        gpu_inventory_free(inv);
                        config_free(c);
                        return r;
                }
                gpu_inventory_free(m->inventory);
                m->inventory = inv;
        }
        bool socket_moved = !streq(c->control_socket, m->config->control_socket);
        config_free(m->config);
        m->config = c;
        manager_identity_cache_clear(m); /* the admin group may have changed */
        if (socket_moved)
                log_info("berth-slicemgr: control_socket changed; it takes effect at the next restart");

        r = manager_apply_all_slices(m, &err);
        f.reason = r < 0 ? err.message : NULL;
        audit_log(AUDIT_CONFIG_RELOAD, &f, "berth: configuration reloaded from %s%s%s", m->config_dir,
                  r < 0 ? "; some limits could not be applied: " : "", r < 0 ? err.message : "");
        set_message(ret_message, "berth: configuration reloaded from %s%s%s", m->config_dir,
                         r < 0 ? "; some limits could not be applied: " : ".", r < 0 ? err.message : "");
        return r < 0 ? r : 0;
}

