/* SPDX-License-Identifier: MIT */
/* The config directory and berth.conf's [daemon] keys, read the same way by
 * the static front and by the policy binary, and the argv rewrites both
 * halves give ps and the container-targeting verbs (see common.h). */
#include "common.h"

#include <ctype.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/names.h"
#include "basic/util.h"

/* A user could otherwise write a permissive policy of their own and point
 * the variable at it, so it is honoured only for a directory that root owns
 * and nobody else may write (DESIGN §5: no environment variable turns the
 * wrapper off for ordinary users). */
const char *wrapper_config_dir(void) {
        const char *e = secure_getenv("BERTH_CONFIG");
        return e && config_dir_trusted(e) ? e : BERTH_CONFIG_DIR;
}

static void take(char **field, const char *value) {
        free(*field);
        *field = strdup(value);
}

static int daemon_key(void *userdata, const char *section, const char *name, const char *value) {
        struct daemon_keys *k = userdata;
        if (strcmp(section, "daemon") != 0 || !value)
                return 1;
        if (strcmp(name, "real_docker") == 0 && value[0] == '/')
                take(&k->real_docker, value);
        else if (strcmp(name, "control_socket") == 0 && value[0] == '/')
                take(&k->control_socket, value);
        else if (strcmp(name, "admin_group") == 0)
                take(&k->admin_group, value);
        return 1;
}

void wrapper_daemon_keys(const char *dir, struct daemon_keys *k) {
        char path[PATH_MAX];
        *k = (struct daemon_keys) { 0 };
        if ((size_t) snprintf(path, sizeof(path), "%s/berth.conf", dir) >= sizeof(path))
                return;
        (void) ini_parse(path, daemon_key, k);
}

void wrapper_daemon_keys_free(struct daemon_keys *k) {
        free(k->real_docker);
        free(k->control_socket);
        free(k->admin_group);
        *k = (struct daemon_keys) { 0 };
}

int wrapper_ps_argv(int argc, char *const *argv, int args_at, const char *user, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *filter = NULL;

        if (asprintf(&filter, "label=berth.user=%s", user) < 0)
                return -ENOMEM;
        for (int i = 0; i < argc; i++) {
                if (i == args_at && (strv_push(&v, "--filter") < 0 || strv_push(&v, filter) < 0))
                        return -ENOMEM;
                if (strv_push(&v, argv[i]) < 0)
                        return -ENOMEM;
        }
        if (args_at >= argc && (strv_push(&v, "--filter") < 0 || strv_push(&v, filter) < 0))
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

bool wrapper_targets_need_policy(const struct docker_invocation *inv, const struct docker_args *a) {
        const char *verb = inv->verb;
        return a->n_targets == 0 || streq_ptr(verb, "update") || streq_ptr(verb, "rename") ||
               streq_ptr(verb, "commit") || streq_ptr(verb, "checkpoint") ||
               (streq_ptr(verb, "start") && (docker_args_last(a, "checkpoint") || docker_args_last(a, "checkpoint-dir"))) ||
               (streq_ptr(verb, "exec") && (docker_args_has(a, "privileged") || docker_args_last(a, "env") ||
                                            docker_args_last(a, "env-file")));
}

/* "--bootstrap", "--bootstrap=true" … anywhere among the arguments. */
static bool has_bootstrap(int argc, char *const *argv, int from) {
        for (int i = from; i < argc; i++) {
                if (streq(argv[i], "--"))
                        return false;
                if (strncmp(argv[i], "--bootstrap", 11) == 0 && (!argv[i][11] || argv[i][11] == '='))
                        return !streq(argv[i], "--bootstrap=false") && !streq(argv[i], "--bootstrap=0");
        }
        return false;
}

bool wrapper_pass_needs_policy(const struct docker_invocation *inv, int argc, char *const *argv) {
        const char *verb = inv->verb;
        if (inv->cmd != DOCKER_CMD_PASS || !verb || !*verb)
                return false;
        if (streq(verb, "compose"))
                return true;
        /* pull of a berth/ name: the caller's own namespace only */
        if (streq(verb, "pull") || streq(verb, "image"))
                for (int i = inv->args_at; i < argc; i++)
                        if (name_image_berth_part(argv[i]))
                                return streq(verb, "pull") || streq(argv[inv->args_at - 1], "pull");
        /* the word after the group's: "docker volume rm" */
        const char *sub = inv->args_at > inv->words_at + 1 && inv->args_at <= argc ? argv[inv->args_at - 1] : NULL;
        if (!sub)
                return false;
        if (streq(verb, "buildx") || streq(verb, "builder"))
                return streq(sub, "bake") || (streq(sub, "inspect") && has_bootstrap(argc, argv, inv->args_at));
        if (streq(verb, "volume") || streq(verb, "network"))
                return streq(sub, "rm") || streq(sub, "remove") || streq(sub, "inspect");
        return false;
}

int wrapper_target_word(const char *word, bool colon, const char *name, const char *full, const char *user, char **ret) {
        _cleanup_free_ char *mine = NULL;

        *ret = NULL;
        if (!full || streq(full, name) || strstr(name, "._.") || !user)
                return 0;
        if (name_container_typed(name, user, &mine) < 0 || !streq(mine, full))
                return 0;
        if (asprintf(ret, "%s%s", full, colon ? word + strlen(name) : "") < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

static bool is_full_id(const char *s) {
        size_t n = 0;
        for (; s && isxdigit((unsigned char) s[n]) && !isupper((unsigned char) s[n]); n++)
                ;
        return n == 64 && !s[n];
}

int wrapper_target_id_word(const char *word, bool colon, const char *name, const char *id, char **ret) {
        *ret = NULL;
        if (!is_full_id(id))
                return 0;
        if (asprintf(ret, "%s%s", id, colon ? word + strlen(name) : "") < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int wrapper_target_names(char *const *argv, const struct docker_args *a, char ***ret) {
        _cleanup_strv_free_ char **names = NULL;
        for (size_t i = 0; i < a->n_targets; i++) {
                const char *word = argv[a->targets[i]];
                _cleanup_free_ char *n = a->target_colon[i] ? strndup(word, strcspn(word, ":")) : strdup(word);
                if (!n || strv_push(&names, n) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(names);
        return 0;
}
