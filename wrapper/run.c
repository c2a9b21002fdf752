/* SPDX-License-Identifier: MIT */
/* docker run / create: parse, look up the facts the policy needs, decide,
 * reserve with berth-slicemgr, rewrite the options (never the image or the
 * command after it), run the real docker, then commit or cancel. */
#include "run.h"

#include <limits.h>

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
#include "system/slicemgr-client.h"
#include "system/spec-facts.h"

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

/* The owner question of spec_facts_resolve(): berth-slicemgr answers, and
 * says whether the caller is an admin. */
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
        struct spec_facts facts = { .user = w->user, .cwd = cwd, .ask = wrapper_facts_ask, .userdata = w };
        enum spec_facts_refusal refused;
        if (spec_facts_resolve(&facts, &s, &refused, &err) < 0)
                return wrapper_refuse(err.message[0] ? err.message : "berth: the container request could not be checked.",
                                      NULL);
        if (refused != SPEC_FACTS_OK) {
                wrapper_audit(w, AUDIT_CONTAINER_DENY, s.name, NULL, NULL, err.message, err.message);
                return wrapper_refuse(err.message, refused == SPEC_FACTS_VOLUME
                                                           ? "'docker volume ls --filter label=berth.user=$USER' lists yours."
                                                           : "'docker network ls --filter label=berth.user=$USER' lists yours.");
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
        /* BERTH_WAIT=1: a GPU request that cannot be met now waits in the queue */
        const char *wait = getenv("BERTH_WAIT");
        if (wait && streq(wait, "1")) {
                if (json_object_set_new(req, "wait", json_true()) < 0)
                        return WRAPPER_EXIT_REFUSED;
                r = wrapper_call_waiting(w, req, &reply, &err);
        } else
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
