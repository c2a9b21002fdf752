/* SPDX-License-Identifier: MIT */
/* berth-audit-send: sends one audit event through audit_log(), for the
 * integration tests.
 *   berth-audit-send EVENT [--user U] [--uid N] [--group G] [--container C]
 *                    [--gpus L] [--slice S] [--reason R] [--] [MESSAGE]
 * --reason-file F reads the reason from a file (long or multi-line values). */
#include <getopt.h>
#include <stdbool.h>

#include "core/audit.h"
#include "basic/fileio.h"

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "user", required_argument, NULL, 'u' },
                { "uid", required_argument, NULL, 'U' },
                { "group", required_argument, NULL, 'g' },
                { "container", required_argument, NULL, 'c' },
                { "gpus", required_argument, NULL, 'G' },
                { "slice", required_argument, NULL, 's' },
                { "reason", required_argument, NULL, 'r' },
                { "reason-file", required_argument, NULL, 'R' },
                { "message-id", no_argument, NULL, 'm' },
                {}
        };
        struct audit_fields f = AUDIT_FIELDS_INIT;
        _cleanup_free_ char *reason = NULL;
        bool print_id = false;
        int c, r;

        program_name = "berth-audit-send";
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'u':
                        f.user = optarg;
                        break;
                case 'U': {
                        char *end;
                        errno = 0;
                        f.uid = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg) {
                                fprintf(stderr, "%s: invalid --uid '%s'\n", program_name, optarg);
                                return 2;
                        }
                        break;
                }
                case 'g':
                        f.group = optarg;
                        break;
                case 'c':
                        f.container = optarg;
                        break;
                case 'G':
                        f.gpus = optarg;
                        break;
                case 's':
                        f.slice = optarg;
                        break;
                case 'r':
                        f.reason = optarg;
                        break;
                case 'R':
                        free(reason);
                        reason = NULL;
                        r = read_full_file(optarg, 1024 * 1024, &reason, NULL);
                        if (r < 0)
                                return log_error_errno(r, "cannot read %s: %m", optarg), 1;
                        f.reason = reason;
                        break;
                case 'm':
                        print_id = true;
                        break;
                case '?':
                        return 2;
                default:
                        return 2;
                }

        if (optind >= argc) {
                fprintf(stderr, "usage: %s EVENT [--user U] [--uid N] [--group G] [--container C] [--gpus L] "
                        "[--slice S] [--reason R|--reason-file F] [--message-id] [MESSAGE]\n", program_name);
                return 2;
        }
        enum audit_event ev = audit_event_from_name(argv[optind]);
        if ((int) ev < 0) {
                fprintf(stderr, "%s: unknown event '%s'\n", program_name, argv[optind]);
                return 2;
        }
        if (print_id)
                puts(audit_event_message_id(ev));
        if (optind + 1 < argc)
                r = audit_log(ev, &f, "%s", argv[optind + 1]);
        else
                r = audit_log(ev, &f, NULL);
        if (r < 0)
                return log_error_errno(r, "sending %s failed: %m", argv[optind]), 1;
        return 0;
}
