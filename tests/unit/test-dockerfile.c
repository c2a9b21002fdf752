/* SPDX-License-Identifier: MIT */
#include <check.h>

#include "policy/dockerfile.h"
#include "basic/util.h"

/* -Wwrite-strings: the recipe takes char *const *, like a strv */
#define S(x) ((char *) (x))

/* Position of needle in hay, or -1. */
static long at(const char *hay, const char *needle) {
        const char *p = strstr(hay, needle);
        return p ? p - hay : -1;
}

START_TEST(test_from_only) {
        _cleanup_free_ char *s = NULL;
        struct dockerfile_recipe r = { .name = "thesis", .from = "berth-test:latest" };
        ck_assert_int_eq(dockerfile_render(&r, &s, NULL), 0);
        ck_assert_int_ge(at(s, "\nFROM berth-test:latest\n"), 0);
        ck_assert_int_ge(at(s, "`image update thesis`"), 0);
        ck_assert_int_lt(at(s, "RUN"), 0);
        ck_assert_int_lt(at(s, "COPY"), 0);
}
END_TEST

START_TEST(test_apt) {
        _cleanup_free_ char *s = NULL;
        char *apt[] = { S("git"), S("libgl1"), S("vim=2:9.0.1378-2"), NULL };
        struct dockerfile_recipe r = { .name = "x", .from = "debian:12", .apt = apt };
        ck_assert_int_eq(dockerfile_render(&r, &s, NULL), 0);
        ck_assert_int_ge(at(s, "RUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y "
                               "--no-install-recommends \\\n      'git' \\\n      'libgl1' \\\n      "
                               "'vim=2:9.0.1378-2' \\\n && rm -rf /var/lib/apt/lists/*\n"),
                         0);
        ck_assert_int_lt(at(s, "pip"), 0);
}
END_TEST

START_TEST(test_pip) {
        _cleanup_free_ char *s = NULL;
        char *pip[] = { S("numpy"), S("torch>=2.1,<3"), S("jax[cuda12]==0.4.23"), NULL };
        struct dockerfile_recipe r = { .name = "x", .from = "python:3.12", .pip = pip };
        ck_assert_int_eq(dockerfile_render(&r, &s, NULL), 0);
        /* quoted, so '>' and '<' are no shell redirections */
        ck_assert_int_ge(at(s, "RUN python3 -m pip install --no-cache-dir \\\n      'numpy' \\\n      "
                               "'torch>=2.1,<3' \\\n      'jax[cuda12]==0.4.23'\n"),
                         0);
        ck_assert_int_lt(at(s, "apt-get"), 0);
        ck_assert_int_lt(at(s, "COPY"), 0);
}
END_TEST

START_TEST(test_requirements) {
        _cleanup_free_ char *s = NULL;
        struct dockerfile_recipe r = { .name = "x", .from = "python:3.12", .requirements = true };
        ck_assert_int_eq(dockerfile_render(&r, &s, NULL), 0);
        ck_assert_int_ge(at(s, "COPY requirements.txt /tmp/berth-requirements.txt\n"
                               "RUN python3 -m pip install --no-cache-dir -r /tmp/berth-requirements.txt\n"),
                         0);
}
END_TEST

START_TEST(test_layer_order) {
        _cleanup_free_ char *s = NULL;
        char *apt[] = { S("python3-pip"), NULL };
        char *pip[] = { S("numpy"), NULL };
        struct dockerfile_recipe r = {
                .name = "x", .from = "debian:12", .apt = apt, .pip = pip, .requirements = true
        };
        ck_assert_int_eq(dockerfile_render(&r, &s, NULL), 0);
        long from = at(s, "FROM"), a = at(s, "apt-get install"), q = at(s, "COPY requirements.txt"),
             p = at(s, "'numpy'");
        /* system packages first (pip may come from apt), then requirements, then single packages */
        ck_assert_int_ge(from, 0);
        ck_assert_int_gt(a, from);
        ck_assert_int_gt(q, a);
        ck_assert_int_gt(p, q);
}
END_TEST

START_TEST(test_base_text) {
        _cleanup_free_ char *s = NULL;
        char *pip[] = { S("rich"), NULL };
        struct dockerfile_recipe r = {
                .name = "x", .base_text = "FROM berth-test:latest\nRUN echo hi", .pip = pip
        };
        ck_assert_int_eq(dockerfile_render(&r, &s, NULL), 0);
        ck_assert_int_ge(at(s, "\nFROM berth-test:latest\nRUN echo hi\n"), 0);
        ck_assert_int_gt(at(s, "'rich'"), at(s, "RUN echo hi"));
}
END_TEST

START_TEST(test_layers_only) {
        _cleanup_free_ char *s = NULL, *empty = NULL;
        char *pip[] = { S("scipy"), NULL };
        ck_assert_int_eq(dockerfile_render_layers(NULL, pip, false, &s, NULL), 0);
        ck_assert_int_lt(at(s, "FROM"), 0);
        ck_assert_int_ge(at(s, "'scipy'"), 0);
        ck_assert_int_eq(dockerfile_render_layers(NULL, NULL, false, &empty, NULL), 0);
        ck_assert_str_eq(empty, "");
}
END_TEST

START_TEST(test_refuses_shell) {
        static const char *const bad_pip[] = {
                "numpy; rm -rf /", "$(id)", "`id`", "a'b", "numpy\nRUN id", "-e .", "--index-url=http://x",
                "git+https://x/y", "./local", "", "numpy>=1 || true", "a[b", "a[]",
        };
        static const char *const bad_apt[] = {
                "Git", "git;id", "a", "-y", "git vim", "vim=", "vim=$(id)", "vim'", "", "../x",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_pip); i++) {
                char *pip[] = { (char *) bad_pip[i], NULL };
                struct dockerfile_recipe r = { .name = "x", .from = "debian:12", .pip = pip };
                struct berth_error err = { 0 };
                char *s = NULL;
                ck_assert_msg(!dockerfile_pip_valid(bad_pip[i]), "pip '%s' accepted", bad_pip[i]);
                ck_assert_int_eq(dockerfile_render(&r, &s, &err), -EINVAL);
                ck_assert_ptr_null(s);
                ck_assert_msg(strncmp(err.message, "berth: ", 7) == 0, "%s", err.message);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_apt); i++) {
                char *apt[] = { (char *) bad_apt[i], NULL };
                char *s = NULL;
                ck_assert_msg(!dockerfile_apt_valid(bad_apt[i]), "apt '%s' accepted", bad_apt[i]);
                ck_assert_int_eq(dockerfile_render_layers(apt, NULL, false, &s, NULL), -EINVAL);
                ck_assert_ptr_null(s);
        }
        struct dockerfile_recipe r = { .name = "x", .from = "debian:12\nRUN id" };
        char *s = NULL;
        ck_assert_int_eq(dockerfile_render(&r, &s, NULL), -EINVAL);
        ck_assert(!dockerfile_from_valid("-debian"));
        ck_assert(!dockerfile_from_valid("debian 12"));
        ck_assert(!dockerfile_from_valid(NULL));
}
END_TEST

START_TEST(test_accepts) {
        static const char *const good_pip[] = { "numpy", "Django", "scikit-learn", "torch==2.1.0+cu121",
                                                "requests[security,socks]>=2", "foo_bar.baz~=1.4", "x != 1.0",
                                                "pkg==1.*" };
        static const char *const good_apt[] = { "g++", "libstdc++6", "python3.11", "vim=2:9.0-1~bpo12+1",
                                                "libc6:amd64" };
        for (size_t i = 0; i < ELEMENTSOF(good_pip); i++)
                ck_assert_msg(dockerfile_pip_valid(good_pip[i]), "pip '%s' refused", good_pip[i]);
        for (size_t i = 0; i < ELEMENTSOF(good_apt); i++)
                ck_assert_msg(dockerfile_apt_valid(good_apt[i]), "apt '%s' refused", good_apt[i]);
        ck_assert(dockerfile_from_valid("nvidia/cuda:12.4.1-runtime-ubuntu22.04"));
        ck_assert(dockerfile_from_valid("registry.example.org:5000/team/img@sha256:abc"));
}
END_TEST

Suite *dockerfile_suite(void) {
        Suite *s = suite_create("dockerfile");
        TCase *tc = tcase_create("render");
        tcase_add_test(tc, test_from_only);
        tcase_add_test(tc, test_apt);
        tcase_add_test(tc, test_pip);
        tcase_add_test(tc, test_requirements);
        tcase_add_test(tc, test_layer_order);
        tcase_add_test(tc, test_base_text);
        tcase_add_test(tc, test_layers_only);
        tcase_add_test(tc, test_refuses_shell);
        tcase_add_test(tc, test_accepts);
        suite_add_tcase(s, tc);
        return s;
}
