/* SPDX-License-Identifier: MIT */
#include "system/slice.h"
#include "policy/ledger.h"
#include "basic/time-util.h"
#include "basic/cpulist.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <time.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"
#define SD_SLICE "org.freedesktop.systemd1.Slice"
#define SD_UNIT_PATH_PREFIX "/org/freedesktop/systemd1/unit"
#define SD_ERROR_NO_SUCH_UNIT "org.freedesktop.systemd1.NoSuchUnit"
#define SD_ERROR_UNIT_EXISTS "org.freedesktop.systemd1.UnitExists"
#define SD_ERROR_UNKNOWN_METHOD "org.freedesktop.DBus.Error.UnknownMethod"

#define USEC_PER_SEC 1000000ULL

static const char *root_or_default(const char *cgroup_root) {
        return cgroup_root ? cgroup_root : SLICE_CGROUP_ROOT;
}
#define UNIT_NAME_MAX 255
#define CGROUP_FILE_MAX 65536   /* cpuset lists of big machines stay well below */
#define VERIFY_RETRIES 3        /* a settled value is read at once; see verify_settled() */
#define VERIFY_RETRY_USEC 30000

/* ---- sd-bus ------------------------------------------------------------------- */

static const char *bus_error_text(const sd_bus_error *e, int r) {
        return e && e->message ? e->message : strerror(-r);
}

static int manager_call(sd_bus *bus, const char *method, sd_bus_message **ret) {
        return sd_bus_message_new_method_call(bus, ret, SD_DEST, SD_PATH, SD_MANAGER, method);
}

/* The unit's object path; -ENOENT when systemd has not loaded it.  GetUnit,
 * unlike a property read on the path, never loads a unit. */
static int get_unit(sd_bus *bus, const char *unit, char **ret_path, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *path;
        int r;

        r = manager_call(bus, "GetUnit", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", unit);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, SLICE_BUS_TIMEOUT_USEC, e, &reply);
        if (r < 0) {
                if (sd_bus_error_has_name(e, SD_ERROR_NO_SUCH_UNIT)) {
                        sd_bus_error_free(e);
                        return -ENOENT;
                }
                return r;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        *ret_path = p;
        return 0;
}

static int get_property(sd_bus *bus, const char *path, const char *iface, const char *name, const char *type,
                        sd_bus_error *e, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SD_DEST, path, "org.freedesktop.DBus.Properties", "Get");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", iface, name);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, SLICE_BUS_TIMEOUT_USEC, e, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'v', type);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(reply);
        return 0;
}

static int get_string_property(sd_bus *bus, const char *path, const char *iface, const char *name, sd_bus_error *e,
                               char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *s;
        int r;

        r = get_property(bus, path, iface, name, "s", e, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "s", &s);
        if (r < 0)
                return r;
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

static int get_job_id(sd_bus *bus, const char *path, sd_bus_error *e, uint32_t *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *job_path;
        uint32_t id;
        int r;

        r = get_property(bus, path, SD_UNIT, "Job", "(uo)", e, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "(uo)", &id, &job_path);
        if (r < 0)
                return r;
        *ret = id;
        return 0;
}

/* Waits, bounded, until the unit has no job left (the one just queued has
 * finished) and returns its ActiveState: "inactive" once it is gone.
 * Polling a property is simpler than matching JobRemoved and has no race
 * between queueing the job and subscribing. */
static int wait_for_job(sd_bus *bus, const char *unit, char **ret_state, struct berth_error *err) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t deadline = now_usec() + SLICE_JOB_TIMEOUT_USEC;
        useconds_t delay = 1000;
        int r;

        for (;;) {
                _cleanup_free_ char *path = NULL;
                uint32_t id;

                r = get_unit(bus, unit, &path, &e);
                if (r == -ENOENT) {
                        char *s = strdup("inactive"); /* stopped and collected */
                        if (!s)
                                return berth_error_set(err, -ENOMEM, "Out of memory.");
                        *ret_state = s;
                        return 0;
                }
                if (r >= 0)
                        r = get_job_id(bus, path, &e, &id);
                if (r >= 0 && id == 0) {
                        r = get_string_property(bus, path, SD_UNIT, "ActiveState", &e, ret_state);
                        if (r >= 0)
                                return 0;
                }
                if (r < 0)
                        return berth_error_set(err, r, "Could not ask systemd about %s: %s.", unit,
                                               bus_error_text(&e, r));
                if (now_usec() >= deadline)
                        return berth_error_set(err, -ETIMEDOUT, "systemd did not finish its job for %s within %llu seconds.",
                                               unit, SLICE_JOB_TIMEOUT_USEC / USEC_PER_SEC);
                usleep(delay);
                if (delay < 50000)
                        delay *= 2;
        }
}

static int append_cpu_mask(sd_bus_message *m, const char *property, const char *list) {
        _cleanup_free_ uint8_t *mask = NULL;
        size_t size = 0;
        int r;

        r = cpulist_parse(list, CPULIST_LOOSE, &mask, &size, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", property);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', "ay");
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(m, 'y', mask, size);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

/* The a(sv) of properties both StartTransientUnit and SetUnitProperties take. */
static int append_limits(sd_bus_message *m, const struct slice_limits *l) {
        uint64_t quota = l->cpus == CPUS_INFINITY ? UINT64_MAX : (uint64_t) llround(l->cpus * (double) USEC_PER_SEC);
        int r;

        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)",
                                  "CPUAccounting", "b", 1,
                                  "MemoryAccounting", "b", 1,
                                  "TasksAccounting", "b", 1,
                                  "CPUQuotaPerSecUSec", "t", quota,
                                  "MemoryMax", "t", l->memory_max,
                                  "MemoryHigh", "t", l->memory_high,
                                  "TasksMax", "t", l->tasks_max);
        if (r < 0)
                return r;
        if (l->allowed_cpus) {
                r = append_cpu_mask(m, "AllowedCPUs", l->allowed_cpus);
                if (r < 0)
                        return r;
        }
        if (l->allowed_mems) {
                r = append_cpu_mask(m, "AllowedMemoryNodes", l->allowed_mems);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int start_transient(sd_bus *bus, const char *unit, const struct slice_limits *l, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = manager_call(bus, "StartTransientUnit", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r < 0)
                return r;
        r = append_limits(m, l);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, SLICE_BUS_TIMEOUT_USEC, e, &reply);
}

static int set_properties(sd_bus *bus, const char *unit, const struct slice_limits *l, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = manager_call(bus, "SetUnitProperties", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "sb", unit, 1);
        if (r < 0)
                return r;
        r = append_limits(m, l);
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, SLICE_BUS_TIMEOUT_USEC, e, &reply);
}

/* StartUnit or StopUnit in "fail" mode; the job is waited for separately. */
static int unit_job(sd_bus *bus, const char *method, const char *unit, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = manager_call(bus, method, &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, SLICE_BUS_TIMEOUT_USEC, e, &reply);
}

static bool unit_name_is_slice(const char *unit) {
        size_t n = unit ? strlen(unit) : 0;
        return n > strlen(".slice") && n <= UNIT_NAME_MAX && streq(unit + n - strlen(".slice"), ".slice") &&
               !strchr(unit, '/');
}

static int check_request(const char *root, const char *unit, const struct slice_limits *l, struct berth_error *err) {
        char c[32];

        if (!unit_name_is_slice(unit))
                return berth_error_set(err, -EINVAL, "'%s' is not a slice unit name.", strempty(unit));
        if (!l)
                return berth_error_set(err, -EINVAL, "No limits were given for %s.", unit);
        if (l->cpus != CPUS_INFINITY && !(isfinite(l->cpus) && l->cpus >= 0.01 && l->cpus <= 1e6))
                return berth_error_set(err, -ERANGE, "%s: a CPU quota of %s CPUs is out of range.", unit,
                                       format_cpus(l->cpus, c, sizeof(c)));
        if ((l->allowed_cpus || l->allowed_mems) && !cgroup_cpuset_supported(root))
                return berth_error_set(err, -EOPNOTSUPP,
                                       "%s: AllowedCPUs and AllowedMemoryNodes need cgroup v2 with the cpuset controller, which %s does not offer.",
                                       unit, root);
        for (int i = 0; i < 2; i++) {
                const char *list = i == 0 ? l->allowed_cpus : l->allowed_mems;
                _cleanup_free_ uint8_t *mask = NULL;
                size_t n;
                if (list && cpulist_parse(list, CPULIST_LOOSE, &mask, &n, NULL) < 0)
                        return berth_error_set(err, -EINVAL, "%s: '%s' is not a valid %s list.", unit, list,
                                               i == 0 ? "CPU" : "NUMA node");
        }
        return 0;
}

/* Right after SetUnitProperties systemd may not yet have written the files
 * (it applies cgroup changes from its loop, after answering); what the
 * kernel refused stays wrong however long one waits, so a few short
 * retries only cost time on the failing path. */
static int verify_settled(const char *root, const char *cgroup, const char *unit, const struct slice_limits *l,
                          struct berth_error *err) {
        int r;
        for (int i = 0;; i++) {
                r = slice_verify(root, cgroup, unit, l, err);
                if (r != -EREMOTEIO || i >= VERIFY_RETRIES)
                        return r;
                usleep(VERIFY_RETRY_USEC);
        }
}

int slice_ensure_at(sd_bus *bus, const char *cgroup_root, const char *unit, const struct slice_limits *l,
                    bool *ret_created, struct berth_error *err) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *load = NULL, *active = NULL, *state = NULL, *cgroup = NULL;
        const char *root = root_or_default(cgroup_root);
        bool created = false;
        int r;

        r = check_request(root, unit, l, err);
        if (r < 0)
                return r;

        r = get_unit(bus, unit, &path, &e);
        if (r >= 0)
                r = get_string_property(bus, path, SD_UNIT, "LoadState", &e, &load);
        if (r >= 0)
                r = get_string_property(bus, path, SD_UNIT, "ActiveState", &e, &active);
        if (r < 0 && r != -ENOENT)
                return berth_error_set(err, r, "Could not ask systemd about %s: %s.", unit, bus_error_text(&e, r));
        if (load && !streq(load, "loaded") && !streq(load, "not-found"))
                return berth_error_set(err, -EINVAL, "%s cannot be used: systemd reports its unit %s.", unit, load);

        if (r == -ENOENT || streq(load, "not-found")) {
                r = start_transient(bus, unit, l, &e);
                if (r >= 0)
                        created = true;
                else if (sd_bus_error_has_name(&e, SD_ERROR_UNIT_EXISTS))
                        sd_bus_error_free(&e); /* made meanwhile by someone else: change it below */
                else
                        return berth_error_set(err, r, "systemd could not create %s: %s.", unit,
                                               bus_error_text(&e, r));
        }
        if (!created) {
                r = set_properties(bus, unit, l, &e);
                if (r < 0)
                        return berth_error_set(err, r, "systemd could not change the limits of %s: %s.", unit,
                                               bus_error_text(&e, r));
                if (!streq_ptr(active, "active")) {
                        r = unit_job(bus, "StartUnit", unit, &e);
                        if (r < 0)
                                return berth_error_set(err, r, "systemd could not start %s: %s.", unit,
                                                       bus_error_text(&e, r));
                }
        }

        r = wait_for_job(bus, unit, &state, err);
        if (r < 0)
                return r;
        if (!streq(state, "active"))
                return berth_error_set(err, -EIO, "%s did not start: systemd reports it %s.", unit, state);

        r = slice_cgroup_path(bus, unit, &cgroup, err);
        if (r < 0)
                return r;
        r = verify_settled(root, cgroup, unit, l, err);
        if (r < 0)
                return r;
        if (ret_created)
                *ret_created = created;
        return 0;
}

int slice_cgroup_path(sd_bus *bus, const char *unit, char **ret, struct berth_error *err) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *cgroup = NULL;
        int r;

        r = get_unit(bus, unit, &path, &e);
        if (r == -ENOENT)
                return berth_error_set(err, r, "%s is not loaded.", unit);
        if (r >= 0)
                r = get_string_property(bus, path, SD_SLICE, "ControlGroup", &e, &cgroup);
        if (r < 0)
                return berth_error_set(err, r, "Could not ask systemd for the cgroup of %s: %s.", unit,
                                       bus_error_text(&e, r));
        if (!cgroup[0])
                return berth_error_set(err, -ENOENT, "%s has no cgroup.", unit);
        *ret = TAKE_PTR(cgroup);
        return 0;
}

int slice_stop(sd_bus *bus, const char *unit, struct berth_error *err) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *state = NULL;
        int r;

        if (!unit_name_is_slice(unit))
                return berth_error_set(err, -EINVAL, "'%s' is not a slice unit name.", strempty(unit));
        r = get_unit(bus, unit, &path, &e);
        if (r == -ENOENT)
                return 0;
        if (r >= 0)
                r = unit_job(bus, "StopUnit", unit, &e);
        if (r < 0) {
                if (sd_bus_error_has_name(&e, SD_ERROR_NO_SUCH_UNIT))
                        return 0;
                return berth_error_set(err, r, "systemd could not stop %s: %s.", unit, bus_error_text(&e, r));
        }
        r = wait_for_job(bus, unit, &state, err);
        if (r < 0)
                return r;
        if (!streq(state, "inactive") && !streq(state, "failed"))
                return berth_error_set(err, -EBUSY, "%s did not stop: systemd reports it %s.", unit, state);
        return 0;
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int list_units(sd_bus *bus, bool by_patterns, sd_bus_error *e, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = manager_call(bus, by_patterns ? "ListUnitsByPatterns" : "ListUnits", &m);
        if (r < 0)
                return r;
        if (by_patterns) {
                r = sd_bus_message_append(m, "asas", 0, 2, "berth.slice", "berth-*.slice");
                if (r < 0)
                        return r;
        }
        return sd_bus_call(bus, m, SLICE_BUS_TIMEOUT_USEC, e, ret);
}

int slice_list(sd_bus *bus, char ***ret_units) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **units = NULL;
        const char *id, *desc, *load, *active, *sub, *following, *path, *job_type, *job_path;
        uint32_t job_id;
        int r;

        r = list_units(bus, true, &e, &reply);
        if (r < 0 && sd_bus_error_has_name(&e, SD_ERROR_UNKNOWN_METHOD)) {
                sd_bus_error_free(&e); /* systemd before 230 */
                r = list_units(bus, false, &e, &reply);
        }
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(ssssssouso)", &id, &desc, &load, &active, &sub, &following, &path,
                                        &job_id, &job_type, &job_path)) > 0) {
                if (fnmatch("berth.slice", id, 0) != 0 && fnmatch("berth-*.slice", id, 0) != 0)
                        continue;
                if (streq(active, "inactive"))
                        continue;
                r = strv_push(&units, id);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        if (!units) {
                units = calloc(1, sizeof(char *));
                if (!units)
                        return -ENOMEM;
        }
        size_t n = strv_length(units);
        qsort(units, n, sizeof(char *), cmp_strp);
        *ret_units = TAKE_PTR(units);
        return (int) n;
}

int slice_apply_tree(sd_bus *bus, const char *cgroup_root, const char *parent_unit,
                     const struct slice_limits *parent_new, char *const *child_units,
                     const struct slice_limits *children_new, size_t n_children, struct berth_error *err) {
        const char *root = root_or_default(cgroup_root);
        _cleanup_(slice_limits_done) struct slice_limits now = SLICE_LIMITS_UNLIMITED;
        _cleanup_free_ char *cgroup = NULL;
        _cleanup_free_ struct slice_step *steps = NULL;
        bool have_now = false;
        int first_error = 0;

        if (n_children > SIZE_MAX / sizeof(struct slice_step) - 2)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        steps = calloc(n_children + 2, sizeof(struct slice_step));
        if (!steps)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        /* what the parent holds now, if it exists: the kernel's word, not ours */
        if (slice_cgroup_path(bus, parent_unit, &cgroup, NULL) >= 0 && slice_read_back(root, cgroup, &now) >= 0)
                have_now = true;

        size_t n = slice_plan_tree(have_now ? &now : NULL, parent_new, children_new, n_children, steps);
        for (size_t i = 0; i < n; i++) {
                const char *unit = steps[i].child < 0 ? parent_unit : child_units[steps[i].child];
                struct berth_error e = {};
                int r = slice_ensure_at(bus, root, unit, &steps[i].limits, NULL, &e);
                if (r < 0 && first_error == 0) {
                        first_error = r;
                        if (err)
                                *err = e;
                }
        }
        return first_error;
}
