/* SPDX-License-Identifier: MIT */
/* The wrapper's policy (DESIGN §5) rule by rule: every rule in the form an
 * ordinary user is refused and in the form they are allowed, and for every
 * refusal the admin override (allowed, admin_override set, the same rule and
 * reason kept for the audit).  Then the helpers the callers use to fill a
 * spec: --gpus parsing, GPU environment names, allowed_binds matching, path
 * normalisation, and host path resolution against a real tree of symlinks. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "policy/policy.h"
#include "basic/util.h"
#include "basic/path.h"
#include "policy/spec.h"
#include "system/hostpath.h"

#define GIB (1024ULL * 1024 * 1024)

static struct berth_config *cfg;
static struct resolved_user ru;

static const struct policy_identity alice = { .user = "alice", .uid = 1000, .home = "/home/alice" };
/* The same person as a member of admin_group: every user-dependent word of
 * a reason stays the same, so the override must keep it verbatim. */
static const struct policy_identity alice_admin = {
        .user = "alice", .uid = 1000, .home = "/home/alice", .admin = true
};

/* [policy] as an admin would write it; a 4-CPU, 8G slice for alice. */
static void setup_config(void) {
        static const char text[] = "[policy]\n"
                                   "allowed_binds = ~ /data\n"
                                   "allowed_caps = SYS_PTRACE, cap_sys_nice\n"
                                   "[defaults]\n"
                                   "cpus = 4\n"
                                   "memory = 8G\n";
        struct config_errors errs = { 0 };
        char *none[] = { NULL };

        ck_assert_int_eq(config_new("/nonexistent", &cfg), 0);
        ck_assert_int_eq(
                config_parse_buffer(cfg, CONFIG_FILE_MAIN, "berth.conf", "berth", text, strlen(text), &errs), 0);
        config_errors_clear(&errs);
        ck_assert(!cfg->allow_host_network);
        ck_assert_int_eq(config_resolve_user_groups(cfg, "alice", 1000, none, 1700000000, &ru), 0);
        ck_assert(ru.limits.cpus == 4);
        ck_assert_uint_eq(ru.limits.memory, 8 * GIB);
}

static void teardown_config(void) {
        resolved_user_done(&ru);
        config_free(cfg);
        cfg = NULL;
}

/* ---- building specs ----------------------------------------------------- */

static char *xstrdup(const char *s) {
        if (!s)
                return NULL;
        char *c = strdup(s);
        ck_assert_ptr_nonnull(c);
        return c;
}

/* A strv of the arguments, up to NULL. */
static char **sv(const char *first, ...) __attribute__((sentinel));
static char **sv(const char *first, ...) {
        char **v = NULL;
        va_list ap;

        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                ck_assert_int_ge(strv_push(&v, s), 0);
        va_end(ap);
        return v;
}

static struct spec_mount *new_mount(struct container_spec *s, enum spec_mount_kind kind, const char *flag) {
        s->mounts = reallocarray(s->mounts, s->n_mounts + 1, sizeof(*s->mounts));
        ck_assert_ptr_nonnull(s->mounts);
        struct spec_mount *m = &s->mounts[s->n_mounts++];
        *m = (struct spec_mount) { .kind = kind, .flag = xstrdup(flag), .target = xstrdup("/ctr") };
        return m;
}

static void add_bind(struct container_spec *s, const char *source, const char *resolved) {
        struct spec_mount *m = new_mount(s, SPEC_MOUNT_BIND, "-v");
        m->type = xstrdup("bind");
        m->source = xstrdup(source);
        m->resolved = xstrdup(resolved);
}

/* A named (or, name NULL, anonymous) volume with its driver options. */
static void add_volume(struct container_spec *s, const char *name, char **opts) {
        struct spec_mount *m = new_mount(s, SPEC_MOUNT_VOLUME, "--mount");
        m->type = xstrdup("volume");
        m->source = xstrdup(name);
        m->volume_opts = opts;
        m->volume_driver = xstrdup("local");
}

static void add_device(struct container_spec *s, const char *path, const char *resolved, enum spec_device_kind kind) {
        s->devices = reallocarray(s->devices, s->n_devices + 1, sizeof(*s->devices));
        ck_assert_ptr_nonnull(s->devices);
        s->devices[s->n_devices++] =
                (struct spec_device) { .path = xstrdup(path), .resolved = xstrdup(resolved), .kind = kind };
}

static void add_ref(struct container_spec *s, const char *flag, const char *name, bool resolved, bool exists,
                    bool managed, const char *owner) {
        s->refs = reallocarray(s->refs, s->n_refs + 1, sizeof(*s->refs));
        ck_assert_ptr_nonnull(s->refs);
        s->refs[s->n_refs++] = (struct spec_ref) { .name = xstrdup(name),
                                                   .flag = xstrdup(flag),
                                                   .resolved = resolved,
                                                   .exists = exists,
                                                   .managed = managed,
                                                   .owner = xstrdup(owner) };
}

/* ---- judging ------------------------------------------------------------ */

static const char *strnull(const char *s) {
        return s ? s : "(null)";
}

/* rule NULL: alice is allowed, no override, no reason; the admin likewise.
 * Otherwise alice is refused by rule with a reason containing needle (one
 * sentence starting "berth: ") and a hint; the admin is allowed with
 * admin_override and the very same rule and reason.  The file and line of
 * the caller go into every failure message. */
static void expect_at(const char *file, int line, const struct container_spec *s, const char *rule,
                      const char *needle) {
        struct policy_verdict v;
        char reason[sizeof(v.reason)];

        ck_assert_int_eq(policy_check(cfg, &ru, &alice, s, &v), 0);
        if (!rule) {
                ck_assert_msg(v.allowed && !v.admin_override && !v.rule && !v.reason[0],
                              "%s:%d: expected allowed, got rule %s: %s", file, line, strnull(v.rule), v.reason);
                policy_verdict_done(&v);
                ck_assert_int_eq(policy_check(cfg, &ru, &alice_admin, s, &v), 0);
                ck_assert_msg(v.allowed && !v.admin_override && !v.rule, "%s:%d: admin got an override for %s", file,
                              line, strnull(v.rule));
                policy_verdict_done(&v);
                return;
        }

        ck_assert_msg(!v.allowed, "%s:%d: allowed, expected a refusal by rule '%s'", file, line, rule);
        ck_assert_msg(!v.admin_override, "%s:%d: override set for an ordinary user", file, line);
        ck_assert_msg(v.rule && streq(v.rule, rule), "%s:%d: rule '%s', expected '%s' (%s)", file, line,
                      strnull(v.rule), rule, v.reason);
        ck_assert_msg(strncmp(v.reason, "berth: ", 7) == 0, "%s:%d: reason '%s' lacks the prefix", file, line,
                      v.reason);
        size_t n = strlen(v.reason);
        ck_assert_msg(n > 7 && v.reason[n - 1] == '.', "%s:%d: reason '%s' is not one sentence", file, line, v.reason);
        ck_assert_msg(!needle || strstr(v.reason, needle), "%s:%d: reason '%s' lacks '%s'", file, line, v.reason,
                      needle);
        ck_assert_msg(v.hint[0], "%s:%d: no hint for '%s'", file, line, v.reason);
        snprintf(reason, sizeof(reason), "%s", v.reason);
        policy_verdict_done(&v);

        ck_assert_int_eq(policy_check(cfg, &ru, &alice_admin, s, &v), 0);
        ck_assert_msg(v.allowed && v.admin_override, "%s:%d: admin not allowed with an override", file, line);
        ck_assert_msg(v.rule && streq(v.rule, rule), "%s:%d: admin: rule '%s', expected '%s'", file, line,
                      strnull(v.rule), rule);
        ck_assert_msg(streq(v.reason, reason), "%s:%d: admin: reason '%s', expected '%s'", file, line, v.reason,
                      reason);
        policy_verdict_done(&v);
}
#define expect(s, rule, needle) expect_at(__FILE__, __LINE__, (s), (rule), (needle))
/* In a table: the failure names the case and its index. */
#define expect_case(label, i, s, rule, needle) expect_at((label), (int) (i), (s), (rule), (needle))

/* One strv field with one value; one string field. */
#define EXPECT_STRV(field, value, rule, needle)                                                                   \
        do {                                                                                                      \
                struct container_spec s_ = { 0 };                                                                 \
                s_.field = sv((value), NULL);                                                                     \
                expect(&s_, (rule), (needle));                                                                    \
                container_spec_done(&s_);                                                                         \
        } while (0)
#define EXPECT_STR(field, value, rule, needle)                                                                    \
        do {                                                                                                      \
                struct container_spec s_ = { 0 };                                                                 \
                s_.field = xstrdup(value);                                                                        \
                expect(&s_, (rule), (needle));                                                                    \
                container_spec_done(&s_);                                                                         \
        } while (0)

/* ---- the rules ---------------------------------------------------------- */

START_TEST(test_plain_and_arguments) {
        struct container_spec s = { .image = xstrdup("ubuntu") };
        struct policy_verdict v;

        expect(&s, NULL, NULL);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(v.gpus == 0 && !v.gpus_all && !v.gpu_devices && v.cpus == 0 && v.memory == 0 && !v.project);
        policy_verdict_done(&v);

        struct policy_identity nobody = { .user = NULL };
        ck_assert_int_eq(policy_check(NULL, &ru, &alice, &s, &v), -EINVAL);
        ck_assert_int_eq(policy_check(cfg, NULL, &alice, &s, &v), -EINVAL);
        ck_assert_int_eq(policy_check(cfg, &ru, NULL, &s, &v), -EINVAL);
        ck_assert_int_eq(policy_check(cfg, &ru, &nobody, &s, &v), -EINVAL);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, NULL, &v), -EINVAL);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, NULL), -EINVAL);
        container_spec_done(&s);
        container_spec_done(NULL);
        policy_verdict_done(NULL);
}
END_TEST

START_TEST(test_names) {
        EXPECT_STR(name, "train", NULL, NULL);
        EXPECT_STR(name, "train-2.v_1", NULL, NULL);
        EXPECT_STR(name, "train._.alice", NULL, NULL); /* the full form of one's own */
        EXPECT_STR(name, "train._.bob", "name",
                   "'train._.bob' is another user's container name; yours end in '._.alice'");
        EXPECT_STR(name, "train._.alice2", "name", "another user's");
        EXPECT_STR(name, "train._.Alice", "name", "another user's"); /* not a token berth builds */
        EXPECT_STR(name, "x._.", "name", "another user's");
        /* two suffixes: not a name berth would build, whoever's it looks like */
        EXPECT_STR(name, "a._.bob._.alice", "name", "'a._.bob._.alice'");
        EXPECT_STR(name, "-lead", "name", "is not a valid container name");
        EXPECT_STR(name, "a b", "name", "is not a valid container name");
        EXPECT_STR(name, "a/b", "name", "is not a valid container name");
        EXPECT_STR(name, "/train", "name", "is not a valid container name");
        EXPECT_STR(name, "", "name", "is not a valid container name");
        EXPECT_STR(name, "tr\xc3\xa4in", "name", "is not a valid container name");

        /* a user whose name is not a plain token: the suffix is its x__ form */
        struct policy_identity upper = { .user = "Bob", .uid = 1001, .home = "/home/Bob" };
        struct container_spec s = { .name = xstrdup("t._.x__426f62") };
        struct policy_verdict v;
        ck_assert_int_eq(policy_check(cfg, &ru, &upper, &s, &v), 0);
        ck_assert_msg(v.allowed, "%s", v.reason);
        policy_verdict_done(&v);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "name");
        policy_verdict_done(&v);
        container_spec_done(&s);
}
END_TEST

START_TEST(test_labels) {
        EXPECT_STRV(labels, "berth.user=bob", "label", "the label 'berth.user' is berth's own");
        EXPECT_STRV(labels, "BERTH.USER=bob", "label", "'BERTH.USER'");
        EXPECT_STRV(labels, " berth.gpus=GPU-1", "label", "'berth.gpus'");
        EXPECT_STRV(labels, "berth.managed", "label", "'berth.managed'"); /* a key alone */
        EXPECT_STRV(labels, "berth.gpus =", "label", "'berth.gpus'");
        EXPECT_STRV(labels, "Berth.Project=x", "label", "'Berth.Project'"); /* only the exact key */
        EXPECT_STRV(labels, "berth.projects=x", "label", "'berth.projects'");
        EXPECT_STRV(labels, "berth.project=thesis", NULL, NULL);
        EXPECT_STRV(labels, "org.example.team=vision", NULL, NULL);
        EXPECT_STRV(labels, "berthxuser=bob", NULL, NULL);
        EXPECT_STRV(labels, "mylabel", NULL, NULL);

        /* a key longer than the buffer is still recognised by its prefix */
        char long_key[400];
        memset(long_key, 'u', sizeof(long_key) - 1);
        memcpy(long_key, "berth.", 6);
        long_key[sizeof(long_key) - 1] = 0;
        EXPECT_STRV(labels, long_key, "label", "berth.uuu");

        /* berth.project is carried into the verdict, the last one counting */
        struct container_spec s = { .labels = sv("team=x", "berth.project=first", "berth.project=thesis", NULL) };
        struct policy_verdict v;
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(v.allowed);
        ck_assert_str_eq(v.project, "thesis");
        policy_verdict_done(&v);
        container_spec_done(&s);

        /* a berth.* label after a valid project still refuses */
        s.labels = sv("berth.project=thesis", "berth.uid=0", NULL);
        expect(&s, "label", "'berth.uid'");
        container_spec_done(&s);
}
END_TEST

START_TEST(test_cgroup_parent) {
        EXPECT_STR(cgroup_parent, "berth-students-bob.slice", "cgroup-parent", "--cgroup-parent is not allowed");
        EXPECT_STR(cgroup_parent, "", "cgroup-parent", NULL); /* given at all is refused */
}
END_TEST

START_TEST(test_gpus_in_verdict) {
        struct container_spec s = { .gpus = sv("2", NULL) };
        struct policy_verdict v;

        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(v.allowed && v.gpus == 2 && !v.gpus_all && !v.gpu_devices);
        policy_verdict_done(&v);
        container_spec_done(&s);

        s.gpus = sv("1", "all", NULL); /* the last one counts */
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(v.allowed && v.gpus_all);
        policy_verdict_done(&v);
        container_spec_done(&s);

        s.gpus = sv("bogus", "\"device=GPU-a,GPU-b\"", NULL);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(v.allowed && v.gpus == 0 && !v.gpus_all);
        ck_assert_uint_eq(strv_length(v.gpu_devices), 2);
        ck_assert_str_eq(v.gpu_devices[0], "GPU-a");
        ck_assert_str_eq(v.gpu_devices[1], "GPU-b");
        policy_verdict_done(&v);
        container_spec_done(&s);

        EXPECT_STRV(gpus, "count=2,device=0", "gpus",
                    "'--gpus count=2,device=0' is not a GPU request berth understands");
        EXPECT_STRV(gpus, "driver=amd", "gpus", NULL);
        EXPECT_STRV(gpus, "-1", "gpus", NULL);

        s.gpus = sv("2", "bogus", NULL);
        expect(&s, "gpus", "'--gpus bogus'");
        container_spec_done(&s);

        /* an admin's malformed request is let through to docker, which will say no itself */
        s.gpus = sv("count=x", NULL);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice_admin, &s, &v), 0);
        ck_assert(v.allowed && v.admin_override);
        ck_assert_str_eq(v.rule, "gpus");
        policy_verdict_done(&v);
        container_spec_done(&s);
}
END_TEST

START_TEST(test_parse_gpus) {
        static const struct {
                const char *value;
                double gpus;
                bool all;
                const char *devices; /* joined by ' ', NULL: none */
        } good[] = {
                { "all", 0, true, NULL },
                { "2", 2, false, NULL },
                { "0", 0, false, NULL },
                { "count=3", 3, false, NULL },
                { "count=all", 0, true, NULL },
                { "device=0", 0, false, "0" },
                { "device=GPU-1234", 0, false, "GPU-1234" },
                { "\"device=0,1\"", 0, false, "0 1" },
                { "\"device=MIG-a,GPU-b\",capabilities=compute", 0, false, "MIG-a GPU-b" },
                { "\"capabilities=compute,utility\",count=1", 1, false, NULL },
                { "driver=nvidia,count=2", 2, false, NULL },
                { "driver=,1", 1, false, NULL },
                { "capabilities=gpu", 1, false, NULL }, /* no count: one, as docker */
                { "options=x", 1, false, NULL },
                { "\"all\"", 0, true, NULL },
                { "\"device=a\"\"b\"", 0, false, "a\"b" }, /* "" is a quote inside quotes */
                { "1024", 1024, false, NULL },
        };
        static const char *const bad[] = {
                "",
                "count=2,device=0",     /* docker refuses both too */
                "device=0,1",           /* unquoted: "1" is a second field, a count beside device= */
                "device=a,b",           /* likewise, and "b" is no count */
                "device=",
                "\"device=0,,1\"",
                "unknown=1",
                "Count=1",              /* keys are case-sensitive in docker too */
                "driver=amd",
                "\"device=0,1",         /* unterminated quote */
                "\"device=0\"x",        /* text after the closing quote */
                "dev\"ice=0",           /* a quote inside an unquoted field */
                "-1",
                "count=-1",
                "1025",
                "2,3",
                "count=1,count=2",
                "device=0,device=1",
                "1,count=2",
                "2,",
                "two",
                "2 ",
                "0x2",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                double gpus = -1;
                bool all = !good[i].all;
                char **devices = NULL;
                ck_assert_msg(policy_parse_gpus(good[i].value, &gpus, &all, &devices) == 0, "'%s' refused",
                              good[i].value);
                ck_assert_msg(gpus == good[i].gpus && all == good[i].all, "'%s': gpus %g all %d", good[i].value, gpus,
                              all);
                if (!good[i].devices)
                        ck_assert_ptr_null(devices);
                else {
                        char joined[128] = "";
                        for (char **d = devices; *d; d++)
                                snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
                                         d == devices ? "" : " ", *d);
                        ck_assert_str_eq(joined, good[i].devices);
                }
                strv_free(devices);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                double gpus = 42;
                bool all = true;
                char **devices = (char **) bad; /* must stay untouched */
                ck_assert_msg(policy_parse_gpus(bad[i], &gpus, &all, &devices) == -EINVAL, "'%s' accepted", bad[i]);
                ck_assert(gpus == 42 && all && devices == (char **) bad);
        }
        double g;
        bool a;
        char **d;
        ck_assert_int_eq(policy_parse_gpus(NULL, &g, &a, &d), -EINVAL);
}
END_TEST

START_TEST(test_gpu_env) {
        static const char *const refused[] = {
                "NVIDIA_VISIBLE_DEVICES=all",
                "NVIDIA_VISIBLE_DEVICES=",
                "NVIDIA_VISIBLE_DEVICES", /* docker fills it from the caller's environment */
                "CUDA_VISIBLE_DEVICES=0",
                "  NVIDIA_VISIBLE_DEVICES=1",
                "\tCUDA_VISIBLE_DEVICES",
                "NVIDIA_VISIBLE_DEVICES =1",
                "NVIDIA_MIG_CONFIG_DEVICES=all",
                "NVIDIA_MIG_MONITOR_DEVICES=all",
                "NVIDIA_DRIVER_CAPABILITIES=all",
                "ROCR_VISIBLE_DEVICES=0",
                "HIP_VISIBLE_DEVICES=0",
                "GPU_DEVICE_ORDINAL=0",
        };
        static const char *const allowed[] = {
                "NVIDIA_VISIBLE_DEVICESX=1",
                "XNVIDIA_VISIBLE_DEVICES=1",
                "FOO=NVIDIA_VISIBLE_DEVICES",
                "FOO=NVIDIA_VISIBLE_DEVICES=0",
                "nvidia_visible_devices=0", /* another variable: names are case-sensitive */
                "NVIDIA_VISIBLE",
                "PATH=/usr/bin",
                "",
        };

        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                ck_assert_msg(policy_env_is_gpu(refused[i]), "'%s' not caught", refused[i]);
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                ck_assert_msg(!policy_env_is_gpu(allowed[i]), "'%s' caught", allowed[i]);
        ck_assert(!policy_env_is_gpu(NULL));

        EXPECT_STRV(env, "NVIDIA_VISIBLE_DEVICES=all", "gpu-env", "setting NVIDIA_VISIBLE_DEVICES is not allowed");
        EXPECT_STRV(env, "NVIDIA_VISIBLE_DEVICES", "gpu-env", "setting NVIDIA_VISIBLE_DEVICES is not allowed");
        EXPECT_STRV(env, "  CUDA_VISIBLE_DEVICES=0", "gpu-env", "setting CUDA_VISIBLE_DEVICES is not allowed");
        EXPECT_STRV(env, "NVIDIA_VISIBLE_DEVICESX=1", NULL, NULL);
        EXPECT_STRV(env, "FOO=NVIDIA_VISIBLE_DEVICES", NULL, NULL);

        struct container_spec s = { .env = sv("A=1", "B", "HIP_VISIBLE_DEVICES=1", NULL) };
        expect(&s, "gpu-env", "HIP_VISIBLE_DEVICES");
        container_spec_done(&s);
}
END_TEST

START_TEST(test_cpus_memory) {
        struct container_spec s = { .cpus_given = true, .cpus = 4 };
        struct policy_verdict v;

        expect(&s, NULL, NULL);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(v.cpus == 4);
        policy_verdict_done(&v);

        s.cpus = 0.5;
        expect(&s, NULL, NULL);
        s.cpus = 4.5;
        expect(&s, "cpus", "you asked for 4.5");
        expect(&s, "cpus", "but your slice has 4");
        s.cpus = 0;
        expect(&s, "cpus", "--cpus must be a positive number");
        s.cpus = -1;
        expect(&s, "cpus", "--cpus must be a positive number");
        s.cpus = NAN;
        expect(&s, "cpus", "--cpus must be a positive number");
        s.cpus = INFINITY;
        expect(&s, "cpus", "--cpus must be a positive number");

        /* an infinity slice takes any positive number */
        struct resolved_user big = ru;
        big.limits.cpus = CPUS_INFINITY;
        big.limits.memory = LIMIT_INFINITY;
        s.cpus = 512;
        s.memory_given = true;
        s.memory = 4096 * GIB;
        ck_assert_int_eq(policy_check(cfg, &big, &alice, &s, &v), 0);
        ck_assert_msg(v.allowed, "%s", v.reason);
        ck_assert(v.cpus == 512 && v.memory == 4096 * GIB);
        policy_verdict_done(&v);
        s.cpus = -1;
        ck_assert_int_eq(policy_check(cfg, &big, &alice, &s, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "cpus");
        policy_verdict_done(&v);
        s = (struct container_spec) { 0 };

        s.cpu_quota_given = true;
        expect(&s, "cpu-quota", "--cpu-quota, --cpu-period and real-time CPU options are not allowed");
        s = (struct container_spec) { 0 };

        s.memory_given = true;
        s.memory = 8 * GIB;
        expect(&s, NULL, NULL);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert_uint_eq(v.memory, 8 * GIB);
        policy_verdict_done(&v);
        s.memory = 8 * GIB + 1;
        expect(&s, "memory", "of memory but your slice has 8G");
        s.memory = 0;
        expect(&s, "memory", "--memory must be a size greater than zero");

        /* an admin's override still puts what they asked for into the reservation */
        s = (struct container_spec) { .cpus_given = true, .cpus = 64, .memory_given = true, .memory = 100 * GIB };
        ck_assert_int_eq(policy_check(cfg, &ru, &alice_admin, &s, &v), 0);
        ck_assert(v.allowed && v.admin_override);
        ck_assert_str_eq(v.rule, "cpus");
        ck_assert(v.cpus == 64);
        ck_assert_uint_eq(v.memory, 100 * GIB);
        policy_verdict_done(&v);
        /* but a value that is no amount at all is not passed on */
        s.cpus = -2;
        ck_assert_int_eq(policy_check(cfg, &ru, &alice_admin, &s, &v), 0);
        ck_assert(v.allowed && v.admin_override && v.cpus == 0);
        ck_assert_uint_eq(v.memory, 100 * GIB);
        policy_verdict_done(&v);

        s = (struct container_spec) { .oom_score_adj_given = true, .oom_score_adj = -500 };
        expect(&s, "oom-score-adj", "a negative --oom-score-adj");
        s.oom_score_adj = -1;
        expect(&s, "oom-score-adj", NULL);
        s.oom_score_adj = 0;
        expect(&s, NULL, NULL);
        s.oom_score_adj = 500;
        expect(&s, NULL, NULL);
}
END_TEST

START_TEST(test_privileged_and_caps) {
        struct container_spec s = { .privileged = true };
        expect(&s, "privileged", "--privileged containers are not allowed");

        /* allowed_caps = SYS_PTRACE, cap_sys_nice */
        EXPECT_STRV(cap_add, "SYS_PTRACE", NULL, NULL);
        EXPECT_STRV(cap_add, "sys_ptrace", NULL, NULL);
        EXPECT_STRV(cap_add, "CAP_SYS_PTRACE", NULL, NULL);
        EXPECT_STRV(cap_add, "cap_Sys_Ptrace", NULL, NULL);
        EXPECT_STRV(cap_add, " SYS_NICE ", NULL, NULL);
        EXPECT_STRV(cap_add, "SYS_PTRACE,CAP_SYS_NICE", NULL, NULL);
        EXPECT_STRV(cap_add, "SYS_ADMIN", "cap-add", "--cap-add SYS_ADMIN is not allowed on this machine");
        EXPECT_STRV(cap_add, "cap_sys_admin", "cap-add", "--cap-add SYS_ADMIN is not allowed");
        EXPECT_STRV(cap_add, "SYS_PTRACE,NET_ADMIN", "cap-add", "--cap-add NET_ADMIN");
        EXPECT_STRV(cap_add, "ALL", "cap-add", "--cap-add ALL");
        EXPECT_STRV(cap_add, "all", "cap-add", "--cap-add ALL");
        EXPECT_STRV(cap_add, "SYS_PTRACEX", "cap-add", NULL);
        EXPECT_STRV(cap_add, "PTRACE", "cap-add", NULL);

        s = (struct container_spec) { .cap_add = sv("SYS_NICE", "SYS_RAWIO", NULL) };
        expect(&s, "cap-add", "--cap-add SYS_RAWIO");
        container_spec_done(&s);
}
END_TEST

START_TEST(test_devices) {
        static const struct {
                const char *path, *resolved;
                enum spec_device_kind kind;
                const char *needle; /* NULL: allowed */
        } cases[] = {
                { "/dev/nvidia0", "/dev/nvidia0", SPEC_DEVICE_CHAR, "--device /dev/nvidia0 is a GPU device" },
                { "/dev/nvidiactl", "/dev/nvidiactl", SPEC_DEVICE_CHAR, "is a GPU device" },
                { "/dev/nvidia-uvm", "/dev/nvidia-uvm", SPEC_DEVICE_CHAR, "is a GPU device" },
                { "/dev/nvidia-caps/nvidia-cap1", "/dev/nvidia-caps/nvidia-cap1", SPEC_DEVICE_CHAR, "is a GPU device" },
                { "/dev/dri/card0", "/dev/dri/card0", SPEC_DEVICE_CHAR, "is a GPU device" },
                { "/dev/dri/renderD128", "/dev/dri/renderD128", SPEC_DEVICE_CHAR, "is a GPU device" },
                { "/dev/dri", "/dev/dri", SPEC_DEVICE_NOT_DEVICE, "is a GPU device" },
                { "/dev/kfd", "/dev/kfd", SPEC_DEVICE_CHAR, "is a GPU device" },
                { "/dev/accel/accel0", "/dev/accel/accel0", SPEC_DEVICE_CHAR, "is a GPU device" },
                /* a symlink (or a path with ..) the caller resolved to a GPU */
                { "/home/alice/gpu", "/dev/nvidia1", SPEC_DEVICE_CHAR, "--device /home/alice/gpu is a GPU device" },
                { "/dev/../dev/nvidia0", "/dev/nvidia0", SPEC_DEVICE_CHAR, "is a GPU device" },
                /* named as a GPU even if resolution says otherwise */
                { "/dev/nvidia0", "/dev/null", SPEC_DEVICE_CHAR, "is a GPU device" },
                { "/dev/sda", "/dev/sda", SPEC_DEVICE_BLOCK, "--device /dev/sda is not allowed: it is a block device" },
                { "/dev/disk/by-id/x", "/dev/nvme0n1", SPEC_DEVICE_BLOCK, "is a block device" },
                { "/dev/nope", NULL, SPEC_DEVICE_MISSING, "--device /dev/nope is not allowed: it does not exist" },
                { "/etc/passwd", "/etc/passwd", SPEC_DEVICE_NOT_DEVICE, "it is not a device" },
                { "/dev/mem", "/dev/mem", SPEC_DEVICE_CHAR, "it gives access to the host's memory or kernel" },
                { "/dev/kmem", "/dev/kmem", SPEC_DEVICE_CHAR, "memory or kernel" },
                { "/dev/port", "/dev/port", SPEC_DEVICE_CHAR, "memory or kernel" },
                { "/dev/kmsg", "/dev/kmsg", SPEC_DEVICE_CHAR, "memory or kernel" },
                { "/dev/cpu/0/msr", "/dev/cpu/0/msr", SPEC_DEVICE_CHAR, "memory or kernel" },
                { "/home/alice/m", "/dev/mem", SPEC_DEVICE_CHAR, "--device /home/alice/m is not allowed" },
                { "/dev/fuse", "/dev/fuse", SPEC_DEVICE_CHAR, NULL },
                { "/dev/net/tun", "/dev/net/tun", SPEC_DEVICE_CHAR, NULL },
                /* char devices that are not on the allow list: raw disks
                 * through SCSI generic / NVMe generic, the watchdog, input */
                { "/dev/memory_bandwidth", "/dev/memory_bandwidth", SPEC_DEVICE_CHAR, "allowed_devices" },
                { "/dev/sg0", "/dev/sg0", SPEC_DEVICE_CHAR, "allowed_devices" },
                { "/dev/ng0n1", "/dev/ng0n1", SPEC_DEVICE_CHAR, "allowed_devices" },
                { "/dev/watchdog", "/dev/watchdog", SPEC_DEVICE_CHAR, "allowed_devices" },
                { "/dev/uinput", "/dev/uinput", SPEC_DEVICE_CHAR, "allowed_devices" },
                { "/home/alice/sg", "/dev/bsg/0:0:0:0", SPEC_DEVICE_CHAR, "allowed_devices" },
                { "/home/alice/tun", "/dev/net/tun", SPEC_DEVICE_CHAR, NULL },
                /* a character device node made outside /dev */
                { "/home/alice/null", "/home/alice/null", SPEC_DEVICE_CHAR, "it is not under /dev" },
                { "/dev/fuse", NULL, SPEC_DEVICE_CHAR, "it could not be checked" },
                { "/dev/fuse", "/dev/fuse", SPEC_DEVICE_UNKNOWN, "it could not be checked" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct container_spec s = { 0 };
                add_device(&s, cases[i].path, cases[i].resolved, cases[i].kind);
                expect_case(cases[i].path, i, &s, cases[i].needle ? "device" : NULL, cases[i].needle);
                container_spec_done(&s);
        }

        /* one bad device among good ones */
        struct container_spec s = { 0 };
        add_device(&s, "/dev/fuse", "/dev/fuse", SPEC_DEVICE_CHAR);
        add_device(&s, "/dev/nvidia3", "/dev/nvidia3", SPEC_DEVICE_CHAR);
        expect(&s, "device", "/dev/nvidia3");
        container_spec_done(&s);

        EXPECT_STRV(device_cgroup_rules, "c 195:* rwm", "device", "--device-cgroup-rule is not allowed");
        s = (struct container_spec) { .device_cgroup_rules = calloc(1, sizeof(char *)) }; /* given, empty */
        ck_assert_ptr_nonnull(s.device_cgroup_rules);
        expect(&s, NULL, NULL);
        container_spec_done(&s);
}
END_TEST

START_TEST(test_namespaces) {
        EXPECT_STR(pid, "host", "host-namespace", "--pid=host shares the host's namespace and is not allowed");
        EXPECT_STR(pid, "HOST", "host-namespace", "--pid=host");
        EXPECT_STR(ipc, "host", "host-namespace", "--ipc=host");
        EXPECT_STR(uts, "host", "host-namespace", "--uts=host");
        EXPECT_STR(userns, "host", "host-namespace", "--userns=host");
        EXPECT_STR(cgroupns, "Host", "host-namespace", "--cgroupns=host");
        EXPECT_STR(ipc, "shareable", NULL, NULL);
        EXPECT_STR(ipc, "private", NULL, NULL);
        EXPECT_STR(cgroupns, "private", NULL, NULL);
        EXPECT_STR(pid, "container:train._.alice", NULL, NULL); /* the reference itself is a spec_ref */
        EXPECT_STR(uts, "hostx", NULL, NULL);

        EXPECT_STRV(networks, "host", "host-network", "--network host is not allowed on this machine");
        EXPECT_STRV(networks, "HOST", "host-network", NULL);
        EXPECT_STRV(networks, "bridge", NULL, NULL);
        EXPECT_STRV(networks, "none", NULL, NULL);
        EXPECT_STRV(networks, "mynet", NULL, NULL);
        struct container_spec s = { .networks = sv("mynet", "host", NULL) };
        expect(&s, "host-network", NULL);

        cfg->allow_host_network = true;
        expect(&s, NULL, NULL);
        cfg->allow_host_network = false;
        container_spec_done(&s);
}
END_TEST

START_TEST(test_container_refs) {
        static const struct {
                bool resolved, exists, managed;
                const char *owner;
                const char *needle; /* NULL: allowed */
        } cases[] = {
                { false, false, false, NULL, "--volumes-from db is not allowed: that container could not be checked" },
                { true, false, false, NULL, "--volumes-from db is not allowed: that container does not exist" },
                { true, true, false, NULL, "that container is not a berth container" },
                { true, true, false, "alice", "that container is not a berth container" }, /* label without managed */
                { true, true, true, NULL, "that container is not a berth container" },
                { true, true, true, "bob", "--volumes-from db is not allowed: that container belongs to another user" },
                { true, true, true, "alice2", "belongs to another user" },
                { true, true, true, "alice", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct container_spec s = { 0 };
                add_ref(&s, "--volumes-from", "db", cases[i].resolved, cases[i].exists, cases[i].managed,
                        cases[i].owner);
                expect_case("ref", i, &s, cases[i].needle ? "container-ref" : NULL, cases[i].needle);
                container_spec_done(&s);
        }

        struct container_spec s = { 0 };
        add_ref(&s, "--network", "train._.alice", true, true, true, "alice");
        add_ref(&s, "--pid", "web._.bob", true, true, true, "bob");
        expect(&s, "container-ref", "--pid web._.bob is not allowed");
        container_spec_done(&s);
}
END_TEST

START_TEST(test_binds) {
        /* allowed_binds = ~ /data; alice's home is /home/alice */
        static const struct {
                const char *source, *resolved;
                const char *needle; /* NULL: allowed */
        } cases[] = {
                { "/data/x", "/data/x", NULL },
                { "/data", "/data", NULL },
                { "/data/", "/data/", NULL },
                { "/home/alice", "/home/alice", NULL },
                { "/home/alice/proj", "/home/alice/proj", NULL },
                { "./proj", "/home/alice/proj", NULL },
                { "/data2", "/data2",
                  "binding /data2 is not allowed: only paths under the allowed binds may be mounted" },
                { "/datax/y", "/datax/y", "binding /datax/y is not allowed" },
                { "/data/../etc", "/data/../etc", "binding /data/../etc is not allowed" },
                { "/home/alicex", "/home/alicex", "binding /home/alicex" },
                { "/home/bob", "/home/bob", "binding /home/bob" },
                { "/home", "/home", "binding /home" },
                { "/", "/", "binding / is not allowed" },
                { "/etc", "/etc", "binding /etc is not allowed" },
                { "/var/run/docker.sock", "/run/docker.sock",
                  "binding /var/run/docker.sock (which is /run/docker.sock)" },
                /* a symlink in an allowed place pointing out of it */
                { "/home/alice/etc", "/etc", "binding /home/alice/etc (which is /etc) is not allowed" },
                { "/data/../data/x", "/data/x", NULL },
                { "relative", "relative", "binding relative is not allowed" }, /* never an allowed absolute path */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct container_spec s = { 0 };
                add_bind(&s, cases[i].source, cases[i].resolved);
                expect_case(cases[i].source, i, &s, cases[i].needle ? "bind" : NULL, cases[i].needle);
                container_spec_done(&s);
        }

        struct container_spec s = { 0 };
        add_bind(&s, "/home/alice/gone", NULL);
        expect(&s, "bind", "-v /home/alice/gone could not be checked");
        container_spec_done(&s);

        /* home "~" means the caller's own home, not the admin's */
        struct policy_identity carol = { .user = "carol", .uid = 1002, .home = "/home/carol" };
        struct policy_verdict v;
        add_bind(&s, "/home/alice/x", "/home/alice/x");
        ck_assert_int_eq(policy_check(cfg, &ru, &carol, &s, &v), 0);
        ck_assert(!v.allowed);
        ck_assert_str_eq(v.rule, "bind");
        policy_verdict_done(&v);
        /* and with no home at all, "~" allows nothing */
        carol.home = NULL;
        container_spec_done(&s);
        add_bind(&s, "/home/carol/x", "/home/carol/x");
        ck_assert_int_eq(policy_check(cfg, &ru, &carol, &s, &v), 0);
        ck_assert(!v.allowed);
        policy_verdict_done(&v);
        container_spec_done(&s);

        /* volumes: plain or anonymous are fine, a local-driver bind is checked like a bind */
        add_volume(&s, "cache", NULL);
        add_volume(&s, NULL, NULL);
        expect(&s, NULL, NULL);
        container_spec_done(&s);

        add_volume(&s, "etc", sv("type=none", "o=bind", "device=/etc", NULL));
        expect(&s, "bind", "the volume etc points at host path /etc, which is outside the allowed binds");
        container_spec_done(&s);
        add_volume(&s, "sneaky", sv("device=/data/../etc", NULL));
        expect(&s, "bind", "host path /data/../etc");
        container_spec_done(&s);
        add_volume(&s, NULL, sv("device", NULL));
        expect(&s, "bind", "the volume (anonymous) points at host path ,");
        container_spec_done(&s);
        add_volume(&s, "nfs", sv("type=nfs", "o=addr=10.0.0.1", "device=:/export", NULL));
        expect(&s, "bind", "host path :/export");
        container_spec_done(&s);
        add_volume(&s, "ok", sv("type=none", "o=bind", "device=/data/x", NULL));
        add_volume(&s, "mine", sv("device=/home/alice/v", NULL));
        add_volume(&s, "cache", NULL);
        expect(&s, NULL, NULL);
        container_spec_done(&s);

        new_mount(&s, SPEC_MOUNT_TMPFS, "--tmpfs");
        expect(&s, NULL, NULL);
        container_spec_done(&s);

        struct spec_mount *m = new_mount(&s, SPEC_MOUNT_OTHER, "--mount");
        m->type = xstrdup("npipe");
        expect(&s, "mount-type", "--mount type=npipe is not allowed");
        container_spec_done(&s);
        m = new_mount(&s, SPEC_MOUNT_OTHER, NULL);
        m->type = xstrdup("image");
        expect(&s, "mount-type", "--mount type=image");
        container_spec_done(&s);

        /* several mounts: the first bad one is named */
        add_bind(&s, "/data/a", "/data/a");
        add_bind(&s, "/srv", "/srv");
        add_bind(&s, "/opt", "/opt");
        expect(&s, "bind", "binding /srv");
        container_spec_done(&s);
}
END_TEST

START_TEST(test_security_opts_runtime) {
        EXPECT_STRV(security_opts, "no-new-privileges", NULL, NULL);
        EXPECT_STRV(security_opts, "no-new-privileges=true", NULL, NULL);
        EXPECT_STRV(security_opts, "no-new-privileges:true", NULL, NULL);
        EXPECT_STRV(security_opts, "no-new-privileges=false", "security-opt", "no-new-privileges=false");
        EXPECT_STRV(security_opts, "seccomp=unconfined", "security-opt",
                    "--security-opt seccomp=unconfined is not allowed: it weakens the container's confinement");
        EXPECT_STRV(security_opts, "seccomp:unconfined", "security-opt", NULL);
        EXPECT_STRV(security_opts, "seccomp=/home/alice/profile.json", "security-opt", NULL);
        EXPECT_STRV(security_opts, "apparmor=unconfined", "security-opt", "apparmor=unconfined");
        EXPECT_STRV(security_opts, "label=disable", "security-opt", "label=disable");
        EXPECT_STRV(security_opts, "label:type:spc_t", "security-opt", NULL);
        EXPECT_STRV(security_opts, "systempaths=unconfined", "security-opt", NULL);
        struct container_spec s = { .security_opts = sv("no-new-privileges", "apparmor=unconfined", NULL) };
        expect(&s, "security-opt", "apparmor=unconfined");
        container_spec_done(&s);

        /* allowed_runtimes is runc and nvidia by default */
        EXPECT_STR(runtime, "runc", NULL, NULL);
        EXPECT_STR(runtime, "nvidia", NULL, NULL);
        EXPECT_STR(runtime, "", NULL, NULL);
        EXPECT_STR(runtime, "kata", "runtime", "--runtime kata is not allowed on this machine");
        EXPECT_STR(runtime, "RUNC", "runtime", NULL);
        EXPECT_STR(runtime, "io.containerd.runc.v2", "runtime", NULL);
}
END_TEST

START_TEST(test_publish) {
        static const struct {
                const char *spec;
                const char *needle; /* NULL: allowed */
        } cases[] = {
                { "80:80", "host port 80 is a system port and may not be taken by a container" },
                { "8080:80", NULL },
                { "1024:80", NULL },
                { "1023:80", "host port 1023" },
                { "80", NULL },     /* Docker picks the host port */
                { "80/udp", NULL },
                { "53:53/udp", "host port 53" },
                { "127.0.0.1:22:22", "host port 22" },
                { "127.0.0.1:2222:22/tcp", NULL },
                { "127.0.0.1::80", NULL },
                { "0.0.0.0:443:443", "host port 443" },
                { "[::1]:443:443", "host port 443" },
                { "[::1]:8443:443", NULL },
                { "[::1]::443", NULL },
                /* an IPv6 address without brackets: Docker takes the field before the last ':' */
                { "::1:80:80", "host port 80" },
                { "fe80::1:8080:80", NULL },
                { "1000-1100:80", "host port 1000" },
                { "2000-2100:80", NULL },
                { "8000-8010:8000-8010", NULL },
                { "0:80", NULL },   /* port 0: ephemeral */
                { "0-80:80", "host port 1 is a system port" }, /* any port of 0..80 may be handed out */
                /* the long form the docker CLI rewrites to host:container */
                { "published=80,target=8080", "host port 80" },
                { "target=80,published=443,protocol=tcp", "host port 443" },
                { "published=8080,target=80", NULL },
                { "target=80", NULL },
                { "published=,target=80", NULL },
                { "published=80,published=8080,target=80", NULL }, /* the last one counts, as in the CLI */
                /* what Docker would not take either is not guessed at */
                { "http:80", "-p http:80 is not a port mapping berth understands" },
                { "+80:80", "is not a port mapping berth understands" },
                { " 80:80", "is not a port mapping" },
                { "80-:80", "is not a port mapping" },
                { "90-80:80", "is not a port mapping" },
                { "70000:80", "is not a port mapping" },
                { "99999999999999999999:80", "is not a port mapping" },
                { "=80,target=80", "is not a port mapping" },
                { "published=80x,target=80", "is not a port mapping" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct container_spec s = { .publish = sv(cases[i].spec, NULL) };
                expect_case(cases[i].spec, i, &s, cases[i].needle ? "publish" : NULL, cases[i].needle);
                container_spec_done(&s);
        }

        struct container_spec s = { .publish = sv("8080:80", "8443:443", "25:25", NULL) };
        expect(&s, "publish", "host port 25");
        container_spec_done(&s);
}
END_TEST

/* The order of the rules and the admin's audit trail over several refusals. */
START_TEST(test_first_refusal_and_override) {
        struct container_spec s = { .privileged = true, .pid = xstrdup("host"), .gpus = sv("2", NULL),
                                    .cpus_given = true, .cpus = 2, .labels = sv("berth.project=p", NULL) };
        struct policy_verdict v;

        add_bind(&s, "/etc", "/etc");
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert(!v.allowed && !v.admin_override);
        ck_assert_str_eq(v.rule, "privileged");
        ck_assert_str_eq(v.project, "p"); /* gathered before the refusal */
        policy_verdict_done(&v);

        /* the admin: the first rule is what the audit says, and every
         * reservation value is still worked out */
        ck_assert_int_eq(policy_check(cfg, &ru, &alice_admin, &s, &v), 0);
        ck_assert(v.allowed && v.admin_override);
        ck_assert_str_eq(v.rule, "privileged");
        ck_assert_ptr_nonnull(strstr(v.reason, "--privileged"));
        ck_assert(v.hint[0]);
        ck_assert(v.gpus == 2 && v.cpus == 2);
        ck_assert_str_eq(v.project, "p");
        policy_verdict_done(&v);
        container_spec_done(&s);

        /* an allowed spec: the admin gets no override either */
        s = (struct container_spec) { .name = xstrdup("train"), .gpus = sv("1", NULL) };
        ck_assert_int_eq(policy_check(cfg, &ru, &alice_admin, &s, &v), 0);
        ck_assert(v.allowed && !v.admin_override && !v.rule && !v.reason[0] && !v.hint[0] && v.gpus == 1);
        policy_verdict_done(&v);
        container_spec_done(&s);
}
END_TEST

/* ---- the helpers -------------------------------------------------------- */

START_TEST(test_path_normalize) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "/", "/" },
                { "//", "/" },
                { "/a//b", "/a/b" },
                { "/a/./b", "/a/b" },
                { "/a/b/", "/a/b" },
                { "/a/b/.", "/a/b" },
                { "/a/b/..", "/a" },
                { "/a/../b", "/b" },
                { "/a/../../b", "/b" },
                { "/../../..", "/" },
                { "/..", "/" },
                { "/./.", "/" },
                { "/data/../etc/passwd", "/etc/passwd" },
                { "/a/.../b", "/a/.../b" },
                { "/a/..b/c", "/a/..b/c" },
                { "/a/.b", "/a/.b" },
                { "///a///b///", "/a/b" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *out = NULL;
                ck_assert_msg(path_normalize(cases[i].in, &out) == 0, "%s", cases[i].in);
                ck_assert_msg(streq(out, cases[i].out), "%s -> %s, expected %s", cases[i].in, out, cases[i].out);
                free(out);
        }
        char *out = (char *) "untouched";
        ck_assert_int_eq(path_normalize("relative/x", &out), -EINVAL);
        ck_assert_int_eq(path_normalize("", &out), -EINVAL);
        ck_assert_int_eq(path_normalize("./x", &out), -EINVAL);
        ck_assert_int_eq(path_normalize("~/x", &out), -EINVAL);
        ck_assert_int_eq(path_normalize(NULL, &out), -EINVAL);
        ck_assert_str_eq(out, "untouched");
}
END_TEST

START_TEST(test_bind_allowed) {
        char *binds[] = { (char *) "~", (char *) "/data/", (char *) "/srv//shared/.", NULL };
        char *root[] = { (char *) "/", NULL };
        char *home_sub[] = { (char *) "~/public", NULL };
        char *only_tilde[] = { (char *) "~", NULL };
        char *odd[] = { (char *) "~bob", (char *) "relative", (char *) "~/../etc", NULL };

        ck_assert(policy_bind_allowed(binds, "/home/alice", "/home/alice"));
        ck_assert(policy_bind_allowed(binds, "/home/alice", "/home/alice/a/b"));
        ck_assert(policy_bind_allowed(binds, "/home/alice/", "/home/alice/a"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", "/home/alicex"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", "/home/alice/../bob"));
        ck_assert(policy_bind_allowed(binds, "/home/alice", "/data"));
        ck_assert(policy_bind_allowed(binds, "/home/alice", "/data//x/"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", "/data2"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", "/dat"));
        ck_assert(policy_bind_allowed(binds, "/home/alice", "/srv/shared/x"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", "/srv"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", "/"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", "relative"));
        ck_assert(!policy_bind_allowed(binds, "/home/alice", NULL));

        /* "/" allows every absolute path, never a relative one */
        ck_assert(policy_bind_allowed(root, NULL, "/"));
        ck_assert(policy_bind_allowed(root, NULL, "/etc/shadow"));
        ck_assert(!policy_bind_allowed(root, NULL, "etc"));

        /* "~" with no (or no absolute) home allows nothing */
        ck_assert(!policy_bind_allowed(only_tilde, NULL, "/home/alice"));
        ck_assert(!policy_bind_allowed(only_tilde, "", "/"));
        ck_assert(!policy_bind_allowed(only_tilde, "home/alice", "/home/alice"));
        ck_assert(!policy_bind_allowed(only_tilde, NULL, "/"));
        ck_assert(policy_bind_allowed(only_tilde, "/", "/etc")); /* a user whose home is / */

        ck_assert(policy_bind_allowed(home_sub, "/home/alice", "/home/alice/public/x"));
        ck_assert(!policy_bind_allowed(home_sub, "/home/alice", "/home/alice"));
        ck_assert(!policy_bind_allowed(home_sub, NULL, "/public"));

        /* entries the config loader would refuse never match by accident */
        ck_assert(!policy_bind_allowed(odd, "/home/alice", "/home/alice"));
        ck_assert(!policy_bind_allowed(odd, "/home/alice", "/relative"));
        ck_assert(!policy_bind_allowed(odd, "/home/alice", "/home/bob"));
        ck_assert(policy_bind_allowed(odd, "/home/alice", "/home/etc")); /* ~/../etc folds to /home/etc */
        ck_assert(!policy_bind_allowed(NULL, "/home/alice", "/home/alice"));
}
END_TEST

/* A tree with symlinks for path_resolve_host, made once in the parent
 * process (an unchecked fixture) so that it is removed even when a test
 * fails in its child. */
static char tree[PATH_MAX];      /* as created, under /tmp */
static char tree_real[PATH_MAX]; /* with the symlinks of /tmp itself resolved */

static void tree_make(const char *rel, const char *link_target) {
        char p[PATH_MAX + 64];
        snprintf(p, sizeof(p), "%s/%s", tree, rel);
        if (link_target)
                ck_assert_int_eq(symlink(link_target, p), 0);
        else
                ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void setup_tree(void) {
        snprintf(tree, sizeof(tree), "/tmp/berth-unit-policy.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tree));
        ck_assert_ptr_nonnull(realpath(tree, tree_real));
        tree_make("home", NULL);
        tree_make("home/sub", NULL);
        tree_make("home/sub/deeper", NULL);
        tree_make("home/etc", "/etc");          /* absolute, out of the tree */
        tree_make("home/rel", "sub/deeper");    /* relative, inside */
        tree_make("home/up", "..");             /* relative, out of home */
        tree_make("home/dangling", "nowhere");
        tree_make("home/loop", "loop");
        tree_make("home/sublink", "sub/deeper"); /* for ".." after a symlink */
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void teardown_tree(void) {
        if (tree[0])
                ck_assert_int_eq(nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        tree[0] = 0;
}

/* path (relative to the tree's home unless absolute, cwd the tree's home)
 * resolves to expected (relative to the real tree unless absolute; "" is
 * the real tree itself). */
static void expect_resolved_at(int line, const char *path, const char *expected) {
        char home[PATH_MAX + 8], in[2 * PATH_MAX], want[2 * PATH_MAX];
        char *out = NULL;

        snprintf(home, sizeof(home), "%s/home", tree);
        if (path[0] == '/')
                snprintf(in, sizeof(in), "%s", path);
        else
                snprintf(in, sizeof(in), "%s/%s", home, path);
        if (expected[0] == '/')
                snprintf(want, sizeof(want), "%s", expected);
        else if (!expected[0])
                snprintf(want, sizeof(want), "%s", tree_real);
        else
                snprintf(want, sizeof(want), "%s/%s", tree_real, expected);

        int r = path_resolve_host(in, NULL, &out);
        ck_assert_msg(r == 0, "line %d: %s: %s", line, in, strerror(-r));
        ck_assert_msg(streq(out, want), "line %d: %s -> %s, expected %s", line, in, out, want);
        free(out);

        /* the same, relative to the cwd */
        if (path[0] != '/') {
                r = path_resolve_host(path, home, &out);
                ck_assert_msg(r == 0, "line %d: %s in %s: %s", line, path, home, strerror(-r));
                ck_assert_msg(streq(out, want), "line %d: %s in %s -> %s, expected %s", line, path, home, out, want);
                free(out);
        }
}
#define expect_resolved(path, expected) expect_resolved_at(__LINE__, (path), (expected))

START_TEST(test_resolve_host) {
        expect_resolved("sub", "home/sub");
        expect_resolved("sub/", "home/sub");
        expect_resolved(".", "home");
        expect_resolved("./sub/./deeper", "home/sub/deeper");
        expect_resolved("etc", "/etc");
        expect_resolved("etc/passwd", "/etc/passwd");
        expect_resolved("etc/no/such/thing", "/etc/no/such/thing"); /* the missing tail is appended */
        expect_resolved("rel", "home/sub/deeper");
        expect_resolved("up", "");
        expect_resolved("up/home/etc", "/etc");
        expect_resolved("missing", "home/missing");
        expect_resolved("missing/a/b", "home/missing/a/b");
        expect_resolved("sub/missing/x", "home/sub/missing/x");
        /* a dangling link is missing as a whole: Docker fails to create it */
        expect_resolved("dangling/x", "home/dangling/x");
        /* ".." is folded as text first, the way Docker cleans a bind source:
         * a missing component before it must not hide the symlink after it */
        expect_resolved("missing/../etc", "/etc");
        expect_resolved("missing/../etc/x", "/etc/x");
        expect_resolved("a/b/../../rel", "home/sub/deeper");
        /* ... and so is ".." after a symlink: Docker mounts home/x, not the link's parent */
        expect_resolved("sublink/../etc", "/etc");
        expect_resolved("sublink/..", "home");
        expect_resolved("../../../../../../..", "/");
        expect_resolved("/", "/");
        expect_resolved("//etc//", "/etc");

        char *out = (char *) "untouched";
        char home[PATH_MAX + 8], loop[PATH_MAX + 16];
        snprintf(home, sizeof(home), "%s/home", tree);
        snprintf(loop, sizeof(loop), "%s/loop/x", home);
        ck_assert_int_eq(path_resolve_host(loop, NULL, &out), -ELOOP);
        ck_assert_int_eq(path_resolve_host("", home, &out), -EINVAL);
        ck_assert_int_eq(path_resolve_host(NULL, home, &out), -EINVAL);
        ck_assert_int_eq(path_resolve_host("sub", NULL, &out), -EINVAL);
        ck_assert_int_eq(path_resolve_host("sub", "relative/cwd", &out), -EINVAL);
        ck_assert_str_eq(out, "untouched");
        /* "~" is no home to Docker: a relative path like any other */
        ck_assert_int_eq(path_resolve_host("~/x", home, &out), 0);
        char want[PATH_MAX + 16];
        snprintf(want, sizeof(want), "%s/home/~/x", tree_real);
        ck_assert_str_eq(out, want);
        free(out);
}
END_TEST

/* End to end as the wrapper does it: resolve, then ask the policy. */
START_TEST(test_resolve_then_check) {
        struct policy_identity me = { .user = "alice", .uid = 1000 };
        char home[PATH_MAX + 8], src[PATH_MAX + 64];
        snprintf(home, sizeof(home), "%s/home", tree_real);
        me.home = home;

        static const struct {
                const char *rel;
                bool allowed;
        } cases[] = {
                { "sub/deeper", true },   { "rel", true },          { "missing/new", true },
                { "etc", false },         { "up", false },          { "missing/../etc", false },
                { "sublink/../etc", false }, { "a/../../..", false }, { "sublink/../sub", true },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct container_spec s = { 0 };
                struct policy_verdict v;
                char *resolved = NULL;
                snprintf(src, sizeof(src), "%s/home/%s", tree, cases[i].rel);
                ck_assert_int_eq(path_resolve_host(src, NULL, &resolved), 0);
                add_bind(&s, src, resolved);
                free(resolved);
                ck_assert_int_eq(policy_check(cfg, &ru, &me, &s, &v), 0);
                ck_assert_msg(v.allowed == cases[i].allowed, "%s: %s", cases[i].rel, v.allowed ? "allowed" : v.reason);
                if (!v.allowed)
                        ck_assert_str_eq(v.rule, "bind");
                policy_verdict_done(&v);
                container_spec_done(&s);
        }
}
END_TEST

/* What a verdict puts into a reserve request's spec. */
START_TEST(test_reserve_spec) {
        char *dev[] = { (char *) "GPU-a", (char *) "MIG-b", NULL };
        struct {
                struct policy_verdict v;
                const char *expect;
        } cases[] = {
                { { .gpus = 0 }, "{}" },
                { { .gpus = 2 }, "{\"gpus\": 2.0}" },
                { { .gpus_all = true }, "{\"gpus\": \"all\"}" },
                { { .gpu_devices = dev }, "{\"gpus\": \"device=GPU-a,MIG-b\"}" },
                { { .gpu_devices = dev + 1, .cpus = 1.5, .memory = 1024 },
                  "{\"gpus\": \"device=MIG-b\", \"cpus\": 1.5, \"memory\": 1024}" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *spec = json_object();
                ck_assert_int_eq(policy_verdict_reserve_spec(&cases[i].v, spec), 0);
                char *got = json_dumps(spec, JSON_PRESERVE_ORDER);
                ck_assert_str_eq(got, cases[i].expect);
                free(got);
                json_decref(spec);
        }
}
END_TEST

Suite *policy_suite(void) {
        Suite *s = suite_create("policy");
        TCase *tc = tcase_create("rules");
        tcase_add_checked_fixture(tc, setup_config, teardown_config);
        tcase_add_test(tc, test_plain_and_arguments);
        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_labels);
        tcase_add_test(tc, test_cgroup_parent);
        tcase_add_test(tc, test_gpus_in_verdict);
        tcase_add_test(tc, test_gpu_env);
        tcase_add_test(tc, test_cpus_memory);
        tcase_add_test(tc, test_privileged_and_caps);
        tcase_add_test(tc, test_devices);
        tcase_add_test(tc, test_namespaces);
        tcase_add_test(tc, test_container_refs);
        tcase_add_test(tc, test_binds);
        tcase_add_test(tc, test_security_opts_runtime);
        tcase_add_test(tc, test_publish);
        tcase_add_test(tc, test_first_refusal_and_override);
        suite_add_tcase(s, tc);

        tc = tcase_create("helpers");
        tcase_add_test(tc, test_parse_gpus);
        tcase_add_test(tc, test_reserve_spec);
        tcase_add_test(tc, test_path_normalize);
        tcase_add_test(tc, test_bind_allowed);
        suite_add_tcase(s, tc);

        tc = tcase_create("resolve");
        tcase_add_unchecked_fixture(tc, setup_tree, teardown_tree);
        tcase_add_checked_fixture(tc, setup_config, teardown_config);
        tcase_add_test(tc, test_resolve_host);
        tcase_add_test(tc, test_resolve_then_check);
        suite_add_tcase(s, tc);
        return s;
}
