/* SPDX-License-Identifier: MIT */
/* berth-metrics-render: metrics_render() over the JSON on stdin, for the
 * integration tests (promtool checks the text of malformed statuses too).
 * Input that is not JSON renders as JSON null would: the renderer takes
 * anything. */
#include <stdio.h>

#include "basic/util.h"
#include "core/metrics.h"

int main(void) {
        _cleanup_json_ json_t *status = json_loadf(stdin, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        _cleanup_free_ char *text = NULL;
        if (metrics_render(status, &text) < 0) {
                fputs("berth-metrics-render: out of memory\n", stderr);
                return 1;
        }
        fputs(text, stdout);
        return fflush(stdout) == 0 ? 0 : 1;
}
