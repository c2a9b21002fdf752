/* SPDX-License-Identifier: MIT */
/* docker argv as docker's own CLI reads it: every spelling of an option,
 * the words that name containers, and the run spec.  The attacker's side:
 * a value-taking option must never be taken for a boolean or the reverse,
 * the command after the image is never read, unknown options are refused. */
#include <check.h>
#include <stdbool.h>

#include "policy/dockercli.h"
#include "basic/util.h"
#include "policy/spec.h"
#include "policy/dockercli-spec.h"

#define MAXW 64

/* argv from a space-separated line ("docker" prepended); "\x01" in a word
 * stands for a space, so words with spaces can be written. */
struct cli {
        char *buf;
        char *argv[MAXW];
        int argc;
        struct docker_invocation inv;
        struct docker_args a;
        struct berth_error err;
        int r_inv, r_args;
};

static void cli_split(struct cli *c, const char *line) {
        if (asprintf(&c->buf, "docker %s", line) < 0)
                ck_abort();
        c->argc = 0;
        for (char *save = NULL, *w = strtok_r(c->buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                ck_assert_int_lt(c->argc, MAXW - 1);
                for (char *p = w; *p; p++)
                        if (*p == '\x01')
                                *p = ' ';
                if (streq(w, "''"))
                        w[0] = 0;
                c->argv[c->argc++] = w;
        }
        c->argv[c->argc] = NULL;
}

static void cli_parse(struct cli *c, const char *line) {
        *c = (struct cli) { 0 };
        c->a = (struct docker_args) { .image_at = -1, .rename_new_at = -1, .dashdash_at = -1 };
        cli_split(c, line);
        c->r_inv = docker_parse_invocation(c->argc, c->argv, &c->inv, &c->err);
        c->r_args = c->r_inv < 0 ? c->r_inv : docker_parse_args(&c->inv, c->argc, c->argv, &c->a, &c->err);
}

static void cli_done(struct cli *c) {
        docker_args_done(&c->a);
        free(c->buf);
}

static const char *opt_value(struct cli *c, const char *name) {
        return docker_args_last(&c->a, name);
}

static const char *target(struct cli *c, size_t i) {
        ck_assert_uint_gt(c->a.n_targets, i);
        return c->argv[c->a.targets[i]];
}

static const char *image(struct cli *c) {
        ck_assert_int_ge(c->a.image_at, 0);
        return c->argv[c->a.image_at];
}

/* Parse must succeed. */
#define OK(c, line)                                                                     \
        do {                                                                            \
                cli_parse(c, line);                                                     \
                ck_assert_msg((c)->r_args == 0, "%s: %d %s", line, (c)->r_args, (c)->err.message); \
        } while (0)

/* Parse must fail, and the message must contain what. */
#define FAILS(line, what)                                                                            \
        do {                                                                                         \
                struct cli c_;                                                                       \
                cli_parse(&c_, line);                                                                \
                ck_assert_msg(c_.r_args == -EINVAL, "%s: expected -EINVAL, got %d", line, c_.r_args); \
                ck_assert_msg(strstr(c_.err.message, what), "%s: message '%s' lacks '%s'", line,      \
                              c_.err.message, what);                                                 \
                ck_assert_msg(strncmp(c_.err.message, "berth: ", 7) == 0, "%s", c_.err.message);     \
                cli_done(&c_);                                                                       \
        } while (0)

START_TEST(test_commands) {
        static const struct {
                const char *line;
                enum docker_cmd cmd;
                const char *verb, *words;
        } cases[] = {
                { "", DOCKER_CMD_NONE, "", "" },
                { "--help", DOCKER_CMD_NONE, "", "" },
                { "run img", DOCKER_CMD_RUN, "run", "run" },
                { "container run img", DOCKER_CMD_RUN, "run", "container run" },
                { "create img", DOCKER_CMD_CREATE, "create", "create" },
                { "container create img", DOCKER_CMD_CREATE, "create", "container create" },
                { "exec c ls", DOCKER_CMD_TARGET, "exec", "exec" },
                { "container remove a", DOCKER_CMD_TARGET, "rm", "container remove" },
                { "container inspect a", DOCKER_CMD_TARGET, "inspect", "container inspect" },
                { "ps", DOCKER_CMD_PS, "ps", "ps" },
                { "container ls", DOCKER_CMD_PS, "ps", "container ls" },
                { "container list", DOCKER_CMD_PS, "ps", "container list" },
                { "container ps", DOCKER_CMD_PS, "ps", "container ps" },
                { "build .", DOCKER_CMD_BUILD, "build", "build" },
                { "image build .", DOCKER_CMD_BUILD, "build", "image build" },
                { "builder build .", DOCKER_CMD_BUILD, "build", "builder build" },
                { "buildx build .", DOCKER_CMD_BUILD, "buildx", "buildx build" },
                { "buildx b .", DOCKER_CMD_BUILD, "buildx", "buildx b" },
                { "rmi x", DOCKER_CMD_RMI, "rmi", "rmi" },
                { "image rm x", DOCKER_CMD_RMI, "rmi", "image rm" },
                { "image remove x", DOCKER_CMD_RMI, "rmi", "image remove" },
                { "container prune", DOCKER_CMD_PRUNE, "prune", "container prune" },
                { "system prune -af", DOCKER_CMD_PRUNE, "prune", "system prune" },
                { "builder prune", DOCKER_CMD_PRUNE, "prune", "builder prune" },
                { "buildx prune", DOCKER_CMD_PRUNE, "prune", "buildx prune" },
                { "volume prune", DOCKER_CMD_PRUNE, "prune", "volume prune" },
                { "network prune", DOCKER_CMD_PRUNE, "prune", "network prune" },
                { "image prune", DOCKER_CMD_PRUNE, "prune", "image prune" },
                { "network connect n c", DOCKER_CMD_NETWORK_ATTACH, "network-connect", "network connect" },
                { "network disconnect n c", DOCKER_CMD_NETWORK_ATTACH, "network-disconnect", "network disconnect" },
                { "volume create v", DOCKER_CMD_VOLUME_CREATE, "volume-create", "volume create" },
                { "checkpoint create c cp1", DOCKER_CMD_TARGET, "checkpoint", "checkpoint create" },
                { "plugin install x", DOCKER_CMD_ADMIN, "plugin", "plugin" },
                { "plugin ls", DOCKER_CMD_PASS, "ls", "plugin ls" },
                { "service create img", DOCKER_CMD_ADMIN, "service", "service" },
                { "service ls", DOCKER_CMD_PASS, "ls", "service ls" },
                { "swarm join-token worker", DOCKER_CMD_ADMIN, "swarm", "swarm" },
                { "stack deploy s", DOCKER_CMD_ADMIN, "stack", "stack" },
                { "secret create s f", DOCKER_CMD_ADMIN, "secret", "secret" },
                { "node update n", DOCKER_CMD_ADMIN, "node", "node" },
                { "buildx create --use", DOCKER_CMD_ADMIN, "create", "buildx create" },
                { "system dial-stdio", DOCKER_CMD_ADMIN, "dial-stdio", "system dial-stdio" },
                { "images", DOCKER_CMD_PASS, "images", "images" },
                { "pull busybox", DOCKER_CMD_PASS, "pull", "pull" },
                { "compose up", DOCKER_CMD_PASS, "compose", "compose" },
                { "image ls", DOCKER_CMD_PASS, "image", "image" },
                { "system df", DOCKER_CMD_PASS, "system", "system" },
                { "container", DOCKER_CMD_PASS, "container", "container" },
                { "help run", DOCKER_CMD_PASS, "help", "help" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct cli c;
                cli_parse(&c, cases[i].line);
                ck_assert_msg(c.r_inv == 0, "%s: %s", cases[i].line, c.err.message);
                ck_assert_msg(c.inv.cmd == cases[i].cmd, "%s: cmd %d", cases[i].line, c.inv.cmd);
                ck_assert_str_eq(c.inv.verb, cases[i].verb);
                ck_assert_str_eq(c.inv.words, cases[i].words);
                if (cases[i].cmd == DOCKER_CMD_PASS || cases[i].cmd == DOCKER_CMD_ADMIN ||
                    cases[i].cmd == DOCKER_CMD_NONE)
                        ck_assert_int_eq(c.r_args, -EOPNOTSUPP);
                else
                        ck_assert_msg(c.r_args == 0, "%s: %s", cases[i].line, c.err.message);
                cli_done(&c);
        }
}
END_TEST

START_TEST(test_global_options) {
        struct cli c;
        OK(&c, "-H unix:///x.sock --context=ctx -D -l debug --tlsverify --config /tmp/cfg run --rm img");
        ck_assert_str_eq(c.inv.host, "unix:///x.sock");
        ck_assert_str_eq(c.inv.context, "ctx");
        ck_assert_str_eq(c.inv.config, "/tmp/cfg");
        ck_assert_int_eq(c.inv.cmd, DOCKER_CMD_RUN);
        ck_assert_str_eq(c.argv[c.inv.words_at], "run");
        ck_assert_str_eq(image(&c), "img");
        cli_done(&c);

        /* A global option's value that looks like a command is its value. */
        OK(&c, "-H run -c ps rm victim");
        ck_assert_str_eq(c.inv.host, "run");
        ck_assert_str_eq(c.inv.context, "ps");
        ck_assert_str_eq(c.inv.verb, "rm");
        ck_assert_str_eq(target(&c, 0), "victim");
        cli_done(&c);

        /* -Htcp://h attached, -l=info, last -H wins; "--" before the command. */
        OK(&c, "-Hunix:///a -H=unix:///b -l=info -- exec c sh");
        ck_assert_str_eq(c.inv.host, "unix:///b");
        ck_assert_str_eq(c.inv.verb, "exec");
        ck_assert_str_eq(target(&c, 0), "c");
        cli_done(&c);

        OK(&c, "-D --help run img");
        ck_assert(c.inv.help);
        ck_assert_int_eq(c.inv.cmd, DOCKER_CMD_RUN);
        cli_done(&c);

        /* Help between the group and its verb is still the verb. */
        OK(&c, "container --help run --privileged img");
        ck_assert(c.inv.help);
        ck_assert_int_eq(c.inv.cmd, DOCKER_CMD_RUN);
        ck_assert(docker_args_has(&c.a, "privileged"));
        cli_done(&c);

        OK(&c, "buildx --builder b -D build --cgroup-parent x .");
        ck_assert_int_eq(c.inv.cmd, DOCKER_CMD_BUILD);
        ck_assert_str_eq(opt_value(&c, "cgroup-parent"), "x");
        cli_done(&c);

        FAILS("--nosuch run img", "unknown option --nosuch for 'docker'");
        FAILS("-x run img", "unknown option -x for 'docker'");
        FAILS("-H", "needs a value");
        FAILS("--debug=maybe ps", "takes true or false");
        FAILS("container --rm run img", "unknown option --rm for 'docker container'");
        FAILS("container -- run img", "'--' cannot come between");
}
END_TEST

START_TEST(test_run_spellings) {
        struct cli c;

        /* -v with an attached value is -v, not a bundle. */
        OK(&c, "run -v/etc:/x img");
        ck_assert_str_eq(opt_value(&c, "volume"), "/etc:/x");
        ck_assert_str_eq(image(&c), "img");
        cli_done(&c);

        OK(&c, "run --rm -it img sh");
        ck_assert(docker_args_has(&c.a, "rm"));
        ck_assert(docker_args_has(&c.a, "interactive"));
        ck_assert(docker_args_has(&c.a, "tty"));
        ck_assert_int_eq(c.a.n_opts, 3);
        ck_assert_str_eq(image(&c), "img");
        cli_done(&c);

        /* A bundle ends at the first value-taking shorthand. */
        OK(&c, "run -dv/etc:/x img");
        ck_assert(docker_args_has(&c.a, "detach"));
        ck_assert_str_eq(opt_value(&c, "volume"), "/etc:/x");
        cli_done(&c);
        OK(&c, "run -itv /etc:/x img");
        ck_assert_str_eq(opt_value(&c, "volume"), "/etc:/x");
        ck_assert_int_eq(c.a.opts[2].value_at, 3);
        ck_assert_str_eq(image(&c), "img");
        cli_done(&c);

        /* pflag: "-e=X" is "X"; "-e=" is "="; "--env=" is "". */
        OK(&c, "run -e=FOO=1 img");
        ck_assert_str_eq(opt_value(&c, "env"), "FOO=1");
        cli_done(&c);
        OK(&c, "run -e= img");
        ck_assert_str_eq(opt_value(&c, "env"), "=");
        cli_done(&c);
        OK(&c, "run --env= img");
        ck_assert_str_eq(opt_value(&c, "env"), "");
        cli_done(&c);

        /* A value-taking option takes the next word, whatever it is. */
        OK(&c, "run --name --privileged img");
        ck_assert_str_eq(opt_value(&c, "name"), "--privileged");
        ck_assert(!docker_args_has(&c.a, "privileged"));
        ck_assert_str_eq(image(&c), "img");
        cli_done(&c);
        OK(&c, "run -v -v img x");
        ck_assert_str_eq(opt_value(&c, "volume"), "-v");
        ck_assert_str_eq(image(&c), "img");
        cli_done(&c);

        /* Booleans: =false, -t=false inside a bundle, last one wins. */
        OK(&c, "run --privileged=false img");
        ck_assert(!docker_args_has(&c.a, "privileged"));
        cli_done(&c);
        OK(&c, "run --privileged=false --privileged img");
        ck_assert(docker_args_has(&c.a, "privileged"));
        cli_done(&c);
        OK(&c, "run --privileged --privileged=0 img");
        ck_assert(!docker_args_has(&c.a, "privileged"));
        cli_done(&c);
        OK(&c, "run -it=false img");
        ck_assert(docker_args_has(&c.a, "interactive"));
        ck_assert(!docker_args_has(&c.a, "tty"));
        cli_done(&c);
        FAILS("run --privileged=yes img", "takes true or false");
        FAILS("run -i= img", "unknown option -=");

        /* The command after the image is never read. */
        OK(&c, "run img --privileged -v /:/host");
        ck_assert(!docker_args_has(&c.a, "privileged"));
        ck_assert_ptr_null(opt_value(&c, "volume"));
        ck_assert_str_eq(image(&c), "img");
        ck_assert_uint_eq(c.a.n_positionals, 1);
        cli_done(&c);

        /* "--" ends the options; what follows is the image. */
        OK(&c, "run --rm -- --privileged sh");
        ck_assert_str_eq(image(&c), "--privileged");
        ck_assert(!docker_args_has(&c.a, "privileged"));
        ck_assert_int_eq(c.a.dashdash_at, 3);
        cli_done(&c);

        /* -h is --hostname for run, --help elsewhere. */
        OK(&c, "run -h myhost img");
        ck_assert_str_eq(opt_value(&c, "hostname"), "myhost");
        ck_assert(!c.a.help);
        cli_done(&c);
        OK(&c, "rm -h");
        ck_assert(c.a.help);
        cli_done(&c);
        OK(&c, "run --help=false --privileged img");
        ck_assert(!c.a.help);
        cli_done(&c);

        /* Hidden options docker accepts. */
        OK(&c, "run --net host --net-alias x --link-local-ip 169.254.1.1 --dns-opt a img");
        ck_assert_str_eq(opt_value(&c, "net"), "host");
        ck_assert_str_eq(image(&c), "img");
        cli_done(&c);

        OK(&c, "container run -e A=1 --env B=2 -eC=3 img");
        ck_assert_uint_eq(c.a.n_opts, 3);
        ck_assert_str_eq(c.a.opts[2].value, "C=3");
        cli_done(&c);

        FAILS("run --foo img", "unknown option --foo for 'docker run'");
        FAILS("run -Z img", "unknown option -Z for 'docker run'");
        FAILS("container run --foo=1 img", "unknown option --foo for 'docker container run'");
        FAILS("run --name", "option --name of 'docker run' needs a value");
        FAILS("run -itv", "needs a value");
        FAILS("run ---x img", "bad flag syntax");
        FAILS("run --=x img", "bad flag syntax");
}
END_TEST

START_TEST(test_targets) {
        struct cli c;

        OK(&c, "exec -u victim mine ls -la");
        ck_assert_uint_eq(c.a.n_targets, 1);
        ck_assert_str_eq(target(&c, 0), "mine");
        ck_assert_str_eq(opt_value(&c, "user"), "victim");
        cli_done(&c);

        OK(&c, "exec -it --privileged=false -e X=1 -w /tmp mine sh -c --privileged");
        ck_assert_str_eq(target(&c, 0), "mine");
        ck_assert(!docker_args_has(&c.a, "privileged"));
        cli_done(&c);

        OK(&c, "logs --since 1h victim");
        ck_assert_uint_eq(c.a.n_targets, 1);
        ck_assert_str_eq(target(&c, 0), "victim");
        cli_done(&c);
        OK(&c, "logs -n 5 -f mine");
        ck_assert_str_eq(target(&c, 0), "mine");
        cli_done(&c);

        /* Interspersed: options after targets are still options. */
        OK(&c, "rm -f a b -v c");
        ck_assert_uint_eq(c.a.n_targets, 3);
        ck_assert_str_eq(target(&c, 0), "a");
        ck_assert_str_eq(target(&c, 1), "b");
        ck_assert_str_eq(target(&c, 2), "c");
        cli_done(&c);
        OK(&c, "stop -t 10 a -- -b");
        ck_assert_uint_eq(c.a.n_targets, 2);
        ck_assert_str_eq(target(&c, 1), "-b");
        cli_done(&c);
        OK(&c, "kill -s KILL a");
        ck_assert_uint_eq(c.a.n_targets, 1);
        cli_done(&c);

        OK(&c, "cp a:/x b:/y");
        ck_assert_uint_eq(c.a.n_targets, 2);
        ck_assert(c.a.target_colon[0] && c.a.target_colon[1]);
        cli_done(&c);
        OK(&c, "cp ./a:b /abs:path victim:/etc/passwd .");
        ck_assert_uint_eq(c.a.n_targets, 1);
        ck_assert_str_eq(target(&c, 0), "victim:/etc/passwd");
        cli_done(&c);
        OK(&c, "cp :x - ");
        ck_assert_uint_eq(c.a.n_targets, 0);
        cli_done(&c);

        OK(&c, "commit mine victim/repo");
        ck_assert_uint_eq(c.a.n_targets, 1);
        ck_assert_str_eq(target(&c, 0), "mine");
        cli_done(&c);
        OK(&c, "commit -c CMD\x01x -m msg mine repo");
        ck_assert_str_eq(target(&c, 0), "mine");
        cli_done(&c);

        OK(&c, "rename old new");
        ck_assert_str_eq(target(&c, 0), "old");
        ck_assert_str_eq(c.argv[c.a.rename_new_at], "new");
        cli_done(&c);

        OK(&c, "top mine -o pid");
        ck_assert_uint_eq(c.a.n_targets, 1);
        ck_assert_str_eq(target(&c, 0), "mine");
        cli_done(&c);
        OK(&c, "port mine 80/tcp");
        ck_assert_uint_eq(c.a.n_targets, 1);
        cli_done(&c);

        OK(&c, "inspect --type container -f {{.Id}} a b");
        ck_assert_uint_eq(c.a.n_targets, 2);
        ck_assert_str_eq(target(&c, 0), "a");
        cli_done(&c);
        FAILS("container inspect --type container a", "unknown option --type");

        OK(&c, "network connect --alias x net victim");
        ck_assert_uint_eq(c.a.n_targets, 1);
        ck_assert_str_eq(target(&c, 0), "victim");
        cli_done(&c);

        OK(&c, "container update --cpus 2 -m 1g a b");
        ck_assert_uint_eq(c.a.n_targets, 2);
        ck_assert_str_eq(opt_value(&c, "memory"), "1g");
        cli_done(&c);

        OK(&c, "start -ai c");
        ck_assert_str_eq(target(&c, 0), "c");
        cli_done(&c);

        OK(&c, "checkpoint create c cp1");
        ck_assert_uint_eq(c.a.n_targets, 1);
        ck_assert_str_eq(target(&c, 0), "c");
        cli_done(&c);

        OK(&c, "stop --time 3 a");
        ck_assert_uint_eq(c.a.n_targets, 1);
        cli_done(&c);

        FAILS("logs --nosuch c", "unknown option --nosuch for 'docker logs'");
        FAILS("rm --privileged c", "unknown option --privileged for 'docker rm'");
        FAILS("exec --rm c ls", "unknown option --rm for 'docker exec'");
}
END_TEST

START_TEST(test_build) {
        struct cli c;
        OK(&c, "build -t x:1 -f Dockerfile --build-arg A=1 -o out --cgroup-parent evil .");
        ck_assert_str_eq(opt_value(&c, "cgroup-parent"), "evil");
        ck_assert_str_eq(opt_value(&c, "output"), "out");
        ck_assert_uint_eq(c.a.n_positionals, 1);
        cli_done(&c);
        /* buildx options on "docker build" (buildx may be installed). */
        OK(&c, "build --load --allow security.insecure --check .");
        ck_assert_str_eq(opt_value(&c, "allow"), "security.insecure");
        cli_done(&c);
        OK(&c, "buildx build --push -t x .");
        ck_assert(docker_args_has(&c.a, "push"));
        cli_done(&c);
        FAILS("build --privileged .", "unknown option --privileged for 'docker build'");
}
END_TEST

/* --- run spec --------------------------------------------------------- */

struct fake_files {
        int calls;
};

static int fake_read_lines(const char *path, char ***ret, void *userdata) {
        struct fake_files *f = userdata;
        char **v = NULL;
        f->calls++;
        if (streq(path, "env.list")) {
                if (strv_push(&v, "A=from-file") < 0 || strv_push(&v, "NVIDIA_VISIBLE_DEVICES=all") < 0 ||
                    strv_push(&v, "HOME") < 0)
                        return -ENOMEM;
        } else if (streq(path, "labels.list")) {
                if (strv_push(&v, "berth.user=bob") < 0)
                        return -ENOMEM;
        } else
                return -ENOENT;
        *ret = v;
        return 0;
}

static int spec_of(struct cli *c, const char *line, struct container_spec *s, struct fake_files *f) {
        cli_parse(c, line);
        ck_assert_msg(c->r_args == 0, "%s: %s", line, c->err.message);
        *s = (struct container_spec) { 0 };
        return docker_run_spec(&c->inv, c->argc, c->argv, &c->a, f ? fake_read_lines : NULL, f, s, &c->err);
}

#define SPEC_OK(c, line, s)                                                                       \
        do {                                                                                      \
                int r_ = spec_of(c, line, s, NULL);                                               \
                ck_assert_msg(r_ == 0, "%s: %d %s", line, r_, (c)->err.message);                  \
        } while (0)

#define SPEC_FAILS(line, what)                                                                   \
        do {                                                                                      \
                struct cli c_;                                                                    \
                struct container_spec s_;                                                         \
                int r_ = spec_of(&c_, line, &s_, NULL);                                           \
                ck_assert_msg(r_ == -EINVAL, "%s: expected -EINVAL, got %d", line, r_);           \
                ck_assert_msg(strstr(c_.err.message, what), "%s: '%s' lacks '%s'", line,         \
                              c_.err.message, what);                                              \
                cli_done(&c_);                                                                    \
        } while (0)

START_TEST(test_spec_basics) {
        struct cli c;
        struct container_spec s;

        SPEC_OK(&c,
                "run --name train -l a=1 --label b --cgroup-parent /x --gpus 1 --gpus device=0 --cpus 1.5 -m 2g "
                "--privileged --cap-add SYS_ADMIN --cap-add NET_ADMIN --device /dev/nvidia0:/dev/x:rwm "
                "--device-cgroup-rule c\x01" "195:*\x01rwm --pid host --ipc container:other --uts host "
                "--userns host --cgroupns host --network bridge --net container:peer -e A=1 --env B "
                "--runtime nvidia --security-opt seccomp=unconfined --sysctl net.core.somaxconn=1 "
                "--oom-score-adj -500 -p 80:80 --volumes-from vf:ro --link lk:alias pytorch:2 python --privileged",
                &s);
        ck_assert_str_eq(s.name, "train");
        ck_assert_str_eq(s.image, "pytorch:2");
        ck_assert_uint_eq(strv_length(s.labels), 2);
        ck_assert_str_eq(s.labels[1], "b");
        ck_assert_str_eq(s.cgroup_parent, "/x");
        ck_assert_uint_eq(strv_length(s.gpus), 2);
        ck_assert(s.cpus_given);
        ck_assert(s.cpus == 1.5);
        ck_assert(s.memory_given);
        ck_assert_uint_eq(s.memory, 2ULL << 30);
        ck_assert(s.privileged);
        ck_assert_uint_eq(strv_length(s.cap_add), 2);
        ck_assert_uint_eq(s.n_devices, 1);
        ck_assert_str_eq(s.devices[0].path, "/dev/nvidia0");
        ck_assert_str_eq(s.device_cgroup_rules[0], "c 195:* rwm");
        ck_assert_str_eq(s.pid, "host");
        ck_assert_str_eq(s.ipc, "container:other");
        ck_assert_str_eq(s.uts, "host");
        ck_assert_str_eq(s.userns, "host");
        ck_assert_str_eq(s.cgroupns, "host");
        ck_assert_uint_eq(strv_length(s.networks), 2);
        ck_assert_uint_eq(strv_length(s.env), 2);
        ck_assert_str_eq(s.runtime, "nvidia");
        ck_assert_str_eq(s.security_opts[0], "seccomp=unconfined");
        ck_assert_str_eq(s.sysctls[0], "net.core.somaxconn=1");
        ck_assert(s.oom_score_adj_given);
        ck_assert_int_eq(s.oom_score_adj, -500);
        ck_assert_str_eq(s.publish[0], "80:80");
        /* refs: --ipc container:other, --net container:peer, --volumes-from vf, --link lk */
        ck_assert_uint_eq(s.n_refs, 4);
        ck_assert_str_eq(s.refs[0].name, "other");
        ck_assert_str_eq(s.refs[0].flag, "--ipc");
        ck_assert_str_eq(s.refs[1].name, "peer");
        ck_assert_str_eq(s.refs[1].flag, "--net");
        ck_assert_str_eq(s.refs[2].name, "vf");
        ck_assert_str_eq(s.refs[3].name, "lk");
        container_spec_done(&s);
        cli_done(&c);

        /* The command after the image sets nothing. */
        SPEC_OK(&c, "run img --privileged --pid host", &s);
        ck_assert(!s.privileged);
        ck_assert_ptr_null(s.pid);
        container_spec_done(&s);
        cli_done(&c);

        SPEC_OK(&c, "create --privileged=false --cpu-quota 1000 --pid container:x --pid host img", &s);
        ck_assert(!s.privileged);
        ck_assert(s.cpu_quota_given);
        ck_assert_str_eq(s.pid, "host");
        ck_assert_uint_eq(s.n_refs, 1);
        container_spec_done(&s);
        cli_done(&c);
}
END_TEST

START_TEST(test_spec_sizes) {
        static const struct {
                const char *v;
                uint64_t bytes;
        } mem[] = {
                { "1024", 1024 }, { "1k", 1024 }, { "1K", 1024 }, { "1kb", 1024 }, { "1KiB", 1024 },
                { "512m", 512ULL << 20 }, { "1.5g", 3ULL << 29 }, { "2G", 2ULL << 30 }, { "1t", 1ULL << 40 },
                { "10b", 10 }, { "3 m", 3ULL << 20 }, { "0", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(mem); i++) {
                struct cli c;
                struct container_spec s;
                _cleanup_free_ char *line = NULL;
                char v[32];
                snprintf(v, sizeof(v), "%s", mem[i].v);
                for (char *p = v; *p; p++)
                        if (*p == ' ')
                                *p = '\x01';
                ck_assert_int_ge(asprintf(&line, "run -m %s img", v), 0);
                SPEC_OK(&c, line, &s);
                ck_assert_msg(s.memory == mem[i].bytes, "%s: %llu", mem[i].v, (unsigned long long) s.memory);
                container_spec_done(&s);
                cli_done(&c);
        }
        SPEC_FAILS("run -m 1Q img", "invalid --memory '1Q'");
        SPEC_FAILS("run -m -1g img", "invalid --memory");
        SPEC_FAILS("run -m 1.2.3 img", "invalid --memory");
        SPEC_FAILS("run --memory= img", "invalid --memory");
        SPEC_FAILS("run -m 99999999999t img", "invalid --memory");

        static const struct {
                const char *v;
                double cpus;
        } cpus[] = { { "2", 2 }, { "0.5", 0.5 }, { "3/2", 1.5 }, { "1e1", 10 }, { "0.000000001", 1e-9 } };
        for (size_t i = 0; i < ELEMENTSOF(cpus); i++) {
                struct cli c;
                struct container_spec s;
                _cleanup_free_ char *line = NULL;
                ck_assert_int_ge(asprintf(&line, "run --cpus=%s img", cpus[i].v), 0);
                SPEC_OK(&c, line, &s);
                ck_assert(s.cpus_given);
                ck_assert_msg(s.cpus == cpus[i].cpus, "%s", cpus[i].v);
                container_spec_done(&s);
                cli_done(&c);
        }
        SPEC_FAILS("run --cpus abc img", "invalid --cpus 'abc'");
        SPEC_FAILS("run --cpus inf img", "invalid --cpus");
        SPEC_FAILS("run --cpus 0x10 img", "invalid --cpus");
        SPEC_FAILS("run --cpus -1 img", "invalid --cpus");
        SPEC_FAILS("run --cpus 0.0000000001 img", "invalid --cpus");
        SPEC_FAILS("run --cpus 1/0 img", "invalid --cpus");
        SPEC_FAILS("run --oom-score-adj x img", "invalid --oom-score-adj");
}
END_TEST

START_TEST(test_spec_mounts) {
        struct cli c;
        struct container_spec s;

        SPEC_OK(&c,
                "run -v /etc:/x -v data:/d:ro -v /anon -v ./rel:/r -v ../h:/h -v a/b:/ab -v=/srv:/srv "
                "--mount type=bind,source=/home/u,target=/w,readonly "
                "--mount \"type=volume\",src=v2,dst=/v2,volume-driver=local,volume-opt=type=nfs,volume-opt=device=:/x "
                "--mount type=tmpfs,destination=/t,tmpfs-size=1m --mount target=/anon2 "
                "--mount type=npipe,source=x,target=/p --tmpfs /run:rw,size=1m img",
                &s);
        ck_assert_uint_eq(s.n_mounts, 13);
        ck_assert_int_eq(s.mounts[0].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[0].source, "/etc");
        ck_assert_str_eq(s.mounts[0].target, "/x");
        ck_assert_str_eq(s.mounts[0].flag, "-v");
        ck_assert_int_eq(s.mounts[1].kind, SPEC_MOUNT_VOLUME);
        ck_assert_str_eq(s.mounts[1].source, "data");
        ck_assert_int_eq(s.mounts[2].kind, SPEC_MOUNT_VOLUME);
        ck_assert_ptr_null(s.mounts[2].source);
        ck_assert_str_eq(s.mounts[2].target, "/anon");
        ck_assert_int_eq(s.mounts[3].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[3].source, "./rel");
        ck_assert_int_eq(s.mounts[4].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[4].source, "../h");
        ck_assert_int_eq(s.mounts[5].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[6].source, "/srv");
        ck_assert_int_eq(s.mounts[7].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[7].source, "/home/u");
        ck_assert_str_eq(s.mounts[7].target, "/w");
        ck_assert_str_eq(s.mounts[7].flag, "--mount");
        ck_assert_int_eq(s.mounts[8].kind, SPEC_MOUNT_VOLUME);
        ck_assert_str_eq(s.mounts[8].source, "v2");
        ck_assert_str_eq(s.mounts[8].volume_driver, "local");
        ck_assert_uint_eq(strv_length(s.mounts[8].volume_opts), 2);
        ck_assert_str_eq(s.mounts[8].volume_opts[1], "device=:/x");
        ck_assert_int_eq(s.mounts[9].kind, SPEC_MOUNT_TMPFS);
        ck_assert_int_eq(s.mounts[10].kind, SPEC_MOUNT_VOLUME);
        ck_assert_ptr_null(s.mounts[10].source);
        ck_assert_int_eq(s.mounts[11].kind, SPEC_MOUNT_OTHER);
        ck_assert_str_eq(s.mounts[11].type, "npipe");
        ck_assert_int_eq(s.mounts[12].kind, SPEC_MOUNT_TMPFS);
        ck_assert_str_eq(s.mounts[12].target, "/run");
        container_spec_done(&s);
        cli_done(&c);

        /* docker expands no '~' (dockerd refuses it as a volume name): a
         * quoted "~/h" or "~alice" is no path berth could resolve for it */
        SPEC_FAILS("run -v ~/h:/h img", "does not expand '~'");
        SPEC_FAILS("run -v ~alice:/h img", "does not expand '~'");
        SPEC_FAILS("run --volume=~/../bob:/h img", "does not expand '~'");

        /* Quoted csv field with a comma inside, key case folded. */
        SPEC_OK(&c, "run --mount \"Type=bind\",\"source=/a,b\",target=/c img", &s);
        ck_assert_int_eq(s.mounts[0].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[0].source, "/a,b");
        container_spec_done(&s);
        cli_done(&c);

        SPEC_FAILS("run -v /a:/b:ro:x img", "invalid volume specification");
        SPEC_FAILS("run -v /a:rel img", "absolute path");
        SPEC_FAILS("run -v :/b img", "invalid volume specification");
        SPEC_FAILS("run --mount type=bind,target=/x img", "without a source");
        SPEC_FAILS("run --mount type=bind,source=/x img", "has no target");
        SPEC_FAILS("run --mount type=bind,src=/x,dst=/y,bogus=1 img", "unknown key 'bogus'");
        SPEC_FAILS("run --mount \"type=bind,src=/x,dst=/y img", "badly quoted");
        /* a trailing comma is an empty last field, which docker refuses too */
        SPEC_FAILS("run --mount type=bind,src=/x,dst=/y, img", "unknown key ''");
        SPEC_FAILS("run --mount type=bind,,src=/x,dst=/y img", "unknown key ''");
        SPEC_FAILS("run --mount type=volume,target=/y,volume-opt=x img", "volume-opt takes key=value");
        SPEC_FAILS("run --mount source img", "needs a value");
        SPEC_FAILS("run --tmpfs rel img", "absolute path");
        SPEC_FAILS("run --volumes-from :ro img", "names no container");
        SPEC_FAILS("run --device :/x img", "names no host device");
}
END_TEST

START_TEST(test_spec_files) {
        struct cli c;
        struct container_spec s;
        struct fake_files f = { 0 };

        int r = spec_of(&c, "run -e FIRST=1 --env-file env.list -e LAST=2 --label-file labels.list img", &s, &f);
        ck_assert_msg(r == 0, "%s", c.err.message);
        ck_assert_int_eq(f.calls, 2);
        ck_assert_uint_eq(strv_length(s.env), 5);
        ck_assert_str_eq(s.env[0], "FIRST=1");
        ck_assert_str_eq(s.env[1], "A=from-file");
        ck_assert_str_eq(s.env[2], "NVIDIA_VISIBLE_DEVICES=all");
        ck_assert_str_eq(s.env[3], "HOME");
        ck_assert_str_eq(s.env[4], "LAST=2");
        ck_assert_str_eq(s.labels[0], "berth.user=bob");
        container_spec_done(&s);
        cli_done(&c);

        r = spec_of(&c, "run --env-file missing.list img", &s, &f);
        ck_assert_int_eq(r, -ENOENT);
        ck_assert(strstr(c.err.message, "missing.list"));
        cli_done(&c);

        /* No reader: the option is refused, not skipped. */
        r = spec_of(&c, "run --env-file env.list img", &s, NULL);
        ck_assert_int_eq(r, -EINVAL);
        ck_assert(strstr(c.err.message, "--env-file"));
        cli_done(&c);

        /* Not run/create, or no image. */
        cli_parse(&c, "rm x");
        ck_assert_int_eq(docker_run_spec(&c.inv, c.argc, c.argv, &c.a, NULL, NULL, &s, &c.err), -EOPNOTSUPP);
        cli_done(&c);
        r = spec_of(&c, "run --rm", &s, NULL);
        ck_assert_int_eq(r, -EINVAL);
        ck_assert(strstr(c.err.message, "needs an image"));
        cli_done(&c);
}
END_TEST

Suite *dockercli_suite(void) {
        Suite *s = suite_create("dockercli");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_commands);
        tcase_add_test(tc, test_global_options);
        tcase_add_test(tc, test_run_spellings);
        tcase_add_test(tc, test_targets);
        tcase_add_test(tc, test_build);
        tcase_add_test(tc, test_spec_basics);
        tcase_add_test(tc, test_spec_sizes);
        tcase_add_test(tc, test_spec_mounts);
        tcase_add_test(tc, test_spec_files);
        suite_add_tcase(s, tc);
        return s;
}
