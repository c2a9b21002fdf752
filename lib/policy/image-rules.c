/* SPDX-License-Identifier: MIT */
/* Image names held for their owners, as one set of rules (see
 * image-rules.h). */
#include "policy/image-rules.h"

#include <stdio.h>
#include <strings.h>

#include "basic/util.h"
#include "core/names.h"

bool policy_image_mine(json_t *o, const char *ref, const char *user) {
        _cleanup_free_ char *ns = NULL;
        if (name_image_namespace(ref, &ns) >= 0 && ns && streq(ns, user))
                return true;
        return streq_ptr(json_string_value(json_object_get(o, "user")), user);
}

static int allowed(struct policy_verdict *ret) {
        *ret = (struct policy_verdict) { .allowed = true };
        return 0;
}

int policy_image_targets(char *const *typed, const char *user, char ***ret_full, char ***ret_asked,
                         struct policy_verdict *ret) {
        _cleanup_strv_free_ char **full = NULL, **asked = NULL;

        allowed(ret);
        for (size_t i = 0; typed && typed[i]; i++) {
                _cleanup_free_ char *f = NULL, *t = NULL;
                int kept = 0;
                int r = name_image_typed(typed[i], user, &f, &kept);
                if (r == -ENOMEM)
                        return r;
                if (r == -EPERM) {
                        _cleanup_free_ char *ns = NULL;
                        if (name_image_namespace(typed[i], &ns) < 0)
                                return -ENOMEM;
                        policy_verdict_refuse(ret, "image-namespace", "Give a plain name: berth puts it under berth/<you>/ itself.",
                                              "berth: %s is in %s%s namespace; you may only name images in your own, berth/%s/….",
                                              typed[i], ns ? ns : "another user", "'s", user);
                        return 0;
                }
                if (r < 0) {
                        policy_verdict_refuse(ret, "image-name", "Use lower-case letters, digits, '.', '_', '-' and '/', and ':TAG'.",
                                              "berth: '%s' is not a valid image name.", typed[i]);
                        return 0;
                }
                if (name_image_tagged(typed[i], &t) < 0 || strv_push(&asked, t) < 0 || strv_push(&asked, f) < 0 ||
                    strv_push(&full, f) < 0)
                        return -ENOMEM;
        }
        *ret_full = TAKE_PTR(full);
        *ret_asked = TAKE_PTR(asked);
        return 0;
}

int policy_image_targets_owned(char *const *asked, json_t *answers, const char *user, struct policy_verdict *ret) {
        char hint[256];

        allowed(ret);
        for (size_t i = 0; asked && asked[i]; i++) {
                json_t *o = json_array_get(answers, i);
                const char *owner = json_string_value(json_object_get(o, "user"));
                if (!json_is_true(json_object_get(o, "exists")) || policy_image_mine(o, asked[i], user))
                        continue;
                snprintf(hint, sizeof(hint), "Pick a name of your own: a plain NAME lands in berth/%s/NAME.", user);
                if (owner)
                        policy_verdict_refuse(ret, "image-owner", hint, "berth: %s is %s's image; you may not move its name.",
                                              asked[i], owner);
                else
                        policy_verdict_refuse(ret, "image-owner", hint,
                                              "berth: %s is a shared image; only an admin may move its name.", asked[i]);
                return 0;
        }
        return 0;
}

/* An image id or id prefix as rmi takes it: sha256:HEX, or HEX alone. */
static bool looks_like_image_id(const char *s) {
        if (strncmp(s, "sha256:", 7) == 0)
                s += 7;
        size_t n = strspn(s, "0123456789abcdef");
        return n >= 4 && n <= 64 && !s[n];
}

int policy_image_remove_named(const char *ref, bool force, const char *user, struct policy_verdict *ret) {
        _cleanup_free_ char *u = NULL, *n = NULL;

        allowed(ret);
        if (force && looks_like_image_id(ref)) {
                /* -f by id drops every tag on the image, tags other users put on it among them */
                policy_verdict_refuse(ret, "image-id", "'docker images' shows the names of the image.",
                                      "berth: rmi -f by image id (%s) would remove every tag on it, other users' too; remove your own tags by name.",
                                      ref);
                return 0;
        }
        int r = name_user_image_parse(ref, &u, &n);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && !streq(u, user))
                policy_verdict_refuse(ret, "image-owner", "'docker images' lists every image; yours are berth/<you>/….",
                                      "berth: %s is %s's image; you may only remove your own.", ref, u);
        return 0;
}

int policy_image_remove_owned(json_t *o, const char *ref, const char *user, struct policy_verdict *ret) {
        const char *owner = json_string_value(json_object_get(o, "user"));

        allowed(ret);
        if (!json_is_true(json_object_get(o, "exists")) || policy_image_mine(o, ref, user))
                return 0; /* docker says "No such image" itself */
        if (owner)
                policy_verdict_refuse(ret, "image-owner", "Yours are berth/<you>/… or labelled berth.user=<you>.",
                                      "berth: the image %s belongs to %s; you may only remove your own.", ref, owner);
        else
                policy_verdict_refuse(ret, "image-owner", "Yours are berth/<you>/… or labelled berth.user=<you>.",
                                      "berth: %s is a shared image; only an admin may remove it.", ref);
        return 0;
}

int policy_image_pull(const char *ref, const char *user, struct policy_verdict *ret) {
        _cleanup_free_ char *mine = NULL;

        allowed(ret);
        int r = name_image_foreign(ref, user);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || name_user_image_prefix(user, &mine) < 0) {
                policy_verdict_refuse(ret, "image-pull", NULL, "berth: your image namespace could not be worked out.");
                return 0;
        }
        if (r > 0)
                policy_verdict_refuse(ret, "image-pull", "Pull it under its registry name, or as berth/<you>/NAME.",
                                      "berth: %s is in another user's namespace; you may pull only into %s….", ref, mine);
        return 0;
}

/* One word of a LABEL instruction with docker's quoting taken away (quotes
 * dropped, a backslash keeps the character after it); its key is what
 * comes before the first '='. */
static int label_word_reserved(const char *word, size_t n, char **ret_key) {
        _cleanup_free_ char *key = malloc(n + 1);
        size_t k = 0;
        bool var = false;
        if (!key)
                return -ENOMEM;
        for (size_t i = 0; i < n && word[i] != '='; i++) {
                char c = word[i];
                if (c == '"' || c == '\'')
                        continue;
                if ((c == '\\' || c == '`') && i + 1 < n)
                        c = word[++i];
                if (c == '$')
                        var = true;
                key[k++] = c;
        }
        key[k] = 0;
        if (!var && !policy_label_reserved(key))
                return 0;
        *ret_key = TAKE_PTR(key);
        return 1;
}

/* One logical Dockerfile line: a LABEL's words checked. */
static int change_line_reserved(const char *line, char **ret_key) {
        const char *p = line;
        size_t n;
        for (int pass = 0; pass < 2; pass++) {
                p += strspn(p, " \t\r\n");
                n = strcspn(p, " \t\r\n");
                if (pass == 0 && n == 7 && strncasecmp(p, "ONBUILD", 7) == 0) {
                        p += n;
                        continue;
                }
                break;
        }
        if (n != 5 || strncasecmp(p, "LABEL", 5) != 0)
                return 0;
        p += n;
        for (;;) {
                p += strspn(p, " \t\r\n");
                if (!*p)
                        return 0;
                n = strcspn(p, " \t\r\n");
                int r = label_word_reserved(p, n, ret_key);
                if (r != 0)
                        return r;
                p += n;
        }
}

int policy_changes_reserved_label(char *const *changes, char **ret_key) {
        _cleanup_free_ char *text = NULL, *logical = NULL;
        size_t n_text = 0, n_logical = 0;
        FILE *f;

        *ret_key = NULL;
        f = open_memstream(&text, &n_text);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; changes && changes[i]; i++)
                fprintf(f, "%s%s", i ? "\n" : "", changes[i]);
        if (fclose(f) != 0 || !text)
                return -ENOMEM;
        /* Logical lines: a line ending in an escape character goes on (either
         * escape character: joining too much only checks more words);
         * comment lines are left out of a continued line, as docker does. */
        f = open_memstream(&logical, &n_logical);
        if (!f)
                return -ENOMEM;
        bool continued = false;
        for (char *line = text, *next; line; line = next) {
                size_t len = strcspn(line, "\n");
                next = line[len] ? line + len + 1 : NULL;
                line[len] = 0;
                const char *s = line + strspn(line, " \t\r");
                if (*s == '#')
                        continue;
                while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
                        len--;
                continued = len > 0 && (line[len - 1] == '\\' || line[len - 1] == '`');
                fprintf(f, "%.*s%s", (int) (continued ? len - 1 : len), line, continued ? " " : "\n");
        }
        if (fclose(f) != 0 || !logical)
                return -ENOMEM;
        for (char *line = logical, *next; line; line = next) {
                size_t len = strcspn(line, "\n");
                next = line[len] ? line + len + 1 : NULL;
                line[len] = 0;
                int r = change_line_reserved(line, ret_key);
                if (r != 0)
                        return r;
        }
        return 0;
}

int policy_check_changes(char *const *changes, struct policy_verdict *ret) {
        _cleanup_free_ char *key = NULL;

        allowed(ret);
        int r = policy_changes_reserved_label(changes, &key);
        if (r < 0)
                return r;
        if (!key)
                return 0;
        if (strchr(key, '$'))
                policy_verdict_refuse(ret, "label", "Leave berth.* labels out.",
                                      "berth: --change 'LABEL %s' is not allowed: berth cannot tell which label a variable names.", key);
        else
                policy_verdict_refuse(ret, "label", "Leave berth.* labels out.",
                                      "berth: --change 'LABEL %s' is not allowed: berth.* labels are berth's to set.", key);
        return 0;
}

int policy_check_load(const struct policy_identity *id, struct policy_verdict *ret) {
        if (!id || !ret)
                return -EINVAL;
        allowed(ret);
        policy_verdict_refuse(ret, "load",
                              "Bring a root file system in with 'docker import FILE NAME' (it lands in berth/<you>/NAME), pull it from a registry, or ask an admin to load it.",
                              "berth: 'docker load' is for admins only: an archive's image names and labels are the archive's, and could be any user's.");
        if (id->admin) {
                ret->allowed = true;
                ret->admin_override = true;
        }
        return 0;
}

int policy_build_labels(const char *user, uid_t uid, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *u = NULL, *n = NULL;

        if (!user || !ret)
                return -EINVAL;
        if (asprintf(&u, "berth.user=%s", user) < 0 || asprintf(&n, "berth.uid=%u", (unsigned) uid) < 0 ||
            strv_push(&v, u) < 0 || strv_push(&v, n) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}
