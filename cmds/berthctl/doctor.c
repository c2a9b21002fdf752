/* SPDX-License-Identifier: MIT */
/* berthctl doctor: what an install needs, one check a line with what to do
 * when it is not OK.  Each check is a function in the table at the bottom;
 * all of them run, whatever an earlier one found.  The judgements
 * (socket modes, PAM stack order, the front's mark) are pure, in
 * doctor-rules.c, for the unit tests. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berthctl.h"
#include "basic/fileio.h"
#include "basic/strv.h"
#include "policy/gpu-inventory.h"
#include "system/docker.h"
#include "system/nvml.h"
#include "system/slicemgr-client.h"


#include "doctor-rules.h"

/* --- the run ------------------------------------------------------------- */

struct doctor {
        const char *root; /* prefix of the well-known files ("" for /) */
        const char *config_dir;
        struct berth_config *config; /* NULL when the tree does not load */
        char *config_why;
        json_t *info; /* Docker's GET /info, once asked */
        bool info_asked;
        char info_why[512];
        int daemon_active; /* -1 not asked */
        json_t *rows;
        bool failed;
};

static void doctor_add(struct doctor *d, const char *check, enum doctor_status s, const char *fix, const char *fmt,
                       ...) _printf_(5, 6);
static void doctor_add(struct doctor *d, const char *check, enum doctor_status s, const char *fix, const char *fmt,
                       ...) {
        _cleanup_free_ char *detail = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&detail, fmt, ap) < 0)
                detail = NULL;
        va_end(ap);
        if (s == DOCTOR_FAIL)
                d->failed = true;
        json_array_append_new(d->rows, json_pack("{s:s,s:s,s:s,s:s?}", "check", check, "status",
                                                 doctor_status_name(s), "detail", detail ? detail : "?", "fix",
                                                 s == DOCTOR_OK ? NULL : fix));
}

static bool doctor_need_config(struct doctor *d, const char *check) {
        if (d->config)
                return true;
        doctor_add(d, check, DOCTOR_WARN, "fix the configuration first (berthctl check-config)",
                   "not checked: the configuration does not load");
        return false;
}

static char *doctor_path(const struct doctor *d, const char *path) {
        char *p;
        return asprintf(&p, "%s%s", d->root, path) < 0 ? NULL : p;
}

/* Run argv and keep the first line of its output; its exit status, or -errno. */
static int doctor_run(const char *const *argv, char *out, size_t n) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        int r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *) argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (r != 0) {
                close(fds[0]);
                return -r;
        }
        size_t got = 0;
        ssize_t k;
        while ((k = read(fds[0], out + got, n - 1 - got)) > 0 && got + (size_t) k < n - 1)
                got += (size_t) k;
        if (k > 0)
                got += (size_t) k;
        close(fds[0]);
        out[got] = 0;
        out[strcspn(out, "\n")] = 0;
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static json_t *doctor_info(struct doctor *d) {
        if (d->info_asked)
                return d->info;
        d->info_asked = true;
        struct berth_error err = {};
        _cleanup_docker_ struct docker *dk = NULL;
        if (docker_open(d->config->docker_socket, &dk, &err) < 0 ||
            docker_request(dk, "GET", "/info", NULL, NULL, &d->info, &err) < 0)
                snprintf(d->info_why, sizeof(d->info_why), "%s", err.message);
        return d->info;
}

/* Is there a user in group gid who is no admin (root, or in admin_group)? */
static bool group_has_non_admin(gid_t gid, const char *admin_group, char **ret_who) {
        _cleanup_strv_free_ char **admins = NULL, **members = NULL;
        gid_t admin_gid = (gid_t) -1;
        struct group *g = getgrnam(admin_group);
        if (g) {
                admin_gid = g->gr_gid;
                for (char **m = g->gr_mem; *m; m++)
                        strv_push(&admins, *m);
        }
        g = getgrgid(gid);
        for (char **m = g ? g->gr_mem : NULL; m && *m; m++)
                strv_push(&members, *m);
        struct passwd *pw;
        setpwent();
        while ((pw = getpwent()))
                if (pw->pw_gid == gid && !strv_contains(members, pw->pw_name))
                        strv_push(&members, pw->pw_name);
        endpwent();
        for (char **m = members; m && *m; m++) {
                pw = getpwnam(*m);
                if (pw && (pw->pw_uid == 0 || pw->pw_gid == admin_gid))
                        continue;
                if (strv_contains(admins, *m))
                        continue;
                *ret_who = strdup(*m);
                return true;
        }
        return false;
}

/* Does [gate] socket name dockerd's own socket?  The gate refuses to start
 * then, and whatever answers there is dockerd. */
static bool doctor_gate_is_dockerd(const struct doctor *d) {
        return d->config->gate_socket && file_same(d->config->gate_socket, d->config->docker_socket);
}

static const char doctor_gate_apart_fix[] =
        "give dockerd a socket of its own: the docker.socket drop-in moves it to /run/berth/dockerd.sock; "
        "set [daemon] docker_socket to that";

static bool doctor_unit_active(const char *unit) {
        char out[64];
        const char *argv[] = { "systemctl", "is-active", unit, NULL };
        return doctor_run(argv, out, sizeof(out)) == 0;
}

static bool doctor_daemon_active(struct doctor *d) {
        if (d->daemon_active < 0)
                d->daemon_active = doctor_unit_active("berth-slicemgr.service");
        return d->daemon_active;
}

/* --- the checks ---------------------------------------------------------- */

static void check_config(struct doctor *d) {
        if (d->config)
                doctor_add(d, "configuration", DOCTOR_OK, NULL, "%s is valid", d->config_dir);
        else
                doctor_add(d, "configuration", DOCTOR_FAIL, "correct it; berthctl check-config lists every error",
                           "%s", d->config_why ? d->config_why : "does not load");
}

static void check_docker_socket(struct doctor *d) {
        const char *check = "docker socket";
        if (!doctor_need_config(d, check))
                return;
        const char *sock = d->config->docker_socket;
        if (doctor_gate_is_dockerd(d)) {
                doctor_add(d, check, DOCTOR_FAIL, doctor_gate_apart_fix,
                           "%s is [gate] socket too: the gate refuses to start, and users would reach dockerd itself",
                           sock);
                return;
        }
        struct stat st;
        if (stat(sock, &st) < 0) {
                doctor_add(d, check, DOCTOR_FAIL, "start Docker (systemctl start docker), or set [daemon] docker_socket",
                           "%s: %s", sock, strerror(errno));
                return;
        }
        _cleanup_free_ char *who = NULL;
        bool open = (st.st_mode & S_IWGRP) && st.st_gid != 0 &&
                    group_has_non_admin(st.st_gid, d->config->admin_group, &who);
        const char *why;
        enum doctor_status s = doctor_socket_verdict(st.st_uid, st.st_mode, open, &why);
        _cleanup_free_ char *fix = NULL;
        if (s != DOCTOR_OK && asprintf(&fix,
                                       "make it root-only: the docker.socket drop-in (SocketMode=0660, SocketGroup=root), "
                                       "or chown root:root %s && chmod 0660 %s",
                                       sock, sock) < 0)
                fix = NULL;
        doctor_add(d, check, s, fix, "%s (%04o, uid %u, gid %u): %s%s%s", sock, (unsigned) (st.st_mode & 07777),
                   (unsigned) st.st_uid, (unsigned) st.st_gid, why, who ? ", e.g. " : "", who ? who : "");
}

static void check_cgroup_driver(struct doctor *d) {
        const char *check = "docker cgroup driver";
        static const char fix[] = "put \"exec-opts\": [\"native.cgroupdriver=systemd\"] in /etc/docker/daemon.json "
                                  "and restart Docker";
        if (!doctor_need_config(d, check))
                return;
        json_t *info = doctor_info(d);
        if (!info) {
                doctor_add(d, check, DOCTOR_FAIL, "start Docker (systemctl start docker)", "Docker does not answer: %s",
                           d->info_why);
                return;
        }
        const char *driver = json_string_value(json_object_get(info, "CgroupDriver"));
        doctor_add(d, check, driver && streq(driver, "systemd") ? DOCTOR_OK : DOCTOR_FAIL, fix, "%s",
                   driver ? driver : "Docker does not say");
}

static void check_nvml(struct doctor *d) {
        const char *check = "nvml";
        if (!doctor_need_config(d, check))
                return;
        if (d->config->gpus != GPU_MODE_NVML) {
                doctor_add(d, check, DOCTOR_OK, NULL, "gpus = none: not used");
                return;
        }
        _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;
        struct berth_error err = {};
        if (gpu_inventory_load_nvml(d->config->nvml_library, d->config->sysfs_root, &inv, &err) < 0) {
                doctor_add(d, check, DOCTOR_FAIL,
                           "install the NVIDIA driver (libnvidia-ml.so.1), or set gpus = none in berth.conf", "%s: %s",
                           d->config->nvml_library, err.message);
                return;
        }
        doctor_add(d, check, DOCTOR_OK, NULL, "%s loads", d->config->nvml_library);
        doctor_add(d, "gpu count", inv->n_devices ? DOCTOR_OK : DOCTOR_WARN,
                   "check nvidia-smi; with no GPUs, set gpus = none", "%zu GPU%s", inv->n_devices,
                   inv->n_devices == 1 ? "" : "s");
}

static void check_nvidia_runtime(struct doctor *d) {
        const char *check = "nvidia runtime";
        if (!doctor_need_config(d, check))
                return;
        if (d->config->gpus != GPU_MODE_NVML) {
                doctor_add(d, check, DOCTOR_OK, NULL, "gpus = none: not used");
                return;
        }
        json_t *info = doctor_info(d);
        if (!info) {
                doctor_add(d, check, DOCTOR_WARN, "start Docker (systemctl start docker)", "Docker does not answer: %s",
                           d->info_why);
                return;
        }
        bool has = json_object_get(json_object_get(info, "Runtimes"), "nvidia") != NULL;
        doctor_add(d, check, has ? DOCTOR_OK : DOCTOR_WARN,
                   "install nvidia-container-toolkit, then nvidia-ctk runtime configure --runtime=docker "
                   "and restart Docker",
                   has ? "registered with Docker" : "Docker has no \"nvidia\" runtime");
}

static void check_names(struct doctor *d) {
        const char *check = "groups and users";
        if (!doctor_need_config(d, check))
                return;
        const struct berth_config *c = d->config;
        size_t missing = 0;
        if (!getgrnam(c->admin_group)) {
                doctor_add(d, "admin group", DOCTOR_FAIL, "groupadd it (systemd-sysusers makes berth-admin), or set admin_group",
                           "%s does not exist: nobody but root is an admin", c->admin_group);
        } else
                doctor_add(d, "admin group", DOCTOR_OK, NULL, "%s exists", c->admin_group);
        for (size_t i = 0; i < c->n_groups; i++)
                for (char **m = c->groups[i].members; m && *m; m++) {
                        bool group = (*m)[0] == '@';
                        if (group ? getgrnam(*m + 1) != NULL : getpwnam(*m) != NULL)
                                continue;
                        missing++;
                        /* a missing Unix group leaves every member it meant out; a missing
                         * user is one account not made yet */
                        doctor_add(d, check, group ? DOCTOR_FAIL : DOCTOR_WARN,
                                   group ? "create the group (groupadd), or correct members= in the file"
                                         : "create the user, or take the name out of members=",
                                   "%s names %s %s, which does not exist", c->groups[i].file, group ? "group" : "user",
                                   group ? *m + 1 : *m);
                }
        for (size_t i = 0; i < c->n_overrides; i++) {
                if (getpwnam(c->overrides[i].name))
                        continue;
                missing++;
                doctor_add(d, check, DOCTOR_WARN, "create the user, or remove the file", "%s is for user %s, who does not exist",
                           c->overrides[i].file, c->overrides[i].name);
        }
        if (!missing)
                doctor_add(d, check, DOCTOR_OK, NULL, "every group and user the configuration names exists");
}

static void check_real_docker(struct doctor *d) {
        const char *check = "real_docker";
        if (!doctor_need_config(d, check))
                return;
        const char *path = d->config->real_docker;
        int e;
        switch (real_docker_inspect(path, &e)) {
        case REAL_DOCKER_MISSING:
        case REAL_DOCKER_NOT_PROGRAM:
                doctor_add(d, check, DOCTOR_FAIL, "install Docker's CLI, or set [daemon] real_docker to it", "%s: %s",
                           path, e ? strerror(e) : "not an executable file");
                break;
        case REAL_DOCKER_FRONT:
                doctor_add(d, check, DOCTOR_FAIL, "point real_docker at Docker's own CLI (the diverted one)",
                           "%s is berth's own front: the wrapper would run itself", path);
                break;
        case REAL_DOCKER_OK:
        default:
                doctor_add(d, check, DOCTOR_OK, NULL, "%s", path);
                break;
        }
}

static void check_pam(struct doctor *d) {
        static const char *const files[] = { "/etc/pam.d/common-session", "/etc/pam.d/system-login" };
        static const char fix[] = "add \"session optional pam_berth.so\" before pam_systemd.so in "
                                  "/etc/pam.d/common-session (Debian) or system-login";
        bool read_any = false, before = false;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *path = doctor_path(d, files[i]), *text = NULL;
                if (!path || read_full_file(path, 1 << 20, &text, NULL) < 0)
                        continue;
                read_any = true;
                enum doctor_pam o = doctor_pam_order(text);
                if (o == DOCTOR_PAM_AFTER) {
                        doctor_add(d, "pam", DOCTOR_FAIL, "move the pam_berth.so line above pam_systemd.so",
                                   "%s: pam_berth comes after pam_systemd", files[i]);
                        return;
                }
                before = before || o == DOCTOR_PAM_BEFORE;
        }
        if (before)
                doctor_add(d, "pam", DOCTOR_OK, NULL, "pam_berth is in the session stack before pam_systemd");
        else
                doctor_add(d, "pam", DOCTOR_WARN, fix, "%s", read_any ? "pam_berth is in no session stack"
                                                                                       : "no common-session or system-login");
}

/* "UNIT enabled": does it start at boot (or on demand)?  Not, a WARN. */
static void check_unit_enabled(struct doctor *d, const char *check, const char *unit, const char *fix) {
        char out[64];
        const char *enabled[] = { "systemctl", "is-enabled", unit, NULL };
        int r = doctor_run(enabled, out, sizeof(out));
        if (r < 0)
                doctor_add(d, check, DOCTOR_WARN, "run doctor on the host itself", "cannot run systemctl: %s",
                           strerror(-r));
        else
                doctor_add(d, check, doctor_unit_enabled(out) ? DOCTOR_OK : DOCTOR_WARN, fix, "%s",
                           out[0] ? out : "unknown");
}

static void check_units(struct doctor *d) {
        check_unit_enabled(d, "berth-slicemgr enabled", "berth-slicemgr.service", "systemctl enable berth-slicemgr");
        doctor_add(d, "berth-slicemgr active", doctor_daemon_active(d) ? DOCTOR_OK : DOCTOR_FAIL,
                   "systemctl start berth-slicemgr; journalctl -u berth-slicemgr says why it stopped",
                   doctor_daemon_active(d) ? "running" : "not running");

        check_unit_enabled(d, "berth-gate.socket enabled", "berth-gate.socket", "systemctl enable berth-gate.socket");
        const char *check = "berth-gate.socket active";
        static const char fix[] = "systemctl start berth-gate.socket; journalctl -u berth-gate.socket says why it stopped";
        if (doctor_unit_active("berth-gate.socket"))
                doctor_add(d, check, DOCTOR_OK, NULL, "listening");
        else if (doctor_unit_active("berth-gate.service"))
                /* the gate bound [gate] socket itself: it works, but no one
                 * listens while it restarts */
                doctor_add(d, check, DOCTOR_WARN, fix, "not active; berth-gate.service runs without it");
        else if (d->config && !d->config->gate_socket)
                doctor_add(d, check, DOCTOR_WARN, fix, "not active, and berth.conf sets no [gate] socket");
        else
                doctor_add(d, check, DOCTOR_FAIL, fix, "not active: users have no Docker socket");
}

/* The gate up on the well-known path: [gate] socket is a socket, and the
 * gate answers GET /_ping there. */
static void check_gate(struct doctor *d) {
        const char *check = "berth-gate";
        static const char fix[] = "systemctl start berth-gate.socket";
        if (!doctor_need_config(d, check))
                return;
        const char *sock = d->config->gate_socket;
        if (!sock) {
                doctor_add(d, check, DOCTOR_WARN,
                           "set [gate] socket = /run/docker.sock and move dockerd off it (berth-gate(8)), then "
                           "systemctl start berth-gate.socket",
                           "no [gate] socket in berth.conf: users reach dockerd without the gate");
                return;
        }
        if (doctor_gate_is_dockerd(d)) {
                doctor_add(d, check, DOCTOR_FAIL, doctor_gate_apart_fix,
                           "%s is [daemon] docker_socket too: what answers there is dockerd, not the gate", sock);
                return;
        }
        struct stat st;
        if (stat(sock, &st) < 0) {
                doctor_add(d, check, DOCTOR_FAIL, fix, "%s is missing: %s", sock, strerror(errno));
                return;
        }
        if (!S_ISSOCK(st.st_mode)) {
                doctor_add(d, check, DOCTOR_FAIL, fix, "%s is not a socket", sock);
                return;
        }
        struct berth_error err = {};
        _cleanup_docker_ struct docker *dk = NULL;
        if (docker_open(sock, &dk, &err) < 0) {
                doctor_add(d, check, DOCTOR_FAIL, fix, "no answer to GET /_ping at %s: %s", sock, err.message);
                return;
        }
        doctor_add(d, check, DOCTOR_OK, NULL, "answers at %s (API %s)", sock, docker_api_version(dk));
}

static void check_hello(struct doctor *d) {
        const char *check = "berth daemon";
        if (!doctor_need_config(d, check))
                return;
        _cleanup_json_ json_t *req = json_pack("{s:s}", "op", "hello"), *reply = NULL;
        struct berth_error err = {};
        if (!req || slicemgr_call(d->config->control_socket, req, 2000, &reply, NULL, &err) < 0)
                doctor_add(d, check, DOCTOR_FAIL, "systemctl start berth-slicemgr; journalctl -u berth-slicemgr says why",
                           "no answer at %s: %s", d->config->control_socket, err.message);
        else
                doctor_add(d, check, DOCTOR_OK, NULL, "answers at %s (version %s)", d->config->control_socket,
                           json_string_value(json_object_get(reply, "version")) ?: "?");
}

static void check_seal_key(struct doctor *d) {
        const char *check = "seal key";
        if (!doctor_need_config(d, check))
                return;
        const char *key = d->config->seal_key;
        _cleanup_free_ char *fix = NULL;
        if (asprintf(&fix, "chown root:root %s && chmod 0600 %s", key, key) < 0)
                fix = NULL;
        struct stat st;
        if (lstat(key, &st) < 0) {
                if (errno == ENOENT && !doctor_daemon_active(d))
                        doctor_add(d, check, DOCTOR_WARN, "systemctl start berth-slicemgr", "%s is missing: made at first start",
                                   key);
                else
                        doctor_add(d, check, DOCTOR_FAIL, "systemctl restart berth-slicemgr makes it", "%s: %s", key,
                                   strerror(errno));
                return;
        }
        bool ok = S_ISREG(st.st_mode) && st.st_uid == 0 && (st.st_mode & 07777) == 0600;
        doctor_add(d, check, ok ? DOCTOR_OK : DOCTOR_FAIL, fix, "%s (%04o, uid %u)%s", key,
                   (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid, ok ? "" : ": must be root's, mode 0600");
}

static void check_sysusers_tmpfiles(struct doctor *d) {
        if (getgrnam(BERTH_DEFAULT_ADMIN_GROUP))
                doctor_add(d, "sysusers", DOCTOR_OK, NULL, "group %s exists", BERTH_DEFAULT_ADMIN_GROUP);
        else
                doctor_add(d, "sysusers", DOCTOR_WARN, "systemd-sysusers berth.conf", "group %s does not exist",
                           BERTH_DEFAULT_ADMIN_GROUP);
        _cleanup_free_ char *run = doctor_path(d, "/run/berth");
        struct stat st;
        bool ok = run && stat(run, &st) == 0 && S_ISDIR(st.st_mode);
        doctor_add(d, "tmpfiles", ok ? DOCTOR_OK : DOCTOR_WARN, "systemd-tmpfiles --create berth.conf", "%s %s",
                   run ? run : "/run/berth", ok ? "exists" : "does not exist");
}

static const struct {
        const char *name;
        void (*run)(struct doctor *d);
} doctor_checks[] = {
        { "configuration", check_config },
        { "docker socket", check_docker_socket },
        { "docker cgroup driver", check_cgroup_driver },
        { "nvml", check_nvml },
        { "nvidia runtime", check_nvidia_runtime },
        { "groups and users", check_names },
        { "real_docker", check_real_docker },
        { "pam", check_pam },
        { "units", check_units },
        { "berth-gate", check_gate },
        { "berth daemon", check_hello },
        { "seal key", check_seal_key },
        { "sysusers and tmpfiles", check_sysusers_tmpfiles },
};

static int doctor_print(json_t *rows) {
        _cleanup_table_ struct cmd_table *t = cmd_table_new(4, "STATUS", "CHECK", "DETAIL", "FIX");
        if (!t)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        size_t i;
        json_t *row;
        json_array_foreach (rows, i, row)
                if (cmd_table_add(t, json_string_value(json_object_get(row, "status")),
                                  json_string_value(json_object_get(row, "check")),
                                  json_string_value(json_object_get(row, "detail")),
                                  json_string_value(json_object_get(row, "fix")) ?: "") < 0)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        return cmd_table_print(t, stdout) < 0 ? CMD_EXIT_SYSTEM : CMD_EXIT_OK;
}

int verb_doctor(struct cmd *ctl, const struct cmd_args *a) {
        _cleanup_json_ json_t *rows = json_array();
        struct doctor d = { .root = "", .config_dir = ctl->config_dir, .daemon_active = -1, .rows = rows };
        for (size_t i = 0; i < a->n_options; i++)
                if (a->options[i].key == 'r')
                        d.root = a->options[i].value;
        if (!rows)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");

        int r = config_load_report(d.config_dir, NULL, &d.config, &d.config_why, NULL);
        if (r < 0 && r != -EINVAL) {
                free(d.config_why);
                return cmd_fail(CMD_EXIT_SYSTEM, "cannot load %s: %s; no check can run.", d.config_dir, strerror(-r));
        }
        for (size_t i = 0; i < ELEMENTSOF(doctor_checks); i++)
                doctor_checks[i].run(&d);
        config_free(d.config);
        free(d.config_why);
        json_decref(d.info);

        r = ctl->json ? cmd_print_json(rows) : doctor_print(rows);
        if (r != CMD_EXIT_OK)
                return r;
        return d.failed ? CMD_EXIT_REFUSED : CMD_EXIT_OK;
}
