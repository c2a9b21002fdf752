/* SPDX-License-Identifier: MIT */
/* docker run/create → struct container_spec; see dockercli-spec.h. */
#include "policy/dockercli-spec.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>

#include "basic/csv.h"
#include "policy/dockercli-tables.h"

/* --- docker run/create → struct container_spec ------------------------- */

/* go-units RAMInBytes: "^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$", 1024-based. */
int docker_ram_in_bytes(const char *s, uint64_t *ret) {
        const char *p = s;
        if (!isdigit((unsigned char) *p))
                return -EINVAL;
        while (isdigit((unsigned char) *p))
                p++;
        while (*p == '.' && isdigit((unsigned char) p[1]))
                for (p++; isdigit((unsigned char) *p); p++)
                        ;
        _cleanup_free_ char *num = strndup(s, (size_t) (p - s));
        if (!num)
                return -ENOMEM;
        if (*p == ' ')
                p++;
        double mult = 1;
        const char *units = "kmgtp";
        const char *u = *p ? strchr(units, tolower((unsigned char) *p)) : NULL;
        if (u) {
                mult = ldexp(1.0, 10 * (int) (u - units + 1));
                p++;
        }
        if (*p == 'i' || *p == 'I')
                p++;
        if (*p == 'b' || *p == 'B')
                p++;
        if (*p)
                return -EINVAL;
        /* Go's ParseFloat refuses "1.2.3", which the pattern lets through. */
        char *end;
        errno = 0;
        double v = strtod(num, &end);
        if (errno || *end || !isfinite(v))
                return -EINVAL;
        v *= mult;
        if (v >= 9223372036854775807.0)
                return -ERANGE;
        *ret = (uint64_t) v;
        return 0;
}

/* docker's NanoCPUs: a rational number ("1.5", "3/2"), positive, at most
 * nine decimals. */
int docker_parse_cpus(const char *s, double *ret) {
        const char *slash = strchr(s, '/');
        char *end;
        double v;

        for (const char *p = s; *p; p++)
                if (!strchr("0123456789.eE+-/", *p))
                        return -EINVAL;
        errno = 0;
        if (slash) {
                _cleanup_free_ char *n = strndup(s, (size_t) (slash - s));
                if (!n)
                        return -ENOMEM;
                double a = strtod(n, &end);
                if (errno || *end || !*n)
                        return -EINVAL;
                double b = strtod(slash + 1, &end);
                if (errno || *end || !slash[1] || b == 0)
                        return -EINVAL;
                v = a / b;
        } else {
                v = strtod(s, &end);
                if (errno || *end || !*s)
                        return -EINVAL;
        }
        if (!isfinite(v) || v < 0)
                return -EINVAL;
        if (fabs(v * 1e9 - nearbyint(v * 1e9)) > 1e-3 * fmax(1.0, v))
                return -EINVAL; /* "value is too precise" */
        *ret = v;
        return 0;
}


/* -v [SOURCE:]TARGET[:MODE], as the Linux daemon splits it.  A source that
 * is not a volume name is a host path (docker 28 makes "./x" absolute, 20.10
 * refuses it; "~" is not expanded by docker): a bind, for the caller to
 * resolve. */
static int spec_volume(struct container_spec *s, const char *value, struct berth_error *err) {
        _cleanup_(spec_mount_done) struct spec_mount m = { 0 };
        _cleanup_strv_free_ char **parts = NULL;
        const char *p = value;
        for (;;) {
                size_t n = strcspn(p, ":");
                _cleanup_free_ char *part = strndup(p, n);
                if (!part || strv_push(&parts, part) < 0)
                        return -ENOMEM;
                if (!p[n])
                        break;
                p += n + 1;
        }
        size_t n = strv_length(parts);
        if (n > 3 || (n == 1 && !*parts[0]) || (n >= 2 && (!*parts[0] || !*parts[1])))
                return berth_error_set(err, -EINVAL, "berth: invalid volume specification '%s'; use -v SOURCE:TARGET[:MODE].", value);
        const char *target = n == 1 ? parts[0] : parts[1];
        if (target[0] != '/')
                return berth_error_set(err, -EINVAL, "berth: invalid volume specification '%s': the mount point must be an absolute path.", value);
        m.flag = strdup("-v");
        m.target = strdup(target);
        if (!m.flag || !m.target)
                return -ENOMEM;
        if (n == 1)
                m.kind = SPEC_MOUNT_VOLUME;
        else {
                /* docker expands no '~': the shell would have, had it been
                 * unquoted; as typed it is neither a path nor a volume name */
                if (parts[0][0] == '~')
                        return berth_error_set(err, -EINVAL,
                                               "berth: invalid volume specification '%s': docker does not expand '~'; write the host path out (for your home, -v \"$HOME\":…).",
                                               value);
                m.kind = spec_volume_name_valid(parts[0]) ? SPEC_MOUNT_VOLUME : SPEC_MOUNT_BIND;
                m.source = strdup(parts[0]);
                if (!m.source)
                        return -ENOMEM;
        }
        m.type = strdup(m.kind == SPEC_MOUNT_BIND ? "bind" : "volume");
        if (!m.type)
                return -ENOMEM;
        return spec_mount_push(s, &m);
}

static int spec_mount_csv(struct container_spec *s, const char *value, struct berth_error *err) {
        static const char *const known[] = {
                "type", "source", "src", "target", "destination", "dst", "readonly", "ro", "consistency",
                "bind-propagation", "bind-nonrecursive", "bind-recursive", "volume-nocopy", "volume-subpath",
                "volume-label", "volume-driver", "volume-opt", "tmpfs-size", "tmpfs-mode", "tmpfs-options",
                "image-subpath",
        };
        static const char *const flags[] = { "readonly", "ro", "bind-nonrecursive", "volume-nocopy" };
        _cleanup_(spec_mount_done) struct spec_mount m = { 0 };
        _cleanup_free_ char *type = strdup("volume");
        _cleanup_strv_free_ char **fields = NULL;
        int r;

        if (!type)
                return -ENOMEM;
        if (!*value)
                return berth_error_set(err, -EINVAL, "berth: --mount needs a value such as type=bind,source=/data,target=/data.");
        /* Go's encoding/csv, so a field may be quoted ("a,b" with "" for a quote) */
        r = csv_split(value, &fields);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return berth_error_set(err, -EINVAL, "berth: --mount '%s' has a badly quoted field.", value);
        for (char **f = fields; f && *f; f++) {
                char *field = *f;
                char *eq = strchr(field, '=');
                if (eq)
                        *eq = 0;
                for (char *c = field; *c; c++)
                        *c = (char) tolower((unsigned char) *c);
                bool ok = false;
                for (size_t k = 0; k < ELEMENTSOF(known); k++)
                        ok = ok || streq(field, known[k]);
                if (!ok)
                        return berth_error_set(err, -EINVAL, "berth: --mount '%s' has an unknown key '%s'.", value, field);
                if (!eq) {
                        bool flag = false;
                        for (size_t k = 0; k < ELEMENTSOF(flags); k++)
                                flag = flag || streq(field, flags[k]);
                        if (!flag)
                                return berth_error_set(err, -EINVAL, "berth: --mount '%s': '%s' needs a value (%s=…).", value, field, field);
                        continue;
                }
                const char *v = eq + 1;
                char **slot = NULL;
                if (streq(field, "type"))
                        slot = &type;
                else if (streq(field, "source") || streq(field, "src"))
                        slot = &m.source;
                else if (streq(field, "target") || streq(field, "destination") || streq(field, "dst"))
                        slot = &m.target;
                else if (streq(field, "volume-driver"))
                        slot = &m.volume_driver;
                else if (streq(field, "volume-opt")) {
                        if (!strchr(v, '='))
                                return berth_error_set(err, -EINVAL, "berth: --mount '%s': volume-opt takes key=value.", value);
                        if (strv_push(&m.volume_opts, v) < 0)
                                return -ENOMEM;
                }
                if (slot) {
                        free(*slot);
                        *slot = strdup(v);
                        if (!*slot)
                                return -ENOMEM;
                }
        }
        for (char *c = type; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        if (!m.target || !*m.target)
                return berth_error_set(err, -EINVAL, "berth: --mount '%s' has no target.", value);
        if (m.source && !*m.source) {
                free(m.source);
                m.source = NULL;
        }
        if (streq(type, "bind")) {
                m.kind = SPEC_MOUNT_BIND;
                if (!m.source)
                        return berth_error_set(err, -EINVAL, "berth: --mount '%s' is a bind without a source.", value);
        } else if (streq(type, "volume"))
                m.kind = SPEC_MOUNT_VOLUME;
        else if (streq(type, "tmpfs"))
                m.kind = SPEC_MOUNT_TMPFS;
        else
                m.kind = SPEC_MOUNT_OTHER;
        m.type = TAKE_PTR(type);
        m.flag = strdup("--mount");
        if (!m.flag)
                return -ENOMEM;
        return spec_mount_push(s, &m);
}

static int spec_tmpfs(struct container_spec *s, const char *value, struct berth_error *err) {
        _cleanup_(spec_mount_done) struct spec_mount m = { .kind = SPEC_MOUNT_TMPFS };
        m.target = strndup(value, strcspn(value, ":"));
        m.type = strdup("tmpfs");
        m.flag = strdup("--tmpfs");
        if (!m.target || !m.type || !m.flag)
                return -ENOMEM;
        if (m.target[0] != '/')
                return berth_error_set(err, -EINVAL, "berth: --tmpfs '%s' must start with an absolute path.", value);
        return spec_mount_push(s, &m);
}

static int push_ref(struct container_spec *s, const char *name, size_t len, const char *flag,
                    struct berth_error *err) {
        if (len == 0)
                return berth_error_set(err, -EINVAL, "berth: %s names no container.", flag);
        struct spec_ref *v = reallocarray(s->refs, s->n_refs + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->refs = v;
        v[s->n_refs] = (struct spec_ref) { .name = strndup(name, len), .flag = strdup(flag) };
        if (!v[s->n_refs].name || !v[s->n_refs].flag) {
                free(v[s->n_refs].name);
                free(v[s->n_refs].flag);
                return -ENOMEM;
        }
        s->n_refs++;
        return 0;
}

static int push_device(struct container_spec *s, const char *value, struct berth_error *err) {
        size_t len = strcspn(value, ":");
        if (len == 0)
                return berth_error_set(err, -EINVAL, "berth: --device '%s' names no host device.", value);
        struct spec_device *v = reallocarray(s->devices, s->n_devices + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->devices = v;
        v[s->n_devices] = (struct spec_device) { .path = strndup(value, len) };
        if (!v[s->n_devices].path)
                return -ENOMEM;
        s->n_devices++;
        return 0;
}

static int set_str(char **slot, const char *v) {
        char *c = strdup(v);
        if (!c)
                return -ENOMEM;
        free(*slot);
        *slot = c;
        return 0;
}

static int push_file_lines(char ***list, const char *path, const char *flag, docker_read_lines_t read_lines,
                           void *userdata, struct berth_error *err) {
        _cleanup_strv_free_ char **lines = NULL;
        if (!read_lines)
                return berth_error_set(err, -EINVAL, "berth: %s is not supported here.", flag);
        int r = read_lines(path, &lines, userdata);
        if (r < 0)
                return berth_error_set(err, r, "berth: cannot read %s file '%s': %s.", flag, path, strerror(-r));
        for (char **l = lines; l && *l; l++) {
                /* docker drops a UTF-8 byte-order mark at the start of the file */
                const char *line = *l;
                if (l == lines && strncmp(line, "\xef\xbb\xbf", 3) == 0)
                        line += 3;
                if (strv_push(list, line) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* "container:X" of --network/--pid/--ipc names another container. */
static int ns_ref(struct container_spec *s, const char *value, const char *flag, struct berth_error *err) {
        if (strncmp(value, "container:", 10) != 0)
                return 0;
        return push_ref(s, value + 10, strlen(value + 10), flag, err);
}

/* Options of run and create that touch only the container itself: no rule
 * of berth's applies to them.  Every other option is read into the spec for
 * the policy, and an option in neither list is refused (DESIGN §5: every
 * option docker has is decided, and this list is the decision). */
static const char *const harmless_opts[] = {
        "add-host", "attach", "blkio-weight", "blkio-weight-device", "cap-drop", "cidfile", "cpu-count",
        "cpu-percent", "detach", "detach-keys", "device-read-bps", "device-read-iops", "device-write-bps",
        "device-write-iops", "disable-content-trust", "dns", "dns-opt", "dns-option", "dns-search", "domainname",
        "entrypoint", "expose", "health-cmd", "health-interval", "health-retries", "health-start-interval",
        "health-start-period", "health-timeout", "help", "hostname", "init", "interactive", "io-maxbandwidth",
        "io-maxiops", "ip", "ip6", "isolation", "kernel-memory", "link-local-ip", "mac-address",
        "memory-reservation", "memory-swappiness", "net-alias", "network-alias", "no-healthcheck", "pids-limit",
        "platform", "publish-all", "pull", "quiet", "read-only", "restart", "rm", "shm-size", "sig-proxy",
        "stop-signal", "stop-timeout", "tty", "workdir",
};

/* Booleans the policy judges; read with docker_args_has() after the loop. */
static const char *const judged_bools[] = { "privileged", "use-api-socket", "oom-kill-disable" };

static bool in_list(const char *const *list, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(list[i], name))
                        return true;
        return false;
}

static int parse_int64(const char *v, int64_t *ret) {
        char *end;
        errno = 0;
        long long l = strtoll(v, &end, 0);
        if (errno || !*v || *end)
                return -EINVAL;
        *ret = l;
        return 0;
}

static int spec_opt(struct container_spec *s, const struct docker_opt *o, docker_read_lines_t read_lines,
                    void *userdata, struct berth_error *err) {
        const char *n = o->name, *v = o->value;
        _cleanup_free_ char *flag = NULL;
        int r;

        if (asprintf(&flag, "--%s", n) < 0)
                return -ENOMEM;
        if (in_list(harmless_opts, ELEMENTSOF(harmless_opts), n) ||
            in_list(judged_bools, ELEMENTSOF(judged_bools), n))
                return 0;
        if (!v)
                return berth_error_set(err, -EOPNOTSUPP,
                                       "berth: %s is an option berth has no rule for, so it is not allowed.", flag);
        if (streq(n, "name"))
                return set_str(&s->name, v);
        if (streq(n, "label"))
                return strv_push(&s->labels, v);
        if (streq(n, "label-file"))
                return push_file_lines(&s->labels, v, flag, read_lines, userdata, err);
        if (streq(n, "cgroup-parent"))
                return set_str(&s->cgroup_parent, v);
        if (streq(n, "gpus"))
                return strv_push(&s->gpus, v);
        if (streq(n, "cpus")) {
                r = docker_parse_cpus(v, &s->cpus);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return berth_error_set(err, -EINVAL, "berth: invalid --cpus '%s'; give a number of CPUs such as 2 or 0.5.", v);
                s->cpus_given = true;
                return 0;
        }
        if (streq(n, "cpu-quota") || streq(n, "cpu-period") || streq(n, "cpu-rt-period") || streq(n, "cpu-rt-runtime")) {
                s->cpu_quota_given = true;
                return 0;
        }
        if (streq(n, "memory")) {
                r = docker_ram_in_bytes(v, &s->memory);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return berth_error_set(err, -EINVAL, "berth: invalid --memory '%s'; give a size such as 512m or 16g.", v);
                s->memory_given = true;
                return 0;
        }
        if (streq(n, "cap-add"))
                return strv_push(&s->cap_add, v);
        if (streq(n, "device"))
                return push_device(s, v, err);
        if (streq(n, "device-cgroup-rule"))
                return strv_push(&s->device_cgroup_rules, v);
        if (streq(n, "pid")) {
                r = ns_ref(s, v, flag, err);
                return r < 0 ? r : set_str(&s->pid, v);
        }
        if (streq(n, "ipc")) {
                r = ns_ref(s, v, flag, err);
                return r < 0 ? r : set_str(&s->ipc, v);
        }
        if (streq(n, "uts"))
                return set_str(&s->uts, v);
        if (streq(n, "userns"))
                return set_str(&s->userns, v);
        if (streq(n, "cgroupns"))
                return set_str(&s->cgroupns, v);
        if (streq(n, "network") || streq(n, "net")) {
                /* the long form, "name=NET,alias=a,…" (Go CSV): the policy
                 * judges NET as it judges the short form */
                _cleanup_free_ char *name = NULL;
                if (strchr(v, '=') && strncmp(v, "container:", 10) != 0) {
                        _cleanup_strv_free_ char **fields = NULL;
                        if (csv_split(v, &fields) < 0)
                                return berth_error_set(err, -EINVAL, "berth: invalid %s '%s'.", flag, v);
                        for (char **f = fields; f && *f; f++)
                                if (strncmp(*f, "name=", 5) == 0 && set_str(&name, *f + 5) < 0)
                                        return -ENOMEM;
                        if (!name || !*name)
                                return berth_error_set(err, -EINVAL, "berth: %s '%s' names no network (name=…).", flag, v);
                        v = name;
                }
                r = ns_ref(s, v, flag, err);
                return r < 0 ? r : strv_push(&s->networks, v);
        }
        if (streq(n, "volume"))
                return spec_volume(s, v, err);
        if (streq(n, "mount"))
                return spec_mount_csv(s, v, err);
        if (streq(n, "tmpfs"))
                return spec_tmpfs(s, v, err);
        if (streq(n, "volumes-from") || streq(n, "link"))
                return push_ref(s, v, strcspn(v, ":"), flag, err);
        if (streq(n, "env"))
                return strv_push(&s->env, v);
        if (streq(n, "env-file"))
                return push_file_lines(&s->env, v, flag, read_lines, userdata, err);
        if (streq(n, "runtime"))
                return set_str(&s->runtime, v);
        if (streq(n, "security-opt"))
                return strv_push(&s->security_opts, v);
        if (streq(n, "sysctl"))
                return strv_push(&s->sysctls, v);
        if (streq(n, "oom-score-adj")) {
                /* pflag's IntVar: strconv.ParseInt(v, 0, 64) */
                char *end;
                errno = 0;
                long l = strtol(v, &end, 0);
                if (errno || !*v || *end)
                        return berth_error_set(err, -EINVAL, "berth: invalid --oom-score-adj '%s'; give a whole number.", v);
                s->oom_score_adj = l;
                s->oom_score_adj_given = true;
                return 0;
        }
        if (streq(n, "publish"))
                return strv_push(&s->publish, v);
        if (streq(n, "user"))
                return set_str(&s->user, v);
        if (streq(n, "group-add"))
                return strv_push(&s->group_add, v);
        if (streq(n, "volume-driver"))
                return set_str(&s->volume_driver, v);
        if (streq(n, "log-driver"))
                return set_str(&s->log_driver, v);
        if (streq(n, "log-opt"))
                return strv_push(&s->log_opts, v);
        if (streq(n, "ulimit"))
                return strv_push(&s->ulimits, v);
        if (streq(n, "annotation"))
                return strv_push(&s->annotations, v);
        if (streq(n, "storage-opt"))
                return strv_push(&s->storage_opts, v);
        if (streq(n, "cpuset-cpus"))
                return set_str(&s->cpuset_cpus, v);
        if (streq(n, "cpuset-mems"))
                return set_str(&s->cpuset_mems, v);
        if (streq(n, "memory-swap")) {
                uint64_t b;
                if (streq(v, "-1"))
                        s->memory_swap = -1;
                else if (docker_ram_in_bytes(v, &b) >= 0 && b <= INT64_MAX)
                        s->memory_swap = (int64_t) b;
                else
                        return berth_error_set(err, -EINVAL, "berth: invalid --memory-swap '%s'; give a size such as 16g.", v);
                s->memory_swap_given = true;
                return 0;
        }
        if (streq(n, "cpu-shares")) {
                if (parse_int64(v, &s->cpu_shares) < 0)
                        return berth_error_set(err, -EINVAL, "berth: invalid --cpu-shares '%s'; give a whole number.", v);
                s->cpu_shares_given = true;
                return 0;
        }
        return berth_error_set(err, -EOPNOTSUPP, "berth: %s is an option berth has no rule for, so it is not allowed.",
                               flag);
}

int docker_run_spec(const struct docker_invocation *inv, int argc, char *const *argv, const struct docker_args *a,
                    docker_read_lines_t read_lines, void *userdata, struct container_spec *ret,
                    struct berth_error *err) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        int r;

        if (inv->cmd != DOCKER_CMD_RUN && inv->cmd != DOCKER_CMD_CREATE)
                return -EOPNOTSUPP;
        if (a->image_at < 0 || a->image_at >= argc)
                return berth_error_set(err, -EINVAL, "berth: 'docker %s' needs an image.", inv->words);
        s.image = strdup(argv[a->image_at]);
        if (!s.image)
                return -ENOMEM;
        for (size_t i = 0; i < a->n_opts; i++) {
                r = spec_opt(&s, &a->opts[i], read_lines, userdata, err);
                if (r == -ENOMEM)
                        return berth_error_set(err, r, "berth: out of memory.");
                if (r < 0)
                        return r;
        }
        s.privileged = docker_args_has(a, "privileged");
        s.use_api_socket = docker_args_has(a, "use-api-socket");
        s.oom_kill_disable = docker_args_has(a, "oom-kill-disable");
        *ret = s;
        s = (struct container_spec) { 0 };
        return 0;
}

/* Options of build (classic and buildx) with no rule of berth's: read by
 * the client as the user (files, secrets, ssh, outputs it writes), or
 * limits and settings of the build's own steps, which run in the user's
 * slice.  The rest are read for policy_check_build(), and one in neither
 * list is refused, as for run. */
static const char *const harmless_build_opts[] = {
        "add-host", "annotation", "attest", "build-arg", "build-context", "cache-from", "cache-to", "call", "check",
        "compress", "cpu-period", "cpu-quota", "cpu-shares", "cpuset-cpus", "cpuset-mems", "debug", "detach",
        "disable-content-trust", "file", "force-rm", "help", "iidfile", "invoke", "isolation", "load", "memory",
        "metadata-file", "no-cache", "no-cache-filter", "platform", "print", "progress", "provenance",
        "pull", "push", "quiet", "rm", "sbom", "secret", "shm-size", "squash", "ssh", "stream", "tag", "target",
};

int docker_build_spec(const struct docker_args *a, struct build_spec *ret) {
        struct build_spec b = { 0 };

        for (size_t i = 0; i < a->n_opts; i++) {
                const struct docker_opt *o = &a->opts[i];
                if (streq(o->name, "output")) {
                        if (o->value && strv_push(&b.outputs, o->value) < 0) {
                                build_spec_done(&b);
                                return -ENOMEM;
                        }
                        continue;
                }
                if (in_list(harmless_build_opts, ELEMENTSOF(harmless_build_opts), o->name))
                        continue;
                if (streq(o->name, "builder")) {
                        b.builder = true;
                        continue;
                }
                if (streq(o->name, "memory-swap")) {
                        b.memory_swap = true;
                        continue;
                }
                if (!streq(o->name, "label") && !streq(o->name, "network") && !streq(o->name, "security-opt") &&
                    !streq(o->name, "ulimit") && !streq(o->name, "cgroup-parent") && !streq(o->name, "allow")) {
                        if (!b.undecided && !(b.undecided = strdup(o->name))) {
                                build_spec_done(&b);
                                return -ENOMEM;
                        }
                        continue;
                }
                char ***list = streq(o->name, "label")          ? &b.labels
                               : streq(o->name, "network")      ? &b.networks
                               : streq(o->name, "security-opt") ? &b.security_opts
                               : streq(o->name, "ulimit")       ? &b.ulimits
                                                                : NULL;
                if (streq(o->name, "cgroup-parent"))
                        b.cgroup_parent = true;
                else if (streq(o->name, "allow"))
                        b.entitlements = true;
                else if (list && strv_push(list, strempty(o->value)) < 0) {
                        build_spec_done(&b);
                        return -ENOMEM;
                }
        }
        *ret = b;
        return 0;
}
