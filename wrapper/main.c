/* SPDX-License-Identifier: MIT */
/* berth-docker-policy: the half of the docker command that polices.  The
 * static front (front.c, installed as /usr/local/bin/docker) execs this for
 * run, create, the container-targeting verbs, ps, build, rmi, prunes and
 * admin verbs, which go through lib/policy and berth-slicemgr here.  Run on
 * its own it is the whole wrapper: verbs berth does not police are exec'ed
 * at once.  It loads no libcurl and no libsystemd (journal.c loads that
 * when it audits). */
#include "wrapper.h"
#include "core/identity.h"

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>

#include "core/audit.h"
#include "common.h"
#include "system/slicemgr-client.h"


/* Pass-through, ps and the ownership checks need three keys of
 * berth.conf's [daemon]: read just those (the full loader walks groups.d
 * and users.d and checks everything, which the verbs that decide on
 * limits or policy then do). */
static void quick_config(struct wrapper *w, const char *dir) {
        struct daemon_keys k;
        wrapper_daemon_keys(dir, &k);
        w->quick_real_docker = k.real_docker;
        w->real_docker = k.real_docker ? k.real_docker : BERTH_DEFAULT_REAL_DOCKER;
        w->control_socket = k.control_socket ? k.control_socket : strdup(BERTH_DEFAULT_CONTROL_SOCKET);
        w->admin_group = k.admin_group ? k.admin_group : strdup(BERTH_DEFAULT_ADMIN_GROUP);
}

int wrapper_load_config(struct wrapper *w) {
        _cleanup_free_ char *why = NULL;
        const char *dir = wrapper_config_dir();

        if (w->config)
                return 0;
        int r = config_load_report(dir, NULL, &w->config, &why, NULL);
        if (r < 0) {
                fprintf(stderr, "berth: the berth configuration in %s is invalid (%s); ask an admin to run 'berthctl check-config'.\n",
                        dir, strempty(why));
                return r;
        }
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
        if (!pw) {
                fprintf(stderr, "berth: your uid %u has no account name; ask an admin to check the user database.\n",
                        (unsigned) w->uid);
                return -ENOENT;
        }
        w->user = strdup(pw->pw_name);
        w->home = strdup(pw->pw_dir ? pw->pw_dir : "/");
        if (!w->user || !w->home)
                return -ENOMEM;
        w->admin = identity_is_admin(w->admin_group, w->uid, w->user, pw->pw_gid, getegid());
        return 0;
}

int wrapper_refuse(struct wrapper *w, const char *reason, const char *hint) {
        if (hint && *hint)
                fprintf(stderr, "%s %s\n", reason, hint);
        else
                fprintf(stderr, "%s\n", reason);
        return WRAPPER_EXIT_REFUSED;
}

void wrapper_audit(struct wrapper *w, enum audit_event ev, const char *container, const char *gpus, const char *slice,
                   const char *reason, const char *message) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.user = w->user;
        f.uid = (long) w->uid;
        f.container = container;
        f.gpus = gpus;
        f.slice = slice;
        f.reason = reason;
        (void) audit_log(ev, &f, "%s", message);
}

int wrapper_copy_argv(struct wrapper *w, char ***v, int from, int to) {
        for (int i = from; i < to && i < w->argc; i++)
                if (strv_push(v, w->argv[i]) < 0)
                        return -ENOMEM;
        return 0;
}

void wrapper_exec(struct wrapper *w, char **argv) {
        execv(w->real_docker, argv);
        fprintf(stderr, "berth: cannot run the real docker at %s: %s.\n", w->real_docker, strerror(errno));
        _exit(127);
}

static volatile pid_t child_pid;

/* Signals someone sent us with kill(1) go on to docker.  Those the terminal
 * raised (Ctrl-C, Ctrl-\, a hang-up) reach docker by themselves, as it is
 * in our process group: forwarding them would deliver them twice. */
static void forward(int sig, siginfo_t *info, void *ctx) {
        if (child_pid > 0 && info && info->si_code <= 0)
                kill(child_pid, sig);
}

int wrapper_spawn(struct wrapper *w, char **argv) {
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
        struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART }, old[ELEMENTSOF(sigs)];
        sigset_t block, saved;
        int status;

        sigemptyset(&block);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaddset(&block, sigs[i]);
        sigprocmask(SIG_BLOCK, &block, &saved);
        pid_t pid = fork();
        if (pid < 0) {
                sigprocmask(SIG_SETMASK, &saved, NULL);
                fprintf(stderr, "berth: cannot start docker: %s.\n", strerror(errno));
                return 125;
        }
        if (pid == 0) {
                sigprocmask(SIG_SETMASK, &saved, NULL);
                wrapper_exec(w, argv);
        }
        child_pid = pid;
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaction(sigs[i], &sa, &old[i]);
        sigprocmask(SIG_SETMASK, &saved, NULL);

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        status = 125 << 8;
                        break;
                }
        child_pid = 0;
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaction(sigs[i], &old[i], NULL);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 125;
}

int wrapper_call(struct wrapper *w, json_t *request, json_t **ret, struct berth_error *err) {
        _cleanup_free_ char *kind = NULL;
        return slicemgr_call(w->control_socket, request, WRAPPER_SLICEMGR_TIMEOUT_MS, ret, &kind, err);
}

/* Verbs only an admin may use, with the sentence an ordinary user gets. */
static int admin_only(struct wrapper *w, const char *what) {
        char msg[512];
        if (w->admin) {
                snprintf(msg, sizeof(msg), "berth: admin %s ran 'docker %s', which is for admins only", w->user,
                         w->inv.words);
                wrapper_audit(w, AUDIT_ADMIN_OVERRIDE, NULL, NULL, NULL, what, msg);
                wrapper_exec(w, w->argv);
        }
        snprintf(msg, sizeof(msg), "berth: 'docker %s' is for admins only: %s.", w->inv.words, what);
        wrapper_audit(w, AUDIT_ACCESS_DENY, NULL, NULL, NULL, msg, msg);
        return wrapper_refuse(w, msg, "Ask an admin.");
}

int main(int argc, char **argv) {
        struct wrapper w = { .argc = argc, .argv = argv };
        struct berth_error err = { 0 };
        int r;

        program_name = "berth-docker"; /* the journal identifier admins filter on */
        if (argc < 1)
                return 125;

        r = docker_parse_invocation(argc, argv, &w.inv, &err);
        if (r < 0) {
                fprintf(stderr, "%s\n", err.message);
                return 125;
        }
        argv[0] = (char *) "docker";

        quick_config(&w, wrapper_config_dir());
        if (w.inv.cmd == DOCKER_CMD_NONE || w.inv.cmd == DOCKER_CMD_PASS)
                wrapper_exec(&w, argv);

        /* A policed verb: who is asking, and for what needs limits or
         * policy, the whole configuration (ps and ownership checks do not:
         * berth-slicemgr answers those). */
        bool light = w.inv.cmd == DOCKER_CMD_PS || w.inv.cmd == DOCKER_CMD_PRUNE || w.inv.cmd == DOCKER_CMD_ADMIN ||
                     ((w.inv.cmd == DOCKER_CMD_TARGET || w.inv.cmd == DOCKER_CMD_NETWORK_ATTACH) &&
                      !streq_ptr(w.inv.verb, "update"));
        if (!light && wrapper_load_config(&w) < 0)
                return 125;
        if (wrapper_identity(&w) < 0)
                return 125;

        switch (w.inv.cmd) {
        case DOCKER_CMD_RUN:
        case DOCKER_CMD_CREATE:
                r = wrapper_run(&w);
                break;
        case DOCKER_CMD_TARGET:
        case DOCKER_CMD_NETWORK_ATTACH:
                r = wrapper_targets(&w);
                break;
        case DOCKER_CMD_PS:
                r = wrapper_ps(&w);
                break;
        case DOCKER_CMD_BUILD:
                r = wrapper_build(&w);
                break;
        case DOCKER_CMD_RMI:
                r = wrapper_rmi(&w);
                break;
        case DOCKER_CMD_VOLUME_CREATE:
                r = wrapper_volume_create(&w);
                break;
        case DOCKER_CMD_PRUNE:
                r = admin_only(&w, "pruning removes every user's unused objects");
                break;
        case DOCKER_CMD_ADMIN:
                r = admin_only(&w, "it changes the Docker host for everyone");
                break;
        case DOCKER_CMD_NONE:
        case DOCKER_CMD_PASS:
        default:
                wrapper_exec(&w, argv);
        }
        config_free(w.config);
        free(w.quick_real_docker);
        free(w.control_socket);
        free(w.admin_group);
        free(w.user);
        free(w.home);
        return r;
}
