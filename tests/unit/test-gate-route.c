/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdbool.h>

#include "basic/util.h"
#include "gate/route.h"

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int parse(const char *method, const char *target, struct route_match *m, char reason[static 256]) {
        reason[0] = 0;
        return route_parse(method, target, strlen(target), m, reason, 256);
}

/* The reason of a failure is one sentence of printable ASCII starting "berth: ". */
static void assert_sentence(const char *reason) {
        ck_assert_msg(starts_with(reason, "berth: "), "reason '%s' does not start with 'berth: '", reason);
        ck_assert_msg(reason[strlen(reason) - 1] == '.', "reason '%s' is not a sentence", reason);
        for (const char *p = reason; *p; p++)
                ck_assert_msg(*p >= 0x20 && *p < 0x7f, "reason '%s' holds a byte outside printable ASCII", reason);
}

static void expect_fail(const char *method, const char *target, int code) {
        _cleanup_(route_match_done) struct route_match m = {};
        char reason[256];
        int r = parse(method, target, &m, reason);
        ck_assert_msg(r == code, "%s %s: got %d, want %d (%s)", method, target, r, code, reason);
        assert_sentence(reason);
        if (code != -EPERM)
                ck_assert_ptr_null(m.route);
}

/* Parse, expect success, and return the route's pattern. */
static const struct route *expect_route(const char *method, const char *target, struct route_match *m) {
        char reason[256];
        int r = parse(method, target, m, reason);
        ck_assert_msg(r == 0, "%s %s: got %d (%s)", method, target, r, reason);
        ck_assert_ptr_nonnull(m->route);
        return m->route;
}

static void expect_pattern(const char *method, const char *target, const char *pattern, const char *param) {
        _cleanup_(route_match_done) struct route_match m = {};
        const struct route *rt = expect_route(method, target, &m);
        ck_assert_msg(streq(rt->pattern, pattern), "%s %s matched %s, want %s", method, target, rt->pattern, pattern);
        ck_assert_msg(streq_ptr(m.param, param), "%s %s: param '%s', want '%s'", method, target, strempty(m.param),
                      strempty(param));
}

START_TEST(test_canonical_path) {
        expect_pattern("GET", "//containers//x/json", "/containers/{id}/json", "x");
        expect_pattern("GET", "/containers/x/../y/json", "/containers/{id}/json", "y");
        expect_pattern("GET", "/containers/x/%2e%2e/y/json", "/containers/{id}/json", "y");
        expect_pattern("GET", "/containers/x/%2E%2E%2Fy/json", "/containers/{id}/json", "y");
        expect_pattern("GET", "/containers/x/./json", "/containers/{id}/json", "x");
        expect_pattern("GET", "/containers/json/.", "/containers/json", NULL);
        expect_pattern("GET", "/%63ontainers/json", "/containers/json", NULL);
        expect_pattern("GET", "/images//json", "/images/json", NULL);
        expect_pattern("GET", "/networks/", "/networks/", NULL);
        expect_pattern("GET", "/networks/x/../", "/networks/", NULL);
        expect_pattern("GET", "/networks/x/..", "/networks", NULL);
        /* '+' is a plain byte in a path (only the query reads it as a space) */
        expect_pattern("GET", "/containers/a+b/json", "/containers/{id}/json", "a+b");

        _cleanup_(route_match_done) struct route_match m = {};
        expect_route("GET", "/v1.43//containers/./abc/../abc//json", &m);
        ck_assert_str_eq(m.path, "/containers/abc/json");
        ck_assert_str_eq(m.version, "1.43");

        /* a trailing '/' is kept, as gorilla/mux keeps it, so it is no route */
        expect_fail("GET", "/containers/json/", -ENOENT);
        expect_fail("GET", "/_ping/", -ENOENT);

        expect_fail("GET", "/../containers/json", -EINVAL);
        expect_fail("GET", "/%2e%2e/containers/json", -EINVAL);
        expect_fail("GET", "/containers/../../json", -EINVAL);
        expect_fail("GET", "/containers/x/json%zz", -EINVAL);
        expect_fail("GET", "/containers/x/json%4", -EINVAL);
        expect_fail("GET", "/containers/x/json%", -EINVAL);
        expect_fail("GET", "/containers/x%00/json", -EINVAL);
        expect_fail("GET", "/containers/x%0a/json", -EINVAL);
        expect_fail("GET", "/containers/x%7f/json", -EINVAL);
        expect_fail("GET", "/containers/x%1b/json", -EINVAL);
}
END_TEST

START_TEST(test_target_forms) {
        expect_fail("GET", "*", -EINVAL);
        expect_fail("OPTIONS", "*", -EINVAL);
        expect_fail("GET", "http://localhost/_ping", -EINVAL);
        expect_fail("GET", "_ping", -EINVAL);
        expect_fail("GET", "", -EINVAL);
        expect_fail("GET", "/_ping#x", -EINVAL);
        expect_fail("GET", "/_ping?a=1#x", -EINVAL);
        expect_fail("GET", "/containers/a b/json", -EINVAL);
        expect_fail("GET", "/containers/a\tb/json", -EINVAL);
        expect_fail("GET", "/_ping?a=\x01", -EINVAL);
        expect_fail("GET", "/images/\xc3\xa9/json", -EINVAL);
        expect_fail("GET", "/_ping\x7f", -EINVAL);

        /* a NUL inside the len bytes */
        _cleanup_(route_match_done) struct route_match m = {};
        char reason[256] = "";
        ck_assert_int_eq(route_parse("GET", "/_ping\0/x", 9, &m, reason, sizeof(reason)), -EINVAL);
        assert_sentence(reason);
        ck_assert_ptr_null(m.route);

        /* len, not the NUL, ends the target */
        ck_assert_int_eq(route_parse("GET", "/_pingXYZ", 6, &m, reason, sizeof(reason)), 0);
        ck_assert_str_eq(m.route->pattern, "/_ping");
}
END_TEST

START_TEST(test_version_range) {
        static const char *const good[] = { "1.41", "1.42", "1.43", "1.44", "1.45", "1.46", "1.47" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_(route_match_done) struct route_match m = {};
                _cleanup_free_ char *t = NULL;
                ck_assert_int_gt(asprintf(&t, "/v%s/containers/json", good[i]), 0);
                expect_route("GET", t, &m);
                ck_assert_str_eq(m.version, good[i]);
                ck_assert_str_eq(m.path, "/containers/json");
        }

        static const char *const bad[] = {
                "/v1.40/_ping", "/v1.48/_ping", "/v2.0/_ping", "/v1.041/_ping", "/v1.4x/_ping", "/v1.4/_ping",
                "/v1/_ping",    "/v.1/_ping",   "/v1.41.0/_ping", "/v01.41/_ping", "/v1.24/_ping", "/v9999999999/_ping",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(route_match_done) struct route_match m = {};
                char reason[256];
                ck_assert_msg(parse("GET", bad[i], &m, reason) == -EINVAL, "%s accepted", bad[i]);
                assert_sentence(reason);
                ck_assert_msg(strstr(reason, "1.41") && strstr(reason, "1.47"), "'%s' names no range", reason);
        }

        /* unversioned; and /version is a route, not a version */
        _cleanup_(route_match_done) struct route_match m = {}, v = {}, d = {};
        expect_route("GET", "/_ping", &m);
        ck_assert_ptr_null(m.version);
        expect_route("GET", "/version", &v);
        ck_assert_ptr_null(v.version);
        ck_assert_str_eq(v.route->pattern, "/version");

        /* matched on the decoded path, as dockerd does */
        expect_route("GET", "/%761.44/_ping", &d);
        ck_assert_str_eq(d.version, "1.44");

        /* one prefix only: a second is a path no route has */
        expect_fail("GET", "/v1.43/v1.43/_ping", -ENOENT);
        expect_fail("GET", "/v1.43", -ENOENT);
        expect_fail("GET", "/v1.43/", -ENOENT);
        /* 'V' is not dockerd's version prefix */
        expect_fail("GET", "/V1.43/_ping", -ENOENT);
}
END_TEST

START_TEST(test_query) {
        _cleanup_(route_match_done) struct route_match m = {};
        expect_route("GET", "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D&size=a+b&x&limit=%2B1",
                     &m);
        ck_assert_int_eq(strv_length(m.query), 10);
        ck_assert_str_eq(m.query[0], "all");
        ck_assert_str_eq(m.query[1], "1");
        ck_assert_str_eq(m.query[2], "filters");
        ck_assert_str_eq(m.query[3], "{\"label\":[\"a=b\"]}");
        ck_assert_str_eq(m.query[5], "a b");
        ck_assert_str_eq(m.query[6], "x");
        ck_assert_str_eq(m.query[7], "");
        ck_assert_str_eq(m.query[9], "+1");
        ck_assert_str_eq(route_query_get(&m, "size"), "a b");
        ck_assert_ptr_null(route_query_get(&m, "ALL"));

        _cleanup_(route_match_done) struct route_match e = {}, c = {};
        expect_route("GET", "/_ping?", &e);
        ck_assert_ptr_null(e.query);
        /* keys are case-sensitive, as Go's url.Values */
        expect_route("GET", "/containers/json?all=1&ALL=0", &c);
        ck_assert_str_eq(route_query_get(&c, "all"), "1");

        expect_fail("GET", "/containers/json?all=1&all=1", -EINVAL);
        expect_fail("GET", "/containers/json?all=1&%61ll=0", -EINVAL);
        expect_fail("GET", "/containers/json?all&all", -EINVAL);
        expect_fail("GET", "/containers/json?=1", -EINVAL);
        expect_fail("GET", "/containers/json?=", -EINVAL);
        expect_fail("GET", "/containers/json?a=1&&b=2", -EINVAL);
        expect_fail("GET", "/containers/json?a=1&", -EINVAL);
        expect_fail("GET", "/containers/json?&a=1", -EINVAL);
        expect_fail("GET", "/containers/json?a=1;b=2", -EINVAL);
        expect_fail("GET", "/containers/json?a=1%3Bb;", -EINVAL);
        expect_fail("GET", "/containers/json?a=%zz", -EINVAL);
        expect_fail("GET", "/containers/json?a%=1", -EINVAL);
        expect_fail("GET", "/containers/json?a=%00", -EINVAL);
        expect_fail("GET", "/containers/json?a=%0d%0a", -EINVAL);
        /* a duplicate on a denied route is refused too (admins are forwarded) */
        expect_fail("GET", "/services?filters=1&filters=2", -EINVAL);

        /* keys dockerd reads as lists may repeat, on their route only */
        _cleanup_(route_match_done) struct route_match b = {}, s = {}, d = {}, i = {}, x = {};
        expect_route("POST", "/build?t=a&t=b&extrahosts=h%3A1.2.3.4&extrahosts=g%3A1.2.3.5&securityopt=x&securityopt=y",
                     &b);
        ck_assert_int_eq(strv_length(b.query), 12);
        expect_route("GET", "/images/get?names=a&names=b%2Fc", &s);
        expect_route("GET", "/system/df?type=container&type=image", &d);
        expect_route("POST", "/commit?container=x&changes=ENV+a%3D1&changes=CMD+x", &i);
        expect_route("POST", "/images/create?fromSrc=-&repo=x&changes=ENV+a&changes=CMD+b", &x);
        ck_assert_int_eq(x.route->op, ROUTE_OP_IMAGE_IMPORT);
        expect_fail("POST", "/build?q=1&q=1", -EINVAL);
        expect_fail("POST", "/images/create?fromImage=a&changes=x&changes=y", -EINVAL);
        expect_fail("GET", "/images/x/get?names=a&names=b", -EINVAL);
}
END_TEST

struct kind_case {
        const char *method, *target;
        enum route_kind kind;
        enum route_op op;
        unsigned flags; /* flags the route must have */
};

START_TEST(test_route_kinds) {
        static const struct kind_case cases[] = {
                { "GET", "/_ping", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "HEAD", "/_ping", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "GET", "/v1.47/version", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "GET", "/info", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "POST", "/auth", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_BODY_JSON },
                { "GET", "/images/search?term=cuda", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "GET", "/images/nvidia/cuda:12.4.1-base-ubuntu22.04/json", ROUTE_FORWARD, ROUTE_OP_NONE, 0 },
                { "GET", "/images/ubuntu/history", ROUTE_FORWARD, ROUTE_OP_NONE, 0 },
                { "GET", "/images/ubuntu/get", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_STREAM },
                { "GET", "/images/get?names=ubuntu", ROUTE_FORWARD, ROUTE_OP_NONE, ROUTE_STREAM },
                { "GET", "/distribution/docker.io/library/ubuntu:22.04/json", ROUTE_FORWARD, ROUTE_OP_NONE, 0 },

                { "GET", "/containers/abc/json", ROUTE_OWNER, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "GET", "/containers/abc/top?ps_args=aux", ROUTE_OWNER, ROUTE_OP_NONE, 0 },
                { "GET", "/containers/abc/logs?follow=1", ROUTE_OWNER, ROUTE_OP_NONE, ROUTE_STREAM },
                { "GET", "/containers/abc/changes", ROUTE_OWNER, ROUTE_OP_NONE, 0 },
                { "GET", "/containers/abc/export", ROUTE_OWNER, ROUTE_OP_NONE, ROUTE_STREAM },
                { "GET", "/containers/abc/stats", ROUTE_OWNER, ROUTE_OP_NONE, ROUTE_STREAM },
                { "POST", "/containers/abc/resize?h=40&w=80", ROUTE_OWNER, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "POST", "/containers/abc/start", ROUTE_OWNER, ROUTE_OP_CONTAINER_START, ROUTE_BODY_NONE },
                { "POST", "/containers/abc/stop?t=3", ROUTE_OWNER, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "POST", "/containers/abc/restart", ROUTE_OWNER, ROUTE_OP_CONTAINER_START, 0 },
                { "POST", "/containers/abc/kill?signal=KILL", ROUTE_OWNER, ROUTE_OP_NONE, 0 },
                { "POST", "/containers/abc/pause", ROUTE_OWNER, ROUTE_OP_NONE, 0 },
                { "POST", "/containers/abc/unpause", ROUTE_OWNER, ROUTE_OP_NONE, 0 },
                { "POST", "/containers/abc/rename?name=new", ROUTE_OWNER, ROUTE_OP_CONTAINER_RENAME, 0 },
                { "POST", "/containers/abc/attach?stream=1&stdin=1", ROUTE_OWNER, ROUTE_OP_CONTAINER_ATTACH,
                  ROUTE_HIJACK },
                { "GET", "/containers/abc/attach/ws", ROUTE_OWNER, ROUTE_OP_CONTAINER_ATTACH, ROUTE_HIJACK },
                { "POST", "/containers/abc/wait?condition=next-exit", ROUTE_OWNER, ROUTE_OP_NONE, ROUTE_STREAM },
                { "DELETE", "/containers/abc?force=1&v=1", ROUTE_OWNER, ROUTE_OP_CONTAINER_DELETE, 0 },
                { "GET", "/containers/abc/archive?path=/etc", ROUTE_OWNER, ROUTE_OP_CONTAINER_ARCHIVE, ROUTE_STREAM },
                { "HEAD", "/containers/abc/archive?path=/etc", ROUTE_OWNER, ROUTE_OP_CONTAINER_ARCHIVE, 0 },
                { "PUT", "/containers/abc/archive?path=/tmp", ROUTE_OWNER, ROUTE_OP_CONTAINER_ARCHIVE,
                  ROUTE_BODY_BULK },

                { "POST", "/exec/e1/start", ROUTE_EXEC, ROUTE_OP_EXEC_START, ROUTE_HIJACK | ROUTE_BODY_JSON },
                { "POST", "/exec/e1/resize?h=1&w=1", ROUTE_EXEC, ROUTE_OP_NONE, ROUTE_BODY_NONE },
                { "GET", "/exec/e1/json", ROUTE_EXEC, ROUTE_OP_NONE, 0 },

                { "POST", "/containers/create?name=train", ROUTE_POLICY, ROUTE_OP_CONTAINER_CREATE, ROUTE_BODY_JSON },
                { "POST", "/containers/abc/exec", ROUTE_POLICY, ROUTE_OP_EXEC_CREATE, ROUTE_BODY_JSON },
                { "POST", "/containers/abc/update", ROUTE_POLICY, ROUTE_OP_CONTAINER_UPDATE, ROUTE_BODY_JSON },
                { "POST", "/commit?container=abc&repo=mine", ROUTE_POLICY, ROUTE_OP_COMMIT, ROUTE_BODY_JSON },
                { "POST", "/build?t=x", ROUTE_POLICY, ROUTE_OP_BUILD, ROUTE_BODY_BULK | ROUTE_STREAM },
                { "POST", "/build/cancel?id=b1", ROUTE_POLICY, ROUTE_OP_BUILD_CANCEL, ROUTE_BODY_NONE },
                { "POST", "/session", ROUTE_POLICY, ROUTE_OP_SESSION, ROUTE_HIJACK },
                { "POST", "/images/create?fromImage=ubuntu&tag=22.04", ROUTE_POLICY, ROUTE_OP_IMAGE_PULL,
                  ROUTE_STREAM | ROUTE_BODY_NONE },
                { "POST", "/images/create?fromSrc=-&repo=mine", ROUTE_POLICY, ROUTE_OP_IMAGE_IMPORT,
                  ROUTE_STREAM | ROUTE_BODY_BULK },
                /* dockerd imports when fromImage is empty, so berth does too */
                { "POST", "/images/create?fromImage=&fromSrc=-", ROUTE_POLICY, ROUTE_OP_IMAGE_IMPORT, 0 },
                { "POST", "/images/create", ROUTE_POLICY, ROUTE_OP_IMAGE_IMPORT, 0 },
                { "POST", "/images/load?quiet=1", ROUTE_POLICY, ROUTE_OP_IMAGE_LOAD, ROUTE_BODY_BULK },
                { "POST", "/images/ubuntu/tag?repo=mine&tag=1", ROUTE_POLICY, ROUTE_OP_IMAGE_TAG, 0 },
                { "POST", "/images/registry.example.com:5000/team/app/push?tag=1", ROUTE_POLICY,
                  ROUTE_OP_IMAGE_PUSH, ROUTE_STREAM },
                { "DELETE", "/images/berth/alice/x:latest", ROUTE_POLICY, ROUTE_OP_IMAGE_DELETE, 0 },
                { "POST", "/volumes/create", ROUTE_POLICY, ROUTE_OP_VOLUME_CREATE, ROUTE_BODY_JSON },
                { "GET", "/volumes/data", ROUTE_POLICY, ROUTE_OP_VOLUME_TARGET, 0 },
                { "DELETE", "/volumes/data?force=1", ROUTE_POLICY, ROUTE_OP_VOLUME_TARGET, 0 },
                { "POST", "/networks/create", ROUTE_POLICY, ROUTE_OP_NETWORK_CREATE, ROUTE_BODY_JSON },
                { "GET", "/networks/bridge", ROUTE_POLICY, ROUTE_OP_NETWORK_TARGET, 0 },
                { "DELETE", "/networks/n1", ROUTE_POLICY, ROUTE_OP_NETWORK_TARGET, 0 },
                { "POST", "/networks/n1/connect", ROUTE_POLICY, ROUTE_OP_NETWORK_CONNECT, ROUTE_BODY_JSON },
                { "POST", "/networks/n1/disconnect", ROUTE_POLICY, ROUTE_OP_NETWORK_DISCONNECT, ROUTE_BODY_JSON },

                { "GET", "/containers/json?all=1", ROUTE_FILTER, ROUTE_OP_CONTAINER_LIST, 0 },
                { "GET", "/volumes", ROUTE_FILTER, ROUTE_OP_VOLUME_LIST, 0 },
                { "GET", "/networks", ROUTE_FILTER, ROUTE_OP_NETWORK_LIST, 0 },
                { "GET", "/images/json", ROUTE_FILTER, ROUTE_OP_IMAGE_LIST, 0 },
                { "GET", "/events?since=0", ROUTE_FILTER, ROUTE_OP_EVENTS, ROUTE_STREAM },
                { "GET", "/system/df", ROUTE_FILTER, ROUTE_OP_SYSTEM_DF, 0 },
                { "POST", "/containers/prune", ROUTE_FILTER, ROUTE_OP_CONTAINER_PRUNE, 0 },
                { "POST", "/volumes/prune", ROUTE_FILTER, ROUTE_OP_VOLUME_PRUNE, 0 },
                { "POST", "/networks/prune", ROUTE_FILTER, ROUTE_OP_NETWORK_PRUNE, 0 },
                { "POST", "/images/prune", ROUTE_FILTER, ROUTE_OP_IMAGE_PRUNE, 0 },
                { "POST", "/build/prune", ROUTE_FILTER, ROUTE_OP_BUILD_PRUNE, 0 },
        };
        bool seen[ROUTE_DENY + 1] = {};
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct kind_case *c = cases + i;
                _cleanup_(route_match_done) struct route_match m = {};
                const struct route *rt = expect_route(c->method, c->target, &m);
                ck_assert_msg(rt->kind == c->kind, "%s %s: kind %s, want %s", c->method, c->target,
                              route_kind_to_string(rt->kind), route_kind_to_string(c->kind));
                ck_assert_msg(rt->op == c->op, "%s %s: op %s, want %s", c->method, c->target,
                              route_op_to_string(rt->op), route_op_to_string(c->op));
                ck_assert_msg((rt->flags & c->flags) == c->flags, "%s %s: flags %#x lack %#x", c->method, c->target,
                              rt->flags, c->flags);
                seen[rt->kind] = true;
        }
        for (int k = ROUTE_FORWARD; k < ROUTE_DENY; k++)
                ck_assert_msg(seen[k], "no example of kind %s", route_kind_to_string(k));
}
END_TEST

START_TEST(test_denied) {
        static const char *const denied[][2] = {
                { "GET", "/swarm" },
                { "POST", "/swarm/init" },
                { "POST", "/v1.45/swarm/join" },
                { "GET", "/services" },
                { "POST", "/services/create" },
                { "GET", "/services/s1/logs" },
                { "GET", "/nodes/n1" },
                { "GET", "/tasks" },
                { "POST", "/secrets/create" },
                { "DELETE", "/configs/c1" },
                { "POST", "/plugins/pull?remote=vieux/sshfs" },
                { "POST", "/plugins/vieux/sshfs:latest/enable" },
                { "GET", "/containers/abc/checkpoints" },
                { "DELETE", "/containers/abc/checkpoints/c1" },
                { "POST", "/grpc" },
                { "PUT", "/volumes/data" },
                { "GET", "/debug/vars" },
                { "GET", "/debug/pprof/heap" },
                { "OPTIONS", "/containers/json" },
        };
        for (size_t i = 0; i < ELEMENTSOF(denied); i++) {
                _cleanup_(route_match_done) struct route_match m = {};
                char reason[256];
                int r = parse(denied[i][0], denied[i][1], &m, reason);
                ck_assert_msg(r == -EPERM, "%s %s: got %d (%s)", denied[i][0], denied[i][1], r, reason);
                assert_sentence(reason);
                ck_assert_ptr_nonnull(m.route);
                ck_assert_int_eq(m.route->kind, ROUTE_DENY);
                ck_assert_str_eq(reason, m.route->deny_reason);
                ck_assert_ptr_nonnull(m.path);
        }

        /* an admin's /grpc is forwarded: it switches protocols like attach */
        _cleanup_(route_match_done) struct route_match g = {};
        char reason[256];
        ck_assert_int_eq(parse("POST", "/grpc", &g, reason), -EPERM);
        ck_assert(g.route->flags & ROUTE_HIJACK);

        _cleanup_(route_match_done) struct route_match s = {};
        ck_assert_int_eq(parse("GET", "/v1.43/services/abc", &s, reason), -EPERM);
        ck_assert_str_eq(reason, "berth: swarm services are not available on this shared machine.");
        ck_assert_str_eq(s.param, "abc");
        ck_assert_str_eq(s.version, "1.43");

        /* an admin's denied request still goes on: both parameters of the checkpoint route kept */
        _cleanup_(route_match_done) struct route_match c = {};
        _cleanup_free_ char *t = NULL, *t2 = NULL;
        ck_assert_int_eq(parse("DELETE", "/containers/abc/checkpoints/c%201?dir=x", &c, reason), -EPERM);
        ck_assert_str_eq(c.param, "abc");
        ck_assert_int_eq(route_format_target(&c, "0123456789ab", &t), 0);
        ck_assert_str_eq(t, "/containers/0123456789ab/checkpoints/c%201?dir=x");
        ck_assert_int_eq(route_format_target(&c, NULL, &t2), 0);
        ck_assert_str_eq(t2, "/containers/abc/checkpoints/c%201?dir=x");
}
END_TEST

START_TEST(test_unknown) {
        char reason[256];
        _cleanup_(route_match_done) struct route_match m = {};
        ck_assert_int_eq(parse("GET", "/nothing/here", &m, reason), -ENOENT);
        ck_assert_str_eq(reason, "berth: GET /nothing/here is not an API route berth knows; it is refused.");

        expect_fail("GET", "/", -ENOENT);
        expect_fail("POST", "/containers/json", -ENOENT);
        expect_fail("PUT", "/containers/abc/json", -ENOENT);
        expect_fail("get", "/_ping", -ENOENT);
        expect_fail("HEAD", "/version", -ENOENT);
        expect_fail("HEAD", "/containers/abc/json", -ENOENT);
        expect_fail("BREW", "/_ping", -ENOENT);
        expect_fail("GET", "/containers/a/b/json", -ENOENT);
        expect_fail("DELETE", "/volumes/", -ENOENT);
        expect_fail("DELETE", "/images/", -ENOENT);
        expect_fail("GET", "/exec/a/b/json", -ENOENT);
        expect_fail("GET", "/Containers/json", -ENOENT);
        expect_fail("POST", "/containers/abc/copy", -ENOENT); /* gone since API 1.24 */

        /* a container param holding an encoded '/' is two segments once
         * decoded, as in dockerd: no one-segment route takes it */
        expect_fail("GET", "/containers/a%2Fb/json", -ENOENT);
        expect_fail("DELETE", "/volumes/a%2fb", -ENOENT);
        expect_fail("POST", "/networks/a%2Fb/connect", -ENOENT);

        /* an image name may hold it: the same name as with a plain '/' */
        expect_pattern("GET", "/images/library%2Fubuntu/json", "/images/{name:.*}/json", "library/ubuntu");

        /* what comes back in a reason is printable ASCII, however the path decodes */
        ck_assert_int_eq(parse("GET", "/x%C3%A9%22y", &m, reason), -ENOENT);
        assert_sentence(reason);
        ck_assert_ptr_nonnull(strstr(reason, "/x??\"y"));

        /* *ret is left untouched on failure */
        struct route_match sentinel = { .route = (const struct route *) 1, .path = (char *) "kept" };
        ck_assert_int_eq(route_parse("GET", "/nope", 5, &sentinel, NULL, 0), -ENOENT);
        ck_assert_int_eq(route_parse("GET", "/v1.99/_ping", 12, &sentinel, NULL, 0), -EINVAL);
        ck_assert_ptr_eq(sentinel.route, (const struct route *) 1);
        ck_assert_str_eq(sentinel.path, "kept");
}
END_TEST

START_TEST(test_image_names) {
        expect_pattern("GET", "/images/ubuntu/json", "/images/{name:.*}/json", "ubuntu");
        expect_pattern("GET", "/images/library/ubuntu:22.04/json", "/images/{name:.*}/json", "library/ubuntu:22.04");
        expect_pattern("GET", "/images/localhost:5000/a/b@sha256:0123abcd/history", "/images/{name:.*}/history",
                       "localhost:5000/a/b@sha256:0123abcd");
        expect_pattern("DELETE", "/images/a/b/c", "/images/{name:.*}", "a/b/c");
        expect_pattern("POST", "/images/a/b/tag?repo=c", "/images/{name:.*}/tag", "a/b");
        /* the last suffix wins, as dockerd's greedy {name:.*} */
        expect_pattern("GET", "/images/a/json/json", "/images/{name:.*}/json", "a/json");
        expect_pattern("POST", "/images/a/tag/push", "/images/{name:.*}/push", "a/tag");
        expect_pattern("GET", "/images/search/json", "/images/{name:.*}/json", "search");
        expect_pattern("GET", "/distribution/ghcr.io/o/r:1/json", "/distribution/{name:.*}/json", "ghcr.io/o/r:1");

        _cleanup_(route_match_done) struct route_match m = {};
        _cleanup_free_ char *t = NULL;
        expect_route("GET", "/v1.45/images/library%2Fubuntu%3A22.04/json", &m);
        ck_assert_int_eq(route_format_target(&m, NULL, &t), 0);
        ck_assert_str_eq(t, "/v1.45/images/library/ubuntu:22.04/json");
}
END_TEST

/* Parse, format, parse again: the same route, version, path, param, query. */
static void assert_roundtrip(const char *method, const char *target, const char *want) {
        _cleanup_(route_match_done) struct route_match a = {}, b = {};
        _cleanup_free_ char *t = NULL;
        char reason[256];
        int r = parse(method, target, &a, reason);
        ck_assert_msg(r == 0 || r == -EPERM, "%s %s: %d (%s)", method, target, r, reason);
        ck_assert_int_eq(route_format_target(&a, NULL, &t), 0);
        if (want)
                ck_assert_str_eq(t, want);
        ck_assert_int_eq(parse(method, t, &b, reason), r);
        ck_assert_ptr_eq(a.route, b.route);
        ck_assert(streq_ptr(a.version, b.version));
        ck_assert_str_eq(a.path, b.path);
        ck_assert(streq_ptr(a.param, b.param));
        ck_assert_int_eq(strv_length(a.query), strv_length(b.query));
        for (size_t i = 0; a.query && a.query[i]; i++)
                ck_assert_str_eq(a.query[i], b.query[i]);
}

START_TEST(test_format_target) {
        assert_roundtrip("GET", "/v1.43/containers/abc/json?all=1&filters=%7B%7D", "/v1.43/containers/abc/json?all=1&filters=%7B%7D");
        assert_roundtrip("GET", "/containers/%61bc/json?q=a%20b&r=a+b&s", "/containers/abc/json?q=a+b&r=a+b&s=");
        assert_roundtrip("GET", "//containers/x/../y/logs?follow=1", "/containers/y/logs?follow=1");
        assert_roundtrip("GET", "/containers/a:b@c!~/json", "/containers/a:b@c%21~/json");
        assert_roundtrip("GET", "/containers/%3F%23%25%26/json", "/containers/%3F%23%25%26/json");
        assert_roundtrip("GET", "/images/a%2Fb/c/json?x=%2F", "/images/a/b/c/json?x=%2F");
        assert_roundtrip("GET", "/networks/", "/networks/");
        assert_roundtrip("POST", "/build?t=b&t=a&buildargs=%7B%22A%22%3A%22%C3%A9%22%7D",
                         "/build?t=b&t=a&buildargs=%7B%22A%22%3A%22%C3%A9%22%7D");
        assert_roundtrip("POST", "/images/create?fromImage=nvidia%2Fcuda&tag=12", "/images/create?fromImage=nvidia%2Fcuda&tag=12");
        assert_roundtrip("GET", "/plugins/a/b/json", "/plugins/a/b/json");
        assert_roundtrip("OPTIONS", "/a/b", "/a/b");

        /* the param replaced: the full id the engine resolved */
        _cleanup_(route_match_done) struct route_match m = {}, img = {}, plain = {};
        _cleanup_free_ char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
        expect_route("POST", "/v1.44/containers/train/stop?t=5", &m);
        ck_assert_int_eq(route_format_target(&m, "4f3c2b1a0d9e", &t1), 0);
        ck_assert_str_eq(t1, "/v1.44/containers/4f3c2b1a0d9e/stop?t=5");
        ck_assert_int_eq(route_format_target(&m, "train._.alice", &t2), 0);
        ck_assert_str_eq(t2, "/v1.44/containers/train._.alice/stop?t=5");
        ck_assert_int_eq(route_format_target(&m, "a b?", &t3), 0);
        ck_assert_str_eq(t3, "/v1.44/containers/a%20b%3F/stop?t=5");

        /* never a '/' in a one-segment param, never an empty or dot segment */
        char *bad = NULL;
        ck_assert_int_eq(route_format_target(&m, "a/b", &bad), -EINVAL);
        ck_assert_int_eq(route_format_target(&m, "/a", &bad), -EINVAL);
        ck_assert_int_eq(route_format_target(&m, "", &bad), -EINVAL);
        ck_assert_int_eq(route_format_target(&m, ".", &bad), -EINVAL);
        ck_assert_int_eq(route_format_target(&m, "..", &bad), -EINVAL);
        ck_assert_ptr_null(bad);

        expect_route("POST", "/images/ubuntu/tag?repo=berth%2Falice%2Fx", &img);
        ck_assert_int_eq(route_format_target(&img, "berth/alice/base:1", &t4), 0);
        ck_assert_str_eq(t4, "/images/berth/alice/base:1/tag?repo=berth%2Falice%2Fx");
        ck_assert_int_eq(route_format_target(&img, "a//b", &bad), -EINVAL);
        ck_assert_int_eq(route_format_target(&img, "a/../b", &bad), -EINVAL);
        ck_assert_int_eq(route_format_target(&img, "a/", &bad), -EINVAL);

        /* a route without a param takes none */
        expect_route("GET", "/containers/json", &plain);
        ck_assert_int_eq(route_format_target(&plain, "x", &bad), -EINVAL);
        ck_assert_ptr_null(bad);
}
END_TEST

START_TEST(test_query_helpers) {
        _cleanup_(route_match_done) struct route_match m = {};
        _cleanup_free_ char *t1 = NULL, *t2 = NULL, *t3 = NULL;
        expect_route("GET", "/containers/json?all=1&filters=%7B%7D&size=0", &m);

        ck_assert_int_eq(route_query_set(&m, "filters", "{\"label\":[\"berth.user=alice\"]}"), 0);
        ck_assert_int_eq(route_query_set(&m, "limit", "5"), 0);
        ck_assert_int_eq(route_query_remove(&m, "size"), 1);
        ck_assert_int_eq(route_query_remove(&m, "size"), 0);
        ck_assert_int_eq(route_format_target(&m, NULL, &t1), 0);
        ck_assert_str_eq(t1, "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22berth.user%3Dalice%22%5D%7D&limit=5");
        ck_assert_str_eq(route_query_get(&m, "limit"), "5");
        ck_assert_ptr_null(route_query_get(&m, "size"));
        ck_assert_int_eq(route_query_set(&m, "", "x"), -EINVAL);

        /* set collapses a repeated key to one; remove takes every one */
        _cleanup_(route_match_done) struct route_match b = {};
        expect_route("POST", "/build?t=a&q=1&t=b&t=c", &b);
        ck_assert_int_eq(route_query_set(&b, "t", "berth/alice/a:latest"), 0);
        ck_assert_int_eq(route_format_target(&b, NULL, &t2), 0);
        ck_assert_str_eq(t2, "/build?t=berth%2Falice%2Fa%3Alatest&q=1");
        ck_assert_int_eq(route_query_remove(&b, "t"), 1);
        ck_assert_int_eq(route_query_remove(&b, "q"), 1);
        ck_assert_ptr_null(b.query[0]);
        ck_assert_int_eq(route_format_target(&b, NULL, &t3), 0);
        ck_assert_str_eq(t3, "/build");

        /* a match without any query */
        _cleanup_(route_match_done) struct route_match p = {};
        expect_route("GET", "/_ping", &p);
        ck_assert_ptr_null(route_query_get(&p, "x"));
        ck_assert_int_eq(route_query_remove(&p, "x"), 0);
        ck_assert_int_eq(route_query_set(&p, "x", "y z"), 0);
        ck_assert_str_eq(route_query_get(&p, "x"), "y z");

        _cleanup_(route_match_done) struct route_match r = {};
        expect_route("POST", "/build?t=a&t=b&t=c", &r);
        ck_assert_int_eq(route_query_remove(&r, "t"), 3);
        ck_assert_int_eq(strv_length(r.query), 0);
}
END_TEST

START_TEST(test_query_bool) {
        static const char *const no[] = {
                "", "0", "no", "false", "none", "FALSE", "False", "No", "NONE", " false ", "\tnone\n",
                "\r\n0\v\f", "\xc2\xa0" "false", "false\xe3\x80\x80", "\xe2\x80\x8a" "no\xe2\x80\x80",
        };
        static const char *const yes[] = {
                "1", "true", "True", "TRUE", "yes", "t", "f", "F", "00", "-1", "anything", "0 0", "n", "off",
                "\xc2" "false", "false\x85",
        };
        ck_assert(!route_query_bool(NULL));
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                ck_assert_msg(!route_query_bool(no[i]), "'%s' read as true", no[i]);
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                ck_assert_msg(route_query_bool(yes[i]), "'%s' read as false", yes[i]);
}
END_TEST

/* Which answers may be read in batches: downloads nobody watches as they come,
 * not streams someone follows live. */
START_TEST(test_download) {
        static const struct {
                const char *method, *target;
                bool download;
        } cases[] = {
                { "GET", "/containers/abc/logs?stdout=1&stderr=1", true },
                { "GET", "/containers/abc/logs?follow=0", true },
                { "GET", "/containers/abc/logs?follow=false&tail=all", true },
                { "GET", "/containers/abc/logs?follow=1", false },
                { "GET", "/containers/abc/logs?follow=true&stdout=1", false },
                { "GET", "/containers/abc/logs?follow=anything", false },
                { "GET", "/containers/abc/export", true },
                { "GET", "/containers/abc/archive?path=/etc", true },
                { "HEAD", "/containers/abc/archive?path=/etc", false },
                { "PUT", "/containers/abc/archive?path=/tmp", false },
                { "GET", "/images/ubuntu/get", true },
                { "GET", "/images/get?names=ubuntu&names=debian", true },
                { "GET", "/containers/abc/stats", false },
                { "GET", "/events", false },
                { "POST", "/containers/abc/attach?stream=1&stdout=1", false },
                { "POST", "/containers/abc/wait", false },
                { "POST", "/images/create?fromImage=ubuntu", false },
                { "GET", "/_ping", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct route_match m = {};
                char reason[256];
                ck_assert_int_eq(parse(cases[i].method, cases[i].target, &m, reason), 0);
                ck_assert_msg(route_download(&m) == cases[i].download, "%s %s", cases[i].method, cases[i].target);
                route_match_done(&m);
        }
        struct route_match none = {};
        ck_assert(!route_download(&none));
}
END_TEST

/* The routes moby's api/server/router registers for API 1.41 (v20.10) to
 * 1.47 (v27.5), as written there.  Each must reach a route of the table. */
static const char *const moby_routes[] = {
        "GET /_ping", "HEAD /_ping", "GET /events", "GET /info", "GET /version", "GET /system/df", "POST /auth",
        "GET /containers/json", "GET /containers/{name:.*}/export", "GET /containers/{name:.*}/changes",
        "GET /containers/{name:.*}/json", "GET /containers/{name:.*}/top", "GET /containers/{name:.*}/logs",
        "GET /containers/{name:.*}/stats", "GET /containers/{name:.*}/attach/ws", "GET /exec/{id:.*}/json",
        "GET /containers/{name:.*}/archive", "POST /containers/create", "POST /containers/{name:.*}/kill",
        "POST /containers/{name:.*}/pause", "POST /containers/{name:.*}/unpause",
        "POST /containers/{name:.*}/restart", "POST /containers/{name:.*}/start", "POST /containers/{name:.*}/stop",
        "POST /containers/{name:.*}/wait", "POST /containers/{name:.*}/resize", "POST /containers/{name:.*}/attach",
        "POST /containers/{name:.*}/exec", "POST /exec/{name:.*}/start", "POST /exec/{name:.*}/resize",
        "POST /containers/{name:.*}/rename", "POST /containers/{name:.*}/update", "POST /containers/prune",
        "POST /commit", "PUT /containers/{name:.*}/archive", "DELETE /containers/{name:.*}",
        "HEAD /containers/{name:.*}/archive", "GET /containers/{name:.*}/checkpoints",
        "POST /containers/{name:.*}/checkpoints", "DELETE /containers/{name}/checkpoints/{checkpoint}",
        "GET /images/json", "GET /images/search", "GET /images/get", "GET /images/{name:.*}/get",
        "GET /images/{name:.*}/history", "GET /images/{name:.*}/json", "POST /images/load", "POST /images/create",
        "POST /images/{name:.*}/push", "POST /images/{name:.*}/tag", "POST /images/prune", "DELETE /images/{name:.*}",
        "GET /distribution/{name:.*}/json", "POST /build", "POST /build/prune", "POST /build/cancel", "POST /session",
        "POST /grpc", "GET /volumes", "GET /volumes/{name:.*}", "POST /volumes/create", "POST /volumes/prune",
        "PUT /volumes/{name:.*}", "DELETE /volumes/{name:.*}", "GET /networks", "GET /networks/",
        "GET /networks/{id:.+}", "POST /networks/create", "POST /networks/{id:.*}/connect",
        "POST /networks/{id:.*}/disconnect", "POST /networks/prune", "DELETE /networks/{id:.*}", "GET /swarm",
        "GET /swarm/unlockkey", "POST /swarm/init", "POST /swarm/join", "POST /swarm/leave", "POST /swarm/update",
        "POST /swarm/unlock", "GET /services", "GET /services/{id}", "POST /services/create",
        "POST /services/{id}/update", "DELETE /services/{id}", "GET /services/{id}/logs", "GET /nodes",
        "GET /nodes/{id}", "DELETE /nodes/{id}", "POST /nodes/{id}/update", "GET /tasks", "GET /tasks/{id}",
        "GET /tasks/{id}/logs", "GET /secrets", "POST /secrets/create", "DELETE /secrets/{id}", "GET /secrets/{id}",
        "POST /secrets/{id}/update", "GET /configs", "POST /configs/create", "DELETE /configs/{id}",
        "GET /configs/{id}", "POST /configs/{id}/update", "GET /plugins", "GET /plugins/{name:.*}/json",
        "GET /plugins/privileges", "DELETE /plugins/{name:.*}", "POST /plugins/{name:.*}/enable",
        "POST /plugins/{name:.*}/disable", "POST /plugins/pull", "POST /plugins/{name:.*}/push",
        "POST /plugins/{name:.*}/upgrade", "POST /plugins/{name:.*}/set", "POST /plugins/create",
        "GET /debug/vars", "GET /debug/pprof/", "GET /debug/pprof/cmdline", "GET /debug/pprof/profile",
        "GET /debug/pprof/symbol", "GET /debug/pprof/trace", "GET /debug/pprof/{name}", "OPTIONS /{anyroute:.*}",
};

/* A concrete target for a pattern: every {…} becomes a sample value. */
static char *instantiate(const char *pattern, const char *sample) {
        char *out = malloc(strlen(pattern) * 8 + 64);
        ck_assert_ptr_nonnull(out);
        char *o = out;
        for (const char *p = pattern; *p;) {
                if (*p == '{') {
                        o = stpcpy(o, sample);
                        p = strchr(p, '}') + 1;
                } else
                        *o++ = *p++;
        }
        *o = 0;
        return out;
}

START_TEST(test_table) {
        size_t n = 0;
        const struct route *t = route_table(&n);
        ck_assert_int_ge(n, ELEMENTSOF(moby_routes));

        for (size_t i = 0; i < n; i++) {
                const struct route *r = t + i;
                ck_assert_msg(r->method && *r->method && r->pattern && r->pattern[0] == '/', "route %zu", i);
                ck_assert_ptr_nonnull(route_kind_to_string(r->kind));
                ck_assert_ptr_nonnull(route_op_to_string(r->op));
                unsigned body = r->flags & (ROUTE_BODY_NONE | ROUTE_BODY_JSON | ROUTE_BODY_BULK);
                ck_assert_msg(body == ROUTE_BODY_NONE || body == ROUTE_BODY_JSON || body == ROUTE_BODY_BULK,
                              "%s %s has body flags %#x", r->method, r->pattern, body);
                /* Docker's GET, HEAD and DELETE routes take no body */
                if (streq(r->method, "GET") || streq(r->method, "HEAD") || streq(r->method, "DELETE"))
                        ck_assert_msg(body == ROUTE_BODY_NONE, "%s %s takes a body", r->method, r->pattern);
                if (r->kind == ROUTE_DENY) {
                        ck_assert_msg(r->deny_reason, "%s %s denies without a reason", r->method, r->pattern);
                        assert_sentence(r->deny_reason);
                        ck_assert_int_eq(r->op, ROUTE_OP_NONE);
                } else
                        ck_assert_msg(!r->deny_reason, "%s %s", r->method, r->pattern);
                /* container, exec, volume and network params are one segment */
                if (starts_with(r->pattern, "/containers/") || starts_with(r->pattern, "/exec/") ||
                    starts_with(r->pattern, "/volumes/") || starts_with(r->pattern, "/networks/"))
                        ck_assert_msg(!strstr(r->pattern, ":.*}"), "%s takes several segments", r->pattern);
                for (size_t j = 0; j < i; j++)
                        ck_assert_msg(!(streq(r->method, t[j].method) && streq(r->pattern, t[j].pattern) &&
                                        streq_ptr(r->when, t[j].when)),
                                      "%s %s twice", r->method, r->pattern);

                /* every route is reachable: nothing before it shadows it */
                _cleanup_free_ char *target = instantiate(r->pattern, "p1");
                _cleanup_free_ char *with = NULL;
                if (r->when)
                        ck_assert_int_gt(asprintf(&with, "%s?%s=x", target, r->when), 0);
                _cleanup_(route_match_done) struct route_match m = {};
                char reason[256];
                int rc = parse(r->method, with ? with : target, &m, reason);
                ck_assert_msg(rc == (r->kind == ROUTE_DENY ? -EPERM : 0), "%s %s: %d (%s)", r->method, target, rc,
                              reason);
                ck_assert_msg(m.route == r, "%s %s reaches %s", r->method, target, m.route->pattern);
        }

        /* every route moby registers reaches the table, with one segment
         * and, for {name:.*}, with several */
        for (size_t i = 0; i < ELEMENTSOF(moby_routes); i++) {
                const char *sp = strchr(moby_routes[i], ' ');
                _cleanup_free_ char *method = strndup(moby_routes[i], (size_t) (sp - moby_routes[i]));
                for (int multi = 0; multi < 2; multi++) {
                        if (multi && !strstr(sp, ":.*}"))
                                continue;
                        _cleanup_free_ char *target = instantiate(sp + 1, multi ? "org/p1:1" : "p1");
                        _cleanup_(route_match_done) struct route_match m = {};
                        char reason[256];
                        int rc = parse(method, target, &m, reason);
                        bool one_segment = starts_with(sp + 1, "/containers/") || starts_with(sp + 1, "/exec/") ||
                                           starts_with(sp + 1, "/volumes/") || starts_with(sp + 1, "/networks/");
                        if (multi && one_segment) {
                                ck_assert_msg(rc == -ENOENT, "%s %s: %d", method, target, rc);
                                continue;
                        }
                        ck_assert_msg(rc == 0 || rc == -EPERM, "%s %s: %d (%s)", method, target, rc, reason);
                }
        }
}
END_TEST

START_TEST(test_long_inputs) {
        char reason[256];

        /* exactly ROUTE_TARGET_MAX bytes: an image name of thousands of segments */
        _cleanup_free_ char *t = malloc(ROUTE_TARGET_MAX + 2);
        ck_assert_ptr_nonnull(t);
        strcpy(t, "/images/");
        size_t n = strlen(t);
        while (n + 2 < ROUTE_TARGET_MAX - strlen("/json")) {
                memcpy(t + n, "a/", 2);
                n += 2;
        }
        while (n < ROUTE_TARGET_MAX - strlen("/json"))
                t[n++] = 'b';
        strcpy(t + n, "/json");
        ck_assert_int_eq(strlen(t), ROUTE_TARGET_MAX);
        _cleanup_(route_match_done) struct route_match m = {};
        ck_assert_int_eq(parse("GET", t, &m, reason), 0);
        ck_assert_str_eq(m.route->pattern, "/images/{name:.*}/json");
        ck_assert_int_eq(strlen(m.param), ROUTE_TARGET_MAX - strlen("/images/") - strlen("/json"));
        _cleanup_free_ char *f = NULL;
        ck_assert_int_eq(route_format_target(&m, NULL, &f), 0);
        ck_assert_str_eq(f, t);

        strcpy(t + ROUTE_TARGET_MAX - 5, "/jsonx");
        _cleanup_(route_match_done) struct route_match over = {};
        ck_assert_int_eq(route_parse("GET", t, ROUTE_TARGET_MAX + 1, &over, reason, sizeof(reason)), -EINVAL);
        assert_sentence(reason);

        /* thousands of query parameters, in order, and a late duplicate */
        _cleanup_free_ char *q = malloc(ROUTE_TARGET_MAX + 64);
        ck_assert_ptr_nonnull(q);
        char *o = stpcpy(q, "/containers/json?");
        size_t k = 0;
        while ((size_t) (o - q) < ROUTE_TARGET_MAX - 32) {
                o += sprintf(o, "%sk%zu=%zu", k ? "&" : "", k, k);
                k++;
        }
        _cleanup_(route_match_done) struct route_match qm = {};
        ck_assert_int_eq(parse("GET", q, &qm, reason), 0);
        ck_assert_int_gt(k, 500);
        ck_assert_int_eq(strv_length(qm.query), 2 * k);
        char last[32];
        snprintf(last, sizeof(last), "k%zu", k - 1);
        ck_assert_str_eq(qm.query[2 * (k - 1)], last);
        ck_assert_str_eq(route_query_get(&qm, "k7"), "7");
        sprintf(o, "&k3=x");
        _cleanup_(route_match_done) struct route_match dm = {};
        ck_assert_int_eq(parse("GET", q, &dm, reason), -EINVAL);
        ck_assert_str_eq(reason, "berth: the query parameter 'k3' is given more than once; it is refused.");

        /* a long walk of '..' lands where it should */
        _cleanup_free_ char *d = malloc(ROUTE_TARGET_MAX);
        ck_assert_ptr_nonnull(d);
        o = stpcpy(d, "/containers");
        for (int i = 0; i < 1000; i++)
                o = stpcpy(o, "/x/..");
        stpcpy(o, "/json");
        _cleanup_(route_match_done) struct route_match dd = {};
        ck_assert_int_eq(parse("GET", d, &dd, reason), 0);
        ck_assert_str_eq(dd.path, "/containers/json");

        /* a long unknown path is cut short in the reason */
        memset(t, 'z', ROUTE_TARGET_MAX);
        t[0] = '/';
        t[ROUTE_TARGET_MAX] = 0;
        ck_assert_int_eq(parse("GET", t, &over, reason), -ENOENT);
        assert_sentence(reason);
        ck_assert_int_lt(strlen(reason), 200);
}
END_TEST

START_TEST(test_reason_buffers) {
        struct route_match m = {};
        ck_assert_int_eq(route_parse("GET", "/nope", 5, &m, NULL, 0), -ENOENT);
        char tiny[8];
        ck_assert_int_eq(route_parse("GET", "/nope", 5, &m, tiny, sizeof(tiny)), -ENOENT);
        ck_assert_str_eq(tiny, "berth: ");
        ck_assert_int_eq(route_parse("GET", "/services", 9, &m, NULL, 0), -EPERM);
        ck_assert_int_eq(m.route->kind, ROUTE_DENY);
        route_match_done(&m);
        ck_assert_ptr_null(m.route);
        ck_assert_ptr_null(m.path);
        route_match_done(&m);
        ck_assert_int_eq(route_parse(NULL, "/_ping", 6, &m, tiny, sizeof(tiny)), -EINVAL);
        ck_assert_int_eq(route_parse("GET", NULL, 0, &m, NULL, 0), -EINVAL);
}
END_TEST

Suite *gate_route_suite(void) {
        Suite *s = suite_create("gate_route");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_canonical_path);
        tcase_add_test(tc, test_target_forms);
        tcase_add_test(tc, test_version_range);
        tcase_add_test(tc, test_query);
        tcase_add_test(tc, test_route_kinds);
        tcase_add_test(tc, test_denied);
        tcase_add_test(tc, test_unknown);
        tcase_add_test(tc, test_image_names);
        tcase_add_test(tc, test_format_target);
        tcase_add_test(tc, test_query_helpers);
        tcase_add_test(tc, test_query_bool);
        tcase_add_test(tc, test_download);
        tcase_add_test(tc, test_table);
        tcase_add_test(tc, test_long_inputs);
        tcase_add_test(tc, test_reason_buffers);
        suite_add_tcase(s, tc);
        return s;
}
