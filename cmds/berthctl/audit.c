/* SPDX-License-Identifier: MIT */
/* berthctl audit: berth's decisions read back from the journal with
 * sd-journal, selected by their fixed MESSAGE_IDs (lib/audit.h). */
#include "berthctl.h"
#include "core/audit.h"

#include <grp.h>
#include <systemd/sd-journal.h>
#include <time.h>

static inline void journal_closep(sd_journal **j) {
        sd_journal_close(*j);
}

/* A point in time for --since/--until, in wall-clock microseconds:
 * "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local time), "-1h", "-30min"
 * (before now), "today", "yesterday", "now", "@EPOCH". */
static int parse_time(const char *s, uint64_t *ret) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t now = (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
        struct tm tm = { 0 };
        time_t t;

        if (streq(s, "now")) {
                *ret = now;
                return 0;
        }
        if (s[0] == '-') {
                uint64_t d;
                if (parse_duration(s + 1, &d) < 0 || d == LIMIT_INFINITY)
                        return -EINVAL;
                *ret = d > now ? 0 : now - d;
                return 0;
        }
        if (s[0] == '@') {
                char *end;
                errno = 0;
                long long v = strtoll(s + 1, &end, 10);
                if (errno || end == s + 1 || *end || v < 0)
                        return -EINVAL;
                *ret = (uint64_t) v * 1000000;
                return 0;
        }
        if (streq(s, "today") || streq(s, "yesterday")) {
                t = (time_t) (now / 1000000);
                if (!localtime_r(&t, &tm))
                        return -EINVAL;
                tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
                if (streq(s, "yesterday"))
                        tm.tm_mday--;
        } else {
                static const char *const formats[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                                                       "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
                bool parsed = false;
                for (size_t i = 0; i < ELEMENTSOF(formats) && !parsed; i++) {
                        tm = (struct tm) { 0 };
                        const char *end = strptime(s, formats[i], &tm);
                        parsed = end && !*end;
                }
                if (!parsed)
                        return -EINVAL;
        }
        tm.tm_isdst = -1;
        t = mktime(&tm);
        if (t == (time_t) -1 || t < 0)
                return -EINVAL;
        *ret = (uint64_t) t * 1000000;
        return 0;
}

/* A field's value, NUL-terminated in a fresh string; NULL when absent. */
static char *field(sd_journal *j, const char *name) {
        const void *data;
        size_t len, n = strlen(name);
        if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= n || ((const char *) data)[n] != '=')
                return NULL;
        return strndup((const char *) data + n + 1, len - n - 1);
}

static const char *event_of(const char *message_id) {
        for (enum audit_event ev = 0; ev < _AUDIT_EVENT_MAX; ev++)
                if (streq_ptr(audit_event_message_id(ev), message_id))
                        return audit_event_name(ev);
        return NULL;
}

static const char *const printed_fields[] = {
        "MESSAGE_ID", "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "_UID", "_PID", "BERTH_EVENT", "BERTH_USER",
        "BERTH_UID", "BERTH_GROUP", "BERTH_CONTAINER", "BERTH_GPUS", "BERTH_SLICE", "BERTH_REASON",
};
enum {
        F_MESSAGE_ID,
        F_MESSAGE,
        F_PRIORITY,
        F_IDENTIFIER,
        F_UID,
        F_PID,
        F_EVENT,
        F_USER,
        F_BERTH_UID,
        F_GROUP,
        F_CONTAINER,
        F_GPUS,
        F_SLICE,
        F_REASON,
        _F_MAX,
};

static void fields_free(char **v) {
        for (size_t i = 0; i < _F_MAX; i++)
                free(v[i]);
}

static json_t *json_number_or_null(const char *s) {
        char *end;
        if (!s)
                return json_null();
        errno = 0;
        long long v = strtoll(s, &end, 10);
        return errno || end == s || *end ? json_string(s) : json_integer(v);
}

static int print_json(uint64_t usec, const char *cursor, char **f) {
        char when[64];
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
        snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06lluZ", (unsigned long long) (usec % 1000000));
        _cleanup_json_ json_t *o = json_pack("{s:s,s:I,s:s?,s:s?,s:s?,s:o,s:o,s:s?,s:o,s:s?,s:o,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}",
                                             "time", when, "realtime_usec", (json_int_t) usec, "event",
                                             event_of(f[F_MESSAGE_ID]), "message_id", f[F_MESSAGE_ID], "message",
                                             f[F_MESSAGE], "uid", json_number_or_null(f[F_UID]), "pid",
                                             json_number_or_null(f[F_PID]), "identifier", f[F_IDENTIFIER],
                                             "priority", json_number_or_null(f[F_PRIORITY]), "user", f[F_USER],
                                             "berth_uid", json_number_or_null(f[F_BERTH_UID]), "group", f[F_GROUP],
                                             "container", f[F_CONTAINER], "gpus", f[F_GPUS], "slice", f[F_SLICE],
                                             "reason", f[F_REASON], "berth_event", f[F_EVENT], "cursor", cursor);
        if (!o || json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
                return -ENOMEM;
        putchar('\n');
        return 0;
}

/* one line: newlines and tabs in a value would break the columns */
static char *flatten(const char *s) {
        char *c = strdup(strempty(s));
        for (char *p = c; p && *p; p++)
                if (*p == '\n' || *p == '\t')
                        *p = ' ';
        return c;
}

#define ROW_FORMAT "%-19s  %-16s  %5s  %-12s  %-24s  %-12s  %s\n"

static void print_header(void) {
        printf(ROW_FORMAT, "TIME", "EVENT", "UID", "USER", "CONTAINER", "GPUS", "MESSAGE");
}

static int print_row(uint64_t usec, char **f) {
        char when[32];
        _cleanup_free_ char *msg = flatten(f[F_MESSAGE]), *reason = flatten(f[F_REASON]);
        _cleanup_free_ char *text = NULL;
        if (!msg || !reason)
                return -ENOMEM;
        /* the reason when it says more than the message */
        if (*reason && !strstr(msg, reason)) {
                if (asprintf(&text, "%s (reason: %s)", msg, reason) < 0)
                        return -ENOMEM;
        } else
                text = TAKE_PTR(msg);
        const char *ev = event_of(f[F_MESSAGE_ID]);
        printf(ROW_FORMAT, ctl_fmt_time(usec, when, sizeof(when)), ev ? ev : "?", f[F_UID] ? f[F_UID] : "-",
               f[F_USER] ? f[F_USER] : "-", f[F_CONTAINER] ? f[F_CONTAINER] : "-", f[F_GPUS] ? f[F_GPUS] : "-", text);
        return 0;
}

/* Print every entry from the current position on, up to until. */
static int drain(sd_journal *j, uint64_t since, uint64_t until, bool json, size_t *count) {
        int r;
        while ((r = sd_journal_next(j)) > 0) {
                uint64_t usec;
                char *f[_F_MAX] = { 0 };
                _cleanup_free_ char *cursor = NULL;

                if (sd_journal_get_realtime_usec(j, &usec) < 0)
                        continue;
                if (usec > until)
                        return 1; /* past --until: done */
                if (usec < since)
                        continue; /* another journal file's older entry */
                for (size_t i = 0; i < _F_MAX; i++)
                        f[i] = field(j, printed_fields[i]);
                if (!event_of(f[F_MESSAGE_ID])) {
                        fields_free(f);
                        continue;
                }
                if (json)
                        (void) sd_journal_get_cursor(j, &cursor);
                r = json ? print_json(usec, cursor, f) : print_row(usec, f);
                fields_free(f);
                if (r < 0)
                        return r;
                (*count)++;
        }
        return r;
}

static void list_events(FILE *out) {
        for (enum audit_event ev = 0; ev < _AUDIT_EVENT_MAX; ev++)
                fprintf(out, "%s%s", ev ? ", " : "", audit_event_name(ev));
}

/* journald shows other users' and the system's entries only to root and
 * the systemd-journal and adm groups: say so rather than print a table
 * that is silently missing every daemon decision. */
static void warn_if_partial(void) {
        static const char *const readers[] = { "systemd-journal", "adm", "wheel" };
        if (geteuid() == 0)
                return;
        gid_t groups[256];
        int n = getgroups((int) ELEMENTSOF(groups), groups);
        for (size_t i = 0; i < ELEMENTSOF(readers); i++) {
                struct group *g = getgrnam(readers[i]);
                if (!g)
                        continue;
                if (getegid() == g->gr_gid)
                        return;
                for (int k = 0; k < n; k++)
                        if (groups[k] == g->gr_gid)
                                return;
        }
        cmd_fail(0, "you can read only your own journal entries; run as root or join the systemd-journal group to see every decision.");
}

int verb_audit(struct cmd *ctl, const struct cmd_args *a) {
        _cleanup_(journal_closep) sd_journal *j = NULL;
        const char *user = NULL;
        uint64_t since = 0, until = UINT64_MAX;
        bool follow = false, json = ctl->json, has_since = false;
        enum audit_event event = _AUDIT_EVENT_INVALID;
        int r;

        for (size_t i = 0; i < a->n_options; i++) {
                int opt = a->options[i].key;
                const char *v = a->options[i].value;
                switch (opt) {
                case 'u':
                        if (!*v || strchr(v, '='))
                                return cmd_fail(CMD_EXIT_USAGE, "'%s' is not a user name.", v);
                        user = v;
                        break;
                case 'e':
                        event = audit_event_from_name(v);
                        if (event < 0) {
                                _cleanup_free_ char *valid = NULL;
                                size_t n = 0;
                                FILE *f = open_memstream(&valid, &n);
                                if (f) {
                                        list_events(f);
                                        fclose(f);
                                }
                                return cmd_fail(CMD_EXIT_USAGE, "unknown event '%s'; valid events: %s.", v, strempty(valid));
                        }
                        break;
                case 'S':
                case 'U':
                        if (parse_time(v, opt == 'S' ? &since : &until) < 0)
                                return cmd_fail(CMD_EXIT_USAGE,
                                                "cannot read the time '%s'; use YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', -1h, -30min, today or yesterday.",
                                                v);
                        has_since |= opt == 'S';
                        break;
                case 'f':
                        follow = true;
                        break;
                default:
                        break;
                }
        }
        if (follow && until != UINT64_MAX)
                return cmd_fail(CMD_EXIT_USAGE, "--follow waits for new entries, so it takes no --until.");
        if (until < since)
                return cmd_fail(CMD_EXIT_USAGE, "--until is before --since; nothing could match.");

        warn_if_partial();
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0) {
                log_error_errno(r, "cannot open the journal: %m");
                return CMD_EXIT_SYSTEM;
        }
        /* matches on one field are ORed, on different fields ANDed:
         * (MESSAGE_ID=a OR MESSAGE_ID=b …) AND BERTH_USER=u */
        for (enum audit_event ev = 0; ev < _AUDIT_EVENT_MAX; ev++) {
                if (event >= 0 && ev != event)
                        continue;
                char m[64];
                snprintf(m, sizeof(m), "MESSAGE_ID=%s", audit_event_message_id(ev));
                r = sd_journal_add_match(j, m, 0);
                if (r < 0)
                        break;
        }
        if (r >= 0 && user) {
                _cleanup_free_ char *m = NULL;
                if (asprintf(&m, "BERTH_USER=%s", user) < 0)
                        r = -ENOMEM;
                else
                        r = sd_journal_add_match(j, m, 0);
        }
        if (r >= 0)
                r = has_since ? sd_journal_seek_realtime_usec(j, since) : sd_journal_seek_head(j);
        if (r < 0) {
                log_error_errno(r, "cannot select berth's entries in the journal: %m");
                return CMD_EXIT_SYSTEM;
        }

        size_t count = 0;
        if (!json)
                print_header();
        r = drain(j, since, until, json, &count);
        fflush(stdout);
        while (r >= 0 && follow) {
                r = sd_journal_wait(j, (uint64_t) -1);
                if (r < 0)
                        break;
                r = drain(j, since, until, json, &count);
                fflush(stdout);
        }
        if (r < 0) {
                log_error_errno(r, "cannot read the journal: %m");
                return CMD_EXIT_SYSTEM;
        }
        if (count == 0 && !json && isatty(STDERR_FILENO))
                cmd_fail(0, "no berth entries match; a user not in the systemd-journal group sees only their own.");
        return CMD_EXIT_OK;
}
