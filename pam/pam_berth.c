/* SPDX-License-Identifier: MIT */
/* pam_berth: at login, make sure the user's berth slice exists, tell the
 * session which group and slice it belongs to, and optionally greet the user,
 * hand their limits to pam_systemd, or refuse users in no berth group.
 *
 * It never blocks past its timeout, never exit()s, and does nothing harmful
 * when berth-slicemgr is absent: the login goes on unless `strict` is given. */
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "args.h"
#include "core/audit.h"
#include "call.h"
#include "core/config.h"
#include "core/identity.h"
#include "reply.h"

struct module {
        pam_handle_t *pamh;
        int flags;
        struct pam_berth_args args;
        const char *user;
        uid_t uid;
        gid_t gid;
};

static void warn_arg(void *userdata, const char *arg, const char *why) {
        pam_syslog(userdata, LOG_WARNING, "ignoring argument '%s': %s", arg, why);
}

/* Arguments and the user; PAM_SUCCESS or the code to return at once. */
static int module_init(pam_handle_t *pamh, int flags, int argc, const char **argv, struct module *ret) {
        struct module m = { .pamh = pamh, .flags = flags };
        struct passwd pw, *res = NULL;
        char buf[16384];

        program_name = "pam_berth"; /* SYSLOG_IDENTIFIER of the audit entries */
        pam_berth_args_parse(argc, argv, &m.args, warn_arg, pamh);
        if (pam_get_user(pamh, &m.user, NULL) != PAM_SUCCESS || !m.user || !*m.user) {
                pam_syslog(pamh, LOG_ERR, "cannot tell which user logs in");
                return PAM_USER_UNKNOWN;
        }
        /* not pam_modutil_getpwnam(): its buffers stay until pam_end, and
         * one handle may open many sessions */
        int e = getpwnam_r(m.user, &pw, buf, sizeof(buf), &res);
        if (e != 0 || !res) {
                pam_syslog(pamh, LOG_ERR, "user %s has no account%s%s", m.user, e ? ": " : "", e ? strerror(e) : "");
                return PAM_USER_UNKNOWN;
        }
        m.uid = pw.pw_uid;
        m.gid = pw.pw_gid;
        *ret = m;
        return PAM_SUCCESS;
}

static int load_config(struct module *m, struct berth_config **ret) {
        _cleanup_free_ char *why = NULL;
        int r = config_load_report(m->args.config_dir, NULL, ret, &why, NULL);
        if (r < 0)
                pam_syslog(m->pamh, LOG_ERR, "cannot load the berth configuration in %s: %s", m->args.config_dir,
                           strempty(why));
        return r;
}

/* A terminal login: a tty device, or sshd (which shows session messages
 * only to logins that get a terminal).  Not cron, not a display manager,
 * not a service without PAM_TTY. */
static bool session_is_interactive(pam_handle_t *pamh) {
        const void *item = NULL;
        if (pam_get_item(pamh, PAM_TTY, &item) != PAM_SUCCESS || !item)
                return false;
        const char *tty = item;
        return strncmp(tty, "/dev/", 5) == 0 || strncmp(tty, "tty", 3) == 0 || strncmp(tty, "pts/", 4) == 0 ||
               streq(tty, "console") || streq(tty, "ssh");
}

static void audit_session(struct module *m, const char *group, const char *slice, const char *reason) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.user = m->user;
        f.uid = (long) m->uid;
        f.group = group;
        f.slice = slice;
        f.reason = reason;
        if (reason)
                audit_log(AUDIT_LOGIN_SESSION, &f, "berth: login of %s without a berth slice: %s", m->user,
                          strncmp(reason, "berth: ", 7) == 0 ? reason + 7 : reason);
        else
                audit_log(AUDIT_LOGIN_SESSION, &f, "berth: login of %s in group %s, slice %s", m->user, group, slice);
}

/* slicemgr could not be asked or said no: the login goes on unless strict. */
static int session_failed(struct module *m, const char *why) {
        audit_session(m, NULL, NULL, why);
        if (!m->args.strict) {
                pam_syslog(m->pamh, LOG_WARNING, "%s (session continues without a berth slice; 'strict' refuses it)",
                           why);
                return PAM_SUCCESS;
        }
        pam_syslog(m->pamh, LOG_ERR, "%s (strict: session refused)", why);
        if (!(m->flags & PAM_SILENT))
                pam_error(m->pamh, "%s", why);
        return PAM_SESSION_ERR;
}

static int put_env(pam_handle_t *pamh, const char *name, const char *value) {
        _cleanup_free_ char *s = NULL;
        if (asprintf(&s, "%s=%s", name, value) < 0)
                return PAM_BUF_ERR;
        return pam_putenv(pamh, s);
}

static void cleanup_free(pam_handle_t *pamh, void *data, int error_status) {
        free(data);
}

static int set_data_string(pam_handle_t *pamh, const char *name, const char *value) {
        char *s;
        int r;
        if (!*value)
                return PAM_SUCCESS; /* unlimited: pam_systemd's default */
        s = strdup(value);
        if (!s)
                return PAM_BUF_ERR;
        r = pam_set_data(pamh, name, s, cleanup_free);
        if (r != PAM_SUCCESS)
                free(s);
        return r;
}

static int pass_session_limits(struct module *m, json_t *limits) {
        struct session_limits sl;
        const char *session_id = pam_getenv(m->pamh, "XDG_SESSION_ID");
        int r;

        if (session_id)
                pam_syslog(m->pamh, LOG_WARNING,
                           "session_limits: pam_systemd already created session %s; put pam_berth before pam_systemd",
                           session_id);
        if (session_limits_from_json(limits, &sl) < 0) {
                pam_syslog(m->pamh, LOG_ERR, "session_limits: the berth daemon's reply holds no limits");
                return PAM_SESSION_ERR;
        }
        r = set_data_string(m->pamh, "systemd.memory_max", sl.memory_max);
        if (r == PAM_SUCCESS)
                r = set_data_string(m->pamh, "systemd.tasks_max", sl.tasks_max);
        if (r == PAM_SUCCESS)
                r = set_data_string(m->pamh, "systemd.cpu_weight", sl.cpu_weight);
        if (r != PAM_SUCCESS)
                pam_syslog(m->pamh, LOG_ERR, "session_limits: cannot pass the limits to pam_systemd: %s",
                           pam_strerror(m->pamh, r));
        else if (m->args.debug)
                pam_syslog(m->pamh, LOG_DEBUG, "session_limits: memory_max=%s tasks_max=%s cpu_weight=%s",
                           sl.memory_max, sl.tasks_max, sl.cpu_weight);
        return r;
}

static void greet(struct module *m, json_t *whoami) {
        _cleanup_free_ char *line = NULL;

        if (!json_is_true(json_object_get(whoami, "ok")) || greeting_format(whoami, &line) < 0) {
                pam_syslog(m->pamh, LOG_WARNING, "greeting: the berth daemon's whoami reply is not usable");
                return;
        }
        pam_info(m->pamh, "%s", line);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        _cleanup_config_ struct berth_config *cfg = NULL;
        _cleanup_json_ json_t *requests = NULL, *replies = NULL;
        struct berth_error err = { 0 };
        struct module m;
        int r;

        r = module_init(pamh, flags, argc, argv, &m);
        if (r != PAM_SUCCESS)
                return r;
        if (m.uid == 0) {
                /* root's logins are never held to a berth slice */
                if (m.args.debug)
                        pam_syslog(pamh, LOG_DEBUG, "root: nothing to do");
                return PAM_IGNORE;
        }
        if (load_config(&m, &cfg) < 0)
                return session_failed(&m, "berth: the berth configuration cannot be loaded; ask an admin to run 'berthctl check-config'.");

        bool greeting = m.args.greeting && !(flags & PAM_SILENT) && session_is_interactive(pamh);
        requests = greeting ? json_pack("[{s:s},{s:s}]", "op", "ensure-slice", "op", "whoami")
                            : json_pack("[{s:s}]", "op", "ensure-slice");
        if (!requests)
                return PAM_BUF_ERR;
        r = call_as_user(cfg->control_socket, m.uid, m.gid, requests, m.args.timeout_ms, &replies, &err);
        if (r < 0)
                return session_failed(&m, err.message);

        json_t *ensure = json_array_get(replies, 0);
        if (!json_is_true(json_object_get(ensure, "ok"))) {
                const char *msg = json_string_value(json_object_get(ensure, "message"));
                return session_failed(&m, msg ? msg : "berth: the berth daemon refused to set up your slice.");
        }
        const char *slice = json_string_value(json_object_get(ensure, "slice"));
        const char *group = json_string_value(json_object_get(ensure, "group"));
        if (!slice || !group)
                return session_failed(&m, "berth: the berth daemon's reply named no slice.");

        r = put_env(pamh, "BERTH_GROUP", group);
        if (r == PAM_SUCCESS)
                r = put_env(pamh, "BERTH_SLICE", slice);
        if (r != PAM_SUCCESS) {
                pam_syslog(pamh, LOG_ERR, "cannot set BERTH_GROUP and BERTH_SLICE: %s", pam_strerror(pamh, r));
                return PAM_SESSION_ERR;
        }
        if (m.args.session_limits) {
                r = pass_session_limits(&m, json_object_get(ensure, "limits"));
                if (r != PAM_SUCCESS)
                        return PAM_SESSION_ERR;
        }
        if (greeting)
                greet(&m, json_array_get(replies, 1));
        audit_session(&m, group, slice, NULL);
        if (m.args.debug)
                pam_syslog(pamh, LOG_DEBUG, "%s: group %s, slice %s", m.user, group, slice);
        return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        /* The slice outlives the login: containers keep running in it. */
        return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        _cleanup_config_ struct berth_config *cfg = NULL;
        struct resolved_user ru;
        struct module m;
        int r;

        r = module_init(pamh, flags, argc, argv, &m);
        if (r != PAM_SUCCESS)
                return r;
        if (!m.args.require_group)
                return PAM_IGNORE;
        if (m.uid == 0)
                return PAM_SUCCESS; /* the gate never locks root out */
        if (load_config(&m, &cfg) < 0) {
                /* require_group is a gate: it stays shut while the config is broken (root still gets in) */
                if (!(flags & PAM_SILENT))
                        pam_error(pamh, "berth: logins are closed until an admin repairs the berth configuration.");
                return PAM_PERM_DENIED;
        }
        r = config_resolve_user(cfg, m.user, time(NULL), &ru);
        if (r == -ENOENT)
                return PAM_USER_UNKNOWN;
        if (r < 0) {
                pam_syslog(pamh, LOG_ERR, "cannot resolve the berth group of %s: %s", m.user, strerror(-r));
                return PAM_PERM_DENIED;
        }
        bool member = ru.in_configured_group;
        resolved_user_done(&ru);
        if (member)
                return PAM_SUCCESS;
        if (identity_is_admin(cfg->admin_group, m.uid, m.user, m.gid, (gid_t) -1)) {
                if (m.args.debug)
                        pam_syslog(pamh, LOG_DEBUG, "%s is in no berth group but in %s: allowed", m.user,
                                   cfg->admin_group);
                return PAM_SUCCESS;
        }

        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.user = m.user;
        f.uid = (long) m.uid;
        f.reason = "login refused: in no berth group (require_group)";
        audit_log(AUDIT_ACCESS_DENY, &f, "berth: login of %s refused: in no berth group", m.user);
        pam_syslog(pamh, LOG_NOTICE, "login of %s refused: in no berth group (require_group)", m.user);
        if (!(flags & PAM_SILENT))
                pam_error(pamh, "berth: %s is in no berth group on this machine; ask an admin to add you to one in %s/groups.d.",
                          m.user, m.args.config_dir);
        return PAM_PERM_DENIED;
}
