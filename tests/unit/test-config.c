/* SPDX-License-Identifier: MIT */
/* The config loader: every valid form, every invalid form, resolution. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/listen-address.h"
#include <arpa/inet.h>
#include "basic/util.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)

static char tree[256];

static void write_file(const char *rel, const char *text) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", tree, rel);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static void setup_tree(void) {
        char sub[512];
        snprintf(tree, sizeof(tree), "/tmp/berth-unit-config.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tree));
        snprintf(sub, sizeof(sub), "%s/groups.d", tree);
        mkdir(sub, 0755);
        snprintf(sub, sizeof(sub), "%s/users.d", tree);
        mkdir(sub, 0755);
        write_file("berth.conf", "[daemon]\ngpus = none\n");
}

static void teardown_tree(void) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        ck_assert_int_eq(system(cmd), 0);
}

/* Load the tree; return the number of errors (0: loaded into *ret). */
static size_t load(struct berth_config **ret, struct config_errors *errs) {
        int r = config_load(tree, ret, errs);
        if (r == 0)
                return 0;
        ck_assert_int_eq(r, -EINVAL);
        ck_assert_uint_gt(errs->n, 0);
        return errs->n;
}

/* Expect exactly one error that contains every given fragment. */
static void expect_one_error(const char *fragment, ...) {
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        size_t n = load(&c, &errs);
        if (n != 1) {
                for (size_t i = 0; i < errs.n; i++)
                        fprintf(stderr, "error: %s\n", errs.lines[i]);
                config_free(c);
        }
        ck_assert_uint_eq(n, 1);
        va_list ap;
        va_start(ap, fragment);
        for (const char *f = fragment; f; f = va_arg(ap, const char *))
                ck_assert_msg(strstr(errs.lines[0], f), "'%s' not in '%s'", f, errs.lines[0]);
        va_end(ap);
        config_errors_clear(&errs);
}

START_TEST(test_sizes) {
        uint64_t v;
        ck_assert_int_eq(parse_size("0", &v), 0);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(parse_size("4096", &v), 0);
        ck_assert_uint_eq(v, 4096);
        ck_assert_int_eq(parse_size("16G", &v), 0);
        ck_assert_uint_eq(v, 16 * GIB);
        ck_assert_int_eq(parse_size("512M", &v), 0);
        ck_assert_uint_eq(v, 512 * MIB);
        ck_assert_int_eq(parse_size("1K", &v), 0);
        ck_assert_uint_eq(v, 1024);
        ck_assert_int_eq(parse_size("2T", &v), 0);
        ck_assert_uint_eq(v, 2ULL << 40);
        ck_assert_int_eq(parse_size("1.5G", &v), 0);
        ck_assert_uint_eq(v, 3 * GIB / 2);
        ck_assert_int_eq(parse_size("16g", &v), 0);
        ck_assert_uint_eq(v, 16 * GIB);
        ck_assert_int_eq(parse_size("16GB", &v), 0);
        ck_assert_int_eq(parse_size("16GiB", &v), 0);
        ck_assert_uint_eq(v, 16 * GIB);
        ck_assert_int_eq(parse_size("infinity", &v), 0);
        ck_assert_uint_eq(v, LIMIT_INFINITY);

        static const char *const bad[] = { "", "12Q", "G", "-1G", "1.5", "1..5G", "16 G", " 16G", "16G ",
                                           "0x10", "1e3", "16GG", "16Gi", "infinite", "99999999999999999T",
                                           "1.0000001G", ".G" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(parse_size(bad[i], &v) < 0, "'%s' accepted", bad[i]);
        ck_assert_int_lt(parse_size(NULL, &v), 0);
}
END_TEST

START_TEST(test_durations) {
        uint64_t v;
        ck_assert_int_eq(parse_duration("30s", &v), 0);
        ck_assert_uint_eq(v, 30ULL * 1000000);
        ck_assert_int_eq(parse_duration("90min", &v), 0);
        ck_assert_uint_eq(v, 90ULL * 60 * 1000000);
        ck_assert_int_eq(parse_duration("2h", &v), 0);
        ck_assert_uint_eq(v, 2ULL * 3600 * 1000000);
        ck_assert_int_eq(parse_duration("3d", &v), 0);
        ck_assert_uint_eq(v, 3ULL * 86400 * 1000000);
        ck_assert_int_eq(parse_duration("1h30min", &v), 0);
        ck_assert_uint_eq(v, 90ULL * 60 * 1000000);
        ck_assert_int_eq(parse_duration("1h 30min", &v), 0);
        ck_assert_uint_eq(v, 90ULL * 60 * 1000000);
        ck_assert_int_eq(parse_duration("45", &v), 0);
        ck_assert_uint_eq(v, 45ULL * 1000000);
        ck_assert_int_eq(parse_duration("0.5h", &v), 0);
        ck_assert_uint_eq(v, 1800ULL * 1000000);
        ck_assert_int_eq(parse_duration("infinity", &v), 0);
        ck_assert_uint_eq(v, LIMIT_INFINITY);

        static const char *const bad[] = { "", "2x", "h", "-1h", "2hours", "1h30", "1.h", "99999999999999d" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(parse_duration(bad[i], &v) < 0, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(test_cpus_gpus_bools_dates) {
        double d;
        bool b;
        time_t t;

        ck_assert_int_eq(parse_cpus("12", &d), 0);
        ck_assert(d == 12);
        ck_assert_int_eq(parse_cpus("0.5", &d), 0);
        ck_assert(d == 0.5);
        ck_assert_int_eq(parse_cpus(".25", &d), 0);
        ck_assert(d == 0.25);
        ck_assert_int_eq(parse_cpus("infinity", &d), 0);
        ck_assert(d == CPUS_INFINITY);
        static const char *const bad_cpus[] = { "0", "0.001", "-1", "abc", "1,5", "4 cpus", "", "1.", "70000" };
        for (size_t i = 0; i < ELEMENTSOF(bad_cpus); i++)
                ck_assert_msg(parse_cpus(bad_cpus[i], &d) < 0, "'%s' accepted", bad_cpus[i]);

        ck_assert_int_eq(parse_gpus("0", &d), 0);
        ck_assert(d == 0);
        ck_assert_int_eq(parse_gpus("2", &d), 0);
        ck_assert(d == 2);
        ck_assert_int_eq(parse_gpus("0.5", &d), 0);
        ck_assert(d == 0.5);
        ck_assert_int_eq(parse_gpus("infinity", &d), 0);
        ck_assert(isinf(d));
        ck_assert_int_lt(parse_gpus("-1", &d), 0);
        ck_assert_int_lt(parse_gpus("two", &d), 0);

        ck_assert_int_eq(parse_bool("yes", &b), 0);
        ck_assert(b);
        ck_assert_int_eq(parse_bool("No", &b), 0);
        ck_assert(!b);
        ck_assert_int_eq(parse_bool("true", &b), 0);
        ck_assert_int_eq(parse_bool("off", &b), 0);
        ck_assert(!b);
        ck_assert_int_lt(parse_bool("maybe", &b), 0);

        ck_assert_int_eq(parse_date("2027-03-01", &t), 0);
        struct tm tm;
        localtime_r(&t, &tm);
        ck_assert_int_eq(tm.tm_mday, 2); /* valid through March 1st */
        ck_assert_int_eq(tm.tm_mon, 2);
        ck_assert_int_eq(tm.tm_hour, 0);
        ck_assert_int_lt(parse_date("2027-02-30", &t), 0);
        ck_assert_int_lt(parse_date("2027-3-1", &t), 0);
        ck_assert_int_lt(parse_date("01.03.2027", &t), 0);
        ck_assert_int_lt(parse_date("2027-03-01x", &t), 0);
}
END_TEST

START_TEST(test_format) {
        char buf[32];
        ck_assert_str_eq(format_size(16 * GIB, buf, sizeof(buf)), "16G");
        ck_assert_str_eq(format_size(3 * GIB / 2, buf, sizeof(buf)), "1.5G");
        ck_assert_str_eq(format_size(LIMIT_INFINITY, buf, sizeof(buf)), "infinity");
        ck_assert_str_eq(format_size(100, buf, sizeof(buf)), "100");
        ck_assert_str_eq(format_cpus(4, buf, sizeof(buf)), "4");
        ck_assert_str_eq(format_cpus(0.5, buf, sizeof(buf)), "0.5");
        ck_assert_str_eq(format_cpus(CPUS_INFINITY, buf, sizeof(buf)), "infinity");
        ck_assert_str_eq(format_duration(90ULL * 60 * 1000000, buf, sizeof(buf)), "1h30min");
        ck_assert_str_eq(format_duration(LIMIT_INFINITY, buf, sizeof(buf)), "infinity");
}
END_TEST

START_TEST(test_example_tree) {
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        int r = config_load("etc/berth", &c, &errs);
        for (size_t i = 0; i < errs.n; i++)
                fprintf(stderr, "%s\n", errs.lines[i]);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(c->docker_socket, "/run/docker.sock");
        ck_assert_int_eq(c->gpus, GPU_MODE_NVML);
        ck_assert(c->numa_affinity);
        ck_assert_uint_eq(strv_length(c->allowed_binds), 3);
        ck_assert_str_eq(c->allowed_binds[0], "~");
        ck_assert_uint_eq(strv_length(c->allowed_caps), 0);
        ck_assert_uint_eq(c->n_groups, 2);
        ck_assert_str_eq(c->groups[0].name, "researchers"); /* sorted */
        const struct group_config *g = config_find_group(c, "students");
        ck_assert_ptr_nonnull(g);
        ck_assert_int_eq(g->priority, 10);
        ck_assert(g->user.cpus == 8);
        ck_assert_uint_eq(g->user.memory, 32 * GIB);
        ck_assert_uint_eq(g->user.memory_high, 28 * GIB);
        ck_assert_uint_eq(g->total.memory, 128 * GIB);
        ck_assert_uint_eq(g->user.idle_timeout_usec, 2ULL * 3600 * 1000000);
        const struct user_override *o = config_find_override(c, "alice");
        ck_assert_ptr_nonnull(o);
        ck_assert_str_eq(o->group, "researchers");
        ck_assert_str_eq(o->reason, "thesis deadline");
        config_free(c);
}
END_TEST

START_TEST(test_every_key) {
        write_file("berth.conf",
                   "# comment\n; another\n\n"
                   "[daemon]\n"
                   "docker_socket = /run/x.sock\n"
                   "control_socket=/run/berth/s.sock\n"
                   "real_docker = /usr/bin/docker   ; inline comment\n"
                   "admin_group = wheel # hash comment\n"
                   "default_group = others\n"
                   "gpus = none\n"
                   "nvml_library = /opt/nvml.so\n"
                   "numa_affinity = no\n"
                   "sysfs_root = /tmp/sys\n"
                   "reservation_ttl = 5min\n"
                   "[deploy]\n"
                   "base_image = busybox:latest\n"
                   "workspace = ~/ws\n"
                   "mounts = /data:/data:ro /scratch:/scratch\n"
                   "[policy]\n"
                   "allowed_binds = ~ /data\n"
                   "  /scratch /nfs\n"
                   "allow_host_network = yes\n"
                   "allowed_runtimes = runc\n"
                   "allowed_caps = SYS_PTRACE,NET_ADMIN\n"
                   "[defaults]\n"
                   "cpus = 0.5\nmemory = 1.5G\nmemory_high = 1G\ntasks = infinity\ngpus = 0.5\n"
                   "gpus_per_container = 0.5\ncontainers = 1\ncontainer_cpus = 0.25\n"
                   "container_memory = 512M\nidle_timeout = 30min\nmax_runtime = infinity\ngpu_hold_after_stop = 0\n");
        write_file("groups.d/ml.conf", "[group]\nmembers = bob\n  carol @ml\n[user]\ncpus = infinity\n");
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        ck_assert_uint_eq(load(&c, &errs), 0);
        ck_assert_str_eq(c->docker_socket, "/run/x.sock");
        ck_assert_str_eq(c->control_socket, "/run/berth/s.sock");
        ck_assert_str_eq(c->real_docker, "/usr/bin/docker");
        ck_assert_str_eq(c->admin_group, "wheel");
        ck_assert_str_eq(c->default_group, "others");
        ck_assert_int_eq(c->gpus, GPU_MODE_NONE);
        ck_assert_str_eq(c->nvml_library, "/opt/nvml.so");
        ck_assert(!c->numa_affinity);
        ck_assert_str_eq(c->sysfs_root, "/tmp/sys");
        ck_assert_uint_eq(c->reservation_ttl_usec, 300ULL * 1000000);
        ck_assert_str_eq(c->base_image, "busybox:latest");
        ck_assert_str_eq(c->workspace, "~/ws");
        ck_assert_uint_eq(strv_length(c->mounts), 2);
        ck_assert_uint_eq(strv_length(c->allowed_binds), 4);
        ck_assert_str_eq(c->allowed_binds[3], "/nfs");
        ck_assert(c->allow_host_network);
        ck_assert_uint_eq(strv_length(c->allowed_runtimes), 1);
        ck_assert_uint_eq(strv_length(c->allowed_caps), 2);
        ck_assert_str_eq(c->allowed_caps[1], "NET_ADMIN");
        ck_assert(c->defaults.cpus == 0.5);
        ck_assert_uint_eq(c->defaults.memory, 3 * GIB / 2);
        ck_assert_uint_eq(c->defaults.tasks, LIMIT_INFINITY);
        ck_assert(c->defaults.gpus == 0.5);
        ck_assert_uint_eq(c->defaults.containers, 1);
        ck_assert_uint_eq(c->defaults.max_runtime_usec, LIMIT_INFINITY);
        ck_assert_uint_eq(c->defaults.gpu_hold_after_stop_usec, 0);
        ck_assert_uint_eq(c->defaults.set, (1u << _LIMIT_MAX) - 1);
        const struct group_config *g = config_find_group(c, "ml");
        ck_assert_uint_eq(strv_length(g->members), 3);
        ck_assert_str_eq(g->members[2], "@ml");
        ck_assert(g->user.cpus == CPUS_INFINITY);
        config_free(c);
}
END_TEST

START_TEST(test_reaper) {
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };

        ck_assert_uint_eq(load(&c, &errs), 0);
        ck_assert_uint_eq(c->reaper_interval_usec, 60ULL * 1000000);
        ck_assert_uint_eq(c->reaper_idle_gpu_percent, 5);
        ck_assert_double_eq_tol(c->reaper_idle_cpus, 0.05, 1e-9);
        ck_assert_uint_eq(c->n_reaper_warn, 2);
        ck_assert_uint_eq(c->reaper_warn_usec[0], 30ULL * 60 * 1000000);
        ck_assert_uint_eq(c->reaper_warn_usec[1], 5ULL * 60 * 1000000);
        config_free(c);

        write_file("berth.conf", "[daemon]\ngpus = none\n[reaper]\ninterval = 2s\nidle_gpu_percent = 0\n"
                                 "idle_cpus = 0.5\nwarn = 6s 1h 2min\n");
        ck_assert_uint_eq(load(&c, &errs), 0);
        ck_assert_uint_eq(c->reaper_interval_usec, 2ULL * 1000000);
        ck_assert_uint_eq(c->reaper_idle_gpu_percent, 0);
        ck_assert_double_eq_tol(c->reaper_idle_cpus, 0.5, 1e-9);
        ck_assert_uint_eq(c->n_reaper_warn, 3); /* longest first */
        ck_assert_uint_eq(c->reaper_warn_usec[0], 3600ULL * 1000000);
        ck_assert_uint_eq(c->reaper_warn_usec[1], 120ULL * 1000000);
        ck_assert_uint_eq(c->reaper_warn_usec[2], 6ULL * 1000000);
        config_free(c);
}
END_TEST

START_TEST(test_metrics_keys) {
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        struct listen_address a;

        ck_assert_uint_eq(load(&c, &errs), 0);
        ck_assert_ptr_null(c->metrics_listen); /* off by default */
        ck_assert_ptr_null(c->metrics_textfile);
        config_free(c);
        write_file("berth.conf", "[metrics]\nlisten = [::1]:9101\ntextfile = /var/lib/node-exporter\n");
        ck_assert_uint_eq(load(&c, &errs), 0);
        ck_assert_str_eq(c->metrics_listen, "[::1]:9101");
        ck_assert_str_eq(c->metrics_textfile, "/var/lib/node-exporter");
        config_free(c);

        ck_assert_int_eq(listen_address_parse("127.0.0.1:9101", &a), 0);
        ck_assert(a.loopback && a.sa.ss_family == AF_INET && a.len == sizeof(struct sockaddr_in));
        ck_assert_uint_eq(ntohs(((struct sockaddr_in *) &a.sa)->sin_port), 9101);
        ck_assert_int_eq(listen_address_parse("127.200.0.1:1", &a), 0);
        ck_assert(a.loopback);
        ck_assert_int_eq(listen_address_parse("0.0.0.0:9101", &a), 0);
        ck_assert(!a.loopback);
        ck_assert_int_eq(listen_address_parse("[::1]:65535", &a), 0);
        ck_assert(a.loopback && a.sa.ss_family == AF_INET6);
        ck_assert_int_eq(listen_address_parse("[::]:9101", &a), 0);
        ck_assert(!a.loopback);
        ck_assert_int_eq(listen_address_parse("[::ffff:127.0.0.1]:9101", &a), 0);
        static const char *const bad[] = { "", ":9101", "127.0.0.1:", "127.0.0.1:123456", "127.0.0.1:9101 ",
                                           " 127.0.0.1:9101", "[::1]", "[::1]:", "[::1:9101", "[]:9101",
                                           "1.2.3.4.5:80", "[fe80::1%eth0]:80", "host:80" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(listen_address_parse(bad[i], &a) == -EINVAL, "'%s' was taken", bad[i]);
        ck_assert_int_eq(listen_address_parse(NULL, &a), -EINVAL);
}
END_TEST

START_TEST(test_invalid_forms) {
        static const struct {
                const char *file, *text, *fragment, *where;
        } cases[] = {
                { "berth.conf", "[daemon]\ngpu = none\n", "unknown key 'gpu' in [daemon] (did you mean 'gpus'?)", ":2: gpu:" },
                { "berth.conf", "[defaults]\ncpu = 4\n", "did you mean 'cpus'?", ":2: cpu:" },
                { "berth.conf", "[defaults]\nmemory = 12Q\n", "invalid value '12Q'", ":2: memory:" },
                { "berth.conf", "[defaults]\nmemory = 100\n", "invalid value '100'", ":2: memory:" },
                { "berth.conf", "[defaults]\ncpus = 0\n", "invalid value '0'", ":2: cpus:" },
                { "berth.conf", "[defaults]\ncpus = lots\n", "a number of CPUs", ":2: cpus:" },
                { "berth.conf", "[defaults]\ntasks = 0\n", "above 0", ":2: tasks:" },
                { "berth.conf", "[defaults]\ncontainers = -1\n", "whole number", ":2: containers:" },
                { "berth.conf", "[defaults]\nidle_timeout = soon\n", "duration", ":2: idle_timeout:" },
                { "berth.conf", "[defaults]\ngpus = many\n", "number of GPUs", ":2: gpus:" },
                { "berth.conf", "[deamon]\ngpus = none\n", "unknown section [deamon] (did you mean [daemon]?)", ":1: section:" },
                { "berth.conf", "[nonsense]\n", "unknown section [nonsense]; this file takes", ":1: section:" },
                { "berth.conf", "gpus = none\n", "outside of any section", ":1: gpus:" },
                { "berth.conf", "[daemon]\ngpus = none\ngpus = nvml\n", "duplicate key 'gpus'", ":3: gpus:" },
                { "berth.conf", "[daemon]\n[daemon]\n", "duplicate section [daemon]", ":2: section:" },
                { "berth.conf", "[daemon\n", "without ']'", ":1: syntax:" },
                { "berth.conf", "[daemon] junk\n", "text after", ":1: syntax:" },
                { "berth.conf", "[daemon]\njust words\n", "expected 'key = value'", ":2: syntax:" },
                { "berth.conf", "[daemon]\n= value\n", "without a key", ":2: syntax:" },
                { "berth.conf", "[daemon]\ngpus = cuda\n", "expected nvml or none", ":2: gpus:" },
                { "berth.conf", "[daemon]\nnuma_affinity = perhaps\n", "expected yes or no", ":2: numa_affinity:" },
                { "berth.conf", "[daemon]\ndocker_socket = run/docker.sock\n", "not an absolute path", ":2: docker_socket:" },
                { "berth.conf", "[daemon]\nadmin_group =\n", "a value is required", ":2: admin_group:" },
                { "berth.conf", "[daemon]\nreservation_ttl = 0\n", "duration", ":2: reservation_ttl:" },
                { "berth.conf", "[reaper]\ninterval = 0\n", "duration", ":2: interval:" },
                { "berth.conf", "[metrics]\nlisten = localhost:9101\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = 127.0.0.1\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = 127.0.0.1:0\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = 127.0.0.1:65536\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = 127.0.0.1:+80\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = 127.1:9101\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = ::1:9101\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = [::1]9101\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten = [127.0.0.1]:9101\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\nlisten =\n", "numeric HOST:PORT", ":2: listen:" },
                { "berth.conf", "[metrics]\ntextfile = var/lib/node\n", "not an absolute path", ":2: textfile:" },
                { "berth.conf", "[metrics]\nport = 9101\n", "unknown key", ":2: port:" },
                { "berth.conf", "[reaper]\nidle_gpu_percent = 101\n", "0 to 100", ":2: idle_gpu_percent:" },
                { "berth.conf", "[reaper]\nidle_gpu_percent = -1\n", "0 to 100", ":2: idle_gpu_percent:" },
                { "berth.conf", "[reaper]\nidle_cpus = lots\n", "CPUs", ":2: idle_cpus:" },
                { "berth.conf", "[reaper]\nwarn = 5min soon\n", "invalid duration 'soon'", ":2: warn:" },
                { "berth.conf", "[policy]\nallowed_binds = data\n", "not an absolute path", ":2: allowed_binds:" },
                { "berth.conf", "[policy]\nallowed_binds = ~bob\n", "only '~'", ":2: allowed_binds:" },
                { "berth.conf", "[deploy]\nmounts = /data\n", "HOST:CONTAINER", ":2: mounts:" },
                { "berth.conf", "[deploy]\nmounts = /data:/d:rx\n", "HOST:CONTAINER", ":2: mounts:" },
                { "berth.conf", "[daemon]\ngpus = none\n  more\n", "continuation line", ":3: gpus:" },
                { "berth.conf", "[defaults]\nmemory = 8G\nmemory_high = 9G\n", "above memory", ":3: memory_high:" },
                { "berth.conf", "[defaults]\ncpus = 2\ncontainer_cpus = 4\n", "above cpus", ":3: container_cpus:" },
                { "berth.conf", "[defaults]\nmemory = 1G\ncontainer_memory = 2G\n", "above memory", ":3: container_memory:" },
                { "berth.conf", "[defaults]\ngpus = 1\ngpus_per_container = 2\n", "above gpus", ":3: gpus_per_container:" },
                { "berth.conf", "[daemon]\nadmin_group = a\x01b\n", "control character", ":2: admin_group:" },
                { "groups.d/g.conf", "[group]\nmembers = a\n[user]\ncpus = 4\n[total]\ncontainer_cpus = 4\n", "unknown key 'container_cpus' in [total]", ":6: container_cpus:" },
                { "groups.d/g.conf", "[group]\nmembers = a\npriority = high\n", "whole number", ":3: priority:" },
                { "groups.d/g.conf", "[group]\nmembers = a:b c\n", "not a user name or @group", ":2: members:" },
                { "groups.d/g.conf", "[group]\nmembers = a\n[defaults]\n", "unknown section [defaults]", ":3: section:" },
                { "groups.d/g.conf", "[group]\npriority = 1\n", "has no members", ":1: members:" },
                { "groups.d/g.conf", "[group]\nmembers =\n", "has no members", ":2: members:" },
                { "users.d/u.conf", "[user]\ngroup = nosuch\n", "unknown group 'nosuch'", ":2: group:" },
                { "users.d/u.conf", "[user]\nexpires = tomorrow\n", "YYYY-MM-DD", ":2: expires:" },
                { "users.d/u.conf", "[user]\ngroup = a b\n", "invalid group name", ":2: group:" },
                { "users.d/u.conf", "[group]\nmembers = x\n", "unknown section [group]", ":1: section:" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                setup_tree();
                write_file(cases[i].file, cases[i].text);
                char where[300];
                snprintf(where, sizeof(where), "%s%s", cases[i].file, cases[i].where);
                expect_one_error(where, cases[i].fragment, NULL);
                teardown_tree();
        }
}
END_TEST

START_TEST(test_long_lines_and_many_errors) {
        char text[1024];
        memset(text, 'a', sizeof(text));
        memcpy(text, "[group]\nmembers = ", 18);
        text[300] = '\n';
        text[301] = 0;
        write_file("groups.d/g.conf", text);
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        ck_assert_uint_eq(load(&c, &errs), 2); /* the line, and so no members */
        ck_assert(strstr(errs.lines[0], "g.conf:2: syntax: line longer than 198"));
        ck_assert(strstr(errs.lines[1], "g.conf:1: members: group 'g' has no members"));
        config_errors_clear(&errs);

        /* every error is reported, not only the first */
        write_file("groups.d/g.conf", "[group]\nmembers = a\n");
        write_file("berth.conf", "[daemon]\ngpu = none\n[defaults]\nmemory = 12Q\ncpus = x\n[bogus]\n");
        write_file("users.d/bob.conf", "[user]\ngroup = nope\n");
        ck_assert_uint_eq(load(&c, &errs), 5);
        ck_assert_ptr_null(c);
        config_errors_clear(&errs);
}
END_TEST

START_TEST(test_missing_and_odd_files) {
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        char p[600];

        /* files that are not *.conf, and hidden files, are not read */
        write_file("groups.d/README", "not ini at all\n");
        write_file("groups.d/.x.conf", "garbage\n");
        write_file("groups.d/old.conf.bak", "garbage\n");
        load(&c, &errs);
        for (size_t i = 0; i < errs.n; i++)
                fprintf(stderr, "%s\n", errs.lines[i]);
        ck_assert_uint_eq(errs.n, 0);
        ck_assert_uint_eq(c->n_groups, 0);
        config_free(c);
        c = NULL;

        snprintf(p, sizeof(p), "%s/berth.conf", tree);
        unlink(p);
        expect_one_error("berth.conf:0: file: cannot read", NULL);

        /* an empty berth.conf gives every built-in value */
        write_file("berth.conf", "");
        ck_assert_uint_eq(load(&c, &errs), 0);
        ck_assert_str_eq(c->control_socket, "/run/berth/slicemgr.sock");
        ck_assert_str_eq(c->default_group, "default");
        config_free(c);

        /* a byte order mark and CRLF line ends are fine */
        write_file("berth.conf", "\xEF\xBB\xBF[daemon]\r\ngpus = none\r\n");
        c = NULL;
        ck_assert_uint_eq(load(&c, &errs), 0);
        ck_assert_int_eq(c->gpus, GPU_MODE_NONE);
        config_free(c);
}
END_TEST

/* Resolution: override > group > defaults > built-in, key by key. */
START_TEST(test_resolution) {
        write_file("berth.conf", "[daemon]\ndefault_group = default\n[defaults]\ncpus = 4\nmemory = 16G\ncontainers = 2\n");
        write_file("groups.d/students.conf",
                   "[group]\nmembers = @students alice bob\npriority = 10\n"
                   "[user]\ncpus = 8\nmemory = 32G\ngpus = 2\ncontainer_cpus = 4\n[total]\ncpus = 32\ngpus = 4\n");
        write_file("groups.d/staff.conf", "[group]\nmembers = @staff\npriority = 20\n[user]\ncpus = 16\n");
        write_file("groups.d/alpha.conf", "[group]\nmembers = @staff\npriority = 20\n[user]\ncpus = 12\n");
        write_file("users.d/alice.conf", "[user]\ngpus = 4\nexpires = 2027-03-01\nreason = thesis\n");
        write_file("users.d/bob.conf", "[user]\ngroup = staff\nmemory = 48G\n");
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        ck_assert_uint_eq(load(&c, &errs), 0);

        struct resolved_user r;
        char *none[] = { NULL };
        char *students[] = { (char *) "students", NULL };
        char *staff[] = { (char *) "users", (char *) "staff", (char *) "students", NULL };
        time_t before = 1700000000; /* 2023 */
        time_t after = 1900000000;  /* 2030 */

        /* alice: listed by name; override valid before expiry */
        ck_assert_int_eq(config_resolve_user_groups(c, "alice", 1001, none, before, &r), 0);
        ck_assert_str_eq(r.group, "students");
        ck_assert(r.in_configured_group);
        ck_assert_ptr_nonnull(r.override);
        ck_assert(r.limits.gpus == 4);
        ck_assert_int_eq(r.source[LIMIT_GPUS], SOURCE_OVERRIDE);
        ck_assert(r.limits.cpus == 8);
        ck_assert_int_eq(r.source[LIMIT_CPUS], SOURCE_GROUP);
        ck_assert_uint_eq(r.limits.containers, 2);
        ck_assert_int_eq(r.source[LIMIT_CONTAINERS], SOURCE_DEFAULTS);
        ck_assert_uint_eq(r.limits.tasks, 4096);
        ck_assert_int_eq(r.source[LIMIT_TASKS], SOURCE_BUILTIN);
        ck_assert_uint_eq(r.limits.memory_high, 32 * GIB / 10 * 9);
        ck_assert(r.limits.container_cpus == 4);
        ck_assert_uint_eq(r.limits.container_memory, 32 * GIB); /* derived: the user's memory */
        ck_assert(r.total.cpus == 32);
        ck_assert(!(r.total.set & (1u << LIMIT_MEMORY))); /* unlimited */
        resolved_user_done(&r);

        /* after the expiry date the override is ignored */
        ck_assert_int_eq(config_resolve_user_groups(c, "alice", 1001, none, after, &r), 0);
        ck_assert_ptr_null(r.override);
        ck_assert(r.limits.gpus == 2);
        resolved_user_done(&r);

        /* through a unix group */
        ck_assert_int_eq(config_resolve_user_groups(c, "dave", 1003, students, before, &r), 0);
        ck_assert_str_eq(r.group, "students");
        resolved_user_done(&r);

        /* the highest priority wins; a tie goes to the first by name */
        ck_assert_int_eq(config_resolve_user_groups(c, "erin", 1004, staff, before, &r), 0);
        ck_assert_str_eq(r.group, "alpha");
        ck_assert(r.limits.cpus == 12);
        resolved_user_done(&r);

        /* an override may move a user to another group */
        ck_assert_int_eq(config_resolve_user_groups(c, "bob", 1002, none, before, &r), 0);
        ck_assert_str_eq(r.group, "staff");
        ck_assert(r.limits.cpus == 16);
        ck_assert_uint_eq(r.limits.memory, 48 * GIB);
        ck_assert_uint_eq(r.limits.memory_high, 48 * GIB / 10 * 9);
        resolved_user_done(&r);

        /* nobody's: default_group and [defaults] */
        ck_assert_int_eq(config_resolve_user_groups(c, "zed", 1009, none, before, &r), 0);
        ck_assert_str_eq(r.group, "default");
        ck_assert(!r.in_configured_group);
        ck_assert(r.limits.cpus == 4);
        ck_assert_int_eq(r.source[LIMIT_CPUS], SOURCE_DEFAULTS);
        ck_assert_uint_eq(r.limits.memory, 16 * GIB);
        ck_assert(r.limits.gpus == 0);
        ck_assert(r.limits.container_cpus == 4);
        resolved_user_done(&r);
        config_free(c);
}
END_TEST

START_TEST(test_resolution_nss) {
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };
        /* root is in group "root" on every Debian box */
        write_file("groups.d/admins.conf", "[group]\nmembers = @root\n[user]\ncpus = 3\n");
        ck_assert_uint_eq(load(&c, &errs), 0);
        struct resolved_user r;
        ck_assert_int_eq(config_resolve_user(c, "root", 0, &r), 0);
        ck_assert_str_eq(r.group, "admins");
        ck_assert_uint_eq(r.uid, 0);
        ck_assert(r.limits.cpus == 3);
        resolved_user_done(&r);
        ck_assert_int_eq(config_resolve_user(c, "no-such-user-berth", 0, &r), -ENOENT);

        char **users = NULL;
        ck_assert_int_ge(config_group_expand_members(config_find_group(c, "admins"), &users), 1);
        ck_assert(strv_contains(users, "root"));
        strv_free(users);
        config_free(c);
}
END_TEST

/* The fuzzer's entry point, on malformed bytes. */
START_TEST(test_parse_buffer_garbage) {
        static const char *const inputs[] = { "\0\0\0", "[", "]", "=", "[a]\n=\n", "\n\n\n[daemon]\n  cont\n",
                                              "[user]\nmemory = 1G\n  continued\n", "\xff\xfe[daemon]" };
        for (size_t i = 0; i < ELEMENTSOF(inputs); i++)
                for (enum config_file_kind k = CONFIG_FILE_MAIN; k <= CONFIG_FILE_USER; k++) {
                        struct berth_config *c = NULL;
                        struct config_errors errs = { 0 };
                        ck_assert_int_eq(config_new("/nonexistent", &c), 0);
                        int r = config_parse_buffer(c, k, "fuzz.conf", "fuzz", inputs[i], strlen(inputs[i]) + (i == 0 ? 3 : 0), &errs);
                        ck_assert_int_ge(r, 0);
                        ck_assert_uint_eq((size_t) r, errs.n);
                        config_errors_clear(&errs);
                        config_free(c);
                }
}
END_TEST

Suite *config_suite(void) {
        Suite *s = suite_create("config");
        TCase *tc = tcase_create("units");
        tcase_add_test(tc, test_sizes);
        tcase_add_test(tc, test_durations);
        tcase_add_test(tc, test_cpus_gpus_bools_dates);
        tcase_add_test(tc, test_format);
        suite_add_tcase(s, tc);

        tc = tcase_create("loader");
        tcase_add_checked_fixture(tc, setup_tree, teardown_tree);
        tcase_add_test(tc, test_every_key);
        tcase_add_test(tc, test_reaper);
        tcase_add_test(tc, test_metrics_keys);
        tcase_add_test(tc, test_long_lines_and_many_errors);
        tcase_add_test(tc, test_missing_and_odd_files);
        tcase_add_test(tc, test_resolution);
        tcase_add_test(tc, test_resolution_nss);
        suite_add_tcase(s, tc);

        tc = tcase_create("forms");
        tcase_add_test(tc, test_example_tree);
        tcase_add_test(tc, test_invalid_forms);
        tcase_add_test(tc, test_parse_buffer_garbage);
        suite_add_tcase(s, tc);
        return s;
}
