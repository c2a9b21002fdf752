/* SPDX-License-Identifier: MIT */
/* A verb's command line by its table entry: the verb found by name or
 * alias, its options, its argument counts.  Nothing here loads or asks
 * anything, so a usage error costs nothing. */
#include "common/cmd.h"

#include <ctype.h>
#include <stdarg.h>

#define OPT_JSON 'j'
#define OPT_HELP 'h'

void cmd_args_done(struct cmd_args *a) {
        free(a->args);
        free(a->options);
        *a = (struct cmd_args) { 0 };
}

const struct cmd_verb *cmd_verb_find(const struct cmd_program *p, const char *name) {
        for (size_t i = 0; i < p->n_verbs; i++) {
                const struct cmd_verb *v = &p->verbs[i];
                if (streq(v->name, name))
                        return v;
                for (const char *const *a = v->aliases; a && *a; a++)
                        if (streq(*a, name))
                                return v;
        }
        return NULL;
}

_printf_(3, 4) static int usage_error(const struct cmd_program *p, const struct cmd_verb *v, const char *fmt, ...) {
        char what[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        return cmd_fail(CMD_EXIT_USAGE, "%s; usage: %s %s.", what, p->name, v->usage);
}

/* The word getopt stopped at: "-x" for a short option, else the word itself. */
static const char *bad_option(char **argv, char *buf, size_t n) {
        const char *w = argv[optind - 1];
        if (optopt > 0 && optopt < 128 && isgraph(optopt) && w[0] == '-' && w[1] != '-') {
                snprintf(buf, n, "-%c", optopt);
                return buf;
        }
        return w;
}

static int push_arg(struct cmd_args *a, char *arg) {
        char **v = reallocarray(a->args, a->n_args + 2, sizeof(char *));
        if (!v)
                return -ENOMEM;
        a->args = v;
        v[a->n_args++] = arg;
        v[a->n_args] = NULL;
        return 0;
}

static int push_option(struct cmd_args *a, int key, const char *value) {
        struct cmd_option *o = reallocarray(a->options, a->n_options + 1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        a->options = o;
        o[a->n_options++] = (struct cmd_option) { .key = key, .value = value };
        return 0;
}

int cmd_parse(const struct cmd_program *p, const struct cmd_verb *v, int argc, char **argv, struct cmd_args *ret) {
        _cleanup_(cmd_args_done) struct cmd_args a = { 0 };
        _cleanup_free_ struct option *options = NULL;
        _cleanup_free_ char *shorts = NULL;
        bool json = v->flags & CMD_VERB_JSON, stop = v->flags & CMD_VERB_STOP;
        size_t n = 0, k = 0;
        char buf[8];
        int c;

        for (const struct option *o = v->options; o && o->name; o++)
                n++;
        options = calloc(n + 3, sizeof(*options));
        /* "-": arguments come back in order; "+": stop at the first one */
        if (!options || asprintf(&shorts, "%s:h%s%s", stop ? "+" : "-", json ? "j" : "", strempty(v->shorts)) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        for (; k < n; k++)
                options[k] = v->options[k];
        options[k++] = (struct option) { "help", no_argument, NULL, OPT_HELP };
        if (json)
                options[k++] = (struct option) { "json", no_argument, NULL, OPT_JSON };

        optind = 0; /* a fresh scan: the global options used getopt before */
        opterr = 0; /* the messages are ours, prefixed with the program */
        while ((c = getopt_long(argc, argv, shorts, options, NULL)) >= 0) {
                int r = 0;
                switch (c) {
                case 1:
                        r = push_arg(&a, optarg);
                        break;
                case OPT_HELP:
                        a.help = true;
                        *ret = a;
                        a = (struct cmd_args) { 0 };
                        return 0;
                case OPT_JSON:
                        a.json = true;
                        break;
                case '?':
                        return usage_error(p, v, "'%s' does not take the option %s", v->name,
                                           bad_option(argv, buf, sizeof(buf)));
                case ':':
                        return usage_error(p, v, "'%s': the option %s needs a value", v->name,
                                           bad_option(argv, buf, sizeof(buf)));
                default:
                        r = push_option(&a, c, optarg);
                        break;
                }
                if (r < 0)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        /* "+" stopped at the first argument; "-" only at "--" */
        int i = optind;
        for (; i < argc && (stop || !(v->flags & CMD_VERB_COMMAND)); i++) {
                if (stop && v->max_args >= 0 && a.n_args >= (size_t) v->max_args)
                        break;
                if (push_arg(&a, argv[i]) < 0)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        if (i < argc)
                a.command = argv + i;
        if (a.n_args < (size_t) v->min_args)
                return usage_error(p, v, "'%s' needs more arguments", v->name);
        if (v->max_args >= 0 && a.n_args > (size_t) v->max_args)
                return usage_error(p, v, "'%s' does not take '%s'%s", v->name, a.args[v->max_args],
                                   v->flags & CMD_VERB_COMMAND ? "; put a command after '--'" : "");
        *ret = a;
        a = (struct cmd_args) { 0 };
        return 0;
}
