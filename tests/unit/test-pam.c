/* SPDX-License-Identifier: MIT */
/* pam_berth's pure parts: its arguments, the greeting and the limits it
 * hands to pam_systemd.  The module's sources are compiled in here, as the
 * module itself is a shared object the runner does not link. */
#include <check.h>

#include "../../pam/args.c"
#include "../../pam/reply.c"

struct warnings {
        char lines[8][160];
        int n;
};

static void collect(void *userdata, const char *arg, const char *why) {
        struct warnings *w = userdata;
        if (w->n < 8)
                snprintf(w->lines[w->n], sizeof(w->lines[0]), "%s: %s", arg, why);
        w->n++;
}

START_TEST(test_args_defaults) {
        struct pam_berth_args a;
        struct warnings w = { .n = 0 };
        pam_berth_args_parse(0, NULL, &a, collect, &w);
        ck_assert_str_eq(a.config_dir, "/etc/berth");
        ck_assert_int_eq(a.timeout_ms, 2000);
        ck_assert(!a.strict && !a.greeting && !a.session_limits && !a.require_group && !a.debug);
        ck_assert_int_eq(w.n, 0);
}
END_TEST

START_TEST(test_args_all) {
        const char *argv[] = { "config=/srv/berth", "strict", "timeout=1500", "greeting", "session_limits",
                               "require_group", "debug" };
        struct pam_berth_args a;
        struct warnings w = { .n = 0 };
        pam_berth_args_parse((int) ELEMENTSOF(argv), argv, &a, collect, &w);
        ck_assert_str_eq(a.config_dir, "/srv/berth");
        ck_assert_int_eq(a.timeout_ms, 1500);
        ck_assert(a.strict && a.greeting && a.session_limits && a.require_group && a.debug);
        ck_assert_int_eq(w.n, 0);
}
END_TEST

START_TEST(test_args_bad) {
        const char *argv[] = { "frobnicate", "config=etc/berth", "timeout=5min", "strict=yes", "config",
                               "timeout=", "Greeting", NULL };
        struct pam_berth_args a;
        struct warnings w = { .n = 0 };
        pam_berth_args_parse((int) ELEMENTSOF(argv), argv, &a, collect, &w);
        /* every one ignored and named, the defaults kept */
        ck_assert_int_eq(w.n, 7);
        ck_assert_str_eq(w.lines[0], "frobnicate: unknown argument");
        ck_assert_str_eq(w.lines[1], "config=etc/berth: the config directory must be an absolute path");
        ck_assert_str_eq(w.lines[2],
                         "timeout=5min: the timeout must be 1ms to 60s, as milliseconds (1500, 1500ms) or seconds (2s)");
        ck_assert_str_eq(w.lines[6], "Greeting: unknown argument");
        ck_assert_str_eq(a.config_dir, "/etc/berth");
        ck_assert_int_eq(a.timeout_ms, 2000);
        ck_assert(!a.strict && !a.greeting);
}
END_TEST

START_TEST(test_args_last_wins) {
        const char *argv[] = { "timeout=1s", "config=/a", "timeout=300ms", "config=/b" };
        struct pam_berth_args a;
        pam_berth_args_parse((int) ELEMENTSOF(argv), argv, &a, NULL, NULL);
        ck_assert_int_eq(a.timeout_ms, 300);
        ck_assert_str_eq(a.config_dir, "/b");
}
END_TEST

START_TEST(test_timeout) {
        static const struct {
                const char *s;
                int r, ms;
        } cases[] = {
                { "1", 0, 1 },          { "2000", 0, 2000 },     { "2000ms", 0, 2000 }, { "2s", 0, 2000 },
                { "60s", 0, 60000 },    { "60000", 0, 60000 },   { "0", -ERANGE, 0 },   { "0s", -ERANGE, 0 },
                { "61s", -ERANGE, 0 },  { "60001", -ERANGE, 0 }, { "", -EINVAL, 0 },    { "s", -EINVAL, 0 },
                { "-1", -EINVAL, 0 },   { "+5", -EINVAL, 0 },    { " 5", -EINVAL, 0 },  { "1.5s", -EINVAL, 0 },
                { "2 s", -EINVAL, 0 },  { "2min", -EINVAL, 0 },  { "2S", -EINVAL, 0 },  { "99999999999999999999", -EINVAL, 0 },
                { "18446744073709551s", -ERANGE, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int ms = -7;
                int r = pam_berth_parse_timeout(cases[i].s, &ms);
                ck_assert_msg(r == cases[i].r, "'%s': got %d, expected %d", cases[i].s, r, cases[i].r);
                ck_assert_int_eq(ms, r == 0 ? cases[i].ms : -7); /* untouched on failure */
        }
        ck_assert_int_eq(pam_berth_parse_timeout(NULL, &(int) { 0 }), -EINVAL);
}
END_TEST

static json_t *load(const char *text) {
        json_error_t e;
        json_t *j = json_loads(text, 0, &e);
        ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
        return j;
}

START_TEST(test_greeting) {
        static const struct {
                const char *whoami, *line;
        } cases[] = {
                { "{\"group\":\"students\",\"limits\":{\"cpus\":2.0,\"memory\":536870912,\"gpus\":2.0,\"containers\":4},"
                  "\"usage\":{\"gpus\":1.0,\"containers\":1}}",
                  "berth: group students gives you 2 CPUs, 512M of memory and 2 GPUs; you hold 1 of 4 containers and 1 GPU." },
                { "{\"group\":\"default\",\"limits\":{\"cpus\":1,\"memory\":1610612736,\"gpus\":0.0,\"containers\":2},"
                  "\"usage\":{\"gpus\":0.0,\"containers\":0}}",
                  "berth: group default gives you 1 CPU, 1.5G of memory and no GPUs; you hold 0 of 2 containers and 0 GPUs." },
                { "{\"group\":\"staff\",\"limits\":{\"cpus\":null,\"memory\":null,\"gpus\":null,\"containers\":null},"
                  "\"usage\":{\"gpus\":0.4285714,\"containers\":3}}",
                  "berth: group staff gives you unlimited CPUs, unlimited memory and unlimited GPUs; you hold 3 containers and 0.428571 GPUs." },
                { "{\"group\":\"mig\",\"limits\":{\"cpus\":0.5,\"memory\":1024,\"gpus\":1.0,\"containers\":1},"
                  "\"usage\":{\"gpus\":1,\"containers\":1}}",
                  "berth: group mig gives you 0.5 CPUs, 1K of memory and 1 GPU; you hold 1 of 1 containers and 1 GPU." },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_json_ json_t *j = load(cases[i].whoami);
                _cleanup_free_ char *line = NULL;
                ck_assert_int_eq(greeting_format(j, &line), 0);
                ck_assert_str_eq(line, cases[i].line);
        }
}
END_TEST

START_TEST(test_greeting_bad) {
        static const char *const bad[] = {
                "{}",
                "{\"group\":\"g\",\"usage\":{\"gpus\":0,\"containers\":0}}",
                "{\"group\":\"g\",\"limits\":{\"cpus\":\"2\",\"memory\":1,\"gpus\":0,\"containers\":1},\"usage\":{\"gpus\":0,\"containers\":0}}",
                "{\"group\":\"g\",\"limits\":{\"cpus\":2,\"memory\":-1,\"gpus\":0,\"containers\":1},\"usage\":{\"gpus\":0,\"containers\":0}}",
                "{\"group\":\"g\",\"limits\":{\"cpus\":2,\"memory\":1,\"gpus\":0,\"containers\":1},\"usage\":{\"gpus\":null,\"containers\":0}}",
                "{\"group\":7,\"limits\":{\"cpus\":2,\"memory\":1,\"gpus\":0,\"containers\":1},\"usage\":{\"gpus\":0,\"containers\":0}}",
                "{\"ok\":false,\"error\":\"unknown_user\",\"message\":\"berth: uid 5 has no account name.\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_t *j = load(bad[i]);
                char *line = NULL;
                ck_assert_int_eq(greeting_format(j, &line), -EBADMSG);
                ck_assert_ptr_null(line);
        }
        ck_assert_int_eq(greeting_format(NULL, &(char *) { NULL }), -EBADMSG);
}
END_TEST

START_TEST(test_session_limits) {
        struct session_limits l;
        _cleanup_json_ json_t *a = load("{\"cpus\":2.0,\"memory\":536870912,\"tasks\":300}");
        ck_assert_int_eq(session_limits_from_json(a, &l), 0);
        ck_assert_str_eq(l.memory_max, "536870912");
        ck_assert_str_eq(l.tasks_max, "300");
        ck_assert_str_eq(l.cpu_weight, "200");

        _cleanup_json_ json_t *b = load("{\"cpus\":1.5,\"memory\":null,\"tasks\":null}");
        ck_assert_int_eq(session_limits_from_json(b, &l), 0);
        ck_assert_str_eq(l.memory_max, ""); /* unlimited: left to pam_systemd */
        ck_assert_str_eq(l.tasks_max, "");
        ck_assert_str_eq(l.cpu_weight, "150");

        _cleanup_json_ json_t *c = load("{\"cpus\":null,\"memory\":1,\"tasks\":1}");
        ck_assert_int_eq(session_limits_from_json(c, &l), 0);
        ck_assert_str_eq(l.cpu_weight, "");

        /* CPUWeight= takes 1 to 10000 */
        _cleanup_json_ json_t *d = load("{\"cpus\":0.001,\"memory\":1,\"tasks\":1}");
        ck_assert_int_eq(session_limits_from_json(d, &l), 0);
        ck_assert_str_eq(l.cpu_weight, "1");
        _cleanup_json_ json_t *e = load("{\"cpus\":512,\"memory\":1,\"tasks\":1}");
        ck_assert_int_eq(session_limits_from_json(e, &l), 0);
        ck_assert_str_eq(l.cpu_weight, "10000");

        static const char *const bad[] = { "{}", "{\"cpus\":1,\"memory\":\"1G\",\"tasks\":1}",
                                           "{\"cpus\":1,\"memory\":1}", "{\"cpus\":-1,\"memory\":1,\"tasks\":1}", "[]" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_t *j = load(bad[i]);
                struct session_limits untouched = { .memory_max = "x" };
                ck_assert_int_eq(session_limits_from_json(j, &untouched), -EBADMSG);
                ck_assert_str_eq(untouched.memory_max, "x");
        }
}
END_TEST

Suite *pam_suite(void) {
        Suite *s = suite_create("pam");
        TCase *tc = tcase_create("args");
        tcase_add_test(tc, test_args_defaults);
        tcase_add_test(tc, test_args_all);
        tcase_add_test(tc, test_args_bad);
        tcase_add_test(tc, test_args_last_wins);
        tcase_add_test(tc, test_timeout);
        suite_add_tcase(s, tc);

        tc = tcase_create("reply");
        tcase_add_test(tc, test_greeting);
        tcase_add_test(tc, test_greeting_bad);
        tcase_add_test(tc, test_session_limits);
        suite_add_tcase(s, tc);
        return s;
}
