/* SPDX-License-Identifier: MIT */
/* Image names held for their owners (see images.h). */
#include "images.h"

#include "common.h"
#include "core/names.h"
#include "report.h"
#include "rewrite.h"

bool wrapper_image_mine(json_t *o, const char *ref, const char *user) {
        _cleanup_free_ char *ns = NULL;
        if (wrapper_image_namespace(ref, &ns) >= 0 && ns && streq(ns, user))
                return true;
        return streq_ptr(json_string_value(json_object_get(o, "user")), user);
}

static int refuse(struct wrapper *w, const char *msg, const char *hint) {
        wrapper_audit(w, AUDIT_ACCESS_DENY, NULL, NULL, NULL, msg, msg);
        return wrapper_refuse(msg, hint);
}

static int ask(struct wrapper *w, char **names, json_t **ret) {
        struct berth_error err = { 0 };
        bool admin = false;
        int r = wrapper_ask_owner(w->control_socket, names, WRAPPER_OWNER_IMAGE, WRAPPER_SLICEMGR_TIMEOUT_MS, ret, &admin,
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
        _cleanup_strv_free_ char **full = NULL, **asked = NULL;
        _cleanup_json_ json_t *owners = NULL;
        char msg[768];
        size_t n = 0;
        int status;

        if (wrapper_admin(w)) {
                /* admins name images as they like */
                for (; typed && typed[n]; n++)
                        if (strv_push(&full, typed[n]) < 0)
                                return WRAPPER_EXIT_REFUSED;
                *ret = TAKE_PTR(full);
                return 0;
        }
        for (; typed && typed[n]; n++) {
                _cleanup_free_ char *f = NULL, *t = NULL;
                int kept = 0;
                int r = name_image_typed(typed[n], w->user, &f, &kept);
                if (r == -EPERM) {
                        _cleanup_free_ char *ns = NULL;
                        (void) wrapper_image_namespace(typed[n], &ns);
                        snprintf(msg, sizeof(msg), "berth: %s is in %s%s namespace; you may only name images in your own, berth/%s/….",
                                 typed[n], ns ? ns : "another user", "'s", w->user);
                        return refuse(w, msg, "Give a plain name: berth puts it under berth/<you>/ itself.");
                }
                if (r == -ENOMEM)
                        return WRAPPER_EXIT_REFUSED;
                if (r < 0) {
                        snprintf(msg, sizeof(msg), "berth: '%s' is not a valid image name.", typed[n]);
                        return refuse(w, msg, "Use lower-case letters, digits, '.', '_', '-' and '/', and ':TAG'.");
                }
                /* the name as typed, and the name docker gets: neither may be
                 * someone else's (a plain "ubuntu" that exists is shared) */
                if (wrapper_image_tagged(typed[n], &t) < 0 || strv_push(&asked, t) < 0 || strv_push(&asked, f) < 0 ||
                    strv_push(&full, f) < 0)
                        return WRAPPER_EXIT_REFUSED;
        }
        if (n > 0 && (status = ask(w, asked, &owners)) != 0)
                return status;
        for (size_t i = 0; i < 2 * n; i++) {
                json_t *o = json_array_get(owners, i);
                const char *user = json_string_value(json_object_get(o, "user"));
                if (!json_is_true(json_object_get(o, "exists")) || wrapper_image_mine(o, asked[i], w->user))
                        continue;
                if (user)
                        snprintf(msg, sizeof(msg), "berth: %s is %s's image; you may not move its name.", asked[i], user);
                else
                        snprintf(msg, sizeof(msg), "berth: %s is a shared image; only an admin may move its name.", asked[i]);
                char hint[512];
                snprintf(hint, sizeof(hint), "Pick a name of your own: a plain NAME lands in berth/%s/NAME.", w->user);
                return refuse(w, msg, hint);
        }
        *ret = TAKE_PTR(full);
        return 0;
}

int wrapper_image_own(struct wrapper *w, const char *image, char **ret) {
        _cleanup_free_ char *f = NULL;
        _cleanup_json_ json_t *owners = NULL;
        struct berth_error err = { 0 };
        char *names[2] = { NULL, NULL };
        int kept = 0;

        *ret = NULL;
        if (!image || name_image_typed(image, w->user, &f, &kept) < 0 || kept || streq(f, image))
                return 0;
        {
                _cleanup_free_ char *t = NULL;
                if (wrapper_image_tagged(image, &t) >= 0 && streq(t, f))
                        return 0; /* already the caller's own, tag and all */
        }
        names[0] = f;
        if (wrapper_ask_owner(w->control_socket, names, WRAPPER_OWNER_IMAGE, WRAPPER_SLICEMGR_TIMEOUT_MS, &owners, NULL,
                              &err) < 0)
                return 0;
        if (json_is_true(json_object_get(json_array_get(owners, 0), "exists")))
                *ret = TAKE_PTR(f);
        return 0;
}
