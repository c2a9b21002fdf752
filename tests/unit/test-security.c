/* SPDX-License-Identifier: MIT */
/* The security model's rules in lib/policy (SECURITY.md), tried from docker's
 * own argv the way a front end fills the spec: host paths meet only their
 * owner, every run option is decided, GPUs come only from a reservation. */
#include <check.h>
#include <stdarg.h>

#include <sys/stat.h>

#include "basic/util.h"
#include "core/seal.h"
#include "system/seal-key.h"
#include "core/config.h"
#include "policy/dockercli-spec.h"
#include "policy/dockercli-tables.h"
#include "policy/dockercli.h"
#include "policy/policy.h"

static const gid_t alice_gids[] = { 1000, 27, 1500 };
static const struct policy_identity alice = {
        .user = "alice", .uid = 1000, .gid = 1000, .gids = alice_gids, .n_gids = 3, .home = "/home/alice", .n_cpus = 8,
};

struct outcome {
        int parse;    /* docker_run_spec()'s return */
        char message[512];
        struct policy_verdict v;
};

/* "docker ARGS…" through the grammar, docker_run_spec() and policy_check(),
 * with the facts a front end would fill in: binds resolved as typed,
 * devices character devices, --volumes-from naming alice's container with
 * host paths. */
static void judge(struct outcome *o, const struct policy_identity *id, ...) {
        const char *argv[64] = { "docker" };
        int argc = 1;
        va_list ap;
        va_start(ap, id);
        for (const char *a; (a = va_arg(ap, const char *));)
                argv[argc++] = a;
        va_end(ap);
        argv[argc] = NULL;

        struct docker_invocation inv;
        struct docker_args a = { 0 };
        struct container_spec s = { 0 };
        struct berth_error err = { 0 };
        struct berth_config *c = NULL;
        struct resolved_user ru = { 0 };
        char *none[] = { NULL };

        *o = (struct outcome) { 0 };
        ck_assert_int_eq(config_new("/nonexistent", &c), 0);
        ck_assert_int_eq(config_resolve_user_groups(c, id->user, id->uid, none, 1700000000, &ru), 0);
        ck_assert_int_eq(docker_parse_invocation(argc, (char *const *) argv, &inv, &err), 0);
        ck_assert_msg(docker_parse_args(&inv, argc, (char *const *) argv, &a, &err) == 0, "%s", err.message);
        o->parse = docker_run_spec(&inv, argc, (char *const *) argv, &a, NULL, NULL, &s, &err);
        snprintf(o->message, sizeof(o->message), "%s", err.message);
        if (o->parse == 0) {
                for (size_t i = 0; i < s.n_mounts; i++)
                        if (s.mounts[i].kind == SPEC_MOUNT_BIND && s.mounts[i].source)
                                s.mounts[i].resolved = strdup(s.mounts[i].source);
                for (size_t i = 0; i < s.n_devices; i++) {
                        s.devices[i].resolved = strdup(s.devices[i].path);
                        s.devices[i].kind = SPEC_DEVICE_CHAR;
                }
                for (size_t i = 0; i < s.n_refs; i++) {
                        s.refs[i].resolved = s.refs[i].exists = s.refs[i].managed = true;
                        s.refs[i].owner = strdup(id->user);
                        s.refs[i].has_binds = streq(s.refs[i].name, "withbinds");
                }
                ck_assert_int_eq(policy_check(c, &ru, id, &s, &o->v), 0);
        }
        container_spec_done(&s);
        docker_args_done(&a);
        resolved_user_done(&ru);
        config_free(c);
}

#define RUN(o, ...) judge((o), &alice, "run", __VA_ARGS__, "busybox", "true", NULL)

static void expect_allowed(struct outcome *o, bool as_owner) {
        ck_assert_msg(o->parse == 0, "parse: %s", o->message);
        ck_assert_msg(o->v.allowed, "refused: %s", o->v.reason);
        ck_assert_msg(o->v.run_as_owner == as_owner, "run_as_owner=%d", o->v.run_as_owner);
        policy_verdict_done(&o->v);
}

static void expect_refused(struct outcome *o, const char *rule, const char *words) {
        ck_assert_msg(o->parse == 0, "parse: %s", o->message);
        ck_assert_msg(!o->v.allowed, "allowed, expected %s", rule);
        ck_assert_str_eq(o->v.rule, rule);
        ck_assert_msg(strncmp(o->v.reason, "berth: ", 7) == 0 && strstr(o->v.reason, words), "reason: %s",
                      o->v.reason);
        policy_verdict_done(&o->v);
}

START_TEST(test_host_paths_run_as_owner) {
        struct outcome o;

        /* no host path: root in the container is fine */
        RUN(&o, "-v", "data:/data");
        expect_allowed(&o, false);
        RUN(&o, "--tmpfs", "/scratch", "-u", "0");
        expect_allowed(&o, false);
        RUN(&o, "--mount", "type=volume,src=v,dst=/v");
        expect_allowed(&o, false);
        /* every way of meeting a host path runs as the owner */
        RUN(&o, "-v", "/home/alice:/h");
        expect_allowed(&o, true);
        RUN(&o, "--mount", "type=bind,src=/home/alice/x,dst=/x");
        expect_allowed(&o, true);
        RUN(&o, "--mount", "type=volume,src=v,dst=/v,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/home/alice");
        expect_allowed(&o, true);
        RUN(&o, "--volumes-from", "withbinds");
        expect_allowed(&o, true);
        RUN(&o, "--volumes-from", "plain");
        expect_allowed(&o, false);
        /* as themselves, by name or number */
        RUN(&o, "-v", "/home/alice:/h", "-u", "alice");
        expect_allowed(&o, true);
        RUN(&o, "-v", "/home/alice:/h", "--user=1000:1000");
        expect_allowed(&o, true);
        RUN(&o, "-v", "/home/alice:/h", "--group-add", "27");
        expect_allowed(&o, true);
        /* anyone else is refused */
        RUN(&o, "-v", "/home/alice:/h", "-u", "0");
        expect_refused(&o, "host-path-user", "--user 0 is not allowed");
        RUN(&o, "-v", "/home/alice:/h", "-u", "root");
        expect_refused(&o, "host-path-user", "runs as you (uid 1000)");
        RUN(&o, "-v", "/home/alice:/h", "-u", "1000:0");
        expect_refused(&o, "host-path-user", "--user 1000:0");
        RUN(&o, "-v", "/home/alice:/h", "-u", "1000:alice");
        expect_refused(&o, "host-path-user", "--user 1000:alice");
        RUN(&o, "-v", "/home/alice:/h", "-u", "01000x");
        expect_refused(&o, "host-path-user", "--user");
        RUN(&o, "--volumes-from", "withbinds", "-u", "0:0");
        expect_refused(&o, "host-path-user", "--user 0:0");
        RUN(&o, "-v", "/home/alice:/h", "--group-add", "0");
        expect_refused(&o, "host-path-user", "--group-add 0");
        RUN(&o, "-v", "/home/alice:/h", "--group-add", "docker");
        expect_refused(&o, "host-path-user", "--group-add docker");
        /* the NVIDIA toolkit's device-list mounts choose GPUs */
        RUN(&o, "-v", "data:/var/run/nvidia-container-devices/GPU-1");
        expect_refused(&o, "gpu-device-list", "choose GPUs");
        RUN(&o, "--tmpfs", "/run/nvidia-container-devices/all");
        expect_refused(&o, "gpu-device-list", "choose GPUs");
        RUN(&o, "--mount", "type=volume,src=x,dst=/var//run/./nvidia-container-devices");
        expect_refused(&o, "gpu-device-list", "choose GPUs");
}
END_TEST

START_TEST(test_exec_and_cp) {
        struct policy_verdict v;

        ck_assert_int_eq(policy_check_exec(&alice, NULL, false, NULL, false, &v), 0);
        ck_assert(v.allowed && !v.run_as_owner);
        ck_assert_int_eq(policy_check_exec(&alice, "0", false, NULL, false, &v), 0);
        ck_assert(v.allowed); /* no host path: their own container, as root */
        ck_assert_int_eq(policy_check_exec(&alice, "0", true, NULL, false, &v), 0);
        ck_assert(!v.allowed); /* --privileged gives the process the machine, host paths or not */
        ck_assert_str_eq(v.rule, "privileged");
        char *gpu_env[] = { (char *) "HOME=/x", (char *) "NVIDIA_VISIBLE_DEVICES=all", NULL };
        ck_assert_int_eq(policy_check_exec(&alice, NULL, false, gpu_env, false, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "gpu-env");
        ck_assert(strstr(v.reason, "exec -e NVIDIA_VISIBLE_DEVICES is not allowed"));
        char *plain_env[] = { (char *) "HOME=/x", (char *) "CUDA_HOME", NULL };
        ck_assert_int_eq(policy_check_exec(&alice, NULL, false, plain_env, false, &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_check_exec(&alice, NULL, false, NULL, true, &v), 0);
        ck_assert(v.allowed && v.run_as_owner);
        ck_assert_int_eq(policy_check_exec(&alice, "1000", false, NULL, true, &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_check_exec(&alice, "0", false, NULL, true, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "host-path-user");
        ck_assert_int_eq(policy_check_exec(&alice, NULL, true, NULL, true, &v), 0);
        ck_assert(!v.allowed);
        ck_assert(strstr(v.reason, "--privileged"));

        ck_assert_int_eq(policy_check_cp(&alice, false, &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_check_cp(&alice, true, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "host-path-cp");

        struct policy_identity admin = alice;
        admin.admin = true;
        ck_assert_int_eq(policy_check_cp(&admin, true, &v), 0);
        ck_assert(v.allowed && v.admin_override);

        ck_assert_int_eq(policy_check_rename(&alice, false, "plain", &v), 0);
        ck_assert(v.allowed);
        ck_assert_int_eq(policy_check_rename(&alice, true, "x._.alice", &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "rename-sealed");
        ck_assert(strstr(v.reason, "x._.alice"));
        ck_assert_int_eq(policy_check_rename(&admin, true, "x._.alice", &v), 0);
        ck_assert(v.allowed && v.admin_override);
}
END_TEST

START_TEST(test_options_decided) {
        struct outcome o;

        RUN(&o, "--use-api-socket");
        expect_refused(&o, "api-socket", "dockerd itself");
        RUN(&o, "--ulimit", "nofile=1024:2048");
        expect_allowed(&o, false);
        RUN(&o, "--ulimit", "rtprio=99");
        expect_refused(&o, "ulimit", "rtprio=99");
        RUN(&o, "--ulimit", "MEMLOCK=-1");
        expect_refused(&o, "ulimit", "MEMLOCK");
        RUN(&o, "--ulimit", "nice=-20");
        expect_refused(&o, "ulimit", "nice");
        RUN(&o, "--log-driver", "local", "--log-opt", "max-size=10m");
        expect_allowed(&o, false);
        RUN(&o, "--log-driver", "journald");
        expect_refused(&o, "log-driver", "journald");
        RUN(&o, "--log-driver=syslog");
        expect_refused(&o, "log-driver", "syslog");
        RUN(&o, "--log-opt", "tag={{.ImageName}}");
        expect_refused(&o, "log-opt", "tag=");
        RUN(&o, "--log-opt", "env=SECRET");
        expect_refused(&o, "log-opt", "env=");
        RUN(&o, "--memory", "1g", "--memory-swap", "1g");
        expect_allowed(&o, false);
        RUN(&o, "--memory", "1g", "--memory-swap", "-1");
        expect_refused(&o, "memory-swap", "swap");
        RUN(&o, "--memory-swap", "8g");
        expect_refused(&o, "memory-swap", "swap");
        RUN(&o, "--cpu-shares", "512");
        expect_allowed(&o, false);
        RUN(&o, "--cpu-shares", "262144");
        expect_refused(&o, "cpu-shares", "262144");
        RUN(&o, "--cpu-shares", "1");
        expect_refused(&o, "cpu-shares", "outside 2 to 1024");
        RUN(&o, "--cpuset-cpus", "0-3,7");
        expect_allowed(&o, false);
        RUN(&o, "--cpuset-cpus", "8");
        expect_refused(&o, "cpuset", "--cpuset-cpus 8");
        RUN(&o, "--cpuset-cpus", "0-2x");
        expect_refused(&o, "cpuset", "does not have");
        RUN(&o, "--annotation", "cdi.k8s.io/gpu=nvidia.com/gpu=all");
        expect_refused(&o, "annotation", "CDI");
        RUN(&o, "--storage-opt", "size=20G");
        expect_allowed(&o, false);
        RUN(&o, "--storage-opt", "dm.basesize=20G");
        expect_refused(&o, "storage-opt", "dm.basesize");
        RUN(&o, "--volume-driver", "local");
        expect_allowed(&o, false);
        RUN(&o, "--volume-driver", "rexray");
        expect_refused(&o, "volume-driver", "rexray");
        RUN(&o, "--oom-kill-disable");
        expect_refused(&o, "oom-kill-disable", "OOM killer");
        /* --network's long form is judged by the name it gives */
        RUN(&o, "--network", "name=host,alias=x");
        expect_refused(&o, "host-network", "--network host");
        RUN(&o, "--network=\"name=HOST\",driver-opt=a=b");
        expect_refused(&o, "host-network", "--network host");
        RUN(&o, "--network", "name=container:victim");
        expect_allowed(&o, false); /* a reference judge() resolves as the caller's own */
        RUN(&o, "--network", "name=mynet,alias=db");
        expect_allowed(&o, false);
}
END_TEST

/* Every option of run and create is either harmless or read for the policy:
 * none reaches docker unexamined (a flag added to the tables without a
 * decision fails here). */
START_TEST(test_every_run_option_classified) {
        const struct docker_flag_table *t = &docker_flag_tables[DOCKER_FLAGS_RUN];

        for (size_t i = 0; i < t->n_flags; i++) {
                const struct docker_flag *f = &t->flags[i];
                char opt[128];
                struct outcome o;
                if (streq(f->name, "help"))
                        continue; /* -h: docker prints help */
                if (f->kind == DOCKER_FLAG_VALUE) {
                        /* a value each option accepts */
                        const char *value = "1";
                        if (streq(f->name, "volume") || streq(f->name, "tmpfs"))
                                value = "/x";
                        else if (streq(f->name, "mount"))
                                value = "type=tmpfs,dst=/x";
                        else if (streq(f->name, "device"))
                                value = "/dev/fuse";
                        else if (streq(f->name, "memory") || streq(f->name, "memory-swap"))
                                value = "1g";
                        snprintf(opt, sizeof(opt), "--%s=%s", f->name, value);
                } else
                        snprintf(opt, sizeof(opt), "--%s", f->name);
                judge(&o, &alice, "run", opt, "busybox", NULL);
                ck_assert_msg(o.parse != -EOPNOTSUPP, "--%s has no decision: %s", f->name, o.message);
                policy_verdict_done(&o.v);
        }
}
END_TEST

START_TEST(test_gpus_only_from_reservation) {
        struct outcome o;

        RUN(&o, "--device", "nvidia.com/gpu=all");
        expect_refused(&o, "device", "CDI device name");
        RUN(&o, "--device", "vendor.example/class=name:/dev/x");
        expect_refused(&o, "device", "CDI device name");
        RUN(&o, "-e", "NVIDIA_MIG_CONFIG_DEVICES=all");
        expect_refused(&o, "gpu-env", "NVIDIA_MIG_CONFIG_DEVICES");
        RUN(&o, "-e", "NVIDIA_MIG_ANYTHING=1");
        expect_refused(&o, "gpu-env", "NVIDIA_MIG_ANYTHING");
        RUN(&o, "-e", "NVIDIA_IMEX_CHANNELS=0");
        expect_refused(&o, "gpu-env", "NVIDIA_IMEX_CHANNELS");
        /* an env-file's first line may start with a byte-order mark, which
         * docker drops */
        ck_assert(policy_env_is_gpu("\xef\xbb\xbfNVIDIA_VISIBLE_DEVICES=all"));
        ck_assert(policy_env_is_gpu("\xef\xbb\xbf" "CUDA_VISIBLE_DEVICES"));
        ck_assert(!policy_env_is_gpu("\xef\xbb\xbfPATH=/bin"));
        ck_assert(!policy_env_is_gpu("NVIDIA_MIG_"));
}
END_TEST

START_TEST(test_seal) {
        uint8_t key[SEAL_KEY_SIZE], other[SEAL_KEY_SIZE];
        char seal[SEAL_TEXT_MAX], again[SEAL_TEXT_MAX];

        for (size_t i = 0; i < sizeof(key); i++) {
                key[i] = (uint8_t) i;
                other[i] = (uint8_t) (i + 1);
        }
        ck_assert_int_eq(seal_compute(key, sizeof(key), "train._.alice", "alice", 1000, "GPU-1,GPU-2", seal), 0);
        ck_assert_int_eq((int) strlen(seal), SEAL_TEXT_MAX - 1);
        ck_assert(strncmp(seal, "v1:", 3) == 0);
        ck_assert_int_eq(seal_compute(key, sizeof(key), "train._.alice", "alice", 1000, "GPU-1,GPU-2", again), 0);
        ck_assert_str_eq(seal, again);
        ck_assert(seal_verify(key, sizeof(key), seal, "train._.alice", "alice", 1000, "GPU-1,GPU-2"));
        /* any field changed, or another key: it no longer verifies */
        ck_assert(!seal_verify(key, sizeof(key), seal, "train._.bob", "alice", 1000, "GPU-1,GPU-2"));
        ck_assert(!seal_verify(key, sizeof(key), seal, "train._.alice", "bob", 1000, "GPU-1,GPU-2"));
        ck_assert(!seal_verify(key, sizeof(key), seal, "train._.alice", "alice", 0, "GPU-1,GPU-2"));
        ck_assert(!seal_verify(key, sizeof(key), seal, "train._.alice", "alice", 1000, "GPU-1,GPU-3"));
        ck_assert(!seal_verify(key, sizeof(key), seal, "train._.alice", "alice", 1000, ""));
        ck_assert(!seal_verify(other, sizeof(other), seal, "train._.alice", "alice", 1000, "GPU-1,GPU-2"));
        /* fields never run into each other */
        ck_assert_int_eq(seal_compute(key, sizeof(key), "ab", "c", 1, "", seal), 0);
        ck_assert(!seal_verify(key, sizeof(key), seal, "a", "bc", 1, ""));
        /* malformed seals and keys */
        ck_assert(!seal_verify(key, sizeof(key), NULL, "ab", "c", 1, ""));
        ck_assert(!seal_verify(key, sizeof(key), "v1:00", "ab", "c", 1, ""));
        seal[10] = seal[10] == 'a' ? 'b' : 'a';
        ck_assert(!seal_verify(key, sizeof(key), seal, "ab", "c", 1, ""));
        ck_assert_int_eq(seal_compute(key, 16, "ab", "c", 1, "", seal), -EINVAL);
        ck_assert_int_eq(seal_compute(key, sizeof(key), "", "c", 1, "", seal), -EINVAL);
        ck_assert_int_eq(seal_compute(key, sizeof(key), "ab", "c", 1, NULL, seal), -EINVAL);
}
END_TEST

START_TEST(test_seal_key_file) {
        char dir[] = "/tmp/berth-seal-XXXXXX";
        char path[64];
        uint8_t k1[SEAL_KEY_SIZE], k2[SEAL_KEY_SIZE];
        struct berth_error err = { 0 };

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/sub/seal.key", dir);
        ck_assert_int_eq(seal_key_load(path, k1, &err), -ENOENT);
        ck_assert_int_eq(seal_key_create(path, &err), 1);
        ck_assert_int_eq(seal_key_create(path, &err), 0); /* kept */
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_eq((int) (st.st_mode & 07777), 0600);
        if (geteuid() == 0) {
                ck_assert_int_eq(seal_key_load(path, k1, &err), 0);
                ck_assert_int_eq(seal_key_load(path, k2, &err), 0);
                ck_assert(memcmp(k1, k2, sizeof(k1)) == 0);
                /* readable by others: refused */
                ck_assert_int_eq(chmod(path, 0644), 0);
                ck_assert_int_eq(seal_key_load(path, k1, &err), -EPERM);
                ck_assert(strstr(err.message, "0600"));
                ck_assert_int_eq(chmod(path, 0600), 0);
                /* a link to a key: refused */
                char link[80];
                snprintf(link, sizeof(link), "%s/link.key", dir);
                ck_assert_int_eq(symlink(path, link), 0);
                ck_assert_int_lt(seal_key_load(link, k1, &err), 0);
                unlink(link);
                /* wrong size */
                FILE *f = fopen(path, "a");
                fputc('x', f);
                fclose(f);
                ck_assert_int_eq(seal_key_load(path, k1, &err), -EBADMSG);
        }
        unlink(path);
        snprintf(path, sizeof(path), "%s/sub", dir);
        rmdir(path);
        rmdir(dir);
}
END_TEST

/* A --label-file / --env-file whose first line starts with a byte-order
 * mark, which docker drops before reading the key. */
static int bom_lines(const char *path, char ***ret, void *userdata) {
        char **v = NULL;
        ck_assert_int_eq(strv_push(&v, streq(path, "labels") ? "\xef\xbb\xbf" "berth.user=bob" : "\xef\xbb\xbfPATH=/x"), 0);
        ck_assert_int_eq(strv_push(&v, "other=1"), 0);
        *ret = v;
        return 0;
}

START_TEST(test_bom_and_one_line) {
        const char *argv[] = { "docker", "run", "--label-file", "labels", "--name", "a\nberth: fake", "busybox", NULL };
        int argc = 7;
        struct docker_invocation inv;
        struct docker_args a = { 0 };
        struct container_spec s = { 0 };
        struct berth_error err = { 0 };

        ck_assert_int_eq(docker_parse_invocation(argc, (char *const *) argv, &inv, &err), 0);
        ck_assert_int_eq(docker_parse_args(&inv, argc, (char *const *) argv, &a, &err), 0);
        ck_assert_int_eq(docker_run_spec(&inv, argc, (char *const *) argv, &a, bom_lines, NULL, &s, &err), 0);
        ck_assert_str_eq(s.labels[0], "berth.user=bob"); /* the mark is gone, the key is seen */
        ck_assert(policy_label_reserved(s.labels[0]));
        ck_assert_str_eq(s.labels[1], "other=1");

        struct berth_config *c = NULL;
        struct resolved_user ru = { 0 };
        struct policy_verdict v = { 0 };
        char *none[] = { NULL };
        ck_assert_int_eq(config_new("/nonexistent", &c), 0);
        ck_assert_int_eq(config_resolve_user_groups(c, "alice", 1000, none, 1700000000, &ru), 0);
        ck_assert_int_eq(policy_check(c, &ru, &alice, &s, &v), 0);
        ck_assert(!v.allowed);
        /* the refusal quotes the typed name, but stays one line */
        ck_assert_ptr_null(strchr(v.reason, '\n'));
        policy_verdict_done(&v);
        resolved_user_done(&ru);
        config_free(c);
        container_spec_done(&s);
        docker_args_done(&a);
}
END_TEST

Suite *security_suite(void) {
        Suite *s = suite_create("security");
        TCase *tc = tcase_create("rules");
        tcase_add_test(tc, test_host_paths_run_as_owner);
        tcase_add_test(tc, test_exec_and_cp);
        tcase_add_test(tc, test_options_decided);
        tcase_add_test(tc, test_every_run_option_classified);
        tcase_add_test(tc, test_gpus_only_from_reservation);
        tcase_add_test(tc, test_seal);
        tcase_add_test(tc, test_seal_key_file);
        tcase_add_test(tc, test_bom_and_one_line);
        suite_add_tcase(s, tc);
        return s;
}
