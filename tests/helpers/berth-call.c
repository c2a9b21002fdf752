/* SPDX-License-Identifier: MIT */
/* berth-call [--socket PATH] [--timeout MS] [--config DIR] JSON...
 * Sends each JSON request over one connection to berth-slicemgr and prints
 * each reply on a line.  Exit 0 when every reply is ok, 1 when one was a
 * refusal, 3 on a transport error. */
#include <getopt.h>

#include "core/config.h"
#include "system/slicemgr-client.h"

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "socket", required_argument, NULL, 's' },
                { "timeout", required_argument, NULL, 't' },
                { "config", required_argument, NULL, 'c' },
                {},
        };
        const char *socket_path = NULL, *config_dir = NULL;
        int timeout_ms = 10000, c, rc = 0;
        struct berth_error err = { 0 };

        program_name = "berth-call";
        while ((c = getopt_long(argc, argv, "s:t:c:", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        socket_path = optarg;
                        break;
                case 't':
                        timeout_ms = atoi(optarg);
                        break;
                case 'c':
                        config_dir = optarg;
                        break;
                default:
                        return 2;
                }
        _cleanup_config_ struct berth_config *cfg = NULL;
        if (!socket_path) {
                if (config_load_report(config_dir_resolve(config_dir), stderr, &cfg, NULL, NULL) < 0) {
                        fprintf(stderr, "berth-call: cannot load the config to find the socket\n");
                        return 3;
                }
                socket_path = cfg->control_socket;
        }
        _cleanup_slicemgr_client_ struct slicemgr_client *client = NULL;
        if (slicemgr_client_connect(socket_path, timeout_ms, &client, &err) < 0) {
                fprintf(stderr, "%s\n", err.message);
                return 3;
        }
        for (int i = optind; i < argc; i++) {
                json_error_t jerr;
                _cleanup_json_ json_t *req = json_loads(argv[i], 0, &jerr);
                _cleanup_json_ json_t *reply = NULL;
                if (!req) {
                        fprintf(stderr, "berth-call: not JSON: %s\n", jerr.text);
                        return 2;
                }
                if (slicemgr_client_call(client, req, timeout_ms, &reply, &err) < 0) {
                        fprintf(stderr, "%s\n", err.message);
                        return 3;
                }
                _cleanup_free_ char *s = json_dumps(reply, JSON_COMPACT);
                printf("%s\n", s ? s : "null");
                if (!json_is_true(json_object_get(reply, "ok")))
                        rc = 1;
        }
        return rc;
}
