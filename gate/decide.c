/* SPDX-License-Identifier: MIT */
/* The gate's judgements.  decide_early() settles what the head alone
 * decides (admins, routes forwarded as they are, denied routes, lists cut
 * by a label filter); decide_run() runs on a worker and asks berth-slicemgr
 * (owners, reservations, on the caller's behalf through "for") and Docker
 * (which container an exec id belongs to) before lib/policy decides. */
#include "decide.h"
#include "decide-internal.h"

#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "basic/time-util.h"
#include "basic/util.h"
#include "core/identity.h"
#include "core/names.h"
#include "core/owner-answer.h"
#include "policy/api-spec.h"
#include "policy/policy.h"
#include "system/docker.h"
#include "system/slicemgr-client.h"
#include "system/spec-facts.h"

void gate_identity_done(struct gate_identity *id) {
        id->user = mfree(id->user);
        id->error = mfree(id->error);
}

void decision_free(struct decision *d) {
        if (!d)
                return;
        gate_identity_done(&d->who);
        free(d->method);
        route_match_done(&d->match);
        free(d->content_type);
        free(d->body);
        free(d->target);
        free(d->new_body);
        free(d->reservation);
        free(d->container);
        free(d);
}

bool decide_refuse(struct decision *d, int status, enum audit_event ev, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->message, sizeof(d->message), fmt, ap);
        va_end(ap);
        d->outcome = DECISION_REFUSE;
        d->status = status;
        d->audit = ev;
        return true;
}

/* Forward with the target as the route table writes it (param: the
 * resolved id, NULL: as given). */
bool decide_forward(struct decision *d, const char *param) {
        free(d->target);
        d->target = NULL;
        if (route_format_target(&d->match, param, &d->target) < 0)
                return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
        d->outcome = DECISION_FORWARD;
        return true;
}

json_t *decide_for(const struct gate_identity *who) {
        return json_pack("{s:I,s:I,s:I}", "uid", (json_int_t) who->uid, "gid", (json_int_t) who->gid, "pid",
                         (json_int_t) who->pid);
}

/* --- lists: a label filter the caller cannot take off ---------------------- */

/* filters (Docker's JSON, either {"k":["v",…]} or the older {"k":{"v":true}})
 * with label=berth.user=USER added.  Docker ANDs label filters, so the
 * caller may narrow the list but never widen it. */
static int filters_add_owner(const char *filters, const char *user, char **ret) {
        _cleanup_json_ json_t *f = NULL;
        _cleanup_free_ char *want = NULL;
        json_error_t e;
        if (asprintf(&want, "berth.user=%s", user) < 0)
                return -ENOMEM;
        f = filters && *filters ? json_loads(filters, JSON_REJECT_DUPLICATES, &e) : json_object();
        if (!json_is_object(f))
                return -EINVAL;
        json_t *label = json_object_get(f, "label");
        if (!label) {
                /* in the form the caller's other keys have: Docker reads one
                 * form or the other for the whole object, never a mix */
                const char *k;
                json_t *v;
                bool map_form = false;
                json_object_foreach(f, k, v)
                        map_form = map_form || json_is_object(v);
                if (json_object_set_new(f, "label", map_form ? json_pack("{s:b}", want, 1) : json_pack("[s]", want)) < 0)
                        return -ENOMEM;
        } else if (json_is_array(label)) {
                if (json_array_append_new(label, json_string(want)) < 0)
                        return -ENOMEM;
        } else if (json_is_object(label)) {
                if (json_object_set_new(label, want, json_true()) < 0)
                        return -ENOMEM;
        } else
                return -EINVAL;
        *ret = json_dumps(f, JSON_COMPACT);
        return *ret ? 0 : -ENOMEM;
}

static bool decide_filtered(struct decision *d) {
        const struct route *rt = d->match.route;
        _cleanup_free_ char *filters = NULL;
        if (rt->op == ROUTE_OP_SYSTEM_DF) {
                d->answer = DECISION_ANSWER_DF;
                return decide_forward(d, NULL);
        }
        if (rt->op == ROUTE_OP_BUILD_PRUNE)
                return decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                              "berth: the build cache is shared by everyone; ask an admin to prune it.");
        int r = filters_add_owner(route_query_get(&d->match, "filters"), d->who.user, &filters);
        if (r == -EINVAL)
                return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the filters parameter is not JSON berth can read.");
        if (r < 0 || route_query_set(&d->match, "filters", filters) < 0)
                return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
        return decide_forward(d, NULL);
}

bool decide_early(struct decision *d) {
        const struct route *rt = d->match.route;
        if (rt && rt->kind == ROUTE_FORWARD && (streq(d->match.path, "/_ping") || streq(d->match.path, "/version")))
                d->answer = DECISION_ANSWER_VERSION; /* for admins too: their clients negotiate with it */
        if (!d->who.user && rt && rt->kind == ROUTE_FORWARD)
                return decide_forward(d, NULL); /* what anyone may read needs no name */
        if (!d->who.user)
                return decide_refuse(d, 503, AUDIT_ACCESS_DENY, "%s",
                              d->who.error ? d->who.error
                                           : "berth: berth-slicemgr cannot say who you are; ask an admin to check it.");
        if (d->who.admin) {
                /* admins pass everything; what changes something is in the journal */
                if (!streq(d->method, "GET") && !streq(d->method, "HEAD") && rt && rt->kind != ROUTE_FORWARD) {
                        struct audit_fields f = AUDIT_FIELDS_INIT;
                        f.user = d->who.user;
                        f.uid = (long) d->who.uid;
                        (void) audit_log(AUDIT_ADMIN_OVERRIDE, &f, "berth: admin %s passed the gate: %s %s", d->who.user,
                                         d->method, d->match.path);
                }
                return decide_forward(d, NULL);
        }
        /* after these a name the caller typed may lead to another container */
        if (rt->op == ROUTE_OP_CONTAINER_CREATE || rt->op == ROUTE_OP_CONTAINER_RENAME ||
            rt->op == ROUTE_OP_CONTAINER_DELETE || rt->op == ROUTE_OP_CONTAINER_PRUNE) {
                d->forget_owners = true;
                owner_cache_forget(d->owners, d->who.uid);
        }
        /* a route that wants only the owner, answered a moment ago: no worker */
        if (rt->kind == ROUTE_OWNER && rt->op == ROUTE_OP_NONE && d->match.param) {
                _cleanup_json_ json_t *kept = owner_cache_get(d->owners, d->who.uid, d->match.param, now_usec());
                if (kept) {
                        d->container = strdup(strempty(json_string_value(json_object_get(kept, "name"))));
                        return decide_forward(d, json_string_value(json_object_get(kept, "id")));
                }
        }
        switch (rt->kind) {
        case ROUTE_DENY:
                return decide_refuse(d, 403, AUDIT_ACCESS_DENY, "%s",
                              rt->deny_reason ? rt->deny_reason : "berth: this part of Docker's API is not available here.");
        case ROUTE_FORWARD:
                return decide_forward(d, NULL);
        case ROUTE_FILTER:
                if (rt->op == ROUTE_OP_IMAGE_LIST)
                        return decide_forward(d, NULL); /* images are shared; names say whose (berth/<user>/) */
                return decide_filtered(d);
        case ROUTE_OWNER:
        case ROUTE_EXEC:
        case ROUTE_POLICY:
                return false;
        default:
                return decide_refuse(d, 403, AUDIT_ACCESS_DENY, "berth: this request is not one berth understands; it is refused.");
        }
}

/* --- what a worker asks ---------------------------------------------------- */

int decide_ask_owner(void *userdata, const char *kind, char **names, json_t **ret, bool *ret_admin,
                     struct berth_error *err) {
        /* each worker keeps its connection to berth-slicemgr: the question
         * comes with nearly every request */
        static __thread struct slicemgr_client *kept;
        struct decide_ask *a = userdata;
        _cleanup_json_ json_t *on_behalf = decide_for(a->who);
        if (!on_behalf)
                return -ENOMEM;
        return slicemgr_ask_owner_kept(&kept, a->control_socket, on_behalf, kind, names, GATE_SLICEMGR_TIMEOUT_MS, ret,
                                       ret_admin, err);
}

/* Who owns the container target names: 0 with *ret (the owner answer) when
 * it is the caller's; a refusal (true) otherwise. */
bool decide_container_of_caller(struct decision *d, const char *target, const char *verb, json_t **ret) {
        struct decide_ask a = { d->config->control_socket, &d->who };
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *answers = NULL;
        char *names[] = { (char *) target, NULL };
        bool admin = false;

        *ret = NULL;
        _cleanup_json_ json_t *kept = owner_cache_get(d->owners, d->who.uid, target, now_usec());
        if (kept) {
                free(d->container);
                d->container = strdup(strempty(json_string_value(json_object_get(kept, "name"))));
                *ret = TAKE_PTR(kept);
                return false;
        }
        if (decide_ask_owner(&a, "container", names, &answers, &admin, &err) < 0)
                return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "%s",
                              err.message[0] ? err.message
                                             : "berth: berth-slicemgr cannot say whose the container is; try again, or ask an admin.");
        json_t *o = json_array_get(answers, 0);
        const char *full = json_string_value(json_object_get(o, "name"));
        const char *owner = json_string_value(json_object_get(o, "user"));
        free(d->container);
        d->container = strdup(full ? full : target);
        if (!json_is_true(json_object_get(o, "exists")))
                return decide_refuse(d, 404, _AUDIT_EVENT_INVALID, "No such container: %s", target);
        if (!json_is_true(json_object_get(o, "mine"))) {
                if (json_is_true(json_object_get(o, "managed")) && owner)
                        return decide_refuse(d, 403, AUDIT_ACCESS_DENY, "berth: %s belongs to %s; you may only %s your own containers.",
                                      strempty(full), owner, verb);
                return decide_refuse(d, 403, AUDIT_ACCESS_DENY, "berth: %s is not a berth container; you may only %s your own containers.",
                              strempty(full), verb);
        }
        if (!d->forget_owners)
                owner_cache_put(d->owners, d->who.uid, target, o, now_usec());
        *ret = json_incref(o);
        return false;
}

/* The exec id's container, as Docker says. */
static int exec_container(const struct decision *d, const char *exec_id, char **ret, struct berth_error *err) {
        static __thread struct docker *docker;
        _cleanup_json_ json_t *info = NULL;
        _cleanup_free_ char *path = NULL;
        if (!exec_id || !*exec_id || strspn(exec_id, "0123456789abcdef") != strlen(exec_id) || strlen(exec_id) > 64)
                return -ENOENT;
        if (!docker && docker_open(d->upstream, &docker, err) < 0)
                return -EIO;
        if (asprintf(&path, "/exec/%s/json", exec_id) < 0)
                return -ENOMEM;
        int r = docker_request(docker, "GET", path, NULL, NULL, &info, err);
        if (r < 0)
                return r;
        const char *id = json_string_value(json_object_get(info, "ContainerID"));
        if (!id)
                return -ENOENT;
        *ret = strdup(id);
        return *ret ? 0 : -ENOMEM;
}

static const char *route_verb(const struct decision *d) {
        const char *p = d->match.path ? strrchr(d->match.path, '/') : NULL;
        if (!p || !p[1] || streq(p + 1, "json"))
                return streq(d->method, "DELETE") ? "remove" : "inspect";
        return p + 1;
}

/* --- the caller, for the policy ------------------------------------------- */

void decide_caller_done(struct decide_caller *c) {
        free(c->gids);
        free(c->home);
        resolved_user_done(&c->ru);
}

int decide_caller_get(const struct decision *d, struct decide_caller *c) {
        struct passwd pw, *pwr = NULL;
        char buf[4096];
        size_t n = 0;
        if (getpwuid_r(d->who.uid, &pw, buf, sizeof(buf), &pwr) != 0 || !pwr)
                return -ENOENT;
        c->home = strdup(pw.pw_dir);
        if (!c->home || identity_user_gids(d->who.user, pw.pw_gid, &c->gids, &n) < 0)
                return -ENOMEM;
        int r = config_resolve_user(d->config, d->who.user, time(NULL), &c->ru);
        if (r < 0)
                return r;
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        c->id = (struct policy_identity) { .user = d->who.user, .uid = d->who.uid, .gid = pw.pw_gid, .gids = c->gids,
                                           .n_gids = n, .home = c->home, .admin = false,
                                           .n_cpus = online > 0 ? (unsigned) online : 0 };
        return 0;
}

/* --- exec, cp, rename ------------------------------------------------------ */

static void decide_exec_create(struct decision *d, json_t *owner_answer) {
        _cleanup_(api_exec_done) struct api_exec x = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_(decide_caller_done) struct decide_caller c = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        struct berth_error err = { 0 };
        const char *id = json_string_value(json_object_get(owner_answer, "id"));

        if (api_exec_parse(d->body, d->body_len, &x, &doc, &err) < 0) {
                decide_refuse(d, 400, AUDIT_ACCESS_DENY, "%s", err.message);
                return;
        }
        if (decide_caller_get(d, &c) < 0) {
                decide_refuse(d, 503, AUDIT_ACCESS_DENY, "berth: your account could not be looked up; ask an admin.");
                return;
        }
        bool host = owner_host_paths(owner_answer);
        if (policy_check_exec(&c.id, x.user, x.privileged, x.env, host, &v) < 0 || !v.allowed) {
                decide_refuse(d, 403, AUDIT_ACCESS_DENY, "%s%s%s", v.reason[0] ? v.reason : "berth: the exec could not be checked.",
                       v.hint[0] ? " " : "", v.hint);
                return;
        }
        struct api_owner o = { .uid = c.id.uid, .gid = c.id.gid, .gids = c.id.gids, .n_gids = c.id.n_gids };
        if (api_exec_rewrite(doc, v.run_as_owner ? &o : NULL, &d->new_body) < 0) {
                decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
                return;
        }
        d->new_body_len = strlen(d->new_body);
        d->replace_body = true;
        decide_forward(d, id);
}

/* docker update may not lift a container past what create would allow: its
 * limits go through the same policy as a new container's.  true: refused. */
static bool decide_update(struct decision *d) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_(decide_caller_done) struct decide_caller c = { 0 };
        struct berth_error err = { 0 };
        int r = api_update_parse(d->body, d->body_len, &s, NULL, &err);
        if (r < 0)
                return decide_refuse(d, r == -EPERM ? 403 : 400, AUDIT_ACCESS_DENY, "%s",
                                     err.message[0] ? err.message : "berth: the update could not be read.");
        if (decide_caller_get(d, &c) < 0)
                return decide_refuse(d, 503, AUDIT_ACCESS_DENY, "berth: your account could not be looked up; ask an admin.");
        if (policy_check(d->config, &c.ru, &c.id, &s, &v) < 0 || !v.allowed)
                return decide_refuse(d, 403, AUDIT_ACCESS_DENY, "%s%s%s",
                                     v.reason[0] ? v.reason : "berth: the update could not be checked.", v.hint[0] ? " " : "",
                                     v.hint);
        return false; /* the body goes on as it came */
}

static void decide_owned(struct decision *d, const char *container) {
        _cleanup_json_ json_t *o = NULL;
        const struct route *rt = d->match.route;
        if (decide_container_of_caller(d, container, route_verb(d), &o))
                return;
        const char *id = json_string_value(json_object_get(o, "id"));
        switch (rt->op) {
        case ROUTE_OP_EXEC_CREATE:
                decide_exec_create(d, o);
                return;
        case ROUTE_OP_CONTAINER_ARCHIVE: {
                /* HEAD only stats a path, and copies nothing: answered, the
                 * CLI goes on to the PUT or GET and shows its refusal (an
                 * answer to HEAD has no body for the sentence) */
                if (streq(d->method, "HEAD"))
                        break;
                _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
                struct policy_identity pid = { .user = d->who.user, .uid = d->who.uid, .gid = d->who.gid };
                if (policy_check_cp(&pid, owner_host_paths(o), &v) < 0 || !v.allowed) {
                        decide_refuse(d, 403, AUDIT_ACCESS_DENY, "%s", v.reason[0] ? v.reason : "berth: the copy could not be checked.");
                        return;
                }
                break;
        }
        case ROUTE_OP_CONTAINER_RENAME: {
                _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
                struct policy_identity pid = { .user = d->who.user, .uid = d->who.uid, .gid = d->who.gid };
                if (policy_check_rename(&pid, json_is_true(json_object_get(o, "managed")),
                                        json_string_value(json_object_get(o, "name")), &v) < 0 ||
                    !v.allowed) {
                        decide_refuse(d, 403, AUDIT_ACCESS_DENY, "%s%s%s",
                                      v.reason[0] ? v.reason : "berth: the rename could not be checked.",
                                      v.hint[0] ? " " : "", v.hint);
                        return;
                }
                _cleanup_free_ char *full = NULL;
                const char *name = route_query_get(&d->match, "name");
                int r = name ? name_container_typed(name, d->who.user, &full) : -EINVAL;
                if (r == -EPERM) {
                        decide_refuse(d, 403, AUDIT_ACCESS_DENY, "berth: %s carries another user's suffix; rename to a plain name.", name);
                        return;
                }
                if (r < 0) {
                        decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: '%s' is not a name a container may have.", strempty(name));
                        return;
                }
                if (route_query_set(&d->match, "name", full) < 0) {
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
                        return;
                }
                break;
        }
        case ROUTE_OP_CONTAINER_UPDATE:
                if (decide_update(d))
                        return;
                break;
        case ROUTE_OP_CONTAINER_START: {
                /* GPUs it gave up while stopped are taken back first, or the start is refused */
                _cleanup_json_ json_t *on_behalf = decide_for(&d->who), *req = NULL, *reply = NULL;
                _cleanup_free_ char *kind = NULL;
                struct berth_error err = { 0 };
                req = on_behalf && id ? json_pack("{s:s,s:s,s:O}", "op", "start", "target", id, "for", on_behalf) : NULL;
                int r = req ? slicemgr_call(d->config->control_socket, req, GATE_SLICEMGR_TIMEOUT_MS, &reply, &kind, &err)
                            : -ENOMEM;
                if (r == -EPERM) {
                        decide_refuse(d, 409, _AUDIT_EVENT_INVALID, "%s", err.message); /* berth-slicemgr audited it */
                        return;
                }
                if (r < 0) {
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID,
                                      "berth: the container cannot be started until berth-slicemgr answers again; ask an admin.");
                        return;
                }
                break;
        }
        default:
                break;
        }
        decide_forward(d, id);
}

/* --- create ---------------------------------------------------------------- */

static bool label_is(const char *label, const char *key, const char **ret_value) {
        size_t n = strlen(key);
        if (strncmp(label, key, n) != 0 || (label[n] != '=' && label[n] != 0))
                return false;
        if (ret_value)
                *ret_value = label[n] == '=' ? label + n + 1 : "";
        return true;
}

/* The wrapper reserved already and put what the reservation says into the
 * request: take those words back out of the spec (the policy would refuse
 * them as the user's own) once berth-slicemgr confirms the reservation is
 * this caller's. */
static int claim_strip(struct container_spec *s, json_t *inject) {
        json_t *labels = json_object_get(inject, "labels");
        char **out = NULL;
        for (char **l = s->labels; l && *l; l++) {
                const char *k = *l, *eq = strchr(k, '=');
                _cleanup_free_ char *key = eq ? strndup(k, (size_t) (eq - k)) : strdup(k);
                const char *want = key ? json_string_value(json_object_get(labels, key)) : NULL;
                if (want && streq(eq ? eq + 1 : "", want))
                        continue; /* the reservation's own label: berth writes it again */
                if (strv_push(&out, *l) < 0) {
                        strv_free(out);
                        return -ENOMEM;
                }
        }
        strv_free(s->labels);
        s->labels = out;
        const char *slice = json_string_value(json_object_get(inject, "cgroup_parent"));
        if (s->cgroup_parent && slice && streq(s->cgroup_parent, slice))
                s->cgroup_parent = mfree(s->cgroup_parent);
        json_t *env = json_object_get(inject, "env");
        char **keep = NULL;
        for (char **e = s->env; e && *e; e++) {
                const char *eq = strchr(*e, '=');
                _cleanup_free_ char *key = eq ? strndup(*e, (size_t) (eq - *e)) : NULL;
                const char *want = key ? json_string_value(json_object_get(env, key)) : NULL;
                if (want && streq(eq + 1, want))
                        continue;
                if (strv_push(&keep, *e) < 0) {
                        strv_free(keep);
                        return -ENOMEM;
                }
        }
        strv_free(s->env);
        s->env = keep;
        const char *gpus = json_string_value(json_object_get(inject, "gpus"));
        if (gpus)
                strv_free(TAKE_PTR(s->gpus)); /* the reservation's devices, written again below */
        return 0;
}

static const char *spec_label(const struct container_spec *s, const char *key) {
        const char *v = NULL;
        for (char **l = s->labels; l && *l; l++)
                label_is(*l, key, &v);
        return v;
}

/* A create with no name and no berth.project label: the project is the
 * image's repository (its last path component, no tag), which is what a
 * person would call it. */
static int project_of_image(const char *image, char **ret) {
        _cleanup_free_ char *base = NULL;
        const char *slash = image ? strrchr(image, '/') : NULL;
        base = strdup(slash ? slash + 1 : image ? image : "container");
        if (!base)
                return -ENOMEM;
        base[strcspn(base, ":@")] = 0;
        return name_project(NULL, NULL, *base ? base : "container", ret) < 0 ? name_project("container", NULL, "/", ret)
                                                                               : 0;
}

static void decide_create(struct decision *d) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_(decide_caller_done) struct decide_caller c = { 0 };
        _cleanup_json_ json_t *doc = NULL, *reply = NULL, *req = NULL, *on_behalf = NULL;
        _cleanup_free_ char *kind = NULL, *project = NULL, *rewritten = NULL;
        struct berth_error err = { 0 };
        bool claimed = false;

        if (api_create_parse(d->body, d->body_len, &s, &doc, &err) < 0) {
                decide_refuse(d, 400, AUDIT_CONTAINER_DENY, "%s", err.message[0] ? err.message : "berth: the create request could not be read.");
                return;
        }
        const char *qname = route_query_get(&d->match, "name");
        if (qname && *qname && !(s.name = strdup(qname[0] == '/' ? qname + 1 : qname))) {
                decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
                return;
        }
        free(d->container);
        d->container = s.name ? strdup(s.name) : NULL;
        if (decide_caller_get(d, &c) < 0) {
                decide_refuse(d, 503, AUDIT_CONTAINER_DENY, "berth: your account could not be looked up in berth's configuration; ask an admin.");
                return;
        }
        on_behalf = decide_for(&d->who);
        if (!on_behalf) {
                decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
                return;
        }

        /* the wrapper's reservation, if it made one */
        const char *rid = spec_label(&s, "berth.reservation");
        if (rid) {
                req = json_pack("{s:s,s:s,s:O}", "op", "claim", "reservation", rid, "for", on_behalf);
                int r = req ? slicemgr_call(d->config->control_socket, req, GATE_SLICEMGR_TIMEOUT_MS, &reply, &kind, &err)
                            : -ENOMEM;
                if (r == -EPERM) {
                        decide_refuse(d, 403, AUDIT_CONTAINER_DENY, "%s", err.message);
                        return;
                }
                if (r < 0) {
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "%s", err.message[0] ? err.message : "berth: berth-slicemgr did not answer.");
                        return;
                }
                const char *name = json_string_value(json_object_get(reply, "name"));
                if (!name || !s.name || !streq(name, s.name)) {
                        decide_refuse(d, 403, AUDIT_CONTAINER_DENY, "berth: reservation %s is for %s, not for %s.", rid, strempty(name),
                               strempty(s.name));
                        return;
                }
                if (claim_strip(&s, json_object_get(reply, "inject")) < 0) {
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
                        return;
                }
                /* the wrapper commits or cancels its own reservation */
                claimed = true;
        }

        struct decide_ask a = { d->config->control_socket, &d->who };
        struct spec_facts f = { .user = d->who.user, .cwd = "/", .ask = decide_ask_owner, .userdata = &a };
        enum spec_facts_refusal refused = SPEC_FACTS_OK;
        _cleanup_free_ char *own_image = NULL;
        if (spec_facts_own_image(&f, s.image, &own_image) >= 0 && own_image) {
                free(s.image);
                s.image = TAKE_PTR(own_image);
        }
        if (spec_facts_resolve(&f, &s, &refused, &err) < 0) {
                decide_refuse(d, 503, AUDIT_CONTAINER_DENY, "%s",
                       err.message[0] ? err.message : "berth: what the container names could not be checked; try again.");
                return;
        }
        if (refused != SPEC_FACTS_OK) {
                decide_refuse(d, 403, AUDIT_CONTAINER_DENY, "%s", err.message);
                return;
        }
        if (policy_check(d->config, &c.ru, &c.id, &s, &v) < 0) {
                decide_refuse(d, 400, AUDIT_CONTAINER_DENY, "%s", v.reason[0] ? v.reason : "berth: the container request could not be checked.");
                return;
        }
        if (!v.allowed) {
                decide_refuse(d, 403, AUDIT_CONTAINER_DENY, "%s%s%s", v.reason, v.hint[0] ? " " : "", v.hint);
                return;
        }

        if (!claimed) {
                json_t *spec = json_object();
                if (!spec) {
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
                        return;
                }
                if (s.name)
                        json_object_set_new(spec, "name", json_string(s.name));
                if (s.image)
                        json_object_set_new(spec, "image", json_string(s.image));
                if (v.project ? name_project(v.project, NULL, "/", &project) >= 0 : project_of_image(s.image, &project) >= 0)
                        json_object_set_new(spec, "project", json_string(project));
                if (policy_verdict_reserve_spec(&v, spec) < 0) {
                        json_decref(spec);
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
                        return;
                }
                json_decref(req);
                json_decref(reply);
                reply = NULL;
                kind = mfree(kind);
                req = json_pack("{s:s,s:o,s:O}", "op", "reserve", "spec", spec, "for", on_behalf);
                int r = req ? slicemgr_call(d->config->control_socket, req, GATE_SLICEMGR_TIMEOUT_MS, &reply, &kind, &err)
                            : -ENOMEM;
                if (r == -EPERM) {
                        decide_refuse(d, 403, _AUDIT_EVENT_INVALID, "%s", err.message); /* berth-slicemgr audited it */
                        return;
                }
                if (r < 0) {
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID,
                               "berth: no container can be created until berth-slicemgr answers again; ask an admin.");
                        return;
                }
                const char *id = json_string_value(json_object_get(reply, "reservation"));
                d->reservation = id ? strdup(id) : NULL;
        }

        json_t *inject = json_object_get(reply, "inject");
        const char *full = json_string_value(json_object_get(inject, "name"));
        struct api_owner o = { .uid = c.id.uid, .gid = c.id.gid, .gids = c.id.gids, .n_gids = c.id.n_gids };
        if ((!claimed && !d->reservation) || !full || api_create_rewrite(doc, &s, inject, v.run_as_owner ? &o : NULL, &rewritten) < 0 ||
            route_query_set(&d->match, "name", full) < 0) {
                decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: berth-slicemgr gave an answer the gate cannot use; ask an admin.");
                return; /* conn.c cancels the reservation: no answer came */
        }
        free(d->container);
        d->container = strdup(full);
        d->new_body = TAKE_PTR(rewritten);
        d->new_body_len = strlen(d->new_body);
        d->replace_body = true;
        decide_forward(d, NULL);

        const char *gpus = json_string_value(json_object_get(json_object_get(inject, "labels"), "berth.gpus"));
        struct audit_fields af = AUDIT_FIELDS_INIT;
        af.user = d->who.user;
        af.uid = (long) d->who.uid;
        af.container = full;
        af.gpus = gpus;
        af.slice = json_string_value(json_object_get(reply, "slice"));
        (void) audit_log(AUDIT_CONTAINER_CREATE, &af, "berth: %s may create %s from %s in %s%s%s (through the gate)",
                         d->who.user, full, strempty(s.image), strempty(af.slice), gpus && *gpus ? " with GPUs " : "",
                         gpus ? gpus : "");
}

void decide_run(struct decision *d) {
        const struct route *rt = d->match.route;
        struct berth_error err = { 0 };
        switch (rt->kind) {
        case ROUTE_OWNER:
                decide_owned(d, d->match.param);
                return;
        case ROUTE_EXEC: {
                _cleanup_free_ char *container = NULL;
                int r = exec_container(d, d->match.param, &container, &err);
                if (r == -ENOENT) {
                        decide_refuse(d, 404, _AUDIT_EVENT_INVALID, "No such exec instance: %s", strempty(d->match.param));
                        return;
                }
                if (r < 0) {
                        decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: Docker could not say whose exec %s is; try again.",
                               strempty(d->match.param));
                        return;
                }
                _cleanup_json_ json_t *o = NULL;
                if (decide_container_of_caller(d, container, "exec into", &o))
                        return;
                decide_forward(d, NULL);
                return;
        }
        case ROUTE_POLICY:
                if (rt->op == ROUTE_OP_CONTAINER_CREATE) {
                        decide_create(d);
                        return;
                }
                if (rt->op == ROUTE_OP_EXEC_CREATE || rt->op == ROUTE_OP_CONTAINER_UPDATE) {
                        decide_owned(d, d->match.param);
                        return;
                }
                switch (rt->op) {
                case ROUTE_OP_VOLUME_CREATE:
                case ROUTE_OP_VOLUME_TARGET:
                case ROUTE_OP_NETWORK_CREATE:
                case ROUTE_OP_NETWORK_TARGET:
                case ROUTE_OP_NETWORK_CONNECT:
                case ROUTE_OP_NETWORK_DISCONNECT:
                        decide_objects(d);
                        return;
                default:
                        decide_images(d);
                        return;
                }
        default:
                decide_refuse(d, 403, AUDIT_ACCESS_DENY, "berth: this request is not one berth understands; it is refused.");
                return;
        }
}

/* --- after the answer ------------------------------------------------------- */

void decide_settle(const char *control_socket, const struct gate_identity *who, const char *reservation,
                   int http_status) {
        _cleanup_json_ json_t *on_behalf = decide_for(who), *req = NULL, *reply = NULL;
        _cleanup_free_ char *kind = NULL;
        struct berth_error err = { 0 };
        if (!on_behalf)
                return;
        req = json_pack("{s:s,s:s,s:O}", "op", http_status == 201 ? "commit" : "cancel", "reservation", reservation, "for",
                        on_behalf);
        if (req)
                (void) slicemgr_call(control_socket, req, GATE_SLICEMGR_TIMEOUT_MS, &reply, &kind, &err);
}

void decide_identity(const struct berth_config *config, struct gate_identity *who) {
        /* NSS, as berth-slicemgr asks it, and the one admin rule: the gate
         * knows who calls even while berth-slicemgr is away */
        struct passwd pw, *pwr = NULL;
        char buf[4096];
        if (getpwuid_r(who->uid, &pw, buf, sizeof(buf), &pwr) != 0 || !pwr) {
                if (asprintf(&who->error, "berth: uid %u has no account name; ask an admin to check NSS.",
                             (unsigned) who->uid) < 0)
                        who->error = NULL;
                return;
        }
        who->user = strdup(pw.pw_name);
        who->admin = identity_is_admin(config->admin_group, who->uid, pw.pw_name, pw.pw_gid, who->gid);
}

/* --- /system/df, cut --------------------------------------------------------- */

static bool labels_owner_is(json_t *item, const char *user) {
        json_t *labels = json_object_get(item, "Labels");
        const char *owner = json_string_value(json_object_get(labels, "berth.user"));
        return owner && streq(owner, user);
}

static int filter_df(const struct gate_identity *who, const char *body, size_t len, char **ret) {
        json_error_t e;
        _cleanup_json_ json_t *o = json_loadb(body ? body : "", len, 0, &e);
        if (!json_is_object(o) || !who->user)
                return -EBADMSG;
        static const char *const lists[] = { "Containers", "Volumes" };
        for (size_t k = 0; k < ELEMENTSOF(lists); k++) {
                json_t *a = json_object_get(o, lists[k]), *keep = json_array();
                size_t i;
                json_t *it;
                if (!keep)
                        return -ENOMEM;
                json_array_foreach(a, i, it)
                        if (labels_owner_is(it, who->user))
                                json_array_append(keep, it);
                json_object_set_new(o, lists[k], keep);
        }
        /* images are shared (their names say whose); the build cache is everyone's */
        json_object_set_new(o, "BuildCache", json_array());
        *ret = json_dumps(o, JSON_COMPACT);
        return *ret ? 0 : -ENOMEM;
}

/* Asked of every answer's Api-Version. */
const char *decide_api_version(const char *v) {
        return v && docker_api_version_cmp(v, ROUTE_VERSION_MAX) > 0 ? ROUTE_VERSION_MAX : v;
}

int decide_answer_body(const struct decision *d, int status, const char *body, size_t len, char **ret) {
        if (status == 200 && d->answer == DECISION_ANSWER_DF)
                return filter_df(&d->who, body, len, ret);
        if (status == 200 && d->answer == DECISION_ANSWER_VERSION && streq(d->match.path, "/version")) {
                json_error_t e;
                _cleanup_json_ json_t *o = json_loadb(body ? body : "", len, 0, &e);
                const char *v = json_string_value(json_object_get(o, "ApiVersion"));
                if (v && decide_api_version(v) != v) {
                        json_object_set_new(o, "ApiVersion", json_string(ROUTE_VERSION_MAX));
                        *ret = json_dumps(o, JSON_COMPACT);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        *ret = strndup(body ? body : "", len);
        return *ret ? 0 : -ENOMEM;
}
