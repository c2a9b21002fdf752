/* SPDX-License-Identifier: MIT */
/* berth-docker, the `docker` shim (DESIGN §5): parse docker's argv, ask
 * berth-slicemgr, rewrite, exec the real docker.  Runs with the caller's own
 * rights; everything it decides goes through lib/policy. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "core/audit.h"
#include "core/config.h"
#include "policy/dockercli.h"

/* Exit status of a refusal: docker's own "the docker command failed". */
#define WRAPPER_EXIT_REFUSED 125

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
        gid_t gid;
        char *user;
        char *home;
        bool admin;
};

/* main.c */
int wrapper_load_config(struct wrapper *w);
int wrapper_identity(struct wrapper *w);
_noreturn_ void wrapper_exec(struct wrapper *w, char **argv);
/* Print "berth: …" (one line, hint appended) and return WRAPPER_EXIT_REFUSED. */
int wrapper_refuse(struct wrapper *w, const char *reason, const char *hint);
/* One audit entry for the caller (BERTH_USER, BERTH_UID and what is given;
 * NULL fields are left out).  MESSAGE is message. */
void wrapper_audit(struct wrapper *w, enum audit_event ev, const char *container, const char *gpus, const char *slice,
                   const char *reason, const char *message);
/* argv[from..to) of the original command line appended to *v. */
int wrapper_copy_argv(struct wrapper *w, char ***v, int from, int to);
/* Run real docker with argv as a child, forwarding signals sent to us;
 * returns its exit status the way a shell reports it. */
int wrapper_spawn(struct wrapper *w, char **argv);
/* One call to berth-slicemgr; a reply with ok:false is -EPERM with the
 * daemon's sentence in err. */
int wrapper_call(struct wrapper *w, json_t *request, json_t **ret, struct berth_error *err);

/* run.c: run and create */
int wrapper_run(struct wrapper *w);

/* verbs.c: the other policed verbs */
int wrapper_targets(struct wrapper *w);
int wrapper_ps(struct wrapper *w);
int wrapper_build(struct wrapper *w);
int wrapper_rmi(struct wrapper *w);
int wrapper_volume_create(struct wrapper *w);
