/* SPDX-License-Identifier: MIT */
#include "core/names.h"

#include <stdbool.h>
#include <stdint.h>

#include "basic/util.h"

#define UNIT_NAME_MAX 255  /* systemd: strlen(unit) < UNIT_NAME_MAX (256) */
#define DOCKER_REPO_MAX 255 /* Docker: NameTotalLengthMax */
#define TOKEN_HEX_PREFIX "x__"
#define CONTAINER_SEP "._."
#define SLICE_PREFIX "berth-"
#define SLICE_SUFFIX ".slice"
#define IMAGE_PREFIX "berth/"
#define IMAGE_TAG ":latest"

static const char hexdigits[] = "0123456789abcdef";

static bool ascii_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool ascii_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Only lower case: each byte has exactly one encoding, so decoding can be
 * the exact inverse. */
static int unhex_lower(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -EINVAL;
}

static bool has_suffix(const char *s, size_t len, const char *suffix) {
        size_t l = strlen(suffix);
        return len >= l && memcmp(s + len - l, suffix, l) == 0;
}

/* A byte systemd keeps as is (the leading-dot case aside). */
static bool unit_char_plain(char c) {
        return ascii_alnum(c) || c == ':' || c == '_' || c == '.';
}

int name_unit_escape(const char *s, char **ret) {
        if (!s || !ret || !*s)
                return -EINVAL;

        size_t len = strlen(s);
        if (len > SIZE_MAX / 4 - 1)
                return -ENOMEM;
        char *buf = malloc(len * 4 + 1);
        if (!buf)
                return -ENOMEM;

        char *t = buf;
        for (const char *f = s; *f; f++) {
                unsigned char c = (unsigned char) *f;
                if (c == '/')
                        *t++ = '-';
                else if (unit_char_plain((char) c) && !(f == s && c == '.'))
                        *t++ = (char) c;
                else {
                        *t++ = '\\';
                        *t++ = 'x';
                        *t++ = hexdigits[c >> 4];
                        *t++ = hexdigits[c & 15];
                }
        }
        *t = 0;
        *ret = buf;
        return 0;
}

int name_unit_unescape(const char *s, char **ret) {
        if (!s || !ret || !*s)
                return -EINVAL;

        _cleanup_free_ char *buf = malloc(strlen(s) + 1);
        if (!buf)
                return -ENOMEM;

        char *t = buf;
        for (const char *f = s; *f; f++) {
                bool first = t == buf;
                if (*f == '-')
                        *t++ = '/';
                else if (*f == '\\') {
                        if (f[1] != 'x')
                                return -EINVAL;
                        int a = unhex_lower(f[2]);
                        if (a < 0)
                                return -EINVAL;
                        int b = unhex_lower(f[3]);
                        if (b < 0)
                                return -EINVAL;
                        char c = (char) ((a << 4) | b);
                        /* Refuse what escaping would have left alone, and NUL. */
                        if (c == 0 || c == '/' || (unit_char_plain(c) && !(first && c == '.')))
                                return -EINVAL;
                        *t++ = c;
                        f += 3;
                } else if (unit_char_plain(*f) && !(first && *f == '.'))
                        *t++ = *f;
                else
                        return -EINVAL;
        }
        *t = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* One slice component: escaped, and without '/' which escaping turns into
 * '-', the separator of the slice hierarchy. */
static int slice_component(const char *s, char **ret) {
        if (!s || !*s || strchr(s, '/'))
                return -EINVAL;
        if (strlen(s) > NAME_MAX_INPUT)
                return -ENAMETOOLONG;
        return name_unit_escape(s, ret);
}

static int slice_finish(char *name, char **ret) {
        if (strlen(name) > UNIT_NAME_MAX) {
                free(name);
                return -ENAMETOOLONG;
        }
        *ret = name;
        return 0;
}

int name_slice_group(const char *group, char **ret) {
        if (!ret)
                return -EINVAL;

        _cleanup_free_ char *g = NULL;
        int r = slice_component(group, &g);
        if (r < 0)
                return r;

        char *name = NULL;
        if (asprintf(&name, SLICE_PREFIX "%s" SLICE_SUFFIX, g) < 0)
                return -ENOMEM;
        return slice_finish(name, ret);
}

int name_slice_user(const char *group, const char *user, char **ret) {
        if (!ret)
                return -EINVAL;

        _cleanup_free_ char *g = NULL, *u = NULL;
        int r = slice_component(group, &g);
        if (r < 0)
                return r;
        r = slice_component(user, &u);
        if (r < 0)
                return r;

        char *name = NULL;
        if (asprintf(&name, SLICE_PREFIX "%s-%s" SLICE_SUFFIX, g, u) < 0)
                return -ENOMEM;
        return slice_finish(name, ret);
}

int name_slice_parse(const char *slice, char **ret_group, char **ret_user) {
        if (!slice)
                return -EINVAL;

        size_t len = strlen(slice);
        if (len > UNIT_NAME_MAX)
                return -EINVAL;
        if (strncmp(slice, SLICE_PREFIX, strlen(SLICE_PREFIX)) != 0 ||
            !has_suffix(slice, len, SLICE_SUFFIX))
                return -EINVAL;
        if (len <= strlen(SLICE_PREFIX) + strlen(SLICE_SUFFIX))
                return -EINVAL;

        _cleanup_free_ char *mid = strndup(slice + strlen(SLICE_PREFIX),
                                           len - strlen(SLICE_PREFIX) - strlen(SLICE_SUFFIX));
        if (!mid)
                return -ENOMEM;

        /* Escaped components hold no '-', so the hierarchy splits cleanly. */
        char *dash = strchr(mid, '-');
        if (dash) {
                *dash = 0;
                if (strchr(dash + 1, '-'))
                        return -EINVAL;
        }

        _cleanup_free_ char *g = NULL, *u = NULL;
        int r = name_unit_unescape(mid, &g);
        if (r < 0)
                return r;
        if (dash) {
                r = name_unit_unescape(dash + 1, &u);
                if (r < 0)
                        return r;
        }
        if (strlen(g) > NAME_MAX_INPUT || (u && strlen(u) > NAME_MAX_INPUT))
                return -EINVAL;

        if (ret_group)
                *ret_group = TAKE_PTR(g);
        if (ret_user)
                *ret_user = TAKE_PTR(u);
        return 0;
}

/* ^[a-z0-9]+([._-][a-z0-9]+)*$ */
static bool token_is_plain(const char *s) {
        bool prev_sep = true; /* so a leading separator is refused */
        if (!*s)
                return false;
        for (const char *p = s; *p; p++) {
                if (ascii_lower_alnum(*p))
                        prev_sep = false;
                else if (*p == '.' || *p == '_' || *p == '-') {
                        if (prev_sep)
                                return false;
                        prev_sep = true;
                } else
                        return false;
        }
        return !prev_sep;
}

int name_docker_token(const char *s, char **ret) {
        if (!s || !ret || !*s)
                return -EINVAL;

        size_t len = strlen(s);
        if (len > NAME_MAX_INPUT)
                return -ENAMETOOLONG;

        if (token_is_plain(s)) {
                char *t = strdup(s);
                if (!t)
                        return -ENOMEM;
                *ret = t;
                return 0;
        }

        char *t = malloc(strlen(TOKEN_HEX_PREFIX) + len * 2 + 1);
        if (!t)
                return -ENOMEM;
        char *p = stpcpy(t, TOKEN_HEX_PREFIX);
        for (const unsigned char *f = (const unsigned char *) s; *f; f++) {
                *p++ = hexdigits[*f >> 4];
                *p++ = hexdigits[*f & 15];
        }
        *p = 0;
        *ret = t;
        return 0;
}

int name_docker_token_decode(const char *tok, char **ret) {
        if (!tok || !ret || !*tok)
                return -EINVAL;

        size_t len = strlen(tok), pl = strlen(TOKEN_HEX_PREFIX);
        if (strncmp(tok, TOKEN_HEX_PREFIX, pl) != 0) {
                if (len > NAME_MAX_INPUT || !token_is_plain(tok))
                        return -EINVAL;
                char *t = strdup(tok);
                if (!t)
                        return -ENOMEM;
                *ret = t;
                return 0;
        }

        size_t hl = len - pl;
        if (hl == 0 || hl % 2 != 0 || hl / 2 > NAME_MAX_INPUT)
                return -EINVAL;

        _cleanup_free_ char *t = malloc(hl / 2 + 1);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < hl / 2; i++) {
                int a = unhex_lower(tok[pl + 2 * i]);
                int b = unhex_lower(tok[pl + 2 * i + 1]);
                if (a < 0 || b < 0 || (a | b) == 0)
                        return -EINVAL;
                t[i] = (char) ((a << 4) | b);
        }
        t[hl / 2] = 0;

        /* A plain value is only ever written verbatim. */
        if (token_is_plain(t))
                return -EINVAL;

        *ret = TAKE_PTR(t);
        return 0;
}

int name_container_valid(const char *name) {
        if (!name)
                return 0;
        if (*name == '/')
                name++;
        if (!ascii_alnum(name[0]) || !name[1])
                return 0;
        for (const char *p = name + 1; *p; p++)
                if (!ascii_alnum(*p) && !strchr("_.-", *p))
                        return 0;
        return 1;
}

/* [a-zA-Z0-9][a-zA-Z0-9_.-]* without "._.": a name part of a container. */
static int container_part_check(const char *name, size_t len) {
        if (len == 0 || !ascii_alnum(name[0]))
                return -EINVAL;
        for (size_t i = 1; i < len; i++)
                if (!ascii_alnum(name[i]) && !strchr("_.-", name[i]))
                        return -EINVAL;
        if (memmem(name, len, CONTAINER_SEP, strlen(CONTAINER_SEP)))
                return -EINVAL;
        if (len > NAME_CONTAINER_PART_MAX)
                return -ENAMETOOLONG;
        return 0;
}

int name_container(const char *name, const char *user, char **ret) {
        if (!name || !ret)
                return -EINVAL;

        int r = container_part_check(name, strlen(name));
        if (r < 0)
                return r;

        _cleanup_free_ char *u = NULL;
        r = name_docker_token(user, &u);
        if (r < 0)
                return r;

        _cleanup_free_ char *full = NULL;
        if (asprintf(&full, "%s" CONTAINER_SEP "%s", name, u) < 0)
                return -ENOMEM;
        /* what berth hands Docker always passes Docker's own rule */
        if (!name_container_valid(full))
                return -EINVAL;
        *ret = TAKE_PTR(full);
        return 0;
}

/* Last occurrence of needle in s, or NULL. */
static const char *strrstr(const char *s, const char *needle) {
        const char *last = NULL;
        for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
                last = p;
        return last;
}

int name_container_typed(const char *typed, const char *user, char **ret) {
        _cleanup_free_ char *base = NULL, *owner = NULL;

        if (!typed || !user)
                return -EINVAL;
        if (strstr(typed, "._.")) {
                if (name_container_parse(typed, &base, &owner) < 0 || !streq(owner, user))
                        return -EPERM;
                return name_container(base, user, ret);
        }
        return name_container(typed, user, ret);
}

int name_container_parse(const char *full, char **ret_name, char **ret_user) {
        if (!full)
                return -EINVAL;
        if (*full == '/')
                full++;

        const char *sep = strrstr(full, CONTAINER_SEP);
        if (!sep)
                return -EINVAL;

        int r = container_part_check(full, (size_t) (sep - full));
        if (r < 0)
                return -EINVAL;

        _cleanup_free_ char *u = NULL;
        r = name_docker_token_decode(sep + strlen(CONTAINER_SEP), &u);
        if (r < 0)
                return r;

        _cleanup_free_ char *n = strndup(full, (size_t) (sep - full));
        if (!n)
                return -ENOMEM;

        if (ret_name)
                *ret_name = TAKE_PTR(n);
        if (ret_user)
                *ret_user = TAKE_PTR(u);
        return 0;
}

int name_project(const char *label, const char *env, const char *cwd, char **ret) {
        if (!ret)
                return -EINVAL;
        if (label && *label)
                return name_docker_token(label, ret);
        if (env && *env)
                return name_docker_token(env, ret);
        if (!cwd || !*cwd)
                return -EINVAL;

        /* Last component, ignoring trailing slashes; "/" has none. */
        size_t end = strlen(cwd);
        while (end > 0 && cwd[end - 1] == '/')
                end--;
        if (end == 0)
                return name_docker_token("root", ret);
        size_t start = end;
        while (start > 0 && cwd[start - 1] != '/')
                start--;
        if (end - start > NAME_MAX_INPUT)
                return -ENAMETOOLONG;

        _cleanup_free_ char *base = strndup(cwd + start, end - start);
        if (!base)
                return -ENOMEM;
        return name_docker_token(base, ret);
}

int name_project_next(const char *project, unsigned n, char **ret) {
        if (!project || !ret || n == 0)
                return -EINVAL;

        int r = container_part_check(project, strlen(project));
        if (r < 0)
                return r;

        char *s = NULL;
        if (n == 1)
                s = strdup(project);
        else if (asprintf(&s, "%s-%u", project, n) < 0)
                s = NULL;
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int name_user_image(const char *user, const char *name, char **ret) {
        if (!ret)
                return -EINVAL;

        _cleanup_free_ char *u = NULL, *n = NULL;
        int r = name_docker_token(user, &u);
        if (r < 0)
                return r;
        r = name_docker_token(name, &n);
        if (r < 0)
                return r;

        if (strlen(IMAGE_PREFIX) + strlen(u) + 1 + strlen(n) > DOCKER_REPO_MAX)
                return -ENAMETOOLONG;

        char *ref = NULL;
        if (asprintf(&ref, IMAGE_PREFIX "%s/%s" IMAGE_TAG, u, n) < 0)
                return -ENOMEM;
        *ret = ref;
        return 0;
}

int name_user_image_parse(const char *ref, char **ret_user, char **ret_name) {
        if (!ref)
                return -EINVAL;

        size_t len = strlen(ref);
        if (strncmp(ref, IMAGE_PREFIX, strlen(IMAGE_PREFIX)) != 0)
                return -EINVAL;
        if (has_suffix(ref, len, IMAGE_TAG))
                len -= strlen(IMAGE_TAG);
        if (len > DOCKER_REPO_MAX)
                return -EINVAL;

        const char *u = ref + strlen(IMAGE_PREFIX);
        const char *end = ref + len;
        const char *slash = memchr(u, '/', (size_t) (end - u));
        if (!slash)
                return -EINVAL;

        _cleanup_free_ char *ut = strndup(u, (size_t) (slash - u));
        _cleanup_free_ char *nt = strndup(slash + 1, (size_t) (end - slash - 1));
        if (!ut || !nt)
                return -ENOMEM;

        /* Decoding refuses any ':', '@' or '/' left in the tokens. */
        _cleanup_free_ char *ud = NULL, *nd = NULL;
        int r = name_docker_token_decode(ut, &ud);
        if (r < 0)
                return r;
        r = name_docker_token_decode(nt, &nd);
        if (r < 0)
                return r;

        if (ret_user)
                *ret_user = TAKE_PTR(ud);
        if (ret_name)
                *ret_name = TAKE_PTR(nd);
        return 0;
}

static bool lower_or_digit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component of a repository as Docker's reference grammar has it:
 * [a-z0-9]+ groups joined by '.', '_', "__" or a run of '-'. */
static bool repo_component_valid(const char *s, size_t n) {
        if (n == 0 || !lower_or_digit(s[0]) || !lower_or_digit(s[n - 1]))
                return false;
        for (size_t i = 1; i < n; i++) {
                char c = s[i], p = s[i - 1];
                if (lower_or_digit(c))
                        continue;
                bool ok = (c == '-' && (lower_or_digit(p) || p == '-')) || (c == '.' && lower_or_digit(p)) ||
                          (c == '_' && (lower_or_digit(p) || (p == '_' && i >= 2 && lower_or_digit(s[i - 2]))));
                if (!ok)
                        return false;
        }
        return true;
}

/* A tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
static bool tag_valid(const char *t) {
        size_t n = strlen(t);
        if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(lower_or_digit(t[i]) || (t[i] >= 'A' && t[i] <= 'Z') || t[i] == '_' || t[i] == '.' || t[i] == '-'))
                        return false;
        return true;
}

int name_image_typed(const char *ref, const char *user, char **ret, int *ret_kept) {
        if (!ref || !*ref || !user || !ret)
                return -EINVAL;
        if (strchr(ref, '@'))
                return -EINVAL; /* a digest names content, never a tag to move */
        /* Docker files docker.io/berth/… under berth/…: it is that name */
        const char *berth = name_image_berth_part(ref);
        if (berth)
                ref = berth;

        /* registry host: the first component has '.' or ':' or is localhost */
        size_t first = strcspn(ref, "/");
        if (ref[first] == '/' &&
            (memchr(ref, '.', first) || memchr(ref, ':', first) || (first == 9 && strncmp(ref, "localhost", 9) == 0))) {
                char *c = strdup(ref);
                if (!c)
                        return -ENOMEM;
                *ret = c;
                if (ret_kept)
                        *ret_kept = 1;
                return 0;
        }

        /* split off the tag: a ':' after the last '/' */
        const char *slash = strrchr(ref, '/');
        const char *colon = strrchr(ref, ':');
        if (colon && slash && colon < slash)
                colon = NULL;
        size_t path_len = colon ? (size_t) (colon - ref) : strlen(ref);
        const char *tag = colon ? colon + 1 : "latest";
        if (!tag_valid(tag) || path_len == 0 || ref[path_len - 1] == '/')
                return -EINVAL;
        for (const char *p = ref; p < ref + path_len;) {
                size_t n = strcspn(p, "/");
                if (n > (size_t) (ref + path_len - p))
                        n = (size_t) (ref + path_len - p);
                if (!repo_component_valid(p, n))
                        return -EINVAL;
                p += n;
                if (p < ref + path_len)
                        p++;
        }

        _cleanup_free_ char *u = NULL;
        int r = name_docker_token(user, &u);
        if (r < 0)
                return r;
        size_t ul = strlen(u);
        bool own = strncmp(ref, IMAGE_PREFIX, strlen(IMAGE_PREFIX)) == 0;
        if (own) {
                const char *rest = ref + strlen(IMAGE_PREFIX);
                if (strncmp(rest, u, ul) != 0 || rest[ul] != '/' || (size_t) (rest + ul + 1 - ref) >= path_len)
                        return -EPERM;
        }
        char *out = NULL;
        if (own ? asprintf(&out, "%.*s:%s", (int) path_len, ref, tag) < 0
                : asprintf(&out, IMAGE_PREFIX "%s/%.*s:%s", u, (int) path_len, ref, tag) < 0)
                return -ENOMEM;
        if (strcspn(out, ":") > DOCKER_REPO_MAX) {
                free(out);
                return -ENAMETOOLONG;
        }
        *ret = out;
        if (ret_kept)
                *ret_kept = own;
        return 0;
}

const char *name_image_berth_part(const char *ref) {
        static const char *const prefixes[] = { "", "docker.io/", "index.docker.io/" };
        if (!ref)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                size_t n = strlen(prefixes[i]);
                if (strncmp(ref, prefixes[i], n) == 0 && strncmp(ref + n, IMAGE_PREFIX, strlen(IMAGE_PREFIX)) == 0)
                        return ref + n;
        }
        return NULL;
}

int name_image_namespace(const char *ref, char **ret) {
        _cleanup_free_ char *tok = NULL;
        const char *p = name_image_berth_part(ref), *slash;

        *ret = NULL;
        if (!p)
                return 0;
        p += strlen(IMAGE_PREFIX);
        slash = strchr(p, '/');
        if (!slash || slash == p)
                return 0;
        tok = strndup(p, (size_t) (slash - p));
        if (!tok)
                return -ENOMEM;
        int r = name_docker_token_decode(tok, ret);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                *ret = NULL;
        return 0;
}

int name_user_image_prefix(const char *user, char **ret) {
        _cleanup_free_ char *u = NULL;
        if (!user || !ret)
                return -EINVAL;
        int r = name_docker_token(user, &u);
        if (r < 0)
                return r;
        return asprintf(ret, IMAGE_PREFIX "%s/", u) < 0 ? -ENOMEM : 0;
}

int name_image_foreign(const char *ref, const char *user) {
        _cleanup_free_ char *mine = NULL;
        int r = name_user_image_prefix(user, &mine);
        if (r < 0)
                return r;
        const char *p = name_image_berth_part(ref);
        return p && strncmp(p, mine, strlen(mine)) != 0;
}

int name_image_tagged(const char *ref, char **ret) {
        if (!ref || !ret)
                return -EINVAL;
        const char *last = strrchr(ref, '/');
        last = last ? last + 1 : ref;
        char *t;
        if (strchr(last, ':') || strchr(ref, '@'))
                t = strdup(ref);
        else if (asprintf(&t, "%s" IMAGE_TAG, ref) < 0)
                t = NULL;
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

int name_image_repo_tag(const char *repo, const char *tag, char **ret) {
        char *out;
        if (!repo || !*repo || !ret)
                return -EINVAL;
        if (!tag || !*tag || strchr(repo, '@'))
                out = strdup(repo); /* a digest is left for name_image_typed() to refuse */
        else {
                const char *slash = strrchr(repo, '/'), *colon = strrchr(repo, ':');
                size_t n = colon && (!slash || colon > slash) ? (size_t) (colon - repo) : strlen(repo);
                if (asprintf(&out, "%.*s:%s", (int) n, repo, tag) < 0)
                        out = NULL;
        }
        if (!out)
                return -ENOMEM;
        *ret = out;
        return 0;
}

int name_image_own(const char *image, const char *user, char **ret) {
        _cleanup_free_ char *f = NULL;
        int kept = 0;
        if (!image || !user || !ret)
                return -EINVAL;
        int r = name_image_typed(image, user, &f, &kept);
        if (r == -ENOMEM)
                return r;
        *ret = r < 0 || kept || streq(f, image) ? NULL : TAKE_PTR(f);
        return 0;
}
