/* SPDX-License-Identifier: MIT */
/* The Manager: config, GPU inventory, ledger, bus and loop; reload. */
#include "manager.h"

#include <fcntl.h>
#include <math.h>
#include <time.h>

#include "basic/util.h"
#include "core/audit.h"
#include "gpu-audit.h"
#include "queue.h"
#include "system/nvml.h"
#include "system/seal-key.h"

#include <openssl/crypto.h>

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

static int load_inventory(const struct berth_config *c, struct gpu_inventory **ret, struct berth_error *err) {
        if (c->gpus == GPU_MODE_NONE)
                return gpu_inventory_none(ret);
        return gpu_inventory_load_nvml(c->nvml_library, c->sysfs_root, ret, err);
}

/* The key at c->seal_key, made first when there is none; *ret_made says
 * whether it was. */
static int load_seal_key(const struct berth_config *c, uint8_t key[static SEAL_KEY_SIZE], bool *ret_made,
                         struct berth_error *err) {
        int r = seal_key_create(c->seal_key, err);
        if (r < 0)
                return r;
        *ret_made = r > 0;
        return seal_key_load(c->seal_key, key, err);
}

int manager_new(const char *config_dir, Manager **ret, struct berth_error *err) {
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(*m));
        _cleanup_free_ char *errors = NULL;
        int r;

        if (!m)
                return berth_error_set(err, -ENOMEM, "out of memory");
        m->config_dir = strdup(config_dir);
        const char *cg = getenv("BERTH_CGROUP_ROOT"); /* tests only: where cgroup files are read back */
        m->slices.cgroup_root = strdup(cg && *cg ? cg : "/sys/fs/cgroup");
        m->ensure_user_slice = slices_ensure_user;
        m->started = (uint64_t) time(NULL);
        m->config_generation = 1;
        if (!m->config_dir || !m->slices.cgroup_root)
                return berth_error_set(err, -ENOMEM, "out of memory");

        r = config_load_report(config_dir, stderr, &m->config, &errors, NULL);
        if (r < 0) {
                struct audit_fields f = AUDIT_FIELDS_INIT;
                f.reason = errors;
                audit_log(AUDIT_CONFIG_INVALID, &f, "berth: configuration in %s is invalid; not starting", config_dir);
                return berth_error_set(err, r, "configuration in %s is invalid: %s", config_dir, strerror(-r));
        }
        bool made = false;
        r = load_seal_key(m->config, m->seal_key, &made, err);
        if (r < 0) {
                char why[sizeof(err->message)];
                snprintf(why, sizeof(why), "%s", err->message);
                return berth_error_set(err, r, "cannot use the seal key: %s; it must be a %d-byte file owned by root with mode 0600 (remove it to have a new one made)",
                                       why, SEAL_KEY_SIZE);
        }
        if (made)
                log_info("berth-slicemgr: made a new seal key in %s", m->config->seal_key);
        r = exemptions_load(&m->exemptions, m->config->reaper_exemptions);
        if (r < 0)
                return berth_error_set(err, r, "cannot read the exemptions in %s: %s", m->config->reaper_exemptions,
                                       strerror(-r));
        r = load_inventory(m->config, &m->inventory, err);
        if (r < 0)
                return r;
        r = ledger_new(m->inventory, &m->ledger);
        if (r < 0)
                return berth_error_set(err, r, "cannot create the GPU ledger: %s", strerror(-r));
        r = sd_event_default(&m->event);
        if (r < 0)
                return berth_error_set(err, r, "cannot create the event loop: %s", strerror(-r));
        r = sd_bus_open_system(&m->slices.bus);
        if (r < 0)
                return berth_error_set(err, r, "cannot connect to the system bus: %s", strerror(-r));
        r = sd_bus_attach_event(m->slices.bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return berth_error_set(err, r, "cannot attach the bus to the loop: %s", strerror(-r));
        *ret = TAKE_PTR(m);
        return 0;
}

void manager_free(Manager *m) {
        if (!m)
                return;
        queue_free(m->queue);
        m->queue = NULL;
        sd_event_source_disable_unref(m->expiry_timer);
        claims_clear(&m->claims);
        slices_done(&m->slices);
        ledger_free(m->ledger);
        cmirror_clear(&m->containers);
        forged_set_clear(&m->forged);
        OPENSSL_cleanse(m->seal_key, sizeof(m->seal_key));
        identity_cache_clear(&m->identities);
        gpu_inventory_free(m->inventory);
        exemptions_done(&m->exemptions);
        config_free(m->config);
        sd_event_unref(m->event);
        free(m->config_dir);
        free(m->clean_marker);
        free(m);
}

static int on_expiry(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        uint64_t now;
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        ledger_expire(m->ledger, now, gpu_audit_released, (void *) "reservation expired");
        ledger_release_held(m->ledger, now, gpu_audit_released, (void *) "stopped longer than gpu_hold_after_stop");
        manager_schedule_expiry(m);
        return 0;
}

void manager_container_stopped(Manager *m, const char *container_id) {
        const struct ledger_entry *e = ledger_find_container(m->ledger, container_id);
        struct resolved_user ru = { 0 };
        uint64_t now, hold = LIMIT_GPU_HOLD_DEFAULT_USEC;
        if (!e || e->state == LEDGER_RESERVED || e->state == LEDGER_COMMITTED)
                return;
        if (config_resolve_user(m->config, e->user, time(NULL), &ru) >= 0) {
                hold = ru.limits.gpu_hold_after_stop_usec;
                resolved_user_done(&ru);
        }
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        (void) ledger_container_stopped(m->ledger, container_id,
                                        hold == LIMIT_INFINITY || now > LEDGER_NEVER - hold ? LEDGER_NEVER : now + hold);
        manager_schedule_expiry(m);
}

int manager_container_rehold(Manager *m, const char *container_id, struct berth_error *err) {
        const struct ledger_entry *e = ledger_find_container(m->ledger, container_id);
        uint64_t now;
        if (!e || !e->parked)
                return 0;
        /* the owner's limits, whoever starts it */
        _cleanup_(resolved_user_done) struct resolved_user ru = { 0 };
        if (config_resolve_user(m->config, e->user, time(NULL), &ru) < 0)
                return berth_error_set(err, -EINVAL, "berth: cannot resolve the limits of %s.", e->user);
        const struct group_config *g = config_find_group(m->config, ru.group);
        size_t ahead = queue_ahead(m->queue, NULL, g ? g->priority : 0);
        if (ahead > 0)
                return berth_error_set(err, -EBUSY,
                                       "berth: %s gave up its GPUs while it was stopped, and %zu %s for GPUs; start it once they are served, or remove it and deploy it again with --wait.",
                                       e->container ? e->container : e->container_id, ahead,
                                       ahead == 1 ? "request waits" : "requests wait");
        struct ledger_request lr = {
                .user = e->user,
                .uid = e->uid,
                .group = ru.group,
                .user_gpus_max = ru.limits.gpus,
                .per_container_gpus_max = ru.limits.gpus_per_container,
                .group_gpus_max = (ru.total.set & (1u << LIMIT_GPUS)) ? ru.total.gpus : INFINITY,
                .ttl_usec = m->config->reservation_ttl_usec,
        };
        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        int r = ledger_rehold(m->ledger, container_id, &lr, now, err);
        if (r <= 0)
                return r;
        manager_schedule_expiry(m);
        e = ledger_find_container(m->ledger, container_id);
        if (e)
                gpu_audit_entry(AUDIT_GPU_BIND, e, "taken back to start the container again", false);
        return r;
}

void manager_schedule_expiry(Manager *m) {
        claims_prune(&m->claims, m->ledger);
        queue_kick(m->queue); /* whatever changed, the head of the queue may be served now */
        uint64_t next = ledger_next_expiry(m->ledger), hold_end = ledger_next_hold_end(m->ledger);
        if (hold_end < next)
                next = hold_end;
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
        }
        int fd = open(m->clean_marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0)
                close(fd);
}

void manager_mark_clean_stop(Manager *m) {
        if (m->clean_marker)
                (void) unlink(m->clean_marker);
}

int manager_start(Manager *m, struct berth_error *err) {
        setup_grace(m);
        /* limits may have changed while we were down */
        return slices_apply_all(&m->slices, m->config, err);
}

int manager_reload(Manager *m, char **ret_message) {
        _cleanup_config_ struct berth_config *c = NULL;
        _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;
        _cleanup_free_ char *errors = NULL;
        struct audit_fields f = AUDIT_FIELDS_INIT;
        struct berth_error err = { 0 };
        int r;

        r = config_load_report(m->config_dir, stderr, &c, &errors, NULL);
        if (r < 0) {
                f.reason = errors;
                audit_log(AUDIT_CONFIG_INVALID, &f, "berth: new configuration in %s is invalid; keeping the last good one",
                          m->config_dir);
                set_message(ret_message, "berth: the configuration in %s is invalid, the last good one stays: %s",
                            m->config_dir, errors ? errors : strerror(-r));
                return -EINVAL;
        }
        uint8_t key[SEAL_KEY_SIZE];
        bool made = false;
        r = load_seal_key(c, key, &made, &err);
        if (r < 0) {
                f.reason = err.message;
                audit_log(AUDIT_CONFIG_INVALID, &f, "berth: the seal key of the new configuration is unusable (%s); keeping the last good one",
                          err.message);
                set_message(ret_message, "berth: cannot use the seal key %s (%s); the last good configuration stays.",
                            c->seal_key, err.message);
                return -EINVAL;
        }
        if (made)
                log_info("berth-slicemgr: made a new seal key in %s", c->seal_key);
        if (c->gpus != m->config->gpus || !streq(c->nvml_library, m->config->nvml_library) ||
            !streq(c->sysfs_root, m->config->sysfs_root)) {
                r = load_inventory(c, &inv, &err);
                if (r < 0) {
                        OPENSSL_cleanse(key, sizeof(key));
                        set_message(ret_message, "berth: cannot load the GPU inventory of the new configuration (%s); the last good one stays.",
                                    err.message);
                        return r;
                }
                r = ledger_set_inventory(m->ledger, inv);
                if (r < 0) {
                        OPENSSL_cleanse(key, sizeof(key));
                        return r;
                }
                gpu_inventory_free(m->inventory);
                m->inventory = TAKE_PTR(inv);
        }
        bool socket_moved = !streq(c->control_socket, m->config->control_socket);
        /* containers sealed under an old key count until the next rebuild */
        memcpy(m->seal_key, key, SEAL_KEY_SIZE);
        OPENSSL_cleanse(key, sizeof(key));
        bool exemptions_moved = !streq(c->reaper_exemptions, m->config->reaper_exemptions);
        config_free(m->config);
        m->config = TAKE_PTR(c);
        m->config_generation++;
        identity_cache_clear(&m->identities); /* the admin group may have changed */
        if (exemptions_moved && exemptions_load(&m->exemptions, m->config->reaper_exemptions) < 0)
                log_info("berth-slicemgr: out of memory reading the exemptions");
        manager_schedule_expiry(m); /* new limits may let a waiter in */
        if (m->reloaded)
                m->reloaded(m->reloaded_userdata);

        r = slices_apply_all(&m->slices, m->config, &err);
        f.reason = r < 0 ? err.message : NULL;
        audit_log(AUDIT_CONFIG_RELOAD, &f, "berth: configuration reloaded from %s%s%s", m->config_dir,
                  r < 0 ? "; some limits could not be applied: " : "", r < 0 ? err.message : "");
        set_message(ret_message, "berth: configuration reloaded from %s%s%s%s", m->config_dir,
                    r < 0 ? "; some limits could not be applied: " : ".", r < 0 ? err.message : "",
                    socket_moved ? " The new control_socket takes effect at the next restart." : "");
        return r < 0 ? r : 0;
}
