/* SPDX-License-Identifier: MIT */
#include "core/owner-answer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "basic/util.h"

bool owner_name_untrimmed(const char *name) {
        size_t n = name ? strlen(name) : 0;
        return n > 0 && (isspace((unsigned char) name[0]) || isspace((unsigned char) name[n - 1]));
}

bool owner_network_refused(json_t *o, const char *name, const char *user, const char *verb, bool remove, char *msg,
                           size_t n) {
        const char *owner = json_string_value(json_object_get(o, "user"));
        if (owner_name_untrimmed(name))
                snprintf(msg, n, "berth: the network name '%s' has white space at an end; give the name exactly.", name);
        else if (!json_is_true(json_object_get(o, "exists")))
                return false; /* docker says "not found" itself */
        else if (remove && json_is_true(json_object_get(o, "builtin")))
                snprintf(msg, n, "berth: %s is one of Docker's own networks; only an admin may remove it.", name);
        else if (owner && !streq(owner, user))
                snprintf(msg, n, "berth: the network %s belongs to %s; you may only '%s' your own networks, shared ones and Docker's own.",
                         name, owner, verb);
        else if (!owner && remove && !json_is_true(json_object_get(o, "builtin")))
                snprintf(msg, n, "berth: the network %s is shared; you may use and inspect it, but only an admin may remove it.",
                         name);
        else
                return false;
        return true;
}

bool owner_host_paths(json_t *o) {
        json_t *h = json_object_get(o, "host_paths");
        return !json_is_false(h);
}
