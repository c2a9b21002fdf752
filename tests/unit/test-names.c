/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>

#include "core/names.h"
#include "basic/util.h"

#define SYSTEMD_ESCAPE "/usr/bin/systemd-escape"

/* Deterministic generator (splitmix64) so failures reproduce. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed) {
        rng_state = seed;
}

static uint64_t rng_next(void) {
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n) {
        return (unsigned) (rng_next() % n);
}

/* A non-empty name of 1..maxlen bytes: a mix of plain characters, the
 * characters that need care, UTF-8 and arbitrary non-NUL bytes. */
static char *gen_name(size_t maxlen) {
        static const char *const pieces[] = {
                "a", "b", "z", "0", "9", "A", "Z", ".", "..", "-", "_", "__", "@", "/",
                " ", ":", "\\", "x__", "._.", "é", "ß", "日本", "\t", "%", "'", "\"",
        };
        size_t len = 1 + rng_below((unsigned) maxlen);
        char *s = malloc(maxlen * 4 + 1);
        ck_assert_ptr_nonnull(s);
        size_t n = 0;
        while (n < len) {
                unsigned k = rng_below(4);
                if (k == 0) {
                        s[n++] = (char) (1 + rng_below(255));
                } else {
                        const char *p = pieces[rng_below(ELEMENTSOF(pieces))];
                        size_t l = strlen(p);
                        if (n + l > len)
                                l = len - n;
                        memcpy(s + n, p, l);
                        n += l;
                }
        }
        s[n] = 0;
        return s;
}

static int cmpstr(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Run systemd-escape -- argv... and return its stdout.  No shell: the names
 * go straight into execv()'s argv. */
static char *run_systemd_escape(char **names, size_t n) {
        int pfd[2];
        ck_assert_int_eq(pipe(pfd), 0);

        char **argv = calloc(n + 3, sizeof(char *));
        ck_assert_ptr_nonnull(argv);
        argv[0] = (char *) "systemd-escape";
        argv[1] = (char *) "--";
        for (size_t i = 0; i < n; i++)
                argv[i + 2] = names[i];

        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                dup2(pfd[1], STDOUT_FILENO);
                close(pfd[0]);
                close(pfd[1]);
                execv(SYSTEMD_ESCAPE, argv);
                _exit(127);
        }
        free(argv);
        close(pfd[1]);

        size_t cap = 1 << 16, len = 0;
        char *out = malloc(cap);
        ck_assert_ptr_nonnull(out);
        for (;;) {
                if (len + 1 >= cap) {
                        cap *= 2;
                        out = realloc(out, cap);
                        ck_assert_ptr_nonnull(out);
                }
                ssize_t k = read(pfd[0], out + len, cap - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                ck_assert_int_ge(k, 0);
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        out[len] = 0;
        close(pfd[0]);

        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "%s failed (status %d); install systemd", SYSTEMD_ESCAPE, status);
        return out;
}

static void assert_escape(const char *in, const char *want) {
        _cleanup_free_ char *e = NULL, *u = NULL;
        ck_assert_int_eq(name_unit_escape(in, &e), 0);
        ck_assert_str_eq(e, want);
        ck_assert_int_eq(name_unit_unescape(e, &u), 0);
        ck_assert_str_eq(u, in);
}

START_TEST(test_unit_escape_vectors) {
        assert_escape("alice", "alice");
        assert_escape("jean-luc", "jean\\x2dluc");
        assert_escape(".a", "\\x2ea");
        assert_escape("..", "\\x2e.");
        assert_escape("a.b_c:d", "a.b_c:d");
        assert_escape("/a/", "-a-");
        assert_escape("a b", "a\\x20b");
        assert_escape("a\\b", "a\\x5cb");
        assert_escape("é", "\\xc3\\xa9");
        assert_escape("a@dom.org", "a\\x40dom.org");
        assert_escape("\xff", "\\xff");

        char *sentinel = (char *) "untouched", *r = sentinel;
        ck_assert_int_eq(name_unit_escape("", &r), -EINVAL);
        ck_assert_int_eq(name_unit_escape(NULL, &r), -EINVAL);
        ck_assert_ptr_eq(r, sentinel);
}
END_TEST

START_TEST(test_unit_escape_matches_systemd) {
        enum { N = 400 };
        char *names[N];
        char *ours[N];

        ck_assert_msg(access(SYSTEMD_ESCAPE, X_OK) == 0, "%s is missing; install systemd", SYSTEMD_ESCAPE);

        rng_seed(0x6265727468ULL);
        for (size_t i = 0; i < N; i++) {
                names[i] = gen_name(i < 20 ? 3 : 40);
                if (i % 10 == 0)
                        names[i][0] = '.'; /* leading dots get their own rule */
                ck_assert_int_eq(name_unit_escape(names[i], &ours[i]), 0);

                _cleanup_free_ char *back = NULL;
                ck_assert_int_eq(name_unit_unescape(ours[i], &back), 0);
                ck_assert_str_eq(back, names[i]);
        }

        /* Escaped names hold no space or newline, so one run serves all. */
        _cleanup_free_ char *out = run_systemd_escape(names, N);
        char *save = NULL, *tok = strtok_r(out, " \n", &save);
        for (size_t i = 0; i < N; i++) {
                ck_assert_msg(tok, "systemd-escape printed too few names (%zu)", i);
                ck_assert_msg(streq(tok, ours[i]), "name %zu: systemd-escape says '%s', we say '%s'", i,
                              tok, ours[i]);
                tok = strtok_r(NULL, " \n", &save);
        }
        ck_assert_ptr_null(tok);

        for (size_t i = 0; i < N; i++) {
                free(names[i]);
                free(ours[i]);
        }
}
END_TEST

START_TEST(test_unit_unescape_strict) {
        static const char *const bad[] = {
                "",          "a\\x2Db", "\\x61", ".a",   "a b",   "\\x00a", "\\x2f", "a\\x",
                "a\\x2",     "a\\xg0",  "a\\y20", "\\",  "a/b",   "a\\x2e\\x2e", "é",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *sentinel = (char *) "untouched", *r = sentinel;
                ck_assert_msg(name_unit_unescape(bad[i], &r) == -EINVAL, "accepted '%s'", bad[i]);
                ck_assert_ptr_eq(r, sentinel);
        }
        _cleanup_free_ char *u = NULL;
        ck_assert_int_eq(name_unit_unescape("\\x2ea-b", &u), 0);
        ck_assert_str_eq(u, ".a/b");
}
END_TEST

START_TEST(test_slices) {
        _cleanup_free_ char *g = NULL, *u = NULL, *j = NULL, *pg = NULL, *pu = NULL;

        ck_assert_int_eq(name_slice_group("students", &g), 0);
        ck_assert_str_eq(g, "berth-students.slice");
        ck_assert_int_eq(name_slice_user("students", "alice", &u), 0);
        ck_assert_str_eq(u, "berth-students-alice.slice");
        ck_assert_int_eq(name_slice_user("students", "jean-luc", &j), 0);
        ck_assert_str_eq(j, "berth-students-jean\\x2dluc.slice");

        ck_assert_int_eq(name_slice_parse(j, &pg, &pu), 0);
        ck_assert_str_eq(pg, "students");
        ck_assert_str_eq(pu, "jean-luc");
        free(pg);
        free(pu);
        pg = pu = (char *) NULL;
        ck_assert_int_eq(name_slice_parse(g, &pg, &pu), 0);
        ck_assert_str_eq(pg, "students");
        ck_assert_ptr_null(pu);

        static const char *const bad[] = {
                "berth.slice", "berth-.slice", "berth-a-b-c.slice", "berth-a--b.slice", "berth-a-.slice",
                "berth-a",     "berth-A\\x2D.slice", "other-a.slice", "berth-\\x2fa.slice", "",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *sentinel = (char *) "untouched", *r1 = sentinel, *r2 = sentinel;
                ck_assert_msg(name_slice_parse(bad[i], &r1, &r2) == -EINVAL, "accepted '%s'", bad[i]);
                ck_assert_ptr_eq(r1, sentinel);
                ck_assert_ptr_eq(r2, sentinel);
        }

        char *sentinel = (char *) "untouched", *r = sentinel;
        ck_assert_int_eq(name_slice_group("", &r), -EINVAL);
        ck_assert_int_eq(name_slice_group(NULL, &r), -EINVAL);
        ck_assert_int_eq(name_slice_group("a/b", &r), -EINVAL);
        ck_assert_int_eq(name_slice_user("a", "", &r), -EINVAL);
        ck_assert_int_eq(name_slice_user("a", NULL, &r), -EINVAL);
        ck_assert_int_eq(name_slice_user("a", "b/c", &r), -EINVAL);
        char longname[201];
        memset(longname, '@', 200);
        longname[200] = 0;
        ck_assert_int_eq(name_slice_user("students", longname, &r), -ENAMETOOLONG);
        ck_assert_ptr_eq(r, sentinel);
}
END_TEST

/* Distinct (group, user) pairs give distinct slices, and each parses back. */
struct slice_case {
        char *group, *user, *slice;
};

static int cmp_slice_case(const void *a, const void *b) {
        return strcmp(((const struct slice_case *) a)->slice, ((const struct slice_case *) b)->slice);
}

START_TEST(test_slices_distinct) {
        enum { N = 3000 };
        struct slice_case *c = calloc(N, sizeof(struct slice_case));
        ck_assert_ptr_nonnull(c);

        rng_seed(42);
        for (size_t i = 0; i < N; i++) {
                /* Short names from few characters, so near-collisions abound. */
                c[i].group = gen_name(i % 2 ? 3 : 8);
                c[i].user = gen_name(i % 3 ? 3 : 8);
                for (char *p = c[i].group; *p; p++)
                        if (*p == '/')
                                *p = '-';
                for (char *p = c[i].user; *p; p++)
                        if (*p == '/')
                                *p = '-';
                ck_assert_int_eq(name_slice_user(c[i].group, c[i].user, &c[i].slice), 0);

                _cleanup_free_ char *pg = NULL, *pu = NULL;
                ck_assert_int_eq(name_slice_parse(c[i].slice, &pg, &pu), 0);
                ck_assert_str_eq(pg, c[i].group);
                ck_assert_str_eq(pu, c[i].user);
        }

        qsort(c, N, sizeof(struct slice_case), cmp_slice_case);
        for (size_t i = 1; i < N; i++)
                if (streq(c[i - 1].slice, c[i].slice)) {
                        ck_assert_str_eq(c[i - 1].group, c[i].group);
                        ck_assert_str_eq(c[i - 1].user, c[i].user);
                }

        static const char *const pairs[][2] = {
                { "a-b", "c" }, { "a", "b-c" }, { "a", "b" }, { "a-b-c", "d" }, { "a", "b\\x2dc" },
        };
        char *ps[ELEMENTSOF(pairs)];
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                ck_assert_int_eq(name_slice_user(pairs[i][0], pairs[i][1], &ps[i]), 0);
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                for (size_t k = i + 1; k < ELEMENTSOF(pairs); k++)
                        ck_assert_str_ne(ps[i], ps[k]);
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                free(ps[i]);
        for (size_t i = 0; i < N; i++) {
                free(c[i].group);
                free(c[i].user);
                free(c[i].slice);
        }
        free(c);
}
END_TEST

static void assert_token(const char *in, const char *want) {
        _cleanup_free_ char *t = NULL, *d = NULL;
        ck_assert_int_eq(name_docker_token(in, &t), 0);
        ck_assert_str_eq(t, want);
        ck_assert_int_eq(name_docker_token_decode(t, &d), 0);
        ck_assert_str_eq(d, in);
}

START_TEST(test_docker_token_vectors) {
        assert_token("alice", "alice");
        assert_token("jean-luc", "jean-luc");
        assert_token("a.b", "a.b");
        assert_token("a_b", "a_b");
        assert_token("1234", "1234");
        assert_token("A", "x__41");
        assert_token("Jean-Luc", "x__4a65616e2d4c7563");
        assert_token("a@dom.org", "x__6140646f6d2e6f7267");
        assert_token("-", "x__2d");
        assert_token("x__41", "x__785f5f3431");
        assert_token("a..b", "x__612e2e62");
        assert_token("a.-b", "x__612e2d62");
        assert_token("a__b", "x__615f5f62");
        assert_token("a.", "x__612e");
        assert_token("_a", "x__5f61");
        assert_token("é", "x__c3a9");

        static const char *const bad[] = {
                "",     "A",      "a..b",  "-a",    "a-",      "x__",   "x__4",   "x__4A", "x__00",
                "x__61", "x__612d62", "x__zz", "x_",   "a:b",     "a/b",   "x__6100", "a b",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *sentinel = (char *) "untouched", *r = sentinel;
                ck_assert_msg(name_docker_token_decode(bad[i], &r) == -EINVAL, "accepted '%s'", bad[i]);
                ck_assert_ptr_eq(r, sentinel);
        }

        char big[NAME_MAX_INPUT + 2];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        char *sentinel = (char *) "untouched", *r = sentinel;
        ck_assert_int_eq(name_docker_token(big, &r), -ENAMETOOLONG);
        ck_assert_int_eq(name_docker_token_decode(big, &r), -EINVAL);
        ck_assert_int_eq(name_docker_token("", &r), -EINVAL);
        ck_assert_int_eq(name_docker_token(NULL, &r), -EINVAL);
        ck_assert_int_eq(name_docker_token_decode(NULL, &r), -EINVAL);
        ck_assert_ptr_eq(r, sentinel);
        big[NAME_MAX_INPUT] = 0;
        ck_assert_int_eq(name_docker_token(big, &r), 0);
        free(r);
        big[0] = 'A';
        ck_assert_int_eq(name_docker_token(big, &r), 0);
        ck_assert_uint_eq(strlen(r), 3 + 2 * NAME_MAX_INPUT);
        free(r);
}
END_TEST

START_TEST(test_docker_token_injective) {
        static const char *const ldap[] = {
                "a.b", "a_b", "a@dom.org", "A", "a", "1234", "abcdefghijklmnopqrstuvwxyz0123456789abcd",
                "-", "x__41", "a..b", "a.-b", "jean-luc", "Jean-Luc", "x__", "x", "a__b", "a--b", "_",
                ".", "alice", "Alice", "ALICE", "alice@EXAMPLE.COM", "o'brien", "müller", "a b",
        };
        enum { GEN = 4000 };
        size_t n = 0, cap = ELEMENTSOF(ldap) + GEN;
        char **in = calloc(cap, sizeof(char *));
        ck_assert_ptr_nonnull(in);
        for (size_t i = 0; i < ELEMENTSOF(ldap); i++)
                in[n++] = strdup(ldap[i]);
        ck_assert_uint_eq(strlen(ldap[6]), 40);

        rng_seed(7);
        for (size_t i = 0; i < GEN; i++) {
                if (i % 2 == 0) {
                        /* Near-plain names: where collisions would hide. */
                        static const char alpha[] = "abxAB019._-@";
                        size_t len = 1 + rng_below(8);
                        char *s = malloc(len + 1);
                        ck_assert_ptr_nonnull(s);
                        for (size_t k = 0; k < len; k++)
                                s[k] = alpha[rng_below(sizeof(alpha) - 1)];
                        s[len] = 0;
                        in[n++] = s;
                } else
                        in[n++] = gen_name(i % 3 == 0 ? 64 : 12);
        }

        /* Distinct inputs only, so distinct outputs are what is proven. */
        qsort(in, n, sizeof(char *), cmpstr);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
                if (m > 0 && streq(in[m - 1], in[i]))
                        free(in[i]);
                else
                        in[m++] = in[i];
        }
        ck_assert_uint_gt(m, 2000);

        regex_t part, full, repo;
        ck_assert_int_eq(regcomp(&part, "^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", REG_EXTENDED | REG_NOSUB), 0);
        ck_assert_int_eq(regcomp(&full, "^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$", REG_EXTENDED | REG_NOSUB), 0);
        ck_assert_int_eq(regcomp(&repo, "^[a-z0-9]+(([._]|__|[-]*)[a-z0-9]+)*$", REG_EXTENDED | REG_NOSUB),
                         0);

        char **out = calloc(m, sizeof(char *));
        ck_assert_ptr_nonnull(out);
        for (size_t i = 0; i < m; i++) {
                ck_assert_int_eq(name_docker_token(in[i], &out[i]), 0);
                const char *t = out[i];

                _cleanup_free_ char *back = NULL, *c = NULL;
                ck_assert_int_eq(name_docker_token_decode(t, &back), 0);
                ck_assert_str_eq(back, in[i]);

                ck_assert_msg(regexec(&part, t, 0, NULL, 0) == 0, "'%s' is no container name part", t);
                ck_assert_msg(regexec(&repo, t, 0, NULL, 0) == 0, "'%s' is no repository component", t);
                ck_assert_msg(!strstr(t, "._."), "'%s' holds '._.'", t);

                ck_assert_int_eq(name_container("train", in[i], &c), 0);
                ck_assert_msg(regexec(&full, c, 0, NULL, 0) == 0, "'%s' is no container name", c);
                ck_assert_int_eq(name_container_valid(c), 1);
        }

        qsort(out, m, sizeof(char *), cmpstr);
        for (size_t i = 1; i < m; i++)
                ck_assert_msg(!streq(out[i - 1], out[i]), "two names map to '%s'", out[i]);

        regfree(&part);
        regfree(&full);
        regfree(&repo);
        for (size_t i = 0; i < m; i++) {
                free(in[i]);
                free(out[i]);
        }
        free(in);
        free(out);
}
END_TEST

START_TEST(test_container_valid) {
        static const char *const good[] = { "ab", "a1", "/ab", "train._.alice", "A-_.", "0.." };
        static const char *const bad[] = { "", "a", "/a", "/", "-ab", ".ab", "_ab", "a b", "a/b", "//ab", "é1" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ck_assert_msg(name_container_valid(good[i]) == 1, "refused '%s'", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(name_container_valid(bad[i]) == 0, "accepted '%s'", bad[i]);
        ck_assert_int_eq(name_container_valid(NULL), 0);
}
END_TEST

static void assert_container(const char *name, const char *user, const char *want) {
        _cleanup_free_ char *c = NULL, *n = NULL, *u = NULL, *slashed = NULL;
        ck_assert_int_eq(name_container(name, user, &c), 0);
        ck_assert_str_eq(c, want);
        ck_assert_int_eq(name_container_parse(c, &n, &u), 0);
        ck_assert_str_eq(n, name);
        ck_assert_str_eq(u, user);
        free(n);
        free(u);
        n = u = NULL;
        ck_assert_int_ge(asprintf(&slashed, "/%s", c), 0);
        ck_assert_int_eq(name_container_parse(slashed, &n, &u), 0);
        ck_assert_str_eq(n, name);
        ck_assert_str_eq(u, user);
}

START_TEST(test_container) {
        assert_container("train", "alice", "train._.alice");
        assert_container("t", "alice", "t._.alice");
        assert_container("Train-2", "jean-luc", "Train-2._.jean-luc");
        assert_container("train", "A", "train._.x__41");
        assert_container("a.", "alice", "a.._.alice");
        assert_container("a._", "alice", "a._._.alice");
        assert_container("a_", "bob", "a_._.bob");
        assert_container("eval", "a._.b", "eval._.x__612e5f2e62");
        assert_container("eval", "a@dom.org", "eval._.x__6140646f6d2e6f7267");

        char *sentinel = (char *) "untouched", *r = sentinel;
        ck_assert_int_eq(name_container("a._.b", "alice", &r), -EINVAL);
        ck_assert_int_eq(name_container("/train", "alice", &r), -EINVAL);
        ck_assert_int_eq(name_container("-train", "alice", &r), -EINVAL);
        ck_assert_int_eq(name_container(".train", "alice", &r), -EINVAL);
        ck_assert_int_eq(name_container("tr ain", "alice", &r), -EINVAL);
        ck_assert_int_eq(name_container("", "alice", &r), -EINVAL);
        ck_assert_int_eq(name_container(NULL, "alice", &r), -EINVAL);
        ck_assert_int_eq(name_container("train", "", &r), -EINVAL);
        ck_assert_int_eq(name_container("train", NULL, &r), -EINVAL);
        char big[NAME_CONTAINER_PART_MAX + 2];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        ck_assert_int_eq(name_container(big, "alice", &r), -ENAMETOOLONG);
        ck_assert_ptr_eq(r, sentinel);

        static const char *const bad[] = {
                "train", "train._.", "._.alice", "/._.alice", "train._.A", "train._.x__61", "-x._.alice",
                "a b._.alice", "train._.al/ice", "train._.alice:latest", "", "/", "//train._.alice",
                "train._.alice._.", "train._.-", "train._.alice/",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *r1 = sentinel, *r2 = sentinel;
                ck_assert_msg(name_container_parse(bad[i], &r1, &r2) == -EINVAL, "accepted '%s'", bad[i]);
                ck_assert_ptr_eq(r1, sentinel);
                ck_assert_ptr_eq(r2, sentinel);
        }
        ck_assert_int_eq(name_container_parse(NULL, &r, &r), -EINVAL);
        ck_assert_int_eq(name_container_parse("a._.b", NULL, NULL), 0);
}
END_TEST

static void assert_project(const char *label, const char *env, const char *cwd, const char *want) {
        _cleanup_free_ char *p = NULL;
        ck_assert_int_eq(name_project(label, env, cwd, &p), 0);
        ck_assert_str_eq(p, want);
}

START_TEST(test_project) {
        assert_project("thesis", "env", "/home/alice/cwd", "thesis");
        assert_project("", "env", "/home/alice/cwd", "env");
        assert_project(NULL, "env", "/home/alice/cwd", "env");
        assert_project(NULL, "", "/home/alice/cwd", "cwd");
        assert_project(NULL, NULL, "/home/alice/cwd", "cwd");
        assert_project(NULL, NULL, "/home/alice/cwd//", "cwd");
        assert_project(NULL, NULL, "cwd", "cwd");
        assert_project(NULL, NULL, "/", "root");
        assert_project(NULL, NULL, "///", "root");
        assert_project("My Thesis", NULL, "/x", "x__4d7920546865736973");
        assert_project(NULL, NULL, "/home/alice/Thesis", "x__546865736973");
        assert_project(NULL, NULL, "/home/alice/.hidden", "x__2e68696464656e");

        char *sentinel = (char *) "untouched", *r = sentinel;
        ck_assert_int_eq(name_project(NULL, NULL, NULL, &r), -EINVAL);
        ck_assert_int_eq(name_project("", "", "", &r), -EINVAL);
        char big[NAME_MAX_INPUT + 2];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        ck_assert_int_eq(name_project(big, NULL, "/x", &r), -ENAMETOOLONG);
        ck_assert_ptr_eq(r, sentinel);

        _cleanup_free_ char *p1 = NULL, *p2 = NULL, *p10 = NULL, *c = NULL;
        ck_assert_int_eq(name_project_next("thesis", 1, &p1), 0);
        ck_assert_str_eq(p1, "thesis");
        ck_assert_int_eq(name_project_next("thesis", 2, &p2), 0);
        ck_assert_str_eq(p2, "thesis-2");
        ck_assert_int_eq(name_project_next("x__41", 10, &p10), 0);
        ck_assert_str_eq(p10, "x__41-10");
        ck_assert_int_eq(name_container(p10, "alice", &c), 0);
        ck_assert_str_eq(c, "x__41-10._.alice");
        ck_assert_int_eq(name_project_next("thesis", 0, &r), -EINVAL);
        ck_assert_int_eq(name_project_next("", 1, &r), -EINVAL);
        ck_assert_int_eq(name_project_next(NULL, 1, &r), -EINVAL);
        ck_assert_int_eq(name_project_next("a._.b", 2, &r), -EINVAL);
        ck_assert_ptr_eq(r, sentinel);

        /* Every project from a long odd name still makes a container name. */
        big[NAME_MAX_INPUT] = 0;
        big[0] = 'A';
        _cleanup_free_ char *lp = NULL, *ln = NULL, *lc = NULL;
        ck_assert_int_eq(name_project(big, NULL, NULL, &lp), 0);
        ck_assert_int_eq(name_project_next(lp, 4000000000u, &ln), 0);
        ck_assert_int_eq(name_container(ln, big, &lc), 0);
}
END_TEST

START_TEST(test_user_image) {
        _cleanup_free_ char *i1 = NULL, *i2 = NULL, *u = NULL, *n = NULL;
        ck_assert_int_eq(name_user_image("alice", "thesis", &i1), 0);
        ck_assert_str_eq(i1, "berth/alice/thesis:latest");
        ck_assert_int_eq(name_user_image("Jean-Luc", "My Env", &i2), 0);
        ck_assert_str_eq(i2, "berth/x__4a65616e2d4c7563/x__4d7920456e76:latest");

        ck_assert_int_eq(name_user_image_parse(i2, &u, &n), 0);
        ck_assert_str_eq(u, "Jean-Luc");
        ck_assert_str_eq(n, "My Env");
        free(u);
        free(n);
        u = n = NULL;
        ck_assert_int_eq(name_user_image_parse("berth/alice/thesis", &u, &n), 0);
        ck_assert_str_eq(u, "alice");
        ck_assert_str_eq(n, "thesis");

        char *sentinel = (char *) "untouched", *r1 = sentinel, *r2 = sentinel;
        static const char *const bad[] = {
                "berth/alice/thesis:v2", "docker.io/berth/alice/thesis", "berth/alice", "berth/alice/",
                "berth//thesis", "berth/alice/thesis/x", "berth/Alice/thesis", "berth/alice/thesis@sha256:00",
                "berth/alice/thesis:latest:latest", "berth", "berth/", "", "alice/thesis:latest",
                "Berth/alice/thesis", "berth/x__61/thesis", "berth/alice/thesis:",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ck_assert_msg(name_user_image_parse(bad[i], &r1, &r2) == -EINVAL, "accepted '%s'", bad[i]);
                ck_assert_ptr_eq(r1, sentinel);
                ck_assert_ptr_eq(r2, sentinel);
        }
        ck_assert_int_eq(name_user_image_parse(NULL, &r1, &r2), -EINVAL);

        char big[200];
        memset(big, 'A', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        ck_assert_int_eq(name_user_image("alice", big, &r1), -ENAMETOOLONG);
        ck_assert_int_eq(name_user_image("alice", "", &r1), -EINVAL);
        ck_assert_int_eq(name_user_image(NULL, "x", &r1), -EINVAL);
        ck_assert_ptr_eq(r1, sentinel);

        /* Round trip and Docker's reference grammar on generated names. */
        regex_t ref;
        ck_assert_int_eq(regcomp(&ref,
                                 "^berth/[a-z0-9]+(([._]|__|[-]*)[a-z0-9]+)*/[a-z0-9]+(([._]|__|[-]*)[a-z0-9]+)*"
                                 ":latest$",
                                 REG_EXTENDED | REG_NOSUB),
                         0);
        rng_seed(99);
        for (size_t i = 0; i < 1000; i++) {
                _cleanup_free_ char *gu = gen_name(16), *gn = gen_name(16), *img = NULL, *pu = NULL,
                                    *pn = NULL;
                ck_assert_int_eq(name_user_image(gu, gn, &img), 0);
                ck_assert_msg(regexec(&ref, img, 0, NULL, 0) == 0, "'%s' is no image reference", img);
                ck_assert_int_eq(name_user_image_parse(img, &pu, &pn), 0);
                ck_assert_str_eq(pu, gu);
                ck_assert_str_eq(pn, gn);
        }
        regfree(&ref);
}
END_TEST

#define strnull(s) ((s) ? (s) : "(null)")

static void ns_is(const char *ref, const char *user) {
        _cleanup_free_ char *u = NULL;
        ck_assert_int_eq(name_image_namespace(ref, &u), 0);
        if (user)
                ck_assert_msg(u && streq(u, user), "%s: %s, not %s", ref, strnull(u), user);
        else
                ck_assert_msg(!u, "%s: %s, not none", ref, strnull(u));
}

START_TEST(test_image_namespace) {
        ns_is("berth/alice/img:latest", "alice");
        ns_is("berth/alice/img", "alice");
        ns_is("berth/alice/a/b:v2", "alice");
        ns_is("docker.io/berth/alice/img", "alice");
        ns_is("index.docker.io/berth/alice/img:1", "alice");
        ns_is("berth/x__41/img", "A");
        ns_is("berth/x__61/img", NULL); /* "a" is plain: never made so */
        ns_is("berth/alice", NULL);
        ns_is("berth//img", NULL);
        ns_is("ghcr.io/berth/alice/img", NULL);
        ns_is("berth-test:latest", NULL);
        ns_is("sha256:0123", NULL);
        ns_is(NULL, NULL);
}
END_TEST

static void tagged_is(const char *ref, const char *want) {
        _cleanup_free_ char *t = NULL;
        ck_assert_int_eq(name_image_tagged(ref, &t), 0);
        ck_assert_str_eq(t, want);
}

START_TEST(test_image_tagged) {
        tagged_is("x", "x:latest");
        tagged_is("x:1", "x:1");
        tagged_is("host:5000/team/x", "host:5000/team/x:latest");
        tagged_is("host:5000/team/x:v", "host:5000/team/x:v");
        tagged_is("x@sha256:abc", "x@sha256:abc");
        tagged_is("berth/bob/x", "berth/bob/x:latest");
        char *t = NULL;
        ck_assert_int_eq(name_image_tagged(NULL, &t), -EINVAL);
}
END_TEST

static void str_is(int r, char *got, const char *want, const char *what) {
        ck_assert_msg(r == 0, "%s: %d", what, r);
        if (want)
                ck_assert_msg(got && streq(got, want), "%s: '%s', not '%s'", what, strnull(got), want);
        else
                ck_assert_msg(!got, "%s: '%s', not none", what, got);
        free(got);
}

START_TEST(test_image_refs) {
        char *s = NULL;
        int r;

        /* the berth/ part, however Docker spells it */
        ck_assert_str_eq(name_image_berth_part("docker.io/berth/a/x"), "berth/a/x");
        ck_assert_str_eq(name_image_berth_part("index.docker.io/berth/a/x"), "berth/a/x");
        ck_assert_str_eq(name_image_berth_part("berth/a/x"), "berth/a/x");
        ck_assert_ptr_null(name_image_berth_part("ghcr.io/berth/a/x"));
        ck_assert_ptr_null(name_image_berth_part("berthx/a"));
        ck_assert_ptr_null(name_image_berth_part(NULL));

        r = name_user_image_prefix("alice", &s);
        str_is(r, s, "berth/alice/", "prefix alice");
        s = NULL;
        r = name_user_image_prefix("A", &s);
        str_is(r, s, "berth/x__41/", "prefix A");
        s = NULL;
        ck_assert_int_eq(name_user_image_prefix("", &s), -EINVAL);
        ck_assert_int_eq(name_user_image_prefix(NULL, &s), -EINVAL);

        /* pull: berth/ outside one's own namespace */
        ck_assert_int_eq(name_image_foreign("berth/bob/x", "alice"), 1);
        ck_assert_int_eq(name_image_foreign("docker.io/berth/bob/x:latest", "alice"), 1);
        ck_assert_int_eq(name_image_foreign("index.docker.io/berth/bob/x", "alice"), 1);
        ck_assert_int_eq(name_image_foreign("berth/alicex/y", "alice"), 1);
        ck_assert_int_eq(name_image_foreign("berth/x", "alice"), 1);
        ck_assert_int_eq(name_image_foreign("berth/alice/x", "alice"), 0);
        ck_assert_int_eq(name_image_foreign("docker.io/berth/alice/x:2", "alice"), 0);
        ck_assert_int_eq(name_image_foreign("ubuntu:22.04", "alice"), 0);
        ck_assert_int_eq(name_image_foreign("ghcr.io/berth/bob/x", "alice"), 0);
        ck_assert_int_eq(name_image_foreign("berth/bob/x", ""), -EINVAL);

        /* the API's repo and tag, as Docker's RepoTagReference joins them */
        r = name_image_repo_tag("x", "", &s);
        str_is(r, s, "x", "repo x");
        s = NULL;
        r = name_image_repo_tag("x", NULL, &s);
        str_is(r, s, "x", "repo x, no tag");
        s = NULL;
        r = name_image_repo_tag("x", "v1", &s);
        str_is(r, s, "x:v1", "x v1");
        s = NULL;
        r = name_image_repo_tag("x:old", "v1", &s);
        str_is(r, s, "x:v1", "x:old v1");
        s = NULL;
        r = name_image_repo_tag("host:5000/x", "v", &s);
        str_is(r, s, "host:5000/x:v", "host:5000/x v");
        s = NULL;
        r = name_image_repo_tag("host:5000/x:o", "v", &s);
        str_is(r, s, "host:5000/x:v", "host:5000/x:o v");
        s = NULL;
        r = name_image_repo_tag("x@sha256:ab", "v", &s);
        str_is(r, s, "x@sha256:ab", "a digest stays");
        s = NULL;
        ck_assert_int_eq(name_image_repo_tag("", "v", &s), -EINVAL);
        ck_assert_int_eq(name_image_repo_tag(NULL, "v", &s), -EINVAL);

        /* the own image a plain name finds first */
        r = name_image_own("x", "alice", &s);
        str_is(r, s, "berth/alice/x:latest", "own x");
        s = NULL;
        r = name_image_own("x:v2", "alice", &s);
        str_is(r, s, "berth/alice/x:v2", "own x:v2");
        s = NULL;
        r = name_image_own("berth/alice/x", "alice", &s);
        str_is(r, s, NULL, "own of her own");
        s = NULL;
        r = name_image_own("berth/bob/x", "alice", &s);
        str_is(r, s, NULL, "own of bob's");
        s = NULL;
        r = name_image_own("ghcr.io/a/b", "alice", &s);
        str_is(r, s, NULL, "own of a registry name");
        s = NULL;
        r = name_image_own("Bad", "alice", &s);
        str_is(r, s, NULL, "own of no valid name");
        s = NULL;
        ck_assert_int_eq(name_image_own(NULL, "alice", &s), -EINVAL);

        /* Docker's spellings of berth/… are berth/…, for name_image_typed() too */
        int kept = -1;
        ck_assert_int_eq(name_image_typed("docker.io/berth/bob/x", "alice", &s, &kept), -EPERM);
        ck_assert_int_eq(name_image_typed("index.docker.io/berth/bob/x:1", "alice", &s, &kept), -EPERM);
        ck_assert_int_eq(name_image_typed("docker.io/berth/alice/x", "alice", &s, &kept), 0);
        ck_assert_int_eq(kept, 1);
        str_is(0, s, "berth/alice/x:latest", "docker.io/berth/alice/x");
        s = NULL;
        ck_assert_int_eq(name_image_typed("index.docker.io/berth/alice/x:v", "alice", &s, &kept), 0);
        str_is(0, s, "berth/alice/x:v", "index.docker.io/berth/alice/x:v");
        s = NULL;
        ck_assert_int_eq(name_image_typed("docker.io/library/ubuntu", "alice", &s, &kept), 0);
        ck_assert_int_eq(kept, 1);
        str_is(0, s, "docker.io/library/ubuntu", "docker.io/library/ubuntu stays");
}
END_TEST

Suite *names_suite(void) {
        Suite *s = suite_create("names");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_unit_escape_vectors);
        tcase_add_test(tc, test_unit_escape_matches_systemd);
        tcase_add_test(tc, test_unit_unescape_strict);
        tcase_add_test(tc, test_slices);
        tcase_add_test(tc, test_slices_distinct);
        tcase_add_test(tc, test_docker_token_vectors);
        tcase_add_test(tc, test_docker_token_injective);
        tcase_add_test(tc, test_container_valid);
        tcase_add_test(tc, test_container);
        tcase_add_test(tc, test_project);
        tcase_add_test(tc, test_user_image);
        tcase_add_test(tc, test_image_namespace);
        tcase_add_test(tc, test_image_tagged);
        tcase_add_test(tc, test_image_refs);
        suite_add_tcase(s, tc);
        return s;
}
