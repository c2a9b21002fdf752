/* SPDX-License-Identifier: MIT */
/* docker run / create: parse, look up the facts the policy needs, decide,
 * reserve with berth-slicemgr, rewrite the options (never the image or the
 * command after it), run the real docker, then commit or cancel. */
#include "wrapper.h"

#include <limits.h>
#include <math.h>
#include <sys/stat.h>

#include "core/audit.h"
#include "core/names.h"
#include "policy/policy.h"
#include "policy/dockercli-spec.h"
#include "policy/spec.h"
#include "basic/fileio.h"
#include "system/hostpath.h"

#define ENV_FILE_MAX (1024 * 1024)

/* --env-file / --label-file, read with the caller's own rights, the lines
 * docker would use. */
static int read_lines(const char *path, char ***ret, void *userdata) {
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        size_t len;
        int r = read_full_file(path, ENV_FILE_MAX, &text, &len);
        if (r < 0)
                return r;
        if (memchr(text, 0, len))
                return -EINVAL;
        for (char *p = text; p && *p;) {
                char *nl = strchr(p, '\n');
                if (nl)
                        *nl = 0;
                size_t n = strlen(p);
                if (n > 0 && p[n - 1] == '\r')
                        p[--n] = 0;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p && *p != '#' && strv_push(&lines, p) < 0)
                        return -ENOMEM;
                p = nl ? nl + 1 : NULL;
        }
        *ret = TAKE_PTR(lines);
        return 0;
}

static int resolve_facts(struct wrapper *w, struct container_spec *s, const char *cwd, struct berth_error *err) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                struct spec_mount *m = &s->mounts[i];
                if (m->kind == SPEC_MOUNT_BIND && m->source && !m->resolved)
                        (void) path_resolve_host(m->source, cwd, &m->resolved); /* NULL: refused */
                /* a volume's device= is a bind by another name: judge where
                 * it really leads (unresolvable: left as given, refused) */
                for (char **o = m->volume_opts; m->kind == SPEC_MOUNT_VOLUME && o && *o; o++) {
                        _cleanup_free_ char *res = NULL, *opt = NULL;
                        if (strncmp(*o, "device=/", 8) != 0 || path_resolve_host(*o + 7, cwd, &res) < 0 ||
                            asprintf(&opt, "device=%s", res) < 0)
                                continue;
                        free(*o);
                        *o = TAKE_PTR(opt);
                }
        }
        for (size_t i = 0; i < s->n_devices; i++) {
                struct spec_device *d = &s->devices[i];
                struct stat st;
                if (!d->path)
                        continue;
                d->resolved = realpath(d->path, NULL);
                if (!d->resolved)
                        d->kind = errno == ENOENT ? SPEC_DEVICE_MISSING : SPEC_DEVICE_UNKNOWN;
                else if (stat(d->resolved, &st) < 0)
                        d->kind = SPEC_DEVICE_UNKNOWN;
                else
                        d->kind = S_ISCHR(st.st_mode)   ? SPEC_DEVICE_CHAR
                                  : S_ISBLK(st.st_mode) ? SPEC_DEVICE_BLOCK
                                                        : SPEC_DEVICE_NOT_DEVICE;
        }
        if (s->n_refs == 0)
                return 0;

        /* Containers named by container:X, --volumes-from, --link: one
         * question to berth-slicemgr for all of them. */
        _cleanup_json_ json_t *targets = json_array(), *reply = NULL;
        for (size_t i = 0; i < s->n_refs && targets; i++)
                json_array_append_new(targets, json_string(s->refs[i].name));
        _cleanup_json_ json_t *req = json_pack("{s:s,s:O}", "op", "owner", "targets", targets);
        if (!req)
                return -ENOMEM;
        int r = wrapper_call(w, req, &reply, err);
        if (r < 0)
                return r;
        json_t *list = json_object_get(reply, "targets");
        for (size_t i = 0; i < s->n_refs && i < json_array_size(list); i++) {
                json_t *o = json_array_get(list, i);
                struct spec_ref *ref = &s->refs[i];
                const char *owner = json_string_value(json_object_get(o, "user"));
                ref->resolved = true;
                ref->exists = json_is_true(json_object_get(o, "exists"));
                ref->managed = json_is_true(json_object_get(o, "managed"));
                ref->owner = owner ? strdup(owner) : NULL;
        }
        return 0;
}

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

/* The new command line: global options and command words as typed, the
 * user's options minus --name and --gpus, berth's options, then the image
 * and everything after it untouched. */
static int rewrite(struct wrapper *w, const struct docker_args *a, const struct container_spec *s, json_t *inject,
                   char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        char buf[64];
        const char *key;
        json_t *val;

        if (wrapper_copy_argv(w, &v, 0, w->inv.args_at) < 0)
                return -ENOMEM;
        for (int i = w->inv.args_at; i < a->image_at; i++)
                if (!skip_index(a, i) && strv_push(&v, w->argv[i]) < 0)
                        return -ENOMEM;

        const char *name = json_string_value(json_object_get(inject, "name"));
        const char *parent = json_string_value(json_object_get(inject, "cgroup_parent"));
        const char *gpus = json_string_value(json_object_get(inject, "gpus"));
        if (!name || !parent)
                return -EBADMSG;
        if (push_pair(&v, "--name", name) < 0 || push_pair(&v, "--cgroup-parent", parent) < 0)
                return -ENOMEM;
        json_object_foreach(json_object_get(inject, "labels"), key, val) {
                _cleanup_free_ char *l = NULL;
                if (!json_is_string(val) || asprintf(&l, "%s=%s", key, json_string_value(val)) < 0 ||
                    push_pair(&v, "--label", l) < 0)
                        return -ENOMEM;
        }
        if (gpus) {
                /* docker reads --gpus as one CSV record: a device list with
                 * commas must be a quoted field */
                _cleanup_free_ char *q = NULL;
                if (strchr(gpus, ',') ? asprintf(&q, "\"%s\"", gpus) < 0 : !(q = strdup(gpus)))
                        return -ENOMEM;
                if (push_pair(&v, "--gpus", q) < 0)
                        return -ENOMEM;
        }
        json_object_foreach(json_object_get(inject, "env"), key, val) {
                _cleanup_free_ char *e = NULL;
                if (!json_is_string(val) || asprintf(&e, "%s=%s", key, json_string_value(val)) < 0 ||
                    push_pair(&v, "--env", e) < 0)
                        return -ENOMEM;
        }
        json_t *cpus = json_object_get(inject, "cpus");
        if (!s->cpus_given && json_is_number(cpus)) {
                snprintf(buf, sizeof(buf), "%.3f", json_number_value(cpus));
                if (push_pair(&v, "--cpus", buf) < 0)
                        return -ENOMEM;
        }
        json_t *mem = json_object_get(inject, "memory");
        if (!s->memory_given && json_is_integer(mem) && json_integer_value(mem) > 0) {
                snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(mem));
                if (push_pair(&v, "--memory", buf) < 0)
                        return -ENOMEM;
        }
        const char *cpuset = json_string_value(json_object_get(inject, "cpuset_cpus"));
        const char *mems = json_string_value(json_object_get(inject, "cpuset_mems"));
        if (cpuset && mems && !docker_args_last(a, "cpuset-cpus") && !docker_args_last(a, "cpuset-mems") &&
            (push_pair(&v, "--cpuset-cpus", cpuset) < 0 || push_pair(&v, "--cpuset-mems", mems) < 0))
                return -ENOMEM;
        if (wrapper_copy_argv(w, &v, a->image_at, w->argc) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

static json_t *reserve_request(const struct container_spec *s, const struct policy_verdict *v, const char *cwd) {
        _cleanup_free_ char *project = NULL;
        json_t *spec = json_object();
        if (!spec)
                return NULL;
        if (s->name)
                json_object_set_new(spec, "name", json_string(s->name));
        if (s->image)
                json_object_set_new(spec, "image", json_string(s->image));
        if (name_project(v->project, secure_getenv("BERTH_PROJECT"), cwd, &project) >= 0)
                json_object_set_new(spec, "project", json_string(project));
        if (policy_verdict_reserve_spec(v, spec) < 0) {
                json_decref(spec);
                return NULL;
        }
        return json_pack("{s:s,s:o}", "op", "reserve", "spec", spec);
}

int wrapper_run(struct wrapper *w) {
        struct berth_error err = { 0 };
        struct docker_args a = { 0 };
        struct container_spec s = { 0 };
        struct policy_verdict v = { 0 };
        struct resolved_user ru = { 0 };
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        char cwd[PATH_MAX];
        int r, status = WRAPPER_EXIT_REFUSED;

        if (!getcwd(cwd, sizeof(cwd)))
                strcpy(cwd, "/");

        r = docker_parse_args(&w->inv, w->argc, w->argv, &a, &err);
        if (r < 0) {
                status = wrapper_refuse(w, err.message, NULL);
                goto out;
        }
        if (a.image_at < 0)
                wrapper_exec(w, w->argv); /* docker prints its usage or its own error */

        r = docker_run_spec(&w->inv, w->argc, w->argv, &a, read_lines, w, &s, &err);
        if (r < 0) {
                status = wrapper_refuse(w, err.message, NULL);
                goto out;
        }
        r = config_resolve_user(w->config, w->user, time(NULL), &ru);
        if (r < 0) {
                status = wrapper_refuse(w, "berth: your account could not be looked up in berth's configuration.",
                                        "Ask an admin to run 'berthctl quota' for you.");
                goto out;
        }
        r = resolve_facts(w, &s, cwd, &err);
        if (r < 0) {
                status = wrapper_refuse(w, err.message[0] ? err.message : "berth: the containers you named could not be checked.",
                                        NULL);
                goto out;
        }

        struct policy_identity id = { .user = w->user, .uid = w->uid, .home = w->home, .admin = w->admin };
        r = policy_check(w->config, &ru, &id, &s, &v);
        if (r < 0) {
                status = wrapper_refuse(w, v.reason[0] ? v.reason : "berth: the container request could not be checked.", NULL);
                goto out;
        }
        if (!v.allowed) {
                wrapper_audit(w, AUDIT_CONTAINER_DENY, s.name, NULL, NULL, v.reason, v.reason);
                status = wrapper_refuse(w, v.reason, v.hint);
                goto out;
        }
        if (v.admin_override) {
                char msg[700];
                snprintf(msg, sizeof(msg), "berth: admin %s was allowed what users are refused: %s", w->user, v.reason);
                wrapper_audit(w, AUDIT_ADMIN_OVERRIDE, s.name, NULL, NULL, v.reason, msg);
        }

        req = reserve_request(&s, &v, cwd);
        if (!req) {
                r = -ENOMEM;
                goto out;
        }
        r = wrapper_call(w, req, &reply, &err);
        if (r == -EPERM) {
                status = wrapper_refuse(w, err.message, NULL); /* the daemon audited it */
                goto out;
        }
        if (r < 0) {
                fprintf(stderr, "%s\nberth: no container can be created until berth-slicemgr answers again; ask an admin.\n",
                        err.message);
                goto out;
        }
        const char *reservation = json_string_value(json_object_get(reply, "reservation"));
        json_t *inject = json_object_get(reply, "inject");
        r = rewrite(w, &a, &s, inject, &argv);
        if (r < 0 || !reservation) {
                fprintf(stderr, "berth: berth-slicemgr gave an answer the wrapper cannot use; ask an admin.\n");
                r = -EBADMSG;
        } else {
                const char *name = json_string_value(json_object_get(inject, "name"));
                const char *slice = json_string_value(json_object_get(reply, "slice"));
                _cleanup_free_ char *msg = NULL;
                json_t *labels = json_object_get(inject, "labels");
                const char *gpus = json_string_value(json_object_get(labels, "berth.gpus"));
                if (asprintf(&msg, "berth: %s may %s %s from %s in %s%s%s", w->user, w->inv.verb, strempty(name),
                             strempty(s.image), strempty(slice), gpus && *gpus ? " with GPUs " : "",
                             gpus ? gpus : "") >= 0)
                        wrapper_audit(w, AUDIT_CONTAINER_CREATE, name, gpus, slice, NULL, msg);
                status = wrapper_spawn(w, argv);
        }

        /* A typo never keeps GPUs held: anything but success cancels.  Once
         * Docker has the container (even one whose command failed) the
         * daemon has bound the reservation and cancel changes nothing. */
        if (reservation) {
                _cleanup_json_ json_t *done = json_pack("{s:s,s:s}", "op", status == 0 ? "commit" : "cancel",
                                                        "reservation", reservation);
                _cleanup_json_ json_t *ignored = NULL;
                struct berth_error e2 = { 0 };
                if (done)
                        (void) wrapper_call(w, done, &ignored, &e2);
        }
        if (r < 0 && status == 0)
                status = WRAPPER_EXIT_REFUSED;
out:
        docker_args_done(&a);
        container_spec_done(&s);
        policy_verdict_done(&v);
        resolved_user_done(&ru);
        return status;
}
