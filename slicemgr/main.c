/* SPDX-License-Identifier: MIT */
/* berth-slicemgr [--config DIR]: runs in the foreground under systemd
 * (Type=notify), logs to stderr, which the journal takes.  It puts the
 * daemon together: the Manager, then the control socket and Docker's
 * event stream on top of it, then the loop. */
#include <signal.h>
#include <systemd/sd-daemon.h>

#include "basic/util.h"
#include "core/daemon-args.h"
#include "control.h"
#include "core/paths.h"
#include "docker-watch.h"
#include "lookup.h"
#include "manager.h"
#include "ops.h"
#include "queue.h"
#include "metrics-serve.h"
#include "reaper.h"

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (si->ssi_signo == SIGHUP) {
                _cleanup_free_ char *msg = NULL;
                sd_notify(0, "RELOADING=1");
                (void) manager_reload(m, &msg);
                log_info("%s", strempty(msg));
                sd_notify(0, "READY=1");
                return 0;
        }
        sd_notify(0, "STOPPING=1");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}


static void docker_watch_freep(DockerWatch **w) {
        docker_watch_free(*w);
}

static void lookup_freep(Lookup **l) {
        lookup_free(*l);
}

static void reaper_freep(Reaper **r) {
        reaper_free(*r);
}

static void metrics_serve_freep(MetricsServe **s) {
        metrics_serve_free(*s);
}

static void control_freep(Control **c) {
        control_free(*c);
}

/* From the Manager to a loop ready to serve; 0 or a logged error. */
static int run(const char *config_dir) {
        _cleanup_(manager_freep) Manager *m = NULL;
        /* after the worker, whose last jobs it answers */
        _cleanup_(reaper_freep) Reaper *reaper = NULL;
        /* freed in reverse: the connections go before the worker that answers them */
        _cleanup_(lookup_freep) Lookup *lookup = NULL;
        _cleanup_(control_freep) Control *control = NULL;
        _cleanup_(docker_watch_freep) DockerWatch *watch = NULL;
        /* renders through the ops, which ask the reaper: freed before it */
        _cleanup_(metrics_serve_freep) MetricsServe *metrics = NULL;
        struct berth_error err = { 0 };
        int r;

        r = manager_new(config_dir, &m, &err);
        if (r < 0)
                return log_error_errno(r, "%s", err.message);
        log_info("berth-slicemgr: %zu GPU device%s, %zu group%s, config %s", m->inventory->n_devices,
                 m->inventory->n_devices == 1 ? "" : "s", m->config->n_groups, m->config->n_groups == 1 ? "" : "s",
                 config_dir);
        if (sd_event_add_signal(m->event, NULL, SIGTERM, on_signal, m) < 0 ||
            sd_event_add_signal(m->event, NULL, SIGINT, on_signal, m) < 0 ||
            sd_event_add_signal(m->event, NULL, SIGHUP, on_signal, m) < 0)
                return log_error_errno(-ENOMEM, "cannot watch signals: %m");

        /* owner questions the mirror cannot answer are asked of Docker off the loop */
        r = lookup_new(m->event, m->config->docker_socket, &lookup);
        if (r < 0)
                return log_error_errno(r, "cannot start the Docker lookup thread: %m");
        /* the reaper asks Docker through the same worker */
        r = reaper_new(m, lookup, &reaper);
        if (r < 0)
                return log_error_errno(r, "cannot start the reaper: %m");
        m->reaper = reaper;
        /* the Manager frees it, after the connections that wait in it */
        r = queue_new(m->event, ops_queue_ask, ops_release_times, m, &m->queue);
        if (r < 0)
                return log_error_errno(r, "cannot start the GPU queue: %m");
        r = control_new(m, lookup, &control, &err);
        if (r < 0)
                return log_error_errno(r, "%s", err.message);
        /* Docker may start after us: the watch retries, and reservations wait for it */
        r = docker_watch_new(m, &watch);
        if (r < 0)
                return log_error_errno(r, "cannot watch Docker: %m");
        r = metrics_serve_new(m, &metrics);
        if (r < 0)
                return log_error_errno(r, "cannot set up the metrics: %m");
        r = manager_start(m, &err);
        if (r < 0)
                log_info("berth-slicemgr: could not re-apply limits at start: %s", err.message);
        if (m->gpu_grace_until > 0)
                log_info("berth-slicemgr: the last daemon did not stop cleanly; GPUs are handed out again in %llu s",
                         (unsigned long long) (m->config->reservation_ttl_usec / 1000000));

        /* WatchdogSec= in the unit: sd-event pings for us while the loop runs */
        (void) sd_event_set_watchdog(m->event, true);
        sd_notifyf(0, "READY=1\nSTATUS=serving %s\nMAINPID=%d", m->config->control_socket, (int) getpid());
        log_info("berth-slicemgr: ready on %s", m->config->control_socket);

        r = sd_event_loop(m->event);
        sd_notify(0, "STOPPING=1");
        manager_mark_clean_stop(m);
        return r;
}

int main(int argc, char **argv) {
        static const struct daemon_args args = {
                .version = BERTH_VERSION,
                .name = "berth-slicemgr",
                .summary = "The berth daemon: per-user and per-group slices, the GPU ledger, the control socket.",
                .why_root = "it creates systemd slices",
                .reload = true,
        };
        const char *config_dir = NULL;
        int r = daemon_args_parse(&args, argc, argv, &config_dir);
        if (r >= 0)
                return r;
        return run(config_dir) < 0 ? 1 : 0;
}
