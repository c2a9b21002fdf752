/* SPDX-License-Identifier: MIT */
#include "args.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int pam_berth_parse_timeout(const char *s, int *ret_ms) {
        char *end = NULL;
        unsigned long v;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s)
                return -EINVAL;
        if (*end == 0 || strcmp(end, "ms") == 0)
                ;
        else if (strcmp(end, "s") == 0) {
                if (v > ULONG_MAX / 1000)
                        return -ERANGE;
                v *= 1000;
        } else
                return -EINVAL;
        if (v < 1 || v > PAM_BERTH_TIMEOUT_MAX_MS)
                return -ERANGE;
        *ret_ms = (int) v;
        return 0;
}

static const char *arg_value(const char *arg, const char *key) {
        size_t l = strlen(key);
        return strncmp(arg, key, l) == 0 && arg[l] == '=' ? arg + l + 1 : NULL;
}

void pam_berth_args_parse(int argc, const char **argv, struct pam_berth_args *ret, pam_berth_warn_t warn,
                          void *userdata) {
        struct pam_berth_args a = {
                .config_dir = BERTH_CONFIG_DIR,
                .timeout_ms = PAM_BERTH_TIMEOUT_DEFAULT_MS,
        };
        const struct {
                const char *name;
                bool *field;
        } flags[] = {
                { "strict", &a.strict },
                { "greeting", &a.greeting },
                { "session_limits", &a.session_limits },
                { "require_group", &a.require_group },
                { "debug", &a.debug },
        };

        for (int i = 0; i < argc; i++) {
                const char *arg = argv[i], *v;
                bool known = false;

                if (!arg)
                        continue;
                for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
                        if (strcmp(arg, flags[f].name) == 0) {
                                *flags[f].field = true;
                                known = true;
                        }
                if (known)
                        continue;
                if ((v = arg_value(arg, "config"))) {
                        if (v[0] == '/')
                                a.config_dir = v;
                        else if (warn)
                                warn(userdata, arg, "the config directory must be an absolute path");
                } else if ((v = arg_value(arg, "timeout"))) {
                        int ms;
                        if (pam_berth_parse_timeout(v, &ms) == 0)
                                a.timeout_ms = ms;
                        else if (warn)
                                warn(userdata, arg, "the timeout must be 1ms to 60s, as milliseconds (1500, 1500ms) or seconds (2s)");
                } else if (warn)
                        warn(userdata, arg, "unknown argument");
        }
        *ret = a;
}
