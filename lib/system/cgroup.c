/* SPDX-License-Identifier: MIT */
#include "system/cgroup.h"

#include <inttypes.h>
#include <math.h>
#include <time.h>

#include "basic/cpulist.h"
#include "basic/fileio.h"
#include "basic/util.h"

#define CGROUP_FILE_MAX 65536   /* cpuset lists of big machines stay well below */
#define VERIFY_RETRIES 3        /* a settled value is read at once; see verify_settled() */
#define VERIFY_RETRY_USEC 30000

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

/* Two lists name the same set; trailing zero bytes do not count. */
static bool cpu_lists_equal(const char *a, const char *b) {
        _cleanup_free_ uint8_t *ma = NULL, *mb = NULL;
        size_t na = 0, nb = 0;

        if (cpulist_parse(strempty(a), CPULIST_LOOSE, &ma, &na, NULL) < 0 ||
            cpulist_parse(strempty(b), CPULIST_LOOSE, &mb, &nb, NULL) < 0)
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
bool cgroup_cpuset_supported(const char *root) {
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
                r = cpulist_parse(text, CPULIST_LOOSE, &mask, &n, NULL);
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
                        if (slice_limit_is_unlimited(want, k))
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

/* ---- what a cgroup uses now --------------------------------------------------- */

#define USE_FILE_MAX 4096

/* "<root>[/<controller>]<path>/<file>" read whole; -ENOENT when absent. */
static int read_use_file(const char *root, const char *controller, const char *path, const char *file,
                         char **ret) {
        _cleanup_free_ char *fn = NULL;
        if (asprintf(&fn, "%s%s%s%s/%s", root, controller ? "/" : "", strempty(controller),
                     streq(path, "/") ? "" : path, file) < 0)
                return -ENOMEM;
        return read_full_file(fn, USE_FILE_MAX, ret, NULL);
}

static int parse_u64(const char *text, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (errno || end == text || (*end && *end != '\n'))
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "usage_usec N" in cpu.stat */
static int parse_cpu_stat_usage(const char *text, uint64_t *ret_nsec) {
        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                uint64_t v;
                if (strncmp(line, "usage_usec ", 11) == 0 && sscanf(line + 11, "%" SCNu64, &v) == 1) {
                        *ret_nsec = v * 1000;
                        return 0;
                }
        }
        return -EINVAL;
}

int cgroup_use_read(const char *cgroup_root, const char *cgroup_path, struct cgroup_use *ret) {
        const char *root = cgroup_root ? cgroup_root : SLICE_CGROUP_ROOT;
        bool unified = slice_cgroup_unified(root);
        struct cgroup_use u = { 0 };
        _cleanup_free_ char *mem = NULL, *pids = NULL, *cpu = NULL;

        if (!cgroup_path || cgroup_path[0] != '/' || strstr(cgroup_path, "/../") || !ret)
                return -EINVAL;
        if (read_use_file(root, unified ? NULL : "memory", cgroup_path,
                          unified ? "memory.current" : "memory.usage_in_bytes", &mem) >= 0 &&
            parse_u64(mem, &u.memory) >= 0)
                u.known |= CGROUP_USE_MEMORY;
        if (read_use_file(root, unified ? NULL : "pids", cgroup_path, "pids.current", &pids) >= 0 &&
            parse_u64(pids, &u.tasks) >= 0)
                u.known |= CGROUP_USE_TASKS;
        if (unified) {
                if (read_use_file(root, NULL, cgroup_path, "cpu.stat", &cpu) >= 0 &&
                    parse_cpu_stat_usage(cpu, &u.cpu_nsec) >= 0)
                        u.known |= CGROUP_USE_CPU;
        } else if (read_use_file(root, "cpuacct", cgroup_path, "cpuacct.usage", &cpu) >= 0 &&
                   parse_u64(cpu, &u.cpu_nsec) >= 0)
                u.known |= CGROUP_USE_CPU;
        else {
                /* hybrid layout: systemd may not realize cpuacct, but every
                 * cgroup in the unified tree counts its CPU time in cpu.stat */
                free(cpu);
                cpu = NULL;
                if (read_use_file(root, "unified", cgroup_path, "cpu.stat", &cpu) >= 0 &&
                    parse_cpu_stat_usage(cpu, &u.cpu_nsec) >= 0)
                        u.known |= CGROUP_USE_CPU;
        }
        if (u.known == 0)
                return -ENOENT;
        *ret = u;
        return 0;
}

/* "berth-students-alice.slice" into "/berth.slice/berth-students.slice/
 * berth-students-alice.slice" (with room for more behind it): each '-'
 * starts a deeper slice; escaped names keep their own dashes as \x2d, so
 * this split is exact. */
static int slice_path(const char *slice, size_t room, char **ret, size_t *ret_len) {
        size_t n = strlen(slice);
        _cleanup_free_ char *stem = strndup(slice, n - 6), *path = NULL;
        if (!stem)
                return -ENOMEM;
        size_t len = 0;
        /* at most one "/<prefix>.slice" per dash */
        path = malloc(n * (n + 8) + 64 + room);
        if (!path)
                return -ENOMEM;
        path[0] = 0;
        for (size_t i = 0; i <= strlen(stem); i++) {
                if (stem[i] != '-' && stem[i] != 0)
                        continue;
                if (i == 0)
                        return -EINVAL; /* "-.slice" is the root, never a parent of ours */
                len += (size_t) sprintf(path + len, "/%.*s.slice", (int) i, stem);
        }
        *ret = TAKE_PTR(path);
        *ret_len = len;
        return 0;
}

static bool is_slice_name(const char *s) {
        size_t n = s ? strlen(s) : 0;
        return n > 6 && streq(s + n - 6, ".slice") && !strchr(s, '/');
}

int cgroup_slice_path(const char *slice, char **ret) {
        size_t len;
        if (!is_slice_name(slice))
                return -EINVAL;
        return slice_path(slice, 0, ret, &len);
}

int cgroup_container_path(const char *cgroup_parent, const char *id, char **ret) {
        if (!cgroup_parent || !*cgroup_parent || !id || !*id || strchr(id, '/'))
                return -EINVAL;
        if (is_slice_name(cgroup_parent)) {
                char *path;
                size_t len;
                int r = slice_path(cgroup_parent, strlen(id), &path, &len);
                if (r < 0)
                        return r;
                sprintf(path + len, "/docker-%s.scope", id);
                *ret = path;
                return 0;
        }
        if (cgroup_parent[0] != '/')
                return -EINVAL;
        return asprintf(ret, "%s/%s", streq(cgroup_parent, "/") ? "" : cgroup_parent, id) < 0 ? -ENOMEM : 0;
}

int cgroup_pid_within(const char *proc_root, unsigned pid, const char *cgroup_path) {
        _cleanup_free_ char *file = NULL, *text = NULL;
        size_t len, n;

        if (!cgroup_path || cgroup_path[0] != '/' || strstr(cgroup_path, "/../") || pid == 0)
                return -EINVAL;
        n = strlen(cgroup_path);
        if (asprintf(&file, "%s/%u/cgroup", proc_root ? proc_root : "/proc", pid) < 0)
                return -ENOMEM;
        if (read_full_file(file, 64 * 1024, &text, &len) < 0)
                return 0; /* gone, or never there */
        /* "ID:CONTROLLERS:PATH" lines; PATH is ours or below ours */
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                char *path = strchr(line, ':');
                path = path ? strchr(path + 1, ':') : NULL;
                if (!path)
                        continue;
                path++;
                if (strncmp(path, cgroup_path, n) == 0 && (path[n] == 0 || path[n] == '/'))
                        return 1;
        }
        return 0;
}
