/* SPDX-License-Identifier: MIT */
/* The API version as Docker writes it, read once for the client's check of
 * the daemon and the gate's of every answer it forwards: anything that is
 * not "MAJOR.MINOR" is not a version, and is never taken for a newer one. */
#include <check.h>
#include <errno.h>

#include "gate/decide.h"
#include "gate/route.h"
#include "system/docker.h"

START_TEST(test_parse) {
        unsigned a = 99, b = 99;
        ck_assert_int_eq(docker_api_version_parse("1.47", &a, &b), 0);
        ck_assert_uint_eq(a, 1);
        ck_assert_uint_eq(b, 47);
        ck_assert_int_eq(docker_api_version_parse("0.0", &a, &b), 0);
        ck_assert_int_eq(docker_api_version_parse("999.999", &a, &b), 0);
        ck_assert_uint_eq(a, 999);
        ck_assert_uint_eq(b, 999);

        static const char *const bad[] = {
                "", "1", "1.", ".47", "1..47", "1.47.", "1.47.0", " 1.47", "1.47 ", "+1.47", "-1.47", "1.-4",
                "1.4a", "v1.47", "1.1000", "1000.1", "01234.5", "1,47", "1.47\n", "4294967297.1",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                a = b = 99;
                ck_assert_msg(docker_api_version_parse(bad[i], &a, &b) == -EPROTO, "'%s' was read", bad[i]);
                ck_assert_uint_eq(a, 99); /* nothing written on a refusal */
                ck_assert_uint_eq(b, 99);
        }
        ck_assert_int_eq(docker_api_version_parse(NULL, &a, &b), -EPROTO);
}
END_TEST

START_TEST(test_cmp) {
        ck_assert_int_lt(docker_api_version_cmp("1.41", "1.47"), 0);
        ck_assert_int_gt(docker_api_version_cmp("1.48", "1.47"), 0);
        ck_assert_int_gt(docker_api_version_cmp("2.0", "1.47"), 0);
        ck_assert_int_lt(docker_api_version_cmp("1.9", "1.10"), 0); /* numbers, not strings */
        ck_assert_int_eq(docker_api_version_cmp("1.47", "1.47"), 0);
        ck_assert_int_eq(docker_api_version_cmp("1.047", "1.47"), 0);
        ck_assert_int_eq(docker_api_version_cmp("1.48x", "1.47"), 0); /* not a version */
        ck_assert_int_eq(docker_api_version_cmp("1.47", ""), 0);
}
END_TEST

/* The gate lowers a newer daemon's Api-Version to the newest it knows, and
 * leaves whatever it cannot read alone. */
START_TEST(test_gate_lowers) {
        const char *v = "1.48";
        ck_assert_str_eq(decide_api_version(v), ROUTE_VERSION_MAX);
        ck_assert_str_eq(decide_api_version("2.1"), ROUTE_VERSION_MAX);
        v = "1.45";
        ck_assert_ptr_eq(decide_api_version(v), v);
        v = ROUTE_VERSION_MAX;
        ck_assert_ptr_eq(decide_api_version(v), v);
        v = "1.48-rc1";
        ck_assert_ptr_eq(decide_api_version(v), v);
        ck_assert_ptr_null(decide_api_version(NULL));
}
END_TEST

Suite *docker_api_suite(void) {
        Suite *s = suite_create("docker_api");
        TCase *tc = tcase_create("version");
        tcase_add_test(tc, test_parse);
        tcase_add_test(tc, test_cmp);
        tcase_add_test(tc, test_gate_lowers);
        suite_add_tcase(s, tc);
        return s;
}
