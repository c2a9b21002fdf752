/* SPDX-License-Identifier: MIT */
/* docker argv on arbitrary words (the input split at NUL bytes): the
 * parsers must not crash, and what they accept must be fully accounted
 * for: every word from the command's first argument up to the image (or
 * the end) is an option, an option's value, a positional or the "--", and
 * every target is a positional inside argv. */
#include <stdbool.h>
#include <stdint.h>

#include "policy/dockercli.h"
#include "policy/dockercli-spec.h"
#include "basic/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x)                          \
        do {                              \
                if (!(x))                 \
                        __builtin_trap(); \
        } while (0)

#define MAXW 128

static int fake_read_lines(const char *path, char ***ret, void *userdata) {
        char **v = NULL;
        if (strv_push(&v, path) < 0)
                return -ENOMEM;
        *ret = v;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4096)
                return 0;
        _cleanup_free_ char *buf = malloc(size + 1);
        char *argv[MAXW + 1];
        int argc = 0;
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = 0;
        argv[argc++] = (char *) "docker";
        for (size_t i = 0; i <= size && argc < MAXW;) {
                argv[argc++] = buf + i;
                i += strlen(buf + i) + 1;
        }
        argv[argc] = NULL;

        struct docker_invocation inv;
        struct berth_error err = { 0 };
        if (docker_parse_invocation(argc, argv, &inv, &err) < 0) {
                check(strncmp(err.message, "berth: ", 7) == 0);
                return 0;
        }
        check(inv.verb && inv.words);
        check(inv.words_at >= 1 && inv.words_at <= argc);
        check(inv.args_at >= inv.words_at && inv.args_at <= argc);
        check(inv.cmd != DOCKER_CMD_NONE || inv.words_at == argc);

        struct docker_args a = { .image_at = -1 };
        int r = docker_parse_args(&inv, argc, argv, &a, &err);
        if (r == -EOPNOTSUPP) {
                check(inv.cmd == DOCKER_CMD_PASS || inv.cmd == DOCKER_CMD_ADMIN || inv.cmd == DOCKER_CMD_NONE);
                return 0;
        }
        if (r < 0) {
                check(r == -EINVAL);
                check(strncmp(err.message, "berth: ", 7) == 0);
                return 0;
        }
        check(inv.cmd != DOCKER_CMD_PASS && inv.cmd != DOCKER_CMD_ADMIN && inv.cmd != DOCKER_CMD_NONE);

        /* Every word is accounted for, once. */
        int end = a.image_at >= 0 ? a.image_at + 1 : argc;
        uint8_t seen[MAXW + 1] = { 0 };
        for (size_t i = 0; i < a.n_opts; i++) {
                const struct docker_opt *o = &a.opts[i];
                check(o->name && *o->name);
                check(o->at >= inv.args_at && o->at < end);
                check(argv[o->at][0] == '-');
                seen[o->at] = 1;
                if (o->value_at >= 0) {
                        check(o->value_at == o->at + 1 && o->value_at < end);
                        check(o->value == argv[o->value_at]);
                        check(!seen[o->value_at] || seen[o->value_at] == 2);
                        seen[o->value_at] = 2;
                } else if (o->value)
                        check(o->value > argv[o->at] && o->value <= argv[o->at] + strlen(argv[o->at]));
        }
        for (size_t i = 0; i < a.n_positionals; i++) {
                int p = a.positionals[i];
                check(p >= inv.args_at && p < end && !seen[p]);
                check(i == 0 || p > a.positionals[i - 1]);
                seen[p] = 3;
        }
        if (a.dashdash_at >= 0) {
                check(streq(argv[a.dashdash_at], "--") && !seen[a.dashdash_at]);
                seen[a.dashdash_at] = 4;
        }
        for (int i = inv.args_at; i < end; i++)
                check(seen[i]);
        if (a.image_at >= 0)
                check(seen[a.image_at] == 3);

        for (size_t i = 0; i < a.n_targets; i++) {
                bool found = false;
                for (size_t k = 0; k < a.n_positionals; k++)
                        found = found || a.positionals[k] == a.targets[i];
                check(found);
                if (a.target_colon[i])
                        check(strchr(argv[a.targets[i]], ':'));
        }
        if (a.rename_new_at >= 0)
                check(a.rename_new_at < argc && seen[a.rename_new_at] == 3);
        check(a.help == docker_args_has(&a, "help"));

        if (inv.cmd == DOCKER_CMD_RUN || inv.cmd == DOCKER_CMD_CREATE) {
                struct container_spec s = { 0 };
                r = docker_run_spec(&inv, argc, argv, &a, fake_read_lines, NULL, &s, &err);
                if (r == 0) {
                        check(s.image && a.image_at >= 0 && streq(s.image, argv[a.image_at]));
                        check(s.privileged == docker_args_has(&a, "privileged"));
                        for (size_t i = 0; i < s.n_mounts; i++)
                                check(s.mounts[i].target && s.mounts[i].flag && s.mounts[i].type);
                        for (size_t i = 0; i < s.n_refs; i++)
                                check(s.refs[i].name && *s.refs[i].name && s.refs[i].flag);
                        for (size_t i = 0; i < s.n_devices; i++)
                                check(s.devices[i].path && *s.devices[i].path);
                        check(!s.cpus_given || s.cpus >= 0);
                        container_spec_done(&s);
                } else
                        check(r == -EINVAL && strncmp(err.message, "berth: ", 7) == 0);
        }
        docker_args_done(&a);
        return 0;
}
