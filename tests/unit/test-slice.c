/* SPDX-License-Identifier: MIT */
/* The pure parts of lib/slice.c: cgroup file parsers (v1 and v2), the
 * read-back tolerances, the mapping from config limits, the reload plan
 * (checked against a model of cgroup v1's CPU-quota rule), and
 * slice_read_back()/slice_verify() over fake cgroup trees. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/config.h"
#include "system/slice.h"
#include "basic/util.h"
#include "basic/cpulist.h"

#define GIB (UINT64_C(1) << 30)
#define BIT(k) (1u << (k))

/* ---- parsers ------------------------------------------------------------- */

START_TEST(test_parse_max_u64) {
        uint64_t v = 7;

        ck_assert_int_eq(slice_parse_max_u64("max\n", &v), 0);
        ck_assert_uint_eq(v, LIMIT_INFINITY);
        ck_assert_int_eq(slice_parse_max_u64("500\n", &v), 0);
        ck_assert_uint_eq(v, 500);
        ck_assert_int_eq(slice_parse_max_u64("0", &v), 0);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(slice_parse_max_u64("18446744073709551615", &v), 0);
        ck_assert_uint_eq(v, UINT64_MAX);

        v = 7;
        ck_assert_int_eq(slice_parse_max_u64("", &v), -EINVAL);
        ck_assert_int_eq(slice_parse_max_u64("\n", &v), -EINVAL);
        ck_assert_int_eq(slice_parse_max_u64("-1", &v), -EINVAL);
        ck_assert_int_eq(slice_parse_max_u64("12x", &v), -EINVAL);
        ck_assert_int_eq(slice_parse_max_u64("maxi", &v), -EINVAL);
        ck_assert_int_eq(slice_parse_max_u64("1 2", &v), -EINVAL);
        ck_assert_int_eq(slice_parse_max_u64("18446744073709551616", &v), -ERANGE);
        ck_assert_int_eq(slice_parse_max_u64(NULL, &v), -EINVAL);
        ck_assert_uint_eq(v, 7); /* untouched on failure */
}
END_TEST

START_TEST(test_parse_v1_memory) {
        uint64_t v = 0;

        /* LONG_MAX rounded down to 4 KiB and to 64 KiB pages */
        ck_assert_int_eq(slice_parse_v1_memory("9223372036854771712\n", &v), 0);
        ck_assert_uint_eq(v, LIMIT_INFINITY);
        ck_assert_int_eq(slice_parse_v1_memory("9223372036854710272\n", &v), 0);
        ck_assert_uint_eq(v, LIMIT_INFINITY);
        ck_assert_int_eq(slice_parse_v1_memory("9223372036854710271\n", &v), 0);
        ck_assert_uint_eq(v, UINT64_C(9223372036854710271));
        ck_assert_int_eq(slice_parse_v1_memory("1073741824\n", &v), 0);
        ck_assert_uint_eq(v, GIB);
        ck_assert_int_eq(slice_parse_v1_memory("-1", &v), -EINVAL);
}
END_TEST

START_TEST(test_parse_cpu_max) {
        double c = -1;

        ck_assert_int_eq(slice_parse_cpu_max("max 100000\n", &c), 0);
        ck_assert(c == CPUS_INFINITY);
        ck_assert_int_eq(slice_parse_cpu_max("800000 100000\n", &c), 0);
        ck_assert_double_eq_tol(c, 8.0, 1e-9);
        ck_assert_int_eq(slice_parse_cpu_max("50000 100000", &c), 0);
        ck_assert_double_eq_tol(c, 0.5, 1e-9);
        ck_assert_int_eq(slice_parse_cpu_max("25000 50000", &c), 0);
        ck_assert_double_eq_tol(c, 0.5, 1e-9);

        c = -1;
        ck_assert_int_eq(slice_parse_cpu_max("max", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("max\n", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("800000", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("0 100000", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("1000 0", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("1000  100000", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("1000 100000 7", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("-1 100000", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cpu_max("", &c), -EINVAL);
        ck_assert(c == -1);
}
END_TEST

START_TEST(test_parse_cfs) {
        double c = -1;

        ck_assert_int_eq(slice_parse_cfs("-1\n", "100000\n", &c), 0);
        ck_assert(c == CPUS_INFINITY);
        ck_assert_int_eq(slice_parse_cfs("400000\n", "100000\n", &c), 0);
        ck_assert_double_eq_tol(c, 4.0, 1e-9);
        ck_assert_int_eq(slice_parse_cfs("25000", "100000", &c), 0);
        ck_assert_double_eq_tol(c, 0.25, 1e-9);
        ck_assert_int_eq(slice_parse_cfs("1000", "1000", &c), 0);
        ck_assert_double_eq_tol(c, 1.0, 1e-9);

        c = -1;
        ck_assert_int_eq(slice_parse_cfs("max", "100000", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cfs("0", "100000", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cfs("-2", "100000", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cfs("1000", "0", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cfs("1000", "", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cfs("-1", "x", &c), -EINVAL);
        ck_assert_int_eq(slice_parse_cfs(NULL, "100000", &c), -EINVAL);
        ck_assert(c == -1);
}
END_TEST

START_TEST(test_parse_cpu_list) {
        uint8_t *m = NULL;
        size_t n = 99;

        ck_assert_int_eq(cpulist_parse("0-3,8\n", CPULIST_LOOSE, &m, &n, NULL), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(m[0], 0x0f);
        ck_assert_uint_eq(m[1], 0x01);
        free(m);

        ck_assert_int_eq(cpulist_parse("7 9,15", CPULIST_LOOSE, &m, &n, NULL), 0); /* systemd also takes spaces */
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(m[0], 0x80);
        ck_assert_uint_eq(m[1], 0x82);
        free(m);

        ck_assert_int_eq(cpulist_parse("0-15,4-5", CPULIST_LOOSE, &m, &n, NULL), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(m[0], 0xff);
        ck_assert_uint_eq(m[1], 0xff);
        free(m);

        m = (uint8_t *) 1;
        ck_assert_int_eq(cpulist_parse("", CPULIST_LOOSE, &m, &n, NULL), 0);
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(cpulist_parse("\n", CPULIST_LOOSE, &m, &n, NULL), 0);
        ck_assert_uint_eq(n, 0);

        ck_assert_int_eq(cpulist_parse("8191", CPULIST_LOOSE, &m, &n, NULL), 0);
        ck_assert_uint_eq(n, 1024);
        ck_assert_uint_eq(m[1023], 0x80);
        free(m);

        m = NULL;
        n = 5;
        ck_assert_int_eq(cpulist_parse("3-1", CPULIST_LOOSE, &m, &n, NULL), -EINVAL);
        ck_assert_int_eq(cpulist_parse("0-", CPULIST_LOOSE, &m, &n, NULL), -EINVAL);
        ck_assert_int_eq(cpulist_parse("-1", CPULIST_LOOSE, &m, &n, NULL), -EINVAL);
        ck_assert_int_eq(cpulist_parse("a", CPULIST_LOOSE, &m, &n, NULL), -EINVAL);
        ck_assert_int_eq(cpulist_parse("1;2", CPULIST_LOOSE, &m, &n, NULL), -EINVAL);
        ck_assert_int_eq(cpulist_parse("8192", CPULIST_LOOSE, &m, &n, NULL), -ERANGE);
        ck_assert_int_eq(cpulist_parse(NULL, CPULIST_LOOSE, &m, &n, NULL), -EINVAL);
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(n, 5);
}
END_TEST

/* ---- comparison ------------------------------------------------------------ */

START_TEST(test_matches) {
        struct slice_limits w = SLICE_LIMITS_UNLIMITED, f = SLICE_LIMITS_UNLIMITED;

        /* cpus: within SLICE_CPUS_TOLERANCE; no quota only matches no quota */
        w.cpus = 4;
        f.cpus = 4.0005;
        ck_assert(slice_value_matches(SLICE_CPUS, &w, &f, 4096));
        f.cpus = 3.9995;
        ck_assert(slice_value_matches(SLICE_CPUS, &w, &f, 4096));
        f.cpus = 4.01;
        ck_assert(!slice_value_matches(SLICE_CPUS, &w, &f, 4096));
        f.cpus = CPUS_INFINITY;
        ck_assert(!slice_value_matches(SLICE_CPUS, &w, &f, 4096));
        w.cpus = CPUS_INFINITY;
        ck_assert(slice_value_matches(SLICE_CPUS, &w, &f, 4096));
        f.cpus = 0.01;
        ck_assert(!slice_value_matches(SLICE_CPUS, &w, &f, 4096));
        /* systemd floors quota * period: 0.333 CPUs reads back as 33300/100000 */
        w.cpus = 0.333;
        f.cpus = 33300.0 / 100000.0;
        ck_assert(slice_value_matches(SLICE_CPUS, &w, &f, 4096));

        /* memory: the kernel rounds down to a page, never up */
        w.memory_max = 100000001;
        f.memory_max = 100000001 / 4096 * 4096;
        ck_assert(slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));
        f.memory_max = 100000001 / 4096 * 4096 - 4096;
        ck_assert(!slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));
        f.memory_max = 100000001 / 65536 * 65536;
        ck_assert(!slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));
        ck_assert(slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 65536));
        f.memory_max = 100001000;
        ck_assert(!slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));
        f.memory_max = LIMIT_INFINITY;
        ck_assert(!slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));
        w.memory_max = LIMIT_INFINITY;
        ck_assert(slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));
        f.memory_max = 8 * GIB;
        ck_assert(!slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));
        /* a value past what any kernel holds reads back as unlimited */
        w.memory_max = UINT64_C(1) << 63;
        f.memory_max = LIMIT_INFINITY;
        ck_assert(slice_value_matches(SLICE_MEMORY_MAX, &w, &f, 4096));

        w.memory_high = 28 * GIB;
        f.memory_high = 28 * GIB;
        ck_assert(slice_value_matches(SLICE_MEMORY_HIGH, &w, &f, 4096));
        f.memory_high = 32 * GIB;
        ck_assert(!slice_value_matches(SLICE_MEMORY_HIGH, &w, &f, 4096));

        /* tasks: exactly */
        w.tasks_max = 4096;
        f.tasks_max = 4096;
        ck_assert(slice_value_matches(SLICE_TASKS_MAX, &w, &f, 4096));
        f.tasks_max = 4095;
        ck_assert(!slice_value_matches(SLICE_TASKS_MAX, &w, &f, 4096));
        f.tasks_max = LIMIT_INFINITY;
        ck_assert(!slice_value_matches(SLICE_TASKS_MAX, &w, &f, 4096));

        /* lists: as sets; not asked for, not compared */
        char c03[] = "0-3", c0123[] = "0,1,2,3", c04[] = "0-4", empty[] = "";
        ck_assert(slice_value_matches(SLICE_ALLOWED_CPUS, &w, &f, 4096));
        w.allowed_cpus = c03;
        f.allowed_cpus = c0123;
        ck_assert(slice_value_matches(SLICE_ALLOWED_CPUS, &w, &f, 4096));
        f.allowed_cpus = c04;
        ck_assert(!slice_value_matches(SLICE_ALLOWED_CPUS, &w, &f, 4096));
        f.allowed_cpus = NULL;
        ck_assert(!slice_value_matches(SLICE_ALLOWED_CPUS, &w, &f, 4096));
        w.allowed_mems = empty;
        ck_assert(slice_value_matches(SLICE_ALLOWED_MEMS, &w, &f, 4096));

        ck_assert(!slice_value_matches(_SLICE_KEY_MAX, &w, &f, 4096));
}
END_TEST

START_TEST(test_key_files) {
        ck_assert_str_eq(slice_key_file(SLICE_CPUS, true), "cpu.max");
        ck_assert_str_eq(slice_key_file(SLICE_CPUS, false), "cpu.cfs_quota_us");
        ck_assert_str_eq(slice_key_file(SLICE_MEMORY_MAX, true), "memory.max");
        ck_assert_str_eq(slice_key_file(SLICE_MEMORY_MAX, false), "memory.limit_in_bytes");
        ck_assert_str_eq(slice_key_file(SLICE_MEMORY_HIGH, true), "memory.high");
        ck_assert_ptr_null(slice_key_file(SLICE_MEMORY_HIGH, false));
        ck_assert_str_eq(slice_key_file(SLICE_TASKS_MAX, true), "pids.max");
        ck_assert_str_eq(slice_key_file(SLICE_TASKS_MAX, false), "pids.max");
        ck_assert_str_eq(slice_key_file(SLICE_ALLOWED_CPUS, true), "cpuset.cpus");
        ck_assert_ptr_null(slice_key_file(SLICE_ALLOWED_MEMS, false));

        ck_assert_str_eq(slice_key_controller(SLICE_CPUS, false), "cpu");
        ck_assert_str_eq(slice_key_controller(SLICE_MEMORY_MAX, false), "memory");
        ck_assert_str_eq(slice_key_controller(SLICE_TASKS_MAX, false), "pids");
        ck_assert_ptr_null(slice_key_controller(SLICE_CPUS, true));

        ck_assert_str_eq(slice_key_name(SLICE_TASKS_MAX), "tasks_max");
        ck_assert_ptr_null(slice_key_name(_SLICE_KEY_MAX));
}
END_TEST

/* ---- mapping from the config ---------------------------------------------- */

START_TEST(test_from_config) {
        struct limits user = {
                .cpus = 8, .memory = 32 * GIB, .memory_high = 28 * GIB, .tasks = 4096, .gpus = 2,
        };
        struct slice_limits l;

        slice_limits_from_user(&user, &l);
        ck_assert_double_eq_tol(l.cpus, 8.0, 1e-9);
        ck_assert_uint_eq(l.memory_max, 32 * GIB);
        ck_assert_uint_eq(l.memory_high, 28 * GIB);
        ck_assert_uint_eq(l.tasks_max, 4096);
        ck_assert_ptr_null(l.allowed_cpus);
        ck_assert_ptr_null(l.allowed_mems);

        user.cpus = CPUS_INFINITY;
        user.memory = user.memory_high = LIMIT_INFINITY;
        slice_limits_from_user(&user, &l);
        ck_assert(l.cpus == CPUS_INFINITY);
        ck_assert_uint_eq(l.memory_max, LIMIT_INFINITY);
        ck_assert_uint_eq(l.memory_high, LIMIT_INFINITY);

        /* [total]: only the keys given; the rest unlimited */
        struct limits total = {
                .set = (1u << LIMIT_CPUS) | (1u << LIMIT_MEMORY) | (1u << LIMIT_GPUS),
                .cpus = 32, .memory = 128 * GIB, .tasks = 5, .memory_high = 7, .gpus = 4,
        };
        slice_limits_from_total(&total, &l);
        ck_assert_double_eq_tol(l.cpus, 32.0, 1e-9);
        ck_assert_uint_eq(l.memory_max, 128 * GIB);
        ck_assert_uint_eq(l.memory_high, LIMIT_INFINITY);
        ck_assert_uint_eq(l.tasks_max, LIMIT_INFINITY);

        total.set = (1u << LIMIT_TASKS) | (1u << LIMIT_MEMORY_HIGH);
        slice_limits_from_total(&total, &l);
        ck_assert(l.cpus == CPUS_INFINITY);
        ck_assert_uint_eq(l.memory_max, LIMIT_INFINITY);
        ck_assert_uint_eq(l.memory_high, 7);
        ck_assert_uint_eq(l.tasks_max, 5);

        total.set = 0;
        slice_limits_from_total(&total, &l);
        ck_assert(l.cpus == CPUS_INFINITY);
        ck_assert_uint_eq(l.memory_max, LIMIT_INFINITY);
        ck_assert_uint_eq(l.tasks_max, LIMIT_INFINITY);
}
END_TEST

/* ---- the reload plan -------------------------------------------------------- */

static struct slice_limits lim(double cpus, uint64_t mem, uint64_t tasks) {
        struct slice_limits l = SLICE_LIMITS_UNLIMITED;
        l.cpus = cpus;
        l.memory_max = mem;
        l.memory_high = mem;
        l.tasks_max = tasks;
        return l;
}

START_TEST(test_looser) {
        struct slice_limits a = lim(4, 2 * GIB, 500), b = lim(6, GIB, 1000), r;

        slice_limits_looser(&a, &b, &r);
        ck_assert_double_eq_tol(r.cpus, 6.0, 1e-9);
        ck_assert_uint_eq(r.memory_max, 2 * GIB);
        ck_assert_uint_eq(r.memory_high, 2 * GIB);
        ck_assert_uint_eq(r.tasks_max, 1000);

        a.cpus = CPUS_INFINITY; /* no quota is looser than any */
        slice_limits_looser(&a, &b, &r);
        ck_assert(r.cpus == CPUS_INFINITY);
        slice_limits_looser(&b, &a, &r);
        ck_assert(r.cpus == CPUS_INFINITY);

        /* read back on v1: memory_high unknown, so the new one is used */
        a = lim(1, 4 * GIB, 10);
        a.known = BIT(SLICE_CPUS) | BIT(SLICE_MEMORY_MAX) | BIT(SLICE_TASKS_MAX);
        b = lim(2, GIB, 20);
        b.memory_high = GIB / 2;
        slice_limits_looser(&a, &b, &r);
        ck_assert_uint_eq(r.memory_max, 4 * GIB);
        ck_assert_uint_eq(r.memory_high, GIB / 2);
        ck_assert_uint_eq(r.known, 0);
}
END_TEST

START_TEST(test_plan_shapes) {
        struct slice_step s[5];
        struct slice_limits children[3] = { lim(5, 3 * GIB, 500), lim(2, GIB, 100), lim(1, GIB, 10) };
        struct slice_limits now = lim(4, 2 * GIB, 500), up = lim(6, 4 * GIB, 1000), down = lim(1, GIB, 100);

        /* raising: parent first, children after, nothing more */
        size_t n = slice_plan_tree(&now, &up, children, 3, s);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(s[0].child, -1);
        ck_assert_double_eq_tol(s[0].limits.cpus, 6.0, 1e-9);
        ck_assert_uint_eq(s[0].limits.memory_max, 4 * GIB);
        for (size_t i = 0; i < 3; i++) {
                ck_assert_int_eq(s[i + 1].child, (ssize_t) i);
                ck_assert_double_eq_tol(s[i + 1].limits.cpus, children[i].cpus, 1e-9);
        }

        /* lowering: the parent keeps its old values until the children are down */
        struct slice_limits low[2] = { lim(0.5, GIB / 2, 50), lim(0.25, GIB / 4, 20) };
        n = slice_plan_tree(&now, &down, low, 2, s);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(s[0].child, -1);
        ck_assert_double_eq_tol(s[0].limits.cpus, 4.0, 1e-9);
        ck_assert_uint_eq(s[0].limits.memory_max, 2 * GIB);
        ck_assert_uint_eq(s[0].limits.tasks_max, 500);
        ck_assert_int_eq(s[1].child, 0);
        ck_assert_int_eq(s[2].child, 1);
        ck_assert_int_eq(s[3].child, -1);
        ck_assert_double_eq_tol(s[3].limits.cpus, 1.0, 1e-9);
        ck_assert_uint_eq(s[3].limits.memory_max, GIB);
        ck_assert_uint_eq(s[3].limits.tasks_max, 100);

        /* mixed: each key on its own */
        struct slice_limits mixed = lim(2, 4 * GIB, 100);
        n = slice_plan_tree(&now, &mixed, NULL, 0, s);
        ck_assert_uint_eq(n, 2);
        ck_assert_double_eq_tol(s[0].limits.cpus, 4.0, 1e-9);
        ck_assert_uint_eq(s[0].limits.memory_max, 4 * GIB);
        ck_assert_uint_eq(s[0].limits.tasks_max, 500);
        ck_assert_double_eq_tol(s[1].limits.cpus, 2.0, 1e-9);
        ck_assert_uint_eq(s[1].limits.tasks_max, 100);

        /* no parent yet: it is created with its new limits first */
        n = slice_plan_tree(NULL, &down, low, 2, s);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(s[0].child, -1);
        ck_assert_double_eq_tol(s[0].limits.cpus, 1.0, 1e-9);
        ck_assert_int_eq(s[2].child, 1);

        /* a parent without quota now keeps none until the end */
        now.cpus = CPUS_INFINITY;
        n = slice_plan_tree(&now, &down, low, 2, s);
        ck_assert_uint_eq(n, 4);
        ck_assert(s[0].limits.cpus == CPUS_INFINITY);
        ck_assert_double_eq_tol(s[3].limits.cpus, 1.0, 1e-9);

        /* strings are borrowed from the new limits */
        char cpus[] = "0-3";
        down.allowed_cpus = cpus;
        n = slice_plan_tree(NULL, &down, NULL, 0, s);
        ck_assert_uint_eq(n, 1);
        ck_assert_ptr_eq(s[0].limits.allowed_cpus, cpus);
}
END_TEST

static uint64_t rng_state;
static unsigned rng_below(unsigned n) {
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return (unsigned) ((z ^ (z >> 31)) % n);
}

/* CPUs in hundredths; 0 = no quota.  cgroup v1's rule (kernel
 * tg_cfs_schedulable_down): a child's quota may not exceed its parent's,
 * a child without quota takes its parent's. */
static bool v1_allows(double parent, double child) {
        return parent == CPUS_INFINITY || (child != CPUS_INFINITY && child <= parent + 1e-9) ||
               child == CPUS_INFINITY;
}

static double random_cpus(double at_most) {
        if (at_most == CPUS_INFINITY && rng_below(4) == 0)
                return CPUS_INFINITY;
        double top = at_most == CPUS_INFINITY ? 64 : at_most;
        return (double) (1 + rng_below((unsigned) (top * 100))) / 100.0;
}

/* Any valid old tree, any valid new tree: every step of the plan is one
 * the v1 kernel accepts, and the end state is the new tree. */
START_TEST(test_plan_never_refused) {
        rng_state = 42;
        for (int round = 0; round < 20000; round++) {
                size_t n = rng_below(5);
                double old_parent = random_cpus(CPUS_INFINITY), new_parent = random_cpus(CPUS_INFINITY);
                double state[5], want[5];
                struct slice_limits children_new[4], parent_now = lim(old_parent, GIB, 100),
                                                     parent_new = lim(new_parent, GIB, 100);
                struct slice_step steps[6];
                double parent = old_parent;

                for (size_t i = 0; i < n; i++) {
                        state[i] = rng_below(5) == 0 ? CPUS_INFINITY : random_cpus(old_parent);
                        want[i] = rng_below(5) == 0 ? CPUS_INFINITY : random_cpus(new_parent);
                        children_new[i] = lim(want[i], GIB, 100);
                }
                size_t k = slice_plan_tree(&parent_now, &parent_new, children_new, n, steps);
                for (size_t s = 0; s < k; s++) {
                        double v = steps[s].limits.cpus;
                        if (steps[s].child < 0) {
                                for (size_t i = 0; i < n; i++)
                                        ck_assert_msg(v1_allows(v, state[i]),
                                                      "round %d step %zu: parent %.2f below child %.2f", round, s, v,
                                                      state[i]);
                                parent = v;
                        } else {
                                ck_assert_msg(v1_allows(parent, v), "round %d step %zu: child %.2f above parent %.2f",
                                              round, s, v, parent);
                                state[steps[s].child] = v;
                        }
                }
                ck_assert(parent == new_parent);
                for (size_t i = 0; i < n; i++)
                        ck_assert(state[i] == want[i]);
        }
}
END_TEST

/* ---- fake cgroup trees --------------------------------------------------------- */

static char tree[64];

static void put(const char *rel, const char *text) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", tree, rel);
        for (char *s = strchr(p + strlen(tree) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                mkdir(p, 0755);
                *s = '/';
        }
        FILE *f = fopen(p, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

static void setup_tree(void) {
        snprintf(tree, sizeof(tree), "/tmp/berth-unit-slice.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tree));
}

static void teardown_tree(void) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        ck_assert_int_eq(system(cmd), 0);
}

#define ALICE "/berth.slice/berth-students.slice/berth-students-alice.slice"

START_TEST(test_read_back_v2) {
        _cleanup_(slice_limits_done) struct slice_limits l = SLICE_LIMITS_UNLIMITED;

        put("cgroup.controllers", "cpuset cpu io memory pids\n");
        put("berth.slice" "/berth-students.slice/berth-students-alice.slice/cpu.max", "800000 100000\n");
        put("berth.slice/berth-students.slice/berth-students-alice.slice/memory.max", "max\n");
        put("berth.slice/berth-students.slice/berth-students-alice.slice/memory.high", "30064771072\n");
        put("berth.slice/berth-students.slice/berth-students-alice.slice/pids.max", "4096\n");
        put("berth.slice/berth-students.slice/berth-students-alice.slice/cpuset.cpus", "0-3,8\n");
        put("berth.slice/berth-students.slice/berth-students-alice.slice/cpuset.mems", "\n");

        ck_assert(slice_cgroup_unified(tree));
        ck_assert_int_eq(slice_read_back(tree, ALICE, &l), 0);
        ck_assert_uint_eq(l.known, BIT(_SLICE_KEY_MAX) - 1);
        ck_assert_double_eq_tol(l.cpus, 8.0, 1e-9);
        ck_assert_uint_eq(l.memory_max, LIMIT_INFINITY);
        ck_assert_uint_eq(l.memory_high, 28 * GIB);
        ck_assert_uint_eq(l.tasks_max, 4096);
        ck_assert_str_eq(l.allowed_cpus, "0-3,8");
        ck_assert_ptr_null(l.allowed_mems);

        /* verify: what was set matches; a different value is named */
        struct slice_limits want = lim(8, LIMIT_INFINITY, 4096);
        struct berth_error e = {};
        want.memory_high = 28 * GIB;
        ck_assert_int_eq(slice_verify(tree, ALICE, "alice.slice", &want, &e), 0);
        char list[] = "0-3,8", other[] = "0-4";
        want.allowed_cpus = list;
        ck_assert_int_eq(slice_verify(tree, ALICE, "alice.slice", &want, &e), 0);
        want.allowed_cpus = other;
        ck_assert_int_eq(slice_verify(tree, ALICE, "alice.slice", &want, &e), -EREMOTEIO);
        ck_assert_msg(strstr(e.message, "cpuset.cpus holds '0-3,8' instead of '0-4'"), "%s", e.message);
        want.allowed_cpus = NULL;
        want.memory_high = 27 * GIB;
        ck_assert_int_eq(slice_verify(tree, ALICE, "alice.slice", &want, &e), -EREMOTEIO);
        ck_assert_msg(strstr(e.message, "alice.slice: ") == e.message, "%s", e.message);
        ck_assert_msg(strstr(e.message, ALICE "/memory.high holds 30064771072 bytes instead of 28991029248 bytes"),
                      "%s", e.message);
        want.memory_high = 28 * GIB;
        want.cpus = 4;
        ck_assert_int_eq(slice_verify(tree, ALICE, "alice.slice", &want, &e), -EREMOTEIO);
        ck_assert_msg(strstr(e.message, "/cpu.max holds 8 CPUs instead of 4 CPUs"), "%s", e.message);
        ck_assert_msg(!strstr(e.message, "cgroup v1"), "%s", e.message);

        /* the root cgroup has the files at the top */
        put("cpu.max", "max 100000\n");
        slice_limits_done(&l);
        ck_assert_int_eq(slice_read_back(tree, "/", &l), 0);
        ck_assert_uint_eq(l.known, BIT(SLICE_CPUS));
        ck_assert(l.cpus == CPUS_INFINITY);
}
END_TEST

START_TEST(test_read_back_v1) {
        _cleanup_(slice_limits_done) struct slice_limits l = SLICE_LIMITS_UNLIMITED;
        struct berth_error e = {};

        put("cpu" ALICE "/cpu.cfs_quota_us", "-1\n");
        put("cpu" ALICE "/cpu.cfs_period_us", "100000\n");
        put("memory" ALICE "/memory.limit_in_bytes", "9223372036854771712\n");
        put("pids" ALICE "/pids.max", "max\n");

        ck_assert(!slice_cgroup_unified(tree));
        ck_assert_int_eq(slice_read_back(tree, ALICE, &l), 0);
        ck_assert_uint_eq(l.known, BIT(SLICE_CPUS) | BIT(SLICE_MEMORY_MAX) | BIT(SLICE_TASKS_MAX));
        ck_assert(l.cpus == CPUS_INFINITY);
        ck_assert_uint_eq(l.memory_max, LIMIT_INFINITY);
        ck_assert_uint_eq(l.tasks_max, LIMIT_INFINITY);

        put("cpu" ALICE "/cpu.cfs_quota_us", "200000\n");
        put("memory" ALICE "/memory.limit_in_bytes", "1073741824\n");
        put("pids" ALICE "/pids.max", "100\n");
        ck_assert_int_eq(slice_read_back(tree, ALICE, &l), 0);
        ck_assert_double_eq_tol(l.cpus, 2.0, 1e-9);
        ck_assert_uint_eq(l.memory_max, GIB);
        ck_assert_uint_eq(l.tasks_max, 100);

        /* memory_high has nothing to hold it on v1: not compared */
        struct slice_limits want = lim(2, GIB, 100);
        want.memory_high = GIB / 2;
        ck_assert_int_eq(slice_verify(tree, ALICE, "berth-students-alice.slice", &want, &e), 0);

        /* the refusal of a child quota above the parent's, as the kernel leaves it */
        want.cpus = 8;
        ck_assert_int_eq(slice_verify(tree, ALICE, "berth-students-alice.slice", &want, &e), -EREMOTEIO);
        ck_assert_int_eq(e.code, -EREMOTEIO);
        ck_assert_msg(strstr(e.message, "berth-students-alice.slice: ") == e.message, "%s", e.message);
        ck_assert_msg(strstr(e.message, "/cpu" ALICE "/cpu.cfs_quota_us holds 2 CPUs instead of 8 CPUs"), "%s",
                      e.message);
        ck_assert_msg(strstr(e.message, "on cgroup v1 a slice's CPU quota may neither exceed its parent's"), "%s",
                      e.message);

        want.cpus = 2;
        want.tasks_max = LIMIT_INFINITY;
        ck_assert_int_eq(slice_verify(tree, ALICE, "x.slice", &want, &e), -EREMOTEIO);
        ck_assert_msg(strstr(e.message, "pids.max holds 100 tasks instead of no task limit"), "%s", e.message);

        /* a missing controller is no limit: fine for unlimited, an error otherwise */
        char p[256];
        snprintf(p, sizeof(p), "%s/pids" ALICE "/pids.max", tree);
        ck_assert_int_eq(unlink(p), 0);
        ck_assert_int_eq(slice_verify(tree, ALICE, "x.slice", &want, &e), 0);
        want.tasks_max = 100;
        ck_assert_int_eq(slice_verify(tree, ALICE, "x.slice", &want, &e), -EREMOTEIO);
        ck_assert_msg(strstr(e.message, "pids.max is missing, so 100 tasks is not enforced"), "%s", e.message);
}
END_TEST

START_TEST(test_read_back_errors) {
        struct slice_limits l = SLICE_LIMITS_UNLIMITED;
        struct berth_error e = {};

        l.tasks_max = 7;
        ck_assert_int_eq(slice_read_back(tree, "/nothing.slice", &l), -ENOENT);
        ck_assert_int_eq(slice_read_back(tree, "relative.slice", &l), -EINVAL);
        ck_assert_int_eq(slice_read_back(tree, "/berth.slice/../../etc", &l), -EINVAL);
        ck_assert_int_eq(slice_read_back(tree, "/./x", &l), -EINVAL);
        ck_assert_int_eq(slice_read_back(tree, NULL, &l), -EINVAL);

        put("pids/x.slice/pids.max", "lots\n");
        ck_assert_int_eq(slice_read_back(tree, "/x.slice", &l), -EBADMSG);
        put("cpu/y.slice/cpu.cfs_quota_us", "100000\n"); /* no period next to it */
        ck_assert_int_eq(slice_read_back(tree, "/y.slice", &l), -ENOENT);
        ck_assert_uint_eq(l.tasks_max, 7); /* untouched */

        struct slice_limits want = lim(1, GIB, 10);
        ck_assert_int_eq(slice_verify(tree, "/nothing.slice", "nothing.slice", &want, &e), -ENOENT);
        ck_assert_msg(strstr(e.message, "Could not read the limits of nothing.slice back"), "%s", e.message);
}
END_TEST

Suite *slice_suite(void) {
        Suite *s = suite_create("slice");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, test_parse_max_u64);
        tcase_add_test(tc, test_parse_v1_memory);
        tcase_add_test(tc, test_parse_cpu_max);
        tcase_add_test(tc, test_parse_cfs);
        tcase_add_test(tc, test_parse_cpu_list);
        tcase_add_test(tc, test_matches);
        tcase_add_test(tc, test_key_files);
        tcase_add_test(tc, test_from_config);
        suite_add_tcase(s, tc);

        tc = tcase_create("plan");
        tcase_add_test(tc, test_looser);
        tcase_add_test(tc, test_plan_shapes);
        tcase_add_test(tc, test_plan_never_refused);
        suite_add_tcase(s, tc);

        tc = tcase_create("read-back");
        tcase_add_checked_fixture(tc, setup_tree, teardown_tree);
        tcase_add_test(tc, test_read_back_v2);
        tcase_add_test(tc, test_read_back_v1);
        tcase_add_test(tc, test_read_back_errors);
        suite_add_tcase(s, tc);
        return s;
}
