/* SPDX-License-Identifier: MIT */
/* lib/cmirror: exact lookups the way dockerd resolves a container. */
#include <check.h>

#include "policy/cmirror.h"
#include "basic/util.h"

#define ID_A "3f1a000000000000000000000000000000000000000000000000000000000001"
#define ID_B "3f1a000000000000000000000000000000000000000000000000000000000002"
#define ID_C "9c00000000000000000000000000000000000000000000000000000000000003"

static struct cmirror m;

static void setup(void) {
        m = (struct cmirror) { 0 };
        ck_assert_int_eq(cmirror_put(&m, ID_A, "/train._.alice", "alice", true), 0);
        ck_assert_int_eq(cmirror_put(&m, ID_B, "train._.bob", "bob", true), 0);
        ck_assert_int_eq(cmirror_put(&m, ID_C, "/web", NULL, false), 0);
}

static void teardown(void) {
        cmirror_clear(&m);
}

START_TEST(test_exact_id_and_name) {
        const struct cmirror_entry *e = cmirror_find(&m, ID_A);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->user, "alice");
        ck_assert(e->managed);
        e = cmirror_find(&m, "train._.bob");
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->id, ID_B);
        e = cmirror_find(&m, "/train._.bob");
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->id, ID_B);
        e = cmirror_find(&m, "web");
        ck_assert_ptr_nonnull(e);
        ck_assert_ptr_null(e->user);
        ck_assert(!e->managed);
}
END_TEST

START_TEST(test_no_inexact_answers) {
        /* id prefixes, "//name", other spellings and empty words are left
         * to Docker */
        ck_assert_ptr_null(cmirror_find(&m, "3f1a"));
        ck_assert_ptr_null(cmirror_find(&m, "9c"));
        ck_assert_ptr_null(cmirror_find(&m, "//web"));
        ck_assert_ptr_null(cmirror_find(&m, "train"));
        ck_assert_ptr_null(cmirror_find(&m, "TRAIN._.ALICE"));
        ck_assert_ptr_null(cmirror_find(&m, "train._.alice "));
        ck_assert_ptr_null(cmirror_find(&m, ""));
        ck_assert_ptr_null(cmirror_find(&m, "/"));
        ck_assert_ptr_null(cmirror_find(&m, NULL));
}
END_TEST

START_TEST(test_id_before_name) {
        /* a container may be named like another's full id: the id wins, as
         * in dockerd */
        ck_assert_int_eq(cmirror_put(&m, ID_C, ID_A, NULL, false), 0);
        const struct cmirror_entry *e = cmirror_find(&m, ID_A);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->user, "alice");
}
END_TEST

START_TEST(test_rename_and_remove) {
        ck_assert_int_eq(cmirror_rename(&m, ID_A, "/eval._.alice"), 0);
        ck_assert_ptr_null(cmirror_find(&m, "train._.alice"));
        ck_assert_str_eq(cmirror_find(&m, "eval._.alice")->id, ID_A);
        ck_assert_int_eq(cmirror_rename(&m, "feed", "x"), 0); /* unknown id: nothing */
        ck_assert_int_eq(cmirror_rename(&m, ID_A, "/"), -EINVAL);
        cmirror_remove(&m, ID_A);
        ck_assert_ptr_null(cmirror_find(&m, "eval._.alice"));
        ck_assert_ptr_null(cmirror_find(&m, ID_A));
        ck_assert_uint_eq(m.n, 2);
        ck_assert_str_eq(cmirror_find(&m, "web")->id, ID_C);
        ck_assert_str_eq(cmirror_find(&m, "train._.bob")->id, ID_B);
        cmirror_remove(&m, ID_A); /* twice: nothing */
        ck_assert_uint_eq(m.n, 2);
}
END_TEST

START_TEST(test_host_paths) {
        ck_assert(!cmirror_find(&m, ID_A)->host_paths);
        cmirror_set_host_paths(&m, ID_A, true);
        ck_assert(cmirror_find(&m, "train._.alice")->host_paths);
        ck_assert(!cmirror_find(&m, ID_B)->host_paths);
        cmirror_set_host_paths(&m, "9c00000000000000000000000000000000000000000000000000000000000009", true); /* unknown */
        cmirror_set_host_paths(&m, ID_A, false);
        ck_assert(!cmirror_find(&m, ID_A)->host_paths);
}
END_TEST

START_TEST(test_put_replaces) {
        ck_assert_int_eq(cmirror_put(&m, ID_B, "/other._.bob", "bob", true), 0);
        ck_assert_uint_eq(m.n, 3);
        ck_assert_ptr_null(cmirror_find(&m, "train._.bob"));
        ck_assert_str_eq(cmirror_find(&m, "other._.bob")->id, ID_B);
        ck_assert_int_eq(cmirror_put(&m, "", "x", NULL, false), -EINVAL);
        ck_assert_int_eq(cmirror_put(&m, ID_B, "/", NULL, false), -EINVAL);
        ck_assert_int_eq(cmirror_put(&m, ID_B, NULL, NULL, false), -EINVAL);
        ck_assert_uint_eq(m.n, 3);
}
END_TEST

START_TEST(test_many) {
        char id[65], name[32];
        for (int i = 0; i < 2000; i++) {
                snprintf(id, sizeof(id), "%064x", i + 100);
                snprintf(name, sizeof(name), "/c%d._.u%d", i, i % 7);
                ck_assert_int_eq(cmirror_put(&m, id, name, "u", true), 0);
        }
        for (int i = 0; i < 2000; i += 2) {
                snprintf(id, sizeof(id), "%064x", i + 100);
                cmirror_remove(&m, id);
        }
        ck_assert_uint_eq(m.n, 1003);
        for (int i = 0; i < 2000; i++) {
                snprintf(name, sizeof(name), "c%d._.u%d", i, i % 7);
                ck_assert((cmirror_find(&m, name) != NULL) == (i % 2 == 1));
        }
}
END_TEST

Suite *cmirror_suite(void) {
        Suite *s = suite_create("cmirror");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_exact_id_and_name);
        tcase_add_test(tc, test_no_inexact_answers);
        tcase_add_test(tc, test_id_before_name);
        tcase_add_test(tc, test_host_paths);
        tcase_add_test(tc, test_rename_and_remove);
        tcase_add_test(tc, test_put_replaces);
        tcase_add_test(tc, test_many);
        suite_add_tcase(s, tc);
        return s;
}
