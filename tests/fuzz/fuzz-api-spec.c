/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes as a create, exec and update body.  The parsers must
 * never crash or leak; a refusal is one "berth: " sentence; what a create
 * body is taken for is fully formed; and the body berth forwards after the
 * rewrite (with resolved binds, an owner and a fixed reservation) is itself
 * a body berth takes, carrying the reservation's slice, labels, GPUs and
 * owner and nothing the user said about them. */
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>

#include "basic/util.h"
#include "policy/api-spec.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x)                          \
        do {                              \
                if (!(x))                 \
                        __builtin_trap(); \
        } while (0)

static const char inject_text[] =
        "{\"name\":\"train._.alice\",\"labels\":{\"berth.managed\":\"true\",\"berth.user\":\"alice\","
        "\"berth.project\":\"p\",\"berth.gpus\":\"GPU-a,GPU-b\",\"berth.seal\":\"s\"},"
        "\"cgroup_parent\":\"berth-students-alice.slice\",\"gpus\":\"device=GPU-a,GPU-b\","
        "\"env\":{\"NVIDIA_VISIBLE_DEVICES\":\"GPU-a,GPU-b\"},\"cpus\":4.0,\"memory\":17179869184,"
        "\"cpuset_cpus\":\"0-3\",\"cpuset_mems\":\"0\"}";

static void check_refusal(int r, const struct berth_error *err) {
        if (r == -ENOMEM)
                return;
        check(r == -EINVAL || r == -EPERM || r == -E2BIG);
        check(strncmp(err->message, "berth: ", 7) == 0);
        check(!strchr(err->message, '\n'));
}

static void check_spec(const struct container_spec *s) {
        check(!s->name);
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct spec_mount *m = &s->mounts[i];
                check(m->target && m->target[0] == '/' && m->type && m->flag);
                check(m->kind != SPEC_MOUNT_BIND || (m->source && m->source[0] == '/'));
                check(!m->resolved);
        }
        for (size_t i = 0; i < s->n_refs; i++)
                check(s->refs[i].name && *s->refs[i].name && s->refs[i].flag && !s->refs[i].resolved);
        for (size_t i = 0; i < s->n_devices; i++)
                check(s->devices[i].path && *s->devices[i].path && !s->devices[i].resolved);
        check(strv_length(s->gpus) <= 1);
        check(!s->memory_given || s->memory > 0);
}

/* What a gate would look up: every bind resolved under /r (so that the
 * rewrite has something to write back), devices likewise. */
static void resolve(struct container_spec *s) {
        for (size_t i = 0; i < s->n_mounts; i++)
                if (s->mounts[i].kind == SPEC_MOUNT_BIND && asprintf(&s->mounts[i].resolved, "/r%s", s->mounts[i].source) < 0)
                        s->mounts[i].resolved = NULL;
        for (size_t i = 0; i < s->n_devices; i++)
                if (asprintf(&s->devices[i].resolved, "/r%s", s->devices[i].path) < 0)
                        s->devices[i].resolved = NULL;
}

static void fuzz_create(const char *body, size_t size, json_t *inject) {
        static const gid_t gids[] = { 1000, 27, 100 };
        const struct api_owner owner = { .uid = 1000, .gid = 1000, .gids = gids, .n_gids = 3 };
        struct container_spec s = { 0 }, again = { 0 };
        struct berth_error err = { 0 };
        json_t *doc = NULL;
        char *out = NULL;

        int r = api_create_parse(body, size, &s, &doc, &err);
        if (r < 0) {
                check_refusal(r, &err);
                check(!doc && !s.image && !s.mounts);
                return;
        }
        check(doc && s.image && *s.image);
        check_spec(&s);
        resolve(&s);

        r = api_create_rewrite(doc, &s, inject, &owner, &out);
        if (r == 0) {
                r = api_create_parse(out, strlen(out), &again, NULL, &err);
                check(r == 0 || r == -ENOMEM || r == -E2BIG);
        }
        if (r == 0) {
                check(streq_ptr(again.cgroup_parent, "berth-students-alice.slice"));
                check(streq_ptr(again.user, "1000:1000"));
                check(strv_length(again.gpus) == 1 && streq(again.gpus[0], "\"device=GPU-a,GPU-b\""));
                check(strv_contains(again.security_opts, "no-new-privileges"));
                check(again.n_mounts == s.n_mounts && again.n_devices == s.n_devices);
                for (size_t i = 0; i < s.n_mounts; i++)
                        check(s.mounts[i].kind != SPEC_MOUNT_BIND || streq(again.mounts[i].source, s.mounts[i].resolved));
                for (size_t i = 0; i < s.n_devices; i++)
                        check(streq(again.devices[i].path, s.devices[i].resolved));
                size_t berths = 0;
                for (char **l = again.labels; l && *l; l++) {
                        const char *k = *l + strspn(*l, " \t\n\v\f\r");
                        if (strncasecmp(k, "berth.", 6) == 0) {
                                berths++;
                                check(strncmp(*l, "berth.", 6) == 0); /* the inject's, as spelled there */
                        }
                }
                check(berths == 5);
                for (char **e = again.env; e && *e; e++)
                        check(!policy_env_is_gpu(*e) || streq(*e, "NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b"));
                check(again.cpus_given && again.memory_given);
                for (size_t i = 0; i < s.n_refs; i++)
                        check(again.n_refs == s.n_refs && streq(again.refs[i].name, s.refs[i].name));
        } else
                check(r == -EINVAL || r == -ENOMEM || r == -E2BIG);
        container_spec_done(&again);
        free(out);
        container_spec_done(&s);
        json_decref(doc);
}

static void fuzz_exec(const char *body, size_t size) {
        const struct api_owner owner = { .uid = 1000, .gid = 100 };
        struct api_exec x = { 0 }, again = { 0 };
        struct berth_error err = { 0 };
        json_t *doc = NULL;
        char *out = NULL;

        int r = api_exec_parse(body, size, &x, &doc, &err);
        if (r < 0) {
                check_refusal(r, &err);
                check(!doc && !x.user && !x.env);
                return;
        }
        if (api_exec_rewrite(doc, &owner, &out) == 0) {
                r = api_exec_parse(out, strlen(out), &again, NULL, &err);
                check(r != 0 || (streq_ptr(again.user, "1000:100") && again.privileged == x.privileged));
                api_exec_done(&again);
        }
        free(out);
        api_exec_done(&x);
        json_decref(doc);
}

static void fuzz_update(const char *body, size_t size) {
        struct container_spec s = { 0 };
        struct berth_error err = { 0 };
        json_t *doc = NULL;

        int r = api_update_parse(body, size, &s, &doc, &err);
        if (r < 0) {
                check_refusal(r, &err);
                check(!doc);
                return;
        }
        /* nothing but resources */
        check(!s.image && !s.n_mounts && !s.n_devices && !s.gpus && !s.cgroup_parent && !s.ulimits && !s.oom_kill_disable);
        container_spec_done(&s);
        json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static json_t *inject;
        if (!inject) {
                inject = json_loads(inject_text, JSON_REJECT_DUPLICATES, NULL);
                check(inject);
        }
        if (size > API_BODY_MAX + 16)
                return 0;
        const char *body = (const char *) data;
        fuzz_create(body, size, inject);
        fuzz_exec(body, size);
        fuzz_update(body, size);
        return 0;
}
