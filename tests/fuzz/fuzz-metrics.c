/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes, twice.  As a JSON status, metrics_render() must
 * never crash or leak, and its text must end in a newline with every line
 * a comment or "name[{labels}] value" whose label values hold no raw line
 * feed.  As an HTTP request head, the metrics endpoint's parser must give
 * one of its verdicts and an answer for it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basic/util.h"
#include "core/metrics.h"
#include "metrics-http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One sample line: a name, labels with quoted (escaped) values, a space
 * and a value without spaces; the end of the line or not. */
static bool sample_valid(const char *p, const char *end) {
        const char *name = p;
        while (p < end && (*p == '_' || *p == ':' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                           (p > name && *p >= '0' && *p <= '9')))
                p++;
        if (p == name)
                return false;
        if (p < end && *p == '{') {
                for (p++; p < end && *p != '}';) {
                        while (p < end && *p != '=' && *p != '"')
                                p++;
                        if (p + 1 >= end || p[0] != '=' || p[1] != '"')
                                return false;
                        for (p += 2; p < end && *p != '"'; p++)
                                if (*p == '\\' && ++p < end && *p != '\\' && *p != '"' && *p != 'n')
                                        return false;
                        if (p >= end)
                                return false;
                        p++;
                        if (p < end && *p == ',')
                                p++;
                }
                if (p >= end)
                        return false;
                p++;
        }
        if (p >= end || *p != ' ' || p + 1 >= end)
                return false;
        return !memchr(p + 1, ' ', (size_t) (end - p - 1));
}

static void check_text(const char *t) {
        size_t n = strlen(t);
        if (n == 0 || t[n - 1] != '\n')
                __builtin_trap();
        for (const char *line = t; *line; line = strchr(line, '\n') + 1)
                if (*line != '#' && !sample_valid(line, strchr(line, '\n')))
                        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *status = json_loadb((const char *) data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        char *text = NULL;
        if (metrics_render(status, &text) == 0) {
                check_text(text);
                free(text);
        }
        json_decref(status);

        enum metrics_request r = metrics_request_parse((const char *) data, size);
        if (r > METRICS_REQUEST_BAD)
                __builtin_trap();
        size_t len = 0;
        char *answer = metrics_response(r, "berth_up 1\n", &len);
        if (answer && (len < 12 || strncmp(answer, "HTTP/1.1 ", 9) != 0))
                __builtin_trap();
        free(answer);
        return 0;
}
