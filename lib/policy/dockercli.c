/* SPDX-License-Identifier: MIT */
/* docker's argv, parsed by the rules of cobra and pflag as the docker CLI
 * applies them (DESIGN §5).  The option tables are in dockercli-tables.c.
 *
 * pflag, as reproduced here: "--name=v" and "--name v" (a value-taking
 * option takes the next word whatever it looks like, "-x" included);
 * "--bool=false"; "-abc" is a bundle of shorthands where the first one that
 * takes a value ends the word: "-dv/x:/y" is -d and -v "/x:/y"; "-x=v" gives
 * "v", but "-x=" gives "=" ("=" is the attached value); "-" and "" are
 * positionals; "--" ends the options.  run, create, exec, top and commit
 * stop at their first positional: what follows belongs to the container. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>

#include "policy/dockercli.h"
#include "policy/dockercli-tables.h"

/* How the positionals of a command name containers. */
enum docker_targets {
        TARGETS_NONE,
        TARGETS_ALL,    /* rm, stop, kill, inspect … */
        TARGETS_FIRST,  /* logs, port, commit, checkpoint … */
        TARGETS_SECOND, /* network connect|disconnect NETWORK CONTAINER */
        TARGETS_RENAME, /* rename OLD NEW: OLD, and NEW recorded */
        TARGETS_CP,     /* cp: the "NAME:path" arguments */
        TARGETS_HEAD,   /* exec, top: the first positional ends the options */
        TARGETS_IMAGE,  /* run, create: the image ends the options, no target */
};

struct docker_verb {
        const char *word;  /* as typed */
        const char *words; /* the command words, for messages and the caller */
        const char *verb;  /* canonical */
        enum docker_cmd cmd;
        int flags; /* enum docker_flags_id; -1: not parsed (PASS, ADMIN) */
        enum docker_targets targets;
        bool interspersed;
};

struct docker_group {
        const char *word;
        const struct docker_verb *subs;
        size_t n_subs;
        enum docker_cmd other; /* a subcommand not listed: docker refuses it, or it is admin's */
        bool buildx;           /* buildx's own root options may come between the words */
};

#define VERB(w, ws, v, c, f, t, i) { w, ws, v, c, f, t, i }
#define TGT(w, ws, v, f, t) VERB(w, ws, v, DOCKER_CMD_TARGET, DOCKER_FLAGS_##f, t, true)
#define PASS(w, ws) VERB(w, ws, w, DOCKER_CMD_PASS, -1, TARGETS_NONE, true)
#define ADMIN(w, ws) VERB(w, ws, w, DOCKER_CMD_ADMIN, -1, TARGETS_NONE, true)
#define PRUNE(w, ws, f) VERB(w, ws, "prune", DOCKER_CMD_PRUNE, DOCKER_FLAGS_##f, TARGETS_NONE, true)

/* The container verbs, top level and under "container". */
#define CONTAINER_VERBS(p)                                                                              \
        VERB("run", p "run", "run", DOCKER_CMD_RUN, DOCKER_FLAGS_RUN, TARGETS_IMAGE, false),           \
        VERB("create", p "create", "create", DOCKER_CMD_CREATE, DOCKER_FLAGS_CREATE, TARGETS_IMAGE,    \
             false),                                                                                    \
        VERB("exec", p "exec", "exec", DOCKER_CMD_TARGET, DOCKER_FLAGS_EXEC, TARGETS_HEAD, false),     \
        VERB("top", p "top", "top", DOCKER_CMD_TARGET, DOCKER_FLAGS_TOP, TARGETS_HEAD, false),         \
        VERB("commit", p "commit", "commit", DOCKER_CMD_TARGET, DOCKER_FLAGS_COMMIT, TARGETS_FIRST,    \
             false),                                                                                    \
        TGT("logs", p "logs", "logs", LOGS, TARGETS_FIRST),                                             \
        TGT("port", p "port", "port", PORT, TARGETS_FIRST),                                             \
        TGT("attach", p "attach", "attach", ATTACH, TARGETS_ALL),                                       \
        TGT("diff", p "diff", "diff", DIFF, TARGETS_ALL),                                               \
        TGT("export", p "export", "export", EXPORT, TARGETS_ALL),                                       \
        TGT("wait", p "wait", "wait", WAIT, TARGETS_ALL),                                               \
        TGT("stop", p "stop", "stop", STOP, TARGETS_ALL),                                               \
        TGT("start", p "start", "start", START, TARGETS_ALL),                                           \
        TGT("restart", p "restart", "restart", RESTART, TARGETS_ALL),                                   \
        TGT("pause", p "pause", "pause", PAUSE, TARGETS_ALL),                                           \
        TGT("unpause", p "unpause", "unpause", UNPAUSE, TARGETS_ALL),                                   \
        TGT("kill", p "kill", "kill", KILL, TARGETS_ALL),                                               \
        TGT("rm", p "rm", "rm", RM, TARGETS_ALL),                                                       \
        TGT("stats", p "stats", "stats", STATS, TARGETS_ALL),                                           \
        TGT("update", p "update", "update", UPDATE, TARGETS_ALL),                                       \
        TGT("rename", p "rename", "rename", RENAME, TARGETS_RENAME),                                    \
        TGT("cp", p "cp", "cp", CP, TARGETS_CP)

/* Top level.  Anything not listed is PASS: docker's own unpoliced verbs
 * (images pull push login logout search version info events history
 * save), or a CLI plugin (compose …), or an error. */
static const struct docker_verb top_verbs[] = {
        CONTAINER_VERBS(""),
        TGT("inspect", "inspect", "inspect", INSPECT, TARGETS_ALL),
        VERB("ps", "ps", "ps", DOCKER_CMD_PS, DOCKER_FLAGS_PS, TARGETS_NONE, true),
        VERB("build", "build", "build", DOCKER_CMD_BUILD, DOCKER_FLAGS_BUILD, TARGETS_NONE, true),
        VERB("rmi", "rmi", "rmi", DOCKER_CMD_RMI, DOCKER_FLAGS_RMI, TARGETS_NONE, true),
        VERB("tag", "tag", "tag", DOCKER_CMD_TAG, DOCKER_FLAGS_TAG, TARGETS_NONE, true),
        VERB("import", "import", "import", DOCKER_CMD_IMPORT, DOCKER_FLAGS_IMPORT, TARGETS_NONE, true),
        VERB("load", "load", "load", DOCKER_CMD_LOAD, DOCKER_FLAGS_LOAD, TARGETS_NONE, true),
        PASS("help", "help"),
};

static const struct docker_verb container_verbs[] = {
        CONTAINER_VERBS("container "),
        TGT("inspect", "container inspect", "inspect", CONTAINER_INSPECT, TARGETS_ALL),
        TGT("remove", "container remove", "rm", RM, TARGETS_ALL),
        VERB("ls", "container ls", "ps", DOCKER_CMD_PS, DOCKER_FLAGS_PS, TARGETS_NONE, true),
        VERB("list", "container list", "ps", DOCKER_CMD_PS, DOCKER_FLAGS_PS, TARGETS_NONE, true),
        VERB("ps", "container ps", "ps", DOCKER_CMD_PS, DOCKER_FLAGS_PS, TARGETS_NONE, true),
        PRUNE("prune", "container prune", CONTAINER_PRUNE),
};

static const struct docker_verb image_verbs[] = {
        VERB("build", "image build", "build", DOCKER_CMD_BUILD, DOCKER_FLAGS_BUILD, TARGETS_NONE, true),
        VERB("rm", "image rm", "rmi", DOCKER_CMD_RMI, DOCKER_FLAGS_RMI, TARGETS_NONE, true),
        VERB("remove", "image remove", "rmi", DOCKER_CMD_RMI, DOCKER_FLAGS_RMI, TARGETS_NONE, true),
        VERB("rmi", "image rmi", "rmi", DOCKER_CMD_RMI, DOCKER_FLAGS_RMI, TARGETS_NONE, true),
        VERB("tag", "image tag", "tag", DOCKER_CMD_TAG, DOCKER_FLAGS_TAG, TARGETS_NONE, true),
        VERB("import", "image import", "import", DOCKER_CMD_IMPORT, DOCKER_FLAGS_IMPORT, TARGETS_NONE, true),
        VERB("load", "image load", "load", DOCKER_CMD_LOAD, DOCKER_FLAGS_LOAD, TARGETS_NONE, true),
        PRUNE("prune", "image prune", IMAGE_PRUNE),
};

/* "builder" is docker's, or buildx when the user's config aliases it
 * ("aliases": {"builder": "buildx"}), so it gets buildx's verbs too.
 * buildx create starts a BuildKit container that runs privileged; rm and
 * stop reach builders others use. */
static const struct docker_verb builder_verbs[] = {
        VERB("build", "builder build", "build", DOCKER_CMD_BUILD, DOCKER_FLAGS_BUILD, TARGETS_NONE, true),
        VERB("b", "builder b", "buildx", DOCKER_CMD_BUILD, DOCKER_FLAGS_BUILD, TARGETS_NONE, true),
        PRUNE("prune", "builder prune", BUILDER_PRUNE),
        ADMIN("create", "builder create"),
        ADMIN("rm", "builder rm"),
        ADMIN("stop", "builder stop"),
};

static const struct docker_verb buildx_verbs[] = {
        VERB("build", "buildx build", "buildx", DOCKER_CMD_BUILD, DOCKER_FLAGS_BUILD, TARGETS_NONE, true),
        VERB("b", "buildx b", "buildx", DOCKER_CMD_BUILD, DOCKER_FLAGS_BUILD, TARGETS_NONE, true),
        PRUNE("prune", "buildx prune", BUILDER_PRUNE),
        ADMIN("create", "buildx create"),
        ADMIN("rm", "buildx rm"),
        ADMIN("stop", "buildx stop"),
};

static const struct docker_verb volume_verbs[] = {
        VERB("create", "volume create", "volume-create", DOCKER_CMD_VOLUME_CREATE, DOCKER_FLAGS_VOLUME_CREATE,
             TARGETS_NONE, true),
        PRUNE("prune", "volume prune", VOLUME_PRUNE),
        ADMIN("update", "volume update"), /* cluster volumes */
};

static const struct docker_verb network_verbs[] = {
        VERB("create", "network create", "network-create", DOCKER_CMD_NETWORK_CREATE, DOCKER_FLAGS_NETWORK_CREATE,
             TARGETS_NONE, true),
        VERB("connect", "network connect", "network-connect", DOCKER_CMD_NETWORK_ATTACH,
             DOCKER_FLAGS_NETWORK_CONNECT, TARGETS_SECOND, true),
        VERB("disconnect", "network disconnect", "network-disconnect", DOCKER_CMD_NETWORK_ATTACH,
             DOCKER_FLAGS_NETWORK_DISCONNECT, TARGETS_SECOND, true),
        PRUNE("prune", "network prune", NETWORK_PRUNE),
};

/* dial-stdio is a raw tunnel to the Docker API. */
static const struct docker_verb system_verbs[] = {
        PRUNE("prune", "system prune", SYSTEM_PRUNE),
        ADMIN("dial-stdio", "system dial-stdio"),
};

static const struct docker_verb checkpoint_verbs[] = {
        TGT("create", "checkpoint create", "checkpoint", CHECKPOINT_CREATE, TARGETS_FIRST),
        TGT("ls", "checkpoint ls", "checkpoint", CHECKPOINT_LS, TARGETS_FIRST),
        TGT("list", "checkpoint list", "checkpoint", CHECKPOINT_LS, TARGETS_FIRST),
        TGT("rm", "checkpoint rm", "checkpoint", CHECKPOINT_RM, TARGETS_FIRST),
        TGT("remove", "checkpoint remove", "checkpoint", CHECKPOINT_RM, TARGETS_FIRST),
};

/* Groups whose writes are the admin's: only the read-only verbs pass. */
static const struct docker_verb plugin_verbs[] = {
        PASS("ls", "plugin ls"), PASS("list", "plugin list"), PASS("inspect", "plugin inspect"),
};
static const struct docker_verb node_verbs[] = {
        PASS("ls", "node ls"), PASS("list", "node list"), PASS("inspect", "node inspect"), PASS("ps", "node ps"),
};
static const struct docker_verb service_verbs[] = {
        PASS("ls", "service ls"),           PASS("list", "service list"), PASS("inspect", "service inspect"),
        PASS("ps", "service ps"),           PASS("logs", "service logs"),
};
static const struct docker_verb secret_verbs[] = {
        PASS("ls", "secret ls"), PASS("list", "secret list"), PASS("inspect", "secret inspect"),
};
static const struct docker_verb config_verbs[] = {
        PASS("ls", "config ls"), PASS("list", "config list"), PASS("inspect", "config inspect"),
};
static const struct docker_verb stack_verbs[] = {
        PASS("ls", "stack ls"),   PASS("list", "stack list"),     PASS("ps", "stack ps"),
        PASS("services", "stack services"), PASS("config", "stack config"),
};

#define GROUP(w, v, o, b) { w, v, ELEMENTSOF(v), o, b }
static const struct docker_group groups[] = {
        GROUP("container", container_verbs, DOCKER_CMD_PASS, false),
        GROUP("image", image_verbs, DOCKER_CMD_PASS, false),
        GROUP("builder", builder_verbs, DOCKER_CMD_PASS, true),
        GROUP("buildx", buildx_verbs, DOCKER_CMD_PASS, true),
        GROUP("volume", volume_verbs, DOCKER_CMD_PASS, false),
        GROUP("network", network_verbs, DOCKER_CMD_PASS, false),
        GROUP("system", system_verbs, DOCKER_CMD_PASS, false),
        GROUP("checkpoint", checkpoint_verbs, DOCKER_CMD_ADMIN, false),
        GROUP("plugin", plugin_verbs, DOCKER_CMD_ADMIN, false),
        GROUP("node", node_verbs, DOCKER_CMD_ADMIN, false),
        GROUP("service", service_verbs, DOCKER_CMD_ADMIN, false),
        GROUP("secret", secret_verbs, DOCKER_CMD_ADMIN, false),
        GROUP("config", config_verbs, DOCKER_CMD_ADMIN, false),
        GROUP("stack", stack_verbs, DOCKER_CMD_ADMIN, false),
        { "swarm", NULL, 0, DOCKER_CMD_ADMIN, false },
};

/* A command word with no entry of its own keeps these. */
static const struct docker_verb pass_verb = PASS("", "");
static const struct docker_verb admin_verb = ADMIN("", "");

/* Between "buildx" and its verb: buildx's root options. */
static const struct docker_flag buildx_root_flags[] = {
        { "builder", 0, DOCKER_FLAG_VALUE, 0 },
        { "debug", 'D', DOCKER_FLAG_BOOL, 0 },
        { "help", 'h', DOCKER_FLAG_BOOL, 0 },
};
static const struct docker_flag group_flags[] = {
        { "help", 'h', DOCKER_FLAG_BOOL, 0 },
};

/* strconv.ParseBool */
static int pflag_parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (streq(s, yes[i])) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (streq(s, no[i])) {
                        *ret = false;
                        return 0;
                }
        return -EINVAL;
}

static const struct docker_flag *flag_by_name(const struct docker_flag *flags, size_t n, unsigned exclude,
                                              const char *name, size_t len) {
        for (size_t i = 0; i < n; i++)
                if (!(flags[i].only & exclude) && strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
                        return &flags[i];
        return NULL;
}

static const struct docker_flag *flag_by_short(const struct docker_flag *flags, size_t n, unsigned exclude, char c) {
        for (size_t i = 0; i < n; i++)
                if (!(flags[i].only & exclude) && flags[i].shorthand == c)
                        return &flags[i];
        return NULL;
}

static int push_opt(struct docker_args *a, const struct docker_flag *f, const char *value, int at, int value_at) {
        struct docker_opt *o = reallocarray(a->opts, a->n_opts + 1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        a->opts = o;
        a->opts[a->n_opts++] = (struct docker_opt) { .name = f->name, .value = value, .at = at, .value_at = value_at };
        return 0;
}

static int push_index(int **v, size_t *n, int i) {
        int *p = reallocarray(*v, *n + 1, sizeof(int));
        if (!p)
                return -ENOMEM;
        p[(*n)++] = i;
        *v = p;
        return 0;
}

static int push_target(struct docker_args *a, int i, bool colon) {
        bool *c = reallocarray(a->target_colon, a->n_targets + 1, sizeof(bool));
        if (!c)
                return -ENOMEM;
        a->target_colon = c;
        c[a->n_targets] = colon;
        size_t n = a->n_targets;
        int r = push_index(&a->targets, &n, i);
        if (r < 0)
                return r;
        a->n_targets = n;
        return 0;
}

/* A value given to a boolean ("--rm=false", "-t=0") must be one pflag takes. */
static int check_bool_value(const struct docker_flag *f, const char *value, const char *shown, const char *where,
                            struct berth_error *err) {
        bool b;
        if (f->kind != DOCKER_FLAG_BOOL || !value || pflag_parse_bool(value, &b) == 0)
                return 0;
        return berth_error_set(err, -EINVAL, "berth: option %s of '%s' takes true or false, not '%s'.", shown,
                               where, value);
}

/* pflag's FlagSet.Parse over argv[start…].  Stops at the first positional
 * when !interspersed (*ret_end: its index), else collects positionals; "--"
 * ends the options (*ret_end: the word after it).  where: "docker run", for
 * messages. */
static int parse_options(const struct docker_flag *flags, size_t n_flags, unsigned exclude, bool interspersed, int argc,
                         char *const *argv, int start, const char *where, struct docker_args *a, int *ret_end,
                         struct berth_error *err) {
        int i = start, r;
        while (i < argc) {
                const char *s = argv[i];
                if (s[0] != '-' || s[1] == 0) {
                        if (!interspersed)
                                break;
                        r = push_index(&a->positionals, &a->n_positionals, i);
                        if (r < 0)
                                return r;
                        i++;
                        continue;
                }
                if (s[1] == '-') {
                        if (s[2] == 0) {
                                a->dashdash_at = i++;
                                if (interspersed)
                                        for (; i < argc; i++)
                                                if ((r = push_index(&a->positionals, &a->n_positionals, i)) < 0)
                                                        return r;
                                break;
                        }
                        const char *name = s + 2;
                        if (name[0] == '-' || name[0] == '=')
                                return berth_error_set(err, -EINVAL, "berth: '%s' is not an option docker understands (bad flag syntax).", s);
                        const char *eq = strchr(name, '=');
                        size_t len = eq ? (size_t) (eq - name) : strlen(name);
                        const struct docker_flag *f = flag_by_name(flags, n_flags, exclude, name, len);
                        if (!f)
                                return berth_error_set(err, -EINVAL,
                                                       "berth: unknown option --%.*s for '%s'; see '%s --help' for the options it takes.",
                                                       (int) len, name, where, where);
                        const char *value = NULL;
                        int value_at = -1, at = i;
                        if (eq)
                                value = eq + 1;
                        else if (f->kind == DOCKER_FLAG_VALUE) {
                                if (i + 1 >= argc)
                                        return berth_error_set(err, -EINVAL, "berth: option --%s of '%s' needs a value.",
                                                               f->name, where);
                                value = argv[++i];
                                value_at = i;
                        }
                        _cleanup_free_ char *shown = NULL;
                        if (asprintf(&shown, "--%s", f->name) < 0)
                                return -ENOMEM;
                        r = check_bool_value(f, value, shown, where, err);
                        if (r < 0)
                                return r;
                        r = push_opt(a, f, value, at, value_at);
                        if (r < 0)
                                return r;
                        i++;
                        continue;
                }
                /* A bundle of shorthands. */
                int at = i;
                for (const char *p = s + 1; *p;) {
                        const struct docker_flag *f = flag_by_short(flags, n_flags, exclude, *p);
                        if (!f)
                                return berth_error_set(err, -EINVAL,
                                                       "berth: unknown option -%c for '%s'; see '%s --help' for the options it takes.",
                                                       *p, where, where);
                        const char *value = NULL;
                        int value_at = -1;
                        char shown[3] = { '-', *p, 0 };
                        if (p[1] == '=' && p[2]) {
                                value = p + 2;
                                p = "";
                        } else if (f->kind != DOCKER_FLAG_VALUE)
                                p++;
                        else if (p[1]) {
                                value = p + 1;
                                p = "";
                        } else if (i + 1 < argc) {
                                value = argv[++i];
                                value_at = i;
                                p = "";
                        } else
                                return berth_error_set(err, -EINVAL, "berth: option -%c (--%s) of '%s' needs a value.",
                                                       f->shorthand, f->name, where);
                        r = check_bool_value(f, value, shown, where, err);
                        if (r < 0)
                                return r;
                        r = push_opt(a, f, value, at, value_at);
                        if (r < 0)
                                return r;
                }
                i++;
        }
        *ret_end = i;
        return 0;
}

void docker_args_done(struct docker_args *a) {
        if (!a)
                return;
        free(a->opts);
        free(a->positionals);
        free(a->targets);
        free(a->target_colon);
        *a = (struct docker_args) { .image_at = -1, .rename_new_at = -1, .dashdash_at = -1 };
}

const char *docker_args_last(const struct docker_args *a, const char *name) {
        for (size_t i = a->n_opts; i > 0; i--)
                if (streq(a->opts[i - 1].name, name))
                        return a->opts[i - 1].value;
        return NULL;
}

bool docker_args_has(const struct docker_args *a, const char *name) {
        for (size_t i = a->n_opts; i > 0; i--)
                if (streq(a->opts[i - 1].name, name)) {
                        bool b = true;
                        if (a->opts[i - 1].value && pflag_parse_bool(a->opts[i - 1].value, &b) < 0)
                                return true; /* a value-taking option given at all */
                        return b;
                }
        return false;
}

static const struct docker_verb *find_verb(const struct docker_verb *v, size_t n, const char *word) {
        for (size_t i = 0; i < n; i++)
                if (streq(v[i].word, word))
                        return &v[i];
        return NULL;
}

int docker_parse_invocation(int argc, char *const *argv, struct docker_invocation *ret, struct berth_error *err) {
        _cleanup_(docker_args_done) struct docker_args g = { .image_at = -1, .rename_new_at = -1, .dashdash_at = -1 };
        const struct docker_flag_table *t = &docker_flag_tables[DOCKER_FLAGS_GLOBAL];
        struct docker_invocation inv = { .cmd = DOCKER_CMD_NONE, .verb = "", .words = "", .words_at = argc,
                                         .args_at = argc };
        int i, r;

        if (argc < 1)
                return berth_error_set(err, -EINVAL, "berth: no program name in argv.");
        r = parse_options(t->flags, t->n_flags, t->exclude, false, argc, argv, 1, "docker", &g, &i, err);
        if (r < 0)
                return r;
        inv.host = docker_args_last(&g, "host");
        inv.context = docker_args_last(&g, "context");
        inv.config = docker_args_last(&g, "config");
        inv.help = docker_args_has(&g, "help");
        if (i >= argc) {
                *ret = inv;
                return 0;
        }

        const char *word = argv[i];
        inv.words_at = i;
        inv.args_at = i + 1;
        const struct docker_verb *v = find_verb(top_verbs, ELEMENTSOF(top_verbs), word);
        if (v) {
                if (streq(v->word, "help"))
                        inv.help = true;
        } else {
                const struct docker_group *grp = NULL;
                for (size_t k = 0; k < ELEMENTSOF(groups); k++)
                        if (streq(groups[k].word, word))
                                grp = &groups[k];
                v = &pass_verb;
                if (grp) {
                        /* Options between the words: only help (and buildx's
                         * own root options); anything else makes docker fail,
                         * or could hide the verb from us. */
                        _cleanup_(docker_args_done) struct docker_args b = { .image_at = -1, .rename_new_at = -1,
                                                                             .dashdash_at = -1 };
                        _cleanup_free_ char *where = NULL;
                        int j;
                        if (asprintf(&where, "docker %s", grp->word) < 0)
                                return -ENOMEM;
                        r = parse_options(grp->buildx ? buildx_root_flags : group_flags,
                                          grp->buildx ? ELEMENTSOF(buildx_root_flags) : ELEMENTSOF(group_flags), 0, false,
                                          argc, argv, i + 1, where, &b, &j, err);
                        if (r < 0)
                                return r;
                        if (b.dashdash_at >= 0)
                                return berth_error_set(err, -EINVAL, "berth: '--' cannot come between the words of 'docker %s …'.", grp->word);
                        if (docker_args_has(&b, "help"))
                                inv.help = true;
                        const struct docker_verb *sub = j < argc && grp->subs ? find_verb(grp->subs, grp->n_subs, argv[j]) : NULL;
                        if (sub) {
                                v = sub;
                                inv.args_at = j + 1;
                        } else if (j < argc) {
                                v = grp->other == DOCKER_CMD_ADMIN ? &admin_verb : &pass_verb;
                                inv.args_at = j + 1;
                        } else
                                inv.args_at = j; /* "docker container": its help */
                        if (v == &pass_verb || v == &admin_verb) {
                                inv.cmd = v->cmd;
                                inv.verb = grp->word;
                                inv.words = grp->word;
                                inv.spec = v;
                                *ret = inv;
                                return 0;
                        }
                }
        }
        inv.cmd = v->cmd;
        inv.verb = v == &pass_verb ? word : v->verb;
        inv.words = v == &pass_verb ? word : v->words;
        inv.spec = v;
        *ret = inv;
        return 0;
}

/* docker cp's splitCpArg: an absolute path is local; else "NAME:path" names
 * a container unless NAME is empty or starts with "." ("./a:b" is local). */
static bool cp_arg_is_container(const char *s) {
        if (s[0] == '/')
                return false;
        const char *colon = strchr(s, ':');
        return colon && colon != s && s[0] != '.';
}

int docker_parse_args(const struct docker_invocation *inv, int argc, char *const *argv, struct docker_args *ret,
                      struct berth_error *err) {
        _cleanup_(docker_args_done) struct docker_args a = { .image_at = -1, .rename_new_at = -1, .dashdash_at = -1 };
        const struct docker_verb *v = inv->spec;
        int end, r;

        if (!v || v->flags < 0)
                return -EOPNOTSUPP;
        if (inv->args_at < 0 || inv->args_at > argc)
                return -EINVAL;
        const struct docker_flag_table *t = &docker_flag_tables[v->flags];
        _cleanup_free_ char *where = NULL;
        if (asprintf(&where, "docker %s", v->words) < 0)
                return -ENOMEM;
        r = parse_options(t->flags, t->n_flags, t->exclude, v->interspersed, argc, argv, inv->args_at, where, &a, &end, err);
        if (r < 0)
                return r;
        if (!v->interspersed) {
                /* The first positional ends the options; run/exec/top keep
                 * the rest as the container's command, never looked at. */
                if (end < argc) {
                        if (v->targets == TARGETS_IMAGE || v->targets == TARGETS_HEAD) {
                                a.image_at = end;
                                r = push_index(&a.positionals, &a.n_positionals, end);
                                if (r < 0)
                                        return r;
                        } else
                                for (int k = end; k < argc; k++)
                                        if ((r = push_index(&a.positionals, &a.n_positionals, k)) < 0)
                                                return r;
                }
        }
        a.help = docker_args_has(&a, "help");

        switch (v->targets) {
        case TARGETS_ALL:
                for (size_t k = 0; k < a.n_positionals; k++)
                        if ((r = push_target(&a, a.positionals[k], false)) < 0)
                                return r;
                break;
        case TARGETS_FIRST:
        case TARGETS_HEAD:
        case TARGETS_RENAME:
                if (a.n_positionals > 0 && (r = push_target(&a, a.positionals[0], false)) < 0)
                        return r;
                if (v->targets == TARGETS_RENAME && a.n_positionals > 1)
                        a.rename_new_at = a.positionals[1];
                break;
        case TARGETS_SECOND:
                if (a.n_positionals > 1 && (r = push_target(&a, a.positionals[1], false)) < 0)
                        return r;
                break;
        case TARGETS_CP:
                for (size_t k = 0; k < a.n_positionals; k++)
                        if (cp_arg_is_container(argv[a.positionals[k]]) &&
                            (r = push_target(&a, a.positionals[k], true)) < 0)
                                return r;
                break;
        case TARGETS_NONE:
        case TARGETS_IMAGE:
        default:
                break;
        }
        *ret = a;
        a = (struct docker_args) { 0 };
        return 0;
}
