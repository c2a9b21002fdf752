/* SPDX-License-Identifier: MIT */
/* berth-docker-policy: the half of the docker command that polices.  The
 * static front (front.c, installed as /usr/local/bin/docker) execs this for
 * run, create, the container-targeting verbs, ps, build, rmi, prunes and
 * admin verbs, which go through lib/policy and berth-slicemgr here.  Run on
 * its own it is the whole wrapper: verbs berth does not police are exec'ed
 * at once.  It loads no libcurl and no libsystemd (journal.c loads that
 * when it audits).  This file only dispatches: run.c and verbs.c police,
 * on the services of context.c, exec.c and report.c. */
#include "common.h"
#include "context.h"
#include "exec.h"
#include "run.h"
#include "verbs.h"

/* What the verb needs: who is asking, and for what needs limits or policy
 * the whole configuration (ps and ownership checks do not: berth-slicemgr
 * answers those).  Says what went wrong here, at the top. */
static int load_caller(struct wrapper *w, const char *dir) {
        const struct docker_invocation *inv = &w->inv;
        bool light = inv->cmd == DOCKER_CMD_PS || inv->cmd == DOCKER_CMD_PASS || inv->cmd == DOCKER_CMD_VOLUME_CREATE || inv->cmd == DOCKER_CMD_NETWORK_CREATE || inv->cmd == DOCKER_CMD_TAG || inv->cmd == DOCKER_CMD_IMPORT ||
                     inv->cmd == DOCKER_CMD_LOAD || inv->cmd == DOCKER_CMD_PRUNE || inv->cmd == DOCKER_CMD_ADMIN ||
                     ((inv->cmd == DOCKER_CMD_TARGET || inv->cmd == DOCKER_CMD_NETWORK_ATTACH) &&
                      !streq_ptr(inv->verb, "update"));
        _cleanup_free_ char *why = NULL;
        int r;

        if (!light && (r = wrapper_load_config(w, dir, &why)) < 0) {
                fprintf(stderr, "berth: the berth configuration in %s is invalid (%s); ask an admin to run 'berthctl check-config'.\n",
                        dir, strempty(why));
                return r;
        }
        r = wrapper_identity(w);
        if (r == -ENOENT)
                fprintf(stderr, "berth: your uid %u has no account name; ask an admin to check the user database.\n",
                        (unsigned) w->uid);
        return r;
}

static int dispatch(struct wrapper *w) {
        switch (w->inv.cmd) {
        case DOCKER_CMD_RUN:
        case DOCKER_CMD_CREATE:
                return wrapper_run(w);
        case DOCKER_CMD_TARGET:
        case DOCKER_CMD_NETWORK_ATTACH:
                return wrapper_targets(w);
        case DOCKER_CMD_PS:
                return wrapper_ps(w);
        case DOCKER_CMD_BUILD:
                return wrapper_build(w);
        case DOCKER_CMD_RMI:
                return wrapper_rmi(w);
        case DOCKER_CMD_VOLUME_CREATE:
                return wrapper_volume_create(w);
        case DOCKER_CMD_NETWORK_CREATE:
                return wrapper_network_create(w);
        case DOCKER_CMD_TAG:
                return wrapper_tag(w);
        case DOCKER_CMD_IMPORT:
                return wrapper_import(w);
        case DOCKER_CMD_LOAD:
                return wrapper_load(w);
        case DOCKER_CMD_PRUNE:
                return wrapper_admin_only(w, "pruning removes every user's unused objects");
        case DOCKER_CMD_ADMIN:
                return wrapper_admin_only(w, "it changes the Docker host for everyone");
        case DOCKER_CMD_PASS:
                if (wrapper_pass_needs_policy(&w->inv, w->argc, w->argv))
                        return wrapper_pass_policed(w);
                wrapper_exec(w, w->argv);
        case DOCKER_CMD_NONE:
        default:
                wrapper_exec(w, w->argv);
        }
}

int main(int argc, char **argv) {
        _cleanup_(wrapper_done) struct wrapper w = { .argc = argc, .argv = argv };
        struct berth_error err = { 0 };
        const char *dir;

        program_name = "berth-docker"; /* the journal identifier admins filter on */
        if (argc < 1)
                return 125;

        if (docker_parse_invocation(argc, argv, &w.inv, &err) < 0) {
                fprintf(stderr, "%s\n", err.message);
                return 125;
        }
        argv[0] = (char *) "docker";

        dir = wrapper_config_dir();
        wrapper_quick_config(&w, dir);
        if (w.inv.cmd == DOCKER_CMD_NONE ||
            (w.inv.cmd == DOCKER_CMD_PASS && !wrapper_pass_needs_policy(&w.inv, argc, argv)))
                wrapper_exec(&w, argv);
        if (load_caller(&w, dir) < 0)
                return 125;
        return dispatch(&w);
}
