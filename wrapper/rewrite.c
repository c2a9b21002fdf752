/* SPDX-License-Identifier: MIT */
/* The argv of run/create and build, rewritten.  The image and the command
 * after it are copied, never read. */
#include "rewrite.h"

#include "basic/util.h"

int wrapper_argv_append(char ***v, int argc, char *const *argv, int from, int to) {
        for (int i = from; i < to && i < argc; i++)
                if (strv_push(v, argv[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* --name and --gpus are berth's to give: the user's words for them go. */
static bool skip_index(const struct docker_args *a, int i) {
        for (size_t k = 0; k < a->n_opts; k++) {
                const struct docker_opt *o = &a->opts[k];
                if (!streq(o->name, "name") && !streq(o->name, "gpus"))
                        continue;
                if (o->at == i || o->value_at == i)
                        return true;
        }
        return false;
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
                     const struct container_spec *s, json_t *inject, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;

        const char *name = json_string_value(json_object_get(inject, "name"));
        const char *parent = json_string_value(json_object_get(inject, "cgroup_parent"));
        const char *gpus = json_string_value(json_object_get(inject, "gpus"));
        if (!name || !parent)
                return -EBADMSG;

        if (wrapper_argv_append(&v, argc, argv, 0, inv->args_at) < 0)
                return -ENOMEM;
        for (int i = inv->args_at; i < a->image_at; i++)
                if (!skip_index(a, i) && strv_push(&v, argv[i]) < 0)
                        return -ENOMEM;
        if (push_pair(&v, "--name", name) < 0 || push_pair(&v, "--cgroup-parent", parent) < 0 ||
            push_assignments(&v, "--label", json_object_get(inject, "labels")) < 0 || (gpus && push_gpus(&v, gpus) < 0) ||
            push_assignments(&v, "--env", json_object_get(inject, "env")) < 0 || push_limits(&v, a, s, inject) < 0 ||
            wrapper_argv_append(&v, argc, argv, a->image_at, argc) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

int wrapper_build_argv(const struct docker_invocation *inv, int argc, char *const *argv, const char *slice,
                       const char *user, uid_t uid, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *user_label = NULL, *uid_label = NULL;

        if (asprintf(&user_label, "berth.user=%s", user) < 0 || asprintf(&uid_label, "berth.uid=%u", (unsigned) uid) < 0)
                return -ENOMEM;
        if (wrapper_argv_append(&v, argc, argv, 0, inv->args_at) < 0 || push_pair(&v, "--cgroup-parent", slice) < 0 ||
            push_pair(&v, "--label", user_label) < 0 || push_pair(&v, "--label", uid_label) < 0 ||
            wrapper_argv_append(&v, argc, argv, inv->args_at, argc) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}
