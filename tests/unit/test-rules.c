/* SPDX-License-Identifier: MIT */
/* The rules that every front end shares, one function each (issue "One rule,
 * one place"): each is tested here once, the way its callers use it. */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>

#include "basic/cpulist.h"
#include "basic/fileio.h"
#include "basic/suggest.h"
#include "basic/util.h"
#include "core/config.h"
#include "core/identity.h"
#include "core/limits.h"
#include "core/names.h"
#include "core/proto.h"
#include "policy/dockercli-spec.h"
#include "policy/dockercli-tables.h"
#include "policy/dockercli.h"
#include "policy/policy.h"
#include "system/cgroup.h"

/* ---- the container name a user types ------------------------------------- */

START_TEST(test_name_typed) {
        char *s = NULL;

        ck_assert_int_eq(name_container_typed("train", "alice", &s), 0);
        ck_assert_str_eq(s, "train._.alice");
        free(s);
        /* the user's own full name is taken as it is, with or without '/' */
        ck_assert_int_eq(name_container_typed("train._.alice", "alice", &s), 0);
        ck_assert_str_eq(s, "train._.alice");
        free(s);
        ck_assert_int_eq(name_container_typed("/train._.alice", "alice", &s), 0);
        ck_assert_str_eq(s, "train._.alice");
        free(s);
        /* an LDAP-style user name is encoded the same way on both paths */
        ck_assert_int_eq(name_container_typed("x", "Jean@Lab", &s), 0);
        char *again = NULL;
        ck_assert_int_eq(name_container_typed(s, "Jean@Lab", &again), 0);
        ck_assert_str_eq(s, again);
        free(again);
        free(s);

        s = NULL;
        ck_assert_int_eq(name_container_typed("train._.bob", "alice", &s), -EPERM);
        ck_assert_int_eq(name_container_typed("train._.", "alice", &s), -EPERM);
        ck_assert_int_eq(name_container_typed("-bad", "alice", &s), -EINVAL);
        ck_assert_int_eq(name_container_typed("a b", "alice", &s), -EINVAL);
        ck_assert_int_eq(name_container_typed(NULL, "alice", &s), -EINVAL);
        ck_assert_ptr_null(s);
}
END_TEST

/* ---- who is an admin ------------------------------------------------------- */

START_TEST(test_admin_rule) {
        gid_t gids[] = { 100, 27, 1500 };

        ck_assert(identity_admin_rule(0, NULL, 0, false, 0, (gid_t) -1)); /* root, whatever the groups */
        ck_assert(identity_admin_rule(1000, gids, 3, true, 1500, (gid_t) -1));  /* by NSS membership */
        ck_assert(!identity_admin_rule(1000, gids, 3, true, 1600, (gid_t) -1)); /* not a member */
        ck_assert(identity_admin_rule(1000, gids, 3, true, 1600, 1600));        /* by the gid it runs with */
        ck_assert(!identity_admin_rule(1000, gids, 3, false, 1500, 1500));      /* no such group: nobody */
        ck_assert(!identity_admin_rule(1000, NULL, 0, true, 1500, (gid_t) -1));
        /* through NSS: root is an admin, an unknown group makes nobody else one */
        ck_assert(identity_is_admin("berth-no-such-group", 0, "root", 0, (gid_t) -1));
        ck_assert(!identity_is_admin("berth-no-such-group", 65534, "nobody", 65534, (gid_t) -1));
        ck_assert(!identity_is_admin(NULL, 65534, "nobody", 65534, (gid_t) -1));
        /* root's primary group is a group root is in */
        ck_assert(identity_is_admin("root", 4242, "root", 0, (gid_t) -1));
}
END_TEST

/* ---- limits for people and scripts ----------------------------------------- */

START_TEST(test_limits_encoders) {
        struct limits l = {
                .cpus = CPUS_INFINITY,
                .memory = 32ULL << 30,
                .memory_high = LIMIT_INFINITY,
                .tasks = 4096,
                .gpus = INFINITY,
                .gpus_per_container = 3.0 / 7,
                .containers = LIMIT_INFINITY,
                .container_cpus = 0.5,
                .container_memory = 16ULL << 30,
                .idle_timeout_usec = 2ULL * 3600 * 1000000,
                .max_runtime_usec = LIMIT_INFINITY,
        };
        char buf[64];

        ck_assert(limit_is_unlimited(&l, LIMIT_CPUS));
        ck_assert(!limit_is_unlimited(&l, LIMIT_CONTAINER_CPUS));
        ck_assert(!limit_is_unlimited(&l, LIMIT_MEMORY));
        ck_assert(limit_is_unlimited(&l, LIMIT_MEMORY_HIGH));
        ck_assert(limit_is_unlimited(&l, LIMIT_GPUS));
        ck_assert(!limit_is_unlimited(&l, LIMIT_GPUS_PER_CONTAINER));
        ck_assert(limit_is_unlimited(&l, LIMIT_CONTAINERS));
        ck_assert(!limit_is_unlimited(&l, LIMIT_IDLE_TIMEOUT));
        ck_assert(limit_is_unlimited(&l, LIMIT_MAX_RUNTIME));

        ck_assert_str_eq(limit_format(&l, LIMIT_CPUS, buf, sizeof(buf)), "infinity");
        ck_assert_str_eq(limit_format(&l, LIMIT_CONTAINER_CPUS, buf, sizeof(buf)), "0.5");
        ck_assert_str_eq(limit_format(&l, LIMIT_MEMORY, buf, sizeof(buf)), "32G");
        ck_assert_str_eq(limit_format(&l, LIMIT_TASKS, buf, sizeof(buf)), "4096");
        ck_assert_str_eq(limit_format(&l, LIMIT_GPUS, buf, sizeof(buf)), "infinity");
        ck_assert_str_eq(limit_format(&l, LIMIT_GPUS_PER_CONTAINER, buf, sizeof(buf)), "0.43");
        ck_assert_str_eq(limit_format(&l, LIMIT_IDLE_TIMEOUT, buf, sizeof(buf)), "2h");
        ck_assert_str_eq(limit_format(&l, LIMIT_MAX_RUNTIME, buf, sizeof(buf)), "infinity");
        ck_assert_str_eq(limit_format_gpus(0, buf, sizeof(buf)), "0");
        ck_assert_str_eq(limit_format_gpus(2, buf, sizeof(buf)), "2");

        json_t *o = limits_json(&l, false);
        ck_assert_ptr_nonnull(o);
        ck_assert_int_eq((int) json_object_size(o), _LIMIT_MAX);
        ck_assert(json_is_null(json_object_get(o, "cpus")));
        ck_assert(json_is_null(json_object_get(o, "gpus")));
        ck_assert(json_is_null(json_object_get(o, "max_runtime")));
        ck_assert_int_eq((int) json_integer_value(json_object_get(o, "idle_timeout")), 7200);
        ck_assert(json_integer_value(json_object_get(o, "memory")) == (json_int_t) (32ULL << 30));
        ck_assert(fabs(json_real_value(json_object_get(o, "container_cpus")) - 0.5) < 1e-9);
        json_decref(o);

        /* partial: only the keys a layer set */
        l.set = (1u << LIMIT_MEMORY) | (1u << LIMIT_GPUS);
        o = limits_json(&l, true);
        ck_assert_int_eq((int) json_object_size(o), 2);
        ck_assert_ptr_nonnull(json_object_get(o, "memory"));
        ck_assert_ptr_nonnull(json_object_get(o, "gpus"));
        json_decref(o);
}
END_TEST

/* ---- CPUs and memory against the slice --------------------------------------- */

START_TEST(test_resources_fit) {
        struct limits l = { .cpus = 4, .memory = 8ULL << 30 };
        char why[256];

        ck_assert_int_eq(policy_resources_fit(&l, 0, 0, why, sizeof(why)), POLICY_FITS);
        ck_assert_int_eq(policy_resources_fit(&l, 4, 8ULL << 30, why, sizeof(why)), POLICY_FITS);
        ck_assert_int_eq(policy_resources_fit(&l, 4.5, 0, why, sizeof(why)), POLICY_OVER_CPUS);
        ck_assert_str_eq(why, "berth: you asked for 4.5 CPUs but your slice has 4; ask for at most 4.");
        ck_assert_int_eq(policy_resources_fit(&l, 1, (8ULL << 30) + 1, why, sizeof(why)), POLICY_OVER_MEMORY);
        ck_assert(strstr(why, "of memory but your slice has 8G"));
        /* CPUs are judged first */
        ck_assert_int_eq(policy_resources_fit(&l, 8, 16ULL << 30, why, sizeof(why)), POLICY_OVER_CPUS);
        /* an unlimited slice takes anything */
        struct limits u = { .cpus = CPUS_INFINITY, .memory = LIMIT_INFINITY };
        ck_assert_int_eq(policy_resources_fit(&u, 512, 1ULL << 50, why, sizeof(why)), POLICY_FITS);
}
END_TEST

/* ---- the build rules ---------------------------------------------------------- */

static struct berth_config *test_config(void) {
        struct berth_config *c = NULL;
        ck_assert_int_eq(config_new("/nonexistent", &c), 0);
        return c;
}

static void build_expect(const char *const *argv, int argc, bool admin, bool allowed, const char *rule) {
        struct docker_invocation inv;
        struct docker_args a = { 0 };
        struct build_spec b = { 0 };
        struct policy_verdict v = { 0 };
        struct berth_error err = { 0 };
        _cleanup_config_ struct berth_config *c = test_config();
        struct policy_identity id = { .user = "alice", .uid = 1000, .home = "/home/alice", .admin = admin };

        ck_assert_int_eq(docker_parse_invocation(argc, (char *const *) argv, &inv, &err), 0);
        ck_assert_int_eq(docker_parse_args(&inv, argc, (char *const *) argv, &a, &err), 0);
        ck_assert_int_eq(docker_build_spec(&a, &b), 0);
        ck_assert_int_eq(policy_check_build(c, &id, &b, &v), 0);
        ck_assert_msg(v.allowed == allowed, "%s: allowed=%d (%s)", argv[2], v.allowed, v.reason);
        if (rule)
                ck_assert_str_eq(v.rule, rule);
        if (!allowed || admin)
                ck_assert(strncmp(v.reason, "berth: ", 7) == 0);
        ck_assert(v.admin_override == (admin && rule != NULL));
        build_spec_done(&b);
        docker_args_done(&a);
        policy_verdict_done(&v);
}

START_TEST(test_build_rules) {
#define ARGV(...) (const char *const[]) { "docker", __VA_ARGS__, NULL }, (int) ELEMENTSOF(((const char *[]) { "docker", __VA_ARGS__ }))
        build_expect(ARGV("build", "-t", "x", "."), false, true, NULL);
        build_expect(ARGV("build", "--label", "berth.project=thesis", "."), false, true, NULL);
        build_expect(ARGV("build", "--label", "berth.user=bob", "."), false, false, "label");
        build_expect(ARGV("build", "--label", " BERTH.gpus=GPU-1", "."), false, false, "label");
        build_expect(ARGV("build", "--cgroup-parent", "/", "."), false, false, "cgroup-parent");
        build_expect(ARGV("build", "--network", "host", "."), false, false, "host-network");
        build_expect(ARGV("build", "--network=HOST", "."), false, false, "host-network");
        build_expect(ARGV("build", "--security-opt", "no-new-privileges", "."), false, true, NULL);
        build_expect(ARGV("build", "--security-opt", "seccomp=unconfined", "."), false, false, "security-opt");
        build_expect(ARGV("buildx", "build", "--allow", "security.insecure", "."), false, false, "build-entitlement");
        build_expect(ARGV("build", "--network", "container:x._.bob", "."), false, false, "build-network");
        build_expect(ARGV("build", "--network=CONTAINER:abc", "."), false, false, "build-network");
        build_expect(ARGV("build", "--network", "none", "."), false, true, NULL);
        build_expect(ARGV("build", "--ulimit", "nofile=1024", "."), false, false, "ulimit");
        build_expect(ARGV("buildx", "build", "--builder", "admins-builder", "."), false, false, "builder");
        build_expect(ARGV("build", "--memory", "1g", "--memory-swap", "-1", "."), false, false, "memory-swap");
        build_expect(ARGV("build", "--build-arg", "A=b", "--secret", "id=x,src=f", "--iidfile", "id", "-f", "D", "."), false, true,
                     NULL);
        /* an admin is allowed, and the verdict says what was overridden */
        build_expect(ARGV("build", "--cgroup-parent", "/", "."), true, true, "cgroup-parent");
#undef ARGV
        ck_assert(policy_label_reserved("berth.user=x"));
        ck_assert(policy_label_reserved("  Berth.Managed"));
        ck_assert(!policy_label_reserved("berth.project=x"));
        ck_assert(!policy_label_reserved("org.opencontainers.image.title=x"));
}
END_TEST

/* Every build option is either harmless or judged: none passes undecided. */
START_TEST(test_every_build_option_classified) {
        const struct docker_flag_table *t = &docker_flag_tables[DOCKER_FLAGS_BUILD];
        for (size_t i = 0; i < t->n_flags; i++) {
                const struct docker_flag *f = &t->flags[i];
                char opt[128];
                if (f->kind == DOCKER_FLAG_VALUE)
                        snprintf(opt, sizeof(opt), "--%s=x", f->name);
                else
                        snprintf(opt, sizeof(opt), "--%s", f->name);
                const char *argv[] = { "docker", "buildx", "build", opt, ".", NULL };
                struct docker_invocation inv;
                struct docker_args a = { 0 };
                struct build_spec b = { 0 };
                struct berth_error err = { 0 };
                ck_assert_int_eq(docker_parse_invocation(5, (char *const *) argv, &inv, &err), 0);
                if (docker_parse_args(&inv, 5, (char *const *) argv, &a, &err) < 0) {
                        docker_args_done(&a);
                        continue; /* a flag only the classic builder has */
                }
                ck_assert_int_eq(docker_build_spec(&a, &b), 0);
                /* the few that are refused by name, not for want of a rule */
                bool named = streq(f->name, "root") || streq(f->name, "server-config") || streq(f->name, "policy") ||
                             streq(f->name, "resource");
                ck_assert_msg(!b.undecided || named, "build --%s has no decision", f->name);
                build_spec_done(&b);
                docker_args_done(&a);
        }
}
END_TEST

/* ---- run and create share one flag table ------------------------------------ */

static int parse_command(const char *const *argv, int argc, struct berth_error *err) {
        struct docker_invocation inv;
        struct docker_args a = { 0 };
        int r = docker_parse_invocation(argc, (char *const *) argv, &inv, err);
        if (r >= 0)
                r = docker_parse_args(&inv, argc, (char *const *) argv, &a, err);
        docker_args_done(&a);
        return r;
}

START_TEST(test_run_create_table) {
        struct berth_error err = { 0 };
        static const char *const run_only[] = { "--detach", "-d", "--detach-keys=ctrl-x", "--sig-proxy=false" };

        for (size_t i = 0; i < ELEMENTSOF(run_only); i++) {
                const char *run[] = { "docker", "run", run_only[i], "img" };
                const char *crun[] = { "docker", "container", "run", run_only[i], "img" };
                const char *create[] = { "docker", "create", run_only[i], "img" };
                const char *ccreate[] = { "docker", "container", "create", run_only[i], "img" };
                ck_assert_msg(parse_command(run, 4, &err) >= 0, "run %s: %s", run_only[i], err.message);
                ck_assert_msg(parse_command(crun, 5, &err) >= 0, "container run %s", run_only[i]);
                ck_assert_msg(parse_command(create, 4, &err) < 0, "create took %s", run_only[i]);
                ck_assert_msg(strstr(err.message, run_only[i][1] == '-' ? "detach" : "d") ||
                                      strstr(err.message, "sig-proxy"),
                              "the refusal names the option: %s", err.message);
                ck_assert_msg(parse_command(ccreate, 5, &err) < 0, "container create took %s", run_only[i]);
        }
        /* what both have, both take */
        const char *both[] = { "--rm", "-it", "--name=x", "--gpus=1", "-e", "A=b" };
        for (size_t i = 0; i < ELEMENTSOF(both); i++) {
                const char *run[] = { "docker", "run", both[i], "img" };
                const char *create[] = { "docker", "create", both[i], "img" };
                int n = streq(both[i], "-e") ? 3 : 4;
                if (n == 3)
                        continue;
                ck_assert_msg(parse_command(run, n, &err) >= 0, "run %s", both[i]);
                ck_assert_msg(parse_command(create, n, &err) >= 0, "create %s", both[i]);
        }
}
END_TEST

/* ---- CPU lists: one parser, two grammars -------------------------------------- */

START_TEST(test_cpulist_grammars) {
        _cleanup_free_ uint8_t *m = NULL;
        size_t n = 0;
        int count = 0;

        /* canonical: what sysfs prints and berth writes */
        ck_assert_int_eq(cpulist_parse("0-3,8", CPULIST_CANONICAL, &m, &n, &count), 0);
        ck_assert_int_eq(count, 5);
        ck_assert_int_eq((int) n, 2);
        ck_assert_int_eq(m[0], 0x0f);
        ck_assert_int_eq(m[1], 0x01);
        free(m);
        m = NULL;
        ck_assert_int_eq(cpulist_count("0-3,8"), 5);
        ck_assert_int_eq(cpulist_count(""), 0);
        static const char *const not_canonical[] = { "8,0-3", "0-3,2", "1-1", "01", "0,", ",0", "0 1", "0-3\n" };
        for (size_t i = 0; i < ELEMENTSOF(not_canonical); i++)
                ck_assert_msg(cpulist_count(not_canonical[i]) == -EINVAL, "took '%s'", not_canonical[i]);
        /* loose: the same lists, as systemd and cgroup files have them */
        for (size_t i = 0; i < ELEMENTSOF(not_canonical); i++) {
                if (streq(not_canonical[i], ",0") || streq(not_canonical[i], "0,"))
                        continue; /* stray commas are separators there */
                ck_assert_msg(cpulist_parse(not_canonical[i], CPULIST_LOOSE, &m, &n, NULL) == 0, "refused '%s'",
                              not_canonical[i]);
                free(m);
                m = NULL;
        }
        ck_assert_int_eq(cpulist_parse("8,0-3\n", CPULIST_LOOSE, &m, &n, &count), 0);
        ck_assert_int_eq(m[0], 0x0f);
        ck_assert_int_eq(m[1], 0x01);
        ck_assert_int_eq(cpulist_parse("8192", CPULIST_LOOSE, NULL, NULL, NULL), -ERANGE);
        ck_assert_int_eq(cpulist_parse("65536", CPULIST_CANONICAL, NULL, NULL, NULL), -EINVAL);
        ck_assert_int_eq(cpulist_parse("3-1", CPULIST_LOOSE, NULL, NULL, NULL), -EINVAL);
}
END_TEST

/* ---- loading a config and reporting its errors -------------------------------- */

static char *make_tree(const char *main_text) {
        char tmpl[] = "/tmp/berth-rules-XXXXXX";
        char *dir = strdup(mkdtemp(tmpl));
        char *p = NULL;
        ck_assert_ptr_nonnull(dir);
        ck_assert_int_ge(asprintf(&p, "%s/berth.conf", dir), 0);
        FILE *f = fopen(p, "w");
        ck_assert_ptr_nonnull(f);
        fputs(main_text, f);
        fclose(f);
        free(p);
        return dir;
}

static void remove_tree(char *dir) {
        char *p = NULL;
        ck_assert_int_ge(asprintf(&p, "%s/berth.conf", dir), 0);
        unlink(p);
        rmdir(dir);
        free(p);
        free(dir);
}

START_TEST(test_config_load_report) {
        char *dir = make_tree("[daemon]\nadmin_group = wheel\n[defaults]\nmemory = 12Q\ncpus = -1\n");
        struct berth_config *c = NULL;
        char *why = NULL;
        size_t n = 0;
        char *out_text = NULL;
        size_t out_len = 0;
        FILE *out = open_memstream(&out_text, &out_len);

        ck_assert_int_eq(config_load_report(dir, out, &c, &why, &n), -EINVAL);
        fclose(out);
        ck_assert_ptr_null(c);
        ck_assert_int_eq((int) n, 2);
        /* every error line went out, and why has them all, joined */
        ck_assert_ptr_nonnull(strstr(out_text, "berth.conf:4: memory"));
        ck_assert_ptr_nonnull(strstr(out_text, "berth.conf:5: cpus"));
        ck_assert_ptr_nonnull(strstr(why, "12Q"));
        ck_assert_ptr_nonnull(strstr(why, "; "));
        free(why);
        free(out_text);
        remove_tree(dir);

        /* a tree that loads: nothing reported, the config handed over */
        dir = make_tree("[daemon]\nadmin_group = wheel\n");
        why = NULL;
        ck_assert_int_eq(config_load_report(dir, NULL, &c, &why, NULL), 0);
        ck_assert_ptr_nonnull(c);
        ck_assert_ptr_null(why);
        ck_assert_str_eq(c->admin_group, "wheel");
        config_free(c);
        remove_tree(dir);

        /* a tree that cannot be read says which directory */
        c = NULL;
        ck_assert_int_lt(config_load_report("/nonexistent/berth", NULL, &c, &why, NULL), 0);
        ck_assert_ptr_null(c);
        ck_assert_ptr_nonnull(why);
        ck_assert_ptr_nonnull(strstr(why, "/nonexistent/berth"));
        free(why);
}
END_TEST

/* ---- a cgroup's current use, on every layout ----------------------------------- */

static void put(const char *root, const char *rel, const char *text) {
        char *p = NULL;
        ck_assert_int_ge(asprintf(&p, "%s/%s", root, rel), 0);
        /* make the parents */
        for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                mkdir(p, 0755);
                *s = '/';
        }
        FILE *f = fopen(p, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
        free(p);
}

static void rm_rf(const char *root) {
        char *cmd = NULL;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", root), 0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
}

START_TEST(test_cgroup_use) {
        char v2[] = "/tmp/berth-cg2-XXXXXX", v1[] = "/tmp/berth-cg1-XXXXXX", hy[] = "/tmp/berth-cgh-XXXXXX";
        struct cgroup_use u;
        const char *cg = "/berth.slice/berth-s.slice/berth-s-alice.slice";

        ck_assert_ptr_nonnull(mkdtemp(v2));
        put(v2, "cgroup.controllers", "cpu memory pids\n");
        put(v2, "berth.slice/berth-s.slice/berth-s-alice.slice/memory.current", "1048576\n");
        put(v2, "berth.slice/berth-s.slice/berth-s-alice.slice/pids.current", "7\n");
        put(v2, "berth.slice/berth-s.slice/berth-s-alice.slice/cpu.stat", "usage_usec 2500\nuser_usec 2000\n");
        ck_assert_int_eq(cgroup_use_read(v2, cg, &u), 0);
        ck_assert_int_eq((int) u.known, CGROUP_USE_MEMORY | CGROUP_USE_TASKS | CGROUP_USE_CPU);
        ck_assert(u.memory == 1048576 && u.tasks == 7 && u.cpu_nsec == 2500000);

        ck_assert_ptr_nonnull(mkdtemp(v1));
        put(v1, "memory/berth.slice/berth-s.slice/berth-s-alice.slice/memory.usage_in_bytes", "4096\n");
        put(v1, "cpuacct/berth.slice/berth-s.slice/berth-s-alice.slice/cpuacct.usage", "123456\n");
        ck_assert_int_eq(cgroup_use_read(v1, cg, &u), 0);
        ck_assert_int_eq((int) u.known, CGROUP_USE_MEMORY | CGROUP_USE_CPU);
        ck_assert(u.memory == 4096 && u.cpu_nsec == 123456);

        /* hybrid: no cpuacct for the slice, but the unified tree counts CPU */
        ck_assert_ptr_nonnull(mkdtemp(hy));
        put(hy, "memory/berth.slice/berth-s.slice/berth-s-alice.slice/memory.usage_in_bytes", "8192\n");
        put(hy, "unified/berth.slice/berth-s.slice/berth-s-alice.slice/cpu.stat", "usage_usec 3\n");
        ck_assert_int_eq(cgroup_use_read(hy, cg, &u), 0);
        ck_assert(u.known & CGROUP_USE_CPU);
        ck_assert(u.cpu_nsec == 3000);

        ck_assert_int_eq(cgroup_use_read(v2, "/berth.slice/absent.slice", &u), -ENOENT);
        ck_assert_int_eq(cgroup_use_read(v2, "/berth.slice/../etc", &u), -EINVAL);
        ck_assert_int_eq(cgroup_use_read(v2, "relative", &u), -EINVAL);
        rm_rf(v2);
        rm_rf(v1);
        rm_rf(hy);
}
END_TEST

/* A process is the container's when any hierarchy puts it in the
 * container's cgroup or below; a prefix of another name is not. */
START_TEST(test_cgroup_pid_within) {
        char proc[] = "/tmp/berth-proc-XXXXXX";
        const char *c = "/berth.slice/berth-s.slice/berth-s-alice.slice/docker-abc.scope";

        ck_assert_ptr_nonnull(mkdtemp(proc));
        put(proc, "10/cgroup", "12:pids:/berth.slice/berth-s.slice/berth-s-alice.slice/docker-abc.scope\n"
                               "1:name=systemd:/berth.slice/berth-s.slice/berth-s-alice.slice/docker-abc.scope\n");
        put(proc, "11/cgroup", "0::/berth.slice/berth-s.slice/berth-s-alice.slice/docker-abc.scope/inner\n");
        put(proc, "12/cgroup", "0::/berth.slice/berth-s.slice/berth-s-alice.slice/docker-abcdef.scope\n");
        put(proc, "13/cgroup", "0::/system.slice/sshd.service\n");
        put(proc, "14/cgroup", "garbage without colons\n::\n");
        ck_assert_int_eq(cgroup_pid_within(proc, 10, c), 1);
        ck_assert_int_eq(cgroup_pid_within(proc, 11, c), 1);
        ck_assert_int_eq(cgroup_pid_within(proc, 12, c), 0);
        ck_assert_int_eq(cgroup_pid_within(proc, 13, c), 0);
        ck_assert_int_eq(cgroup_pid_within(proc, 14, c), 0);
        ck_assert_int_eq(cgroup_pid_within(proc, 99, c), 0); /* gone */
        ck_assert_int_eq(cgroup_pid_within(proc, 10, "relative"), -EINVAL);
        ck_assert_int_eq(cgroup_pid_within(proc, 10, "/berth.slice/../x"), -EINVAL);
        ck_assert_int_eq(cgroup_pid_within(proc, 0, c), -EINVAL);
        rm_rf(proc);
}
END_TEST

START_TEST(test_cgroup_container_path) {
        char *p = NULL;

        ck_assert_int_eq(cgroup_container_path("berth-students-alice.slice", "abc", &p), 0);
        ck_assert_str_eq(p, "/berth.slice/berth-students.slice/berth-students-alice.slice/docker-abc.scope");
        free(p);
        /* an escaped dash stays inside its component */
        ck_assert_int_eq(cgroup_container_path("berth-students-jean\\x2dluc.slice", "abc", &p), 0);
        ck_assert_str_eq(p, "/berth.slice/berth-students.slice/berth-students-jean\\x2dluc.slice/docker-abc.scope");
        free(p);
        ck_assert_int_eq(cgroup_container_path("/mine", "abc", &p), 0);
        ck_assert_str_eq(p, "/mine/abc");
        free(p);
        p = NULL;
        ck_assert_int_eq(cgroup_container_path("-.slice", "abc", &p), -EINVAL);
        ck_assert_int_eq(cgroup_container_path("berth.slice", "a/b", &p), -EINVAL);
        ck_assert_int_eq(cgroup_container_path("relative", "abc", &p), -EINVAL);
        ck_assert_ptr_null(p);

        /* a slice's own cgroup, for its usage */
        ck_assert_int_eq(cgroup_slice_path("berth-students-jean\\x2dluc.slice", &p), 0);
        ck_assert_str_eq(p, "/berth.slice/berth-students.slice/berth-students-jean\\x2dluc.slice");
        free(p);
        ck_assert_int_eq(cgroup_slice_path("berth.slice", &p), 0);
        ck_assert_str_eq(p, "/berth.slice");
        free(p);
        p = NULL;
        ck_assert_int_eq(cgroup_slice_path("-.slice", &p), -EINVAL);
        ck_assert_int_eq(cgroup_slice_path(".slice", &p), -EINVAL);
        ck_assert_int_eq(cgroup_slice_path("/a.slice", &p), -EINVAL);
        ck_assert_int_eq(cgroup_slice_path("berth", &p), -EINVAL);
        ck_assert_int_eq(cgroup_slice_path(NULL, &p), -EINVAL);
        ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_suggest) {
        static const char *const verbs[] = { "deploy", "retire", "list", "shell", "stop", "start", "logs" };
        ck_assert_str_eq(string_suggest("lsit", verbs, ELEMENTSOF(verbs)), "list"); /* a swap is one edit */
        ck_assert_str_eq(string_suggest("lst", verbs, ELEMENTSOF(verbs)), "list");
        ck_assert_str_eq(string_suggest("dep", verbs, ELEMENTSOF(verbs)), "deploy"); /* a prefix */
        ck_assert_str_eq(string_suggest("Retire", verbs, ELEMENTSOF(verbs)), "retire");
        ck_assert_ptr_null(string_suggest("xyzzy", verbs, ELEMENTSOF(verbs)));
}
END_TEST

START_TEST(test_proto_owner_kinds) {
        static const struct {
                const char *line;
                int r;
                bool images, volumes;
        } cases[] = {
                { "{\"op\":\"owner\",\"targets\":[\"x\"]}", 0, false, false },
                { "{\"op\":\"owner\",\"targets\":[\"x\"],\"kind\":\"container\"}", 0, false, false },
                { "{\"op\":\"owner\",\"targets\":[\"x\"],\"kind\":\"image\"}", 0, true, false },
                { "{\"op\":\"owner\",\"targets\":[\"x\"],\"kind\":\"volume\"}", 0, false, true },
                { "{\"op\":\"owner\",\"targets\":[\"x\"],\"kind\":\"network\"}", 0, false, false },
                { "{\"op\":\"owner\",\"targets\":[\"x\"],\"kind\":\"secret\"}", -EINVAL, false, false },
                { "{\"op\":\"owner\",\"targets\":[\"x\"],\"kind\":7}", -EINVAL, false, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct proto_request req = { 0 };
                struct berth_error err = { 0 };
                const char *kind = NULL;
                int r = proto_parse_request(cases[i].line, strlen(cases[i].line), &req, &kind, &err);
                ck_assert_msg((r < 0) == (cases[i].r < 0), "%s: %d (%s)", cases[i].line, r, err.message);
                if (r >= 0) {
                        ck_assert(req.images == cases[i].images);
                        ck_assert(req.volumes == cases[i].volumes);
                        proto_request_done(&req);
                } else
                        ck_assert_str_eq(kind, "bad_request");
        }
        struct proto_request req = { 0 };
        struct berth_error err = { 0 };
        const char *line = "{\"op\":\"owner\",\"targets\":[\"net\"],\"kind\":\"network\"}";
        ck_assert_int_eq(proto_parse_request(line, strlen(line), &req, NULL, &err), 0);
        ck_assert(req.networks && !req.images && !req.volumes);
        proto_request_done(&req);
}
END_TEST

/* "for" on any op: {"uid","gid"} and an optional "pid", whole numbers within
 * uid_t (and pid_t), nothing else. */
START_TEST(test_proto_behalf) {
        static const struct {
                const char *line;
                int r;
                uid_t uid;
                gid_t gid;
                pid_t pid;
        } cases[] = {
                { "{\"op\":\"hello\"}", 0, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1000,\"gid\":100}}", 0, 1000, 100, 0 },
                { "{\"op\":\"reserve\",\"for\":{\"uid\":1000,\"gid\":100,\"pid\":77},\"spec\":{\"image\":\"x\"}}", 0, 1000, 100, 77 },
                { "{\"for\":{\"gid\":7,\"uid\":0,\"pid\":0},\"op\":\"commit\",\"reservation\":\"r\"}", 0, 0, 7, 0 },
                { "{\"op\":\"claim\",\"reservation\":\"r\",\"for\":{\"uid\":4294967294,\"gid\":4294967294}}", 0, 4294967294u, 4294967294u, 0 },
                { "{\"op\":\"owner\",\"targets\":[\"x\"],\"kind\":\"image\",\"for\":{\"uid\":1,\"gid\":1,\"pid\":2147483647}}", 0, 1, 1, 2147483647 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":4294967295,\"gid\":1}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1,\"gid\":4294967295}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1,\"gid\":1,\"pid\":2147483648}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":-1,\"gid\":1}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1.5,\"gid\":1}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":\"1\",\"gid\":1}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":null,\"gid\":1}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"gid\":1,\"pid\":3}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1,\"gid\":1,\"Uid\":2}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1,\"gid\":1,\"uid\":2}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1,\"gid\":1,\"user\":\"alice\"}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":{\"uid\":1,\"gid\":1,\"groups\":[0]}}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":\"alice\"}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":1000}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":null}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"for\":[1000,100]}", -EINVAL, 0, 0, 0 },
                { "{\"op\":\"whoami\",\"For\":{\"uid\":1,\"gid\":1}}", -EINVAL, 0, 0, 0 },
                /* identity stays out of the request itself */
                { "{\"op\":\"whoami\",\"uid\":1}", -EINVAL, 0, 0, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct proto_request req = { 0 };
                struct berth_error err = { 0 };
                const char *kind = NULL;
                int r = proto_parse_request(cases[i].line, strlen(cases[i].line), &req, &kind, &err);
                ck_assert_msg((r < 0) == (cases[i].r < 0), "%s: %d (%s)", cases[i].line, r, err.message);
                if (r < 0) {
                        ck_assert_str_eq(kind, "bad_request");
                        ck_assert(strncmp(err.message, "berth: ", 7) == 0);
                        continue;
                }
                bool set = strstr(cases[i].line, "\"for\"") != NULL;
                ck_assert_msg(req.behalf.set == set, "%s", cases[i].line);
                ck_assert_uint_eq(req.behalf.uid, cases[i].uid);
                ck_assert_uint_eq(req.behalf.gid, cases[i].gid);
                ck_assert_int_eq(req.behalf.pid, cases[i].pid);
                proto_request_done(&req);
        }
}
END_TEST

START_TEST(test_proto_claim) {
        struct proto_request req = { 0 };
        struct berth_error err = { 0 };
        const char *kind = NULL;
        const char *line = "{\"op\":\"claim\",\"reservation\":\"0123456789abcdef0123456789abcdef\"}";

        ck_assert_int_eq(proto_parse_request(line, strlen(line), &req, &kind, &err), 0);
        ck_assert_int_eq(req.op, OP_CLAIM);
        ck_assert_str_eq(proto_op_name(req.op), "claim");
        ck_assert(!proto_op_is_admin(OP_CLAIM));
        ck_assert_str_eq(req.reservation, "0123456789abcdef0123456789abcdef");
        proto_request_done(&req);

        static const char *const bad[] = {
                "{\"op\":\"claim\"}",
                "{\"op\":\"claim\",\"reservation\":\"\"}",
                "{\"op\":\"claim\",\"reservation\":7}",
                "{\"op\":\"claim\",\"reservation\":\"r\",\"spec\":{\"image\":\"x\"}}",
                "{\"op\":\"claim\",\"reservation\":\"r\",\"target\":\"x\"}",
                "{\"op\":\"claim\",\"reservation\":\"r\",\"reservation\":\"s\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                req = (struct proto_request) { 0 };
                ck_assert_msg(proto_parse_request(bad[i], strlen(bad[i]), &req, &kind, &err) < 0, "%s", bad[i]);
                ck_assert_str_eq(kind, "bad_request");
        }
}
END_TEST

START_TEST(test_image_typed) {
        static const struct {
                const char *typed, *user, *want;
                int r, kept;
        } cases[] = {
                { "x", "alice", "berth/alice/x:latest", 0, 0 },
                { "x:v2", "alice", "berth/alice/x:v2", 0, 0 },
                { "pytorch/custom:2.1", "alice", "berth/alice/pytorch/custom:2.1", 0, 0 },
                { "my-model_v1.2", "alice", "berth/alice/my-model_v1.2:latest", 0, 0 },
                { "a__b--c", "alice", "berth/alice/a__b--c:latest", 0, 0 },
                { "x", "Jean@Lab", "berth/x__4a65616e404c6162/x:latest", 0, 0 },
                /* the user's own namespace stays, anyone else's is refused */
                { "berth/alice/x", "alice", "berth/alice/x:latest", 0, 1 },
                { "berth/alice/x:v3", "alice", "berth/alice/x:v3", 0, 1 },
                { "berth/bob/x", "alice", NULL, -EPERM, 0 },
                { "berth/alicex/x", "alice", NULL, -EPERM, 0 },
                { "berth/alice", "alice", NULL, -EPERM, 0 },
                /* a registry host stays as typed, so push works */
                { "ghcr.io/lab/x:1", "alice", "ghcr.io/lab/x:1", 0, 1 },
                { "host:5000/x", "alice", "host:5000/x", 0, 1 },
                { "localhost/x", "alice", "localhost/x", 0, 1 },
                /* what Docker would not take as a tag */
                { "X", "alice", NULL, -EINVAL, 0 },
                { "x@sha256:0123", "alice", NULL, -EINVAL, 0 },
                { "x:", "alice", NULL, -EINVAL, 0 },
                { "x:-v", "alice", NULL, -EINVAL, 0 },
                { "a//b", "alice", NULL, -EINVAL, 0 },
                { "a-.b", "alice", NULL, -EINVAL, 0 },
                { "a___b", "alice", NULL, -EINVAL, 0 },
                { "/x", "alice", NULL, -EINVAL, 0 },
                { "x/", "alice", NULL, -EINVAL, 0 },
                { "", "alice", NULL, -EINVAL, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *s = NULL;
                int kept = -1;
                int r = name_image_typed(cases[i].typed, cases[i].user, &s, &kept);
                ck_assert_msg(r == cases[i].r, "%s: %d, not %d", cases[i].typed, r, cases[i].r);
                if (r == 0) {
                        ck_assert_str_eq(s, cases[i].want);
                        ck_assert_msg(kept == cases[i].kept, "%s: kept %d", cases[i].typed, kept);
                } else
                        ck_assert_ptr_null(s);
                free(s);
        }
        char long_name[300];
        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = 0;
        char *s = NULL;
        ck_assert_int_eq(name_image_typed(long_name, "alice", &s, NULL), -ENAMETOOLONG);
}
END_TEST

Suite *rules_suite(void) {
        Suite *s = suite_create("rules");
        TCase *tc = tcase_create("one rule, one place");
        tcase_add_test(tc, test_name_typed);
        tcase_add_test(tc, test_admin_rule);
        tcase_add_test(tc, test_limits_encoders);
        tcase_add_test(tc, test_resources_fit);
        tcase_add_test(tc, test_build_rules);
        tcase_add_test(tc, test_run_create_table);
        tcase_add_test(tc, test_every_build_option_classified);
        tcase_add_test(tc, test_cpulist_grammars);
        tcase_add_test(tc, test_config_load_report);
        tcase_add_test(tc, test_cgroup_use);
        tcase_add_test(tc, test_cgroup_container_path);
        tcase_add_test(tc, test_cgroup_pid_within);
        tcase_add_test(tc, test_suggest);
        tcase_add_test(tc, test_proto_owner_kinds);
        tcase_add_test(tc, test_proto_behalf);
        tcase_add_test(tc, test_proto_claim);
        tcase_add_test(tc, test_image_typed);
        suite_add_tcase(s, tc);
        return s;
}
