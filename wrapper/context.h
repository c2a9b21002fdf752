/* SPDX-License-Identifier: MIT */
/* Who is asking and under what configuration: the state every policed verb
 * of berth-docker-policy works from, and the one way it asks
 * berth-slicemgr. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/config.h"
#include "policy/dockercli.h"
#include "policy/policy.h"

struct wrapper {
        int argc;
        char **argv;
        const char *real_docker;
        /* From berth.conf's [daemon] alone (the quick read): enough for
         * pass-through, ps and the ownership checks. */
        char *quick_real_docker;
        char *control_socket;
        char *admin_group;
        struct berth_config *config; /* the whole tree, loaded only for what needs limits or policy */
        struct docker_invocation inv;

        uid_t uid;
        gid_t gid;     /* the account's primary group */
        gid_t *gids;   /* every group of the account (NSS), the primary among them */
        size_t n_gids;
        unsigned n_cpus;
        char *user;
        char *home;
        /* Whether the caller is an admin is berth-slicemgr's word alone
         * (whoami, or the "admin" of an owner answer): read it through
         * wrapper_admin(). */
        bool admin;
        bool admin_known;
};

/* Read the three keys of berth.conf's [daemon] in DIR that pass-through, ps
 * and the ownership checks need (defaults where absent). */
void wrapper_quick_config(struct wrapper *w, const char *dir);
/* Load the whole configuration in DIR; on failure *ret_why says what is
 * wrong with it. */
int wrapper_load_config(struct wrapper *w, const char *dir, char **ret_why);
/* Look up the caller: -ENOENT when their uid has no account name. */
int wrapper_identity(struct wrapper *w);
void wrapper_done(struct wrapper *w);

/* Is the caller an admin?  berth-slicemgr decides (DESIGN §5): asked once
 * (whoami) unless an owner answer already said; when it cannot be asked,
 * no (fail closed).  uid 0 is root whatever the daemon says. */
bool wrapper_admin(struct wrapper *w);
/* What an owner answer's "admin" said. */
void wrapper_set_admin(struct wrapper *w, bool admin);
/* The caller as the policy sees them (admin through wrapper_admin()). */
struct policy_identity wrapper_policy_identity(struct wrapper *w);

/* One call to berth-slicemgr; a reply with ok:false is -EPERM with the
 * daemon's sentence in err. */
int wrapper_call(struct wrapper *w, json_t *request, json_t **ret, struct berth_error *err);
/* The same for a reserve that may wait in the GPU queue (BERTH_WAIT=1):
 * progress on stderr, no time limit while it waits. */
int wrapper_call_waiting(struct wrapper *w, json_t *request, json_t **ret, struct berth_error *err);
