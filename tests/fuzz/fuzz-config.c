/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes as any kind of config file.  The parser must never
 * crash, leak or read out of bounds, and must count its errors honestly. */
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "basic/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct berth_config *c = NULL;
        struct config_errors errs = { 0 };

        if (size < 1)
                return 0;
        enum config_file_kind kind = (enum config_file_kind) (data[0] % 3);
        if (config_new("/nonexistent", &c) < 0)
                return 0;
        int r = config_parse_buffer(c, kind, "fuzz.conf", "fuzz", (const char *) data + 1, size - 1, &errs);
        if (r >= 0 && (size_t) r != errs.n)
                __builtin_trap();
        if (r == 0) {
                /* what parsed must be usable: validate and resolve a user */
                struct config_errors verrs = { 0 };
                struct resolved_user ru;
                char *groups[] = { (char *) "fuzz", NULL };
                config_validate(c, &verrs);
                if (config_resolve_user_groups(c, "fuzz", 1000, groups, 0, &ru) == 0) {
                        if (ru.limits.memory_high > ru.limits.memory)
                                __builtin_trap();
                        resolved_user_done(&ru);
                }
                config_errors_clear(&verrs);
        }
        config_errors_clear(&errs);
        config_free(c);
        return 0;
}
