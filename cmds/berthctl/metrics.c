/* SPDX-License-Identifier: MIT */
/* berthctl metrics: the daemon's status as Prometheus text, the same text
 * berth-slicemgr serves on [metrics] listen and writes to [metrics]
 * textfile.  No --json: 'berthctl status --json' is that. */
#include "berthctl.h"
#include "core/metrics.h"

int verb_metrics(struct cmd *ctl, _unused_ const struct cmd_args *a) {
        _cleanup_json_ json_t *req = json_pack("{s:s}", "op", "status"), *reply = NULL;
        _cleanup_free_ char *text = NULL;
        if (!req)
                return CMD_EXIT_SYSTEM;
        int r = cmd_call(ctl, req, &reply, NULL);
        if (r != CMD_EXIT_OK)
                return r;
        if (metrics_render(reply, &text) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory");
        if (fputs(text, stdout) < 0 || fflush(stdout) != 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "cannot write the metrics: %m");
        return CMD_EXIT_OK;
}
