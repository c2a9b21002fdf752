/* SPDX-License-Identifier: MIT */
#include "slice.h"

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
#define UNIT_NAME_MAX 255
#define CPU_LIST_MAX 8192       /* CPUs or NUMA nodes in a list, as systemd's own bound */
#define CGROUP_FILE_MAX 65536   /* cpuset lists of big machines stay well below */
#define VERIFY_RETRIES 3        /* a settled value is read at once; see verify_settled() */
#define VERIFY_RETRY_USEC 30000

/* ---- limits -------------------------------------------------------------- */

void slice_limits_done(struct slice_limits *l) {
        free(l->allowed_cpus);
        free(l->allowed_mems);
        *l = SLICE_LIMITS_UNLIMITED;
}

void slice_limits_from_user(const struct limits *user, struct slice_limits *ret) {
        /* resolution sets every key, so the values are used as they are */
        *ret = SLICE_LIMITS_UNLIMITED;
        ret->cpus = user->cpus;
        ret->memory_max = user->memory;
        ret->memory_high = user->memory_high;
        ret->tasks_max = user->tasks;
}

void slice_limits_from_total(const struct limits *total, struct slice_limits *ret) {
        *ret = SLICE_LIMITS_UNLIMITED;
        if (total->set & (1u << LIMIT_CPUS))
                ret->cpus = total->cpus;
        if (total->set & (1u << LIMIT_MEMORY))
                ret->memory_max = total->memory;
        if (total->set & (1u << LIMIT_MEMORY_HIGH))
                ret->memory_high = total->memory_high;
        if (total->set & (1u << LIMIT_TASKS))
                ret->tasks_max = total->tasks;
}

static const char *const key_names[_SLICE_KEY_MAX] = {
        [SLICE_CPUS] = "cpus",
        [SLICE_MEMORY_MAX] = "memory_max",
        [SLICE_MEMORY_HIGH] = "memory_high",
        [SLICE_TASKS_MAX] = "tasks_max",
        [SLICE_ALLOWED_CPUS] = "allowed_cpus",
        [SLICE_ALLOWED_MEMS] = "allowed_mems",
};

const char *slice_key_name(enum slice_key k) {
        return k < _SLICE_KEY_MAX ? key_names[k] : NULL;
}

const char *slice_key_file(enum slice_key k, bool unified) {
        switch (k) {
        case SLICE_CPUS:
                return unified ? "cpu.max" : "cpu.cfs_quota_us";
        case SLICE_MEMORY_MAX:
                return unified ? "memory.max" : "memory.limit_in_bytes";
        case SLICE_MEMORY_HIGH:
                return unified ? "memory.high" : NULL;
        case SLICE_TASKS_MAX:
                return "pids.max";
        case SLICE_ALLOWED_CPUS:
                return unified ? "cpuset.cpus" : NULL;
        case SLICE_ALLOWED_MEMS:
                return unified ? "cpuset.mems" : NULL;
        case _SLICE_KEY_MAX:
        default:
                return NULL;
        }
}

const char *slice_key_controller(enum slice_key k, bool unified) {
        if (unified)
                return NULL;
        switch (k) {
        case SLICE_CPUS:
                return "cpu";
        case SLICE_MEMORY_MAX:
                return "memory";
        case SLICE_TASKS_MAX:
                return "pids";
        case SLICE_MEMORY_HIGH:
        case SLICE_ALLOWED_CPUS:
        case SLICE_ALLOWED_MEMS:
        case _SLICE_KEY_MAX:
        default:
                return NULL;
        }
}

/* ---- parsing cgroup files ------------------------------------------------ */

static bool only_space(const char *p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
                p++;
        return *p == 0;
}

static int parse_u64_prefix(const char *s, const char **ret_end, uint64_t *ret) {
        char *end;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0)
                return -ERANGE;
        *ret_end = end;
        *ret = v;
        return 0;
}

int slice_parse_max_u64(const char *text, uint64_t *ret) {
        const char *end;
        uint64_t v;
        int r;

        if (!text)
                return -EINVAL;
        if (strncmp(text, "max", 3) == 0 && only_space(text + 3)) {
                *ret = LIMIT_INFINITY;
                return 0;
        }
        r = parse_u64_prefix(text, &end, &v);
        if (r < 0)
                return r;
        if (!only_space(end))
                return -EINVAL;
        *ret = v;
        return 0;
}

int slice_parse_v1_memory(const char *text, uint64_t *ret) {
        uint64_t v;
        int r = slice_parse_max_u64(text, &v);
        if (r < 0)
                return r;
        *ret = v >= SLICE_V1_MEMORY_UNLIMITED_MIN ? LIMIT_INFINITY : v;
        return 0;
}

int slice_parse_cpu_max(const char *text, double *ret_cpus) {
        const char *p = text;
        uint64_t quota = 0, period;
        bool max = false;
        int r;

        if (!text)
                return -EINVAL;
        if (strncmp(p, "max", 3) == 0) {
                max = true;
                p += 3;
        } else {
                r = parse_u64_prefix(p, &p, &quota);
                if (r < 0)
                        return r;
        }
        if (*p != ' ')
                return -EINVAL;
        r = parse_u64_prefix(p + 1, &p, &period);
        if (r < 0)
                return r;
        if (!only_space(p) || period == 0 || (!max && quota == 0))
                return -EINVAL;
        *ret_cpus = max ? CPUS_INFINITY : (double) quota / (double) period;
        return 0;
}

int slice_parse_cfs(const char *quota, const char *period, double *ret_cpus) {
        const char *end;
        uint64_t q, p;
        int r;

        if (!quota || !period)
                return -EINVAL;
        r = parse_u64_prefix(period, &end, &p);
        if (r < 0)
                return r;
        if (!only_space(end) || p == 0)
                return -EINVAL;
        if (strncmp(quota, "-1", 2) == 0 && only_space(quota + 2)) {
                *ret_cpus = CPUS_INFINITY;
                return 0;
        }
        r = parse_u64_prefix(quota, &end, &q);
        if (r < 0)
                return r;
        if (!only_space(end) || q == 0)
                return -EINVAL;
        *ret_cpus = (double) q / (double) p;
        return 0;
}

static bool list_separator(char c) {
        return c == ',' || c == ' ' || c == '\t' || c == '\n';
}

int slice_parse_cpu_list(const char *list, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ uint8_t *mask = NULL;
        size_t size = 0;
        const char *p = list;
        int r;

        if (!list)
                return -EINVAL;
        for (;;) {
                uint64_t a, b;

                while (list_separator(*p))
                        p++;
                if (!*p)
                        break;
                r = parse_u64_prefix(p, &p, &a);
                if (r < 0)
                        return -EINVAL;
                b = a;
                if (*p == '-') {
                        r = parse_u64_prefix(p + 1, &p, &b);
                        if (r < 0)
                                return -EINVAL;
                }
                if (*p && !list_separator(*p))
                        return -EINVAL;
                if (a > b)
                        return -EINVAL;
                if (b >= CPU_LIST_MAX)
                        return -ERANGE;
                if (b / 8 + 1 > size) {
                        size_t n = b / 8 + 1;
                        uint8_t *m = realloc(mask, n);
                        if (!m)
                                return -ENOMEM;
                        memset(m + size, 0, n - size);
                        mask = m;
                        size = n;
                }
                for (uint64_t i = a; i <= b; i++)
                        mask[i / 8] |= (uint8_t) (1u << (i % 8));
        }
        *ret = TAKE_PTR(mask);
        *ret_size = size;
        return 0;
}

/* Two lists name the same set; trailing zero bytes do not count. */
static bool cpu_lists_equal(const char *a, const char *b) {
        _cleanup_free_ uint8_t *ma = NULL, *mb = NULL;
        size_t na = 0, nb = 0;

        if (slice_parse_cpu_list(strempty(a), &ma, &na) < 0 || slice_parse_cpu_list(strempty(b), &mb, &nb) < 0)
                return false;
        for (size_t i = 0; i < (na > nb ? na : nb); i++)
                if ((i < na ? ma[i] : 0) != (i < nb ? mb[i] : 0))
                        return false;
        return true;
}

/* ---- reading the cgroup back ----------------------------------------------- */

static const char *root_or_default(const char *cgroup_root) {
        return cgroup_root ? cgroup_root : SLICE_CGROUP_ROOT;
}

bool slice_cgroup_unified(const char *cgroup_root) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, "%s/cgroup.controllers", root_or_default(cgroup_root)) < 0)
                return false;
        return access(p, F_OK) == 0;
}

/* The cpuset controller is usable: cgroup v2 lists it at the root. */
static bool cpuset_supported(const char *root) {
        _cleanup_free_ char *p = NULL, *text = NULL;

        if (asprintf(&p, "%s/cgroup.controllers", root) < 0 || read_full_file(p, CGROUP_FILE_MAX, &text, NULL) < 0)
                return false;
        char *save = NULL;
        for (char *s = strtok_r(text, " \n", &save); s; s = strtok_r(NULL, " \n", &save))
                if (streq(s, "cpuset"))
                        return true;
        return false;
}

/* An absolute path without "." or ".." components, as ControlGroup is. */
static bool cgroup_path_valid(const char *path) {
        if (!path || path[0] != '/')
                return false;
        for (const char *p = path; *p;) {
                while (*p == '/')
                        p++;
                size_t n = strcspn(p, "/");
                if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += n;
        }
        return true;
}

/* "<root>[/<controller>]<path>/<file>"; "/" as path is the root cgroup. */
static char *cgroup_file(const char *root, const char *controller, const char *path, const char *file) {
        char *s;
        if (streq(path, "/"))
                path = "";
        if (asprintf(&s, "%s%s%s%s/%s", root, controller ? "/" : "", strempty(controller), path, file) < 0)
                return NULL;
        return s;
}

static char *key_file_path(const char *root, bool unified, enum slice_key k, const char *path) {
        const char *file = slice_key_file(k, unified);
        return file ? cgroup_file(root, slice_key_controller(k, unified), path, file) : NULL;
}

/* 0 with the text, -ENOENT when the file is not there, else the error. */
static int read_cgroup_file(const char *root, const char *controller, const char *path, const char *file,
                            char **ret) {
        _cleanup_free_ char *fn = cgroup_file(root, controller, path, file);
        if (!fn)
                return -ENOMEM;
        return read_full_file(fn, CGROUP_FILE_MAX, ret, NULL);
}

static int read_key(const char *root, bool unified, const char *path, enum slice_key k, struct slice_limits *l) {
        const char *ctl = slice_key_controller(k, unified), *file = slice_key_file(k, unified);
        _cleanup_free_ char *text = NULL, *period = NULL;
        int r;

        if (!file)
                return 0; /* nothing to read on this cgroup version */
        r = read_cgroup_file(root, ctl, path, file, &text);
        if (r == -ENOENT)
                return 0; /* controller not enabled there: not known */
        if (r < 0)
                return r;

        switch (k) {
        case SLICE_CPUS:
                if (unified)
                        r = slice_parse_cpu_max(text, &l->cpus);
                else {
                        r = read_cgroup_file(root, ctl, path, "cpu.cfs_period_us", &period);
                        if (r == -ENOENT)
                                return 0;
                        if (r < 0)
                                return r;
                        r = slice_parse_cfs(text, period, &l->cpus);
                }
                break;
        case SLICE_MEMORY_MAX:
                r = unified ? slice_parse_max_u64(text, &l->memory_max) : slice_parse_v1_memory(text, &l->memory_max);
                break;
        case SLICE_MEMORY_HIGH:
                r = slice_parse_max_u64(text, &l->memory_high);
                break;
        case SLICE_TASKS_MAX:
                r = slice_parse_max_u64(text, &l->tasks_max);
                break;
        case SLICE_ALLOWED_CPUS:
        case SLICE_ALLOWED_MEMS: {
                _cleanup_free_ uint8_t *mask = NULL;
                size_t n;
                text[strcspn(text, "\n")] = 0;
                r = slice_parse_cpu_list(text, &mask, &n);
                if (r >= 0 && text[0]) {
                        char **dst = k == SLICE_ALLOWED_CPUS ? &l->allowed_cpus : &l->allowed_mems;
                        free(*dst);
                        *dst = TAKE_PTR(text);
                }
                break;
        }
        case _SLICE_KEY_MAX:
        default:
                return -EINVAL;
        }
        if (r < 0)
                return -EBADMSG; /* the kernel wrote something we do not understand */
        l->known |= 1u << k;
        return 0;
}

int slice_read_back(const char *cgroup_root, const char *cgroup_path, struct slice_limits *ret) {
        const char *root = root_or_default(cgroup_root);
        bool unified = slice_cgroup_unified(root);
        _cleanup_(slice_limits_done) struct slice_limits l = SLICE_LIMITS_UNLIMITED;
        int r;

        if (!cgroup_path_valid(cgroup_path) || !ret)
                return -EINVAL;
        for (enum slice_key k = 0; k < _SLICE_KEY_MAX; k++) {
                r = read_key(root, unified, cgroup_path, k, &l);
                if (r < 0)
                        return r;
        }
        if (l.known == 0)
                return -ENOENT;
        *ret = l;
        l.allowed_cpus = l.allowed_mems = NULL;
        return 0;
}

/* ---- comparing --------------------------------------------------------------- */

static bool memory_matches(uint64_t want, uint64_t found, uint64_t page_size) {
        if (want >= SLICE_V1_MEMORY_UNLIMITED_MIN)
                want = LIMIT_INFINITY; /* past what any kernel can hold */
        if (want == LIMIT_INFINITY || found == LIMIT_INFINITY)
                return want == found;
        /* the kernel keeps whole pages, rounding down */
        return found <= want && want - found < page_size;
}

bool slice_value_matches(enum slice_key k, const struct slice_limits *want, const struct slice_limits *found,
                         uint64_t page_size) {
        switch (k) {
        case SLICE_CPUS:
                if (want->cpus == CPUS_INFINITY || found->cpus == CPUS_INFINITY)
                        return want->cpus == found->cpus;
                return fabs(want->cpus - found->cpus) <= SLICE_CPUS_TOLERANCE;
        case SLICE_MEMORY_MAX:
                return memory_matches(want->memory_max, found->memory_max, page_size);
        case SLICE_MEMORY_HIGH:
                return memory_matches(want->memory_high, found->memory_high, page_size);
        case SLICE_TASKS_MAX:
                return want->tasks_max == found->tasks_max;
        case SLICE_ALLOWED_CPUS:
                return !want->allowed_cpus || cpu_lists_equal(want->allowed_cpus, found->allowed_cpus);
        case SLICE_ALLOWED_MEMS:
                return !want->allowed_mems || cpu_lists_equal(want->allowed_mems, found->allowed_mems);
        case _SLICE_KEY_MAX:
        default:
                return false;
        }
}

/* Whether want asks for no limit on k (what a missing controller gives). */
static bool want_unlimited(enum slice_key k, const struct slice_limits *want) {
        switch (k) {
        case SLICE_CPUS:
                return want->cpus == CPUS_INFINITY;
        case SLICE_MEMORY_MAX:
                return want->memory_max == LIMIT_INFINITY;
        case SLICE_MEMORY_HIGH:
                return want->memory_high == LIMIT_INFINITY;
        case SLICE_TASKS_MAX:
                return want->tasks_max == LIMIT_INFINITY;
        case SLICE_ALLOWED_CPUS:
                return !want->allowed_cpus || !*want->allowed_cpus;
        case SLICE_ALLOWED_MEMS:
                return !want->allowed_mems || !*want->allowed_mems;
        case _SLICE_KEY_MAX:
        default:
                return false;
        }
}

static char *format_value(enum slice_key k, const struct slice_limits *l, char *buf, size_t n) {
        char c[32];

        switch (k) {
        case SLICE_CPUS:
                if (l->cpus == CPUS_INFINITY)
                        snprintf(buf, n, "no CPU quota");
                else
                        snprintf(buf, n, "%s CPU%s", format_cpus(l->cpus, c, sizeof(c)), l->cpus == 1 ? "" : "s");
                break;
        case SLICE_MEMORY_MAX:
        case SLICE_MEMORY_HIGH: {
                uint64_t v = k == SLICE_MEMORY_MAX ? l->memory_max : l->memory_high;
                if (v == LIMIT_INFINITY)
                        snprintf(buf, n, "no memory limit");
                else
                        snprintf(buf, n, "%" PRIu64 " bytes", v);
                break;
        }
        case SLICE_TASKS_MAX:
                if (l->tasks_max == LIMIT_INFINITY)
                        snprintf(buf, n, "no task limit");
                else
                        snprintf(buf, n, "%" PRIu64 " tasks", l->tasks_max);
                break;
        case SLICE_ALLOWED_CPUS:
        case SLICE_ALLOWED_MEMS: {
                const char *v = k == SLICE_ALLOWED_CPUS ? l->allowed_cpus : l->allowed_mems;
                snprintf(buf, n, "'%s'", strempty(v));
                break;
        }
        case _SLICE_KEY_MAX:
        default:
                snprintf(buf, n, "?");
                break;
        }
        return buf;
}

/* Why the kernel may have said no, for the message. */
static const char *refusal_hint(enum slice_key k, bool unified) {
        switch (k) {
        case SLICE_CPUS:
                return unified ? "" : " (on cgroup v1 a slice's CPU quota may neither exceed its parent's nor fall below a child's)";
        case SLICE_MEMORY_MAX:
                return " (memory in use above a new limit may not be reclaimable)";
        case SLICE_TASKS_MAX:
                return " (pids.max takes at most 4194304)";
        case SLICE_MEMORY_HIGH:
        case SLICE_ALLOWED_CPUS:
        case SLICE_ALLOWED_MEMS:
        case _SLICE_KEY_MAX:
        default:
                return "";
        }
}

static uint64_t page_size(void) {
        long p = sysconf(_SC_PAGESIZE);
        return p > 0 ? (uint64_t) p : 4096;
}

int slice_verify(const char *cgroup_root, const char *cgroup_path, const char *unit,
                 const struct slice_limits *want, struct berth_error *err) {
        const char *root = root_or_default(cgroup_root);
        bool unified = slice_cgroup_unified(root);
        _cleanup_(slice_limits_done) struct slice_limits found = SLICE_LIMITS_UNLIMITED;
        char w[96], f[96];
        int r;

        if (!want)
                return berth_error_set(err, -EINVAL, "No limits were given for %s.", strempty(unit));
        r = slice_read_back(root, cgroup_path, &found);
        if (r < 0)
                return berth_error_set(err, r, "Could not read the limits of %s back from its cgroup %s under %s: %s.",
                                       unit, strempty(cgroup_path), root, strerror(-r));

        for (enum slice_key k = 0; k < _SLICE_KEY_MAX; k++) {
                if (!slice_key_file(k, unified))
                        continue; /* memory_high and cpusets: nothing to hold them on v1 */
                if ((k == SLICE_ALLOWED_CPUS && !want->allowed_cpus) || (k == SLICE_ALLOWED_MEMS && !want->allowed_mems))
                        continue; /* left alone */

                _cleanup_free_ char *fn = key_file_path(root, unified, k, cgroup_path);
                if (!fn)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                if (!(found.known & (1u << k))) {
                        if (want_unlimited(k, want))
                                continue; /* no controller there is no limit either */
                        return berth_error_set(err, -EREMOTEIO, "%s: %s is missing, so %s is not enforced.", unit,
                                               fn, format_value(k, want, w, sizeof(w)));
                }
                if (!slice_value_matches(k, want, &found, page_size()))
                        return berth_error_set(err, -EREMOTEIO,
                                               "%s: %s holds %s instead of %s: the kernel refused what systemd accepted%s.",
                                               unit, fn, format_value(k, &found, f, sizeof(f)),
                                               format_value(k, want, w, sizeof(w)), refusal_hint(k, unified));
        }
        return 0;
}

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

        r = slice_parse_cpu_list(list, &mask, &size);
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
        if ((l->allowed_cpus || l->allowed_mems) && !cpuset_supported(root))
                return berth_error_set(err, -EOPNOTSUPP,
                                       "%s: AllowedCPUs and AllowedMemoryNodes need cgroup v2 with the cpuset controller, which %s does not offer.",
                                       unit, root);
        for (int i = 0; i < 2; i++) {
                const char *list = i == 0 ? l->allowed_cpus : l->allowed_mems;
                _cleanup_free_ uint8_t *mask = NULL;
                size_t n;
                if (list && slice_parse_cpu_list(list, &mask, &n) < 0)
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

/* ---- reload ------------------------------------------------------------------ */

void slice_limits_looser(const struct slice_limits *a, const struct slice_limits *b, struct slice_limits *ret) {
        struct slice_limits l = *b;
#define KNOWN(k) (a->known == 0 || (a->known & (1u << (k))))

        l.known = 0;
        if (KNOWN(SLICE_CPUS))
                l.cpus = a->cpus == CPUS_INFINITY || b->cpus == CPUS_INFINITY ? CPUS_INFINITY : fmax(a->cpus, b->cpus);
        if (KNOWN(SLICE_MEMORY_MAX) && a->memory_max > l.memory_max)
                l.memory_max = a->memory_max;
        if (KNOWN(SLICE_MEMORY_HIGH) && a->memory_high > l.memory_high)
                l.memory_high = a->memory_high;
        if (KNOWN(SLICE_TASKS_MAX) && a->tasks_max > l.tasks_max)
                l.tasks_max = a->tasks_max;
#undef KNOWN
        *ret = l;
}

static bool limits_same(const struct slice_limits *a, const struct slice_limits *b) {
        return a->cpus == b->cpus && a->memory_max == b->memory_max && a->memory_high == b->memory_high &&
               a->tasks_max == b->tasks_max && streq_ptr(a->allowed_cpus, b->allowed_cpus) &&
               streq_ptr(a->allowed_mems, b->allowed_mems);
}

size_t slice_plan_tree(const struct slice_limits *parent_now, const struct slice_limits *parent_new,
                       const struct slice_limits *children_new, size_t n_children, struct slice_step *ret_steps) {
        size_t n = 0;
        struct slice_limits first;

        if (parent_now)
                slice_limits_looser(parent_now, parent_new, &first);
        else {
                first = *parent_new;
                first.known = 0;
        }
        ret_steps[n++] = (struct slice_step) { .child = -1, .limits = first };
        for (size_t i = 0; i < n_children; i++) {
                ret_steps[n] = (struct slice_step) { .child = (ssize_t) i, .limits = children_new[i] };
                ret_steps[n++].limits.known = 0;
        }
        if (!limits_same(&first, parent_new)) {
                ret_steps[n] = (struct slice_step) { .child = -1, .limits = *parent_new };
                ret_steps[n++].limits.known = 0;
        }
        return n;
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
