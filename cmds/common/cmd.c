/* SPDX-License-Identifier: MIT */
/* The commands' main(): global options, the verb, then the config and the
 * caller; and the one way each of them prints an error, JSON, or asks the
 * daemon. */
#include "common/cmd.h"

#include <pwd.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "basic/units.h"
#include "core/paths.h"
#include "system/docker.h"
#include "system/slicemgr-client.h"
#include "basic/suggest.h"

#define CMD_CALL_TIMEOUT_MS 30000

/* The daemon's and the policy's sentences carry berth's prefix; ours is the program's. */
static const char *sentence(const char *msg) {
        return strncmp(msg, "berth: ", 7) == 0 ? msg + 7 : msg;
}

int cmd_fail(int status, const char *fmt, ...) {
        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        fprintf(stderr, "%s%s: %s\n", log_priority_prefix(3), program_name, sentence(msg));
        return status;
}

void cmd_warn(const char *fmt, ...) {
        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        fprintf(stderr, "%s%s: warning: %s\n", log_priority_prefix(4), program_name, msg);
}

int cmd_fail_message(int status, const char *context, const char *msg) {
        const char *s = sentence(msg && *msg ? msg : "no reason given");
        size_t n = strlen(s);
        bool has_stop = n > 0 && strchr(".!?", s[n - 1]);
        fprintf(stderr, "%s%s: %s%s%s%s\n", log_priority_prefix(3), program_name, strempty(context), context ? ": " : "", s,
                has_stop ? "" : ".");
        return status;
}

int cmd_print_json(json_t *v) {
        if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "cannot write the JSON output.");
        fputc('\n', stdout);
        return CMD_EXIT_OK;
}

/* A call's outcome as an exit status: the reply in *ret when it was yes,
 * the daemon's sentence on stderr when no (its kind in *ret_kind). */
static int call_result(int r, json_t *reply, char **kind, const struct berth_error *err, json_t **ret,
                       char **ret_kind) {
        if (r == -EPERM) {
                json_decref(reply);
                if (ret_kind)
                        *ret_kind = TAKE_PTR(*kind);
                return cmd_fail_message(CMD_EXIT_REFUSED, NULL, err->message);
        }
        if (r < 0) {
                json_decref(reply);
                return cmd_fail_message(CMD_EXIT_SYSTEM, NULL,
                                        err->message[0] ? err->message : "the berth daemon did not answer");
        }
        *ret = reply;
        return CMD_EXIT_OK;
}

int cmd_call(struct cmd *c, json_t *request, json_t **ret, char **ret_kind) {
        struct berth_error err = { 0 };
        _cleanup_free_ char *kind = NULL;
        json_t *reply = NULL;

        int r = slicemgr_call(c->config->control_socket, request, CMD_CALL_TIMEOUT_MS, &reply, &kind, &err);
        return call_result(r, reply, &kind, &err, ret, ret_kind);
}

/* One progress line of a wait in the GPU queue: as it came with --json,
 * else a line on stderr that a terminal overwrites. */
static void on_progress(json_t *progress, void *userdata) {
        struct cmd *c = userdata;
        if (c->json) {
                _cleanup_free_ char *s = json_dumps(progress, JSON_COMPACT);
                if (s) {
                        printf("%s\n", s);
                        fflush(stdout);
                }
                return;
        }
        slicemgr_progress_show(progress, NULL);
}

int cmd_call_waiting(struct cmd *c, json_t *request, json_t **ret) {
        struct berth_error err = { 0 };
        _cleanup_free_ char *kind = NULL;
        json_t *reply = NULL;
        int r = slicemgr_call_waiting(c->config->control_socket, request, on_progress, c, &reply, &kind, &err);
        if (!c->json)
                slicemgr_progress_end();
        return call_result(r, reply, &kind, &err, ret, NULL);
}

const char *cmd_reaper_text(json_t *row, char *buf, size_t n) {
        json_t *reaper = json_object_get(row, "reaper"), *left = json_object_get(reaper, "stops_in_usec");
        json_t *free_in = json_object_get(row, "gpus_free_in_s");
        char a[32], b[32];
        uint64_t idle = (uint64_t) json_integer_value(json_object_get(reaper, "idle_usec"));
        format_duration_coarse(idle, a, sizeof(a));
        if (json_is_integer(free_in))
                snprintf(buf, n, "stopped, GPUs freed in %s",
                         format_duration((uint64_t) json_integer_value(free_in) * 1000000, b, sizeof(b)));
        else if (json_object_get(row, "gpus_released"))
                snprintf(buf, n, "stopped, GPUs freed (a start takes them back)");
        else if (!reaper)
                return NULL;
        else if (json_is_true(json_object_get(reaper, "exempt")))
                snprintf(buf, n, idle ? "exempt, idle %s" : "exempt", a);
        else if (json_is_integer(left)) {
                const char *reason = json_string_value(json_object_get(reaper, "reason"));
                snprintf(buf, n, "%s, stops in %s", reason ? reason : "",
                         format_duration_coarse((uint64_t) json_integer_value(left), b, sizeof(b)));
        } else if (idle)
                snprintf(buf, n, "idle %s", a);
        else
                snprintf(buf, n, "busy");
        return buf;
}

int cmd_load_config(struct cmd *c, const char *dir, struct berth_config **ret) {
        size_t n = 0;
        int r = config_load_report(dir, stderr, ret, NULL, &n);

        /* for a user an invalid tree is the admin's to fix; for the admin, a refusal */
        if (r == -EINVAL)
                return cmd_fail(c->program->user ? CMD_EXIT_SYSTEM : CMD_EXIT_REFUSED, "%s is not valid (%zu error%s); %s",
                                dir, n, n == 1 ? "" : "s",
                                c->program->user ? "ask an admin." : "fix it, then run 'berthctl check-config'.");
        if (r < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "cannot load the configuration in %s: %s%s", dir, strerror(-r),
                                c->program->user ? "; ask an admin." : ".");
        return CMD_EXIT_OK;
}

bool cmd_is_admin(struct cmd *c, const char **ret_why) {
        const char *why = NULL;
        if (c->admin < 0) {
                c->admin = 0;
                _cleanup_json_ json_t *req = json_pack("{s:s}", "op", "whoami"), *reply = NULL;
                struct berth_error err = { 0 };
                if (!c->config_trusted)
                        why = "your --config or $BERTH_CONFIG is not root's, so its daemon is not asked";
                else if (!req || slicemgr_call(c->config->control_socket, req, CMD_CALL_TIMEOUT_MS, &reply, NULL,
                                               &err) < 0)
                        why = "the berth daemon, which decides who is an admin, did not answer";
                else
                        c->admin = json_is_true(json_object_get(reply, "admin"));
                c->admin_why = why;
        }
        if (ret_why)
                *ret_why = c->admin_why;
        return c->admin > 0;
}

/* The policy a non-root caller runs under is the system's whenever the tree
 * they named is one they could have written: only its sockets and
 * real_docker, which grant nothing, are taken from it (DESIGN §5). */
static int trust_config(struct cmd *c) {
        _cleanup_config_ struct berth_config *sys = NULL;
        _cleanup_free_ char *why = NULL;

        c->config_trusted = geteuid() == 0 || config_dir_trusted(c->config_dir);
        if (c->config_trusted || !c->config)
                return CMD_EXIT_OK;
        if (config_load_report(BERTH_CONFIG_DIR, NULL, &sys, &why, NULL) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM,
                                "%s is not root's, so only its sockets are used and the policy comes from %s, which cannot be loaded (%s); ask an admin.",
                                c->config_dir, BERTH_CONFIG_DIR, strempty(why));
        char **keep[] = { &c->config->docker_socket, &c->config->control_socket, &c->config->real_docker };
        char **into[] = { &sys->docker_socket, &sys->control_socket, &sys->real_docker };
        for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                free(*into[i]);
                *into[i] = TAKE_PTR(*keep[i]);
        }
        config_free(c->config);
        c->config = TAKE_PTR(sys);
        return CMD_EXIT_OK;
}

/* Who runs a user command. */
static int identify(struct cmd *c) {
        c->uid = getuid();
        c->gid = getgid();
        struct passwd *pw = getpwuid(c->uid);
        if (!pw)
                return cmd_fail(CMD_EXIT_USAGE, "your user id %u has no user name; ask an admin.", (unsigned) c->uid);
        c->user = strdup(pw->pw_name);
        c->home = strdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
        if (!c->user || !c->home)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        return CMD_EXIT_OK;
}

static void cmd_done(struct cmd *c) {
        if (c->docker)
                docker_close(c->docker);
        if (c->ru_loaded)
                resolved_user_done(&c->ru);
        config_free(c->config);
        free(c->user);
        free(c->home);
}

static void usage(const struct cmd_program *p, FILE *f) {
        fprintf(f, "usage: %s [--config DIR] [--help] [--version] VERB [ARGS…]\n\nverbs:\n", p->name);
        for (size_t i = 0; i < p->n_verbs; i++) {
                const struct cmd_verb *v = &p->verbs[i];
                fprintf(f, "  %-14s %s", v->name, v->help);
                for (const char *const *a = v->aliases; a && *a; a++)
                        fprintf(f, "%s%s", a == v->aliases ? " (also: " : ", ", *a);
                fprintf(f, "%s\n", v->aliases ? ")" : "");
        }
        fprintf(f, "\n'%s VERB --help' shows how a verb is typed; every verb that prints something takes --json.\n"
                   "The config tree is --config DIR, else $BERTH_CONFIG, else %s.\n"
                   "Exit status: 0 done, 1 refused or not found, 2 usage, 3 Docker, daemon or system error.\n"
                   "See %s.\n",
                p->name, BERTH_CONFIG_DIR, p->man);
}

static void verb_usage(const struct cmd_program *p, const struct cmd_verb *v) {
        printf("usage: %s %s\n  %s\n", p->name, v->usage, v->help);
        if (v->aliases) {
                printf("also typed as:");
                for (const char *const *a = v->aliases; *a; a++)
                        printf(" %s %s", p->name, *a);
                printf("\n");
        }
}

static int unknown_verb(const struct cmd_program *p, const char *word) {
        _cleanup_free_ const char **names = NULL;
        size_t n = 0;
        for (size_t i = 0; i < p->n_verbs; i++)
                for (const char *const *a = p->verbs[i].aliases; a && *a; a++)
                        n++;
        names = calloc(n + p->n_verbs, sizeof(char *));
        n = 0;
        for (size_t i = 0; names && i < p->n_verbs; i++) {
                names[n++] = p->verbs[i].name;
                for (const char *const *a = p->verbs[i].aliases; a && *a; a++)
                        names[n++] = *a;
        }
        const char *guess = names ? string_suggest(word, names, n) : NULL;
        /* an alias suggested is the verb it stands for */
        const struct cmd_verb *v = guess ? cmd_verb_find(p, guess) : NULL;
        if (v)
                return cmd_fail(CMD_EXIT_USAGE, "unknown verb '%s'; did you mean '%s'? '%s --help' lists them.", word,
                                v->name, p->name);
        return cmd_fail(CMD_EXIT_USAGE, "unknown verb '%s'; '%s --help' lists them.", word, p->name);
}

int cmd_main(const struct cmd_program *p, int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        _cleanup_(cmd_args_done) struct cmd_args a = { 0 };
        _cleanup_(cmd_done) struct cmd c = { .program = p, .admin = -1 };
        const char *config_dir = NULL;
        int opt, rc;

        program_name = p->name;
        optind = 0; /* a fresh scan, whoever used getopt before */
        opterr = 0;
        /* stop at the verb: its own options are its own */
        while ((opt = getopt_long(argc, argv, "+:c:hV", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_dir = optarg;
                        break;
                case 'h':
                        usage(p, stdout);
                        return CMD_EXIT_OK;
                case 'V':
                        printf("%s (berth) %s\n", p->name, BERTH_VERSION);
                        return CMD_EXIT_OK;
                case ':':
                        return cmd_fail(CMD_EXIT_USAGE, "%s needs a value; '%s --help' lists the options.",
                                        argv[optind - 1], p->name);
                default:
                        return cmd_fail(CMD_EXIT_USAGE, "unknown option '%s'; '%s --help' lists the options.",
                                        argv[optind - 1], p->name);
                }
        if (optind >= argc) {
                usage(p, stderr);
                return CMD_EXIT_USAGE;
        }
        const struct cmd_verb *v = cmd_verb_find(p, argv[optind]);
        if (!v)
                return unknown_verb(p, argv[optind]);
        if ((rc = cmd_parse(p, v, argc - optind, argv + optind, &a)) != 0)
                return rc;
        if (a.help) {
                verb_usage(p, v);
                return CMD_EXIT_OK;
        }

        c.config_dir = config_dir_resolve(config_dir);
        c.json = a.json;
        c.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        if (p->user && (rc = identify(&c)) != 0)
                return rc;
        if (!(v->flags & CMD_VERB_OWN_CONFIG) && (rc = cmd_load_config(&c, c.config_dir, &c.config)) != 0)
                return rc;
        /* berthctl's views grant nothing (its admin verbs are the daemon's);
         * the user commands act, so their policy must be root's */
        if (p->user && (rc = trust_config(&c)) != 0)
                return rc;
        return v->run(&c, &a);
}
