/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes as one control-socket request line.  The parser must
 * never crash or leak, and a refusal always carries a kind and a sentence. */
#include <stddef.h>
#include <stdint.h>

#include "core/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct proto_request req = { 0 };
        struct berth_error err = { 0 };
        const char *kind = NULL;

        int r = proto_parse_request((const char *) data, size, &req, &kind, &err);
        if (r < 0) {
                if (!kind || !err.message[0])
                        __builtin_trap();
                char *line = proto_error_line(kind, err.message);
                if (!line || line[strlen(line) - 1] != '\n')
                        __builtin_trap();
                free(line);
                return 0;
        }
        if (req.op >= _OP_MAX || !proto_op_name(req.op))
                __builtin_trap();
        if ((req.op == OP_COMMIT || req.op == OP_CANCEL) && !req.reservation)
                __builtin_trap();
        if (req.op == OP_RESERVE && (req.spec.gpus < 0 || req.spec.gpus > 64 || req.spec.cpus < 0))
                __builtin_trap();
        proto_request_done(&req);
        return 0;
}
