/* SPDX-License-Identifier: MIT */
/* pam_berth's module arguments.  Pure: no PAM calls, so the unit tests can
 * cover every argument; what is not understood goes to a warn callback (the
 * module hands it to pam_syslog) and the default stays. */
#pragma once

#include <stdbool.h>

#define PAM_BERTH_TIMEOUT_DEFAULT_MS 2000
#define PAM_BERTH_TIMEOUT_MAX_MS 60000

struct pam_berth_args {
        const char *config_dir; /* points into argv; never from the environment */
        int timeout_ms;
        bool strict;         /* slicemgr unreachable or refusing: fail the session */
        bool greeting;       /* one PAM_TEXT_INFO line on interactive logins */
        bool session_limits; /* hand the user's limits to pam_systemd */
        bool require_group;  /* account: deny users in no configured group */
        bool debug;
};

/* Called once per argument that is ignored, with a sentence saying why. */
typedef void (*pam_berth_warn_t)(void *userdata, const char *arg, const char *why);

void pam_berth_args_parse(int argc, const char **argv, struct pam_berth_args *ret, pam_berth_warn_t warn,
                          void *userdata);

/* "1500" and "1500ms" are milliseconds, "2s" seconds; 1 ms to 60 s. */
int pam_berth_parse_timeout(const char *s, int *ret_ms);
