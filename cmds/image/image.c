/* SPDX-License-Identifier: MIT */
/* image: a user's own images, berth/<user>/<name>:latest.  The recipe is a
 * plain Dockerfile kept in ~/.config/berth/images/NAME/ (that directory is
 * the build context), built by the real docker CLI's classic builder in the
 * caller's slice, with its progress on the terminal. */
#include <sys/stat.h>

#include "core/audit.h"
#include "policy/dockerfile.h"
#include "core/names.h"
#include "common/table.h"
#include "common/usercmd.h"
#include "basic/fileio.h"

#define RECIPE_MAX (1024 * 1024)

/* Each option's val is the key parse() switches on. */
static const struct option create_options[] = {
        { "from", required_argument, NULL, 'F' },
        { "file", required_argument, NULL, 'f' },
        { "requirements", required_argument, NULL, 'r' },
        { "pip", required_argument, NULL, 'p' },
        { "apt", required_argument, NULL, 'a' },
        { "no-cache", no_argument, NULL, 'n' },
        {},
};
static const struct option update_options[] = {
        { "add-pip", required_argument, NULL, 'p' },
        { "add-apt", required_argument, NULL, 'a' },
        { "no-cache", no_argument, NULL, 'n' },
        {},
};
static const struct option delete_options[] = {
        { "force", no_argument, NULL, 'x' },
        {},
};

struct image_args {
        const char *name, *from, *file, *requirements;
        char **pip, **apt;
        bool no_cache, force;
};

static void image_args_done(struct image_args *a) {
        strv_free(a->pip);
        strv_free(a->apt);
}

/* Several packages per flag are split at white space ("--pip 'numpy scipy'"). */
static int push_words(char ***v, const char *s) {
        _cleanup_free_ char *copy = strdup(s);
        char *save = NULL;
        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
                if (strv_push(v, t) < 0)
                        return -ENOMEM;
        return 0;
}

static int parse(const struct cmd_args *args, struct image_args *a) {
        a->name = args->n_args ? args->args[0] : NULL;
        for (size_t i = 0; i < args->n_options; i++) {
                const char *v = args->options[i].value;
                switch (args->options[i].key) {
                case 'F':
                        a->from = v;
                        break;
                case 'f':
                        a->file = v;
                        break;
                case 'r':
                        a->requirements = v;
                        break;
                case 'p':
                        if (push_words(&a->pip, v) < 0)
                                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                        break;
                case 'a':
                        if (push_words(&a->apt, v) < 0)
                                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                        break;
                case 'n':
                        a->no_cache = true;
                        break;
                case 'x':
                        a->force = true;
                        break;
                default:
                        break;
                }
        }
        return 0;
}

static int need_name(struct cmd *u, struct image_args *a, const char *verb, char **asked) {
        if (a->name)
                return 0;
        if (!u->tty)
                return cmd_fail(CMD_EXIT_USAGE, "'image %s' needs a NAME.", verb);
        int rc = usercmd_ask(u, "Image name", NULL, asked);
        if (rc == 0)
                a->name = *asked;
        return rc;
}

/* ~/.config/berth/images/NAME; the name must be a plain token. */
static int recipe_dir(struct cmd *u, const char *name, char **ret) {
        _cleanup_free_ char *tok = NULL;
        if (name_docker_token(name, &tok) < 0 || !streq(tok, name))
                return cmd_fail(CMD_EXIT_USAGE,
                                    "'%s' is not a usable image name; use lower-case letters, digits, '.', '_' and '-'.",
                                    name);
        const char *xdg = getenv("XDG_CONFIG_HOME");
        int r = xdg && xdg[0] == '/' ? asprintf(ret, "%s/berth/images/%s", xdg, name)
                                     : asprintf(ret, "%s/.config/berth/images/%s", u->home, name);
        return r < 0 ? cmd_fail(CMD_EXIT_SYSTEM, "out of memory.") : 0;
}

static int mkdir_p(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        *s = '/';
                }
        return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int write_file(const char *dir, const char *name, const char *text, size_t len) {
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        if (asprintf(&path, "%s/%s", dir, name) < 0 || asprintf(&tmp, "%s/.%s.tmp", dir, name) < 0)
                return -ENOMEM;
        FILE *f = fopen(tmp, "we");
        if (!f)
                return -errno;
        bool ok = fwrite(text, 1, len, f) == len;
        if (fclose(f) != 0 || !ok) {
                unlink(tmp);
                return -EIO;
        }
        return rename(tmp, path) < 0 ? -errno : 0;
}

/* Build dir's Dockerfile into berth/<user>/<name>:latest in the caller's
 * slice.  Exit status. */
static int build(struct cmd *u, const char *name, const char *dir, const char *ref, bool no_cache) {
        _cleanup_json_ json_t *req = json_pack("{s:s}", "op", "ensure-slice"), *reply = NULL;
        _cleanup_free_ char *dockerfile = NULL, *l_user = NULL, *l_uid = NULL, *l_group = NULL, *l_image = NULL;
        const struct resolved_user *ru;
        int rc;

        if (!req)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        if ((rc = usercmd_resolved(u, &ru)) != 0 || (rc = cmd_call(u, req, &reply, NULL)) != 0)
                return rc;
        const char *slice = json_string_value(json_object_get(reply, "slice"));
        if (!slice)
                return cmd_fail(CMD_EXIT_SYSTEM, "the berth daemon named no slice for you.");
        if (asprintf(&dockerfile, "%s/Dockerfile", dir) < 0 || asprintf(&l_user, "berth.user=%s", u->user) < 0 ||
            asprintf(&l_uid, "berth.uid=%u", (unsigned) u->uid) < 0 ||
            asprintf(&l_group, "berth.group=%s", ru->group) < 0 || asprintf(&l_image, "berth.image=%s", name) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        char *args[] = { (char *) "build", (char *) "--cgroup-parent", (char *) slice, (char *) "--label",
                         (char *) "berth.managed=true", (char *) "--label", l_user, (char *) "--label", l_uid,
                         (char *) "--label", l_group, (char *) "--label", l_image, (char *) "--tag", (char *) ref,
                         (char *) "--file", dockerfile, no_cache ? (char *) "--no-cache" : (char *) dir,
                         no_cache ? (char *) dir : NULL, NULL };
        fprintf(stderr, "Building %s from %s in %s …\n", ref, dockerfile, slice);
        /* the classic builder honours --cgroup-parent and runs without buildx */
        rc = usercmd_run_docker(u, args, false, "DOCKER_BUILDKIT=0", true);
        if (rc != 0)
                return cmd_fail(CMD_EXIT_SYSTEM,
                                    "building %s failed; fix %s and run 'image update %s' to try again.", ref,
                                    dockerfile, name);
        usercmd_audit(u, AUDIT_IMAGE_CREATE, NULL, NULL, NULL, "berth: %s built %s in %s", u->user, ref, slice);
        if (u->json) {
                _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "name", name, "image", ref, "recipe",
                                                     dockerfile, "slice", slice);
                return o ? cmd_print_json(o) : cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        printf("Built %s.\n"
               "  recipe  %s (edit it, then 'image update %s')\n"
               "  use it  container deploy %s\n",
               ref, dockerfile, name, name);
        return 0;
}

static bool image_exists(struct cmd *u, const char *ref) {
        struct docker *d;
        _cleanup_json_ json_t *j = NULL;
        return usercmd_docker(u, &d) == 0 && docker_image_inspect(d, ref, &j, NULL) >= 0;
}

static int verb_create(struct cmd *u, const struct cmd_args *args) {
        _cleanup_(image_args_done) struct image_args a = { 0 };
        _cleanup_free_ char *asked = NULL, *dir = NULL, *ref = NULL, *base_text = NULL, *req_text = NULL,
                            *text = NULL, *existing = NULL;
        struct berth_error err = { 0 };
        size_t req_len = 0;
        int rc, r;

        if ((rc = parse(args, &a)) != 0)
                return rc;
        if ((rc = need_name(u, &a, "create", &asked)) != 0 || (rc = recipe_dir(u, a.name, &dir)) != 0 ||
            (rc = usercmd_user_image(u, a.name, &ref)) != 0)
                return rc;
        if (a.from && a.file)
                return cmd_fail(CMD_EXIT_USAGE, "--from and --file contradict each other: the Dockerfile names its own base.");
        if (image_exists(u, ref))
                return cmd_fail(CMD_EXIT_REFUSED,
                                    "you already have an image named %s; rebuild it with 'image update %s' or delete it with 'image delete %s'.",
                                    a.name, a.name, a.name);
        if (a.file && (r = read_full_file(a.file, RECIPE_MAX, &base_text, NULL)) < 0)
                return cmd_fail(CMD_EXIT_USAGE, "cannot read the Dockerfile %s: %s.", a.file, strerror(-r));
        if (a.requirements && (r = read_full_file(a.requirements, RECIPE_MAX, &req_text, &req_len)) < 0)
                return cmd_fail(CMD_EXIT_USAGE, "cannot read the requirements file %s: %s.", a.requirements,
                                    strerror(-r));
        const char *from = a.from;
        if (!a.file && !from) {
                if (u->tty) {
                        if ((rc = usercmd_ask(u, "Base image", u->config->base_image, &existing)) != 0)
                                return rc;
                        from = existing;
                } else
                        from = u->config->base_image;
        }
        struct dockerfile_recipe recipe = {
                .name = a.name,
                .from = from,
                .base_text = base_text,
                .apt = a.apt,
                .pip = a.pip,
                .requirements = a.requirements != NULL,
        };
        if (dockerfile_render(&recipe, &text, &err) < 0)
                return cmd_fail(CMD_EXIT_USAGE, "%s", err.message);
        if ((r = mkdir_p(dir)) < 0)
                return cmd_fail(CMD_EXIT_USAGE, "cannot create %s: %s.", dir, strerror(-r));
        if ((req_text && (r = write_file(dir, DOCKERFILE_REQUIREMENTS, req_text, req_len)) < 0) ||
            (r = write_file(dir, "Dockerfile", text, strlen(text))) < 0)
                return cmd_fail(CMD_EXIT_USAGE, "cannot write the recipe in %s: %s.", dir, strerror(-r));
        return build(u, a.name, dir, ref, a.no_cache);
}

static int verb_update(struct cmd *u, const struct cmd_args *args) {
        _cleanup_(image_args_done) struct image_args a = { 0 };
        _cleanup_free_ char *asked = NULL, *dir = NULL, *ref = NULL, *path = NULL, *text = NULL, *layers = NULL,
                            *joined = NULL;
        struct berth_error err = { 0 };
        int rc, r;

        if ((rc = parse(args, &a)) != 0)
                return rc;
        if ((rc = need_name(u, &a, "update", &asked)) != 0 || (rc = recipe_dir(u, a.name, &dir)) != 0 ||
            (rc = usercmd_user_image(u, a.name, &ref)) != 0)
                return rc;
        if (asprintf(&path, "%s/Dockerfile", dir) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        r = read_full_file(path, RECIPE_MAX, &text, NULL);
        if (r == -ENOENT)
                return cmd_fail(CMD_EXIT_REFUSED, "you have no image recipe %s (no %s); make one with 'image create %s'.",
                                    a.name, path, a.name);
        if (r < 0)
                return cmd_fail(CMD_EXIT_USAGE, "cannot read %s: %s.", path, strerror(-r));
        if (a.pip || a.apt) {
                if (dockerfile_render_layers(a.apt, a.pip, false, &layers, &err) < 0)
                        return cmd_fail(CMD_EXIT_USAGE, "%s", err.message);
                if (asprintf(&joined, "%s%s\n# added by `image update %s`%s", text,
                             text[0] && text[strlen(text) - 1] != '\n' ? "\n" : "", a.name, layers) < 0)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                if ((r = write_file(dir, "Dockerfile", joined, strlen(joined))) < 0)
                        return cmd_fail(CMD_EXIT_USAGE, "cannot write %s: %s.", path, strerror(-r));
        }
        return build(u, a.name, dir, ref, a.no_cache);
}

/* The caller's images: labelled berth.user=<user>, named berth/<user>/…. */
static int own_images(struct cmd *u, json_t **ret) {
        _cleanup_free_ char *filter = NULL;
        struct berth_error err = { 0 };
        struct docker *d;
        int rc;
        if ((rc = usercmd_docker(u, &d)) != 0)
                return rc;
        if (asprintf(&filter, "berth.user=%s", u->user) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        char *filters[] = { filter, NULL };
        if (docker_image_list(d, filters, ret, &err) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "Docker could not list your images: %s", err.message);
        return 0;
}

/* The caller's containers created from image id. */
static int users_of(struct cmd *u, const char *image_id, json_t **ret) {
        _cleanup_free_ char *filter = NULL;
        _cleanup_json_ json_t *list = NULL;
        struct berth_error err = { 0 };
        struct docker *d;
        size_t i;
        json_t *c;
        int rc;
        if ((rc = usercmd_docker(u, &d)) != 0)
                return rc;
        if (asprintf(&filter, "berth.user=%s", u->user) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        char *filters[] = { filter, NULL };
        if (docker_container_list(d, true, filters, &list, &err) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "Docker could not list your containers: %s", err.message);
        json_t *out = json_array();
        json_array_foreach(list, i, c) {
                const char *name = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
                if (out && name && streq_ptr(json_string_value(json_object_get(c, "ImageID")), image_id))
                        json_array_append_new(out, json_string(name[0] == '/' ? name + 1 : name));
        }
        if (!out)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        *ret = out;
        return 0;
}

static int verb_list(struct cmd *u, _unused_ const struct cmd_args *args) {
        _cleanup_json_ json_t *list = NULL, *out = json_array();
        _cleanup_table_ struct cmd_table *table = cmd_table_new(5, "NAME", "IMAGE", "SIZE", "CREATED", "USED BY");
        size_t i;
        json_t *img;
        int rc;

        if (!out || !table)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        if ((rc = own_images(u, &list)) != 0)
                return rc;
        json_array_foreach(list, i, img) {
                json_t *tags = json_object_get(img, "RepoTags");
                size_t k;
                json_t *t;
                json_array_foreach(tags, k, t) {
                        _cleanup_free_ char *owner = NULL, *name = NULL, *dir = NULL;
                        _cleanup_json_ json_t *used = NULL;
                        const char *ref = json_string_value(t);
                        if (!ref || name_user_image_parse(ref, &owner, &name) < 0 || !streq(owner, u->user))
                                continue;
                        const char *id = json_string_value(json_object_get(img, "Id"));
                        if ((rc = users_of(u, id, &used)) != 0)
                                return rc;
                        json_int_t size = json_integer_value(json_object_get(img, "Size"));
                        json_int_t created = json_integer_value(json_object_get(img, "Created"));
                        bool recipe = false;
                        if (recipe_dir(u, name, &dir) == 0) {
                                struct stat st;
                                _cleanup_free_ char *df = NULL;
                                recipe = asprintf(&df, "%s/Dockerfile", dir) >= 0 && stat(df, &st) >= 0;
                        }
                        json_t *o = json_pack("{s:s,s:s,s:s?,s:I,s:I,s:O,s:s?}", "name", name, "image", ref, "id", id,
                                              "size", size, "created", created, "used_by", used, "recipe",
                                              recipe ? dir : NULL);
                        if (!o)
                                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                        json_array_append_new(out, o);
                        if (u->json)
                                continue;
                        char sz[32], when[32];
                        time_t tc = (time_t) created;
                        struct tm tm;
                        strftime(when, sizeof(when), "%Y-%m-%d", localtime_r(&tc, &tm));
                        _cleanup_free_ char *users = NULL;
                        size_t ul = 0, j;
                        json_t *un;
                        FILE *f = open_memstream(&users, &ul);
                        if (f) {
                                json_array_foreach(used, j, un) fprintf(f, "%s%s", j ? "," : "", json_string_value(un));
                                fclose(f);
                        }
                        if (cmd_table_add(table, name, ref, format_size((uint64_t) size, sz, sizeof(sz)), when,
                                          users && *users ? users : NULL) < 0)
                                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                }
        }
        if (u->json)
                return cmd_print_json(out);
        if (json_array_size(out) == 0)
                printf("(none yet: 'image create NAME' builds one, 'container retire NAME --save' keeps one)\n");
        else
                cmd_table_print(table, stdout);
        return 0;
}

static int verb_delete(struct cmd *u, const struct cmd_args *args) {
        _cleanup_(image_args_done) struct image_args a = { 0 };
        _cleanup_free_ char *asked = NULL, *ref = NULL, *dir = NULL;
        _cleanup_json_ json_t *img = NULL, *used = NULL;
        struct berth_error err = { 0 };
        struct docker *d;
        size_t i;
        json_t *c;
        int rc, r;

        if ((rc = parse(args, &a)) != 0)
                return rc;
        if ((rc = need_name(u, &a, "delete", &asked)) != 0 || (rc = recipe_dir(u, a.name, &dir)) != 0 ||
            (rc = usercmd_user_image(u, a.name, &ref)) != 0 || (rc = usercmd_docker(u, &d)) != 0)
                return rc;
        r = docker_image_inspect(d, ref, &img, &err);
        if (r == -ENOENT)
                return cmd_fail(CMD_EXIT_REFUSED, "you have no image named %s; 'image list' shows yours.", a.name);
        if (r < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "Docker could not look up %s: %s", ref, err.message);
        const char *owner = json_string_value(
                json_object_get(json_object_get(json_object_get(img, "Config"), "Labels"), "berth.user"));
        if (!streq_ptr(owner, u->user) && !cmd_is_admin(u, NULL))
                return cmd_fail(CMD_EXIT_REFUSED, "%s is not labelled as yours, so you may not delete it.", ref);
        if ((rc = users_of(u, json_string_value(json_object_get(img, "Id")), &used)) != 0)
                return rc;
        if (json_array_size(used) > 0) {
                const char *first = json_string_value(json_array_get(used, 0));
                if (!a.force)
                        return cmd_fail(CMD_EXIT_REFUSED,
                                            "%s is used by %s%s; retire %s first, or use --force to retire %s with it.",
                                            ref, first, json_array_size(used) > 1 ? " and others" : "",
                                            json_array_size(used) > 1 ? "them" : "it",
                                            json_array_size(used) > 1 ? "them" : "it");
                if (u->tty && !usercmd_confirm(u, "Retire %zu container(s) using %s (%s…) and delete it?",
                                               json_array_size(used), ref, first))
                        return cmd_fail(CMD_EXIT_REFUSED, "nothing was deleted.");
                json_array_foreach(used, i, c) {
                        _cleanup_json_ json_t *ci = NULL;
                        _cleanup_free_ char *full = NULL;
                        if ((rc = usercmd_own_container(u, json_string_value(c), &ci, &full)) != 0 ||
                            (rc = usercmd_retire(u, ci, full, NULL, false, false)) != 0)
                                return rc;
                        if (!u->json)
                                printf("Retired %s.\n", full);
                }
        }
        r = docker_image_remove(d, ref, false, &err);
        if (r < 0)
                return cmd_fail(r == -EBUSY ? CMD_EXIT_REFUSED : CMD_EXIT_SYSTEM,
                                    "Docker could not delete %s: %s", ref, err.message);
        /* the recipe goes with the image; anything else the user put there stays */
        _cleanup_free_ char *df = NULL, *rq = NULL;
        bool recipe_gone = true;
        if (asprintf(&df, "%s/Dockerfile", dir) >= 0 && asprintf(&rq, "%s/" DOCKERFILE_REQUIREMENTS, dir) >= 0) {
                (void) unlink(df);
                (void) unlink(rq);
                recipe_gone = rmdir(dir) >= 0 || errno == ENOENT;
        }
        usercmd_audit(u, AUDIT_IMAGE_DELETE, NULL, NULL, NULL, "berth: %s deleted %s", u->user, ref);
        if (u->json) {
                _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:O,s:s?}", "name", a.name, "deleted", ref, "retired",
                                                     used, "kept", recipe_gone ? NULL : dir);
                return o ? cmd_print_json(o) : cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        printf("Deleted %s%s%s.\n", ref, recipe_gone ? "" : "; other files stay in ", recipe_gone ? "" : dir);
        return 0;
}

static const char *const list_aliases[] = { "ls", NULL };
static const char *const delete_aliases[] = { "rm", NULL };

static const struct cmd_verb verbs[] = {
        { "create", NULL,
          "create NAME [--from BASE] [--file Dockerfile] [--requirements F] [--pip P…] [--apt P…] [--no-cache] [--json]",
          "write a recipe and build your image berth/USER/NAME from it", 0, 1, CMD_VERB_JSON, create_options, NULL,
          verb_create },
        { "update", NULL, "update NAME [--add-pip P…] [--add-apt P…] [--no-cache] [--json]",
          "add packages to the recipe and rebuild", 0, 1, CMD_VERB_JSON, update_options, NULL, verb_update },
        { "list", list_aliases, "list [--json]", "your images, their size and the containers using them", 0, 0,
          CMD_VERB_JSON, NULL, NULL, verb_list },
        { "delete", delete_aliases, "delete NAME [--force] [--json]",
          "delete an image and its recipe; --force retires the containers using it", 0, 1, CMD_VERB_JSON,
          delete_options, NULL, verb_delete },
};

static const struct cmd_program program = {
        .name = "image",
        .man = "image(1)",
        .verbs = verbs,
        .n_verbs = ELEMENTSOF(verbs),
        .user = true,
};

int main(int argc, char **argv) {
        return cmd_main(&program, argc, argv);
}
