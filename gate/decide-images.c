/* SPDX-License-Identifier: MIT */
/* Images, commits and builds through the gate, by the wrapper's rules
 * (lib/policy/image-rules.h, policy_check_build()) read off the Engine
 * API's query and body: the names a user gives land in berth/<user>/, names
 * they do not own never move, a build runs in their slice with their
 * labels, and what dockerd would fetch itself or run outside the slice
 * (remote=, fromSrc=URL, BuildKit) is refused with what works instead. */
#include "decide-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/util.h"
#include "core/names.h"
#include "policy/image-rules.h"
#include "policy/policy.h"
#include "system/slicemgr-client.h"
#include "system/spec-facts.h"

static bool out_of_memory(struct decision *d) {
        return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
}

/* One sentence: the verdict's reason, then its hint. */
static bool refuse_verdict(struct decision *d, int status, const struct policy_verdict *v) {
        return decide_refuse(d, status, AUDIT_ACCESS_DENY, "%s%s%s", v->reason, v->hint[0] ? " " : "", v->hint);
}

/* After a rule: true (refused) when it ran out of memory or said no. */
static bool refused_by(struct decision *d, int r, const struct policy_verdict *v) {
        if (r < 0)
                return out_of_memory(d);
        return !v->allowed && refuse_verdict(d, 403, v);
}

static bool isempty(const char *s) {
        return !s || !*s;
}

static const char *query(const struct decision *d, const char *key) {
        return route_query_get(&d->match, key);
}

/* Every value of key, in order (a new strv; NULL when none). */
static int query_values(const struct decision *d, const char *key, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        for (char **q = d->match.query; q && q[0] && q[1]; q += 2)
                if (streq(q[0], key) && strv_push(&v, q[1]) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

/* key given once for each of values (after whatever else the query holds). */
static int query_set_all(struct decision *d, const char *key, char *const *values) {
        route_query_remove(&d->match, key);
        for (char *const *v = values; v && *v; v++)
                if (strv_push(&d->match.query, key) < 0 || strv_push(&d->match.query, *v) < 0)
                        return -ENOMEM;
        return 0;
}

/* berth-slicemgr's owner answers for images, asked for the caller.  true:
 * refused (it could not be asked, or said no). */
static bool ask_images(struct decision *d, char **names, json_t **ret) {
        struct decide_ask a = { d->config->control_socket, &d->who };
        struct berth_error err = { 0 };
        bool admin = false;
        int r = decide_ask_owner(&a, "image", names, ret, &admin, &err);
        if (r == -EPERM)
                return decide_refuse(d, 403, _AUDIT_EVENT_INVALID, "%s", err.message);
        if (r < 0)
                return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "%s",
                                     err.message[0] ? err.message
                                                    : "berth: image names cannot be checked until berth-slicemgr answers again; ask an admin.");
        return false;
}

/* Names given as targets (tag, commit, import, build's t): *ret the names
 * dockerd gets, in the caller's namespace.  true: refused. */
static bool image_targets(struct decision *d, char *const *typed, char ***ret) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **full = NULL, **asked = NULL;
        _cleanup_json_ json_t *owners = NULL;

        if (policy_image_targets(typed, d->who.user, &full, &asked, &v) < 0)
                return out_of_memory(d);
        if (!v.allowed)
                return refuse_verdict(d, streq_ptr(v.rule, "image-name") ? 400 : 403, &v);
        if (asked && ask_images(d, asked, &owners))
                return true;
        if (refused_by(d, policy_image_targets_owned(asked, owners, d->who.user, &v), &v))
                return true;
        *ret = TAKE_PTR(full);
        return false;
}

/* The repo and tag parameters (tag, commit, import) as one target name,
 * put back as repo= alone.  No repo: the image is left without a name,
 * which only tag refuses.  true: refused. */
static bool repo_target(struct decision *d, bool required) {
        _cleanup_free_ char *typed = NULL;
        _cleanup_strv_free_ char **full = NULL;
        const char *repo = query(d, "repo");

        if (isempty(repo)) {
                if (required)
                        return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the new name is missing; give it as repo= (and tag=).");
                return false;
        }
        if (name_image_repo_tag(repo, query(d, "tag"), &typed) < 0)
                return out_of_memory(d);
        char *names[] = { typed, NULL };
        if (image_targets(d, names, &full))
                return true;
        /* "berth/alice/x:v1" in repo alone: Docker takes its tag from there */
        if (route_query_set(&d->match, "repo", full[0]) < 0)
                return out_of_memory(d);
        route_query_remove(&d->match, "tag");
        return false;
}

/* changes= (commit, import): no LABEL may set a berth.* label.  true: refused. */
static bool check_changes(struct decision *d) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **changes = NULL;
        if (query_values(d, "changes", &changes) < 0)
                return out_of_memory(d);
        return refused_by(d, policy_check_changes(changes, &v), &v);
}

static void audit_image(struct decision *d, enum audit_event ev, const char *what, const char *name, const char *slice) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.user = d->who.user;
        f.uid = (long) d->who.uid;
        f.slice = slice;
        (void) audit_log(ev, &f, "berth: %s may %s %s%s%s (through the gate)", d->who.user, what, strempty(name),
                         slice ? " in " : "", strempty(slice));
}

/* --- pull, import, tag, push, load, remove ------------------------------------ */

static void decide_pull(struct decision *d) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        if (refused_by(d, policy_image_pull(query(d, "fromImage"), d->who.user, &v), &v))
                return;
        decide_forward(d, NULL);
}

static void decide_import(struct decision *d) {
        const char *src = query(d, "fromSrc");
        if (!streq_ptr(src, "-")) {
                /* anything but the request's body is a URL dockerd fetches as root */
                decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                              "berth: importing from a URL (fromSrc=%s) is not available here, as dockerd would fetch it itself; fetch the file yourself and import it: docker import FILE NAME.",
                              strempty(src));
                return;
        }
        if (check_changes(d) || repo_target(d, false))
                return;
        decide_forward(d, NULL);
        audit_image(d, AUDIT_IMAGE_CREATE, "import", query(d, "repo"), NULL);
}

static void decide_tag(struct decision *d) {
        _cleanup_free_ char *own = NULL;
        if (repo_target(d, true))
                return;
        /* the source as run finds it: the caller's own first (never a refusal) */
        struct decide_ask a = { d->config->control_socket, &d->who };
        struct spec_facts f = { .user = d->who.user, .ask = decide_ask_owner, .userdata = &a };
        (void) spec_facts_own_image(&f, d->match.param, &own);
        decide_forward(d, own);
        audit_image(d, AUDIT_IMAGE_CREATE, "tag", query(d, "repo"), NULL);
}

static void decide_load(struct decision *d) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        struct policy_identity id = { .user = d->who.user, .uid = d->who.uid, .gid = d->who.gid };
        if (refused_by(d, policy_check_load(&id, &v), &v))
                return;
        decide_forward(d, NULL);
}

static void decide_delete(struct decision *d) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_json_ json_t *owners = NULL;
        const char *ref = d->match.param;
        char *names[] = { (char *) ref, NULL };

        if (refused_by(d, policy_image_remove_named(ref, route_query_bool(query(d, "force")), d->who.user, &v), &v) ||
            ask_images(d, names, &owners) ||
            refused_by(d, policy_image_remove_owned(json_array_get(owners, 0), ref, d->who.user, &v), &v))
                return;
        decide_forward(d, NULL);
        audit_image(d, AUDIT_IMAGE_DELETE, "remove", ref, NULL);
}

/* --- commit ------------------------------------------------------------------- */

/* The container configuration a commit body may carry (Docker's
 * container.Config, and the two keys of its wrapper): keys are taken only
 * as Docker spells them, since its decoder would match any case. */
static const char *const commit_config_keys[] = {
        "Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty",
        "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck", "ArgsEscaped", "Image", "Volumes", "WorkingDir",
        "Entrypoint", "NetworkDisabled", "MacAddress", "OnBuild", "Labels", "StopSignal", "StopTimeout", "Shell",
        "HostConfig", "NetworkingConfig",
};

/* The berth.* labels berth's own tools put on a user's image (`image
 * create`, `container retire --save`) with the caller's own values:
 * berth.managed=true, berth.user, berth.uid and berth.group of the caller,
 * berth.image (the name `image` shows), and berth.gpus, berth.reservation,
 * berth.created and berth.seal cleared (empty).  An image
 * holds nothing and every name of it is the caller's, so these say nothing
 * a user could not; any other berth.* label stays berth's alone. */
static bool own_image_label(struct decision *d, const char *key, const char *value) {
        char uid[32];
        snprintf(uid, sizeof(uid), "%u", (unsigned) d->who.uid);
        if (streq(key, "berth.managed"))
                return streq(value, "true");
        if (streq(key, "berth.user"))
                return streq(value, d->who.user);
        if (streq(key, "berth.uid"))
                return streq(value, uid);
        if (streq(key, "berth.image"))
                return true;
        if (streq(key, "berth.gpus") || streq(key, "berth.reservation") || streq(key, "berth.created") ||
            streq(key, "berth.seal"))
                return streq(value, ""); /* cleared, so the container's own are not copied into the image */
        if (streq(key, "berth.group")) {
                _cleanup_(resolved_user_done) struct resolved_user ru = { 0 };
                return config_resolve_user(d->config, d->who.user, time(NULL), &ru) >= 0 && ru.group &&
                       streq(value, ru.group);
        }
        return false;
}

/* The body's Labels and OnBuild land in the image: the label rule holds
 * for them as for changes=.  true: refused. */
static bool check_commit_config(struct decision *d) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **onbuild = NULL;
        _cleanup_json_ json_t *cfg = NULL;
        const char *key;
        json_t *val;
        json_error_t e;

        if (!d->body || d->body_len == 0)
                return false;
        cfg = json_loadb(d->body, d->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
        if (json_is_null(cfg))
                return false;
        if (!json_is_object(cfg))
                return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the commit's body is not a container configuration berth can read.");
        json_object_foreach(cfg, key, val) {
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(commit_config_keys) && !known; i++)
                        known = streq(key, commit_config_keys[i]);
                if (!known)
                        return decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                                             "berth: the commit's configuration has a key berth does not know (%.64s); spell it as Docker does.", key);
                if (streq(key, "Labels") && !json_is_null(val)) {
                        const char *label;
                        json_t *lv;
                        if (!json_is_object(val))
                                return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the commit's Labels are not a JSON object.");
                        json_object_foreach(val, label, lv)
                                if (policy_label_reserved(label) &&
                                    !(json_is_string(lv) && own_image_label(d, label, json_string_value(lv))))
                                        return decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                                                             "berth: the label %.128s is berth's to set; leave berth.* labels out of the commit.", label);
                } else if (streq(key, "OnBuild") && !json_is_null(val)) {
                        size_t i;
                        json_t *line;
                        if (!json_is_array(val))
                                return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the commit's OnBuild is not a list of instructions.");
                        json_array_foreach(val, i, line)
                                if (!json_is_string(line))
                                        return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the commit's OnBuild is not a list of instructions.");
                                else if (strv_push(&onbuild, json_string_value(line)) < 0)
                                        return out_of_memory(d);
                }
        }
        return refused_by(d, policy_check_changes(onbuild, &v), &v);
}

static void decide_commit(struct decision *d) {
        _cleanup_json_ json_t *o = NULL;
        const char *container = query(d, "container");

        if (isempty(container)) {
                decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the container to commit is missing; give it as container=.");
                return;
        }
        if (decide_container_of_caller(d, container, "commit", &o))
                return;
        /* the container checked is the one dockerd commits */
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!id) {
                decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: berth-slicemgr did not say which container %s is; try again.", container);
                return;
        }
        if (route_query_set(&d->match, "container", id) < 0) {
                out_of_memory(d);
                return;
        }
        if (check_changes(d) || check_commit_config(d) || repo_target(d, false))
                return;
        decide_forward(d, NULL);
        audit_image(d, AUDIT_IMAGE_CREATE, "commit", query(d, "repo"), NULL);
}

/* --- build ------------------------------------------------------------------------ */

/* POST /build's query keys (moby api/server/router/build, v20.10 to v27)
 * with no rule of berth's: read by the classic builder for its own steps,
 * which run in the caller's slice, as docker_build_spec() reads argv. */
static const char *const build_harmless[] = {
        "dockerfile", "extrahosts", "q", "nocache", "cachefrom", "pull", "rm", "forcerm", "memory", "cpushares",
        "cpusetcpus", "cpusetmems", "cpuperiod", "cpuquota", "buildargs", "shmsize", "squash", "platform", "target",
        "isolation", "buildid",
};
/* The keys read below, and the ones refused before (version, remote, session). */
static const char *const build_read[] = {
        "t", "labels", "cgroupparent", "networkmode", "securityopt", "ulimits", "memswap", "outputs",
        "version", "remote", "session",
};

static bool in_list(const char *const *list, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (streq(list[i], s))
                        return true;
        return false;
}

/* A JSON parameter that says "none": "", null, [] or {}. */
static bool json_param_empty(const char *s) {
        json_error_t e;
        if (isempty(s))
                return true;
        _cleanup_json_ json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
        return json_is_null(j) || (json_is_array(j) && json_array_size(j) == 0) ||
               (json_is_object(j) && json_object_size(j) == 0);
}

/* The caller's slice, made if need be, by berth-slicemgr's ensure-slice
 * for them.  true: refused. */
static bool caller_slice(struct decision *d, char **ret) {
        _cleanup_json_ json_t *on_behalf = decide_for(&d->who), *req = NULL, *reply = NULL;
        _cleanup_free_ char *kind = NULL;
        struct berth_error err = { 0 };

        req = on_behalf ? json_pack("{s:s,s:O}", "op", "ensure-slice", "for", on_behalf) : NULL;
        if (!req)
                return out_of_memory(d);
        int r = slicemgr_call(d->config->control_socket, req, GATE_SLICEMGR_TIMEOUT_MS, &reply, &kind, &err);
        if (r == -EPERM)
                return decide_refuse(d, 403, _AUDIT_EVENT_INVALID, "%s", err.message); /* berth-slicemgr audited it */
        const char *slice = json_string_value(json_object_get(reply, "slice"));
        if (r < 0 || !slice)
                return decide_refuse(d, 503, _AUDIT_EVENT_INVALID,
                                     "berth: no build can start until berth-slicemgr answers again; ask an admin.");
        *ret = strdup(slice);
        return *ret ? false : out_of_memory(d);
}

/* The query as policy_check_build() takes it, into b; *ret_labels the
 * labels parameter as an object.  The labels and cgroup parent the wrapper
 * already gave for this caller (own, slice) are berth's own, not the
 * user's: they are left out.  true: refused (a parameter Docker could not
 * read either). */
static bool build_spec_read(struct decision *d, const char *slice, char *const *own, struct build_spec *b,
                            json_t **ret_labels) {
        _cleanup_json_ json_t *labels = NULL;
        const char *v;

        v = query(d, "labels");
        if (!isempty(v)) {
                json_error_t e;
                const char *key;
                json_t *val, *tmp;
                labels = json_loads(v, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
                if (json_is_null(labels)) {
                        json_decref(labels);
                        labels = NULL;
                } else if (!json_is_object(labels))
                        return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the build's labels are not a JSON object of strings.");
                json_object_foreach_safe(labels, tmp, key, val) {
                        _cleanup_free_ char *kv = NULL;
                        if (!json_is_string(val))
                                return decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: the build's labels are not a JSON object of strings.");
                        if (asprintf(&kv, "%s=%s", key, json_string_value(val)) < 0)
                                return out_of_memory(d);
                        if (strv_contains(own, kv)) {
                                json_object_del(labels, key);
                                continue;
                        }
                        if (own_image_label(d, key, json_string_value(val)))
                                continue; /* kept as it is: it says what berth would */
                        if (strv_push(&b->labels, kv) < 0)
                                return out_of_memory(d);
                }
        }
        v = query(d, "cgroupparent");
        b->cgroup_parent = !isempty(v) && !streq(v, slice);
        v = query(d, "networkmode");
        if (!isempty(v) && strv_push(&b->networks, v) < 0)
                return out_of_memory(d);
        if (query_values(d, "securityopt", &b->security_opts) < 0)
                return out_of_memory(d);
        v = query(d, "ulimits");
        if (!json_param_empty(v) && strv_push(&b->ulimits, v) < 0)
                return out_of_memory(d);
        v = query(d, "memswap");
        if (!isempty(v)) {
                char *end;
                errno = 0;
                long long n = strtoll(v, &end, 10);
                b->memory_swap = errno || *end || n != 0;
        }
        v = query(d, "outputs");
        if (!json_param_empty(v) && strv_push(&b->outputs, v) < 0)
                return out_of_memory(d);
        for (char **q = d->match.query; q && q[0] && q[1] && !b->undecided; q += 2)
                if (!in_list(build_harmless, ELEMENTSOF(build_harmless), q[0]) &&
                    !in_list(build_read, ELEMENTSOF(build_read), q[0]) && !(b->undecided = strdup(q[0])))
                        return out_of_memory(d);
        *ret_labels = labels ? TAKE_PTR(labels) : json_object();
        return *ret_labels ? false : out_of_memory(d);
}

static void decide_build(struct decision *d) {
        _cleanup_(build_spec_done) struct build_spec b = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **own = NULL, **tags = NULL, **full = NULL;
        _cleanup_free_ char *slice = NULL, *dumped = NULL;
        _cleanup_json_ json_t *labels = NULL;
        const char *version = query(d, "version");

        if (streq_ptr(version, "2")) {
                /* BuildKit runs RUN steps in dockerd's own cgroup, whatever cgroupparent says */
                decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                              "berth: BuildKit builds (version=2) would run their steps outside your slice on this machine; build with the classic builder instead: DOCKER_BUILDKIT=0 docker build ….");
                return;
        }
        if (!isempty(version) && !streq(version, "1")) {
                decide_refuse(d, 400, AUDIT_ACCESS_DENY, "berth: version=%.32s is no builder Docker has; leave it out for the classic builder.", version);
                return;
        }
        if (!isempty(query(d, "remote"))) {
                decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                              "berth: building from a URL or git repository (remote=%.200s) is not available here, as dockerd would fetch it itself; fetch or clone it yourself and build the directory: docker build DIR.",
                              query(d, "remote"));
                return;
        }
        if (!isempty(query(d, "session"))) {
                decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                              "berth: build sessions belong to BuildKit, which would run build steps outside your slice on this machine; build with the classic builder instead: DOCKER_BUILDKIT=0 docker build ….");
                return;
        }
        if (policy_build_labels(d->who.user, d->who.uid, &own) < 0) {
                out_of_memory(d);
                return;
        }
        if (caller_slice(d, &slice) || build_spec_read(d, slice, own, &b, &labels))
                return;
        struct policy_identity id = { .user = d->who.user, .uid = d->who.uid, .gid = d->who.gid };
        if (refused_by(d, policy_check_build(d->config, &id, &b, &v), &v))
                return;
        /* its tags land in the caller's namespace */
        if (query_values(d, "t", &tags) < 0) {
                out_of_memory(d);
                return;
        }
        if (tags && image_targets(d, tags, &full))
                return;
        /* berth's labels and the caller's slice, as wrapper_build_argv() gives them */
        for (char **l = own; *l; l++) {
                const char *eq = strchr(*l, '=');
                _cleanup_free_ char *k = strndup(*l, (size_t) (eq - *l));
                if (!k || json_object_set_new(labels, k, json_string(eq + 1)) < 0) {
                        out_of_memory(d);
                        return;
                }
        }
        dumped = json_dumps(labels, JSON_COMPACT);
        if (!dumped || query_set_all(d, "t", full) < 0 || route_query_set(&d->match, "labels", dumped) < 0 ||
            route_query_set(&d->match, "cgroupparent", slice) < 0) {
                out_of_memory(d);
                return;
        }
        decide_forward(d, NULL);
        audit_image(d, AUDIT_IMAGE_CREATE, "build", full ? full[0] : "an untagged image", slice);
}

/* --- BuildKit's session, build cancel ---------------------------------------------- */

/* A session is a gRPC server of the client's own that dockerd calls into
 * for a build naming its id (session=, BuildKit's version=2), both refused
 * above; with nothing to serve it is refused too. */
static void decide_session(struct decision *d) {
        decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                      "berth: BuildKit sessions (docker buildx, DOCKER_BUILDKIT=1) serve BuildKit builds, which would run their steps outside your slice on this machine; build with the classic builder instead: DOCKER_BUILDKIT=0 docker build ….");
}

static void decide_build_cancel(struct decision *d) {
        /* only BuildKit builds are cancelled by id, and users have none */
        decide_refuse(d, 403, AUDIT_ACCESS_DENY,
                      "berth: builds are cancelled by id only under BuildKit, which is not available here; a classic build stops when its docker build is interrupted (Ctrl-C).");
}

void decide_images(struct decision *d) {
        switch (d->match.route->op) {
        case ROUTE_OP_IMAGE_PULL:
                decide_pull(d);
                return;
        case ROUTE_OP_IMAGE_IMPORT:
                decide_import(d);
                return;
        case ROUTE_OP_IMAGE_TAG:
                decide_tag(d);
                return;
        case ROUTE_OP_IMAGE_PUSH:
                /* the wrapper's rule: push reads an image anyone may read
                 * (GET /images/{name}/get) and moves no local name */
                decide_forward(d, NULL);
                return;
        case ROUTE_OP_IMAGE_LOAD:
                decide_load(d);
                return;
        case ROUTE_OP_IMAGE_DELETE:
                decide_delete(d);
                return;
        case ROUTE_OP_COMMIT:
                decide_commit(d);
                return;
        case ROUTE_OP_BUILD:
                decide_build(d);
                return;
        case ROUTE_OP_SESSION:
                decide_session(d);
                return;
        case ROUTE_OP_BUILD_CANCEL:
                decide_build_cancel(d);
                return;
        default:
                decide_refuse(d, 403, AUDIT_ACCESS_DENY, "berth: this request is not one berth understands; it is refused.");
                return;
        }
}
