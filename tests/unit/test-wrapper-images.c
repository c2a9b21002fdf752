/* SPDX-License-Identifier: MIT */
/* The wrapper's own part of holding image names for their owners: an
 * option value put in a copy of argv (the rules themselves are
 * lib/policy/image-rules.h, tested in test-image-rules.c). */
#include <check.h>
#include <stdbool.h>

#include "basic/util.h"
#include "policy/dockercli.h"
#include "wrapper/rewrite.h"

START_TEST(test_set_value) {
        char *argv[] = { (char *) "docker", (char *) "build", (char *) "-t", (char *) "a", (char *) "--tag=b",
                         (char *) "-tc", (char *) ".", NULL };
        int argc = 7;
        struct docker_invocation inv;
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        struct berth_error err = { 0 };
        _cleanup_strv_free_ char **v = NULL;
        const char *want[] = { "berth/u/a:latest", "berth/u/b:latest", "berth/u/c:latest" };

        ck_assert_int_eq(docker_parse_invocation(argc, argv, &inv, &err), 0);
        ck_assert_int_eq(docker_parse_args(&inv, argc, argv, &a, &err), 0);
        ck_assert_int_eq(wrapper_argv_append(&v, argc, argv, 0, argc), 0);
        for (size_t i = 0, k = 0; i < a.n_opts; i++)
                if (streq(a.opts[i].name, "tag"))
                        ck_assert_int_eq(wrapper_argv_set_value(v, argv, &a.opts[i], want[k++]), 0);
        ck_assert_str_eq(v[2], "-t");
        ck_assert_str_eq(v[3], "berth/u/a:latest");
        ck_assert_str_eq(v[4], "--tag=berth/u/b:latest");
        ck_assert_str_eq(v[5], "-tberth/u/c:latest");
        ck_assert_str_eq(v[6], ".");
        ck_assert_ptr_null(v[7]);
}
END_TEST

Suite *wrapper_images_suite(void) {
        Suite *s = suite_create("wrapper-images");
        TCase *tc = tcase_create("names");
        tcase_add_test(tc, test_set_value);
        suite_add_tcase(s, tc);
        return s;
}
