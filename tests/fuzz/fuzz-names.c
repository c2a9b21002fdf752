/* SPDX-License-Identifier: MIT */
/* Every name function on arbitrary bytes: each builder must round-trip
 * through its parser, and each parser must accept only what the builder
 * would have produced.  The input is one NUL-terminated string s; the
 * two-argument functions get it split at the first NUL or newline (a, b). */
#include <stdbool.h>
#include <stdint.h>

#include "core/names.h"
#include "basic/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x)                        \
        do {                            \
                if (!(x))               \
                        __builtin_trap(); \
        } while (0)

static bool lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Docker's repository path component:
 * [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool repo_component_ok(const char *s) {
        const char *p = s;
        for (;;) {
                if (!lower_alnum(*p))
                        return false;
                while (lower_alnum(*p))
                        p++;
                if (!*p)
                        return true;
                if (*p == '.')
                        p++;
                else if (p[0] == '_' && p[1] == '_')
                        p += 2;
                else if (*p == '_')
                        p++;
                else if (*p == '-')
                        while (*p == '-')
                                p++;
                else
                        return false;
        }
}

static void fuzz_unit(const char *s) {
        _cleanup_free_ char *e = NULL, *u = NULL, *u2 = NULL, *e2 = NULL;
        int r = name_unit_escape(s, &e);
        check((r == 0) == (*s != 0));
        if (r == 0) {
                for (const char *p = e; *p; p++)
                        check(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\-", *p));
                check(name_unit_unescape(e, &u) == 0);
                check(streq(u, s));
        }
        if (name_unit_unescape(s, &u2) == 0) {
                check(name_unit_escape(u2, &e2) == 0);
                check(streq(e2, s));
        }
}

static void fuzz_slice(const char *s, const char *a, const char *b) {
        _cleanup_free_ char *g = NULL, *su = NULL, *pg = NULL, *pu = NULL, *qg = NULL, *qu = NULL,
                            *again = NULL;
        if (name_slice_group(a, &g) == 0) {
                check(strlen(g) <= 255);
                check(name_slice_parse(g, &pg, &pu) == 0);
                check(streq(pg, a) && !pu);
                free(pg);
                pg = NULL;
        }
        if (name_slice_user(a, b, &su) == 0) {
                check(strlen(su) <= 255);
                check(name_slice_parse(su, &pg, &pu) == 0);
                check(streq(pg, a) && pu && streq(pu, b));
        }
        if (name_slice_parse(s, &qg, &qu) == 0) {
                if (qu)
                        check(name_slice_user(qg, qu, &again) == 0);
                else
                        check(name_slice_group(qg, &again) == 0);
                check(streq(again, s));
        }
}

static void fuzz_token(const char *s) {
        _cleanup_free_ char *t = NULL, *d = NULL, *d2 = NULL, *t2 = NULL;
        size_t len = strlen(s);
        int r = name_docker_token(s, &t);
        check((r == 0) == (len > 0 && len <= NAME_MAX_INPUT));
        if (r == 0) {
                check(repo_component_ok(t));
                check(!strstr(t, "._."));
                check(name_docker_token_decode(t, &d) == 0);
                check(streq(d, s));
        }
        if (name_docker_token_decode(s, &d2) == 0) {
                check(name_docker_token(d2, &t2) == 0);
                check(streq(t2, s));
        }
}

static void fuzz_container(const char *s, const char *a, const char *b) {
        _cleanup_free_ char *c = NULL, *n = NULL, *u = NULL, *n2 = NULL, *u2 = NULL, *again = NULL;
        (void) name_container_valid(s);
        if (name_container(a, b, &c) == 0) {
                check(name_container_valid(c) == 1);
                check(name_container_parse(c, &n, &u) == 0);
                check(streq(n, a) && streq(u, b));
        }
        if (name_container_parse(s, &n2, &u2) == 0) {
                check(name_container_valid(s) == 1);
                check(name_container(n2, u2, &again) == 0);
                check(streq(again, s[0] == '/' ? s + 1 : s));
        }
}

/* Typed image names land in the user's namespace, or stay as typed, and
 * a second pass changes nothing more. */
static void fuzz_image_typed(const char *s, const char *user) {
        _cleanup_free_ char *out = NULL, *again = NULL, *tok = NULL, *prefix = NULL;
        int kept = -1, kept2 = -1;
        if (name_image_typed(s, user, &out, &kept) < 0)
                return;
        check(kept == 0 || kept == 1);
        check(name_image_typed(out, user, &again, &kept2) == 0);
        check(streq(again, out) && kept2 == 1);
        if (!kept || strncmp(out, "berth/", 6) == 0) {
                check(name_docker_token(user, &tok) == 0);
                check(asprintf(&prefix, "berth/%s/", tok) > 0);
                check(strncmp(out, prefix, strlen(prefix)) == 0);
                check(strchr(out + strlen(prefix), ':') != NULL);
        }
}

static void fuzz_project(const char *s, const char *a, const char *b) {
        _cleanup_free_ char *p = NULL, *next = NULL, *c = NULL, *d = NULL;
        if (name_project(a, b, s, &p) < 0)
                return;
        check(name_docker_token_decode(p, &d) == 0);
        check(name_project_next(p, (unsigned) strlen(s) + 1, &next) == 0);
        check(name_container(next, "alice", &c) == 0);
}

static void fuzz_image(const char *s, const char *a, const char *b) {
        _cleanup_free_ char *i = NULL, *u = NULL, *n = NULL, *u2 = NULL, *n2 = NULL, *again = NULL;
        if (name_user_image(a, b, &i) == 0) {
                check(name_user_image_parse(i, &u, &n) == 0);
                check(streq(u, a) && streq(n, b));
        }
        if (name_user_image_parse(s, &u2, &n2) == 0) {
                check(name_user_image(u2, n2, &again) == 0);
                size_t l = strlen(s);
                check(strncmp(again, s, l) == 0);
                check(streq(again + l, "") || streq(again + l, ":latest"));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4096)
                return 0;

        _cleanup_free_ char *s = strndup((const char *) data, size);
        _cleanup_free_ char *a = malloc(size + 1);
        if (!s || !a)
                return 0;
        memcpy(a, data, size);
        a[size] = 0;
        /* a ends at the first NUL or newline; b is what follows it. */
        size_t k = 0;
        while (k < size && a[k] && a[k] != '\n')
                k++;
        a[k] = 0;
        const char *b = k < size ? a + k + 1 : a + k;

        fuzz_unit(s);
        fuzz_slice(s, a, b);
        fuzz_token(s);
        fuzz_container(s, a, b);
        fuzz_project(s, a, b);
        fuzz_image_typed(s, b);
        fuzz_image(s, a, b);
        return 0;
}
