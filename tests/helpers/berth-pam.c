/* SPDX-License-Identifier: MIT */
/* berth-pam SERVICE USER [--tty TTY] [--account] [--run CMD] [--cycles N]
 * A small PAM application for the pam_berth tests, where pamtester cannot
 * look: it opens a session, prints the PAM environment ("env: K=V"), runs
 * CMD (sh -c, as root, inside the session, with that environment) and closes
 * the session.  Messages from modules are printed as "info: …" / "error: …".
 * --cycles N opens and closes N sessions on one PAM handle (--fresh: each
 * with its own pam_start/pam_end, loading the modules anew) and prints the
 * resident set size after the first tenth and at the end ("rss-kb: A B").
 * Exit 0 when every PAM call succeeded, 1 when one failed (its name and
 * pam_strerror printed as "fail: …"), 2 on bad usage. */
#include <getopt.h>
#include <stdbool.h>
#include <sys/wait.h>

#include <security/pam_appl.h>

#include "basic/util.h"

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
        struct pam_response *r = calloc((size_t) n, sizeof(*r));
        if (!r)
                return PAM_BUF_ERR;
        for (int i = 0; i < n; i++)
                switch (msg[i]->msg_style) {
                case PAM_TEXT_INFO:
                        printf("info: %s\n", msg[i]->msg);
                        break;
                case PAM_ERROR_MSG:
                        printf("error: %s\n", msg[i]->msg);
                        break;
                default: /* nothing here answers prompts */
                        free(r);
                        return PAM_CONV_ERR;
                }
        fflush(stdout);
        *resp = r;
        return PAM_SUCCESS;
}

static long rss_kb(void) {
        long pages = 0, resident = 0;
        FILE *f = fopen("/proc/self/statm", "re");
        if (!f)
                return -1;
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
                resident = -1;
        fclose(f);
        return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int run_in_session(pam_handle_t *pamh, const char *cmd) {
        char **env = pam_getenvlist(pamh);
        int status = 0;

        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execle("/bin/sh", "sh", "-c", cmd, (char *) NULL, env ? env : (char *[]) { NULL });
                _exit(127);
        }
        for (char **e = env; e && *e; e++)
                free(*e);
        free(env);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int start(const char *service, const char *user, const char *tty, pam_handle_t **ret) {
        static const struct pam_conv c = { conv, NULL };
        int r = pam_start(service, user, &c, ret);
        if (r != PAM_SUCCESS) {
                printf("fail: pam_start: %s\n", pam_strerror(NULL, r));
                return r;
        }
        if (tty) {
                r = pam_set_item(*ret, PAM_TTY, tty);
                if (r != PAM_SUCCESS) {
                        printf("fail: pam_set_item(PAM_TTY): %s\n", pam_strerror(*ret, r));
                        pam_end(*ret, r);
                }
        }
        return r;
}

/* One login on pamh: 0 or the PAM error of the first call that failed. */
static int one_session(pam_handle_t *pamh, bool account, const char *cmd, bool quiet) {
        const char *step = "";
        int r = PAM_SUCCESS;

        if (account) {
                step = "pam_acct_mgmt";
                r = pam_acct_mgmt(pamh, 0);
        }
        if (r == PAM_SUCCESS) {
                step = "pam_open_session";
                r = pam_open_session(pamh, 0);
                if (r == PAM_SUCCESS) {
                        if (!quiet) {
                                char **env = pam_getenvlist(pamh);
                                for (char **e = env; e && *e; e++) {
                                        printf("env: %s\n", *e);
                                        free(*e);
                                }
                                free(env);
                        }
                        if (cmd) {
                                int rc = run_in_session(pamh, cmd);
                                if (rc != 0)
                                        printf("run: exit %d\n", rc);
                        }
                        step = "pam_close_session";
                        r = pam_close_session(pamh, 0);
                }
        }
        if (r != PAM_SUCCESS)
                printf("fail: %s: %s\n", step, pam_strerror(pamh, r));
        return r;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "tty", required_argument, NULL, 't' },
                { "account", no_argument, NULL, 'a' },
                { "run", required_argument, NULL, 'r' },
                { "cycles", required_argument, NULL, 'n' },
                { "fresh", no_argument, NULL, 'f' },
                {},
        };
        const char *tty = NULL, *cmd = NULL;
        bool account = false, fresh = false;
        pam_handle_t *pamh = NULL;
        long cycles = 0;
        int c;

        while ((c = getopt_long(argc, argv, "t:ar:n:f", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        fresh = true;
                        break;
                case 't':
                        tty = optarg;
                        break;
                case 'a':
                        account = true;
                        break;
                case 'r':
                        cmd = optarg;
                        break;
                case 'n':
                        cycles = strtol(optarg, NULL, 10);
                        if (cycles < 1) {
                                fprintf(stderr, "berth-pam: --cycles needs a positive count\n");
                                return 2;
                        }
                        break;
                default:
                        return 2;
                }
        if (argc - optind != 2) {
                fprintf(stderr, "usage: berth-pam SERVICE USER [--tty TTY] [--account] [--run CMD] [--cycles N [--fresh]]\n");
                return 2;
        }
        const char *service = argv[optind], *user = argv[optind + 1];
        int r;

        if (cycles == 0) {
                if (start(service, user, tty, &pamh) != PAM_SUCCESS)
                        return 1;
                r = one_session(pamh, account, cmd, false);
                pam_end(pamh, r);
                return r == PAM_SUCCESS ? 0 : 1;
        }

        long first = -1;
        for (long i = 1; i <= cycles; i++) {
                if (!pamh && start(service, user, tty, &pamh) != PAM_SUCCESS)
                        return 1;
                r = one_session(pamh, account, NULL, true);
                if (fresh || r != PAM_SUCCESS) {
                        pam_end(pamh, r);
                        pamh = NULL;
                }
                if (r != PAM_SUCCESS) {
                        printf("cycles: failed at %ld\n", i);
                        return 1;
                }
                if (i == (cycles + 9) / 10)
                        first = rss_kb();
        }
        if (pamh)
                pam_end(pamh, PAM_SUCCESS);
        printf("rss-kb: %ld %ld\n", first, rss_kb());
        return 0;
}
