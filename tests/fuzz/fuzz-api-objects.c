/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes as a volume create, network create, connect and
 * disconnect body.  The parsers must never crash or leak; a refusal is one
 * "berth: " sentence; what a body is taken for is fully formed and judged
 * without failing; and the body berth forwards after the rewrite is itself
 * a body berth takes, labelled with its owner and no other berth.* label
 * but berth.project, or naming the container by the id berth gave. */
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>

#include "basic/util.h"
#include "policy/api-objects.h"
#include "policy/api-spec.h"
#include "policy/objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x)                          \
        do {                              \
                if (!(x))                 \
                        __builtin_trap(); \
        } while (0)

static void check_refusal(int r, const struct berth_error *err) {
        if (r == -ENOMEM)
                return;
        check(r == -EINVAL || r == -EPERM || r == -E2BIG);
        check(strncmp(err->message, "berth: ", 7) == 0);
        check(!strchr(err->message, '\n'));
}

static void check_verdict(int r, const struct policy_verdict *v) {
        check(r == 0);
        check(v->allowed || (v->rule && strncmp(v->reason, "berth: ", 7) == 0 && v->hint[0]));
        for (const char *p = v->reason; *p; p++)
                check((unsigned char) *p >= 0x20 && *p != 0x7f);
}

static void fuzz_create(const char *body, size_t size, bool network) {
        struct object_spec s = { 0 }, again = { 0 };
        struct policy_verdict v = { 0 };
        struct berth_error err = { 0 };
        json_t *doc = NULL, *out = NULL;
        char *rewritten = NULL;

        int r = network ? api_network_create_parse(body, size, &s, &doc, &err)
                        : api_volume_create_parse(body, size, &s, &doc, &err);
        if (r < 0) {
                check_refusal(r, &err);
                check(!doc && !s.name && !s.opts && !s.labels);
                return;
        }
        check(doc && (!s.name || *s.name) && (!s.driver || *s.driver));
        check_verdict(network ? policy_check_network_create(&s, &v) : policy_check_volume_create(&s, &v), &v);
        if (api_object_create_rewrite(doc, "alice", &rewritten) == 0) {
                r = network ? api_network_create_parse(rewritten, strlen(rewritten), &again, NULL, &err)
                            : api_volume_create_parse(rewritten, strlen(rewritten), &again, NULL, &err);
                check(r == 0 || r == -ENOMEM || r == -E2BIG);
                out = json_loads(rewritten, 0, NULL);
                if (r == 0 && out) {
                        json_t *labels = json_object_get(out, "Labels");
                        const char *key;
                        json_t *val;
                        check(streq_ptr(json_string_value(json_object_get(labels, "berth.user")), "alice"));
                        json_object_foreach(labels, key, val)
                                check(!policy_label_reserved(key) || streq(key, "berth.user"));
                        check(streq_ptr(again.name, s.name) && streq_ptr(again.driver, s.driver));
                        check(strv_length(again.opts) == strv_length(s.opts) && again.cluster == s.cluster);
                }
        }
        json_decref(out);
        free(rewritten);
        object_spec_done(&again);
        object_spec_done(&s);
        json_decref(doc);
}

static void fuzz_attach(const char *body, size_t size, bool connect) {
        struct berth_error err = { 0 };
        json_t *doc = NULL;
        char *container = NULL, *again = NULL, *rewritten = NULL;

        int r = api_network_attach_parse(body, size, connect, &container, &doc, &err);
        if (r < 0) {
                check_refusal(r, &err);
                check(!doc && !container);
                return;
        }
        check(doc && container && *container);
        if (api_network_attach_rewrite(doc, "0123456789abcdef", &rewritten) == 0) {
                r = api_network_attach_parse(rewritten, strlen(rewritten), connect, &again, NULL, &err);
                check(r != 0 || streq(again, "0123456789abcdef"));
        }
        free(rewritten);
        free(again);
        free(container);
        json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > API_BODY_MAX + 16)
                return 0;
        const char *body = (const char *) data;
        fuzz_create(body, size, false);
        fuzz_create(body, size, true);
        fuzz_attach(body, size, true);
        fuzz_attach(body, size, false);
        return 0;
}
