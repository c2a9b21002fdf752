/* SPDX-License-Identifier: MIT */
/* docker run / create: parse, look up the facts the policy needs, decide,
 * reserve with berth-slicemgr, rewrite the options (never the image or the
 * command after it), run the real docker, then commit or cancel. */
#include "run.h"

#include <limits.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "core/names.h"
#include "common.h"
#include "exec.h"
#include "images.h"
#include "policy/dockercli-spec.h"
#include "policy/policy.h"
#include "policy/spec.h"
#include "report.h"
#include "rewrite.h"
#include "system/hostpath.h"

#define ENV_FILE_MAX (1024 * 1024)

int wrapper_read_lines(const char *path, char ***ret, void *userdata) {
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

/* The named volumes the container mounts: berth-slicemgr says whose each
 * is and whether it lies over a host path.  Another user's volume is
 * refused (*ret_refused, with the sentence in err); a volume over a host
 * path gets "device=…" among its options, so the policy sees the host path. */
static int resolve_volumes(struct wrapper *w, struct container_spec *s, bool *ret_refused, struct berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *owners = NULL;
        bool admin = false;

        *ret_refused = false;
        for (size_t i = 0; i < s->n_mounts; i++)
                if (s->mounts[i].kind == SPEC_MOUNT_VOLUME && s->mounts[i].source && strv_push(&names, s->mounts[i].source) < 0)
                        return -ENOMEM;
        if (!names)
                return 0;
        int r = wrapper_ask_owner(w->control_socket, names, WRAPPER_OWNER_VOLUME, WRAPPER_SLICEMGR_TIMEOUT_MS, &owners,
                                  &admin, err);
        if (r < 0)
                return r;
        wrapper_set_admin(w, admin);
        for (size_t i = 0, k = 0; i < s->n_mounts; i++) {
                struct spec_mount *m = &s->mounts[i];
                if (m->kind != SPEC_MOUNT_VOLUME || !m->source)
                        continue;
                json_t *o = json_array_get(owners, k++);
                const char *user = json_string_value(json_object_get(o, "user"));
                bool exists = json_is_true(json_object_get(o, "exists"));
                json_t *hp = json_object_get(o, "host_path");
                if (exists && user && !streq(user, w->user) && !admin) {
                        berth_error_set(err, -EPERM,
                                        "berth: the volume %s belongs to %s; you may mount only your own volumes and shared ones.",
                                        m->source, user);
                        *ret_refused = true;
                        return 0;
                }
                /* an older daemon does not say: fail closed */
                if (!(json_is_false(hp) || (hp && !exists))) {
                        _cleanup_free_ char *opt = NULL;
                        bool has = false;
                        for (char **p = m->volume_opts; p && *p; p++)
                                has = has || strncmp(*p, "device=", 7) == 0;
                        if (!has && (asprintf(&opt, "device=%s", json_is_string(hp) ? json_string_value(hp) : "(host path)") < 0 ||
                                     strv_push(&m->volume_opts, opt) < 0))
                                return -ENOMEM;
                }
        }
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
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *list = NULL;
        bool admin = false;
        for (size_t i = 0; i < s->n_refs; i++) {
                if (wrapper_name_untrimmed(s->refs[i].name))
                        return berth_error_set(err, -EINVAL,
                                               "berth: %s '%s' has white space at an end, which docker may trim; give the name exactly.",
                                               s->refs[i].flag, s->refs[i].name);
                if (strv_push(&names, s->refs[i].name) < 0)
                        return -ENOMEM;
        }
        int r = wrapper_ask_owner(w->control_socket, names, WRAPPER_OWNER_CONTAINER, WRAPPER_SLICEMGR_TIMEOUT_MS, &list,
                                  &admin, err);
        if (r < 0)
                return r;
        wrapper_set_admin(w, admin);
        for (size_t i = 0; i < s->n_refs && i < json_array_size(list); i++) {
                json_t *o = json_array_get(list, i);
                struct spec_ref *ref = &s->refs[i];
                const char *owner = json_string_value(json_object_get(o, "user"));
                ref->resolved = true;
                ref->exists = json_is_true(json_object_get(o, "exists"));
                ref->managed = json_is_true(json_object_get(o, "managed"));
                ref->owner = owner ? strdup(owner) : NULL;
                ref->has_binds = wrapper_owner_host_paths(o);
        }
        return 0;
}

/* The network a --network value names: the value itself, or the name= of
 * its long form ("name=NET,alias=a"); NULL for container:X (a reference
 * resolve_facts() checks).  -EINVAL for a long form berth cannot read (a
 * quote, no name=), or one naming host or container:X, which the policy
 * looks for in the short form only. */
static int network_word(const char *value, char **ret) {
        *ret = NULL;
        if (!strchr(value, '=')) {
                if (strncmp(value, "container:", 10) == 0)
                        return 0;
                *ret = strdup(value);
                return *ret ? 0 : -ENOMEM;
        }
        if (strchr(value, '"'))
                return -EINVAL;
        for (const char *p = value; p && *p;) {
                size_t n = strcspn(p, ",");
                if (n > 5 && strncmp(p, "name=", 5) == 0) {
                        free(*ret);
                        *ret = strndup(p + 5, n - 5);
                        if (!*ret)
                                return -ENOMEM;
                }
                p = p[n] ? p + n + 1 : NULL;
        }
        if (!*ret || strcasecmp(*ret, "host") == 0 || strncasecmp(*ret, "container:", 10) == 0) {
                free(*ret);
                *ret = NULL;
                return -EINVAL;
        }
        return 0;
}

/* Every --network the container joins is the caller's, shared or
 * Docker's own (*ret_refused, the sentence in err). */
static int resolve_networks(struct wrapper *w, const struct container_spec *s, bool *ret_refused,
                            struct berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *owners = NULL;
        bool admin = false;
        *ret_refused = false;
        for (char **n = s->networks; n && *n; n++) {
                _cleanup_free_ char *name = NULL;
                int r = network_word(*n, &name);
                if (r == -EINVAL) {
                        *ret_refused = true;
                        (void) berth_error_set(err, -EPERM, "berth: --network %s cannot be checked; give the network's name alone.",
                                               *n);
                        return 0;
                }
                if (r < 0)
                        return r;
                if (name && strv_push(&names, name) < 0)
                        return -ENOMEM;
        }
        if (!names)
                return 0;
        int r = wrapper_ask_owner(w->control_socket, names, WRAPPER_OWNER_NETWORK, WRAPPER_SLICEMGR_TIMEOUT_MS, &owners,
                                  &admin, err);
        if (r < 0)
                return r;
        wrapper_set_admin(w, admin);
        if (admin)
                return 0;
        for (size_t i = 0; names[i]; i++) {
                char msg[512];
                if (wrapper_network_refused(json_array_get(owners, i), names[i], w->user, "join", false, msg, sizeof(msg))) {
                        *ret_refused = true;
                        (void) berth_error_set(err, -EPERM, "%s", msg);
                        return 0;
                }
        }
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

/* Audit what was granted and run docker with argv: its exit status. */
static int run_granted(struct wrapper *w, const struct container_spec *s, json_t *reply, char **argv) {
        json_t *inject = json_object_get(reply, "inject");
        const char *name = json_string_value(json_object_get(inject, "name"));
        const char *slice = json_string_value(json_object_get(reply, "slice"));
        const char *gpus = json_string_value(json_object_get(json_object_get(inject, "labels"), "berth.gpus"));
        _cleanup_free_ char *msg = NULL;

        if (asprintf(&msg, "berth: %s may %s %s from %s in %s%s%s", w->user, w->inv.verb, strempty(name),
                     strempty(s->image), strempty(slice), gpus && *gpus ? " with GPUs " : "", gpus ? gpus : "") >= 0)
                wrapper_audit(w, AUDIT_CONTAINER_CREATE, name, gpus, slice, NULL, msg);
        return wrapper_spawn(w, argv);
}

/* A typo never keeps GPUs held: anything but success cancels.  Once Docker
 * has the container (even one whose command failed) the daemon has bound
 * the reservation and cancel changes nothing. */
static void finish_reservation(struct wrapper *w, const char *reservation, int status) {
        _cleanup_json_ json_t *done = json_pack("{s:s,s:s}", "op", status == 0 ? "commit" : "cancel", "reservation",
                                                reservation);
        _cleanup_json_ json_t *ignored = NULL;
        struct berth_error err = { 0 };
        if (done)
                (void) wrapper_call(w, done, &ignored, &err);
}

int wrapper_run(struct wrapper *w) {
        struct berth_error err = { 0 };
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_(resolved_user_done) struct resolved_user ru = { 0 };
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        char cwd[PATH_MAX];
        int r;

        if (!getcwd(cwd, sizeof(cwd)))
                strcpy(cwd, "/");

        if (docker_parse_args(&w->inv, w->argc, w->argv, &a, &err) < 0)
                return wrapper_refuse(err.message, NULL);
        if (a.image_at < 0)
                wrapper_exec(w, w->argv); /* docker prints its usage or its own error */

        if (docker_run_spec(&w->inv, w->argc, w->argv, &a, wrapper_read_lines, w, &s, &err) < 0)
                return wrapper_refuse(err.message, NULL);
        /* the caller's own berth/<user>/IMAGE is found first (DESIGN §5) */
        _cleanup_free_ char *own_image = NULL;
        if (wrapper_image_own(w, w->argv[a.image_at], &own_image) >= 0 && own_image) {
                free(s.image);
                s.image = strdup(own_image);
                if (!s.image)
                        return WRAPPER_EXIT_REFUSED;
                w->argv[a.image_at] = own_image;
        }
        if (config_resolve_user(w->config, w->user, time(NULL), &ru) < 0)
                return wrapper_refuse("berth: your account could not be looked up in berth's configuration.",
                                      "Ask an admin to run 'berthctl quota' for you.");
        if (resolve_facts(w, &s, cwd, &err) < 0)
                return wrapper_refuse(err.message[0] ? err.message : "berth: the containers you named could not be checked.",
                                      NULL);
        bool refused = false;
        if (resolve_volumes(w, &s, &refused, &err) < 0)
                return wrapper_refuse(err.message[0] ? err.message : "berth: the volumes you named could not be checked.",
                                      NULL);
        if (refused) {
                wrapper_audit(w, AUDIT_CONTAINER_DENY, s.name, NULL, NULL, err.message, err.message);
                return wrapper_refuse(err.message, "'docker volume ls --filter label=berth.user=$USER' lists yours.");
        }

        if (resolve_networks(w, &s, &refused, &err) < 0)
                return wrapper_refuse(err.message[0] ? err.message : "berth: the networks you named could not be checked.",
                                      NULL);
        if (refused) {
                wrapper_audit(w, AUDIT_CONTAINER_DENY, s.name, NULL, NULL, err.message, err.message);
                return wrapper_refuse(err.message, "'docker network ls --filter label=berth.user=$USER' lists yours.");
        }

        struct policy_identity id = wrapper_policy_identity(w);
        if (policy_check(w->config, &ru, &id, &s, &v) < 0)
                return wrapper_refuse(v.reason[0] ? v.reason : "berth: the container request could not be checked.", NULL);
        if (!v.allowed) {
                wrapper_audit(w, AUDIT_CONTAINER_DENY, s.name, NULL, NULL, v.reason, v.reason);
                return wrapper_refuse(v.reason, v.hint);
        }
        if (v.admin_override) {
                char msg[700];
                snprintf(msg, sizeof(msg), "berth: admin %s was allowed what users are refused: %s", w->user, v.reason);
                wrapper_audit(w, AUDIT_ADMIN_OVERRIDE, s.name, NULL, NULL, v.reason, msg);
        }

        req = reserve_request(&s, &v, cwd);
        if (!req)
                return WRAPPER_EXIT_REFUSED;
        r = wrapper_call(w, req, &reply, &err);
        if (r == -EPERM)
                return wrapper_refuse(err.message, NULL); /* the daemon audited it */
        if (r < 0) {
                fprintf(stderr, "%s\nberth: no container can be created until berth-slicemgr answers again; ask an admin.\n",
                        err.message);
                return WRAPPER_EXIT_REFUSED;
        }

        /* Host paths meet only their owner: the container runs as the
         * caller.  Root needs nothing (it may reach the host anyway), and an
         * admin's own --user stands (the override is audited above). */
        struct wrapper_owner owner = { .uid = w->uid, .gid = w->gid, .gids = w->gids, .n_gids = w->n_gids };
        bool as_owner = v.run_as_owner && w->uid != 0 && !(s.user && id.admin);

        const char *reservation = json_string_value(json_object_get(reply, "reservation"));
        int status = WRAPPER_EXIT_REFUSED;
        if (!reservation || wrapper_run_argv(&w->inv, w->argc, w->argv, &a, &s, json_object_get(reply, "inject"),
                                             as_owner ? &owner : NULL, &argv) < 0)
                fprintf(stderr, "berth: berth-slicemgr gave an answer the wrapper cannot use; ask an admin.\n");
        else
                status = run_granted(w, &s, reply, argv);
        if (reservation)
                finish_reservation(w, reservation, status);
        return status;
}
