/* SPDX-License-Identifier: MIT */
/* The argv of run/create and build, rewritten.  The image and the command
 * after it are copied, never read. */
#include "rewrite.h"

#include <ctype.h>
#include <stdio.h>

#include "basic/csv.h"
#include "basic/util.h"
#include "policy/image-rules.h"

int wrapper_argv_append(char ***v, int argc, char *const *argv, int from, int to) {
        for (int i = from; i < to && i < argc; i++)
                if (strv_push(v, argv[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* --name and --gpus are berth's to give: the user's words for them go;
 * with an owner, --user and --group-add too (and exec's -u). */
static bool skip_index(const struct docker_args *a, int i, bool owner) {
        for (size_t k = 0; k < a->n_opts; k++) {
                const struct docker_opt *o = &a->opts[k];
                if (!streq(o->name, "name") && !streq(o->name, "gpus") &&
                    !(owner && (streq(o->name, "user") || streq(o->name, "group-add"))))
                        continue;
                if (o->at == i || o->value_at == i)
                        return true;
        }
        return false;
}

/* One field of a Go encoding/csv record, quoted when it must be. */
static int csv_field(FILE *f, const char *field) {
        if (!strpbrk(field, ",\"\r\n"))
                return fputs(field, f) < 0 ? -EIO : 0;
        fputc('"', f);
        for (const char *p = field; *p; p++) {
                if (*p == '"')
                        fputc('"', f);
                fputc(*p, f);
        }
        fputc('"', f);
        return 0;
}

/* A --mount value with the resolved bind source and the spec's volume-opt
 * values (device= resolved) put in: *ret NULL when nothing changes. */
static int mount_value(const char *value, const struct spec_mount *m, char **ret) {
        _cleanup_strv_free_ char **fields = NULL;
        _cleanup_free_ char *out = NULL;
        size_t n_out = 0, n_opt = 0;
        bool changed = false;
        FILE *f;

        *ret = NULL;
        if (csv_split(value, &fields) < 0)
                return 0; /* the spec was made from it: cannot happen */
        f = open_memstream(&out, &n_out);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; fields[i]; i++) {
                _cleanup_free_ char *repl = NULL;
                const char *field = fields[i];
                size_t klen = strcspn(field, "=");
                char key[32] = "";
                if (klen < sizeof(key))
                        for (size_t k = 0; k < klen; k++)
                                key[k] = (char) tolower((unsigned char) field[k]);
                if (field[klen] == '=' && m->kind == SPEC_MOUNT_BIND && m->resolved &&
                    (streq(key, "source") || streq(key, "src")) && !streq(field + klen + 1, m->resolved)) {
                        if (asprintf(&repl, "source=%s", m->resolved) < 0)
                                repl = NULL;
                        changed = true;
                } else if (field[klen] == '=' && streq(key, "volume-opt")) {
                        const char *opt = n_opt < strv_length(m->volume_opts) ? m->volume_opts[n_opt] : NULL;
                        n_opt++;
                        if (opt && !streq(opt, field + klen + 1)) {
                                if (asprintf(&repl, "volume-opt=%s", opt) < 0)
                                        repl = NULL;
                                changed = true;
                        }
                }
                if (i > 0)
                        fputc(',', f);
                (void) csv_field(f, repl ? repl : field);
        }
        if (fclose(f) != 0 || !out)
                return -ENOMEM;
        if (changed)
                *ret = TAKE_PTR(out);
        return 0;
}

/* The value an option of run/create gets: bind sources, volume devices and
 * --device paths as resolved.  *ret NULL: unchanged.  k_mount and k_dev
 * count the options that made the spec's mounts and devices, in order. */
static int resolved_value(const struct docker_opt *o, const struct container_spec *s, size_t *k_mount, size_t *k_dev,
                          char **ret) {
        *ret = NULL;
        if (!o->value)
                return 0;
        if (streq(o->name, "volume") || streq(o->name, "mount") || streq(o->name, "tmpfs")) {
                if (*k_mount >= s->n_mounts)
                        return 0;
                const struct spec_mount *m = &s->mounts[(*k_mount)++];
                if (streq(o->name, "mount"))
                        return mount_value(o->value, m, ret);
                if (streq(o->name, "volume") && m->kind == SPEC_MOUNT_BIND && m->source && m->resolved &&
                    strncmp(o->value, m->source, strlen(m->source)) == 0 && !streq(m->source, m->resolved))
                        return asprintf(ret, "%s%s", m->resolved, o->value + strlen(m->source)) < 0 ? -ENOMEM : 0;
                return 0;
        }
        if (streq(o->name, "device")) {
                if (*k_dev >= s->n_devices)
                        return 0;
                const struct spec_device *d = &s->devices[(*k_dev)++];
                if (d->path && d->resolved && strncmp(o->value, d->path, strlen(d->path)) == 0 &&
                    !streq(d->path, d->resolved))
                        return asprintf(ret, "%s%s", d->resolved, o->value + strlen(d->path)) < 0 ? -ENOMEM : 0;
        }
        return 0;
}

/* argv[from..to) with the words of resolved values replaced. */
static int push_options(char ***v, int argc, char *const *argv, int from, int to, const struct docker_args *a,
                        const struct container_spec *s, bool owner) {
        _cleanup_strv_free_ char **words = NULL;
        size_t k_mount = 0, k_dev = 0;

        if (to > argc)
                to = argc;
        for (int i = 0; i < argc; i++)
                if (strv_push(&words, argv[i]) < 0)
                        return -ENOMEM;
        for (size_t k = 0; s && k < a->n_opts; k++) {
                const struct docker_opt *o = &a->opts[k];
                _cleanup_free_ char *val = NULL;
                int r = resolved_value(o, s, &k_mount, &k_dev, &val);
                if (r < 0)
                        return r;
                if (!val)
                        continue;
                int at = o->value_at >= 0 ? o->value_at : o->at;
                if (at < 0 || at >= argc)
                        continue;
                char *word;
                if (o->value_at >= 0)
                        word = TAKE_PTR(val);
                else if (asprintf(&word, "%.*s%s", (int) (o->value - argv[at]), argv[at], val) < 0)
                        return -ENOMEM;
                free(words[at]);
                words[at] = word;
        }
        for (int i = from; i < to; i++)
                if (!skip_index(a, i, owner) && strv_push(v, words[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* --user UID:GID, a --group-add for every other group, no-new-privileges. */
static int push_owner(char ***v, const struct wrapper_owner *owner, bool groups) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%u:%u", (unsigned) owner->uid, (unsigned) owner->gid);
        if (strv_push(v, "--user") < 0 || strv_push(v, buf) < 0)
                return -ENOMEM;
        if (!groups)
                return 0;
        for (size_t i = 0; i < owner->n_gids; i++) {
                bool seen = owner->gids[i] == owner->gid;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = owner->gids[j] == owner->gids[i];
                if (seen)
                        continue;
                snprintf(buf, sizeof(buf), "%u", (unsigned) owner->gids[i]);
                if (strv_push(v, "--group-add") < 0 || strv_push(v, buf) < 0)
                        return -ENOMEM;
        }
        return strv_push(v, "--security-opt") < 0 || strv_push(v, "no-new-privileges") < 0 ? -ENOMEM : 0;
}

static int push_pair(char ***v, const char *flag, const char *value) {
        return strv_push(v, flag) < 0 || strv_push(v, value) < 0 ? -ENOMEM : 0;
}

/* Every KEY of the object as "--flag KEY=VALUE". */
static int push_assignments(char ***v, const char *flag, json_t *object) {
        const char *key;
        json_t *val;
        json_object_foreach(object, key, val) {
                _cleanup_free_ char *kv = NULL;
                if (!json_is_string(val) || asprintf(&kv, "%s=%s", key, json_string_value(val)) < 0 ||
                    push_pair(v, flag, kv) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* docker reads --gpus as one CSV record: a device list with commas must be
 * a quoted field. */
static int push_gpus(char ***v, const char *gpus) {
        _cleanup_free_ char *q = NULL;
        if (strchr(gpus, ',') ? asprintf(&q, "\"%s\"", gpus) < 0 : !(q = strdup(gpus)))
                return -ENOMEM;
        return push_pair(v, "--gpus", q);
}

/* The defaults of the user's slice, for what the user left unsaid. */
static int push_limits(char ***v, const struct docker_args *a, const struct container_spec *s, json_t *inject) {
        char buf[64];
        json_t *cpus = json_object_get(inject, "cpus");
        if (!s->cpus_given && json_is_number(cpus)) {
                snprintf(buf, sizeof(buf), "%.3f", json_number_value(cpus));
                if (push_pair(v, "--cpus", buf) < 0)
                        return -ENOMEM;
        }
        json_t *mem = json_object_get(inject, "memory");
        if (!s->memory_given && json_is_integer(mem) && json_integer_value(mem) > 0) {
                snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(mem));
                if (push_pair(v, "--memory", buf) < 0)
                        return -ENOMEM;
        }
        const char *cpuset = json_string_value(json_object_get(inject, "cpuset_cpus"));
        const char *mems = json_string_value(json_object_get(inject, "cpuset_mems"));
        if (cpuset && mems && !docker_args_last(a, "cpuset-cpus") && !docker_args_last(a, "cpuset-mems") &&
            (push_pair(v, "--cpuset-cpus", cpuset) < 0 || push_pair(v, "--cpuset-mems", mems) < 0))
                return -ENOMEM;
        return 0;
}

int wrapper_run_argv(const struct docker_invocation *inv, int argc, char *const *argv, const struct docker_args *a,
                     const struct container_spec *s, json_t *inject, const struct wrapper_owner *owner, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;

        const char *name = json_string_value(json_object_get(inject, "name"));
        const char *parent = json_string_value(json_object_get(inject, "cgroup_parent"));
        const char *gpus = json_string_value(json_object_get(inject, "gpus"));
        if (!name || !parent)
                return -EBADMSG;

        if (wrapper_argv_append(&v, argc, argv, 0, inv->args_at) < 0 ||
            push_options(&v, argc, argv, inv->args_at, a->image_at, a, s, owner != NULL) < 0)
                return -ENOMEM;
        if ((owner && push_owner(&v, owner, true) < 0) || push_pair(&v, "--name", name) < 0 || push_pair(&v, "--cgroup-parent", parent) < 0 ||
            push_assignments(&v, "--label", json_object_get(inject, "labels")) < 0 || (gpus && push_gpus(&v, gpus) < 0) ||
            push_assignments(&v, "--env", json_object_get(inject, "env")) < 0 || push_limits(&v, a, s, inject) < 0 ||
            wrapper_argv_append(&v, argc, argv, a->image_at, argc) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

int wrapper_build_argv(const struct docker_invocation *inv, int argc, char *const *argv, const char *slice,
                       const char *user, uid_t uid, char ***ret) {
        _cleanup_strv_free_ char **v = NULL, **labels = NULL;

        int r = policy_build_labels(user, uid, &labels);
        if (r < 0)
                return r;
        if (wrapper_argv_append(&v, argc, argv, 0, inv->args_at) < 0 || push_pair(&v, "--cgroup-parent", slice) < 0)
                return -ENOMEM;
        for (char **l = labels; *l; l++)
                if (push_pair(&v, "--label", *l) < 0)
                        return -ENOMEM;
        if (wrapper_argv_append(&v, argc, argv, inv->args_at, argc) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

int wrapper_exec_argv(const struct docker_invocation *inv, int argc, char *const *argv, const struct docker_args *a,
                      const struct wrapper_owner *owner, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;

        if (wrapper_argv_append(&v, argc, argv, 0, inv->args_at) < 0 || push_owner(&v, owner, false) < 0)
                return -ENOMEM;
        for (int i = inv->args_at; i < argc; i++) {
                bool command = a->image_at >= 0 && i >= a->image_at; /* the container and its command */
                if (!command && skip_index(a, i, true))
                        continue;
                if (strv_push(&v, argv[i]) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

int wrapper_volume_create_argv(const struct docker_invocation *inv, int argc, char *const *argv, const char *user,
                               char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *label = NULL;

        if (asprintf(&label, "berth.user=%s", user) < 0)
                return -ENOMEM;
        if (wrapper_argv_append(&v, argc, argv, 0, inv->args_at) < 0 || push_pair(&v, "--label", label) < 0 ||
            wrapper_argv_append(&v, argc, argv, inv->args_at, argc) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

int wrapper_argv_set_value(char **v, char *const *argv, const struct docker_opt *o, const char *value) {
        char *word;
        if (!o->value)
                return -EINVAL;
        if (o->value_at >= 0) {
                word = strdup(value);
                if (!word)
                        return -ENOMEM;
                free(v[o->value_at]);
                v[o->value_at] = word;
                return 0;
        }
        if (o->at < 0)
                return -EINVAL;
        if (asprintf(&word, "%.*s%s", (int) (o->value - argv[o->at]), argv[o->at], value) < 0)
                return -ENOMEM;
        free(v[o->at]);
        v[o->at] = word;
        return 0;
}
