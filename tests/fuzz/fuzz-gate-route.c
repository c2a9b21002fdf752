/* SPDX-License-Identifier: MIT */
/* route_parse on arbitrary request lines.  The first byte picks the method
 * (its value mod 8: the seeds use "0" GET … "5" OPTIONS), the rest is the
 * request-target.  Whatever is accepted must be canonical, and
 * route_format_target must write it back as a target that parses to the
 * very same match (what dockerd gets is what berth judged). */
#include <stdbool.h>
#include <stdint.h>

#include "basic/util.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x)                          \
        do {                              \
                if (!(x))                 \
                        __builtin_trap(); \
        } while (0)

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "get", "PATCH" };

static void check_reason(const char *reason) {
        check(strncmp(reason, "berth: ", 7) == 0);
        for (const char *p = reason; *p; p++)
                check(*p >= 0x20 && *p < 0x7f);
}

static void check_match(const struct route_match *m, int r) {
        check(m->route);
        check((r == -EPERM) == (m->route->kind == ROUTE_DENY));
        check(m->path && m->path[0] == '/');
        check(!strstr(m->path, "//") && !strstr(m->path, "/./") && !strstr(m->path, "/../"));
        for (const char *p = m->path; *p; p++)
                check((unsigned char) *p >= 0x20 && *p != 0x7f);
        if (m->version)
                check(strlen(m->version) == 4 && strncmp(m->version, "1.4", 3) == 0 && m->version[3] >= '1' &&
                      m->version[3] <= '7');
        check(!m->param || (*m->param && strstr(m->path, m->param)));
        size_t n = strv_length(m->query);
        check(n % 2 == 0);
        for (size_t i = 0; i < n; i += 2) {
                check(*m->query[i]);
                (void) route_query_bool(m->query[i + 1]);
        }
}

static void same(const struct route_match *a, const struct route_match *b) {
        check(a->route == b->route);
        check(streq_ptr(a->version, b->version));
        check(streq(a->path, b->path));
        check(streq_ptr(a->param, b->param));
        size_t n = strv_length(a->query);
        check(n == strv_length(b->query));
        for (size_t i = 0; i < n; i++)
                check(streq(a->query[i], b->query[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1 || size > ROUTE_TARGET_MAX + 2)
                return 0;

        const char *method = methods[data[0] % ELEMENTSOF(methods)];
        const char *target = (const char *) data + 1;
        size_t len = size - 1;

        _cleanup_(route_match_done) struct route_match m = {};
        char reason[256] = "";
        int r = route_parse(method, target, len, &m, reason, sizeof(reason));
        check(r == 0 || r == -EINVAL || r == -ENOENT || r == -EPERM || r == -ENOMEM);
        if (r < 0)
                check_reason(reason);
        if (r != 0 && r != -EPERM) {
                check(!m.route);
                return 0;
        }
        check_match(&m, r);

        /* written back: printable ASCII that parses to the same match, twice over */
        _cleanup_free_ char *t = NULL, *t2 = NULL;
        check(route_format_target(&m, NULL, &t) == 0);
        for (const char *p = t; *p; p++)
                check(*p > 0x20 && *p < 0x7f && *p != '#');
        _cleanup_(route_match_done) struct route_match again = {};
        if (strlen(t) <= ROUTE_TARGET_MAX) {
                check(route_parse(method, t, strlen(t), &again, reason, sizeof(reason)) == r);
                same(&m, &again);
                check(route_format_target(&again, NULL, &t2) == 0);
                check(streq(t, t2));
        }

        /* a query the gate rewrote is read back as written */
        if (route_query_set(&m, "berth fuzz", "a+b &=%") == 0) {
                _cleanup_free_ char *t3 = NULL;
                _cleanup_(route_match_done) struct route_match third = {};
                check(route_format_target(&m, NULL, &t3) == 0);
                if (strlen(t3) <= ROUTE_TARGET_MAX &&
                    route_parse(method, t3, strlen(t3), &third, NULL, 0) >= 0)
                        check(streq(route_query_get(&third, "berth fuzz"), "a+b &=%"));
                check(route_query_remove(&m, "berth fuzz") == 1);
        }
        return 0;
}
