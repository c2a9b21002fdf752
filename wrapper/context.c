/* SPDX-License-Identifier: MIT */
/* The caller and the configuration, loaded only as far as a verb needs. */
#include "context.h"

#include <pwd.h>
#include <unistd.h>

#include "common.h"
#include "core/identity.h"
#include "core/paths.h"
#include "system/slicemgr-client.h"

/* Pass-through, ps and the ownership checks need three keys of
 * berth.conf's [daemon]: read just those (the full loader walks groups.d
 * and users.d and checks everything, which the verbs that decide on
 * limits or policy then do). */
void wrapper_quick_config(struct wrapper *w, const char *dir) {
        struct daemon_keys k;
        wrapper_daemon_keys(dir, &k);
        w->quick_real_docker = k.real_docker;
        w->real_docker = k.real_docker ? k.real_docker : BERTH_DEFAULT_REAL_DOCKER;
        w->control_socket = k.control_socket ? k.control_socket : strdup(BERTH_DEFAULT_CONTROL_SOCKET);
        w->admin_group = k.admin_group ? k.admin_group : strdup(BERTH_DEFAULT_ADMIN_GROUP);
}

int wrapper_load_config(struct wrapper *w, const char *dir, char **ret_why) {
        if (w->config)
                return 0;
        int r = config_load_report(dir, NULL, &w->config, ret_why, NULL);
        if (r < 0)
                return r;
        w->real_docker = w->config->real_docker ? w->config->real_docker : w->real_docker;
        if (w->config->control_socket) {
                free(w->control_socket);
                w->control_socket = strdup(w->config->control_socket);
        }
        return 0;
}

int wrapper_identity(struct wrapper *w) {
        struct passwd *pw;

        if (w->user)
                return 0;
        w->uid = getuid();
        w->gid = getgid();
        pw = getpwuid(w->uid);
        if (!pw)
                return -ENOENT;
        w->gid = pw->pw_gid;
        w->user = strdup(pw->pw_name);
        w->home = strdup(pw->pw_dir ? pw->pw_dir : "/");
        if (!w->user || !w->home)
                return -ENOMEM;
        /* only the primary group when NSS cannot list the others: fewer
         * groups for a container, never more */
        if (identity_user_gids(w->user, w->gid, &w->gids, &w->n_gids) < 0) {
                w->gids = NULL;
                w->n_gids = 0;
        }
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        w->n_cpus = n > 0 ? (unsigned) n : 0;
        return 0;
}

bool wrapper_admin(struct wrapper *w) {
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        struct berth_error err = { 0 };

        if (w->uid == 0)
                return true;
        if (w->admin_known)
                return w->admin;
        w->admin_known = true;
        w->admin = false;
        req = json_pack("{s:s}", "op", "whoami");
        if (req && wrapper_call(w, req, &reply, &err) >= 0 &&
            json_integer_value(json_object_get(reply, "uid")) == (json_int_t) w->uid)
                w->admin = json_is_true(json_object_get(reply, "admin"));
        return w->admin;
}

void wrapper_set_admin(struct wrapper *w, bool admin) {
        w->admin = admin;
        w->admin_known = true;
}

struct policy_identity wrapper_policy_identity(struct wrapper *w) {
        return (struct policy_identity) {
                .user = w->user,
                .uid = w->uid,
                .gid = w->gid,
                .gids = w->gids,
                .n_gids = w->n_gids,
                .home = w->home,
                .admin = wrapper_admin(w),
                .n_cpus = w->n_cpus,
        };
}

void wrapper_done(struct wrapper *w) {
        config_free(w->config);
        free(w->quick_real_docker);
        free(w->control_socket);
        free(w->admin_group);
        free(w->user);
        free(w->home);
        free(w->gids);
}

int wrapper_call_waiting(struct wrapper *w, json_t *request, json_t **ret, struct berth_error *err) {
        _cleanup_free_ char *kind = NULL;
        int r = slicemgr_call_waiting(w->control_socket, request, slicemgr_progress_show, NULL, ret, &kind, err);
        slicemgr_progress_end();
        return r;
}

int wrapper_call(struct wrapper *w, json_t *request, json_t **ret, struct berth_error *err) {
        _cleanup_free_ char *kind = NULL;
        return slicemgr_call(w->control_socket, request, WRAPPER_SLICEMGR_TIMEOUT_MS, ret, &kind, err);
}
