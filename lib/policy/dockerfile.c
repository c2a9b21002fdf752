/* SPDX-License-Identifier: MIT */
#include "policy/dockerfile.h"

#include <ctype.h>

static bool only_chars(const char *s, const char *extra) {
        for (; *s; s++)
                if (!isalnum((unsigned char) *s) && !strchr(extra, *s))
                        return false;
        return true;
}

int dockerfile_from_valid(const char *image) {
        if (!image || !isalnum((unsigned char) image[0]) || strlen(image) > 512)
                return 0;
        return only_chars(image, "._/:@-");
}

int dockerfile_apt_valid(const char *pkg) {
        if (!pkg || strlen(pkg) > 255 || !(islower((unsigned char) pkg[0]) || isdigit((unsigned char) pkg[0])))
                return 0;
        size_t n = strcspn(pkg, "=:");
        if (n < 2)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!islower((unsigned char) pkg[i]) && !isdigit((unsigned char) pkg[i]) && !strchr("+.-", pkg[i]))
                        return 0;
        if (!pkg[n])
                return 1;
        const char *rest = pkg + n + 1;
        if (!*rest)
                return 0;
        if (pkg[n] == ':') /* an architecture */
                return only_chars(rest, "-") && !strchr(rest, '=');
        return isalnum((unsigned char) rest[0]) && only_chars(rest, ".+~:-");
}

int dockerfile_pip_valid(const char *spec) {
        if (!spec || strlen(spec) > 255 || !isalnum((unsigned char) spec[0]))
                return 0;
        const char *p = spec;
        while (*p && (isalnum((unsigned char) *p) || strchr("._-", *p)))
                p++;
        if (*p == '[') {
                const char *close = strchr(p, ']');
                if (!close || close == p + 1)
                        return 0;
                for (const char *q = p + 1; q < close; q++)
                        if (!isalnum((unsigned char) *q) && !strchr("._-,", *q))
                                return 0;
                p = close + 1;
        }
        if (!*p)
                return 1;
        /* a version clause must start with a comparison */
        const char *q = p;
        while (*q == ' ')
                q++;
        if (!*q || !strchr("<>=!~", *q))
                return 0;
        return only_chars(p, ".*+!_,<>=~ -");
}

static void put_quoted_list(FILE *f, char *const *items) {
        for (char *const *i = items; *i; i++)
                fprintf(f, " \\\n      '%s'", *i);
}

static int check_list(char *const *items, int (*valid)(const char *), const char *what, const char *flag,
                      struct berth_error *err) {
        for (char *const *i = items; i && *i; i++)
                if (!valid(*i))
                        return berth_error_set(err, -EINVAL, "berth: '%s' is not a valid %s; %s takes plain names%s.",
                                               *i, what, flag,
                                               streq(flag, "--pip") ? " with optional [extras] and version clauses"
                                                                    : " with an optional =VERSION");
        return 0;
}

static void put_layers(FILE *f, char *const *apt, char *const *pip, bool requirements) {
        if (apt && *apt) {
                fputs("\n# system packages (--apt)\n"
                      "RUN apt-get update \\\n"
                      " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends",
                      f);
                put_quoted_list(f, apt);
                fputs(" \\\n && rm -rf /var/lib/apt/lists/*\n", f);
        }
        if (requirements)
                fputs("\n# Python requirements (--requirements)\n"
                      "COPY " DOCKERFILE_REQUIREMENTS " " DOCKERFILE_REQUIREMENTS_TARGET "\n"
                      "RUN python3 -m pip install --no-cache-dir -r " DOCKERFILE_REQUIREMENTS_TARGET "\n",
                      f);
        if (pip && *pip) {
                fputs("\n# Python packages (--pip)\n"
                      "RUN python3 -m pip install --no-cache-dir",
                      f);
                put_quoted_list(f, pip);
                fputc('\n', f);
        }
}

/* buf is only valid once the stream is closed. */
static int finish(FILE *f, char **buf, char **ret, struct berth_error *err) {
        if (fclose(f) != 0 || !*buf) {
                free(*buf);
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        }
        *ret = *buf;
        return 0;
}

int dockerfile_render_layers(char *const *apt, char *const *pip, bool requirements, char **ret,
                             struct berth_error *err) {
        char *buf = NULL;
        size_t len = 0;
        int r;

        if ((r = check_list(apt, dockerfile_apt_valid, "apt package", "--apt", err)) < 0 ||
            (r = check_list(pip, dockerfile_pip_valid, "pip requirement", "--pip", err)) < 0)
                return r;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        put_layers(f, apt, pip, requirements);
        return finish(f, &buf, ret, err);
}

int dockerfile_render(const struct dockerfile_recipe *r, char **ret, struct berth_error *err) {
        char *buf = NULL;
        size_t len = 0;
        int q;

        if (!r->base_text && !dockerfile_from_valid(r->from))
                return berth_error_set(err, -EINVAL, "berth: '%s' is not a valid base image reference.",
                                       strempty(r->from));
        if ((q = check_list(r->apt, dockerfile_apt_valid, "apt package", "--apt", err)) < 0 ||
            (q = check_list(r->pip, dockerfile_pip_valid, "pip requirement", "--pip", err)) < 0)
                return q;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        fprintf(f,
                "# The recipe of the berth image '%s', written by `image create`.\n"
                "# Edit it freely and rebuild with `image update %s`; the directory\n"
                "# it lives in is the build context.\n",
                strempty(r->name), strempty(r->name));
        if (r->base_text) {
                size_t n = strlen(r->base_text);
                fputs("\n", f);
                fputs(r->base_text, f);
                if (n > 0 && r->base_text[n - 1] != '\n')
                        fputc('\n', f);
        } else
                fprintf(f, "\nFROM %s\n", r->from);
        put_layers(f, r->apt, r->pip, r->requirements);
        return finish(f, &buf, ret, err);
}
