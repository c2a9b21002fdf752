/* SPDX-License-Identifier: MIT */
/* berth's configuration: /etc/berth/berth.conf, then groups.d and users.d
 * (DESIGN §3), parsed with libinih.  One loader for the daemon, the commands
 * and `berthctl check-config`. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "basic/units.h"
#include "core/paths.h"

enum limit_key {
        LIMIT_CPUS,               /* slice CPUQuota, in CPUs */
        LIMIT_MEMORY,             /* slice MemoryMax, bytes */
        LIMIT_MEMORY_HIGH,        /* slice MemoryHigh, bytes; default 90% of memory */
        LIMIT_TASKS,              /* slice TasksMax */
        LIMIT_GPUS,               /* GPUs held at once, in GPUs (MIG counts as fraction) */
        LIMIT_GPUS_PER_CONTAINER, /* GPUs one container may hold */
        LIMIT_CONTAINERS,         /* containers held at once, running or stopped */
        LIMIT_CONTAINER_CPUS,     /* --cpus injected when docker run names none */
        LIMIT_CONTAINER_MEMORY,   /* --memory injected when docker run names none */
        LIMIT_IDLE_TIMEOUT,       /* usec; LIMIT_INFINITY = never */
        LIMIT_MAX_RUNTIME,        /* usec; LIMIT_INFINITY = never */
        LIMIT_GPU_HOLD_AFTER_STOP, /* usec a stopped container keeps its GPUs; LIMIT_INFINITY = until removed */
        _LIMIT_MAX,
};

/* The built-in gpu_hold_after_stop. */
#define LIMIT_GPU_HOLD_DEFAULT_USEC (15ULL * 60 * 1000000)

/* Where a resolved value came from, for `berthctl quota`. */
enum limit_source {
        SOURCE_BUILTIN,
        SOURCE_DEFAULTS,
        SOURCE_GROUP,
        SOURCE_OVERRIDE,
        _SOURCE_MAX,
};

struct limits {
        uint32_t set; /* bit (1 << enum limit_key) when given */
        double cpus;
        uint64_t memory;
        uint64_t memory_high;
        uint64_t tasks;
        double gpus;
        double gpus_per_container;
        uint64_t containers;
        double container_cpus;
        uint64_t container_memory;
        uint64_t idle_timeout_usec;
        uint64_t max_runtime_usec;
        uint64_t gpu_hold_after_stop_usec;
        unsigned line[_LIMIT_MAX]; /* where each set key was given */
};

enum gpu_mode {
        GPU_MODE_NVML,
        GPU_MODE_NONE,
};

struct group_config {
        char *name;         /* from the file name */
        char *file;         /* path */
        unsigned line;      /* line of [group], for messages */
        char **members;     /* raw tokens: "alice", "@students" */
        unsigned members_line;
        int priority;
        struct limits user;  /* what each member gets */
        struct limits total; /* the whole group together */
};

struct user_override {
        char *name; /* from the file name */
        char *file;
        unsigned line;
        char *group;       /* move to this group, or NULL */
        unsigned group_line;
        struct limits user;
        time_t expires;    /* 0: never; else the first second no longer valid */
        char *expires_text;
        char *reason;
};

#define CONFIG_REAPER_WARN_MAX 8

struct berth_config {
        char *dir;

        /* [daemon] */
        char *docker_socket;
        char *control_socket;
        char *real_docker;
        char *admin_group;
        char *default_group;
        enum gpu_mode gpus;
        char *nvml_library;
        bool numa_affinity;
        char *sysfs_root; /* where PCI NUMA nodes are read; tests point it elsewhere */
        uint64_t reservation_ttl_usec;

        /* [gate] */
        char *seal_key;    /* the root-only key that seals berth.* labels */
        char *gate_socket; /* the Docker socket users reach (berth-gate's); NULL: no gate */

        /* [deploy] */
        char *base_image;
        char *workspace;
        char **mounts;

        /* [policy] */
        char **allowed_binds;
        bool allow_host_network;
        char **allowed_runtimes;
        char **allowed_devices; /* host devices users may pass with --device */
        char **allowed_caps;

        /* [reaper] */
        uint64_t reaper_interval_usec;   /* how often usage is sampled */
        unsigned reaper_idle_gpu_percent; /* a GPU under this, with no process, is idle */
        double reaper_idle_cpus;          /* a container using fewer CPUs is idle */
        uint64_t reaper_warn_usec[CONFIG_REAPER_WARN_MAX]; /* warn this long before a stop, longest first */
        size_t n_reaper_warn;
        char *reaper_exemptions; /* where berthctl exempt's exemptions are kept */

        /* [metrics] */
        char *metrics_listen;   /* "127.0.0.1:9101": served over HTTP there; NULL: off */
        char *metrics_textfile; /* a directory: berth.prom written there every reaper interval; NULL: off */

        /* [defaults] */
        struct limits defaults;

        struct group_config *groups; /* sorted by name */
        size_t n_groups;
        struct user_override *overrides; /* sorted by name */
        size_t n_overrides;
};

/* Every problem found while loading, as "file:line: key: message" lines. */
struct config_errors {
        char **lines;
        size_t n;
};
void config_errors_clear(struct config_errors *e);
/* Add one line ("file:line: key: message") to e; -ENOMEM. */
int config_errors_add(struct config_errors *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The config directory a program uses: --config DIR (arg), else
 * $BERTH_CONFIG, else /etc/berth. */
const char *config_dir_resolve(const char *arg);

/* Is dir a directory root owns and nobody else may write (so its policy may
 * be believed by a program running as a user)?  A relative path is not. */
bool config_dir_trusted(const char *dir);

/* Load a whole tree.  On any error returns -EINVAL with every problem in
 * *errs (which the caller clears) and leaves *ret untouched. */
int config_load(const char *dir, struct berth_config **ret, struct config_errors *errs);
void config_free(struct berth_config *c);

/* Load a whole tree and say why when it does not load: the one way every
 * program loads its configuration.  Each error line ("file:line: key:
 * message") is written to out when out is not NULL; *ret_why (when not
 * NULL) gets the reason as one line, every error joined with "; " for an
 * invalid tree, "DIR: strerror" for one that cannot be read, and
 * *ret_n_errors (when not NULL) the number of errors.  Returns what
 * config_load() returns: 0, -EINVAL for an invalid tree, or another
 * negative errno. */
int config_load_report(const char *dir, FILE *out, struct berth_config **ret, char **ret_why, size_t *ret_n_errors);
/* The Docker socket berth's clients, running as the user, talk to: the
 * gate's when [gate] socket is set, else [daemon] docker_socket. */
static inline const char *config_client_docker_socket(const struct berth_config *c) {
        return c->gate_socket ? c->gate_socket : c->docker_socket;
}

static inline void config_freep(struct berth_config **c) {
        config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(config_freep)))

/* Kinds of file, for config_parse_buffer() (the fuzzer's entry). */
enum config_file_kind {
        CONFIG_FILE_MAIN,
        CONFIG_FILE_GROUP,
        CONFIG_FILE_USER,
};
/* Parse one file's text into c as if it were a file of that kind and name.
 * Errors go to errs; returns the number of errors added (>= 0) or -ENOMEM. */
int config_parse_buffer(struct berth_config *c, enum config_file_kind kind, const char *path,
                        const char *name, const char *text, size_t len, struct config_errors *errs);
/* A config with nothing but the built-in values, for config_parse_buffer(). */
int config_new(const char *dir, struct berth_config **ret);
/* Cross-file checks (override names an unknown group, group without members …). */
int config_validate(struct berth_config *c, struct config_errors *errs);

/* The limits of one user, resolved key by key. */
struct resolved_user {
        char *user;
        uid_t uid;
        char *group;                   /* the group they fall into */
        bool in_configured_group;      /* false: fell into default_group */
        const struct user_override *override; /* unexpired override, or NULL */
        struct limits limits;          /* every key set */
        enum limit_source source[_LIMIT_MAX];
        struct limits total;           /* the group's [total] (keys unset = unlimited) */
};
void resolved_user_done(struct resolved_user *r);

/* Resolve by user name through NSS (getpwnam, getgrouplist); now decides
 * override expiry.  -ENOENT when the user does not exist. */
int config_resolve_user(const struct berth_config *c, const char *user, time_t now,
                        struct resolved_user *ret);
/* The names of every Unix group USER is in (primary first), through NSS
 * (getgrouplist, getgrgid); *ret_gids (may be NULL) gets their gids. */
int config_user_groups(const char *user, gid_t primary, char ***ret, gid_t **ret_gids, size_t *ret_n_gids);
/* Same, from explicit facts (no NSS): primary and supplementary group names. */
int config_resolve_user_groups(const struct berth_config *c, const char *user, uid_t uid,
                               char *const *unix_groups, time_t now, struct resolved_user *ret);

const struct group_config *config_find_group(const struct berth_config *c, const char *name);
const struct user_override *config_find_override(const struct berth_config *c, const char *name);

/* User names a group's members list expands to through NSS (sorted, unique). */
int config_group_expand_members(const struct group_config *g, char ***ret);


const char *limit_key_name(enum limit_key k);
const char *limit_source_name(enum limit_source s);
