/* SPDX-License-Identifier: MIT */
/* Image names held for their owners (see images.h). */
#include "images.h"

#include "common.h"
#include "core/names.h"
#include "policy/image-rules.h"
#include "report.h"
#include "system/slicemgr-client.h"
#include "system/spec-facts.h"
#include "rewrite.h"

static int refuse(struct wrapper *w, const char *msg, const char *hint) {
        wrapper_audit(w, AUDIT_ACCESS_DENY, NULL, NULL, NULL, msg, msg);
        return wrapper_refuse(msg, hint);
}

static int ask(struct wrapper *w, char **names, json_t **ret) {
        struct berth_error err = { 0 };
        bool admin = false;
        int r = slicemgr_ask_owner(w->control_socket, NULL, "image", names, WRAPPER_SLICEMGR_TIMEOUT_MS, ret, &admin,
                                   &err);
        if (r >= 0) {
                wrapper_set_admin(w, admin);
                return 0;
        }
        if (r == -EPERM)
                return wrapper_refuse(err.message, NULL);
        fprintf(stderr, "%s\nberth: image names cannot be checked until berth-slicemgr answers again; ask an admin.\n",
                err.message[0] ? err.message : "berth: berth-slicemgr could not be reached.");
        return WRAPPER_EXIT_REFUSED;
}

int wrapper_image_targets(struct wrapper *w, char *const *typed, char ***ret) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **full = NULL, **asked = NULL;
        _cleanup_json_ json_t *owners = NULL;
        int status;

        if (wrapper_admin(w)) {
                /* admins name images as they like */
                for (size_t n = 0; typed && typed[n]; n++)
                        if (strv_push(&full, typed[n]) < 0)
                                return WRAPPER_EXIT_REFUSED;
                *ret = TAKE_PTR(full);
                return 0;
        }
        if (policy_image_targets(typed, w->user, &full, &asked, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (!v.allowed)
                return refuse(w, v.reason, v.hint);
        if (asked && (status = ask(w, asked, &owners)) != 0)
                return status;
        if (policy_image_targets_owned(asked, owners, w->user, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (!v.allowed)
                return refuse(w, v.reason, v.hint);
        *ret = TAKE_PTR(full);
        return 0;
}

int wrapper_facts_ask(void *userdata, const char *kind, char **names, json_t **ret_answers, bool *ret_admin,
                      struct berth_error *err) {
        struct wrapper *w = userdata;
        int r = slicemgr_ask_owner(w->control_socket, NULL, kind, names, WRAPPER_SLICEMGR_TIMEOUT_MS, ret_answers,
                                   ret_admin, err);
        if (r >= 0)
                wrapper_set_admin(w, *ret_admin);
        return r;
}

int wrapper_image_own(struct wrapper *w, const char *image, char **ret) {
        struct spec_facts f = { .user = w->user, .ask = wrapper_facts_ask, .userdata = w };
        return spec_facts_own_image(&f, image, ret);
}
