/* SPDX-License-Identifier: MIT */
/* berthctl: the admin's command.  A table maps verbs to functions; each verb
 * lives in a file of its own. */
#include "berthctl.h"

#include <time.h>

/* Each option's val is the key its verb switches on. */
static const struct option audit_options[] = {
        { "user", required_argument, NULL, 'u' },
        { "event", required_argument, NULL, 'e' },
        { "since", required_argument, NULL, 'S' },
        { "until", required_argument, NULL, 'U' },
        { "follow", no_argument, NULL, 'f' },
        { "clients", no_argument, NULL, 'C' },
        {},
};
static const struct option check_config_options[] = {
        { "config", required_argument, NULL, 'c' },
        {},
};

static const struct option exempt_options[] = {
        { "until", required_argument, NULL, 'U' },
        { "reason", required_argument, NULL, 'R' },
        {},
};

static const struct option doctor_options[] = {
        { "root", required_argument, NULL, 'r' },
        {},
};

static const struct cmd_verb verbs[] = {
        { "status", NULL, "status [--json]", "GPUs and holders, use against quota per user and group", 0, 0,
          CMD_VERB_JSON, NULL, NULL, verb_status },
        { "quota", NULL, "quota USER|@GROUP [--json]", "resolved limits and the layer each came from", 1, 1,
          CMD_VERB_JSON, NULL, NULL, verb_quota },
        { "audit", NULL, "audit [--user U] [--event E] [--since T] [--until T] [-f] [--clients] [--json]",
          "berth's decisions from the journal (--clients: also what clients wrote)", 0, 0, CMD_VERB_JSON,
          audit_options, "u:e:S:U:f", verb_audit },
        { "slices", NULL, "slices [--json]", "live slices: configured limits, kernel values, use, drift", 0, 0,
          CMD_VERB_JSON, NULL, NULL, verb_slices },
        { "metrics", NULL, "metrics", "the daemon's status as Prometheus text (what [metrics] listen serves)", 0, 0, 0,
          NULL, NULL, verb_metrics },
        { "reload", NULL, "reload [--json]", "the daemon re-reads the config and re-applies limits (admin)", 0, 0,
          CMD_VERB_JSON, NULL, NULL, verb_reload },
        { "release", NULL, "release CONTAINER|GPU|RESERVATION [--json]",
          "free what a container or reservation holds (admin)", 1, 1, CMD_VERB_JSON, NULL, NULL, verb_release },
        { "exempt", NULL, "exempt CONTAINER|USER --until TIME [--reason TEXT] [--json]",
          "the reaper leaves it running until TIME ('now' ends it) (admin)", 1, 1, CMD_VERB_JSON, exempt_options,
          "U:R:", verb_exempt },
        { "check-config", NULL, "check-config [--config DIR | DIR] [--json]",
          "load a config tree, print every error or a summary", 0, 1, CMD_VERB_JSON | CMD_VERB_OWN_CONFIG,
          check_config_options, "c:", verb_check_config },
        { "doctor", NULL, "doctor [--root DIR] [--json]", "check the install: every check OK, WARN or FAIL with the fix",
          0, 0, CMD_VERB_JSON | CMD_VERB_OWN_CONFIG, doctor_options, NULL, verb_doctor },
};

static const struct cmd_program program = {
        .name = "berthctl",
        .man = "berthctl(8)",
        .verbs = verbs,
        .n_verbs = ELEMENTSOF(verbs),
};

const char *ctl_fmt_time(uint64_t usec, char *buf, size_t n) {
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;
        if (!localtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                return "?";
        return buf;
}

int main(int argc, char **argv) {
        return cmd_main(&program, argc, argv);
}
