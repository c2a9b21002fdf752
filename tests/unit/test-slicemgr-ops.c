/* SPDX-License-Identifier: MIT */
/* berth-slicemgr's operations, driven through ops_handle() as the control
 * socket drives them: a Manager built here without sd-bus or Docker (a
 * config parsed from text, a ledger over two hand-made GPUs, Docker marked
 * synced, slices made by a stand-in), request lines in, reply lines out.
 * root (uid 0) and nobody (uid 65534) are the callers, daemon (uid 1) the
 * other user: all exist in NSS, and neither nobody nor daemon is an admin;
 * root asking "for" nobody is berth-gate serving nobody.  Ensuring a real slice needs the bus: the
 * integration tests (30-slices.t, 40-slicemgr.t) do that. */
#include <check.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/util.h"
#include "core/config.h"
#include "core/metrics.h"
#include "core/names.h"
#include "core/proto.h"
#include "policy/gpu-inventory.h"
#include "policy/ledger.h"
#include "slicemgr/claims.h"
#include "slicemgr/exempt.h"
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
                         op == OP_RELEASE   ? ",\"target\":\"train._.nobody\""
                         : op == OP_EXEMPT ? ",\"target\":\"nobody\",\"until\":4102444800,\"reason\":\"x\""
                                           : "");
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
        /* the queue's, start's and exempt's fields, wrong */
        static const char *const bad[] = {
                "{\"op\":\"reserve\",\"spec\":{\"gpus\":1},\"wait\":1}",
                "{\"op\":\"reserve\",\"spec\":{\"gpus\":1},\"wait\":\"yes\"}",
                "{\"op\":\"start\"}",
                "{\"op\":\"start\",\"target\":\"\"}",
                "{\"op\":\"start\",\"target\":7}",
                "{\"op\":\"start\",\"target\":\"x\",\"wait\":true}",
                "{\"op\":\"exempt\",\"target\":\"x._.nobody\"}",
                "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":\"tomorrow\",\"reason\":\"r\"}",
                "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":-5,\"reason\":\"r\"}",
                "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":4102444800}",
                "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":4102444800,\"reason\":\"a\\nb\"}",
                "{\"op\":\"queue\",\"target\":\"x\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_t *o = ask(0, bad[i]);
                ck_assert_msg(json_is_false(json_object_get(o, "ok")) && streq_ptr(str(o, "error"), "bad_request"),
                              "%s: %s", bad[i], str(o, "error"));
        }
}
END_TEST

/* An admin gives, replaces and ends an exemption; it is kept in the file,
 * shown in status, and a user can do none of it. */
START_TEST(test_exempt) {
        char dir[] = "/tmp/berth-exempt-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        char path[64];
        snprintf(path, sizeof(path), "%s/exemptions.json", dir);
        ck_assert_int_eq(exemptions_load(&m->exemptions, path), 0);

        _cleanup_json_ json_t *u = ask(NOBODY, "{\"op\":\"exempt\",\"target\":\"nobody\",\"until\":4102444800,\"reason\":\"me\"}");
        assert_refused(u, "permission_denied");
        ck_assert_int_eq(access(path, F_OK), -1);

        _cleanup_json_ json_t *a = ask(0, "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":4102444800,\"reason\":\"demo\"}");
        assert_ok(a);
        ck_assert(json_is_true(json_object_get(a, "exempt")));
        _cleanup_json_ json_t *b = ask(0, "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":4102444900,\"reason\":\"later\"}");
        assert_ok(b);
        ck_assert_uint_eq(json_array_size(json_object_get(b, "exemptions")), 1); /* replaced, not added */

        /* a restart reads it back */
        struct exemptions again = { 0 };
        ck_assert_int_eq(exemptions_load(&again, path), 0);
        ck_assert_uint_eq(again.n, 1);
        ck_assert_str_eq(again.v[0].target, "x._.nobody");
        ck_assert_str_eq(again.v[0].reason, "later");
        ck_assert(!again.v[0].user);
        ck_assert_ptr_nonnull(exemptions_find(&again, "x._.nobody", "nobody", 4102444899));
        ck_assert_ptr_null(exemptions_find(&again, "x._.nobody", "nobody", 4102444900)); /* over at its time */
        ck_assert_ptr_null(exemptions_find(&again, "y._.nobody", "nobody", 0));
        exemptions_done(&again);

        _cleanup_json_ json_t *s = ask(NOBODY, "{\"op\":\"status\"}");
        ck_assert_str_eq(str(json_array_get(json_object_get(s, "exemptions"), 0), "reason"), "later");

        _cleanup_json_ json_t *e = ask(0, "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":0}");
        assert_ok(e);
        ck_assert(json_is_false(json_object_get(e, "exempt")));
        _cleanup_json_ json_t *f = ask(0, "{\"op\":\"exempt\",\"target\":\"x._.nobody\",\"until\":0}");
        assert_refused(f, "not_found");

        /* a file that is not a list of exemptions counts as none */
        FILE *w = fopen(path, "w");
        ck_assert_ptr_nonnull(w);
        fputs("{\"exemptions\":7}", w);
        fclose(w);
        ck_assert_int_eq(exemptions_load(&again, path), 0);
        ck_assert_uint_eq(again.n, 0);
        exemptions_done(&again);
        unlink(path);
        rmdir(dir);
}
END_TEST

/* --- "for": berth-gate asks as root on its client's behalf ------------------ */

/* line with "for":{"uid":uid,"gid":gid,"pid":4242} added, asked by peer. */
static json_t *ask_for_gid(uid_t peer, uid_t uid, gid_t gid, const char *line) {
        _cleanup_json_ json_t *req = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
        ck_assert_ptr_nonnull(req);
        ck_assert_int_eq(json_object_set_new(req, "for", json_pack("{s:I,s:I,s:i}", "uid", (json_int_t) uid, "gid",
                                                                   (json_int_t) gid, "pid", 4242)),
                         0);
        _cleanup_free_ char *text = json_dumps(req, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        return ask(peer, text);
}

static json_t *ask_for(uid_t peer, uid_t uid, const char *line) {
        return ask_for_gid(peer, uid, uid, line);
}

static size_t held_count(void) {
        _cleanup_json_ json_t *s = ask(0, "{\"op\":\"status\"}");
        assert_ok(s);
        return json_array_size(json_object_get(s, "containers"));
}

/* The request line {"op":op,"reservation":id}. */
static const char *with_id(char *buf, size_t n, const char *op, const char *id) {
        snprintf(buf, n, "{\"op\":\"%s\",\"reservation\":\"%s\"}", op, id);
        return buf;
}

START_TEST(test_for_from_root) {
        char line[160];
        {
                _cleanup_json_ json_t *o = ask_for(0, NOBODY, "{\"op\":\"whoami\"}");
                assert_ok(o);
                ck_assert_str_eq(str(o, "user"), "nobody");
                ck_assert_int_eq(json_integer_value(json_object_get(o, "uid")), NOBODY);
                ck_assert(json_is_false(json_object_get(o, "admin"))); /* root's rights do not come along */
                _cleanup_json_ json_t *h = ask_for(0, NOBODY, "{\"op\":\"hello\"}");
                ck_assert_int_eq(json_integer_value(json_object_get(h, "uid")), NOBODY);
                /* uid 0 in "for" is root, an admin */
                _cleanup_json_ json_t *r = ask_for(0, 0, "{\"op\":\"whoami\"}");
                ck_assert_str_eq(str(r, "user"), "root");
                ck_assert(json_is_true(json_object_get(r, "admin")));
        }
        /* a reservation made through the gate is nobody's, as if nobody had asked */
        _cleanup_json_ json_t *o = ask_for(0, NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"x\",\"gpus\":1}}");
        assert_ok(o);
        ck_assert_str_eq(str(o, "name"), "train._.nobody");
        json_t *labels = json_object_get(json_object_get(o, "inject"), "labels");
        ck_assert_str_eq(str(labels, "berth.user"), "nobody");
        ck_assert_str_eq(str(labels, "berth.uid"), "65534");
        const char *id = str(o, "reservation");
        const struct ledger_entry *e = ledger_find(m->ledger, id);
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->uid, NOBODY);
        ck_assert_str_eq(e->user, "nobody");
        {
                /* nobody's limits: one GPU, so a second is refused */
                _cleanup_json_ json_t *q = ask_for(0, NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"eval\",\"image\":\"x\",\"gpus\":1}}");
                assert_refused(q, "quota_exceeded");
                /* nobody sees it as their own */
                _cleanup_json_ json_t *s = ask(NOBODY, "{\"op\":\"status\"}");
                ck_assert_str_eq(str(json_array_get(json_object_get(s, "containers"), 0), "reservation"), id);
                /* another user through the gate may not commit it; nobody through the gate may */
                _cleanup_json_ json_t *c1 = ask_for(0, 1, with_id(line, sizeof(line), "commit", id));
                assert_refused(c1, "permission_denied");
                _cleanup_json_ json_t *c2 = ask_for(0, NOBODY, with_id(line, sizeof(line), "commit", id));
                assert_ok(c2);
                ck_assert_int_eq(e->state, LEDGER_COMMITTED);
                _cleanup_json_ json_t *c3 = ask_for(0, NOBODY, with_id(line, sizeof(line), "cancel", id));
                assert_ok(c3);
        }
        ck_assert_uint_eq(held_count(), 0);
}
END_TEST

START_TEST(test_for_gid_counts) {
        /* the admin rule sees the gid "for" names, as it sees a connection's */
        free(m->config->admin_group);
        m->config->admin_group = strdup("adm");
        _cleanup_json_ json_t *a = ask_for_gid(0, NOBODY, 4 /* adm */, "{\"op\":\"whoami\"}");
        ck_assert(json_is_true(json_object_get(a, "admin")));
        _cleanup_json_ json_t *b = ask_for_gid(0, NOBODY, NOBODY, "{\"op\":\"whoami\"}");
        ck_assert(json_is_false(json_object_get(b, "admin")));
        /* a uid without an account is refused as if it had connected */
        _cleanup_json_ json_t *c = ask_for(0, 4000000000u, "{\"op\":\"whoami\"}");
        assert_refused(c, "unknown_user");
}
END_TEST

START_TEST(test_for_refused_to_users) {
        static const char *const lines[] = {
                "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"x\",\"gpus\":1}}",
                "{\"op\":\"whoami\"}",
                "{\"op\":\"hello\"}",
                "{\"op\":\"status\"}",
                "{\"op\":\"claim\",\"reservation\":\"0123456789abcdef0123456789abcdef\"}",
        };
        /* for someone else, for root, even for oneself: only root may use "for" */
        static const uid_t fors[] = { 1, 0, NOBODY };
        for (size_t i = 0; i < ELEMENTSOF(lines); i++)
                for (size_t k = 0; k < ELEMENTSOF(fors); k++) {
                        _cleanup_json_ json_t *o = ask_for(NOBODY, fors[k], lines[i]);
                        assert_refused(o, "permission_denied");
                        ck_assert_str_eq(str(o, "message"), "berth: only root may ask on another user's behalf.");
                }
        ck_assert_uint_eq(held_count(), 0);
        /* nor from a uid without an account */
        _cleanup_json_ json_t *o = ask_for(4000000000u, NOBODY, "{\"op\":\"hello\"}");
        assert_refused(o, "permission_denied");
}
END_TEST

START_TEST(test_for_bad_shapes) {
        static const char *const lines[] = {
                "{\"op\":\"whoami\",\"for\":\"nobody\"}",
                "{\"op\":\"whoami\",\"for\":65534}",
                "{\"op\":\"whoami\",\"for\":null}",
                "{\"op\":\"whoami\",\"for\":[65534,65534]}",
                "{\"op\":\"whoami\",\"for\":{}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"gid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":\"65534\",\"gid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534,\"gid\":\"65534\"}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":-1,\"gid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534,\"gid\":-5}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534.0,\"gid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":true,\"gid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":4294967295,\"gid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":4294967296,\"gid\":65534}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534,\"gid\":65534,\"pid\":-1}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534,\"gid\":65534,\"pid\":\"1\"}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534,\"gid\":65534,\"user\":\"nobody\"}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534,\"gid\":65534,\"admin\":true}}",
                "{\"op\":\"whoami\",\"for\":{\"uid\":65534,\"gid\":65534},\"for\":{\"uid\":0,\"gid\":0}}",
                "{\"op\":\"reserve\",\"for\":{\"uid\":65534,\"gid\":65534,\"groups\":[0]},\"spec\":{\"name\":\"x\",\"image\":\"x\"}}",
        };
        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                _cleanup_json_ json_t *o = ask(0, lines[i]);
                ck_assert_msg(json_is_false(json_object_get(o, "ok")), "%s accepted", lines[i]);
                ck_assert_msg(streq(str(o, "error"), "bad_request"), "%s: %s", lines[i], str(o, "error"));
        }
        ck_assert_uint_eq(held_count(), 0);
}
END_TEST

/* The owner question Docker must answer is queued under the user asked
 * for, not under the gate's root. */
START_TEST(test_for_deferred_owner) {
        static char not_a_client;
        struct ucred root = { .pid = 1, .uid = 0, .gid = 0 };
        struct ops_deferred *x = NULL;
        const char *line = "{\"op\":\"owner\",\"targets\":[\"train\"],\"for\":{\"uid\":65534,\"gid\":65534}}";

        m->docker = (struct docker *) &not_a_client; /* never used: the question is only queued */
        char *reply = ops_handle_deferrable(m, &root, line, strlen(line), &x);
        m->docker = NULL;
        ck_assert_ptr_null(reply);
        ck_assert_ptr_nonnull(x);
        ck_assert_uint_eq(ops_deferred_uid(x), NOBODY);
        ops_deferred_free(x);
}
END_TEST

/* --- claim: the gate takes over the wrapper's reservation ----------------- */

/* claim id as root for uid */
static json_t *claim_for(uid_t uid, const char *id) {
        char line[160];
        return ask_for(0, uid, with_id(line, sizeof(line), "claim", id));
}

START_TEST(test_claim) {
        char line[160];
        /* the wrapper, as nobody, reserves */
        _cleanup_json_ json_t *r = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"x\",\"gpus\":1}}");
        assert_ok(r);
        const char *id = str(r, "reservation");
        const struct ledger_entry *e = ledger_find(m->ledger, id);
        ck_assert_ptr_nonnull(e);
        uint64_t expires = e->expires_usec;
        usleep(2000);

        /* the gate claims it for nobody: the very same answer, the TTL renewed */
        _cleanup_json_ json_t *c = claim_for(NOBODY, id);
        assert_ok(c);
        ck_assert_str_eq(str(c, "reservation"), id);
        ck_assert_str_eq(str(c, "name"), "train._.nobody");
        ck_assert_str_eq(str(c, "slice"), str(r, "slice"));
        ck_assert(json_equal(json_object_get(c, "gpus"), json_object_get(r, "gpus")));
        ck_assert(json_equal(json_object_get(c, "inject"), json_object_get(r, "inject")));
        ck_assert_int_eq(json_integer_value(json_object_get(c, "expires_in")), 60);
        ck_assert_uint_eq(json_object_size(c), json_object_size(r));
        ck_assert_ptr_eq(ledger_find(m->ledger, id), e);
        ck_assert_uint_gt(e->expires_usec, expires);

        /* not a second reservation: one holder, one GPU */
        {
                _cleanup_json_ json_t *s = ask(0, "{\"op\":\"status\"}");
                ck_assert_uint_eq(json_array_size(json_object_get(s, "containers")), 1);
                ck_assert_str_eq(str(json_array_get(json_object_get(s, "gpus"), 0), "user"), "nobody");
                ck_assert_ptr_null(str(json_array_get(json_object_get(s, "gpus"), 1), "user"));
                json_t *u = json_array_get(json_object_get(s, "users"), 0);
                ck_assert_uint_eq(json_array_size(json_object_get(s, "users")), 1);
                ck_assert(json_real_value(json_object_get(u, "gpus")) == 1.0);
                ck_assert_int_eq(json_integer_value(json_object_get(u, "containers")), 1);
        }
        /* the create docker sends again after pulling the image claims it again */
        {
                _cleanup_json_ json_t *again = claim_for(NOBODY, id);
                assert_ok(again);
                ck_assert(json_equal(json_object_get(again, "inject"), json_object_get(r, "inject")));
        }
        /* the gate commits on 201; from then on it is no longer claimable */
        {
                _cleanup_json_ json_t *o = ask_for(0, NOBODY, with_id(line, sizeof(line), "commit", id));
                assert_ok(o);
                ck_assert_int_eq(e->state, LEDGER_COMMITTED);
                _cleanup_json_ json_t *late = claim_for(NOBODY, id);
                assert_refused(late, "conflict");
                ck_assert_ptr_null(claims_get(&m->claims, id));
        }
        ck_assert_uint_eq(held_count(), 1);
}
END_TEST

START_TEST(test_claim_direct) {
        /* a user may claim their own reservation without the gate too */
        _cleanup_free_ char *id = reserve(NOBODY, "train", 0);
        char line[160];
        _cleanup_json_ json_t *o = ask(NOBODY, with_id(line, sizeof(line), "claim", id));
        assert_ok(o);
        ck_assert_str_eq(str(o, "name"), "train._.nobody");
}
END_TEST

START_TEST(test_claim_by_another) {
        char line[160];
        _cleanup_free_ char *id = reserve(NOBODY, "train", 1);
        /* another user, through the gate or not */
        _cleanup_json_ json_t *a = claim_for(1, id);
        assert_refused(a, "permission_denied");
        _cleanup_json_ json_t *b = ask(1, with_id(line, sizeof(line), "claim", id));
        assert_refused(b, "permission_denied");
        /* an admin neither: a claim is only ever for the owner */
        _cleanup_json_ json_t *c = ask(0, with_id(line, sizeof(line), "claim", id));
        assert_refused(c, "permission_denied");
        _cleanup_json_ json_t *d = claim_for(0, id);
        assert_refused(d, "permission_denied");
        /* none of that took it away from its owner */
        ck_assert_int_eq(ledger_find(m->ledger, id)->state, LEDGER_RESERVED);
        _cleanup_json_ json_t *ok = claim_for(NOBODY, id);
        assert_ok(ok);
}
END_TEST

START_TEST(test_claim_unknown) {
        _cleanup_json_ json_t *a = claim_for(NOBODY, "0123456789abcdef0123456789abcdef");
        assert_refused(a, "not_found");
        ck_assert_str_eq(str(a, "message"),
                         "berth: reservation 0123456789abcdef0123456789abcdef is not held (it may have expired); run the command again.");
        _cleanup_json_ json_t *b = ask(0, "{\"op\":\"claim\",\"for\":{\"uid\":65534,\"gid\":65534}}");
        assert_refused(b, "bad_request");
        _cleanup_json_ json_t *c = ask(0, "{\"op\":\"claim\",\"reservation\":\"x\",\"spec\":{}}");
        assert_refused(c, "bad_request");
}
END_TEST

START_TEST(test_claim_after_commit_cancel) {
        char line[160];
        _cleanup_free_ char *committed = reserve(NOBODY, "train", 1);
        _cleanup_free_ char *cancelled = reserve(NOBODY, "notes", 0);
        /* the wrapper, as nobody, commits or cancels without a claim */
        _cleanup_json_ json_t *a = ask(NOBODY, with_id(line, sizeof(line), "commit", committed));
        assert_ok(a);
        _cleanup_json_ json_t *b = ask(NOBODY, with_id(line, sizeof(line), "cancel", cancelled));
        assert_ok(b);
        _cleanup_json_ json_t *c = claim_for(NOBODY, committed);
        assert_refused(c, "conflict");
        _cleanup_json_ json_t *d = claim_for(NOBODY, cancelled);
        assert_refused(d, "not_found");
        ck_assert_ptr_null(claims_get(&m->claims, cancelled));
}
END_TEST

START_TEST(test_claim_then_cancel) {
        char line[160];
        _cleanup_free_ char *id = reserve(NOBODY, "train", 1);
        _cleanup_json_ json_t *a = claim_for(NOBODY, id);
        assert_ok(a);
        /* dockerd refused the create: the gate cancels, the GPU is free */
        _cleanup_json_ json_t *b = ask_for(0, NOBODY, with_id(line, sizeof(line), "cancel", id));
        assert_ok(b);
        ck_assert_uint_eq(held_count(), 0);
        ck_assert_ptr_null(ledger_device_holder(m->ledger, 0));
        _cleanup_json_ json_t *c = claim_for(NOBODY, id);
        assert_refused(c, "not_found");
        ck_assert_ptr_null(claims_get(&m->claims, id));
}
END_TEST

START_TEST(test_claim_after_expiry) {
        m->config->reservation_ttl_usec = 20000;
        _cleanup_free_ char *id = reserve(NOBODY, "train", 1);
        usleep(40000);
        /* past its expiry, before the timer has freed it */
        ck_assert_ptr_nonnull(ledger_find(m->ledger, id));
        _cleanup_json_ json_t *a = claim_for(NOBODY, id);
        assert_refused(a, "not_found");
        /* the timer frees it and its kept reply goes too */
        ledger_expire(m->ledger, UINT64_MAX - 1, NULL, NULL);
        manager_schedule_expiry(m);
        ck_assert_ptr_null(claims_get(&m->claims, id));
        _cleanup_json_ json_t *b = claim_for(NOBODY, id);
        assert_refused(b, "not_found");
}
END_TEST

START_TEST(test_claim_after_bind) {
        _cleanup_free_ char *id = reserve(NOBODY, "train", 1);
        uint64_t now;
        ck_assert_int_ge(sd_event_now(m->event, CLOCK_MONOTONIC, &now), 0);
        /* Docker's create event binds it, as docker-watch.c does */
        ck_assert_int_eq(ledger_bind(m->ledger, id, "train._.nobody", "c0ffee", now, NULL), 0);
        manager_schedule_expiry(m);
        ck_assert_ptr_null(claims_get(&m->claims, id));
        _cleanup_json_ json_t *a = claim_for(NOBODY, id);
        assert_refused(a, "conflict");
        ck_assert_ptr_nonnull(strstr(str(a, "message"), "train._.nobody"));
}
END_TEST

static void put_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

/* The keys the metrics are rendered from: slice usage from the cgroup
 * files, limits, the reaper's counters, the reserve latency, the daemon. */
START_TEST(test_status_metrics_keys) {
        char root[] = "/tmp/berth-status-cg-XXXXXX", path[512];
        ck_assert_ptr_nonnull(mkdtemp(root));
        free(m->slices.cgroup_root);
        m->slices.cgroup_root = strdup(root);
        snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
        put_file(path, "cpu memory pids\n");
        static const char *const dirs[] = { "/berth.slice", "/berth.slice/berth-default.slice",
                                            "/berth.slice/berth-default.slice/berth-default-nobody.slice" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
                ck_assert_int_eq(mkdir(path, 0755), 0);
        }
        snprintf(path, sizeof(path), "%s%s/cpu.stat", root, dirs[2]);
        put_file(path, "usage_usec 1234567\nuser_usec 1000000\n");
        snprintf(path, sizeof(path), "%s%s/memory.current", root, dirs[2]);
        put_file(path, "4096\n");
        snprintf(path, sizeof(path), "%s%s/memory.current", root, dirs[1]);
        put_file(path, "8192\n");

        free(reserve(NOBODY, "train", 1));
        _cleanup_json_ json_t *refused = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"more\",\"image\":\"x\",\"gpus\":1}}");
        assert_refused(refused, "quota_exceeded");
        _cleanup_json_ json_t *o = ask(NOBODY, "{\"op\":\"status\"}");
        assert_ok(o);

        json_t *u = json_array_get(json_object_get(o, "users"), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(u, "cpu_usage_usec")), 1234567);
        ck_assert_int_eq(json_integer_value(json_object_get(u, "memory")), 4096);
        json_t *l = json_object_get(u, "limits");
        ck_assert(json_real_value(json_object_get(l, "cpus")) == 2.0);
        ck_assert_int_eq(json_integer_value(json_object_get(l, "memory")), 4LL << 30);
        ck_assert(json_real_value(json_object_get(l, "gpus")) == 1.0);
        ck_assert_int_eq(json_integer_value(json_object_get(l, "containers")), 3);
        json_t *g = json_array_get(json_object_get(o, "groups"), 0);
        ck_assert_str_eq(str(g, "group"), "default");
        ck_assert(json_is_null(json_object_get(g, "cpu_usage_usec"))); /* no cpu.stat there */
        ck_assert_int_eq(json_integer_value(json_object_get(g, "memory")), 8192);
        /* no reaper tick yet: nothing sampled */
        json_t *g0 = json_array_get(json_object_get(o, "gpus"), 0);
        ck_assert(json_is_null(json_object_get(g0, "utilization")));
        ck_assert(json_is_null(json_object_get(g0, "memory_used")));
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "reaper"), "stops")), 0);
        /* both reserves, the granted and the refused, were timed */
        json_t *lat = json_object_get(o, "reserve_latency");
        ck_assert_int_eq(json_integer_value(json_object_get(lat, "count")), 2);
        ck_assert_uint_eq(json_array_size(json_object_get(lat, "buckets")), METRICS_LATENCY_BUCKETS);
        json_t *d = json_object_get(o, "daemon");
        ck_assert_str_eq(str(d, "version"), BERTH_VERSION);
        ck_assert(json_is_integer(json_object_get(d, "started")));
        ck_assert(json_is_integer(json_object_get(d, "config_generation")));

        _cleanup_free_ char *text = NULL;
        ck_assert_int_eq(metrics_render(o, &text), 0);
        ck_assert_ptr_nonnull(strstr(text, "\nberth_user_cpu_seconds_total{user=\"nobody\",group=\"default\"} 1.234567\n"));
        ck_assert_ptr_nonnull(strstr(text, "\nberth_group_memory_bytes{group=\"default\"} 8192\n"));
        ck_assert_ptr_nonnull(strstr(text, "\nberth_reserve_duration_seconds_count 2\n"));

        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        ck_assert_int_eq(system(cmd), 0);
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
        tcase_add_test(tc, test_exempt);
        tcase_add_test(tc, test_status_metrics_keys);
        suite_add_tcase(s, tc);

        tc = tcase_create("for-and-claim");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_for_from_root);
        tcase_add_test(tc, test_for_gid_counts);
        tcase_add_test(tc, test_for_refused_to_users);
        tcase_add_test(tc, test_for_bad_shapes);
        tcase_add_test(tc, test_for_deferred_owner);
        tcase_add_test(tc, test_claim);
        tcase_add_test(tc, test_claim_direct);
        tcase_add_test(tc, test_claim_by_another);
        tcase_add_test(tc, test_claim_unknown);
        tcase_add_test(tc, test_claim_after_commit_cancel);
        tcase_add_test(tc, test_claim_then_cancel);
        tcase_add_test(tc, test_claim_after_expiry);
        tcase_add_test(tc, test_claim_after_bind);
        suite_add_tcase(s, tc);
        return s;
}
