/* SPDX-License-Identifier: MIT */
/* berth-slicemgr [--config DIR]: runs in the foreground under systemd
 * (Type=notify), logs to stderr, which the journal takes. */
#include "manager.h"

#include <getopt.h>
#include <signal.h>
#include <systemd/sd-daemon.h>

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (si->ssi_signo == SIGHUP) {
                _cleanup_free_ char *msg = NULL;
                sd_notify(0, "RELOADING=1");
                manager_reload(m, &msg);
                log_info("%s", strempty(msg));
                sd_notify(0, "READY=1");
                return 0;
        }
        sd_notify(0, "STOPPING=1");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void usage(FILE *f) {
        fprintf(f, "usage: berth-slicemgr [--config DIR]\n\n"
                   "The berth daemon: per-user and per-group slices, the GPU ledger, the control socket.\n"
                   "The config tree is --config DIR, else $BERTH_CONFIG, else %s.\n",
                BERTH_CONFIG_DIR);
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *config_dir = NULL;
        Manager *m = NULL;
        int c, r;

        program_name = "berth-slicemgr";
        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        config_dir = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        if (optind < argc) {
                usage(stderr);
                return 2;
        }
        config_dir = config_dir_resolve(config_dir);
        if (geteuid() != 0) {
                fprintf(stderr, "berth-slicemgr: must run as root (it creates systemd slices).\n");
                return 1;
        }
        setvbuf(stderr, NULL, _IOLBF, 0);

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = manager_new(config_dir, &m);
        if (r < 0)
                return 1;
        if (sd_event_add_signal(m->event, NULL, SIGTERM, on_signal, m) < 0 ||
            sd_event_add_signal(m->event, NULL, SIGINT, on_signal, m) < 0 ||
            sd_event_add_signal(m->event, NULL, SIGHUP, on_signal, m) < 0) {
                manager_free(m);
                return 1;
        }
        r = manager_start(m);
        if (r < 0) {
                manager_free(m);
                return 1;
        }
        /* WatchdogSec= in the unit: sd-event pings for us while the loop runs */
        (void) sd_event_set_watchdog(m->event, true);
        sd_notifyf(0, "READY=1\nSTATUS=serving %s\nMAINPID=%d", m->config->control_socket, (int) getpid());
        log_info("berth-slicemgr: ready on %s", m->config->control_socket);

        r = sd_event_loop(m->event);
        sd_notify(0, "STOPPING=1");
        manager_mark_clean_stop(m);
        manager_free(m);
        return r < 0 ? 1 : 0;
}
