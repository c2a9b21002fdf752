/* SPDX-License-Identifier: MIT */
/* berth-slicemgr believes berth.* labels only under a seal that verifies:
 * reserve hands out a berth.seal that seal_verify() accepts, and the
 * rebuild from Docker's listing and the create events count sealed
 * containers only, report forged ones in status and give them no owner.
 * Also what the mirror learns of host paths.  A Manager without bus or
 * Docker, from slicemgr-fixture.h. */
#include <check.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "basic/util.h"
#include "core/config.h"
#include "core/names.h"
#include "core/seal.h"
#include "policy/gpu-inventory.h"
#include "policy/ledger.h"
#include "slicemgr/docker-watch.h"
#include "slicemgr/labels.h"
#include "slicemgr/manager.h"
#include "slicemgr/mounts.h"
#include "slicemgr/ops.h"
#include "slicemgr/owner.h"
#include "slicemgr-fixture.h"

#define NOBODY 65534
#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static Manager *m;

static int fake_ensure_user_slice(struct slices *s, const struct resolved_user *u, char **ret_slice,
                                  struct berth_error *err) {
        return name_slice_user(u->group, u->user, ret_slice);
}

static void setup(void) {
        m = fixture_manager_new("[defaults]\ncpus = 2\nmemory = 4G\ngpus = 2\ncontainers = 3\n",
                                fake_ensure_user_slice);
        for (size_t i = 0; i < SEAL_KEY_SIZE; i++)
                m->seal_key[i] = (uint8_t) (i * 7 + 3);
}

static void teardown(void) {
        manager_free(m);
        m = NULL;
}

static json_t *ask(uid_t uid, const char *line) {
        struct ucred peer = { .pid = 1, .uid = uid, .gid = uid };
        _cleanup_free_ char *reply = ops_handle(m, &peer, line, strlen(line));
        ck_assert_ptr_nonnull(reply);
        json_t *o = json_loads(reply, JSON_REJECT_DUPLICATES, NULL);
        ck_assert_msg(o != NULL, "reply is no JSON: %s", reply);
        ck_assert_msg(json_is_true(json_object_get(o, "ok")), "not ok: %s", reply);
        return o;
}

/* Labels as berth hands them out, sealed with m's key (or another). */
static json_t *sealed_labels(const char *name, const char *user, uid_t uid, const char *gpus, const uint8_t *key) {
        char seal[SEAL_TEXT_MAX], uids[16];
        ck_assert_int_eq(seal_compute(key, SEAL_KEY_SIZE, name, user, uid, gpus, seal), 0);
        snprintf(uids, sizeof(uids), "%u", (unsigned) uid);
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "berth.managed", "true", "berth.user", user, "berth.uid", uids,
                         "berth.group", "default", "berth.gpus", gpus, SEAL_LABEL, seal);
}

/* One entry of GET /containers/json?all=1. */
static json_t *listed(const char *id, const char *name, json_t *labels, json_t *mounts) {
        char slashed[256];
        snprintf(slashed, sizeof(slashed), "/%s", name);
        return json_pack("{s:s,s:[s],s:o,s:o}", "Id", id, "Names", slashed, "Labels", labels, "Mounts",
                         mounts ? mounts : json_array());
}

static size_t status_count(const char *key) {
        _cleanup_json_ json_t *s = ask(0, "{\"op\":\"status\"}");
        return json_array_size(json_object_get(s, key));
}

START_TEST(test_reserve_seals_labels) {
        _cleanup_json_ json_t *o =
                ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"train\",\"image\":\"x\",\"gpus\":1}}");
        json_t *labels = json_object_get(json_object_get(o, "inject"), "labels");
        const char *seal = labels_get(labels, SEAL_LABEL);
        const char *gpus = labels_get(labels, "berth.gpus");
        ck_assert_ptr_nonnull(seal);
        ck_assert_ptr_nonnull(gpus);
        ck_assert(strncmp(seal, "v1:", 3) == 0);
        ck_assert(seal_verify(m->seal_key, SEAL_KEY_SIZE, seal, "train._.nobody", "nobody", NOBODY, gpus));
        /* over exactly these: another name, user, uid or GPU list fails */
        ck_assert(!seal_verify(m->seal_key, SEAL_KEY_SIZE, seal, "train2._.nobody", "nobody", NOBODY, gpus));
        ck_assert(!seal_verify(m->seal_key, SEAL_KEY_SIZE, seal, "train._.nobody", "root", NOBODY, gpus));
        ck_assert(!seal_verify(m->seal_key, SEAL_KEY_SIZE, seal, "train._.nobody", "nobody", 0, gpus));
        ck_assert(!seal_verify(m->seal_key, SEAL_KEY_SIZE, seal, "train._.nobody", "nobody", NOBODY, GPU0 "," GPU1));
        /* and the labels as handed out are trusted as they are */
        ck_assert_int_eq(labels_trust(m->seal_key, "/train._.nobody", labels), LABEL_TRUST_SEALED);
        ck_assert_int_eq(labels_trust(m->seal_key, "train._.other", labels), LABEL_TRUST_FORGED);
        /* a CPU-only reservation is sealed too, over an empty GPU list */
        _cleanup_json_ json_t *c = ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"cpu\",\"image\":\"x\"}}");
        json_t *cl = json_object_get(json_object_get(c, "inject"), "labels");
        ck_assert(seal_verify(m->seal_key, SEAL_KEY_SIZE, labels_get(cl, SEAL_LABEL), "cpu._.nobody", "nobody", NOBODY, ""));
}
END_TEST

START_TEST(test_labels_trust) {
        uint8_t other[SEAL_KEY_SIZE] = { 1 };
        _cleanup_json_ json_t *none = json_pack("{s:s}", "maintainer", "x");
        _cleanup_json_ json_t *project = json_pack("{s:s}", "berth.project", "thesis");
        _cleanup_json_ json_t *bare = json_pack("{s:s,s:s}", "berth.managed", "true", "berth.user", "nobody");
        _cleanup_json_ json_t *good = sealed_labels("a._.nobody", "nobody", NOBODY, GPU0, m->seal_key);
        _cleanup_json_ json_t *wrongkey = sealed_labels("a._.nobody", "nobody", NOBODY, GPU0, other);

        ck_assert_int_eq(labels_trust(m->seal_key, "x", NULL), LABEL_TRUST_NONE);
        ck_assert_int_eq(labels_trust(m->seal_key, "x", none), LABEL_TRUST_NONE);
        ck_assert_int_eq(labels_trust(m->seal_key, "x", project), LABEL_TRUST_NONE);
        ck_assert_int_eq(labels_trust(m->seal_key, "a._.nobody", bare), LABEL_TRUST_FORGED);
        ck_assert_int_eq(labels_trust(m->seal_key, "a._.nobody", good), LABEL_TRUST_SEALED);
        ck_assert_int_eq(labels_trust(m->seal_key, "a._.nobody", wrongkey), LABEL_TRUST_FORGED);
        /* copied, then altered: more GPUs, another owner, a uid that is no number */
        json_object_set_new(good, "berth.gpus", json_string(GPU0 "," GPU1));
        ck_assert_int_eq(labels_trust(m->seal_key, "a._.nobody", good), LABEL_TRUST_FORGED);
        json_object_set_new(good, "berth.gpus", json_string(GPU0));
        json_object_set_new(good, "berth.user", json_string("root"));
        ck_assert_int_eq(labels_trust(m->seal_key, "a._.nobody", good), LABEL_TRUST_FORGED);
        json_object_set_new(good, "berth.user", json_string("nobody"));
        ck_assert_int_eq(labels_trust(m->seal_key, "a._.nobody", good), LABEL_TRUST_SEALED);
        json_object_set_new(good, "berth.uid", json_string("+65534"));
        ck_assert_int_eq(labels_trust(m->seal_key, "a._.nobody", good), LABEL_TRUST_FORGED);
}
END_TEST

START_TEST(test_rebuild_ignores_forged) {
        struct berth_error err = { 0 };
        json_t *copied = sealed_labels("real._.nobody", "nobody", NOBODY, GPU0, m->seal_key);
        /* the same labels on another container, its GPUs raised */
        json_t *forged = json_deep_copy(copied);
        json_object_set_new(forged, "berth.gpus", json_string(GPU1));
        /* built with LABEL berth.* and no seal at all */
        json_t *built = json_pack("{s:s,s:s,s:s,s:s}", "berth.managed", "true", "berth.user", "root", "berth.uid", "0",
                                  "berth.gpus", GPU1);
        _cleanup_json_ json_t *list = json_pack("[o,o,o]", listed(ID_A, "real._.nobody", copied, NULL),
                                                listed(ID_B, "copy._.nobody", forged, NULL),
                                                listed(ID_C, "built._.root", built, NULL));

        ck_assert_int_eq(docker_watch_rebuild(m, list, NULL, &err), 1);
        size_t n;
        const struct ledger_entry *const *entries = ledger_entries(m->ledger, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(entries[0]->container, "real._.nobody");
        ck_assert_int_eq(ledger_device_holder(m->ledger, 1) == NULL, true); /* GPU1: claimed twice, held by none */

        _cleanup_json_ json_t *s = ask(NOBODY, "{\"op\":\"status\"}");
        json_t *f = json_object_get(s, "forged");
        ck_assert_uint_eq(json_array_size(f), 2);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(f, 0), "container")), "copy._.nobody");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(f, 0), "claims_user")), "nobody");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(f, 0), "gpus")), GPU1);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(f, 1), "claims_user")), "root");
        ck_assert_ptr_nonnull(json_object_get(s, "containers")); /* the old keys stay */
        ck_assert_ptr_nonnull(json_object_get(s, "docker_synced"));

        /* nobody's in the mirror, and not the caller's */
        _cleanup_json_ json_t *real = owner_container_mirror(m, "nobody", "real");
        _cleanup_json_ json_t *copy = owner_container_mirror(m, "nobody", "copy._.nobody");
        _cleanup_json_ json_t *root = owner_container_mirror(m, "root", "built._.root");
        ck_assert(json_is_true(json_object_get(real, "mine")));
        ck_assert(json_is_true(json_object_get(real, "managed")));
        ck_assert(json_is_false(json_object_get(copy, "managed")));
        ck_assert(json_is_false(json_object_get(copy, "mine")));
        ck_assert(json_is_null(json_object_get(copy, "user")));
        ck_assert(json_is_false(json_object_get(root, "mine")));

        /* a second rebuild keeps them listed once */
        ck_assert_int_eq(docker_watch_rebuild(m, list, NULL, &err), 1);
        ck_assert_uint_eq(status_count("forged"), 2);
}
END_TEST

static json_t *event(const char *action, const char *id, json_t *attrs) {
        return json_pack("{s:s,s:s,s:{s:s,s:o}}", "Type", "container", "Action", action, "Actor", "ID", id,
                         "Attributes", attrs);
}

START_TEST(test_create_event_ignores_forged) {
        _cleanup_json_ json_t *o =
                ask(NOBODY, "{\"op\":\"reserve\",\"spec\":{\"name\":\"job\",\"image\":\"x\",\"gpus\":1}}");
        json_t *labels = json_object_get(json_object_get(o, "inject"), "labels");
        const char *gpus = labels_get(labels, "berth.gpus");

        /* the reservation's labels, copied onto another name: not bound, not counted */
        json_t *attrs = json_deep_copy(labels);
        json_object_set_new(attrs, "name", json_string("other._.nobody"));
        _cleanup_json_ json_t *ev = event("create", ID_B, attrs);
        ck_assert_int_eq(docker_watch_event(m, ev), 0);
        const struct ledger_entry *e = ledger_find(m->ledger, labels_get(labels, "berth.reservation"));
        ck_assert_ptr_nonnull(e);
        ck_assert_ptr_null(e->container_id);
        ck_assert_uint_eq(status_count("forged"), 1);
        _cleanup_json_ json_t *owner = owner_container_mirror(m, "nobody", "other._.nobody");
        ck_assert(json_is_false(json_object_get(owner, "mine")));

        /* the real one binds its reservation */
        json_t *real = json_deep_copy(labels);
        json_object_set_new(real, "name", json_string("job._.nobody"));
        _cleanup_json_ json_t *ev2 = event("create", ID_A, real);
        ck_assert_int_eq(docker_watch_event(m, ev2), 0);
        e = ledger_find(m->ledger, labels_get(labels, "berth.reservation"));
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->container_id, ID_A);
        ck_assert_str_eq(ledger_device_holder(m->ledger, 0)->container, "job._.nobody");
        ck_assert_str_eq(gpus, GPU0);

        /* destroyed, the forged one is no longer reported */
        _cleanup_json_ json_t *ev3 = event("destroy", ID_B, json_pack("{s:s}", "name", "other._.nobody"));
        ck_assert_int_eq(docker_watch_event(m, ev3), 0);
        ck_assert_uint_eq(status_count("forged"), 0);
}
END_TEST

START_TEST(test_mounts_host_paths) {
        _cleanup_json_ json_t *volumes = json_pack("[{s:s,s:{s:s,s:s,s:s}},{s:s,s:n}]", "Name", "homevol", "Options",
                                                   "type", "none", "o", "bind", "device", "/home/x", "Name", "plain",
                                                   "Options");
        _cleanup_json_ json_t *bind = json_pack("[{s:s,s:s}]", "Type", "bind", "Source", "/home/x");
        _cleanup_json_ json_t *hv = json_pack("[{s:s,s:s}]", "Type", "volume", "Name", "homevol");
        _cleanup_json_ json_t *pv = json_pack("[{s:s,s:s},{s:s}]", "Type", "volume", "Name", "plain", "Type", "tmpfs");
        _cleanup_json_ json_t *unknown = json_pack("[{s:s,s:s}]", "Type", "volume", "Name", "gone");

        ck_assert(mounts_meet_host_path(bind, volumes, NULL));
        ck_assert(mounts_meet_host_path(hv, volumes, NULL));
        ck_assert(!mounts_meet_host_path(pv, volumes, NULL));
        ck_assert(!mounts_meet_host_path(NULL, volumes, NULL));
        ck_assert(mounts_meet_host_path(unknown, volumes, NULL)); /* cannot be told: a host path */
        ck_assert(volume_has_host_path(json_array_get(volumes, 0)));
        ck_assert(!volume_has_host_path(json_array_get(volumes, 1)));
        ck_assert(volume_name_valid("data_1.x-y"));
        ck_assert(!volume_name_valid("../x"));
        ck_assert(!volume_name_valid("a"));
        ck_assert(!volume_name_valid("_a"));
        ck_assert(!volume_name_valid("a/b"));

        /* the rebuild records them in the mirror, and owner answers say so */
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *list = json_pack("[o,o]", listed(ID_A, "b", json_object(), json_incref(bind)),
                                                listed(ID_B, "p", json_object(), json_incref(pv)));
        ck_assert_int_eq(docker_watch_rebuild(m, list, volumes, &err), 0);
        _cleanup_json_ json_t *a = owner_container_mirror(m, "nobody", "b");
        _cleanup_json_ json_t *b = owner_container_mirror(m, "nobody", "p");
        ck_assert(json_is_true(json_object_get(a, "host_paths")));
        ck_assert(json_is_false(json_object_get(b, "host_paths")));
        ck_assert(json_is_false(json_object_get(a, "managed")));
}
END_TEST

Suite *slicemgr_seal_suite(void) {
        Suite *s = suite_create("slicemgr-seal");
        TCase *tc = tcase_create("seal");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_reserve_seals_labels);
        tcase_add_test(tc, test_labels_trust);
        tcase_add_test(tc, test_rebuild_ignores_forged);
        tcase_add_test(tc, test_create_event_ignores_forged);
        tcase_add_test(tc, test_mounts_host_paths);
        suite_add_tcase(s, tc);
        return s;
}
