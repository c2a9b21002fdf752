/* SPDX-License-Identifier: MIT */
/* berth-slicemgr's owner answers, read the same way by the wrapper and the
 * gate: names with white space at an end, whose a network is, whether a
 * container has host paths, what spec_facts_resolve() makes of the answers
 * for the containers, volumes and networks a spec names, and the question
 * slicemgr_ask_owner() sends. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/util.h"
#include "core/owner-answer.h"
#include "policy/spec.h"
#include "system/slicemgr-client.h"
#include "system/spec-facts.h"

static json_t *answer(const char *text) {
        json_error_t e;
        json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
        ck_assert_msg(j, "%s: %s", text, e.text);
        return j;
}

START_TEST(test_name_untrimmed) {
        ck_assert(owner_name_untrimmed(" x"));
        ck_assert(owner_name_untrimmed("x\t"));
        ck_assert(owner_name_untrimmed("x\n"));
        ck_assert(!owner_name_untrimmed("x"));
        ck_assert(!owner_name_untrimmed("a b"));
        ck_assert(!owner_name_untrimmed(""));
        ck_assert(!owner_name_untrimmed(NULL));
}
END_TEST

/* Networks: own, shared and Docker's own may be used and inspected; only
 * one's own removed; an absent one is docker's to report. */
START_TEST(test_network_refused) {
        static const struct {
                const char *answer;
                bool remove, want;
        } cases[] = {
                { "{\"exists\":false}", true, false },
                { "{\"exists\":true,\"user\":\"alice\"}", false, false },
                { "{\"exists\":true,\"user\":\"alice\"}", true, false },
                { "{\"exists\":true,\"user\":\"bob\"}", false, true },
                { "{\"exists\":true,\"user\":\"bob\"}", true, true },
                { "{\"exists\":true}", false, false },
                { "{\"exists\":true}", true, true },
                { "{\"exists\":true,\"builtin\":true}", false, false },
                { "{\"exists\":true,\"builtin\":true}", true, true },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_json_ json_t *o = answer(cases[i].answer);
                char msg[512] = "";
                ck_assert_msg(owner_network_refused(o, "n", "alice", "rm", cases[i].remove, msg, sizeof(msg)) == cases[i].want,
                              "%s", cases[i].answer);
                ck_assert(!cases[i].want || strncmp(msg, "berth: ", 7) == 0);
        }
        _cleanup_json_ json_t *o = answer("{\"exists\":false}"), *bob = answer("{\"exists\":true,\"user\":\"bob\"}");
        char msg[512];
        ck_assert(owner_network_refused(o, " n", "alice", "inspect", false, msg, sizeof(msg)));
        ck_assert_str_eq(msg, "berth: the network name ' n' has white space at an end; give the name exactly.");
        ck_assert(owner_network_refused(bob, "n", "alice", "join", false, msg, sizeof(msg)));
        ck_assert_str_eq(msg, "berth: the network n belongs to bob; you may only 'join' your own networks, shared ones and "
                              "Docker's own.");
        /* no answer at all (a short reply) is a network docker reports */
        ck_assert(!owner_network_refused(NULL, "n", "alice", "join", false, msg, sizeof(msg)));
}
END_TEST

/* An owner answer without "host_paths" (an older daemon) is a yes. */
START_TEST(test_owner_host_paths) {
        _cleanup_json_ json_t *a = answer("{\"exists\":true}"), *b = answer("{\"host_paths\":false}"),
                              *c = answer("{\"host_paths\":true}");
        ck_assert(owner_host_paths(a));
        ck_assert(!owner_host_paths(b));
        ck_assert(owner_host_paths(c));
        ck_assert(owner_host_paths(NULL));
}
END_TEST

/* A berth-slicemgr that answers from a table: {"volume":[…],"network":[…]};
 * a kind not in it cannot be asked, one that is null fails without a sentence. */
struct fake_owner {
        json_t *answers;
        bool admin;
        int asked;
        char kinds[64];
};

static int fake_ask(void *userdata, const char *kind, char **names, json_t **ret_answers, bool *ret_admin,
                    struct berth_error *err) {
        struct fake_owner *f = userdata;
        json_t *a = json_object_get(f->answers, kind);
        f->asked++;
        strncat(f->kinds, kind, sizeof(f->kinds) - strlen(f->kinds) - 2);
        strcat(f->kinds, " ");
        if (json_is_null(a))
                return -ENOMEM;
        if (!a)
                return berth_error_set(err, -ECONNREFUSED, "berth: the berth daemon is not reachable.");
        ck_assert_uint_eq(json_array_size(a), strv_length(names));
        *ret_answers = json_incref(a);
        *ret_admin = f->admin;
        return 0;
}

static void add_volume(struct container_spec *s, const char *name) {
        s->mounts = reallocarray(s->mounts, s->n_mounts + 1, sizeof(*s->mounts));
        ck_assert_ptr_nonnull(s->mounts);
        s->mounts[s->n_mounts++] = (struct spec_mount) { .kind = SPEC_MOUNT_VOLUME, .source = strdup(name),
                                                         .target = strdup("/data") };
}

static enum spec_facts_refusal resolve(struct fake_owner *fo, struct container_spec *s, int want_r,
                                       struct berth_error *err) {
        struct spec_facts f = { .user = "alice", .cwd = "/", .ask = fake_ask, .userdata = fo };
        enum spec_facts_refusal refused = SPEC_FACTS_OK;
        ck_assert_int_eq(spec_facts_resolve(&f, s, &refused, err), want_r);
        ck_assert(f.admin == fo->admin || fo->asked == 0);
        return refused;
}

/* Nothing named: nothing asked. */
START_TEST(test_facts_nothing_to_ask) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        struct fake_owner fo = { 0 };
        struct berth_error err = { 0 };
        ck_assert_int_eq(resolve(&fo, &s, 0, &err), SPEC_FACTS_OK);
        ck_assert_int_eq(fo.asked, 0);
}
END_TEST

/* Another user's volume is refused; one over a host path (or not said to
 * lie over none) gets device=. */
START_TEST(test_facts_volumes) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 }, t = { 0 };
        _cleanup_json_ json_t *mine = answer("{\"volume\":[{\"exists\":true,\"user\":\"alice\",\"host_path\":\"/srv/a\"},"
                                             "{\"exists\":true,\"host_path\":false},{\"exists\":false,\"host_path\":false},"
                                             "{\"exists\":true}]}"),
                              *bobs = answer("{\"volume\":[{\"exists\":true,\"user\":\"bob\",\"host_path\":false}]}");
        struct fake_owner fo = { .answers = mine };
        struct berth_error err = { 0 };

        add_volume(&s, "a");
        add_volume(&s, "shared");
        add_volume(&s, "new");
        add_volume(&s, "old");
        ck_assert_int_eq(resolve(&fo, &s, 0, &err), SPEC_FACTS_OK);
        ck_assert_str_eq(fo.kinds, "volume ");
        ck_assert_str_eq(s.mounts[0].volume_opts[0], "device=/srv/a");
        ck_assert_ptr_null(s.mounts[1].volume_opts);
        ck_assert_ptr_null(s.mounts[2].volume_opts);
        ck_assert_str_eq(s.mounts[3].volume_opts[0], "device=(host path)"); /* an older daemon: fail closed */

        fo = (struct fake_owner) { .answers = bobs };
        add_volume(&t, "b");
        ck_assert_int_eq(resolve(&fo, &t, 0, &err), SPEC_FACTS_VOLUME);
        ck_assert_str_eq(err.message, "berth: the volume b belongs to bob; you may mount only your own volumes and shared ones.");

        /* an admin mounts anyone's */
        fo = (struct fake_owner) { .answers = bobs, .admin = true };
        err = (struct berth_error) { 0 };
        ck_assert_int_eq(resolve(&fo, &t, 0, &err), SPEC_FACTS_OK);

        /* a failure without a sentence gets one */
        _cleanup_json_ json_t *fails = answer("{\"volume\":null}");
        fo = (struct fake_owner) { .answers = fails };
        ck_assert_int_eq(resolve(&fo, &t, -ENOMEM, &err), SPEC_FACTS_OK);
        ck_assert_str_eq(err.message, "berth: the volumes you named could not be checked.");
}
END_TEST

/* Containers named by --volumes-from and the like carry their owner's answer. */
START_TEST(test_facts_refs) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_json_ json_t *a = answer("{\"container\":[{\"exists\":true,\"managed\":true,\"user\":\"bob\"}]}");
        struct fake_owner fo = { .answers = a };
        struct berth_error err = { 0 };

        s.refs = calloc(1, sizeof(*s.refs));
        s.refs[0] = (struct spec_ref) { .name = strdup("db"), .flag = strdup("--volumes-from") };
        s.n_refs = 1;
        ck_assert_int_eq(resolve(&fo, &s, 0, &err), SPEC_FACTS_OK);
        ck_assert(s.refs[0].resolved && s.refs[0].exists && s.refs[0].managed && s.refs[0].has_binds);
        ck_assert_str_eq(s.refs[0].owner, "bob");

        /* white space at an end is refused before anything is asked */
        free(s.refs[0].name);
        s.refs[0].name = strdup("db ");
        fo = (struct fake_owner) { .answers = a };
        ck_assert_int_eq(resolve(&fo, &s, -EINVAL, &err), SPEC_FACTS_OK);
        ck_assert_int_eq(fo.asked, 0);
        ck_assert_ptr_nonnull(strstr(err.message, "--volumes-from 'db ' has white space at an end"));
}
END_TEST

/* Networks: another user's is refused, a long form without name= cannot be
 * checked, and an owner question that fails passes its sentence on. */
START_TEST(test_facts_networks) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 }, t = { 0 };
        _cleanup_json_ json_t *a = answer("{\"network\":[{\"exists\":true,\"user\":\"bob\"}]}"), *none = json_object();
        struct fake_owner fo = { .answers = a };
        struct berth_error err = { 0 };

        ck_assert_int_eq(strv_push(&s.networks, "name=net,alias=x"), 0);
        ck_assert_int_eq(strv_push(&s.networks, "container:db"), 0);
        ck_assert_int_eq(resolve(&fo, &s, 0, &err), SPEC_FACTS_NETWORK);
        ck_assert_str_eq(fo.kinds, "network ");
        ck_assert_str_eq(err.message, "berth: the network net belongs to bob; you may only 'join' your own networks, shared ones "
                                      "and Docker's own.");

        ck_assert_int_eq(strv_push(&t.networks, "alias=x"), 0);
        fo = (struct fake_owner) { .answers = a };
        ck_assert_int_eq(resolve(&fo, &t, 0, &err), SPEC_FACTS_NETWORK);
        ck_assert_int_eq(fo.asked, 0);
        ck_assert_str_eq(err.message, "berth: --network alias=x cannot be checked; give the network's name alone.");

        fo = (struct fake_owner) { .answers = none };
        err = (struct berth_error) { 0 };
        ck_assert_int_eq(resolve(&fo, &s, -ECONNREFUSED, &err), SPEC_FACTS_OK);
        ck_assert_str_eq(err.message, "berth: the berth daemon is not reachable.");
}
END_TEST

/* A berth-slicemgr for one request at PATH: it answers with the request it
 * got as the one target, admin and all. */
static pid_t echo_daemon(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(fd, 1), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                char line[4096];
                int c = accept(fd, NULL, NULL);
                ssize_t n = c < 0 ? -1 : read(c, line, sizeof(line) - 1);
                json_t *req = n > 0 ? json_loadb(line, (size_t) n, 0, NULL) : NULL;
                char *reply = json_dumps(json_pack("{s:b,s:[O],s:b}", "ok", true, "targets", req, "admin", true), 0);
                _exit(reply && dprintf(c, "%s\n", reply) > 0 ? 0 : 1);
        }
        close(fd);
        return pid;
}

/* The owner question names the kind and the targets, and says for whom only
 * when it is asked for someone. */
START_TEST(test_ask_owner_request) {
        char dir[] = "/tmp/berth-owner-XXXXXX", path[64];
        char *names[] = { (char *) "train", NULL };
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/control.sock", dir);

        for (int pass = 0; pass < 2; pass++) {
                _cleanup_json_ json_t *who = json_pack("{s:i,s:i,s:i}", "uid", 1000, "gid", 1000, "pid", 42), *t = NULL;
                struct berth_error err = { 0 };
                bool admin = false;
                int status;
                pid_t pid = echo_daemon(path);
                ck_assert_int_eq(slicemgr_ask_owner(path, pass ? who : NULL, "volume", names, 5000, &t, &admin, &err), 0);
                ck_assert(admin);
                json_t *req = json_array_get(t, 0);
                ck_assert_str_eq(json_string_value(json_object_get(req, "op")), "owner");
                ck_assert_str_eq(json_string_value(json_object_get(req, "kind")), "volume");
                ck_assert_str_eq(json_string_value(json_array_get(json_object_get(req, "targets"), 0)), "train");
                if (pass)
                        ck_assert(json_equal(json_object_get(req, "for"), who));
                else
                        ck_assert_ptr_null(json_object_get(req, "for"));
                ck_assert_int_eq(waitpid(pid, &status, 0), pid);
                ck_assert_int_eq(status, 0);
                unlink(path);
        }
        /* one answer for two names is an answer berth cannot use */
        char *two[] = { (char *) "a", (char *) "b", NULL };
        _cleanup_json_ json_t *t = NULL;
        struct berth_error err = { 0 };
        pid_t pid = echo_daemon(path);
        ck_assert_int_eq(slicemgr_ask_owner(path, NULL, "container", two, 5000, &t, NULL, &err), -EBADMSG);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
        unlink(path);
        rmdir(dir);
}
END_TEST

Suite *owner_answer_suite(void) {
        Suite *s = suite_create("owner-answer");
        TCase *tc = tcase_create("answers");
        tcase_add_test(tc, test_name_untrimmed);
        tcase_add_test(tc, test_network_refused);
        tcase_add_test(tc, test_owner_host_paths);
        tcase_add_test(tc, test_facts_nothing_to_ask);
        tcase_add_test(tc, test_facts_volumes);
        tcase_add_test(tc, test_facts_refs);
        tcase_add_test(tc, test_facts_networks);
        tcase_add_test(tc, test_ask_owner_request);
        suite_add_tcase(s, tc);
        return s;
}
