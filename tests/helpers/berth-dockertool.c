/* SPDX-License-Identifier: MIT */
/* berth-dockertool: drives every docker_* call of libberth from the command
 * line, for the integration tests and the benchmark.  Talks to the socket
 * DOCKER_HOST names (unix:// only), else /run/docker.sock.  JSON replies are
 * printed on one line; errors as "berth-dockertool: http STATUS: message". */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "system/docker.h"

static void usage(void) {
        fprintf(stderr,
                "usage: %s COMMAND [ARGS]\n"
                "  socket-path                       the socket DOCKER_HOST selects\n"
                "  ping                              print the daemon's API version\n"
                "  request METHOD PATH [JSON]        any API call; prints status and reply\n"
                "  create NAME IMAGE [label=K=V...] [--] [CMD...]   NAME '' lets Docker pick\n"
                "  start ID | stop [--time N] ID | kill ID [SIGNAL] | rm [--force] ID\n"
                "  inspect ID | list [--all] [LABEL...]\n"
                "  repeat-inspect ID N               mean microseconds per inspect on one connection\n"
                "  commit ID REPO TAG [label=K=V...]\n"
                "  image-inspect NAME | image-list [LABEL...] | image-rm [--force] NAME\n"
                "  events [--count N] [--filter K=V]... [--since T] [--until T] [--nonblock]\n",
                program_name);
}

static int fail(const struct berth_error *e, int r) {
        if (e->http_status)
                fprintf(stderr, "%s: http %ld: %s\n", program_name, e->http_status, e->message);
        else
                fprintf(stderr, "%s: %s\n", program_name, e->message[0] ? e->message : strerror(-r));
        return 1;
}

static int print_json(json_t *j) {
        if (json_dumpf(j, stdout, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
                return 1;
        putchar('\n');
        return fflush(stdout) == 0 ? 0 : 1;
}

static bool has_flag(int *argc, char ***argv, const char *flag) {
        if (*argc > 0 && streq((*argv)[0], flag)) {
                (*argc)--;
                (*argv)++;
                return true;
        }
        return false;
}

/* label=K=V arguments into an object; stops at the first other argument
 * (after skipping a "--"), which it leaves in *argv. */
static int take_labels(int *argc, char ***argv, json_t *labels) {
        while (*argc > 0 && strncmp((*argv)[0], "label=", 6) == 0) {
                const char *kv = (*argv)[0] + 6, *eq = strchr(kv, '=');
                _cleanup_free_ char *k = strndup(kv, eq ? (size_t) (eq - kv) : strlen(kv));
                if (!k || json_object_set_new(labels, k, json_string(eq ? eq + 1 : "")) < 0)
                        return -EINVAL;
                (*argc)--;
                (*argv)++;
        }
        (void) has_flag(argc, argv, "--");
        return 0;
}

struct event_ctx {
        long count, max;
};

static int on_event(json_t *ev, void *userdata) {
        struct event_ctx *c = userdata;
        if (print_json(ev) != 0)
                return -EIO;
        return c->max > 0 && ++c->count >= c->max ? 1 : 0;
}

static int cmd_events(struct docker *d, int argc, char **argv, struct berth_error *err) {
        static const struct option opts[] = {
                { "count", required_argument, NULL, 'n' },
                { "filter", required_argument, NULL, 'f' },
                { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' },
                { "nonblock", no_argument, NULL, 'N' },
                {}
        };
        struct event_ctx ctx = {};
        bool nonblock = false;
        _cleanup_json_ json_t *filters = json_object();
        int c, r;

        if (!filters)
                return -ENOMEM;
        optind = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) >= 0)
                switch (c) {
                case 'n':
                        ctx.max = strtol(optarg, NULL, 10);
                        break;
                case 'f': {
                        const char *eq = strchr(optarg, '=');
                        if (!eq)
                                return berth_error_set(err, -EINVAL, "--filter wants KEY=VALUE, not '%s'.", optarg);
                        _cleanup_free_ char *k = strndup(optarg, (size_t) (eq - optarg));
                        json_t *arr = k ? json_object_get(filters, k) : NULL;
                        if (!k)
                                return -ENOMEM;
                        if (!arr) {
                                arr = json_array();
                                if (json_object_set_new(filters, k, arr) < 0)
                                        return -ENOMEM;
                        }
                        if (json_array_append_new(arr, json_string(eq + 1)) < 0)
                                return -EINVAL;
                        break;
                }
                case 's':
                case 'u':
                        if (json_object_set_new(filters, c == 's' ? "since" : "until", json_string(optarg)) < 0)
                                return -ENOMEM;
                        break;
                case 'N':
                        nonblock = true;
                        break;
                case '?':
                        return berth_error_set(err, -EINVAL, "Unknown option to events.");
                default:
                        return -EINVAL;
                }

        if (!nonblock)
                return docker_events(d, filters, on_event, &ctx, err);

        /* The event-loop variant: poll the fd, process when readable. */
        _cleanup_docker_event_stream_ struct docker_event_stream *s = NULL;
        r = docker_event_stream_open(d, filters, on_event, &ctx, &s, err);
        if (r < 0)
                return r;
        for (;;) {
                r = docker_event_stream_process(s, err);
                if (r != 0)
                        return r < 0 ? r : 0;
                struct pollfd p = { .fd = docker_event_stream_fd(s), .events = POLLIN };
                if (p.fd < 0)
                        return berth_error_set(err, p.fd, "The event stream has no file descriptor.");
                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                        return berth_error_set(err, -errno, "poll() failed: %m");
        }
}

int main(int argc, char **argv) {
        _cleanup_free_ char *socket_path = NULL;
        _cleanup_docker_ struct docker *d = NULL;
        _cleanup_json_ json_t *j = NULL;
        struct berth_error e = {};
        const char *cmd;
        int r;

        program_name = "berth-dockertool";
        signal(SIGPIPE, SIG_IGN);
        if (argc < 2) {
                usage();
                return 2;
        }
        cmd = argv[1];
        argc -= 2;
        argv += 2;

        r = docker_socket_path(getenv("DOCKER_HOST"), NULL, &socket_path, &e);
        if (r < 0)
                return fail(&e, r);
        if (streq(cmd, "socket-path"))
                return puts(socket_path) < 0;

        r = docker_open(socket_path, &d, &e);
        if (r < 0)
                return fail(&e, r);

        if (streq(cmd, "ping") && argc == 0) {
                puts(docker_api_version(d));
                return 0;
        } else if (streq(cmd, "request") && (argc == 2 || argc == 3)) {
                _cleanup_json_ json_t *body = NULL;
                long status = 0;
                if (argc == 3) {
                        json_error_t je;
                        body = json_loads(argv[2], JSON_REJECT_DUPLICATES, &je);
                        if (!body) {
                                fprintf(stderr, "%s: invalid JSON body: %s\n", program_name, je.text);
                                return 2;
                        }
                }
                r = docker_request(d, argv[0], argv[1], body, &status, &j, &e);
                if (r < 0)
                        return fail(&e, r);
                printf("%ld\n", status);
                return j ? print_json(j) : 0;
        } else if (streq(cmd, "create") && argc >= 2) {
                _cleanup_json_ json_t *config = json_object(), *labels = json_object(), *cmdv = json_array();
                _cleanup_free_ char *id = NULL;
                const char *name = argv[0], *image = argv[1];
                argc -= 2;
                argv += 2;
                if (!config || !labels || !cmdv || take_labels(&argc, &argv, labels) < 0)
                        return fail(&e, berth_error_set(&e, -EINVAL, "Invalid label."));
                for (int i = 0; i < argc; i++)
                        json_array_append_new(cmdv, json_string(argv[i]));
                json_object_set_new(config, "Image", json_string(image));
                json_object_set(config, "Labels", labels);
                if (argc > 0)
                        json_object_set(config, "Cmd", cmdv);
                r = docker_container_create(d, *name ? name : NULL, config, &id, &e);
                if (r < 0)
                        return fail(&e, r);
                puts(id);
                return 0;
        } else if (streq(cmd, "start") && argc == 1)
                r = docker_container_start(d, argv[0], &e);
        else if (streq(cmd, "stop") && (argc == 1 || (argc == 3 && streq(argv[0], "--time"))))
                r = docker_container_stop(d, argv[argc - 1], argc == 3 ? atoi(argv[1]) : -1, &e);
        else if (streq(cmd, "kill") && (argc == 1 || argc == 2))
                r = docker_container_kill(d, argv[0], argc == 2 ? argv[1] : NULL, &e);
        else if (streq(cmd, "rm") && argc >= 1) {
                bool force = has_flag(&argc, &argv, "--force");
                if (argc != 1) {
                        usage();
                        return 2;
                }
                r = docker_container_remove(d, argv[0], force, &e);
        } else if (streq(cmd, "repeat-inspect") && argc == 2) {
                /* the library's own cost per call, one kept-alive connection */
                long n = strtol(argv[1], NULL, 10);
                struct timespec t0, t1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                for (long i = 0; i < n; i++) {
                        json_t *x = NULL;
                        r = docker_container_inspect(d, argv[0], &x, &e);
                        if (r < 0)
                                return fail(&e, r);
                        json_decref(x);
                }
                clock_gettime(CLOCK_MONOTONIC, &t1);
                printf("%.1f\n", n > 0 ? ((t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3) / n : 0.0);
                return 0;
        } else if (streq(cmd, "inspect") && argc == 1) {
                r = docker_container_inspect(d, argv[0], &j, &e);
                return r < 0 ? fail(&e, r) : print_json(j);
        } else if (streq(cmd, "list")) {
                bool all = has_flag(&argc, &argv, "--all");
                r = docker_container_list(d, all, argv, &j, &e);
                return r < 0 ? fail(&e, r) : print_json(j);
        } else if (streq(cmd, "commit") && argc >= 3) {
                _cleanup_json_ json_t *labels = json_object();
                _cleanup_free_ char *image_id = NULL;
                const char *id = argv[0], *repo = argv[1], *tag = argv[2];
                argc -= 3;
                argv += 3;
                if (!labels || take_labels(&argc, &argv, labels) < 0 || argc != 0) {
                        usage();
                        return 2;
                }
                r = docker_container_commit(d, id, repo, tag, json_object_size(labels) ? labels : NULL, &image_id,
                                            &e);
                if (r < 0)
                        return fail(&e, r);
                puts(image_id);
                return 0;
        } else if (streq(cmd, "image-inspect") && argc == 1) {
                r = docker_image_inspect(d, argv[0], &j, &e);
                return r < 0 ? fail(&e, r) : print_json(j);
        } else if (streq(cmd, "image-list")) {
                r = docker_image_list(d, argv, &j, &e);
                return r < 0 ? fail(&e, r) : print_json(j);
        } else if (streq(cmd, "image-rm") && argc >= 1) {
                bool force = has_flag(&argc, &argv, "--force");
                if (argc != 1) {
                        usage();
                        return 2;
                }
                r = docker_image_remove(d, argv[0], force, &e);
        } else if (streq(cmd, "events")) {
                /* getopt wants argv[0] to be the program */
                argv--;
                argc++;
                r = cmd_events(d, argc, argv, &e);
        } else {
                usage();
                return 2;
        }
        return r < 0 ? fail(&e, r) : 0;
}
