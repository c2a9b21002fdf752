/* SPDX-License-Identifier: MIT */
#include "policy/policy.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "basic/cpulist.h"
#include "basic/csv.h"
#include "basic/path.h"
#include "core/names.h"
#include "basic/util.h"

void policy_verdict_done(struct policy_verdict *v) {
        if (!v)
                return;
        strv_free(v->gpu_devices);
        free(v->project);
        *v = (struct policy_verdict) { 0 };
}

int policy_verdict_reserve_spec(const struct policy_verdict *v, json_t *spec) {
        json_t *gpus = NULL;

        if (v->gpu_devices) {
                _cleanup_free_ char *list = strdup("device=");
                for (char **d = v->gpu_devices; list && *d; d++) {
                        char *longer = NULL;
                        if (asprintf(&longer, "%s%s%s", list, d == v->gpu_devices ? "" : ",", *d) < 0)
                                longer = NULL;
                        free(list);
                        list = longer;
                }
                if (!list)
                        return -ENOMEM;
                gpus = json_string(list);
        } else if (v->gpus_all)
                gpus = json_string("all");
        else if (v->gpus > 0)
                gpus = json_real(v->gpus);
        if ((gpus && json_object_set_new(spec, "gpus", gpus) < 0) ||
            (v->cpus > 0 && json_object_set_new(spec, "cpus", json_real(v->cpus)) < 0) ||
            (v->memory > 0 && json_object_set_new(spec, "memory", json_integer((json_int_t) v->memory)) < 0))
                return -ENOMEM;
        return 0;
}

/* ---- paths ------------------------------------------------------------- */

bool policy_bind_allowed(char *const *allowed_binds, const char *home, const char *path) {
        _cleanup_free_ char *p = NULL;

        if (!path || path_normalize(path, &p) < 0)
                return false;
        for (char *const *a = allowed_binds; a && *a; a++) {
                _cleanup_free_ char *full = NULL, *entry = NULL;
                const char *e = *a;
                if (e[0] == '~' && (e[1] == 0 || e[1] == '/')) {
                        if (!home || home[0] != '/')
                                continue;
                        if (asprintf(&full, "%s%s", home, e + 1) < 0)
                                return false;
                        e = full;
                }
                if (path_normalize(e, &entry) < 0)
                        continue;
                size_t n = strlen(entry);
                if (streq(entry, "/"))
                        return true;
                if (strncmp(p, entry, n) == 0 && (p[n] == 0 || p[n] == '/'))
                        return true;
        }
        return false;
}

/* ---- small parsers ----------------------------------------------------- */

/* GPU selection through the environment: the NVIDIA container toolkit
 * reads NVIDIA_VISIBLE_DEVICES and the MIG variables, CUDA reads
 * CUDA_VISIBLE_DEVICES (a user who sets it on a shared box would only
 * confuse their own job, but it is refused alike so that every GPU choice
 * goes through the reservation). */
bool policy_env_is_gpu(const char *entry) {
        static const char *const keys[] = {
                "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES", "NVIDIA_IMEX_CHANNELS",
                "CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES",
        };

        if (!entry)
                return false;
        /* docker drops a byte-order mark at the start of an env-file */
        if (strncmp(entry, "\xef\xbb\xbf", 3) == 0)
                entry += 3;
        while (isspace((unsigned char) *entry))
                entry++;
        size_t n = strcspn(entry, "=");
        while (n > 0 && isspace((unsigned char) entry[n - 1]))
                n--;
        /* every NVIDIA_MIG_* variable names MIG devices */
        if (n > 11 && strncmp(entry, "NVIDIA_MIG_", 11) == 0)
                return true;
        /* names are case-sensitive: the toolkit and CUDA read these exactly */
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strlen(keys[i]) == n && strncmp(entry, keys[i], n) == 0)
                        return true;
        return false;
}

static int parse_count(const char *s, double *ret, bool *ret_all) {
        if (streq(s, "all")) {
                *ret_all = true;
                *ret = 0;
                return 0;
        }
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0 || v > 1024)
                return -EINVAL;
        *ret = (double) v;
        *ret_all = false;
        return 0;
}

int policy_parse_gpus(const char *value, double *ret_gpus, bool *ret_all, char ***ret_devices) {
        _cleanup_strv_free_ char **fields = NULL, **devices = NULL;
        double count = 1;
        bool all = false, seen_count = false, seen_device = false, seen_driver = false, seen_caps = false,
             seen_options = false;
        int r;

        if (!value || !*value)
                return -EINVAL;
        r = csv_split(value, &fields);
        if (r < 0)
                return r;
        for (char **f = fields; *f; f++) {
                char *eq = strchr(*f, '=');
                if (!eq) {
                        if (seen_count)
                                return -EINVAL;
                        seen_count = true;
                        if (parse_count(*f, &count, &all) < 0)
                                return -EINVAL;
                        continue;
                }
                *eq = 0;
                const char *key = *f, *val = eq + 1;
                bool *seen;
                if (streq(key, "count"))
                        seen = &seen_count;
                else if (streq(key, "device"))
                        seen = &seen_device;
                else if (streq(key, "driver"))
                        seen = &seen_driver;
                else if (streq(key, "capabilities"))
                        seen = &seen_caps;
                else if (streq(key, "options"))
                        seen = &seen_options;
                else
                        return -EINVAL;
                if (*seen)
                        return -EINVAL;
                *seen = true;
                if (seen == &seen_count) {
                        if (parse_count(val, &count, &all) < 0)
                                return -EINVAL;
                } else if (seen == &seen_device) {
                        const char *p = val;
                        for (;;) {
                                size_t n = strcspn(p, ",");
                                if (n == 0)
                                        return -EINVAL;
                                _cleanup_free_ char *d = strndup(p, n);
                                if (!d || strv_push(&devices, d) < 0)
                                        return -ENOMEM;
                                if (!p[n])
                                        break;
                                p += n + 1;
                        }
                } else if (seen == &seen_driver) {
                        if (*val && !streq(val, "nvidia"))
                                return -EINVAL;
                }
        }
        if (seen_device && seen_count)
                return -EINVAL; /* docker refuses both too */
        if (seen_device) {
                count = 0;
                all = false;
        }
        *ret_gpus = count;
        *ret_all = all;
        *ret_devices = TAKE_PTR(devices);
        return 0;
}

static char *cap_normalize(const char *s) {
        while (isspace((unsigned char) *s))
                s++;
        if (strncasecmp(s, "CAP_", 4) == 0)
                s += 4;
        char *c = strdup(s);
        if (!c)
                return NULL;
        for (char *p = c; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        size_t n = strlen(c);
        while (n > 0 && isspace((unsigned char) c[n - 1]))
                c[--n] = 0;
        return c;
}

static bool cap_allowed(char *const *allowed, const char *cap) {
        for (char *const *a = allowed; a && *a; a++) {
                _cleanup_free_ char *n = cap_normalize(*a);
                if (n && streq(n, cap))
                        return true;
        }
        return false;
}

/* -p [ip:][hostport[-end]:]containerport[-end][/proto], split as Docker
 * splits it (go-connections nat: the host port is the field before the last
 * ':', so "::1:80:80" is port 80 on ::1), or the long form
 * "published=80,target=8080" that the docker CLI rewrites to "80:8080".
 * Returns the lowest host port that may be taken, 0 when Docker picks an
 * ephemeral one, -1 for what Docker would not take either. */
static long publish_low_host_port(const char *spec) {
        _cleanup_free_ char *s = strdup(spec);
        const char *host;
        char *end;

        if (!s)
                return -1;
        if (strchr(s, '=')) {
                host = ""; /* the last published= counts, as in the CLI's map */
                for (char *f = s, *next; f; f = next) {
                        next = strchr(f, ',');
                        if (next)
                                *next++ = 0;
                        char *eq = strchr(f, '=');
                        if (!eq || eq == f)
                                return -1;
                        *eq = 0;
                        if (streq(f, "published"))
                                host = eq + 1;
                }
        } else {
                char *last = strrchr(s, ':');
                if (!last)
                        return 0; /* container port only */
                *last = 0;
                char *prev = strrchr(s, ':');
                host = prev ? prev + 1 : s;
        }
        if (!*host)
                return 0;
        if (!isdigit((unsigned char) host[0]))
                return -1;
        errno = 0;
        unsigned long first = strtoul(host, &end, 10), final = first;
        if (*end == '-') {
                const char *e = end + 1;
                if (!isdigit((unsigned char) *e))
                        return -1;
                final = strtoul(e, &end, 10);
        }
        if (errno || *end || first > 65535 || final > 65535 || final < first)
                return -1;
        if (first == 0) /* a range from 0 lets Docker hand out any port in it */
                return final > 0 ? 1 : 0;
        return (long) first;
}

/* ---- the decision ------------------------------------------------------ */

struct decision {
        struct policy_verdict *v;
        const struct policy_identity *id;
        bool refused; /* a rule refused (for an admin: overridden) */
};

static void verdict_say(struct policy_verdict *v, const char *rule, const char *hint, const char *fmt, va_list ap)
        _printf_(4, 0);
static void verdict_say(struct policy_verdict *v, const char *rule, const char *hint, const char *fmt, va_list ap) {
        v->rule = rule;
        vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
        /* what the user typed may hold newlines or escapes: the refusal stays one line */
        for (char *p = v->reason; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = '?';
        snprintf(v->hint, sizeof(v->hint), "%s", hint ? hint : "");
}

void policy_verdict_refuse(struct policy_verdict *v, const char *rule, const char *hint, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        verdict_say(v, rule, hint, fmt, ap);
        va_end(ap);
        v->allowed = false;
}

static bool refuse(struct decision *d, const char *rule, const char *hint, const char *fmt, ...) _printf_(4, 5);
static bool refuse(struct decision *d, const char *rule, const char *hint, const char *fmt, ...) {
        va_list ap;

        if (d->refused)
                return !d->id->admin; /* keep the first reason */
        d->refused = true;
        va_start(ap, fmt);
        verdict_say(d->v, rule, hint, fmt, ap);
        va_end(ap);
        if (d->id->admin) {
                d->v->admin_override = true;
                return false; /* go on: an admin is allowed, the audit says what */
        }
        d->v->allowed = false;
        return true; /* stop here */
}

static const char *label_key(const char *label, char *buf, size_t n) {
        while (isspace((unsigned char) *label))
                label++;
        size_t k = strcspn(label, "=");
        while (k > 0 && isspace((unsigned char) label[k - 1]))
                k--;
        if (k >= n)
                k = n - 1;
        memcpy(buf, label, k);
        buf[k] = 0;
        return buf;
}

static bool check_name(struct decision *d, const struct container_spec *s) {
        _cleanup_free_ char *full = NULL;

        if (!s->name)
                return false;
        int r = name_container_typed(s->name, d->id->user, &full);
        if (r == -EPERM)
                return refuse(d, "name", "Give a plain name: berth adds your suffix itself.",
                              "berth: '%s' is another user's container name; yours end in '._.%s'.", s->name,
                              d->id->user);
        if (r < 0)
                return refuse(d, "name", "Use letters, digits, '_', '.' and '-', starting with a letter or digit.",
                              "berth: '%s' is not a valid container name.", s->name);
        return false;
}

bool policy_label_reserved(const char *label) {
        char key[256];
        label_key(label, key, sizeof(key));
        return strncasecmp(key, "berth.", 6) == 0 && !streq(key, "berth.project");
}

static bool check_labels(struct decision *d, char *const *labels) {
        char key[256];
        for (char *const *l = labels; l && *l; l++) {
                label_key(*l, key, sizeof(key));
                if (strncasecmp(key, "berth.", 6) != 0)
                        continue;
                if (streq(key, "berth.project")) {
                        const char *eq = strchr(*l, '=');
                        free(d->v->project);
                        d->v->project = strdup(eq ? eq + 1 : "");
                        if (!d->v->project)
                                return refuse(d, "label", NULL, "berth: out of memory.");
                        continue;
                }
                if (refuse(d, "label", "Only berth.project may be set; berth sets every other berth.* label itself.",
                           "berth: the label '%s' is berth's own and cannot be set by you.", key))
                        return true;
        }
        return false;
}

static bool check_gpus(struct decision *d, const struct container_spec *s) {
        size_t n = strv_length(s->gpus);
        if (n > 0) {
                const char *g = s->gpus[n - 1];
                strv_free(d->v->gpu_devices);
                d->v->gpu_devices = NULL;
                if (policy_parse_gpus(g, &d->v->gpus, &d->v->gpus_all, &d->v->gpu_devices) < 0)
                        return refuse(d, "gpus", "Use --gpus N, --gpus all or --gpus device=UUID.",
                                      "berth: '--gpus %s' is not a GPU request berth understands.", g);
        }
        for (char **e = s->env; e && *e; e++)
                if (policy_env_is_gpu(*e)) {
                        char key[128];
                        label_key(*e, key, sizeof(key));
                        if (refuse(d, "gpu-env", "Ask for GPUs with --gpus; berth sets the GPU variables itself.",
                                   "berth: setting %s is not allowed: GPUs come from your reservation.", key))
                                return true;
                }
        return false;
}

int policy_resources_fit(const struct limits *l, double cpus, uint64_t memory, char *reason, size_t n) {
        char a[32], b[32];

        if (cpus > 0 && l->cpus != CPUS_INFINITY && cpus > l->cpus + 1e-9) {
                snprintf(reason, n, "berth: you asked for %s CPUs but your slice has %s; ask for at most %s.",
                         format_cpus(cpus, a, sizeof(a)), format_cpus(l->cpus, b, sizeof(b)), b);
                return POLICY_OVER_CPUS;
        }
        if (memory > 0 && l->memory != LIMIT_INFINITY && memory > l->memory) {
                snprintf(reason, n, "berth: you asked for %s of memory but your slice has %s; ask for at most %s.",
                         format_size(memory, a, sizeof(a)), format_size(l->memory, b, sizeof(b)), b);
                return POLICY_OVER_MEMORY;
        }
        return POLICY_FITS;
}

static bool check_resources(struct decision *d, const struct resolved_user *ru, const struct container_spec *s) {
        const struct limits *l = &ru->limits;
        char why[256];

        if (s->cpu_quota_given &&
            refuse(d, "cpu-quota", "Use --cpus to say how many CPUs the container may use.",
                   "berth: --cpu-quota, --cpu-period and real-time CPU options are not allowed."))
                return true;
        /* An admin's override goes on to the next rule, and what they asked
         * for still goes into the reservation. */
        if (s->cpus_given) {
                if (!(s->cpus > 0) || !isfinite(s->cpus)) {
                        if (refuse(d, "cpus", "Use --cpus with a positive number such as 2 or 0.5.",
                                   "berth: --cpus must be a positive number."))
                                return true;
                } else {
                        if (policy_resources_fit(l, s->cpus, 0, why, sizeof(why)) != POLICY_FITS &&
                            refuse(d, "cpus", "Ask for fewer CPUs or leave --cpus out for the default.", "%s", why))
                                return true;
                        d->v->cpus = s->cpus;
                }
        }
        if (s->memory_given) {
                if (s->memory == 0) {
                        if (refuse(d, "memory", "Use --memory with a size such as 4g.",
                                   "berth: --memory must be a size greater than zero."))
                                return true;
                } else {
                        if (policy_resources_fit(l, 0, s->memory, why, sizeof(why)) != POLICY_FITS &&
                            refuse(d, "memory", "Ask for less memory or leave --memory out for the default.", "%s", why))
                                return true;
                        d->v->memory = s->memory;
                }
        }
        if (s->oom_score_adj_given && s->oom_score_adj < 0 &&
            refuse(d, "oom-score-adj", "Leave --oom-score-adj out or give a value of 0 or more.",
                   "berth: a negative --oom-score-adj would shield your container from the OOM killer at others' expense."))
                return true;
        return false;
}

static bool dev_path_is_gpu(const char *p) {
        static const char *const prefixes[] = { "/dev/nvidia", "/dev/dri/", "/dev/kfd", "/dev/accel/" };
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return streq(p, "/dev/dri") || streq(p, "/dev/accel");
}

static bool check_devices(struct decision *d, const struct berth_config *c, const struct container_spec *s) {
        static const char *const forbidden[] = { "/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg", "/dev/cpu" };

        for (size_t i = 0; i < s->n_devices; i++) {
                const struct spec_device *dev = &s->devices[i];
                const char *p = dev->resolved ? dev->resolved : dev->path;
                /* a CDI name, vendor/class=name: the runtime picks devices past berth */
                if (dev->path && dev->path[0] != '/' && strchr(dev->path, '/') && strchr(dev->path, '=')) {
                        if (refuse(d, "device", "Ask for GPUs with --gpus; berth gives you one nobody else holds.",
                                   "berth: --device %s is a CDI device name; devices come only from the allowed list and GPUs from your reservation.",
                                   dev->path))
                                return true;
                        continue;
                }
                if (!p || dev_path_is_gpu(p) || (dev->path && dev_path_is_gpu(dev->path))) {
                        if (refuse(d, "device", "Ask for GPUs with --gpus; berth gives you one nobody else holds.",
                                   "berth: --device %s is a GPU device; GPUs come only from your reservation.",
                                   strempty(dev->path)))
                                return true;
                        continue;
                }
                bool bad = false;
                for (size_t j = 0; j < ELEMENTSOF(forbidden); j++)
                        if (streq(p, forbidden[j]) || (strncmp(p, forbidden[j], strlen(forbidden[j])) == 0 &&
                                                       p[strlen(forbidden[j])] == '/'))
                                bad = true;
                const char *why = NULL;
                if (bad)
                        why = "gives access to the host's memory or kernel";
                else if (dev->kind == SPEC_DEVICE_BLOCK)
                        why = "is a block device (a disk of the host)";
                else if (dev->kind == SPEC_DEVICE_MISSING)
                        why = "does not exist";
                else if (dev->kind == SPEC_DEVICE_NOT_DEVICE)
                        why = "is not a device";
                else if (dev->kind != SPEC_DEVICE_CHAR || !dev->resolved)
                        why = "could not be checked";
                else if (strncmp(dev->resolved, "/dev/", 5) != 0)
                        why = "is not under /dev";
                else if (!strv_contains(c->allowed_devices, dev->resolved))
                        why = "is not one of the devices this machine allows (allowed_devices)";
                if (why && refuse(d, "device", "Ask an admin if your work needs this device.",
                                  "berth: --device %s is not allowed: it %s.", strempty(dev->path), why))
                        return true;
        }
        if (s->device_cgroup_rules && s->device_cgroup_rules[0] &&
            refuse(d, "device", "Ask an admin if your work needs a device.",
                   "berth: --device-cgroup-rule is not allowed: it opens host devices to the container."))
                return true;
        return false;
}

static bool ns_is_host(const char *v) {
        return v && strcasecmp(v, "host") == 0;
}

static bool check_networks(struct decision *d, const struct berth_config *c, char *const *networks) {
        for (char *const *n = networks; n && *n; n++)
                if (ns_is_host(*n) && !c->allow_host_network &&
                    refuse(d, "host-network", "Publish ports with -p instead.",
                           "berth: --network host is not allowed on this machine."))
                        return true;
        return false;
}

static bool check_namespaces(struct decision *d, const struct berth_config *c, const struct container_spec *s) {
        static const char hint[] = "Leave the option out: containers get namespaces of their own.";
        struct {
                const char *flag, *value;
        } ns[] = { { "--pid", s->pid }, { "--ipc", s->ipc }, { "--uts", s->uts }, { "--userns", s->userns },
                   { "--cgroupns", s->cgroupns } };

        for (size_t i = 0; i < ELEMENTSOF(ns); i++)
                if (ns_is_host(ns[i].value) &&
                    refuse(d, "host-namespace", hint, "berth: %s=host shares the host's namespace and is not allowed.",
                           ns[i].flag))
                        return true;
        if (check_networks(d, c, s->networks))
                return true;
        for (size_t i = 0; i < s->n_refs; i++) {
                const struct spec_ref *r = &s->refs[i];
                const char *why = NULL;
                if (!r->resolved)
                        why = "could not be checked";
                else if (!r->exists)
                        why = "does not exist";
                else if (!r->managed || !r->owner)
                        why = "is not a berth container";
                else if (!streq(r->owner, d->id->user))
                        why = "belongs to another user";
                if (why && refuse(d, "container-ref", "Name one of your own containers.",
                                  "berth: %s %s is not allowed: that container %s.", strempty(r->flag),
                                  strempty(r->name), why))
                        return true;
        }
        return false;
}

static bool volume_opts_allowed(const struct berth_config *c, const struct policy_identity *id,
                                const struct spec_mount *m, const char **ret_path) {
        for (char **o = m->volume_opts; o && *o; o++) {
                const char *eq = strchr(*o, '=');
                size_t k = eq ? (size_t) (eq - *o) : strlen(*o);
                if (k == 6 && strncmp(*o, "device", 6) == 0) {
                        const char *path = eq ? eq + 1 : "";
                        *ret_path = path;
                        if (path[0] != '/' || !policy_bind_allowed(c->allowed_binds, id->home, path))
                                return false;
                }
        }
        return true;
}

static bool check_mounts(struct decision *d, const struct berth_config *c, const struct container_spec *s) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct spec_mount *m = &s->mounts[i];
                const char *flag = m->flag ? m->flag : "--mount";
                switch (m->kind) {
                case SPEC_MOUNT_BIND:
                        if (!m->resolved) {
                                if (refuse(d, "bind", "Bind a directory that exists and that you can read.",
                                           "berth: %s %s could not be checked.", flag, strempty(m->source)))
                                        return true;
                        } else if (!policy_bind_allowed(c->allowed_binds, d->id->home, m->resolved)) {
                                static const char hint[] = "Bind directories under your home or the shared data paths.";
                                bool same = !m->source || streq(m->source, m->resolved);
                                if (same ? refuse(d, "bind", hint,
                                                  "berth: binding %s is not allowed: only paths under the allowed binds may be mounted.",
                                                  m->resolved)
                                         : refuse(d, "bind", hint,
                                                  "berth: binding %s (which is %s) is not allowed: only paths under the allowed binds may be mounted.",
                                                  m->source, m->resolved))
                                        return true;
                        }
                        break;
                case SPEC_MOUNT_VOLUME: {
                        const char *path = NULL;
                        if (!volume_opts_allowed(c, d->id, m, &path) &&
                            refuse(d, "bind", "Use a plain named volume, or bind an allowed path with -v.",
                                   "berth: the volume %s points at host path %s, which is outside the allowed binds.",
                                   m->source ? m->source : "(anonymous)", strempty(path)))
                                return true;
                        break;
                }
                case SPEC_MOUNT_TMPFS:
                        break;
                case SPEC_MOUNT_OTHER:
                default:
                        if (refuse(d, "mount-type", "Use bind, volume or tmpfs mounts.",
                                   "berth: %s type=%s is not allowed.", flag, strempty(m->type)))
                                return true;
                        break;
                }
        }
        return false;
}

static bool check_security(struct decision *d, const struct berth_config *c, const struct container_spec *s) {
        if (s->privileged &&
            refuse(d, "privileged", "Ask for what you need (--gpus, --cap-add of an allowed capability) instead.",
                   "berth: --privileged containers are not allowed: they own the whole machine."))
                return true;
        for (char **cap = s->cap_add; cap && *cap; cap++) {
                /* one value may carry a comma list */
                const char *p = *cap;
                for (;;) {
                        size_t n = strcspn(p, ",");
                        _cleanup_free_ char *one = strndup(p, n), *norm = NULL;
                        if (!one)
                                return refuse(d, "cap-add", NULL, "berth: out of memory.");
                        norm = cap_normalize(one);
                        if (!norm)
                                return refuse(d, "cap-add", NULL, "berth: out of memory.");
                        if (*norm && !cap_allowed(c->allowed_caps, norm) &&
                            refuse(d, "cap-add", "Leave --cap-add out, or ask an admin to allow the capability.",
                                   "berth: --cap-add %s is not allowed on this machine.", norm))
                                return true;
                        if (!p[n])
                                break;
                        p += n + 1;
                }
        }
        for (char **o = s->security_opts; o && *o; o++) {
                const char *v = *o;
                bool ok = streq(v, "no-new-privileges") || streq(v, "no-new-privileges=true") ||
                          streq(v, "no-new-privileges:true");
                if (!ok && refuse(d, "security-opt", "Only --security-opt no-new-privileges is allowed.",
                                  "berth: --security-opt %s is not allowed: it weakens the container's confinement.", v))
                        return true;
        }
        if (s->runtime && *s->runtime && !strv_contains(c->allowed_runtimes, s->runtime) &&
            refuse(d, "runtime", "Leave --runtime out to use the default.",
                   "berth: --runtime %s is not allowed on this machine.", s->runtime))
                return true;
        for (char **p = s->publish; p && *p; p++) {
                long port = publish_low_host_port(*p);
                if (port < 0) {
                        if (refuse(d, "publish", "Write it as -p HOSTPORT:CONTAINERPORT.",
                                   "berth: -p %s is not a port mapping berth understands.", *p))
                                return true;
                } else if (port > 0 && port < 1024 &&
                           refuse(d, "publish", "Publish on a host port of 1024 or above.",
                                  "berth: host port %ld is a system port and may not be taken by a container.", port))
                        return true;
        }
        return false;
}

/* The NVIDIA toolkit's "volume-mounts" device list: a mount at
 * /var/run/nvidia-container-devices/<GPU> selects that GPU. */
static bool target_is_device_list(const char *target) {
        static const char *const dirs[] = { "/var/run/nvidia-container-devices", "/run/nvidia-container-devices" };
        _cleanup_free_ char *t = NULL;
        if (!target || path_normalize(target, &t) < 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                size_t n = strlen(dirs[i]);
                if (strncmp(t, dirs[i], n) == 0 && (t[n] == 0 || t[n] == '/'))
                        return true;
        }
        return false;
}

static bool volume_names_host_path(const struct spec_mount *m) {
        for (char **o = m->volume_opts; o && *o; o++)
                if (strncmp(*o, "device=", 7) == 0)
                        return true;
        return false;
}

bool policy_spec_has_host_paths(const struct container_spec *s) {
        for (size_t i = 0; i < s->n_mounts; i++)
                if (s->mounts[i].kind == SPEC_MOUNT_BIND ||
                    (s->mounts[i].kind == SPEC_MOUNT_VOLUME && volume_names_host_path(&s->mounts[i])))
                        return true;
        for (size_t i = 0; i < s->n_refs; i++)
                if (streq_ptr(s->refs[i].flag, "--volumes-from") && (!s->refs[i].resolved || s->refs[i].has_binds))
                        return true;
        return false;
}

static bool parse_id(const char *s, size_t n, unsigned long *ret) {
        char buf[32];
        if (n == 0 || n >= sizeof(buf))
                return false;
        memcpy(buf, s, n);
        buf[n] = 0;
        for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char) buf[i]))
                        return false;
        errno = 0;
        *ret = strtoul(buf, NULL, 10);
        return errno == 0;
}

bool policy_user_is_owner(const struct policy_identity *id, const char *user) {
        unsigned long v;
        if (!user)
                return true;
        size_t n = strcspn(user, ":");
        bool me = (parse_id(user, n, &v) && v == (unsigned long) id->uid) ||
                  (id->user && strlen(id->user) == n && strncmp(user, id->user, n) == 0);
        if (!me)
                return false;
        if (!user[n])
                return true;
        const char *g = user + n + 1;
        return parse_id(g, strlen(g), &v) && v == (unsigned long) id->gid;
}

static bool gid_is_mine(const struct policy_identity *id, const char *group) {
        unsigned long v;
        if (!parse_id(group, strlen(group), &v))
                return false; /* a name: the image's /etc/group would decide which gid */
        if (v == (unsigned long) id->gid)
                return true;
        for (size_t i = 0; i < id->n_gids; i++)
                if (v == (unsigned long) id->gids[i])
                        return true;
        return false;
}

static bool check_host_paths(struct decision *d, const struct container_spec *s) {
        static const char hint[] = "Leave --user out: a container with host paths runs as you; use volumes to run as root.";

        for (size_t i = 0; i < s->n_mounts; i++)
                if (target_is_device_list(s->mounts[i].target) &&
                    refuse(d, "gpu-device-list", "Ask for GPUs with --gpus; berth gives you one nobody else holds.",
                           "berth: a mount at %s would choose GPUs past your reservation.", s->mounts[i].target))
                        return true;
        if (!policy_spec_has_host_paths(s))
                return false;
        d->v->run_as_owner = true;
        if (!policy_user_is_owner(d->id, s->user) &&
            refuse(d, "host-path-user", hint,
                   "berth: a container with host paths bound runs as you (uid %u); --user %s is not allowed.",
                   (unsigned) d->id->uid, s->user))
                return true;
        for (char **g = s->group_add; g && *g; g++)
                if (!gid_is_mine(d->id, *g) &&
                    refuse(d, "host-path-user", "Add only your own groups, by number ('id -G' lists them).",
                           "berth: a container with host paths bound may add only your own groups; --group-add %s is not one.",
                           *g))
                        return true;
        return false;
}

static bool ulimit_allowed(const char *u) {
        /* real-time scheduling, locked memory and raised priority reach past
         * the container's own share of the machine */
        static const char *const refused[] = { "rtprio", "rttime", "memlock", "nice" };
        size_t n = strcspn(u, "=");
        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                if (strlen(refused[i]) == n && strncasecmp(u, refused[i], n) == 0)
                        return false;
        return n > 0;
}

static bool log_opt_allowed(const char *o) {
        static const char *const sizes[] = { "max-size", "max-file", "compress" };
        size_t n = strcspn(o, "=");
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++)
                if (strlen(sizes[i]) == n && strncmp(o, sizes[i], n) == 0)
                        return true;
        return false;
}

static bool cpuset_allowed(const struct policy_identity *id, const char *list) {
        _cleanup_free_ uint8_t *mask = NULL;
        size_t n = 0;
        if (cpulist_parse(list, CPULIST_LOOSE, &mask, &n, NULL) < 0)
                return false;
        if (id->n_cpus == 0)
                return true;
        for (size_t i = 0; i < n * 8; i++)
                if ((mask[i / 8] & (1u << (i % 8))) && i >= id->n_cpus)
                        return false;
        return true;
}

/* The options that are neither harmless nor covered by another rule
 * (dockercli-spec.c says which are harmless). */
static bool check_options(struct decision *d, const struct container_spec *s) {
        if (s->use_api_socket &&
            refuse(d, "api-socket", NULL, "berth: --use-api-socket would hand the container dockerd itself."))
                return true;
        for (char **u = s->ulimits; u && *u; u++)
                if (!ulimit_allowed(*u) &&
                    refuse(d, "ulimit", "Leave --ulimit rtprio, rttime, memlock and nice out.",
                           "berth: --ulimit %s is not allowed: it reaches past your share of the machine.", *u))
                        return true;
        if (s->log_driver && !streq(s->log_driver, "json-file") && !streq(s->log_driver, "local") &&
            !streq(s->log_driver, "none") &&
            refuse(d, "log-driver", "Use --log-driver local or json-file.",
                   "berth: --log-driver %s is not allowed: logs stay on this machine, in Docker's own files.",
                   s->log_driver))
                return true;
        for (char **o = s->log_opts; o && *o; o++)
                if (!log_opt_allowed(*o) &&
                    refuse(d, "log-opt", "Only max-size, max-file and compress may be set.",
                           "berth: --log-opt %s is not allowed.", *o))
                        return true;
        if (s->memory_swap_given && !(s->memory_given && s->memory_swap == (int64_t) s->memory) &&
            refuse(d, "memory-swap", "Leave --memory-swap out: containers do not swap past their memory.",
                   "berth: --memory-swap is not allowed: it would let the container use the host's swap beyond its memory."))
                return true;
        if (s->cpu_shares_given && (s->cpu_shares < 2 || s->cpu_shares > 1024) &&
            refuse(d, "cpu-shares", "Give --cpu-shares between 2 and 1024, or use --cpus.",
                   "berth: --cpu-shares %lld is outside 2 to 1024.", (long long) s->cpu_shares))
                return true;
        const struct {
                const char *flag, *value;
        } sets[] = { { "--cpuset-cpus", s->cpuset_cpus }, { "--cpuset-mems", s->cpuset_mems } };
        for (size_t i = 0; i < ELEMENTSOF(sets); i++)
                if (sets[i].value && !cpuset_allowed(d->id, sets[i].value) &&
                    refuse(d, "cpuset", "Name CPUs this machine has, such as 0-3.",
                           "berth: %s %s names CPUs this machine does not have.", sets[i].flag, sets[i].value))
                        return true;
        if (s->annotations && s->annotations[0] &&
            refuse(d, "annotation", "Leave --annotation out.",
                   "berth: --annotation is not allowed: annotations steer the runtime (CDI devices among them)."))
                return true;
        for (char **o = s->storage_opts; o && *o; o++)
                if (strncmp(*o, "size=", 5) != 0 &&
                    refuse(d, "storage-opt", "Only --storage-opt size= may be set.", "berth: --storage-opt %s is not allowed.",
                           *o))
                        return true;
        if (s->volume_driver && *s->volume_driver && !streq(s->volume_driver, "local") &&
            refuse(d, "volume-driver", "Leave --volume-driver out: volumes are local.",
                   "berth: --volume-driver %s is not allowed.", s->volume_driver))
                return true;
        if (s->oom_kill_disable &&
            refuse(d, "oom-kill-disable", "Leave --oom-kill-disable out.",
                   "berth: --oom-kill-disable is not allowed: a container the OOM killer may not stop can hang your slice."))
                return true;
        return false;
}

int policy_check_exec(const struct policy_identity *id, const char *user, bool privileged, char *const *env,
                      bool has_host_paths, struct policy_verdict *ret) {
        struct policy_verdict v = { .allowed = true };
        struct decision d = { .v = &v, .id = id };

        if (!id || !ret)
                return -EINVAL;
        for (char *const *e = env; e && *e; e++)
                if (policy_env_is_gpu(*e) &&
                    refuse(&d, "gpu-env", "Leave GPU variables out; the container has the GPUs it reserved.",
                           "berth: exec -e %.*s is not allowed: GPUs come only from a reservation.", (int) strcspn(*e, "="),
                           *e))
                        goto done;
        if (privileged && !has_host_paths &&
            refuse(&d, "privileged", "Leave --privileged out.",
                   "berth: docker exec --privileged is not allowed: it gives the process the whole machine."))
                goto done;
        if (has_host_paths) {
                v.run_as_owner = true;
                if ((privileged &&
                     refuse(&d, "host-path-user", "Leave --privileged out.",
                            "berth: exec --privileged into a container with host paths bound is not allowed.")) ||
                    (!policy_user_is_owner(id, user) &&
                     refuse(&d, "host-path-user", "Leave -u out: in a container with host paths you are yourself.",
                            "berth: a container with host paths bound runs as you (uid %u); exec -u %s is not allowed.",
                            (unsigned) id->uid, user))) {
                        /* refused */
                }
        }
done:
        *ret = v;
        return 0;
}

int policy_check_cp(const struct policy_identity *id, bool has_host_paths, struct policy_verdict *ret) {
        struct policy_verdict v = { .allowed = true };
        struct decision d = { .v = &v, .id = id };

        if (!id || !ret)
                return -EINVAL;
        if (has_host_paths)
                refuse(&d, "host-path-cp", "Copy the files on the host: they are in the directories you bound.",
                       "berth: docker cp is not allowed for a container with host paths bound: dockerd copies as root.");
        *ret = v;
        return 0;
}

int policy_check_rename(const struct policy_identity *id, bool managed, const char *name, struct policy_verdict *ret) {
        struct policy_verdict v = { .allowed = true };
        struct decision d = { .v = &v, .id = id };

        if (!id || !ret)
                return -EINVAL;
        if (managed)
                refuse(&d, "rename-sealed", "Create a new container instead.",
                       "berth: renaming %s would break the seal on its GPUs.", strempty(name));
        *ret = v;
        return 0;
}

int policy_check(const struct berth_config *c, const struct resolved_user *ru, const struct policy_identity *id,
                 const struct container_spec *spec, struct policy_verdict *ret) {
        struct policy_verdict v = { .allowed = true };
        struct decision d = { .v = &v, .id = id };

        if (!c || !ru || !id || !id->user || !spec || !ret)
                return -EINVAL;

        /* Each check returns true when it refused (and the caller is no
         * admin): the first refusal is the answer. */
        if (check_name(&d, spec) || check_labels(&d, spec->labels) ||
            (spec->cgroup_parent &&
             refuse(&d, "cgroup-parent", "Leave --cgroup-parent out: berth puts the container in your slice.",
                    "berth: --cgroup-parent is not allowed: your containers run in your own slice.")) ||
            check_security(&d, c, spec) || check_namespaces(&d, c, spec) || check_devices(&d, c, spec) ||
            check_mounts(&d, c, spec) || check_host_paths(&d, spec) || check_options(&d, spec) ||
            check_gpus(&d, spec) || check_resources(&d, ru, spec)) {
                /* refused */
        }
        *ret = v;
        return 0;
}

/* A build step in another container's network namespace reaches past the
 * build's own confinement (and another user's container, if it names one). */
/* an output of type=image or docker names an image past -t and its namespace */
static bool check_build_outputs(struct decision *d, char *const *outputs) {
        for (char *const *o = outputs; o && *o; o++)
                if (strstr(*o, "name") && refuse(d, "build-output", "Name it with -t NAME: it lands in berth/<you>/NAME.",
                                                 "berth: --output %s names an image, which only -t may do.", *o))
                        return true;
        return false;
}

static bool check_build_networks(struct decision *d, char *const *networks) {
        for (char *const *n = networks; n && *n; n++)
                if (strncasecmp(*n, "container:", 10) == 0 &&
                    refuse(d, "build-network", "Use --network default or none for builds.",
                           "berth: build --network %s is not allowed: build steps stay in their own network.", *n))
                        return true;
        return false;
}

int policy_check_build(const struct berth_config *c, const struct policy_identity *id, const struct build_spec *b,
                       struct policy_verdict *ret) {
        struct policy_verdict v = { .allowed = true };
        struct decision d = { .v = &v, .id = id };

        if (!c || !id || !id->user || !b || !ret)
                return -EINVAL;
        bool bad_secopt = false;
        for (char *const *o = b->security_opts; o && *o; o++)
                if (!streq(*o, "no-new-privileges"))
                        bad_secopt = true;
        if ((b->cgroup_parent &&
             refuse(&d, "cgroup-parent", "Leave --cgroup-parent out: berth puts the build in your slice.",
                    "berth: --cgroup-parent is not allowed: your builds run in your own slice.")) ||
            check_labels(&d, b->labels) || check_networks(&d, c, b->networks) || check_build_networks(&d, b->networks) ||
            (b->ulimits && b->ulimits[0] &&
             refuse(&d, "ulimit", "Leave --ulimit out of builds.",
                    "berth: --ulimit is not allowed for builds: build steps run with your containers' limits.")) ||
            (b->entitlements &&
             refuse(&d, "build-entitlement", NULL,
                    "berth: build entitlements (--allow) are not allowed: they lift the build's confinement.")) ||
            (bad_secopt && refuse(&d, "security-opt", NULL, "berth: --security-opt is not allowed for builds.")) ||
            (b->builder && refuse(&d, "builder", "Leave --builder out.",
                                  "berth: build --builder is not allowed: builds run in your own slice, on the default builder.")) ||
            (b->memory_swap &&
             refuse(&d, "memory-swap", "Leave --memory-swap out.",
                    "berth: build --memory-swap is not allowed: build steps do not swap past their memory.")) ||
            (b->undecided && refuse(&d, "option", NULL, "berth: build --%s is an option berth has no rule for, so it is not allowed.",
                                    b->undecided)) ||
            check_build_outputs(&d, b->outputs)) {
                /* refused */
        }
        *ret = v;
        return 0;
}
