/* SPDX-License-Identifier: MIT */
/* The pure parts of holding image names for their owners: whose namespace
 * a reference is in, the reference the owner op is asked about, an option
 * value put in a copy of argv, and --change's LABEL instructions read the
 * way docker reads them. */
#include <check.h>
#include <stdbool.h>

#include "basic/util.h"
#include "policy/dockercli.h"
#include "wrapper/images.h"
#include "wrapper/rewrite.h"

#define strnull(s) ((s) ? (s) : "(null)")

static void ns_is(const char *ref, const char *user) {
        _cleanup_free_ char *u = NULL;
        ck_assert_int_eq(wrapper_image_namespace(ref, &u), 0);
        if (user)
                ck_assert_msg(u && streq(u, user), "%s: %s, not %s", ref, strnull(u), user);
        else
                ck_assert_msg(!u, "%s: %s, not none", ref, strnull(u));
}

START_TEST(test_namespace) {
        ns_is("berth/alice/img:latest", "alice");
        ns_is("berth/alice/img", "alice");
        ns_is("berth/alice/a/b:v2", "alice");
        ns_is("docker.io/berth/alice/img", "alice");
        ns_is("index.docker.io/berth/alice/img:1", "alice");
        ns_is("berth/x__41/img", "A");
        ns_is("berth/x__61/img", NULL); /* "a" is plain: never made so */
        ns_is("berth/alice", NULL);
        ns_is("berth//img", NULL);
        ns_is("ghcr.io/berth/alice/img", NULL);
        ns_is("berth-test:latest", NULL);
        ns_is("sha256:0123", NULL);
        ns_is(NULL, NULL);
}
END_TEST

static void tagged_is(const char *ref, const char *want) {
        _cleanup_free_ char *t = NULL;
        ck_assert_int_eq(wrapper_image_tagged(ref, &t), 0);
        ck_assert_str_eq(t, want);
}

START_TEST(test_tagged) {
        tagged_is("x", "x:latest");
        tagged_is("x:1", "x:1");
        tagged_is("host:5000/team/x", "host:5000/team/x:latest");
        tagged_is("host:5000/team/x:v", "host:5000/team/x:v");
        tagged_is("x@sha256:abc", "x@sha256:abc");
        tagged_is("berth/bob/x", "berth/bob/x:latest");
}
END_TEST

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

static void changes_are(const char *c1, const char *c2, const char *key) {
        char *changes[] = { (char *) c1, (char *) c2, NULL };
        _cleanup_free_ char *k = NULL;
        int r = wrapper_changes_reserved_label(changes, &k);
        if (key) {
                ck_assert_msg(r == 1, "'%s' '%s': %d, not refused", c1, strnull(c2), r);
                ck_assert_str_eq(k, key);
        } else
                ck_assert_msg(r == 0, "'%s' '%s': %d (%s), not allowed", c1, strnull(c2), r, strnull(k));
}

START_TEST(test_changes) {
        changes_are("LABEL berth.user=alice", NULL, "berth.user");
        changes_are("label berth.seal=00", NULL, "berth.seal");
        changes_are("  Label  Berth.User=x", NULL, "Berth.User");
        changes_are("LABEL a=b berth.gpus=GPU-0", NULL, "berth.gpus");
        changes_are("LABEL a=b BERTH.MANAGED=false", NULL, "BERTH.MANAGED");
        changes_are("LABEL \"berth.user\"=x", NULL, "berth.user");
        changes_are("LABEL ber\"th\".user=x", NULL, "berth.user");
        changes_are("LABEL b\\erth.user=x", NULL, "berth.user");
        changes_are("LABEL berth.user x", NULL, "berth.user"); /* the legacy form */
        changes_are("LABEL berth.user", NULL, "berth.user");
        changes_are("LABEL $K=x", NULL, "$K");
        changes_are("LABEL ${K}=x", NULL, "${K}");
        changes_are("ONBUILD LABEL berth.user=x", NULL, "berth.user");
        changes_are("ENV a=b\nLABEL berth.user=x", NULL, "berth.user");
        changes_are("LABEL a=b \\", "berth.user=x", "berth.user"); /* continued into the next change */
        changes_are("LABEL a=b `", "berth.user=x", "berth.user");
        changes_are("LABEL a=b \\", "# a comment\nberth.user=x", "berth.user");
        changes_are("ENV X=1", "LABEL berth.uid=0", "berth.uid");
        /* what stays allowed */
        changes_are("LABEL berth.project=p", NULL, NULL);
        changes_are("LABEL team=a owner=bob", NULL, NULL);
        changes_are("ENV berth.user=x", NULL, NULL);
        changes_are("CMD [\"berth.user=x\"]", NULL, NULL);
        changes_are("LABEL a=berth.user", NULL, NULL);
        changes_are("", NULL, NULL);
        {
                _cleanup_free_ char *k = NULL;
                ck_assert_int_eq(wrapper_changes_reserved_label(NULL, &k), 0);
                ck_assert_ptr_null(k);
        }
}
END_TEST

START_TEST(test_mine) {
        json_t *labelled = json_pack("{s:b,s:s}", "exists", true, "user", "bob");
        json_t *shared = json_pack("{s:b}", "exists", true);
        json_t *alices = json_pack("{s:b,s:s}", "exists", true, "user", "alice");
        ck_assert(wrapper_image_mine(labelled, "sha256:0123", "bob"));
        ck_assert(wrapper_image_mine(shared, "berth/bob/t:latest", "bob"));
        ck_assert(wrapper_image_mine(alices, "berth/bob/copy", "bob")); /* his namespace */
        ck_assert(!wrapper_image_mine(shared, "berth-test:latest", "bob"));
        ck_assert(!wrapper_image_mine(shared, "registry.example:5000/team/model:latest", "bob"));
        ck_assert(!wrapper_image_mine(alices, "berth/alice/img:latest", "bob"));
        ck_assert(wrapper_image_mine(labelled, "berth/alice/img:latest", "alice"));
        json_decref(labelled);
        json_decref(shared);
        json_decref(alices);
}
END_TEST

Suite *wrapper_images_suite(void) {
        Suite *s = suite_create("wrapper-images");
        TCase *tc = tcase_create("names");
        tcase_add_test(tc, test_namespace);
        tcase_add_test(tc, test_tagged);
        tcase_add_test(tc, test_set_value);
        tcase_add_test(tc, test_changes);
        tcase_add_test(tc, test_mine);
        suite_add_tcase(s, tc);
        return s;
}
