/* SPDX-License-Identifier: MIT */
/* The image rules the wrapper and berth-gate share (lib/policy/image-rules.h):
 * target names and their owners, rmi, pull, --change labels, load, and the
 * labels and outputs of a build. */
#include <check.h>
#include <stdbool.h>

#include "basic/util.h"
#include "policy/dockercli-spec.h"
#include "policy/dockercli.h"
#include "policy/image-rules.h"
#include "policy/policy.h"

#define strnull(s) ((s) ? (s) : "(null)")

static void changes_are(const char *c1, const char *c2, const char *key) {
        char *changes[] = { (char *) c1, (char *) c2, NULL };
        _cleanup_free_ char *k = NULL;
        int r = policy_changes_reserved_label(changes, &k);
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
                ck_assert_int_eq(policy_changes_reserved_label(NULL, &k), 0);
                ck_assert_ptr_null(k);
        }
}
END_TEST

START_TEST(test_check_changes) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        char *label[] = { (char *) "LABEL berth.user=bob", NULL };
        char *var[] = { (char *) "LABEL $K=x", NULL };
        char *fine[] = { (char *) "ENV A=1", (char *) "LABEL team=a", NULL };

        ck_assert_int_eq(policy_check_changes(label, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "label");
        ck_assert_str_eq(v.reason, "berth: --change 'LABEL berth.user' is not allowed: berth.* labels are berth's to set.");
        ck_assert_str_eq(v.hint, "Leave berth.* labels out.");
        ck_assert_int_eq(policy_check_changes(var, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.reason, "berth: --change 'LABEL $K' is not allowed: berth cannot tell which label a variable names.");
        ck_assert_int_eq(policy_check_changes(fine, &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_check_changes(NULL, &v), 0);
        ck_assert(v.allowed);
}
END_TEST

START_TEST(test_mine) {
        json_t *labelled = json_pack("{s:b,s:s}", "exists", true, "user", "bob");
        json_t *shared = json_pack("{s:b}", "exists", true);
        json_t *alices = json_pack("{s:b,s:s}", "exists", true, "user", "alice");
        ck_assert(policy_image_mine(labelled, "sha256:0123", "bob"));
        ck_assert(policy_image_mine(shared, "berth/bob/t:latest", "bob"));
        ck_assert(policy_image_mine(alices, "berth/bob/copy", "bob")); /* his namespace */
        ck_assert(policy_image_mine(shared, "docker.io/berth/bob/t", "bob"));
        ck_assert(!policy_image_mine(shared, "berth-test:latest", "bob"));
        ck_assert(!policy_image_mine(shared, "registry.example:5000/team/model:latest", "bob"));
        ck_assert(!policy_image_mine(alices, "berth/alice/img:latest", "bob"));
        ck_assert(policy_image_mine(alices, "berth/alice/img:latest", "alice"));
        json_decref(labelled);
        json_decref(shared);
        json_decref(alices);
}
END_TEST

START_TEST(test_targets) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        char *typed[] = { (char *) "x", (char *) "team/y:2", (char *) "berth/alice/z", (char *) "ghcr.io/lab/m:1", NULL };
        char **full = NULL, **asked = NULL;

        ck_assert_int_eq(policy_image_targets(typed, "alice", &full, &asked, &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(strv_length(full), 4);
        ck_assert_str_eq(full[0], "berth/alice/x:latest");
        ck_assert_str_eq(full[1], "berth/alice/team/y:2");
        ck_assert_str_eq(full[2], "berth/alice/z:latest");
        ck_assert_str_eq(full[3], "ghcr.io/lab/m:1");
        /* as typed (tagged) and as docker gets it, for each */
        ck_assert_int_eq(strv_length(asked), 8);
        ck_assert_str_eq(asked[0], "x:latest");
        ck_assert_str_eq(asked[1], "berth/alice/x:latest");
        ck_assert_str_eq(asked[6], "ghcr.io/lab/m:1");
        strv_free(full);
        strv_free(asked);
        full = asked = NULL;

        char *other[] = { (char *) "x", (char *) "berth/bob/y", NULL };
        ck_assert_int_eq(policy_image_targets(other, "alice", &full, &asked, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "image-namespace");
        ck_assert_str_eq(v.reason, "berth: berth/bob/y is in bob's namespace; you may only name images in your own, berth/alice/….");
        ck_assert_ptr_null(full);
        char *docker_io[] = { (char *) "docker.io/berth/bob/new", NULL };
        ck_assert_int_eq(policy_image_targets(docker_io, "alice", &full, &asked, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "image-namespace");
        char *bad[] = { (char *) "Bad", NULL };
        ck_assert_int_eq(policy_image_targets(bad, "alice", &full, &asked, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "image-name");
        ck_assert_str_eq(v.reason, "berth: 'Bad' is not a valid image name.");
        ck_assert_ptr_null(full);
        ck_assert_ptr_null(asked);

        /* the owners of what was asked */
        char *names[] = { (char *) "x:latest", (char *) "berth/alice/x:latest", NULL };
        json_t *none = json_pack("[{s:b},{s:b}]", "exists", false, "exists", false);
        json_t *hers = json_pack("[{s:b},{s:b,s:s}]", "exists", false, "exists", true, "user", "alice");
        json_t *shared = json_pack("[{s:b},{s:b}]", "exists", true, "exists", false);
        json_t *bobs = json_pack("[{s:b,s:s},{s:b}]", "exists", true, "user", "bob", "exists", false);
        ck_assert_int_eq(policy_image_targets_owned(names, none, "alice", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_image_targets_owned(names, hers, "alice", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_image_targets_owned(names, shared, "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "image-owner");
        ck_assert_str_eq(v.reason, "berth: x:latest is a shared image; only an admin may move its name.");
        ck_assert_str_eq(v.hint, "Pick a name of your own: a plain NAME lands in berth/alice/NAME.");
        ck_assert_int_eq(policy_image_targets_owned(names, bobs, "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.reason, "berth: x:latest is bob's image; you may not move its name.");
        ck_assert_int_eq(policy_image_targets_owned(NULL, NULL, "alice", &v), 0);
        ck_assert(v.allowed);
        json_decref(none);
        json_decref(hers);
        json_decref(shared);
        json_decref(bobs);
}
END_TEST

START_TEST(test_remove) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };

        ck_assert_int_eq(policy_image_remove_named("sha256:0123456789ab", true, "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "image-id");
        ck_assert_int_eq(policy_image_remove_named("0123abcd", true, "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_int_eq(policy_image_remove_named("0123abcd", false, "alice", &v), 0);
        ck_assert(v.allowed); /* by id without -f: the owner answer decides */
        ck_assert_int_eq(policy_image_remove_named("cafe", true, "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_int_eq(policy_image_remove_named("abc", true, "alice", &v), 0);
        ck_assert(v.allowed); /* too short for an id: a name */
        ck_assert_int_eq(policy_image_remove_named("berth/bob/x", false, "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.reason, "berth: berth/bob/x is bob's image; you may only remove your own.");
        ck_assert_int_eq(policy_image_remove_named("berth/alice/x:latest", true, "alice", &v), 0);
        ck_assert(v.allowed);

        json_t *absent = json_pack("{s:b}", "exists", false);
        json_t *shared = json_pack("{s:b}", "exists", true);
        json_t *bobs = json_pack("{s:b,s:s}", "exists", true, "user", "bob");
        json_t *hers = json_pack("{s:b,s:s}", "exists", true, "user", "alice");
        ck_assert_int_eq(policy_image_remove_owned(absent, "nothing", "alice", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_image_remove_owned(hers, "sha256:0123", "alice", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_image_remove_owned(shared, "berth/alice/t", "alice", &v), 0);
        ck_assert(v.allowed); /* her namespace: only her tag goes */
        ck_assert_int_eq(policy_image_remove_owned(shared, "berth-test", "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.reason, "berth: berth-test is a shared image; only an admin may remove it.");
        ck_assert_int_eq(policy_image_remove_owned(bobs, "bobsimg", "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.reason, "berth: the image bobsimg belongs to bob; you may only remove your own.");
        json_decref(absent);
        json_decref(shared);
        json_decref(bobs);
        json_decref(hers);
}
END_TEST

START_TEST(test_pull) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };

        ck_assert_int_eq(policy_image_pull("ubuntu:22.04", "alice", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_image_pull("berth/alice/x", "alice", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_image_pull("-q", "alice", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_image_pull("docker.io/berth/bob/x:latest", "alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "image-pull");
        ck_assert_str_eq(v.reason,
                         "berth: docker.io/berth/bob/x:latest is in another user's namespace; you may pull only into berth/alice/….");
        ck_assert_str_eq(v.hint, "Pull it under its registry name, or as berth/<you>/NAME.");
        ck_assert_int_eq(policy_image_pull("berth/x__41/x", "a", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_int_eq(policy_image_pull("berth/x__41/x", "A", &v), 0);
        ck_assert(v.allowed);
}
END_TEST

START_TEST(test_load) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        struct policy_identity user = { .user = "alice", .uid = 1000, .gid = 1000 };
        struct policy_identity admin = { .user = "root", .admin = true };

        ck_assert_int_eq(policy_check_load(&user, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "load");
        ck_assert(strstr(v.reason, "'docker load' is for admins only"));
        ck_assert(strstr(v.hint, "docker import FILE NAME"));
        ck_assert_int_eq(policy_check_load(&admin, &v), 0);
        ck_assert(v.allowed);
        ck_assert(v.admin_override);
        ck_assert_int_eq(policy_check_load(NULL, &v), -EINVAL);
}
END_TEST

START_TEST(test_build) {
        _cleanup_strv_free_ char **labels = NULL;
        ck_assert_int_eq(policy_build_labels("alice", 1000, &labels), 0);
        ck_assert_int_eq(strv_length(labels), 2);
        ck_assert_str_eq(labels[0], "berth.user=alice");
        ck_assert_str_eq(labels[1], "berth.uid=1000");
        ck_assert_int_eq(policy_build_labels(NULL, 0, &labels), -EINVAL);

        /* an output that names an image goes around -t and the namespace */
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        struct berth_config c = { 0 };
        struct policy_identity id = { .user = "alice", .uid = 1000, .gid = 1000 };
        char *named[] = { (char *) "type=docker,name=berth/bob/x", NULL };
        char *local[] = { (char *) "type=local,dest=out", NULL };
        struct build_spec b = { .outputs = named };
        ck_assert_int_eq(policy_check_build(&c, &id, &b, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "build-output");
        ck_assert_str_eq(v.reason, "berth: --output type=docker,name=berth/bob/x names an image, which only -t may do.");
        b.outputs = local;
        ck_assert_int_eq(policy_check_build(&c, &id, &b, &v), 0);
        ck_assert(v.allowed);
}
END_TEST

/* docker build --output reaches policy_check_build() through the spec */
START_TEST(test_build_outputs_argv) {
        char *argv[] = { (char *) "docker", (char *) "build", (char *) "--output", (char *) "type=docker,name=berth/bob/x",
                         (char *) "-t", (char *) "y", (char *) ".", NULL };
        struct docker_invocation inv;
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_(build_spec_done) struct build_spec b = { 0 };
        struct berth_error err = { 0 };

        ck_assert_int_eq(docker_parse_invocation(7, argv, &inv, &err), 0);
        ck_assert_int_eq(docker_parse_args(&inv, 7, argv, &a, &err), 0);
        ck_assert_int_eq(docker_build_spec(&a, &b), 0);
        ck_assert_ptr_null(b.undecided);
        ck_assert_int_eq(strv_length(b.outputs), 1);
        ck_assert_str_eq(b.outputs[0], "type=docker,name=berth/bob/x");
}
END_TEST

START_TEST(test_verdict_refuse) {
        struct policy_verdict v = { .allowed = true };
        policy_verdict_refuse(&v, "r", NULL, "berth: %s.", "two\nlines");
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "r");
        ck_assert_str_eq(v.reason, "berth: two?lines.");
        ck_assert_str_eq(v.hint, "");
}
END_TEST

Suite *image_rules_suite(void) {
        Suite *s = suite_create("image-rules");
        TCase *tc = tcase_create("rules");
        tcase_add_test(tc, test_changes);
        tcase_add_test(tc, test_check_changes);
        tcase_add_test(tc, test_mine);
        tcase_add_test(tc, test_targets);
        tcase_add_test(tc, test_remove);
        tcase_add_test(tc, test_pull);
        tcase_add_test(tc, test_load);
        tcase_add_test(tc, test_build);
        tcase_add_test(tc, test_build_outputs_argv);
        tcase_add_test(tc, test_verdict_refuse);
        suite_add_tcase(s, tc);
        return s;
}
