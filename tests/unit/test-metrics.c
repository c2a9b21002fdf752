/* SPDX-License-Identifier: MIT */
/* metrics_render(): the numbers of a status, and valid text whatever the
 * status holds.  valid_exposition() checks the text format's grammar (the
 * integration test runs promtool over the daemon's real output). */
#include <check.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "basic/util.h"
#include "core/metrics.h"
#include "slicemgr/metrics-http.h"

#define LABEL "[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
#define SAMPLE_RE                                                                                                  \
        "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{" LABEL "(," LABEL ")*\\})? "                                         \
        "(\\+Inf|-Inf|NaN|-?[0-9]+(\\.[0-9]+)?(e[-+]?[0-9]+)?)$"

/* Every line a HELP, a TYPE or a sample of the family the last TYPE
 * named (histograms: its _bucket, _sum and _count), each family once. */
static bool valid_exposition(const char *text, char *why, size_t n) {
        regex_t re;
        char family[128] = "", type[16] = "";
        _cleanup_strv_free_ char **families = NULL;
        _cleanup_free_ char *copy = strdup(text);
        bool ok = true;
        char *save = NULL;

        ck_assert(copy);
        ck_assert_int_eq(regcomp(&re, SAMPLE_RE, REG_EXTENDED), 0);
        if (!*text || text[strlen(text) - 1] != '\n') {
                snprintf(why, n, "the text does not end in a newline");
                ok = false;
        }
        for (char *line = strtok_r(copy, "\n", &save); line && ok; line = strtok_r(NULL, "\n", &save)) {
                char name[128], t[16];
                regmatch_t m[2];
                if (strncmp(line, "# HELP ", 7) == 0)
                        continue;
                if (sscanf(line, "# TYPE %127s %15s", name, t) == 2) {
                        if (strv_contains(families, name)) {
                                snprintf(why, n, "family %s twice", name);
                                ok = false;
                        }
                        ck_assert_int_eq(strv_push(&families, name), 0);
                        snprintf(family, sizeof(family), "%s", name);
                        snprintf(type, sizeof(type), "%s", t);
                        continue;
                }
                if (regexec(&re, line, 2, m, 0) != 0) {
                        snprintf(why, n, "not a sample: '%s'", line);
                        ok = false;
                        break;
                }
                snprintf(name, sizeof(name), "%.*s", (int) (m[1].rm_eo - m[1].rm_so), line);
                bool mine = streq(name, family);
                if (streq(type, "histogram")) {
                        char b[160], s[160], c[160];
                        snprintf(b, sizeof(b), "%s_bucket", family);
                        snprintf(s, sizeof(s), "%s_sum", family);
                        snprintf(c, sizeof(c), "%s_count", family);
                        mine = streq(name, b) || streq(name, s) || streq(name, c);
                }
                if (!mine) {
                        snprintf(why, n, "sample '%s' outside its family (%s)", line, family);
                        ok = false;
                }
        }
        regfree(&re);
        return ok;
}

static char *render_ok(const json_t *status) {
        char *text = NULL, why[512] = "";
        ck_assert_int_eq(metrics_render(status, &text), 0);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(valid_exposition(text, why, sizeof(why)), "%s", why);
        return text;
}

static char *render_text(const char *json) {
        json_error_t e;
        _cleanup_json_ json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &e);
        ck_assert_msg(o, "test JSON: %s", e.text);
        return render_ok(o);
}

static void assert_line(const char *text, const char *line) {
        _cleanup_free_ char *want = NULL;
        ck_assert(asprintf(&want, "\n%s\n", line) > 0);
        ck_assert_msg(strstr(text, want), "no line '%s' in:\n%.3000s", line, text);
}

static void assert_no(const char *text, const char *part) {
        const char *at = strstr(text, part);
        ck_assert_msg(!at, "'%s' should not be in: …%.200s", part, at);
}

static const char status_json[] =
        "{\"ok\":true,\"docker_synced\":true,"
        "\"gpus\":[{\"uuid\":\"GPU-1\",\"fraction\":1.0,\"user\":\"alice\",\"container\":\"train._.alice\","
        "\"state\":\"bound\",\"utilization\":87,\"memory_used\":1073741824,\"memory_total\":85899345920},"
        "{\"uuid\":\"MIG-2\",\"fraction\":0.42857142857142855,\"utilization\":null}],"
        "\"users\":[{\"user\":\"alice\",\"group\":\"students\",\"gpus\":1.0,\"containers\":2,"
        "\"cpu_usage_usec\":12345678,\"memory\":524288,"
        "\"limits\":{\"cpus\":8.0,\"memory\":34359738368,\"gpus\":2.0,\"containers\":null}}],"
        "\"groups\":[{\"group\":\"students\",\"gpus\":1.0,\"containers\":2,\"cpu_usage_usec\":2000000,"
        "\"memory\":1048576,\"total\":{\"gpus\":4.0}}],"
        "\"queue\":[{},{}],"
        "\"reaper\":{\"warnings\":3,\"stops\":1},"
        "\"reserve_latency\":{\"buckets\":[{\"le\":0.001,\"count\":1},{\"le\":0.01,\"count\":3}],"
        "\"count\":4,\"sum\":0.5},"
        "\"daemon\":{\"started\":1767225600,\"config_generation\":2,\"version\":\"0.5.0\"}}";

START_TEST(test_metrics_numbers) {
        _cleanup_free_ char *t = render_text(status_json);
        ck_assert(strncmp(t, "# HELP berth_up ", 16) == 0);
        assert_line(t, "berth_up 1");
        assert_line(t, "# TYPE berth_user_cpu_seconds_total counter");
        assert_line(t, "berth_user_cpu_seconds_total{user=\"alice\",group=\"students\"} 12.345678");
        assert_line(t, "berth_user_memory_bytes{user=\"alice\",group=\"students\"} 524288");
        assert_line(t, "berth_user_gpus{user=\"alice\",group=\"students\"} 1");
        assert_line(t, "berth_user_containers{user=\"alice\",group=\"students\"} 2");
        assert_line(t, "berth_user_cpus_limit{user=\"alice\",group=\"students\"} 8");
        assert_line(t, "berth_user_memory_limit_bytes{user=\"alice\",group=\"students\"} 34359738368");
        assert_line(t, "berth_user_containers_limit{user=\"alice\",group=\"students\"} +Inf");
        assert_line(t, "berth_group_cpu_seconds_total{group=\"students\"} 2");
        assert_line(t, "berth_group_gpus_limit{group=\"students\"} 4");
        assert_line(t, "berth_group_cpus_limit{group=\"students\"} +Inf"); /* no [total] cpus */
        assert_line(t, "berth_gpu_held{uuid=\"GPU-1\"} 1");
        assert_line(t, "berth_gpu_held{uuid=\"MIG-2\"} 0");
        assert_line(t, "berth_gpu_fraction{uuid=\"MIG-2\"} 0.428571428571429");
        assert_line(t, "berth_gpu_utilization_ratio{uuid=\"GPU-1\"} 0.87");
        assert_no(t, "berth_gpu_utilization_ratio{uuid=\"MIG-2\"}"); /* null: not known */
        assert_line(t, "berth_gpu_memory_used_bytes{uuid=\"GPU-1\"} 1073741824");
        assert_line(t, "berth_gpu_memory_total_bytes{uuid=\"GPU-1\"} 85899345920");
        assert_line(t, "berth_gpu_holder_info{uuid=\"GPU-1\",user=\"alice\",container=\"train._.alice\",state=\"bound\"} 1");
        assert_no(t, "berth_gpu_holder_info{uuid=\"MIG-2\"");
        assert_line(t, "berth_queue_length 2");
        assert_line(t, "berth_reaper_warnings_total 3");
        assert_line(t, "berth_reaper_stops_total 1");
        assert_line(t, "berth_docker_synced 1");
        assert_line(t, "berth_start_time_seconds 1767225600");
        assert_line(t, "berth_config_generation 2");
        assert_line(t, "berth_build_info{version=\"0.5.0\"} 1");
        assert_line(t, "# TYPE berth_reserve_duration_seconds histogram");
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"0.001\"} 1");
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"0.01\"} 3");
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"+Inf\"} 4");
        assert_line(t, "berth_reserve_duration_seconds_sum 0.5");
        assert_line(t, "berth_reserve_duration_seconds_count 4");
}
END_TEST

START_TEST(test_metrics_escaping) {
        _cleanup_json_ json_t *o = json_pack("{s:[{s:s,s:s,s:i}],s:[{s:s,s:s,s:s,s:s}]}", "users", "user",
                                             "a\"b\\c\nd", "group", "g\\", "containers", 1, "gpus", "uuid",
                                             "GPU-\"x\"", "user", "u\n", "container", "c\\\"", "state", "bound");
        _cleanup_free_ char *t = render_ok(o);
        assert_line(t, "berth_user_containers{user=\"a\\\"b\\\\c\\nd\",group=\"g\\\\\"} 1");
        assert_line(t, "berth_gpu_held{uuid=\"GPU-\\\"x\\\"\"} 1");
        assert_line(t, "berth_gpu_holder_info{uuid=\"GPU-\\\"x\\\"\",user=\"u\\n\",container=\"c\\\\\\\"\",state=\"bound\"} 1");
}
END_TEST

START_TEST(test_metrics_malformed) {
        /* not an object at all, or nothing in it: the families, berth_up, an empty queue */
        json_t *values[] = { NULL, json_array(), json_string("status"), json_integer(7), json_null(), json_object() };
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                _cleanup_free_ char *t = render_ok(values[i]);
                assert_line(t, "berth_up 1");
                assert_line(t, "berth_queue_length 0");
                assert_no(t, "berth_user_gpus{");
                assert_no(t, "_bucket{");
                json_decref(values[i]);
        }

        static const char *const bad[] = {
                /* arrays of the wrong things, keys of the wrong types */
                "{\"gpus\":\"GPU-1\",\"users\":{},\"groups\":7,\"queue\":\"long\",\"reaper\":[],\"daemon\":\"up\"}",
                "{\"gpus\":[1,\"x\",null,[],{\"uuid\":5,\"user\":\"a\"},{\"fraction\":1}],"
                "\"users\":[{\"user\":\"a\"},{\"group\":\"g\",\"gpus\":1},{\"user\":\"b\",\"group\":1,\"gpus\":1}]}",
                "{\"users\":[{\"user\":\"a\",\"group\":\"g\",\"gpus\":\"1\",\"memory\":true,\"limits\":\"none\"}]}",
                "{\"reaper\":{\"warnings\":\"3\",\"stops\":null},\"daemon\":{\"started\":\"now\",\"version\":1}}",
                /* histograms the format cannot carry: left without samples */
                "{\"reserve_latency\":{\"buckets\":[{\"le\":0.1,\"count\":2},{\"le\":0.01,\"count\":3}],\"count\":3,\"sum\":1}}",
                "{\"reserve_latency\":{\"buckets\":[{\"le\":0.1,\"count\":3},{\"le\":1,\"count\":2}],\"count\":3,\"sum\":1}}",
                "{\"reserve_latency\":{\"buckets\":[{\"le\":0.1,\"count\":5}],\"count\":3,\"sum\":1}}",
                "{\"reserve_latency\":{\"buckets\":[{\"le\":0.1,\"count\":0.5}],\"count\":3,\"sum\":1}}",
                "{\"reserve_latency\":{\"buckets\":[{\"le\":\"0.1\",\"count\":1}],\"count\":3,\"sum\":1}}",
                "{\"reserve_latency\":{\"buckets\":[],\"count\":-1,\"sum\":1}}",
                "{\"reserve_latency\":{\"buckets\":{},\"count\":1,\"sum\":1}}",
                "{\"reserve_latency\":[1,2,3]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *t = render_text(bad[i]);
                assert_no(t, "_bucket{");
                assert_no(t, "berth_user_gpus{"); /* not a number, or a row without its labels */
        }
        /* a row without every label is left out; the others stay */
        _cleanup_free_ char *t = render_text("{\"users\":[{\"user\":\"a\"},{\"user\":\"b\",\"group\":\"g\",\"gpus\":1}]}");
        assert_line(t, "berth_user_gpus{user=\"b\",group=\"g\"} 1");
        assert_no(t, "user=\"a\"");
        /* huge and fractional numbers are still numbers */
        _cleanup_free_ char *h = render_text("{\"reaper\":{\"warnings\":1e300,\"stops\":-0.25}}");
        assert_line(h, "berth_reaper_warnings_total 1e+300");
        assert_line(h, "berth_reaper_stops_total -0.25");
}
END_TEST

START_TEST(test_metrics_duplicates) {
        /* one user twice, one GPU twice: one sample each, the first */
        _cleanup_free_ char *t = render_text(
                "{\"users\":[{\"user\":\"a\",\"group\":\"g\",\"gpus\":1},{\"user\":\"a\",\"group\":\"g\",\"gpus\":2}],"
                "\"gpus\":[{\"uuid\":\"GPU-1\",\"fraction\":1},{\"uuid\":\"GPU-1\",\"fraction\":0.5}]}");
        assert_line(t, "berth_user_gpus{user=\"a\",group=\"g\"} 1");
        assert_no(t, "berth_user_gpus{user=\"a\",group=\"g\"} 2");
        assert_no(t, "berth_gpu_fraction{uuid=\"GPU-1\"} 0.5");
}
END_TEST

/* Deterministic (splitmix64), so a failure reproduces. */
static uint64_t rng = 0x5eed;
static unsigned rnd(unsigned n) {
        uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return (unsigned) ((z ^ (z >> 31)) % n);
}

/* A value made of the status's own keys and odd strings, nested a few deep. */
static json_t *random_value(unsigned depth) {
        static const char *const keys[] = { "gpus", "users", "groups", "queue", "reaper", "daemon", "reserve_latency",
                                            "buckets", "le", "count", "sum", "user", "group", "uuid", "container",
                                            "state", "limits", "total", "cpus", "memory", "cpu_usage_usec",
                                            "utilization", "memory_used", "warnings", "stops", "version", "started" };
        static const char *const strings[] = { "", "a", "\"", "\\", "\n", "a\"b\\c\nd", "GPU-1", "{}", "# TYPE x y" };
        switch (depth == 0 ? rnd(5) : rnd(7)) {
        case 0: return json_integer((json_int_t) rnd(100) - 10);
        case 1: return json_real((double) rnd(1000) / 7.0);
        case 2: return json_string(strings[rnd(ELEMENTSOF(strings))]);
        case 3: return rnd(2) ? json_true() : json_null();
        case 4: return json_real(rnd(2) ? 1e308 : -1e-300);
        case 5: {
                json_t *a = json_array();
                for (unsigned i = rnd(4); i > 0; i--)
                        json_array_append_new(a, random_value(depth - 1));
                return a;
        }
        default: {
                json_t *o = json_object();
                for (unsigned i = rnd(6); i > 0; i--)
                        json_object_set_new(o, keys[rnd(ELEMENTSOF(keys))], random_value(depth - 1));
                return o;
        }
        }
}

START_TEST(test_metrics_random) {
        for (unsigned i = 0; i < 3000; i++) {
                _cleanup_json_ json_t *o = random_value(4);
                free(render_ok(o));
        }
}
END_TEST

START_TEST(test_metrics_histogram) {
        struct metrics_histogram h = { 0 };
        metrics_histogram_observe(&h, 0.0002);
        metrics_histogram_observe(&h, 0.003);
        metrics_histogram_observe(&h, 9);
        metrics_histogram_observe(&h, -1); /* a clock that went back counts as 0 */
        _cleanup_json_ json_t *status = json_pack("{s:o}", "reserve_latency", metrics_histogram_json(&h));
        _cleanup_free_ char *t = render_ok(status);
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"0.0005\"} 2");
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"0.0025\"} 2");
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"0.005\"} 3");
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"2.5\"} 3");
        assert_line(t, "berth_reserve_duration_seconds_bucket{le=\"+Inf\"} 4");
        assert_line(t, "berth_reserve_duration_seconds_count 4");
        assert_line(t, "berth_reserve_duration_seconds_sum 9.0032");
}
END_TEST

static enum metrics_request parse(const char *s) {
        return metrics_request_parse(s, strlen(s));
}

START_TEST(test_metrics_http_requests) {
        ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), METRICS_REQUEST_METRICS);
        ck_assert_int_eq(parse("GET /metrics?name[]=berth_up HTTP/1.0\r\n\r\n"), METRICS_REQUEST_METRICS);
        ck_assert_int_eq(parse("GET /metrics/ HTTP/1.1\r\n\r\n"), METRICS_REQUEST_NOT_FOUND);
        ck_assert_int_eq(parse("GET /metricsx HTTP/1.1\r\n\r\n"), METRICS_REQUEST_NOT_FOUND);
        ck_assert_int_eq(parse("GET / HTTP/1.1\r\n\r\n"), METRICS_REQUEST_NOT_FOUND);
        ck_assert_int_eq(parse("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), METRICS_REQUEST_BAD_METHOD);
        ck_assert_int_eq(parse("HEAD /metrics HTTP/1.1\r\n\r\n"), METRICS_REQUEST_BAD_METHOD);
        ck_assert_int_eq(parse("DELETE /metrics HTTP/1.1\r\n\r\n"), METRICS_REQUEST_BAD_METHOD);
        /* not yet whole: more is needed */
        ck_assert_int_eq(parse(""), METRICS_REQUEST_PARTIAL);
        ck_assert_int_eq(parse("GET /metr"), METRICS_REQUEST_PARTIAL);
        ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"), METRICS_REQUEST_PARTIAL);
        /* garbage, HTTP/2's preface, a bad header, NUL bytes */
        ck_assert_int_eq(parse("\x16\x03\x01\x02\x00garbage\r\n\r\n"), METRICS_REQUEST_BAD);
        ck_assert_int_eq(parse("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), METRICS_REQUEST_BAD);
        ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n"), METRICS_REQUEST_BAD);
        ck_assert_int_eq(metrics_request_parse("GET /\0metrics HTTP/1.1\r\n\r\n", 28), METRICS_REQUEST_BAD);
        /* a URL longer than kept: not /metrics */
        char big[3000];
        snprintf(big, sizeof(big), "GET /metrics%02000d HTTP/1.1\r\n\r\n", 0);
        ck_assert_int_eq(parse(big), METRICS_REQUEST_NOT_FOUND);
}
END_TEST

START_TEST(test_metrics_http_responses) {
        size_t n = 0;
        _cleanup_free_ char *ok = metrics_response(METRICS_REQUEST_METRICS, "berth_up 1\n", &n);
        ck_assert_str_eq(ok, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                             "Content-Length: 11\r\nConnection: close\r\n\r\nberth_up 1\n");
        ck_assert_uint_eq(n, strlen(ok));
        _cleanup_free_ char *nf = metrics_response(METRICS_REQUEST_NOT_FOUND, "ignored", &n);
        ck_assert(strncmp(nf, "HTTP/1.1 404 Not Found\r\n", 24) == 0 && !strstr(nf, "ignored"));
        _cleanup_free_ char *bm = metrics_response(METRICS_REQUEST_BAD_METHOD, NULL, &n);
        ck_assert(strncmp(bm, "HTTP/1.1 405 ", 13) == 0 && strstr(bm, "\r\nAllow: GET\r\n"));
        _cleanup_free_ char *big = metrics_response(METRICS_REQUEST_PARTIAL, NULL, &n);
        ck_assert(strncmp(big, "HTTP/1.1 431 ", 13) == 0);
        _cleanup_free_ char *bad = metrics_response(METRICS_REQUEST_BAD, NULL, &n);
        ck_assert(strncmp(bad, "HTTP/1.1 400 ", 13) == 0);
}
END_TEST

Suite *metrics_suite(void) {
        Suite *s = suite_create("metrics");
        TCase *tc = tcase_create("render");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_metrics_numbers);
        tcase_add_test(tc, test_metrics_escaping);
        tcase_add_test(tc, test_metrics_malformed);
        tcase_add_test(tc, test_metrics_duplicates);
        tcase_add_test(tc, test_metrics_random);
        tcase_add_test(tc, test_metrics_histogram);
        tcase_add_test(tc, test_metrics_http_requests);
        tcase_add_test(tc, test_metrics_http_responses);
        suite_add_tcase(s, tc);
        return s;
}
