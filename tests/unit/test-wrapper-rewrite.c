/* SPDX-License-Identifier: MIT */
/* The command lines the docker wrapper hands the real docker, word for
 * word: run/create with what berth-slicemgr said to inject, build, ps, and
 * the names of container-targeting verbs.  The command after the image is
 * the user's and must come out exactly as it went in. */
#include <check.h>
#include <stdbool.h>

#include "basic/util.h"
#include "core/names.h"
#include "policy/dockercli-spec.h"
#include "policy/dockercli.h"
#include "policy/spec.h"
#include "wrapper/common.h"
#include "wrapper/rewrite.h"

#define MAXW 64

/* A parsed command line: argv from a space-separated line. */
struct cmd {
        char *buf;
        char *argv[MAXW];
        int argc;
        struct docker_invocation inv;
        struct docker_args a;
        struct container_spec s;
};

static void cmd_parse(struct cmd *c, const char *line) {
        struct berth_error err = { 0 };

        *c = (struct cmd) { .buf = strdup(line) };
        ck_assert_ptr_nonnull(c->buf);
        for (char *save = NULL, *w = strtok_r(c->buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                ck_assert_int_lt(c->argc, MAXW - 1);
                c->argv[c->argc++] = w;
        }
        ck_assert_msg(docker_parse_invocation(c->argc, c->argv, &c->inv, &err) == 0, "%s: %s", line, err.message);
        ck_assert_msg(docker_parse_args(&c->inv, c->argc, c->argv, &c->a, &err) == 0, "%s: %s", line, err.message);
        if (c->inv.cmd == DOCKER_CMD_RUN || c->inv.cmd == DOCKER_CMD_CREATE)
                ck_assert_msg(docker_run_spec(&c->inv, c->argc, c->argv, &c->a, NULL, NULL, &c->s, &err) == 0, "%s: %s",
                              line, err.message);
}

static void cmd_done(struct cmd *c) {
        container_spec_done(&c->s);
        docker_args_done(&c->a);
        free(c->buf);
}

static char *join(char *const *v) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; v && v[i]; i++)
                fprintf(f, "%s[%s]", i ? " " : "", v[i]);
        fclose(f);
        return s;
}

/* got must be want, word for word (each word shown in [] on failure). */
static void expect_argv(char **got, const char *const *want) {
        _cleanup_free_ char *g = join(got), *w = join((char *const *) want);
        ck_assert_msg(streq(g, w), "\n got: %s\nwant: %s", g, w);
}

static json_t *inject_of(const char *text) {
        json_error_t e;
        json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
        ck_assert_msg(j, "%s: %s", text, e.text);
        return j;
}

/* What berth-slicemgr's reserve reply injects for alice, no GPU. */
#define INJECT_CPU                                                                                              \
        "{\"name\":\"train._.alice\",\"labels\":{\"berth.managed\":\"true\",\"berth.user\":\"alice\"},"        \
        "\"cgroup_parent\":\"berth-alice.slice\",\"env\":{\"NVIDIA_VISIBLE_DEVICES\":\"void\"},\"cpus\":4.0," \
        "\"memory\":17179869184}"

/* The same with two GPUs. */
#define INJECT_GPUS                                                                                             \
        "{\"name\":\"train._.alice\",\"labels\":{\"berth.user\":\"alice\",\"berth.gpus\":\"GPU-a,GPU-b\"},"    \
        "\"cgroup_parent\":\"berth-alice.slice\",\"gpus\":\"device=GPU-a,GPU-b\","                             \
        "\"env\":{\"NVIDIA_VISIBLE_DEVICES\":\"GPU-a,GPU-b\"},\"cpus\":2.5,\"memory\":1073741824}"

/* The run argv for line with inject, which must be want. */
static void expect_run(const char *line, const char *inject, const char *const *want) {
        _cleanup_json_ json_t *j = inject_of(inject);
        _cleanup_strv_free_ char **v = NULL;
        struct cmd c;

        cmd_parse(&c, line);
        ck_assert_int_eq(wrapper_run_argv(&c.inv, c.argc, c.argv, &c.a, &c.s, j, NULL, &v), 0);
        expect_argv(v, want);
        cmd_done(&c);
}

START_TEST(test_run_plain) {
        static const char *const want[] = {
                "docker", "run", "--rm", "-it", "--name", "train._.alice", "--cgroup-parent", "berth-alice.slice",
                "--label", "berth.managed=true", "--label", "berth.user=alice", "--env", "NVIDIA_VISIBLE_DEVICES=void",
                "--cpus", "4.000", "--memory", "17179869184", "pytorch:2", "python", "train.py", NULL,
        };
        expect_run("docker run --rm -it --name train pytorch:2 python train.py", INJECT_CPU, want);
        /* --name=v is one word, and goes the same way */
        expect_run("docker run --rm -it --name=train pytorch:2 python train.py", INJECT_CPU, want);
}
END_TEST

START_TEST(test_run_gpus) {
        /* docker reads --gpus as a CSV record: the list is one quoted field */
        static const char *const want[] = {
                "docker", "run", "-d", "--name", "train._.alice", "--cgroup-parent", "berth-alice.slice",
                "--label", "berth.user=alice", "--label", "berth.gpus=GPU-a,GPU-b", "--gpus", "\"device=GPU-a,GPU-b\"",
                "--env", "NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b", "--cpus", "2.500", "--memory", "1073741824",
                "pytorch:2", "python", "train.py", NULL,
        };
        expect_run("docker run --gpus 2 -d --name train pytorch:2 python train.py", INJECT_GPUS, want);
        expect_run("docker run --gpus=2 -d --name train pytorch:2 python train.py", INJECT_GPUS, want);

        /* one device needs no quotes */
        static const char *const one[] = {
                "docker", "run", "--name", "t._.alice", "--cgroup-parent", "s.slice", "--gpus", "device=GPU-a",
                "--env", "NVIDIA_VISIBLE_DEVICES=GPU-a", "img", NULL,
        };
        expect_run("docker run --gpus 1 img",
                   "{\"name\":\"t._.alice\",\"cgroup_parent\":\"s.slice\",\"gpus\":\"device=GPU-a\","
                   "\"env\":{\"NVIDIA_VISIBLE_DEVICES\":\"GPU-a\"}}",
                   one);
}
END_TEST

START_TEST(test_run_no_gpu) {
        /* no "gpus" in the reply: no --gpus, and the image's
         * NVIDIA_VISIBLE_DEVICES=all is overridden with void */
        static const char *const want[] = {
                "docker", "run", "--name", "t._.alice", "--cgroup-parent", "s.slice",
                "--env", "NVIDIA_VISIBLE_DEVICES=void", "nvidia/cuda", "nvidia-smi", NULL,
        };
        expect_run("docker run nvidia/cuda nvidia-smi",
                   "{\"name\":\"t._.alice\",\"cgroup_parent\":\"s.slice\",\"env\":{\"NVIDIA_VISIBLE_DEVICES\":\"void\"}}",
                   want);
}
END_TEST

START_TEST(test_run_defaults) {
        /* the user's own --cpus and --memory stand; nothing is added */
        static const char *const given[] = {
                "docker", "run", "--cpus", "1", "-m", "2g", "--name", "train._.alice", "--cgroup-parent",
                "berth-alice.slice", "--label", "berth.managed=true", "--label", "berth.user=alice",
                "--env", "NVIDIA_VISIBLE_DEVICES=void", "img", NULL,
        };
        expect_run("docker run --cpus 1 -m 2g img", INJECT_CPU, given);

        /* only the one left out is added */
        static const char *const mem_only[] = {
                "docker", "run", "--cpus=1", "--name", "train._.alice", "--cgroup-parent", "berth-alice.slice",
                "--label", "berth.managed=true", "--label", "berth.user=alice", "--env", "NVIDIA_VISIBLE_DEVICES=void",
                "--memory", "17179869184", "img", NULL,
        };
        expect_run("docker run --cpus=1 img", INJECT_CPU, mem_only);

        /* memory 0 is no default at all */
        static const char *const unlimited[] = {
                "docker", "run", "--name", "t._.alice", "--cgroup-parent", "s.slice", "--cpus", "0.500", "img", NULL,
        };
        expect_run("docker run img", "{\"name\":\"t._.alice\",\"cgroup_parent\":\"s.slice\",\"cpus\":0.5,\"memory\":0}",
                   unlimited);
}
END_TEST

START_TEST(test_run_numa) {
        static const char *const want[] = {
                "docker", "run", "--name", "t._.alice", "--cgroup-parent", "s.slice", "--cpuset-cpus", "0-7",
                "--cpuset-mems", "0", "img", NULL,
        };
        const char *inject = "{\"name\":\"t._.alice\",\"cgroup_parent\":\"s.slice\",\"cpuset_cpus\":\"0-7\","
                             "\"cpuset_mems\":\"0\"}";
        expect_run("docker run img", inject, want);

        /* a cpuset of the user's own wins, whole */
        static const char *const own[] = {
                "docker", "run", "--cpuset-cpus", "8-9", "--name", "t._.alice", "--cgroup-parent", "s.slice", "img", NULL,
        };
        expect_run("docker run --cpuset-cpus 8-9 img", inject, own);
}
END_TEST

START_TEST(test_run_command_untouched) {
        /* after the image every word is the command's, however it looks,
         * and its --cpus is no --cpus of the user's */
        static const char *const want[] = {
                "docker", "run", "--name", "t._.alice", "--cgroup-parent", "s.slice", "--cpus", "4.000", "--memory",
                "1024", "img", "--name", "evil",
                "--gpus", "all", "--cpus", "64", "--", "-it", NULL,
        };
        expect_run("docker run img --name evil --gpus all --cpus 64 -- -it",
                   "{\"name\":\"t._.alice\",\"cgroup_parent\":\"s.slice\",\"cpus\":4.0,\"memory\":1024}", want);
}
END_TEST

START_TEST(test_run_container_form) {
        /* global options and both command words stay as typed */
        static const char *const want[] = {
                "docker", "--config", "/tmp/cfg", "container", "run", "-d", "--name", "t._.alice", "--cgroup-parent",
                "s.slice", "img", "sleep", "9", NULL,
        };
        expect_run("docker --config /tmp/cfg container run -d --name t img sleep 9",
                   "{\"name\":\"t._.alice\",\"cgroup_parent\":\"s.slice\"}", want);
}
END_TEST

START_TEST(test_create) {
        static const char *const want[] = {
                "docker", "create", "-v", "/home/alice:/w", "--name", "train._.alice", "--cgroup-parent",
                "berth-alice.slice", "--label", "berth.user=alice", "--label", "berth.gpus=GPU-a,GPU-b", "--gpus",
                "\"device=GPU-a,GPU-b\"", "--env", "NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b", "--cpus", "2.500",
                "--memory", "1073741824", "img", "true", NULL,
        };
        expect_run("docker create --gpus all -v /home/alice:/w --name train img true", INJECT_GPUS, want);
        static const char *const container_create[] = {
                "docker", "container", "create", "--name", "t._.alice", "--cgroup-parent", "s.slice", "img", NULL,
        };
        expect_run("docker container create img", "{\"name\":\"t._.alice\",\"cgroup_parent\":\"s.slice\"}",
                   container_create);
}
END_TEST

START_TEST(test_run_bad_reply) {
        static const char *const bad[] = {
                "{\"cgroup_parent\":\"s.slice\"}",
                "{\"name\":\"t._.alice\"}",
                "{\"name\":1,\"cgroup_parent\":\"s.slice\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_t *j = inject_of(bad[i]);
                char **v = NULL;
                struct cmd c;
                cmd_parse(&c, "docker run img");
                ck_assert_int_eq(wrapper_run_argv(&c.inv, c.argc, c.argv, &c.a, &c.s, j, NULL, &v), -EBADMSG);
                ck_assert_ptr_null(v);
                cmd_done(&c);
        }
        /* no inject object at all */
        char **v = NULL;
        struct cmd c;
        cmd_parse(&c, "docker run img");
        ck_assert_int_eq(wrapper_run_argv(&c.inv, c.argc, c.argv, &c.a, &c.s, NULL, NULL, &v), -EBADMSG);
        cmd_done(&c);
}
END_TEST

START_TEST(test_build) {
        static const struct {
                const char *line;
                const char *const want[16];
        } cases[] = {
                { "docker build -t x .",
                  { "docker", "build", "--cgroup-parent", "u.slice", "--label", "berth.user=alice", "--label",
                    "berth.uid=1000", "-t", "x", ".", NULL } },
                { "docker --config /c image build .",
                  { "docker", "--config", "/c", "image", "build", "--cgroup-parent", "u.slice", "--label",
                    "berth.user=alice", "--label", "berth.uid=1000", ".", NULL } },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **v = NULL;
                struct cmd c;
                cmd_parse(&c, cases[i].line);
                ck_assert_int_eq(wrapper_build_argv(&c.inv, c.argc, c.argv, "u.slice", "alice", 1000, &v), 0);
                expect_argv(v, cases[i].want);
                cmd_done(&c);
        }
}
END_TEST

START_TEST(test_ps_argv) {
        static const struct {
                const char *line;
                const char *const want[12];
        } cases[] = {
                { "docker ps", { "docker", "ps", "--filter", "label=berth.user=alice", NULL } },
                { "docker ps -a -q", { "docker", "ps", "--filter", "label=berth.user=alice", "-a", "-q", NULL } },
                { "docker container ls --format {{.Names}}",
                  { "docker", "container", "ls", "--filter", "label=berth.user=alice", "--format", "{{.Names}}", NULL } },
                { "docker -H unix:///run/x.sock ps -a",
                  { "docker", "-H", "unix:///run/x.sock", "ps", "--filter", "label=berth.user=alice", "-a", NULL } },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **v = NULL;
                struct cmd c;
                cmd_parse(&c, cases[i].line);
                ck_assert_int_eq(wrapper_ps_argv(c.argc, c.argv, c.inv.args_at, "alice", &v), 0);
                expect_argv(v, cases[i].want);
                cmd_done(&c);
        }
}
END_TEST

START_TEST(test_target_word) {
        static const struct {
                const char *word, *name, *full, *user;
                bool colon;
                const char *want; /* NULL: the word stays as typed */
        } cases[] = {
                { "train", "train", "train._.alice", "alice", false, "train._.alice" },
                { "train:/etc/x", "train", "train._.alice", "alice", true, "train._.alice:/etc/x" },
                { "train:", "train", "train._.alice", "alice", true, "train._.alice:" },
                { "train._.alice", "train._.alice", "train._.alice", "alice", false, NULL }, /* already full */
                { "train", "train", "train", "alice", false, NULL },                         /* found as typed */
                { "train", "train", "train._.bob", "alice", false, NULL },                   /* not the caller's form */
                { "train", "train", NULL, "alice", false, NULL },                            /* not found */
                { "train", "train", "train._.alice", NULL, false, NULL },                    /* no user */
                { "x._.bob", "x._.bob", "x._.bob._.alice", "alice", false, NULL },           /* a full name is never extended */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *w = NULL;
                ck_assert_int_eq(
                        wrapper_target_word(cases[i].word, cases[i].colon, cases[i].name, cases[i].full, cases[i].user, &w),
                        0);
                if (cases[i].want)
                        ck_assert_msg(w && streq(w, cases[i].want), "%zu: got %s, want %s", i, strempty(w), cases[i].want);
                else
                        ck_assert_msg(!w, "%zu: got %s, want the word as typed", i, w);
        }
}
END_TEST

START_TEST(test_target_names) {
        static const struct {
                const char *line;
                const char *const want[8];
        } cases[] = {
                { "docker rm -f a b c", { "a", "b", "c", NULL } },
                { "docker logs -f --tail 5 train", { "train", NULL } },
                { "docker exec -it train ls /", { "train", NULL } },
                { "docker cp train:/etc/hosts /tmp/h", { "train", NULL } },
                { "docker cp /tmp/h train:/etc/hosts", { "train", NULL } },
                { "docker network connect net c1", { "c1", NULL } },
                { "docker container stop x y", { "x", "y", NULL } },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **v = NULL;
                struct cmd c;
                cmd_parse(&c, cases[i].line);
                ck_assert_int_eq(wrapper_target_names(c.argv, &c.a, &v), 0);
                expect_argv(v, cases[i].want);
                cmd_done(&c);
        }
}
END_TEST

/* The spec's binds as run.c resolves them: every bind source gets the
 * resolved path given (what path_resolve_host() would say). */
static void resolve_binds(struct cmd *c, const char *resolved) {
        for (size_t i = 0; i < c->s.n_mounts; i++)
                if (c->s.mounts[i].kind == SPEC_MOUNT_BIND) {
                        free(c->s.mounts[i].resolved);
                        c->s.mounts[i].resolved = strdup(resolved);
                }
}

static const gid_t alice_gids[] = { 1001, 27, 1001, 100, 27 };
static const struct wrapper_owner alice = { .uid = 1001, .gid = 1001, .gids = alice_gids, .n_gids = 5 };

static void expect_owner_run(const char *line, const char *resolved, const char *const *want) {
        _cleanup_json_ json_t *j = inject_of(INJECT_CPU);
        _cleanup_strv_free_ char **v = NULL;
        struct cmd c;

        cmd_parse(&c, line);
        if (resolved)
                resolve_binds(&c, resolved);
        ck_assert_int_eq(wrapper_run_argv(&c.inv, c.argc, c.argv, &c.a, &c.s, j, &alice, &v), 0);
        expect_argv(v, want);
        cmd_done(&c);
}

#define OWNER_WORDS "--user", "1001:1001", "--group-add", "27", "--group-add", "100", "--security-opt", "no-new-privileges"
#define INJECT_WORDS                                                                                                  \
        "--name", "train._.alice", "--cgroup-parent", "berth-alice.slice", "--label", "berth.managed=true", "--label", \
                "berth.user=alice", "--env", "NVIDIA_VISIBLE_DEVICES=void", "--cpus", "4.000", "--memory", "17179869184"

/* Host paths meet only their owner: uid:gid, every other group once, no
 * new privileges; the user's own --user and --group-add give way. */
START_TEST(test_run_owner) {
        static const char *const want[] = {
                "docker", "run", "-v", "/home/alice:/h", OWNER_WORDS, INJECT_WORDS, "img", "id", "-u", NULL,
        };
        expect_owner_run("docker run -v /home/alice:/h img id -u", NULL, want);
        static const char *const want_user[] = {
                "docker", "run", "-v", "/home/alice:/h", OWNER_WORDS, INJECT_WORDS, "img", "--user", "0", NULL,
        };
        expect_owner_run("docker run --user alice --group-add 27 -v /home/alice:/h --group-add=100 img --user 0", NULL,
                         want_user);
        expect_owner_run("docker run -u1001:1001 -v /home/alice:/h img --user 0", NULL, want_user);
}
END_TEST

/* Bind sources reach docker as berth resolved them, in every spelling. */
START_TEST(test_run_resolved_binds) {
        expect_owner_run("docker run -v ./link:/h:ro img", "/home/alice/real", (const char *const[]) {
                "docker", "run", "-v", "/home/alice/real:/h:ro", OWNER_WORDS, INJECT_WORDS, "img", NULL });
        expect_owner_run("docker run --volume=./link:/h img", "/home/alice/real", (const char *const[]) {
                "docker", "run", "--volume=/home/alice/real:/h", OWNER_WORDS, INJECT_WORDS, "img", NULL });
        expect_owner_run("docker run -itv./link:/h img", "/home/alice/real", (const char *const[]) {
                "docker", "run", "-itv/home/alice/real:/h", OWNER_WORDS, INJECT_WORDS, "img", NULL });
        expect_owner_run("docker run --mount type=bind,src=./link,dst=/h,readonly img", "/home/alice/real",
                         (const char *const[]) { "docker", "run", "--mount", "type=bind,source=/home/alice/real,dst=/h,readonly",
                                                 OWNER_WORDS, INJECT_WORDS, "img", NULL });
        /* a resolved path with a comma is quoted as Go's csv reads it */
        expect_owner_run("docker run --mount=type=bind,source=x,target=/h img", "/home/alice/a,b", (const char *const[]) {
                "docker", "run", "--mount=type=bind,\"source=/home/alice/a,b\",target=/h", OWNER_WORDS, INJECT_WORDS, "img",
                NULL });
        /* volumes and tmpfs stay as typed, and the count of mounts stays in step */
        expect_owner_run("docker run -v data:/d --tmpfs /t -v ./l:/h img", "/home/alice/real", (const char *const[]) {
                "docker", "run", "-v", "data:/d", "--tmpfs", "/t", "-v", "/home/alice/real:/h", OWNER_WORDS, INJECT_WORDS,
                "img", NULL });
}
END_TEST

/* A volume's device= goes to docker as resolved. */
START_TEST(test_run_volume_device) {
        _cleanup_json_ json_t *j = inject_of(INJECT_CPU);
        _cleanup_strv_free_ char **v = NULL;
        struct cmd c;

        cmd_parse(&c, "docker run --mount type=volume,dst=/x,volume-opt=type=none,volume-opt=device=/home/alice/l img");
        ck_assert_int_eq(c.s.n_mounts, 1);
        ck_assert_str_eq(c.s.mounts[0].volume_opts[1], "device=/home/alice/l");
        free(c.s.mounts[0].volume_opts[1]);
        c.s.mounts[0].volume_opts[1] = strdup("device=/home/alice/real");
        ck_assert_int_eq(wrapper_run_argv(&c.inv, c.argc, c.argv, &c.a, &c.s, j, &alice, &v), 0);
        expect_argv(v, (const char *const[]) {
                "docker", "run", "--mount", "type=volume,dst=/x,volume-opt=type=none,volume-opt=device=/home/alice/real",
                OWNER_WORDS, INJECT_WORDS, "img", NULL });
        cmd_done(&c);
}
END_TEST

/* exec into a container with host paths: as the owner, whatever -u said. */
START_TEST(test_exec_owner) {
        static const struct {
                const char *line;
                const char *const want[16];
        } cases[] = {
                { "docker exec ctr id -u", { "docker", "exec", "--user", "1001:1001", "ctr", "id", "-u", NULL } },
                { "docker exec -u 1001 -it ctr sh", { "docker", "exec", "--user", "1001:1001", "-it", "ctr", "sh", NULL } },
                { "docker exec --user=alice -w /tmp ctr -u 0",
                  { "docker", "exec", "--user", "1001:1001", "-w", "/tmp", "ctr", "-u", "0", NULL } },
                { "docker -H unix:///x container exec -u1001 ctr id",
                  { "docker", "-H", "unix:///x", "container", "exec", "--user", "1001:1001", "ctr", "id", NULL } },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strv_free_ char **v = NULL;
                struct cmd c;
                cmd_parse(&c, cases[i].line);
                ck_assert_int_eq(wrapper_exec_argv(&c.inv, c.argc, c.argv, &c.a, &alice, &v), 0);
                expect_argv(v, cases[i].want);
                cmd_done(&c);
        }
}
END_TEST

START_TEST(test_volume_create_argv) {
        _cleanup_strv_free_ char **v = NULL;
        struct cmd c;
        cmd_parse(&c, "docker volume create --label x=1 data");
        ck_assert_int_eq(wrapper_volume_create_argv(&c.inv, c.argc, c.argv, "alice", &v), 0);
        expect_argv(v, (const char *const[]) { "docker", "volume", "create", "--label", "berth.user=alice", "--label", "x=1",
                                                "data", NULL });
        cmd_done(&c);
}
END_TEST

START_TEST(test_target_id_word) {
        static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
        ck_assert_int_eq(wrapper_target_id_word("train", false, "train", id, &a), 0);
        ck_assert_str_eq(a, id);
        ck_assert_int_eq(wrapper_target_id_word("train:/etc/x", true, "train", id, &b), 0);
        ck_assert_ptr_nonnull(b);
        ck_assert(strncmp(b, id, 64) == 0 && streq(b + 64, ":/etc/x"));
        ck_assert_int_eq(wrapper_target_id_word("train", false, "train", "0123abc", &c), 0); /* not a full id */
        ck_assert_ptr_null(c);
        ck_assert_int_eq(wrapper_target_id_word("train", false, "train", NULL, &d), 0);
        ck_assert_ptr_null(d);
}
END_TEST

/* What the front may not pass through, and names docker would trim. */
START_TEST(test_pass_needs_policy) {
        static const struct {
                const char *line;
                bool want;
        } cases[] = {
                { "docker compose up -d", true },
                { "docker --context x compose ls", true },
                { "docker buildx bake", true },
                { "docker buildx --builder b bake all", true },
                { "docker builder bake", true },
                { "docker buildx inspect --bootstrap", true },
                { "docker buildx inspect --bootstrap=true b", true },
                { "docker buildx inspect b", false },
                { "docker buildx inspect --bootstrap=false", false },
                { "docker buildx ls", false },
                { "docker volume rm v", true },
                { "docker volume remove v", true },
                { "docker volume inspect v", true },
                { "docker volume ls", false },
                { "docker version", false },
                { "docker images", false },
                { "docker pull img", false },
                { "docker network rm n", true },
                { "docker network remove n", true },
                { "docker network inspect n", true },
                { "docker network ls", false },
                { "docker pull berth/bob/x", true },
                { "docker pull -q docker.io/berth/bob/x", true },
                { "docker image pull index.docker.io/berth/bob/x:latest", true },
                { "docker pull docker.io/library/berth", false },
                { "docker pull registry.example/berth/x", false },
                { "docker image ls berth/bob/x", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct cmd c;
                struct berth_error err = { 0 };
                c = (struct cmd) { .buf = strdup(cases[i].line) };
                for (char *save = NULL, *w = strtok_r(c.buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
                        c.argv[c.argc++] = w;
                ck_assert_int_eq(docker_parse_invocation(c.argc, c.argv, &c.inv, &err), 0);
                ck_assert_msg(wrapper_pass_needs_policy(&c.inv, c.argc, c.argv) == cases[i].want, "%s", cases[i].line);
                free(c.buf);
        }
        ck_assert_str_eq(name_image_berth_part("docker.io/berth/a/x"), "berth/a/x");
        ck_assert_str_eq(name_image_berth_part("index.docker.io/berth/a/x"), "berth/a/x");
        ck_assert_str_eq(name_image_berth_part("berth/a/x"), "berth/a/x");
        ck_assert_ptr_null(name_image_berth_part("ghcr.io/berth/a/x"));
        ck_assert_ptr_null(name_image_berth_part("berthx/a"));
}
END_TEST

Suite *wrapper_rewrite_suite(void) {
        Suite *s = suite_create("wrapper-rewrite");
        TCase *tc = tcase_create("argv");
        tcase_add_test(tc, test_run_plain);
        tcase_add_test(tc, test_run_gpus);
        tcase_add_test(tc, test_run_no_gpu);
        tcase_add_test(tc, test_run_defaults);
        tcase_add_test(tc, test_run_numa);
        tcase_add_test(tc, test_run_command_untouched);
        tcase_add_test(tc, test_run_container_form);
        tcase_add_test(tc, test_create);
        tcase_add_test(tc, test_run_bad_reply);
        tcase_add_test(tc, test_build);
        tcase_add_test(tc, test_ps_argv);
        tcase_add_test(tc, test_target_word);
        tcase_add_test(tc, test_target_names);
        tcase_add_test(tc, test_run_owner);
        tcase_add_test(tc, test_run_resolved_binds);
        tcase_add_test(tc, test_run_volume_device);
        tcase_add_test(tc, test_exec_owner);
        tcase_add_test(tc, test_volume_create_argv);
        tcase_add_test(tc, test_target_id_word);
        tcase_add_test(tc, test_pass_needs_policy);
        suite_add_tcase(s, tc);
        return s;
}
