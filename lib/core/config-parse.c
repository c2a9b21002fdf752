/* SPDX-License-Identifier: MIT */
/* The config loader: berth.conf, then groups.d and users.d (files named *.conf),
 * each in lexical order, through libinih.  Every problem is collected as
 * "file:line: key: message"; nothing is applied unless the whole tree is good. */
#include "core/config.h"

#include "basic/suggest.h"
#include "core/listen-address.h"
#include "basic/util.h"

#include <ctype.h>
#include <dirent.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>

#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_LINE 198 /* what libinih (INI_MAX_LINE 200) reads in one piece, less "\n" */

void config_errors_clear(struct config_errors *e) {
        strv_free(e->lines);
        e->lines = NULL;
        e->n = 0;
}

int config_errors_add(struct config_errors *e, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        char **nl = reallocarray(e->lines, e->n + 2, sizeof(char *));
        if (!nl)
                return -ENOMEM;
        e->lines = nl;
        nl[e->n++] = TAKE_PTR(s);
        nl[e->n] = NULL;
        return 0;
}

/* ---- the key tables ------------------------------------------------------- */

enum key_type {
        KEY_STRING,
        KEY_PATH,      /* absolute path */
        KEY_BOOL,
        KEY_LIST,      /* whitespace-separated words; continuation lines allowed */
        KEY_GPU_MODE,
        KEY_DURATION,  /* a uint64_t usec field of struct berth_config */
        KEY_PERCENT,   /* an unsigned 0-100 field */
        KEY_CPUS,      /* a double field, CPUs */
        KEY_WARN,      /* [reaper] warn: durations into reaper_warn_usec */
        KEY_LIMIT,     /* a field of a struct limits, by enum limit_key */
        KEY_PRIORITY,
        KEY_MEMBERS,
        KEY_GROUPREF,
        KEY_EXPIRES,
        KEY_REASON,
        KEY_LISTEN,    /* a numeric HOST:PORT (listen_address_parse) */
};

struct key_def {
        const char *key;
        enum key_type type;
        size_t offset;        /* into struct berth_config, for the [daemon]… keys */
        enum limit_key limit; /* for KEY_LIMIT */
};

#define CFG(f) offsetof(struct berth_config, f)

static const struct key_def daemon_keys[] = {
        { "docker_socket", KEY_PATH, CFG(docker_socket), 0 },
        { "control_socket", KEY_PATH, CFG(control_socket), 0 },
        { "real_docker", KEY_PATH, CFG(real_docker), 0 },
        { "admin_group", KEY_STRING, CFG(admin_group), 0 },
        { "default_group", KEY_STRING, CFG(default_group), 0 },
        { "gpus", KEY_GPU_MODE, CFG(gpus), 0 },
        { "nvml_library", KEY_STRING, CFG(nvml_library), 0 },
        { "numa_affinity", KEY_BOOL, CFG(numa_affinity), 0 },
        { "sysfs_root", KEY_PATH, CFG(sysfs_root), 0 },
        { "reservation_ttl", KEY_DURATION, CFG(reservation_ttl_usec), 0 },
        {},
};

static const struct key_def gate_keys[] = {
        { "seal_key", KEY_PATH, CFG(seal_key), 0 },
        { "socket", KEY_PATH, CFG(gate_socket), 0 },
        {},
};

static const struct key_def deploy_keys[] = {
        { "base_image", KEY_STRING, CFG(base_image), 0 },
        { "workspace", KEY_STRING, CFG(workspace), 0 },
        { "mounts", KEY_LIST, CFG(mounts), 0 },
        {},
};

static const struct key_def reaper_keys[] = {
        { "interval", KEY_DURATION, CFG(reaper_interval_usec), 0 },
        { "idle_gpu_percent", KEY_PERCENT, CFG(reaper_idle_gpu_percent), 0 },
        { "idle_cpus", KEY_CPUS, CFG(reaper_idle_cpus), 0 },
        { "warn", KEY_WARN, 0, 0 },
        { "exemptions", KEY_PATH, CFG(reaper_exemptions), 0 },
        {},
};

static const struct key_def metrics_keys[] = {
        { "listen", KEY_LISTEN, CFG(metrics_listen), 0 },
        { "textfile", KEY_PATH, CFG(metrics_textfile), 0 },
        {},
};

static const struct key_def policy_keys[] = {
        { "allowed_binds", KEY_LIST, CFG(allowed_binds), 0 },
        { "allow_host_network", KEY_BOOL, CFG(allow_host_network), 0 },
        { "allowed_runtimes", KEY_LIST, CFG(allowed_runtimes), 0 },
        { "allowed_devices", KEY_LIST, CFG(allowed_devices), 0 },
        { "allowed_caps", KEY_LIST, CFG(allowed_caps), 0 },
        {},
};

#define LIMIT_KEYS                                                        \
        { "cpus", KEY_LIMIT, 0, LIMIT_CPUS },                             \
        { "memory", KEY_LIMIT, 0, LIMIT_MEMORY },                         \
        { "memory_high", KEY_LIMIT, 0, LIMIT_MEMORY_HIGH },               \
        { "tasks", KEY_LIMIT, 0, LIMIT_TASKS },                           \
        { "gpus", KEY_LIMIT, 0, LIMIT_GPUS },                             \
        { "gpus_per_container", KEY_LIMIT, 0, LIMIT_GPUS_PER_CONTAINER }, \
        { "containers", KEY_LIMIT, 0, LIMIT_CONTAINERS },                 \
        { "container_cpus", KEY_LIMIT, 0, LIMIT_CONTAINER_CPUS },         \
        { "container_memory", KEY_LIMIT, 0, LIMIT_CONTAINER_MEMORY },     \
        { "idle_timeout", KEY_LIMIT, 0, LIMIT_IDLE_TIMEOUT },             \
        { "max_runtime", KEY_LIMIT, 0, LIMIT_MAX_RUNTIME },               \
        { "gpu_hold_after_stop", KEY_LIMIT, 0, LIMIT_GPU_HOLD_AFTER_STOP }

static const struct key_def limit_keys[] = { LIMIT_KEYS, {} };

static const struct key_def total_keys[] = {
        { "cpus", KEY_LIMIT, 0, LIMIT_CPUS },
        { "memory", KEY_LIMIT, 0, LIMIT_MEMORY },
        { "memory_high", KEY_LIMIT, 0, LIMIT_MEMORY_HIGH },
        { "tasks", KEY_LIMIT, 0, LIMIT_TASKS },
        { "gpus", KEY_LIMIT, 0, LIMIT_GPUS },
        { "containers", KEY_LIMIT, 0, LIMIT_CONTAINERS },
        {},
};

static const struct key_def group_keys[] = {
        { "members", KEY_MEMBERS, 0, 0 },
        { "priority", KEY_PRIORITY, 0, 0 },
        {},
};

static const struct key_def override_keys[] = {
        LIMIT_KEYS,
        { "group", KEY_GROUPREF, 0, 0 },
        { "expires", KEY_EXPIRES, 0, 0 },
        { "reason", KEY_REASON, 0, 0 },
        {},
};

struct section_def {
        const char *name;
        const struct key_def *keys;
};

static const struct section_def main_sections[] = {
        { "daemon", daemon_keys }, { "gate", gate_keys }, { "deploy", deploy_keys }, { "policy", policy_keys },
        { "reaper", reaper_keys }, { "metrics", metrics_keys }, { "defaults", limit_keys }, {},
};
static const struct section_def group_sections[] = {
        { "group", group_keys }, { "user", limit_keys }, { "total", total_keys }, {},
};
static const struct section_def user_sections[] = {
        { "user", override_keys }, {},
};

static const struct section_def *sections_for(enum config_file_kind kind) {
        switch (kind) {
        case CONFIG_FILE_MAIN:
                return main_sections;
        case CONFIG_FILE_GROUP:
                return group_sections;
        case CONFIG_FILE_USER:
                return user_sections;
        default:
                return NULL;
        }
}

static const char *const limit_key_names[_LIMIT_MAX] = {
        [LIMIT_CPUS] = "cpus",
        [LIMIT_MEMORY] = "memory",
        [LIMIT_MEMORY_HIGH] = "memory_high",
        [LIMIT_TASKS] = "tasks",
        [LIMIT_GPUS] = "gpus",
        [LIMIT_GPUS_PER_CONTAINER] = "gpus_per_container",
        [LIMIT_CONTAINERS] = "containers",
        [LIMIT_CONTAINER_CPUS] = "container_cpus",
        [LIMIT_CONTAINER_MEMORY] = "container_memory",
        [LIMIT_IDLE_TIMEOUT] = "idle_timeout",
        [LIMIT_MAX_RUNTIME] = "max_runtime",
        [LIMIT_GPU_HOLD_AFTER_STOP] = "gpu_hold_after_stop",
};

const char *limit_key_name(enum limit_key k) {
        return k < _LIMIT_MAX ? limit_key_names[k] : NULL;
}

const char *limit_source_name(enum limit_source s) {
        static const char *const names[_SOURCE_MAX] = {
                [SOURCE_BUILTIN] = "built-in",
                [SOURCE_DEFAULTS] = "defaults",
                [SOURCE_GROUP] = "group",
                [SOURCE_OVERRIDE] = "override",
        };
        return s < _SOURCE_MAX ? names[s] : NULL;
}

/* ---- parse state ---------------------------------------------------------- */

struct parse_state {
        struct berth_config *c;
        enum config_file_kind kind;
        const char *path;
        const char *name;
        struct config_errors *errs;
        int n_errors;
        bool oom;

        /* the reader's view of the text */
        const char *text;
        size_t len, pos;
        unsigned line;
        bool continuation;       /* the line handed to inih continues the previous key */
        char section[64];        /* the current section, as we saw it */
        bool section_known;
        unsigned section_line;
        bool key_seen;           /* a key was seen in this section (continuations allowed) */
        char **seen;             /* "section\nkey" and "[section" already given in this file */

        struct group_config *group;
        struct user_override *override;
};

static void perror_at(struct parse_state *s, unsigned line, const char *key, const char *fmt, ...)
        _printf_(4, 5);
static void perror_at(struct parse_state *s, unsigned line, const char *key, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        s->n_errors++;
        if (r < 0 || config_errors_add(s->errs, "%s:%u: %s: %s", s->path, line, key, msg) < 0)
                s->oom = true;
}

static bool blank_or_comment(const char *p) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
                p++;
        return *p == 0 || *p == '\n' || *p == ';' || *p == '#';
}

/* Remove a " # comment" (libinih itself only knows " ; comment"). */
static void strip_hash_comment(char *line) {
        for (char *p = line; *p; p++)
                if (*p == '#' && p > line && (p[-1] == ' ' || p[-1] == '\t')) {
                        p[0] = '\n';
                        p[1] = 0;
                        return;
                }
}

static bool seen_add(struct parse_state *s, const char *entry) {
        if (strv_contains(s->seen, entry))
                return false;
        if (strv_push(&s->seen, entry) < 0)
                s->oom = true;
        return true;
}

static const struct section_def *find_section(struct parse_state *s, const char *name) {
        for (const struct section_def *d = sections_for(s->kind); d && d->name; d++)
                if (streq(d->name, name))
                        return d;
        return NULL;
}

static void section_error(struct parse_state *s, const char *name) {
        const char *names[8] = { 0 };
        size_t n = 0;
        for (const struct section_def *d = sections_for(s->kind); d && d->name && n < 8; d++)
                names[n++] = d->name;
        const char *hint = string_suggest(name, names, n);
        _cleanup_free_ char *list = NULL;
        for (size_t i = 0; i < n; i++) {
                char *nl;
                if (asprintf(&nl, "%s%s[%s]", list ? list : "", list ? ", " : "", names[i]) < 0) {
                        s->oom = true;
                        return;
                }
                free(list);
                list = nl;
        }
        if (hint)
                perror_at(s, s->line, "section", "unknown section [%s] (did you mean [%s]?)", name, hint);
        else
                perror_at(s, s->line, "section", "unknown section [%s]; this file takes %s", name,
                          strempty(list));
}

/* libinih's reader: hands over one line at a time, so we always know the
 * line number, and checks the syntax libinih would only report once. */
static char *reader(char *str, int num, void *stream) {
        struct parse_state *s = stream;

        if (s->pos >= s->len)
                return NULL;
        const char *start = s->text + s->pos;
        const char *nl = memchr(start, '\n', s->len - s->pos);
        size_t l = nl ? (size_t) (nl - start) + 1 : s->len - s->pos;
        s->pos += l;
        s->line++;
        s->continuation = false;

        if (memchr(start, 0, l)) {
                perror_at(s, s->line, "syntax", "the line contains a NUL byte");
                strcpy(str, "\n");
                return str;
        }
        if (l > MAX_LINE + 1 || (l == MAX_LINE + 1 && !nl) || (size_t) num < MAX_LINE + 2) {
                perror_at(s, s->line, "syntax",
                          "line longer than %d characters; split a list over indented continuation lines",
                          MAX_LINE);
                strcpy(str, "\n");
                return str;
        }
        if (s->line == 1 && l >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
                start += 3; /* a UTF-8 byte order mark */
                l -= 3;
                if (l == 0) {
                        strcpy(str, "\n");
                        return str;
                }
        }
        memcpy(str, start, l);
        str[l] = 0;
        if (str[l - 1] != '\n' && l < (size_t) num - 1) {
                str[l] = '\n';
                str[l + 1] = 0;
        }
        strip_hash_comment(str);

        if (blank_or_comment(str))
                return str;

        char *p = str;
        bool indented = *p == ' ' || *p == '\t';
        while (*p == ' ' || *p == '\t')
                p++;
        if (*p == '[') {
                char *close = strchr(p, ']');
                if (!close) {
                        perror_at(s, s->line, "syntax", "section header without ']'");
                        strcpy(str, "\n");
                        return str;
                }
                if (!blank_or_comment(close + 1)) {
                        perror_at(s, s->line, "syntax", "text after the section header");
                        strcpy(str, "\n");
                        return str;
                }
                size_t n = (size_t) (close - p - 1);
                if (n == 0 || n >= sizeof(s->section)) {
                        perror_at(s, s->line, "syntax", "empty or overlong section name");
                        n = 0;
                }
                memcpy(s->section, p + 1, n);
                s->section[n] = 0;
                s->section_line = s->line;
                s->key_seen = false;
                s->section_known = n > 0 && find_section(s, s->section);
                if (n > 0 && !s->section_known)
                        section_error(s, s->section);
                else if (n > 0) {
                        char entry[80];
                        snprintf(entry, sizeof(entry), "[%s", s->section);
                        if (!seen_add(s, entry))
                                perror_at(s, s->line, "section", "duplicate section [%s]", s->section);
                }
                if (s->kind == CONFIG_FILE_GROUP && streq(s->section, "group") && s->group)
                        s->group->line = s->line;
                if (s->kind == CONFIG_FILE_USER && streq(s->section, "user") && s->override)
                        s->override->line = s->line;
                return str;
        }

        char *eq = strchr(p, '=');
        char *semi = strstr(p, " ;");
        if (eq && (!semi || eq < semi)) {
                if (indented) /* an indented "key = value" is a key, not a continuation */
                        memmove(str, p, strlen(p) + 1);
                if (eq == p) {
                        perror_at(s, s->line, "syntax", "'=' without a key name");
                        strcpy(str, "\n");
                }
                return str;
        }
        if (indented && s->key_seen) {
                s->continuation = true;
                return str;
        }
        perror_at(s, s->line, "syntax", "expected 'key = value' or '[section]'");
        strcpy(str, "\n");
        return str;
}

/* ---- setting values ------------------------------------------------------- */

static uint64_t *limit_u64(struct limits *l, enum limit_key k) {
        switch (k) {
        case LIMIT_MEMORY:
                return &l->memory;
        case LIMIT_MEMORY_HIGH:
                return &l->memory_high;
        case LIMIT_TASKS:
                return &l->tasks;
        case LIMIT_CONTAINERS:
                return &l->containers;
        case LIMIT_CONTAINER_MEMORY:
                return &l->container_memory;
        case LIMIT_IDLE_TIMEOUT:
                return &l->idle_timeout_usec;
        case LIMIT_MAX_RUNTIME:
                return &l->max_runtime_usec;
        case LIMIT_GPU_HOLD_AFTER_STOP:
                return &l->gpu_hold_after_stop_usec;
        default:
                return NULL;
        }
}

static double *limit_double(struct limits *l, enum limit_key k) {
        switch (k) {
        case LIMIT_CPUS:
                return &l->cpus;
        case LIMIT_GPUS:
                return &l->gpus;
        case LIMIT_GPUS_PER_CONTAINER:
                return &l->gpus_per_container;
        case LIMIT_CONTAINER_CPUS:
                return &l->container_cpus;
        default:
                return NULL;
        }
}

static int parse_count(const char *v, uint64_t *ret) {
        char *end;
        if (streq(v, "infinity")) {
                *ret = LIMIT_INFINITY;
                return 0;
        }
        if (!isdigit((unsigned char) v[0]))
                return -EINVAL;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (errno || *end || n >= LIMIT_INFINITY)
                return -EINVAL;
        *ret = n;
        return 0;
}

static void set_limit(struct parse_state *s, struct limits *l, enum limit_key k, const char *key,
                      const char *value) {
        int r = 0;
        const char *what = "";

        switch (k) {
        case LIMIT_CPUS:
        case LIMIT_CONTAINER_CPUS:
                r = parse_cpus(value, limit_double(l, k));
                what = "a number of CPUs such as '4' or '0.5' (at least 0.01), or 'infinity'";
                break;
        case LIMIT_GPUS:
        case LIMIT_GPUS_PER_CONTAINER:
                r = parse_gpus(value, limit_double(l, k));
                what = "a number of GPUs such as '2' or '0.5', or 'infinity'";
                break;
        case LIMIT_MEMORY:
        case LIMIT_MEMORY_HIGH:
        case LIMIT_CONTAINER_MEMORY:
                r = parse_size(value, limit_u64(l, k));
                if (r >= 0 && *limit_u64(l, k) < 4096)
                        r = -ERANGE;
                what = "a size such as '512M' or '16G' (K, M, G, T are 1024-based), or 'infinity'";
                break;
        case LIMIT_TASKS:
        case LIMIT_CONTAINERS:
                r = parse_count(value, limit_u64(l, k));
                if (r >= 0 && k == LIMIT_TASKS && *limit_u64(l, k) == 0)
                        r = -ERANGE;
                what = k == LIMIT_TASKS ? "a whole number above 0, or 'infinity'"
                                        : "a whole number, or 'infinity'";
                break;
        case LIMIT_IDLE_TIMEOUT:
        case LIMIT_MAX_RUNTIME:
                r = parse_duration(value, limit_u64(l, k));
                if (r >= 0 && *limit_u64(l, k) == 0)
                        r = -ERANGE;
                what = "a duration such as '90min', '2h' or '3d', or 'infinity'";
                break;
        case LIMIT_GPU_HOLD_AFTER_STOP:
                r = parse_duration(value, limit_u64(l, k));
                what = "a duration such as '0', '15min' or '2h', or 'infinity'";
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0) {
                perror_at(s, s->line, key, "invalid value '%s': expected %s", value, what);
                return;
        }
        l->set |= 1u << k;
        l->line[k] = s->line;
}

static void set_string(struct parse_state *s, char **field, const char *value) {
        char *v = strdup(value);
        if (!v) {
                s->oom = true;
                return;
        }
        free(*field);
        *field = v;
}

static int split_words(const char *value, char ***list) {
        const char *p = value;
        while (*p) {
                while (isspace((unsigned char) *p) || *p == ',')
                        p++;
                if (!*p)
                        break;
                const char *e = p;
                while (*e && !isspace((unsigned char) *e) && *e != ',')
                        e++;
                _cleanup_free_ char *w = strndup(p, (size_t) (e - p));
                if (!w || strv_push(list, w) < 0)
                        return -ENOMEM;
                p = e;
        }
        return 0;
}

static bool valid_member(const char *w) {
        const char *p = w[0] == '@' ? w + 1 : w;
        if (!*p || strlen(p) > 255)
                return false;
        for (; *p; p++)
                if (iscntrl((unsigned char) *p) || *p == ':' || *p == '/' || *p == '@')
                        return false;
        return true;
}

static void set_list(struct parse_state *s, char ***list, const char *key, const char *value) {
        _cleanup_strv_free_ char **words = NULL;
        if (split_words(value, &words) < 0) {
                s->oom = true;
                return;
        }
        for (char **w = words; w && *w; w++) {
                if (streq(key, "allowed_binds") && (*w)[0] != '/' && (*w)[0] != '~') {
                        perror_at(s, s->line, key, "'%s' is not an absolute path or '~'", *w);
                        continue;
                }
                if (streq(key, "allowed_devices") && strncmp(*w, "/dev/", 5) != 0) {
                        perror_at(s, s->line, key, "'%s' is not a path under /dev", *w);
                        continue;
                }
                if (streq(key, "allowed_binds") && (*w)[0] == '~' && (*w)[1] && (*w)[1] != '/') {
                        perror_at(s, s->line, key, "'%s': only '~' (the user's own home) is allowed, not '~user'", *w);
                        continue;
                }
                if (streq(key, "mounts")) {
                        char *c1 = strchr(*w, ':');
                        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                        if ((*w)[0] != '/' || !c1 || c1[1] != '/' ||
                            (c2 && !streq(c2, ":ro") && !streq(c2, ":rw"))) {
                                perror_at(s, s->line, key,
                                          "'%s' is not HOST:CONTAINER[:ro|:rw] with absolute paths", *w);
                                continue;
                        }
                }
                if (streq(key, "members") && !valid_member(*w)) {
                        perror_at(s, s->line, key, "'%s' is not a user name or @group", *w);
                        continue;
                }
                if (strv_contains(*list, *w))
                        continue;
                if (strv_push(list, *w) < 0)
                        s->oom = true;
        }
}

static void set_key(struct parse_state *s, const struct key_def *k, const char *value) {
        struct berth_config *c = s->c;
        void *field = (char *) c + k->offset;
        int r;

        switch (k->type) {
        case KEY_STRING:
                if (!*value) {
                        perror_at(s, s->line, k->key, "a value is required");
                        return;
                }
                set_string(s, field, value);
                return;
        case KEY_PATH:
                if (value[0] != '/') {
                        perror_at(s, s->line, k->key, "'%s' is not an absolute path", value);
                        return;
                }
                set_string(s, field, value);
                return;
        case KEY_LISTEN: {
                struct listen_address a;
                if (listen_address_parse(value, &a) < 0) {
                        perror_at(s, s->line, k->key,
                                  "'%s' is not a numeric HOST:PORT such as 127.0.0.1:9101 or [::1]:9101", value);
                        return;
                }
                set_string(s, field, value);
                return;
        }
        case KEY_BOOL:
                if (parse_bool(value, field) < 0)
                        perror_at(s, s->line, k->key, "invalid value '%s': expected yes or no", value);
                return;
        case KEY_LIST:
                set_list(s, field, k->key, value);
                return;
        case KEY_GPU_MODE:
                if (streq(value, "nvml"))
                        c->gpus = GPU_MODE_NVML;
                else if (streq(value, "none"))
                        c->gpus = GPU_MODE_NONE;
                else
                        perror_at(s, s->line, k->key, "invalid value '%s': expected nvml or none", value);
                return;
        case KEY_DURATION:
                r = parse_duration(value, field);
                if (r < 0 || *(uint64_t *) field == 0)
                        perror_at(s, s->line, k->key, "invalid value '%s': expected a duration such as '60s' or '5min'", value);
                return;
        case KEY_PERCENT: {
                char *end;
                errno = 0;
                unsigned long p = strtoul(value, &end, 10);
                if (!*value || *end || errno || value[0] == '-' || p > 100)
                        perror_at(s, s->line, k->key, "invalid value '%s': expected a whole percentage, 0 to 100", value);
                else
                        *(unsigned *) field = (unsigned) p;
                return;
        }
        case KEY_CPUS:
                if (parse_cpus(value, field) < 0)
                        perror_at(s, s->line, k->key, "invalid value '%s': expected CPUs such as '0.05'", value);
                return;
        case KEY_WARN: {
                _cleanup_free_ char *copy = strdup(value);
                char *save = NULL;
                if (!copy) {
                        s->oom = true;
                        return;
                }
                if (!s->continuation)
                        c->n_reaper_warn = 0;
                for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                        uint64_t u;
                        if (parse_duration(t, &u) < 0 || u == 0) {
                                perror_at(s, s->line, k->key, "invalid duration '%s': expected durations such as '30min 5min'", t);
                                return;
                        }
                        if (c->n_reaper_warn >= CONFIG_REAPER_WARN_MAX) {
                                perror_at(s, s->line, k->key, "more than %d warnings", CONFIG_REAPER_WARN_MAX);
                                return;
                        }
                        c->reaper_warn_usec[c->n_reaper_warn++] = u;
                }
                /* longest first: the order warnings are given in */
                for (size_t i = 1; i < c->n_reaper_warn; i++)
                        for (size_t j = i; j > 0 && c->reaper_warn_usec[j] > c->reaper_warn_usec[j - 1]; j--) {
                                uint64_t t = c->reaper_warn_usec[j];
                                c->reaper_warn_usec[j] = c->reaper_warn_usec[j - 1];
                                c->reaper_warn_usec[j - 1] = t;
                        }
                return;
        }
        case KEY_LIMIT: {
                struct limits *l = NULL;
                if (s->kind == CONFIG_FILE_MAIN)
                        l = &c->defaults;
                else if (s->kind == CONFIG_FILE_GROUP && s->group)
                        l = streq(s->section, "total") ? &s->group->total : &s->group->user;
                else if (s->kind == CONFIG_FILE_USER && s->override)
                        l = &s->override->user;
                if (l)
                        set_limit(s, l, k->limit, k->key, value);
                return;
        }
        case KEY_PRIORITY: {
                char *end;
                errno = 0;
                long p = strtol(value, &end, 10);
                if (!*value || *end || errno || p < -1000000 || p > 1000000)
                        perror_at(s, s->line, k->key, "invalid value '%s': expected a whole number", value);
                else if (s->group)
                        s->group->priority = (int) p;
                return;
        }
        case KEY_MEMBERS:
                if (s->group) {
                        if (!s->continuation)
                                s->group->members_line = s->line;
                        set_list(s, &s->group->members, k->key, value);
                }
                return;
        case KEY_GROUPREF:
                if (s->override) {
                        if (!*value || strchr(value, ' ') || strchr(value, '/'))
                                perror_at(s, s->line, k->key, "invalid group name '%s'", value);
                        else {
                                set_string(s, &s->override->group, value);
                                s->override->group_line = s->line;
                        }
                }
                return;
        case KEY_EXPIRES:
                if (s->override) {
                        if (parse_date(value, &s->override->expires) < 0)
                                perror_at(s, s->line, k->key, "invalid date '%s': expected YYYY-MM-DD", value);
                        else
                                set_string(s, &s->override->expires_text, value);
                }
                return;
        case KEY_REASON:
                if (s->override)
                        set_string(s, &s->override->reason, value);
                return;
        default:
                return;
        }
}

static int handler(void *user, const char *section, const char *key, const char *value) {
        struct parse_state *s = user;

        if (s->oom)
                return 0;
        if (!*section) {
                perror_at(s, s->line, key, "key outside of any section");
                return 1;
        }
        if (!s->section_known)
                return 1; /* already reported at the section header */

        const struct section_def *sec = find_section(s, section);
        const struct key_def *k = NULL;
        for (const struct key_def *d = sec ? sec->keys : NULL; d && d->key; d++)
                if (streq(d->key, key))
                        k = d;
        if (!k) {
                const char *names[32] = { 0 };
                size_t n = 0;
                for (const struct key_def *d = sec ? sec->keys : NULL; d && d->key && n < 32; d++)
                        names[n++] = d->key;
                const char *hint = string_suggest(key, names, n);
                if (hint)
                        perror_at(s, s->line, key, "unknown key '%s' in [%s] (did you mean '%s'?)", key,
                                  section, hint);
                else
                        perror_at(s, s->line, key, "unknown key '%s' in [%s]", key, section);
                return 1;
        }

        if (s->continuation) {
                if (k->type != KEY_LIST && k->type != KEY_MEMBERS && k->type != KEY_REASON) {
                        perror_at(s, s->line, key, "continuation line for a key that takes one value");
                        return 1;
                }
        } else {
                char entry[160];
                snprintf(entry, sizeof(entry), "%s\n%s", section, key);
                if (!seen_add(s, entry)) {
                        perror_at(s, s->line, key, "duplicate key '%s' in [%s]", key, section);
                        return 1;
                }
                /* a later line of a list replaces nothing: a fresh key starts empty */
                if (k->type == KEY_LIST) {
                        char ***list = (char ***) ((char *) s->c + k->offset);
                        strv_free(*list);
                        *list = NULL;
                }
        }
        s->key_seen = true;

        for (const char *p = value; *p; p++)
                if (iscntrl((unsigned char) *p) && *p != '\t') {
                        perror_at(s, s->line, key, "the value contains a control character (0x%02x)", (unsigned) (unsigned char) *p);
                        return 1;
                }

        if (s->continuation && k->type == KEY_REASON && s->override && s->override->reason) {
                char *joined;
                if (asprintf(&joined, "%s %s", s->override->reason, value) < 0) {
                        s->oom = true;
                        return 0;
                }
                free(s->override->reason);
                s->override->reason = joined;
                return 1;
        }
        set_key(s, k, value);
        return 1;
}

/* Checks inside one section that need all its keys. */
static void check_limits(struct parse_state *s, const struct limits *l, const char *section) {
        char a[32], b[32];
        if ((l->set & (1u << LIMIT_MEMORY_HIGH)) && (l->set & (1u << LIMIT_MEMORY)) && l->memory_high > l->memory)
                perror_at(s, l->line[LIMIT_MEMORY_HIGH], "memory_high", "%s is above memory (%s) in [%s]",
                          format_size(l->memory_high, a, sizeof(a)), format_size(l->memory, b, sizeof(b)),
                          section);
        if ((l->set & (1u << LIMIT_CONTAINER_MEMORY)) && (l->set & (1u << LIMIT_MEMORY)) &&
            l->container_memory > l->memory)
                perror_at(s, l->line[LIMIT_CONTAINER_MEMORY], "container_memory", "%s is above memory (%s) in [%s]",
                          format_size(l->container_memory, a, sizeof(a)), format_size(l->memory, b, sizeof(b)),
                          section);
        if ((l->set & (1u << LIMIT_CONTAINER_CPUS)) && (l->set & (1u << LIMIT_CPUS)) && l->cpus != CPUS_INFINITY &&
            l->container_cpus > l->cpus)
                perror_at(s, l->line[LIMIT_CONTAINER_CPUS], "container_cpus", "%s is above cpus (%s) in [%s]",
                          format_cpus(l->container_cpus, a, sizeof(a)), format_cpus(l->cpus, b, sizeof(b)),
                          section);
        if ((l->set & (1u << LIMIT_GPUS_PER_CONTAINER)) && (l->set & (1u << LIMIT_GPUS)) &&
            l->gpus_per_container > l->gpus)
                perror_at(s, l->line[LIMIT_GPUS_PER_CONTAINER], "gpus_per_container",
                          "%s is above gpus (%s) in [%s]", format_cpus(l->gpus_per_container, a, sizeof(a)),
                          format_cpus(l->gpus, b, sizeof(b)), section);
}

int config_parse_buffer(struct berth_config *c, enum config_file_kind kind, const char *path,
                        const char *name, const char *text, size_t len, struct config_errors *errs) {
        struct parse_state s = {
                .c = c, .kind = kind, .path = path, .name = name, .errs = errs, .text = text, .len = len,
        };

        if (kind == CONFIG_FILE_GROUP) {
                struct group_config *ng = reallocarray(c->groups, c->n_groups + 1, sizeof(*ng));
                if (!ng)
                        return -ENOMEM;
                c->groups = ng;
                s.group = &c->groups[c->n_groups];
                *s.group = (struct group_config) { .name = strdup(name), .file = strdup(path) };
                c->n_groups++;
                if (!s.group->name || !s.group->file)
                        return -ENOMEM;
        } else if (kind == CONFIG_FILE_USER) {
                struct user_override *no = reallocarray(c->overrides, c->n_overrides + 1, sizeof(*no));
                if (!no)
                        return -ENOMEM;
                c->overrides = no;
                s.override = &c->overrides[c->n_overrides];
                *s.override = (struct user_override) { .name = strdup(name), .file = strdup(path) };
                c->n_overrides++;
                if (!s.override->name || !s.override->file)
                        return -ENOMEM;
        }

        int r = ini_parse_stream(reader, &s, handler, &s);
        strv_free(s.seen);
        if (r == -2 || s.oom)
                return -ENOMEM;

        if (kind == CONFIG_FILE_MAIN)
                check_limits(&s, &c->defaults, "defaults");
        else if (s.group) {
                check_limits(&s, &s.group->user, "user");
                check_limits(&s, &s.group->total, "total");
        } else if (s.override)
                check_limits(&s, &s.override->user, "user");
        return s.oom ? -ENOMEM : s.n_errors;
}

/* ---- the tree ------------------------------------------------------------- */

int config_new(const char *dir, struct berth_config **ret) {
        _cleanup_config_ struct berth_config *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->dir = strdup(dir ? dir : BERTH_CONFIG_DIR);
        c->docker_socket = strdup(BERTH_DEFAULT_DOCKER_SOCKET);
        c->control_socket = strdup(BERTH_DEFAULT_CONTROL_SOCKET);
        c->real_docker = strdup(BERTH_DEFAULT_REAL_DOCKER);
        c->admin_group = strdup(BERTH_DEFAULT_ADMIN_GROUP);
        c->default_group = strdup(BERTH_DEFAULT_GROUP);
        c->seal_key = strdup(BERTH_DEFAULT_SEAL_KEY);
        c->reaper_exemptions = strdup(BERTH_DEFAULT_EXEMPTIONS);
        c->gpus = GPU_MODE_NVML;
        c->nvml_library = strdup("libnvidia-ml.so.1");
        c->numa_affinity = true;
        c->sysfs_root = strdup("/sys");
        c->reservation_ttl_usec = 60ULL * 1000000;
        c->reaper_interval_usec = 60ULL * 1000000;
        c->reaper_idle_gpu_percent = 5;
        c->reaper_idle_cpus = 0.05;
        c->reaper_warn_usec[0] = 30ULL * 60 * 1000000;
        c->reaper_warn_usec[1] = 5ULL * 60 * 1000000;
        c->n_reaper_warn = 2;
        c->base_image = strdup("nvidia/cuda:12.4.1-runtime-ubuntu22.04");
        c->workspace = strdup("~/workspace");
        if (!c->dir || !c->docker_socket || !c->control_socket || !c->real_docker || !c->admin_group ||
            !c->default_group || !c->seal_key || !c->reaper_exemptions || !c->nvml_library || !c->sysfs_root || !c->base_image || !c->workspace)
                return -ENOMEM;
        if (strv_push(&c->allowed_binds, "~") < 0 || strv_push(&c->allowed_runtimes, "runc") < 0 ||
            strv_push(&c->allowed_runtimes, "nvidia") < 0 || strv_push(&c->allowed_devices, "/dev/fuse") < 0 ||
            strv_push(&c->allowed_devices, "/dev/net/tun") < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

static void group_done(struct group_config *g) {
        free(g->name);
        free(g->file);
        strv_free(g->members);
}

static void override_done(struct user_override *u) {
        free(u->name);
        free(u->file);
        free(u->group);
        free(u->expires_text);
        free(u->reason);
}

void config_free(struct berth_config *c) {
        if (!c)
                return;
        free(c->dir);
        free(c->docker_socket);
        free(c->control_socket);
        free(c->real_docker);
        free(c->admin_group);
        free(c->default_group);
        free(c->seal_key);
        free(c->reaper_exemptions);
        free(c->gate_socket);
        free(c->metrics_listen);
        free(c->metrics_textfile);
        free(c->nvml_library);
        free(c->sysfs_root);
        free(c->base_image);
        free(c->workspace);
        strv_free(c->mounts);
        strv_free(c->allowed_binds);
        strv_free(c->allowed_runtimes);
        strv_free(c->allowed_devices);
        strv_free(c->allowed_caps);
        for (size_t i = 0; i < c->n_groups; i++)
                group_done(&c->groups[i]);
        free(c->groups);
        for (size_t i = 0; i < c->n_overrides; i++)
                override_done(&c->overrides[i]);
        free(c->overrides);
        free(c);
}
