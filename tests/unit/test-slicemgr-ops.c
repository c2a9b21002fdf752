/* SPDX-License-Identifier: MIT */
/* berth-slicemgr's operations, driven through ops_handle() as the control
 * socket drives them: a Manager built here without sd-bus or Docker (a
 * config parsed from text, a ledger over two hand-made GPUs, Docker marked
 * synced, slices made by a stand-in), request lines in, reply lines out.
 * root (uid 0) and nobody (uid 65534) are the callers: both exist in NSS,
 * and nobody is no admin.  Ensuring a real slice needs the bus: the
 * integration tests (30-slices.t, 40-slicemgr.t) do that. */
#include <check.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "basic/util.h"
#include "core/config.h"
#include "core/names.h"
#include "core/proto.h"
#include "policy/gpu-inventory.h"
#include "policy/ledger.h"
#include "slicemgr/manager.h"
#include "slicemgr/ops.h"
#include "slicemgr-fixture.h"

#define NOBODY 65534

static Manager *m;
static bool slice_fails;

/* The stand-in for slices_ensure_user(): the slice's name, no bus. */
static int fake_ensure_user_slice(struct slices *s, const struct resolved_user *u, char **ret_slice,
                                  struct berth_error *err) {
        if (slice_fails)
                return berth_error_set(err, -EIO, "berth: systemd could not create the slice of %s.", u->user);
        return name_slice_user(u->group, u->user, ret_slice);
}

static void setup(void) {
        m = fixture_manager_new("[daemon]\n"
                                "reservation_ttl = 60s\n"
                                "[defaults]\n"
                                "cpus = 2\n"
                                "memory = 4G\n"
                                "gpus = 1\n"
                                "containers = 3\n",
                                fake_ensure_user_slice);
        slice_fails = false;
}

static void teardown(void) {
        manager_free(m);
        m = NULL;
}

/* The reply to one request line from uid, parsed; it must be one line. */
static json_t *ask(uid_t uid, const char *line) {
        struct ucred peer = { .pid = 1, .uid = uid, .gid = uid };
        _cleanup_free_ char *reply = ops_handle(m, &peer, line, strlen(line));
        json_error_t e;

        ck_assert_ptr_nonnull(reply);
        size_t n = strlen(reply);
        ck_assert_uint_gt(n, 1);
        ck_assert_int_eq(reply[n - 1], '\n');
        ck_assert_ptr_null(memchr(reply, '\n', n - 1));
        json_t *o = json_loads(reply, JSON_REJECT_DUPLICATES, &e);
        ck_assert_msg(o != NULL, "reply is no JSON: %s", reply);
        return o;
}

static const char *str(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static void assert_ok(json_t *o) {
        ck_assert_msg(json_is_true(json_object_get(o, "ok")), "not ok: %s: %s", str(o, "error"), str(o, "message"));
}

/* A refusal of this kind, with a sentence for the user. */
static void assert_refused(json_t *o, const char *kind) {
        ck_assert(json_is_false(json_object_get(o, "ok")));
        ck_assert_str_eq(str(o, "error"), kind);
        ck_assert_ptr_nonnull(str(o, "message"));
        ck_assert(strncmp(str(o, "message"), "berth: ", 7) == 0);
}

/* Reserves a container NAME of GPUS GPUs for uid; its reservation id. */
static char *reserve(uid_t uid, const char *name, int gpus) {
        char line[256];
        snprintf(line, sizeof(line), "{\"op\":\"reserve\",\"spec\":{\"name\":\"%s\",\"image\":\"pytorch:2\",\"gpus\":%d}}",
                 name, gpus);
        _cleanup_json_ json_t *o = ask(uid, line);
        assert_ok(o);
        ck_assert_ptr_nonnull(str(o, "reservation"));
        return strdup(str(o, "reservation"));
}

START_TEST(test_hello) {
        _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"hello\"}");
        assert_ok(o);
        ck_assert_str_eq(str(o, "version"), BERTH_VERSION);
        ck_assert_str_eq(str(o, "server"), "berth-slicemgr");
        ck_assert_int_eq(json_integer_value(json_object_get(o, "protocol")), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(o, "uid")), NOBODY);
}
END_TEST

START_TEST(test_hello_needs_no_account) {
        /* hello answers before the caller is looked up */
        _cleanup_json_ json_t *o = ask(4000000000u, "{\"op\":\"hello\"}");
        assert_ok(o);
        _cleanup_json_ json_t *w = ask(4000000000u, "{\"op\":\"whoami\"}");
        assert_refused(w, "unknown_user");
}
END_TEST

START_TEST(test_whoami_root) {
        _cleanup_json_ json_t *o = ask(0, "{\"op\":\"whoami\"}");
        assert_ok(o);
        ck_assert_str_eq(str(o, "user"), "root");
        ck_assert_int_eq(json_integer_value(json_object_get(o, "uid")), 0);
        ck_assert(json_is_true(json_object_get(o, "admin")));
        ck_assert_str_eq(str(o, "group"), m->config->default_group);
        ck_assert(json_is_false(json_object_get(o, "in_group")));
        ck_assert_ptr_nonnull(str(o, "slice"));
        ck_assert(json_is_object(json_object_get(o, "limits")));
        ck_assert(json_is_object(json_object_get(o, "sources")));
        ck_assert(json_is_object(json_object_get(o, "usage")));
}
END_TEST

START_TEST(test_reserve_commit_status_cancel) {
        _cleanup_free_ char *id = NULL, *cpu_only = NULL;
        {
                _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"pytorch:2\",\"gpus\":1}}");
                assert_ok(o);
                ck_assert_str_eq(str(o, "name"), "train._.nobody");
                json_t *gpus = json_object_get(o, "gpus");
                ck_assert_uint_eq(json_array_size(gpus), 1);
                ck_assert_str_eq(json_string_value(json_array_get(gpus, 0)), GPU0);
                _cleanup_free_ char *slice = NULL;
                ck_assert_int_eq(name_slice_user(m->config->default_group, "nobody", &slice), 0);
                ck_assert_str_eq(str(o, "slice"), slice);
                json_t *inject = json_object_get(o, "inject");
                ck_assert_str_eq(str(inject, "name"), "train._.nobody");
                ck_assert_str_eq(str(inject, "cgroup_parent"), slice);
                ck_assert_str_eq(str(inject, "gpus"), "device=" GPU0);
                ck_assert_str_eq(str(json_object_get(inject, "labels"), "berth.user"), "nobody");
                ck_assert_str_eq(str(json_object_get(inject, "labels"), "berth.gpus"), GPU0);
                ck_assert_int_eq(json_integer_value(json_object_get(o, "expires_in")), 60);
                id = strdup(str(o, "reservation"));
                ck_assert_str_eq(str(json_object_get(inject, "labels"), "berth.reservation"), id);
        }
        {
                char line[128];
                snprintf(line, sizeof(line), "{\"op\":\"commit\",\"reservation\":\"%s\"}", id);
                _cleanup_json_ json_t *o = ask(NOBODY, line);
                assert_ok(o);
        }
        {
                _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"status\"}");
                assert_ok(o);
                json_t *g0 = json_array_get(json_object_get(o, "gpus"), 0);
                ck_assert_str_eq(str(g0, "uuid"), GPU0);
                ck_assert_str_eq(str(g0, "user"), "nobody");
                ck_assert_str_eq(str(g0, "container"), "train._.nobody");
                ck_assert_str_eq(str(g0, "state"), "committed");
                ck_assert_ptr_nonnull(str(g0, "since"));
                json_t *g1 = json_array_get(json_object_get(o, "gpus"), 1);
                ck_assert_str_eq(str(g1, "uuid"), GPU1);
                ck_assert_ptr_null(str(g1, "user")); /* free */
                json_t *u0 = json_array_get(json_object_get(o, "users"), 0);
                ck_assert_str_eq(str(u0, "user"), "nobody");
                ck_assert(json_real_value(json_object_get(u0, "gpus")) == 1.0);
                json_t *c0 = json_array_get(json_object_get(o, "containers"), 0);
                ck_assert_str_eq(str(c0, "reservation"), id); /* the caller's own */
                ck_assert(json_is_true(json_object_get(o, "docker_synced")));
        }
        {
                /* another user sees the holder, not the reservation id */
                _cleanup_json_ json_t *o = ask(0, "{\"op\":\"status\"}");
                assert_ok(o); /* root is an admin: it sees it */
                ck_assert_str_eq(str(json_array_get(json_object_get(o, "containers"), 0), "reservation"), id);
        }

        cpu_only = reserve(NOBODY, "notes", 0);
        {
                char line[128];
                snprintf(line, sizeof(line), "{\"op\":\"cancel\",\"reservation\":\"%s\"}", cpu_only);
                _cleanup_json_ json_t *o = ask(NOBODY, line);
                assert_ok(o);
                _cleanup_json_ json_t *again = ask(NOBODY, line);
                assert_refused(again, "not_found");
        }
        {
                _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"status\"}");
                ck_assert_uint_eq(json_array_size(json_object_get(o, "containers")), 1);
        }
}
END_TEST

START_TEST(test_project_name) {
        /* without a name, the project's first free one */
        _cleanup_json_ json_t *a = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"project\":\"thesis\",\"image\":\"x\"}}");
        assert_ok(a);
        ck_assert_str_eq(str(a, "name"), "thesis._.nobody");
        _cleanup_json_ json_t *b = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"project\":\"thesis\",\"image\":\"x\"}}");
        assert_ok(b);
        ck_assert_str_eq(str(b, "name"), "thesis-2._.nobody");
}
END_TEST

START_TEST(test_gpu_quota) {
        _cleanup_free_ char *id = reserve(NOBODY, "train", 1);
        _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"eval\",\"image\":\"x\",\"gpus\":1}}");
        assert_refused(o, "quota_exceeded");
        ck_assert_ptr_nonnull(strstr(str(o, "message"), "train._.nobody"));
        /* the refusal held nothing */
        _cleanup_json_ json_t *s = ask(NOBODY, "{\"op\":\"status\"}");
        ck_assert_uint_eq(json_array_size(json_object_get(s, "containers")), 1);
}
END_TEST

START_TEST(test_name_taken) {
        _cleanup_free_ char *id = reserve(NOBODY, "train", 0);
        _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"x\"}}");
        assert_refused(o, "name_taken");
        _cleanup_json_ json_t *full = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train._.nobody\",\"image\":\"x\"}}");
        assert_refused(full, "name_taken");
        _cleanup_json_ json_t *other = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train._.root\",\"image\":\"x\"}}");
        assert_refused(other, "invalid_name");
}
END_TEST

START_TEST(test_not_synced) {
        m->docker_synced = false;
        _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"x\"}}");
        assert_refused(o, "unavailable");
        _cleanup_json_ json_t *w = ask(NOBODY, "{\"op\":\"owner\",\"targets\":[\"train\"]}");
        assert_refused(w, "unavailable");
}
END_TEST

START_TEST(test_slice_failure) {
        slice_fails = true;
        _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"ensure-slice\"}");
        assert_refused(o, "slice_failed");
        ck_assert_ptr_nonnull(strstr(str(o, "message"), "nobody"));
        _cleanup_json_ json_t *r = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"x\"}}");
        assert_refused(r, "slice_failed");
        slice_fails = false;
        _cleanup_json_ json_t *ok = ask(NOBODY, "{\"op\":\"ensure-slice\"}");
        assert_ok(ok);
        ck_assert_str_eq(str(ok, "group"), m->config->default_group);
        ck_assert(json_is_object(json_object_get(ok, "limits")));
}
END_TEST

/* Every op the protocol calls admin-only is refused to nobody, and no other
 * op is: the protocol's list is the only one. */
START_TEST(test_admin_ops) {
        for (enum proto_op op = 0; op < _OP_MAX; op++) {
                char line[128];
                snprintf(line, sizeof(line), "{\"op\":\"%s\"%s}", proto_op_name(op),
                         op == OP_RELEASE ? ",\"target\":\"train._.nobody\"" : "");
                _cleanup_json_ json_t *o = ask(NOBODY, line);
                const char *kind = str(o, "error");
                if (proto_op_is_admin(op))
                        assert_refused(o, "permission_denied");
                else
                        ck_assert_msg(!kind || !streq(kind, "permission_denied"), "%s refused to a user", line);
        }
        _cleanup_json_ json_t *o = ask(0, "{\"op\":\"users\",\"target\":\"nobody\"}");
        assert_ok(o);
        ck_assert_str_eq(str(json_array_get(json_object_get(o, "users"), 0), "user"), "nobody");
}
END_TEST

START_TEST(test_release_by_admin) {
        _cleanup_free_ char *id = reserve(NOBODY, "train", 1);
        _cleanup_json_ json_t *o = ask(0, "{\"op\":\"release\",\"target\":\"train._.nobody\"}");
        assert_ok(o);
        ck_assert_int_eq(json_integer_value(json_object_get(o, "released")), 1);
        _cleanup_json_ json_t *s = ask(NOBODY, "{\"op\":\"status\"}");
        ck_assert_uint_eq(json_array_size(json_object_get(s, "containers")), 0);
}
END_TEST

START_TEST(test_bad_requests) {
        _cleanup_json_ json_t *a = ask(NOBODY, "{\"op\":");
        assert_refused(a, "bad_request");
        _cleanup_json_ json_t *b = ask(NOBODY, "[1,2]");
        assert_refused(b, "bad_request");
        _cleanup_json_ json_t *c = ask(NOBODY, "{\"op\":\"fly\"}");
        assert_refused(c, "unknown_op");
        _cleanup_json_ json_t *d = ask(NOBODY, "{\"op\":\"commit\"}");
        assert_refused(d, "bad_request");
}
END_TEST

Suite *slicemgr_ops_suite(void) {
        Suite *s = suite_create("slicemgr-ops");
        TCase *tc = tcase_create("ops");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_hello);
        tcase_add_test(tc, test_hello_needs_no_account);
        tcase_add_test(tc, test_whoami_root);
        tcase_add_test(tc, test_reserve_commit_status_cancel);
        tcase_add_test(tc, test_project_name);
        tcase_add_test(tc, test_gpu_quota);
        tcase_add_test(tc, test_name_taken);
        tcase_add_test(tc, test_not_synced);
        tcase_add_test(tc, test_slice_failure);
        tcase_add_test(tc, test_admin_ops);
        tcase_add_test(tc, test_release_by_admin);
        tcase_add_test(tc, test_bad_requests);
        suite_add_tcase(s, tc);
        return s;
}
