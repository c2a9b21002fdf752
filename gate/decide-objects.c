/* SPDX-License-Identifier: MIT */
/* Volumes and networks through the gate: the rules the wrapper applies to
 * docker volume|network create, inspect, rm, connect and disconnect
 * (policy/objects.h), over what the request asks (policy/api-objects.h)
 * and whose each name is (berth-slicemgr's owner answers, asked for the
 * caller).  Names are Docker's as given: berth maps no volume or network
 * name, it labels them berth.user. */
#include "decide-internal.h"

#include <stdio.h>
#include <string.h>

#include "basic/util.h"
#include "policy/api-objects.h"
#include "policy/objects.h"

static bool refuse_oom(struct decision *d) {
        return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the gate is out of memory; try again in a moment.");
}

/* The policy's answer r, v: true (refused, with its sentence and what to
 * do) unless it allowed. */
static bool refused(struct decision *d, int r, const struct policy_verdict *v) {
        if (r < 0)
                return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "berth: the request could not be checked; try again.");
        if (v->allowed)
                return false;
        return decide_refuse(d, 403, AUDIT_ACCESS_DENY, "%s%s%s", v->reason, v->hint[0] ? " " : "", v->hint);
}

/* berth-slicemgr's owner answer for name, of kind: false with *ret, or
 * true (refused) when it cannot say. */
static bool ask_owner(struct decision *d, const char *kind, const char *name, json_t **ret) {
        struct decide_ask a = { d->config->control_socket, &d->who };
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *answers = NULL;
        char *names[] = { (char *) name, NULL };
        if (decide_ask_owner(&a, kind, names, &answers, NULL, &err) < 0)
                return decide_refuse(d, 503, _AUDIT_EVENT_INVALID, "%s",
                                     err.message[0] ? err.message
                                                    : "berth: berth-slicemgr cannot say whose the name is; try again, or ask an admin.");
        *ret = json_incref(json_array_get(answers, 0));
        return false;
}

/* berth's docker front labels what it creates berth.user=USER itself, and
 * the gate writes that label again: it is not a berth.* label of the user's
 * own. */
static int drop_own_label(struct object_spec *s, const char *user) {
        _cleanup_free_ char *own = NULL;
        char **keep = NULL;
        if (asprintf(&own, "berth.user=%s", user) < 0)
                return -ENOMEM;
        for (char **l = s->labels; l && *l; l++)
                if (!streq(*l, own) && strv_push(&keep, *l) < 0) {
                        strv_free(keep);
                        return -ENOMEM;
                }
        strv_free(s->labels);
        s->labels = keep;
        return 0;
}

static void decide_object_create(struct decision *d, bool network) {
        _cleanup_(object_spec_done) struct object_spec s = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_json_ json_t *doc = NULL, *o = NULL;
        const char *kind = network ? "network" : "volume";
        struct berth_error err = { 0 };

        int r = network ? api_network_create_parse(d->body, d->body_len, &s, &doc, &err)
                        : api_volume_create_parse(d->body, d->body_len, &s, &doc, &err);
        if (r == -ENOMEM || (r >= 0 && drop_own_label(&s, d->who.user) < 0)) {
                refuse_oom(d);
                return;
        }
        if (r < 0) {
                decide_refuse(d, 400, AUDIT_ACCESS_DENY, "%s", err.message);
                return;
        }
        r = network ? policy_check_network_create(&s, &v) : policy_check_volume_create(&s, &v);
        if (refused(d, r, &v))
                return;
        if (s.name) {
                if (ask_owner(d, kind, s.name, &o))
                        return;
                if (refused(d, policy_check_object_name(kind, o, s.name, d->who.user, &v), &v))
                        return;
        }
        if (api_object_create_rewrite(doc, d->who.user, &d->new_body) < 0) {
                refuse_oom(d);
                return;
        }
        d->new_body_len = strlen(d->new_body);
        d->replace_body = true;
        decide_forward(d, NULL);
}

/* GET and DELETE /volumes/{name}: volume names are exact (no prefixes),
 * so the request goes on as it came. */
static void decide_volume_target(struct decision *d) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_json_ json_t *o = NULL;
        const char *name = strempty(d->match.param);
        bool remove = streq(d->method, "DELETE");

        if (ask_owner(d, "volume", name, &o) ||
            refused(d, policy_check_volume_target(o, name, d->who.user, remove ? "rm" : "inspect", remove, &v), &v))
                return;
        decide_forward(d, NULL);
}

/* The network the path names, checked for verb; *ret_id its full id (NULL
 * when Docker has none by that name: Docker answers for itself).  Sent
 * on by id, a name checked cannot come to mean another network. */
static bool network_of_caller(struct decision *d, const char *verb, bool remove, json_t **ret, const char **ret_id) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        const char *name = strempty(d->match.param);

        if (ask_owner(d, "network", name, ret) ||
            refused(d, policy_check_network_target(*ret, name, d->who.user, verb, remove, &v), &v))
                return true;
        *ret_id = json_is_true(json_object_get(*ret, "exists")) ? json_string_value(json_object_get(*ret, "id")) : NULL;
        return false;
}

static void decide_network_target(struct decision *d) {
        _cleanup_json_ json_t *o = NULL;
        const char *id = NULL;
        bool remove = streq(d->method, "DELETE");
        if (network_of_caller(d, remove ? "rm" : "inspect", remove, &o, &id))
                return;
        decide_forward(d, id);
}

/* POST /networks/{id}/connect|disconnect: the body's Container must be the
 * caller's (it goes on as its full id), the network one they may use. */
static void decide_network_attach(struct decision *d, bool connect) {
        _cleanup_json_ json_t *doc = NULL, *c = NULL, *o = NULL;
        _cleanup_free_ char *container = NULL;
        struct berth_error err = { 0 };
        const char *net = NULL;

        int r = api_network_attach_parse(d->body, d->body_len, connect, &container, &doc, &err);
        if (r == -ENOMEM) {
                refuse_oom(d);
                return;
        }
        if (r < 0) {
                decide_refuse(d, 400, AUDIT_ACCESS_DENY, "%s", err.message);
                return;
        }
        if (decide_container_of_caller(d, container, connect ? "connect" : "disconnect", &c))
                return;
        if (network_of_caller(d, connect ? "network connect" : "network disconnect", false, &o, &net))
                return;
        const char *id = json_string_value(json_object_get(c, "id"));
        if (api_network_attach_rewrite(doc, id ? id : container, &d->new_body) < 0) {
                refuse_oom(d);
                return;
        }
        d->new_body_len = strlen(d->new_body);
        d->replace_body = true;
        decide_forward(d, net);
}

void decide_objects(struct decision *d) {
        switch (d->match.route->op) {
        case ROUTE_OP_VOLUME_CREATE:
                decide_object_create(d, false);
                return;
        case ROUTE_OP_NETWORK_CREATE:
                decide_object_create(d, true);
                return;
        case ROUTE_OP_VOLUME_TARGET:
                decide_volume_target(d);
                return;
        case ROUTE_OP_NETWORK_TARGET:
                decide_network_target(d);
                return;
        case ROUTE_OP_NETWORK_CONNECT:
        case ROUTE_OP_NETWORK_DISCONNECT:
                decide_network_attach(d, d->match.route->op == ROUTE_OP_NETWORK_CONNECT);
                return;
        default:
                decide_refuse(d, 403, AUDIT_ACCESS_DENY, "berth: this request is not one berth understands; it is refused.");
                return;
        }
}
