/* SPDX-License-Identifier: MIT */
/* Loading a config tree from its directory: berth.conf, then the files of
 * groups.d and users.d in lexical order, then the checks across files. */
#include "core/config.h"

#include <dirent.h>

#include "basic/fileio.h"
#include "basic/suggest.h"
#include "basic/util.h"

#define MAX_FILE_SIZE (1024 * 1024)

static int parse_file(struct berth_config *c, enum config_file_kind kind, const char *path, const char *name,
                      struct config_errors *errs) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_full_file(path, MAX_FILE_SIZE, &text, &len);
        if (r < 0) {
                if (config_errors_add(errs, "%s:0: file: cannot read: %s", path,
                               r == -EFBIG ? "larger than 1 MiB" : strerror(-r)) < 0)
                        return -ENOMEM;
                return 1;
        }
        return config_parse_buffer(c, kind, path, name, text, len, errs);
}

static int filter_conf(const struct dirent *de) {
        size_t l = strlen(de->d_name);
        return de->d_name[0] != '.' && l > 5 && streq(de->d_name + l - 5, ".conf");
}

static int compare_names(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int parse_dir(struct berth_config *c, enum config_file_kind kind, const char *sub,
                     struct config_errors *errs) {
        _cleanup_free_ char *dir = NULL;
        struct dirent **list = NULL;
        int n, errors = 0, r = 0;

        if (asprintf(&dir, "%s/%s", c->dir, sub) < 0)
                return -ENOMEM;
        n = scandir(dir, &list, filter_conf, compare_names);
        if (n < 0) {
                if (errno == ENOENT)
                        return 0; /* no groups.d or users.d: nothing configured there */
                if (config_errors_add(errs, "%s:0: directory: cannot read: %s", dir, strerror(errno)) < 0)
                        return -ENOMEM;
                return 1;
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *name = NULL;
                if (r >= 0) {
                        name = strndup(list[i]->d_name, strlen(list[i]->d_name) - 5);
                        if (!name || asprintf(&path, "%s/%s", dir, list[i]->d_name) < 0)
                                r = -ENOMEM;
                        else {
                                int k = parse_file(c, kind, path, name, errs);
                                if (k < 0)
                                        r = k;
                                else
                                        errors += k;
                        }
                }
                free(list[i]);
        }
        free(list);
        return r < 0 ? r : errors;
}

static int compare_groups(const void *a, const void *b) {
        return strcmp(((const struct group_config *) a)->name, ((const struct group_config *) b)->name);
}

static int compare_overrides(const void *a, const void *b) {
        return strcmp(((const struct user_override *) a)->name, ((const struct user_override *) b)->name);
}

const struct group_config *config_find_group(const struct berth_config *c, const char *name) {
        struct group_config key = { .name = (char *) name };
        if (!name || c->n_groups == 0)
                return NULL;
        return bsearch(&key, c->groups, c->n_groups, sizeof(key), compare_groups);
}

const struct user_override *config_find_override(const struct berth_config *c, const char *name) {
        struct user_override key = { .name = (char *) name };
        if (!name || c->n_overrides == 0)
                return NULL;
        return bsearch(&key, c->overrides, c->n_overrides, sizeof(key), compare_overrides);
}

int config_validate(struct berth_config *c, struct config_errors *errs) {
        int n = 0;

        if (c->n_groups > 0)
                qsort(c->groups, c->n_groups, sizeof(*c->groups), compare_groups);
        if (c->n_overrides > 0)
                qsort(c->overrides, c->n_overrides, sizeof(*c->overrides), compare_overrides);

        for (size_t i = 0; i < c->n_groups; i++) {
                const struct group_config *g = &c->groups[i];
                if (strv_length(g->members) == 0) {
                        if (config_errors_add(errs, "%s:%u: members: group '%s' has no members; add 'members = NAME @UNIXGROUP' to [group]",
                                       g->file, g->members_line ? g->members_line : g->line, g->name) < 0)
                                return -ENOMEM;
                        n++;
                }
        }
        for (size_t i = 0; i < c->n_overrides; i++) {
                const struct user_override *u = &c->overrides[i];
                if (u->group && !config_find_group(c, u->group) && !streq(u->group, c->default_group)) {
                        const char *names[64] = { 0 };
                        size_t k = 0;
                        for (size_t j = 0; j < c->n_groups && k < 64; j++)
                                names[k++] = c->groups[j].name;
                        const char *hint = string_suggest(u->group, names, k);
                        if (config_errors_add(errs, "%s:%u: group: unknown group '%s'%s%s%s", u->file, u->group_line,
                                       u->group, hint ? " (did you mean '" : " (no groups.d/", hint ? hint : u->group,
                                       hint ? "'?)" : ".conf exists)") < 0)
                                return -ENOMEM;
                        n++;
                }
        }
        return n;
}

int config_load(const char *dir, struct berth_config **ret, struct config_errors *errs) {
        _cleanup_config_ struct berth_config *c = NULL;
        _cleanup_free_ char *main_path = NULL;
        int r, errors = 0;

        r = config_new(dir, &c);
        if (r < 0)
                return r;
        if (asprintf(&main_path, "%s/berth.conf", c->dir) < 0)
                return -ENOMEM;
        r = parse_file(c, CONFIG_FILE_MAIN, main_path, "berth", errs);
        if (r < 0)
                return r;
        errors += r;
        r = parse_dir(c, CONFIG_FILE_GROUP, "groups.d", errs);
        if (r < 0)
                return r;
        errors += r;
        r = parse_dir(c, CONFIG_FILE_USER, "users.d", errs);
        if (r < 0)
                return r;
        errors += r;
        r = config_validate(c, errs);
        if (r < 0)
                return r;
        errors += r;
        if (errors > 0)
                return -EINVAL;
        *ret = TAKE_PTR(c);
        return 0;
}

int config_load_report(const char *dir, FILE *out, struct berth_config **ret, char **ret_why, size_t *ret_n_errors) {
        struct config_errors errs = { 0 };
        char *why = NULL;

        int r = config_load(dir, ret, &errs);
        if (r >= 0) {
                config_errors_clear(&errs);
                return r;
        }
        for (size_t i = 0; out && i < errs.n; i++)
                fprintf(out, "%s%s\n", out == stderr ? log_priority_prefix(3) : "", errs.lines[i]);
        if (ret_why) {
                if (errs.n > 0) {
                        size_t total = 1;
                        for (size_t i = 0; i < errs.n; i++)
                                total += strlen(errs.lines[i]) + 2;
                        why = calloc(1, total);
                        for (size_t i = 0; why && i < errs.n; i++) {
                                if (i > 0)
                                        strcat(why, "; ");
                                strcat(why, errs.lines[i]);
                        }
                } else if (asprintf(&why, "%s: %s", dir, strerror(-r)) < 0)
                        why = NULL;
                *ret_why = why;
        }
        if (ret_n_errors)
                *ret_n_errors = errs.n;
        config_errors_clear(&errs);
        return r;
}
