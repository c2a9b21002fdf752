/* SPDX-License-Identifier: MIT */
/* Exemptions from the reaper; see exempt.h.  The file is written as a temp
 * file beside it, then renamed, so a crash leaves the old or the new list. */
#include "exempt.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "basic/util.h"
#include "core/audit.h"

#define EXEMPTIONS_FILE_MAX (1024 * 1024)

static void exemption_done(struct exemption *e) {
        free(e->target);
        free(e->reason);
        free(e->by);
}

void exemptions_done(struct exemptions *x) {
        for (size_t i = 0; i < x->n; i++)
                exemption_done(&x->v[i]);
        free(x->v);
        free(x->path);
        *x = (struct exemptions) { 0 };
}

/* A container's full name carries its owner ("x._.alice"); a user name does not. */
static bool is_container_name(const char *target) {
        return strstr(target, "._.") != NULL;
}

static int add(struct exemptions *x, const char *target, int64_t until, const char *reason, const char *by) {
        struct exemption *v = reallocarray(x->v, x->n + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        x->v = v;
        struct exemption *e = &v[x->n];
        *e = (struct exemption) { .target = strdup(target), .user = !is_container_name(target), .until = until,
                                  .reason = strdup(strempty(reason)), .by = strdup(strempty(by)) };
        if (!e->target || !e->reason || !e->by) {
                exemption_done(e);
                return -ENOMEM;
        }
        x->n++;
        return 0;
}

static int save(const struct exemptions *x) {
        _cleanup_json_ json_t *o = json_pack("{s:o}", "exemptions", exemptions_json(x));
        _cleanup_free_ char *tmp = NULL;
        if (!x->path)
                return -EINVAL;
        if (!o || asprintf(&tmp, "%s.tmp", x->path) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        if (json_dumpfd(o, fd, JSON_INDENT(1)) < 0 || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
                (void) unlink(tmp);
                return -EIO;
        }
        if (rename(tmp, x->path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

int exemptions_load(struct exemptions *x, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        exemptions_done(x);
        x->path = strdup(path);
        if (!x->path)
                return -ENOMEM;
        int r = read_full_file(path, EXEMPTIONS_FILE_MAX, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_info("berth-slicemgr: cannot read the exemptions in %s: %s; none apply", path, strerror(-r));
                return 0;
        }
        json_error_t jerr;
        _cleanup_json_ json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        json_t *list = json_object_get(o, "exemptions"), *item;
        size_t i;
        if (!json_is_array(list)) {
                log_info("berth-slicemgr: %s is not a list of exemptions; none apply", path);
                return 0;
        }
        json_array_foreach(list, i, item) {
                const char *target = json_string_value(json_object_get(item, "target"));
                json_t *until = json_object_get(item, "until");
                if (!target || !*target || !json_is_integer(until)) {
                        log_info("berth-slicemgr: %s: exemption %zu is not valid; it is skipped", path, i + 1);
                        continue;
                }
                r = add(x, target, json_integer_value(until), json_string_value(json_object_get(item, "reason")),
                        json_string_value(json_object_get(item, "by")));
                if (r < 0)
                        return r;
        }
        return 0;
}

static ssize_t find_target(const struct exemptions *x, const char *target) {
        for (size_t i = 0; i < x->n; i++)
                if (streq(x->v[i].target, target))
                        return (ssize_t) i;
        return -1;
}

static void audit_exemption(const struct exemption *e, const char *how) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        char until[64];
        time_t t = (time_t) e->until;
        struct tm tm;
        strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        if (e->user)
                f.user = e->target;
        else
                f.container = e->target;
        f.reason = e->reason;
        audit_log(AUDIT_REAPER_EXEMPT, &f, "berth: the reaper exemption of %s %s (until %s, by %s: %s)", e->target, how,
                  until, e->by, e->reason);
}

static void remove_at(struct exemptions *x, size_t i) {
        exemption_done(&x->v[i]);
        memmove(&x->v[i], &x->v[i + 1], (x->n - i - 1) * sizeof(*x->v));
        x->n--;
}

int exemptions_set(struct exemptions *x, const char *target, int64_t until, const char *reason, const char *by,
                   time_t now) {
        ssize_t i = find_target(x, target);
        int r;
        if (until <= now) {
                if (i < 0)
                        return -ENOENT;
                audit_exemption(&x->v[i], "was ended");
                remove_at(x, (size_t) i);
                r = save(x);
                return r < 0 ? r : 0;
        }
        if (i >= 0)
                remove_at(x, (size_t) i);
        r = add(x, target, until, reason, by);
        if (r < 0)
                return r;
        audit_exemption(&x->v[x->n - 1], i >= 0 ? "was replaced" : "was given");
        r = save(x);
        return r < 0 ? r : 1;
}

size_t exemptions_expire(struct exemptions *x, time_t now) {
        size_t n = 0;
        for (size_t i = 0; i < x->n;)
                if (x->v[i].until <= now) {
                        audit_exemption(&x->v[i], "ended by itself");
                        remove_at(x, i);
                        n++;
                } else
                        i++;
        if (n > 0 && save(x) < 0)
                log_info("berth-slicemgr: cannot save the exemptions to %s", x->path);
        return n;
}

const struct exemption *exemptions_find(const struct exemptions *x, const char *container, const char *user,
                                        time_t now) {
        for (size_t i = 0; i < x->n; i++) {
                const struct exemption *e = &x->v[i];
                if (e->until > now && (e->user ? streq_ptr(e->target, user) : streq_ptr(e->target, container)))
                        return e;
        }
        return NULL;
}

json_t *exemptions_json(const struct exemptions *x) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < x->n; i++) {
                const struct exemption *e = &x->v[i];
                char until[64];
                time_t t = (time_t) e->until;
                struct tm tm;
                strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
                json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:s,s:s,s:s}", "target", e->target, "kind",
                                                   e->user ? "user" : "container", "until", (json_int_t) e->until,
                                                   "until_text", until, "reason", e->reason, "by", e->by));
        }
        return a;
}
