/* SPDX-License-Identifier: MIT */
/* berthctl audit: berth's decisions read back from the journal with
 * sd-journal, selected by their fixed MESSAGE_IDs (lib/audit.h).  Who wrote
 * each entry comes from journald's trusted fields (common/journal-origin.h):
 * only the root daemons' and pam_berth's entries are decisions; the rest,
 * client entries, are shown only with --clients, marked as such. */
#include "berthctl.h"
#include "common/journal-origin.h"
#include "core/audit.h"

#include <grp.h>
#include <systemd/sd-journal.h>
#include <time.h>

static inline void journal_closep(sd_journal **j) {
        sd_journal_close(*j);
}

int ctl_parse_time(const char *s, uint64_t *ret) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t now = (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
        struct tm tm = { 0 };
        time_t t;

        if (streq(s, "now")) {
                *ret = now;
                return 0;
        }
        if (s[0] == '-' || s[0] == '+') {
                uint64_t d;
                if (parse_duration(s + 1, &d) < 0 || d == LIMIT_INFINITY)
                        return -EINVAL;
                *ret = s[0] == '+' ? (d > UINT64_MAX - now ? UINT64_MAX : now + d) : d > now ? 0 : now - d;
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

static enum audit_event event_of(const char *message_id) {
        for (enum audit_event ev = 0; ev < _AUDIT_EVENT_MAX; ev++)
                if (streq_ptr(audit_event_message_id(ev), message_id))
                        return ev;
        return _AUDIT_EVENT_INVALID;
}

static const char *const printed_fields[] = {
        "MESSAGE_ID", "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "_UID", "_PID", "BERTH_EVENT", "BERTH_USER",
        "BERTH_UID", "BERTH_GROUP", "BERTH_CONTAINER", "BERTH_GPUS", "BERTH_SLICE", "BERTH_REASON",
        "_COMM", "_EXE", "_TRANSPORT", "CONTAINER_ID",
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
        F_COMM,
        F_EXE,
        F_TRANSPORT,
        F_CONTAINER_ID,
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

static struct cmd_entry_source source_of(char **f) {
        return (struct cmd_entry_source) { .uid = f[F_UID],
                                           .comm = f[F_COMM],
                                           .exe = f[F_EXE],
                                           .transport = f[F_TRANSPORT],
                                           .identifier = f[F_IDENTIFIER],
                                           .container = f[F_CONTAINER_ID] != NULL };
}

static int print_json(uint64_t usec, const char *cursor, char **f, enum audit_event ev, enum cmd_origin origin) {
        struct cmd_entry_source src = source_of(f);
        char when[64];
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
        snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06lluZ", (unsigned long long) (usec % 1000000));
        _cleanup_json_ json_t *o = json_pack("{s:s,s:I,s:s?,s:s?,s:s?,s:o,s:o,s:s,s:s?,s:s?,s:o,s:s?,s:o,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}",
                                             "time", when, "realtime_usec", (json_int_t) usec, "event",
                                             audit_event_name(ev), "message_id", f[F_MESSAGE_ID], "message",
                                             f[F_MESSAGE], "uid", json_number_or_null(f[F_UID]), "pid",
                                             json_number_or_null(f[F_PID]), "origin", cmd_origin_name(origin),
                                             "program", cmd_origin_program(&src), "identifier", f[F_IDENTIFIER],
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

#define ROW_FORMAT "%-19s  %-16s  %5s  %-6s  %-12s  %-24s  %-12s  %s\n"

static void print_header(void) {
        printf(ROW_FORMAT, "TIME", "EVENT", "UID", "ORIGIN", "USER", "CONTAINER", "GPUS", "MESSAGE");
}

static int print_row(uint64_t usec, char **f, enum audit_event ev, enum cmd_origin origin) {
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
        printf(ROW_FORMAT, ctl_fmt_time(usec, when, sizeof(when)), audit_event_name(ev), f[F_UID] ? f[F_UID] : "-",
               cmd_origin_name(origin), f[F_USER] ? f[F_USER] : "-", f[F_CONTAINER] ? f[F_CONTAINER] : "-", f[F_GPUS] ? f[F_GPUS] : "-", text);
        return 0;
}

struct audit_view {
        uint64_t since, until;
        bool json;
        bool clients; /* --clients: client entries too */
        size_t count, hidden;
};

/* Print every entry from the current position on, up to until. */
static int drain(sd_journal *j, struct audit_view *view) {
        int r;
        while ((r = sd_journal_next(j)) > 0) {
                uint64_t usec;
                char *f[_F_MAX] = { 0 };
                _cleanup_free_ char *cursor = NULL;

                if (sd_journal_get_realtime_usec(j, &usec) < 0)
                        continue;
                if (usec > view->until)
                        return 1; /* past --until: done */
                if (usec < view->since)
                        continue; /* another journal file's older entry */
                for (size_t i = 0; i < _F_MAX; i++)
                        f[i] = field(j, printed_fields[i]);
                enum audit_event ev = event_of(f[F_MESSAGE_ID]);
                if (ev < 0) {
                        fields_free(f);
                        continue;
                }
                struct cmd_entry_source src = source_of(f);
                enum cmd_origin origin = cmd_origin_of(&src, ev);
                if (origin == CMD_ORIGIN_CLIENT && !view->clients) {
                        view->hidden++;
                        fields_free(f);
                        continue;
                }
                if (view->json)
                        (void) sd_journal_get_cursor(j, &cursor);
                r = view->json ? print_json(usec, cursor, f, ev, origin) : print_row(usec, f, ev, origin);
                fields_free(f);
                if (r < 0)
                        return r;
                view->count++;
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
        struct audit_view view = { .until = UINT64_MAX, .json = ctl->json };
        uint64_t since = 0, until = UINT64_MAX;
        bool follow = false, has_since = false;
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
                        if (ctl_parse_time(v, opt == 'S' ? &since : &until) < 0)
                                return cmd_fail(CMD_EXIT_USAGE,
                                                "cannot read the time '%s'; use YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', -1h, -30min, today or yesterday.",
                                                v);
                        has_since |= opt == 'S';
                        break;
                case 'f':
                        follow = true;
                        break;
                case 'C':
                        view.clients = true;
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

        view.since = since;
        view.until = until;
        if (!view.json)
                print_header();
        r = drain(j, &view);
        fflush(stdout);
        while (r >= 0 && follow) {
                r = sd_journal_wait(j, (uint64_t) -1);
                if (r < 0)
                        break;
                r = drain(j, &view);
                fflush(stdout);
        }
        if (r < 0) {
                log_error_errno(r, "cannot read the journal: %m");
                return CMD_EXIT_SYSTEM;
        }
        /* a client entry is the wrapper's or a command's own report, or a forgery:
         * say how many were left out, so nobody takes the table for everything */
        if (view.hidden && !view.json)
                cmd_fail(0, "%zu client entr%s (written by the wrapper, the commands or anyone else, not a berth daemon) left out; --clients shows them.",
                         view.hidden, view.hidden == 1 ? "y" : "ies");
        else if (view.count == 0 && !view.json && isatty(STDERR_FILENO))
                cmd_fail(0, "no berth entries match; a user not in the systemd-journal group sees only their own.");
        return CMD_EXIT_OK;
}
