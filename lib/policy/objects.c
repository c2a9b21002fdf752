/* SPDX-License-Identifier: MIT */
/* The rules for volumes and networks; see objects.h. */
#include "policy/objects.h"

#include "basic/strv.h"
#include "basic/util.h"
#include "core/owner-answer.h"

static const char volume_ls_hint[] = "'docker volume ls --filter label=berth.user=$USER' lists yours.";
static const char network_ls_hint[] = "'docker network ls --filter label=berth.user=$USER' lists yours.";

void object_spec_done(struct object_spec *s) {
        if (!s)
                return;
        free(s->name);
        free(s->driver);
        strv_free(s->opts);
        strv_free(s->labels);
        free(s->ipam_driver);
        *s = (struct object_spec) { 0 };
}

static const char *reserved_label(char *const *labels) {
        for (char *const *l = labels; l && *l; l++)
                if (policy_label_reserved(*l))
                        return *l;
        return NULL;
}

int policy_check_volume_create(const struct object_spec *s, struct policy_verdict *ret) {
        const char *label;
        if (!s || !ret)
                return -EINVAL;
        *ret = (struct policy_verdict) { .allowed = true };
        if (s->opts && s->opts[0])
                policy_verdict_refuse(ret, "volume-opt", "Create a plain volume, or bind an allowed path with -v.",
                                      "berth: volume driver options (-o %s) are for admins only.", s->opts[0]);
        else if (s->driver && *s->driver && !streq(s->driver, "local"))
                policy_verdict_refuse(ret, "volume-driver", "Leave --driver out.",
                                      "berth: the volume driver %s is not allowed; volumes are local.", s->driver);
        else if (s->cluster)
                policy_verdict_refuse(ret, "cluster-volume", "Create a plain volume: docker volume create NAME.",
                                      "berth: cluster volumes are for a swarm, and berth runs none.");
        else if ((label = reserved_label(s->labels)))
                policy_verdict_refuse(ret, "label", "Leave berth.* labels out: berth labels your volume with your name itself.",
                                      "berth: the label %s is berth's to set.", label);
        return 0;
}

int policy_check_network_create(const struct object_spec *s, struct policy_verdict *ret) {
        static const char plain[] = "Create a plain network: docker network create NAME.";
        const char *label, *admin_only;
        if (!s || !ret)
                return -EINVAL;
        *ret = (struct policy_verdict) { .allowed = true };
        admin_only = s->config_from ? "config-from" : s->config_only ? "config-only" : s->ingress ? "ingress" : NULL;
        if (s->opts && s->opts[0])
                policy_verdict_refuse(ret, "network-opt", plain, "berth: network driver options (-o %s) are for admins only.",
                                      s->opts[0]);
        else if (s->driver && *s->driver && !streq(s->driver, "bridge"))
                policy_verdict_refuse(ret, "network-driver", plain,
                                      "berth: the network driver %s is not allowed; networks are bridges.", s->driver);
        else if (s->ipam_driver && *s->ipam_driver && !streq(s->ipam_driver, "default"))
                policy_verdict_refuse(ret, "ipam-driver", plain,
                                      "berth: the IPAM driver %s is not allowed; networks use the default one.", s->ipam_driver);
        else if (admin_only)
                policy_verdict_refuse(ret, "network-admin", plain, "berth: network create --%s is for admins only.", admin_only);
        else if ((label = reserved_label(s->labels)))
                policy_verdict_refuse(ret, "label", "Leave berth.* labels out: berth labels your network with your name itself.",
                                      "berth: the label %s is berth's to set.", label);
        return 0;
}

int policy_check_object_name(const char *kind, json_t *o, const char *name, const char *user,
                             struct policy_verdict *ret) {
        if (!kind || !user || !ret)
                return -EINVAL;
        *ret = (struct policy_verdict) { .allowed = true };
        const char *owner = json_string_value(json_object_get(o, "user"));
        bool taken = json_is_true(json_object_get(o, "exists")) && !streq_ptr(owner, user);
        if (!name || !*name)
                return 0; /* Docker picks one */
        if (owner_name_untrimmed(name))
                policy_verdict_refuse(ret, "name", "Pick another name.",
                                      "berth: the %s name '%s' has white space at an end; give the name exactly.", kind, name);
        else if (taken && owner)
                policy_verdict_refuse(ret, "name", "Pick another name.", "berth: the %s %s exists and belongs to %s.", kind, name,
                                      owner);
        else if (taken)
                policy_verdict_refuse(ret, "name", "Pick another name.",
                                      "berth: the %s %s exists and is shared; it is not yours to create.", kind, name);
        return 0;
}

int policy_check_volume_target(json_t *o, const char *name, const char *user, const char *verb, bool remove,
                               struct policy_verdict *ret) {
        if (!name || !user || !verb || !ret)
                return -EINVAL;
        *ret = (struct policy_verdict) { .allowed = true };
        const char *owner = json_string_value(json_object_get(o, "user"));
        bool exists = json_is_true(json_object_get(o, "exists"));
        if (owner_name_untrimmed(name))
                policy_verdict_refuse(ret, "volume-owner", volume_ls_hint,
                                      "berth: the volume name '%s' has white space at an end; give the name exactly.", name);
        else if (exists && owner && !streq(owner, user))
                policy_verdict_refuse(ret, "volume-owner", volume_ls_hint,
                                      "berth: the volume %s belongs to %s; you may only '%s' your own volumes and shared ones.",
                                      name, owner, verb);
        else if (exists && !owner && remove)
                policy_verdict_refuse(ret, "volume-owner", volume_ls_hint,
                                      "berth: the volume %s is shared; you may mount and inspect it, but only an admin may remove it.",
                                      name);
        return 0;
}

int policy_check_network_target(json_t *o, const char *name, const char *user, const char *verb, bool remove,
                                struct policy_verdict *ret) {
        char msg[sizeof(ret->reason)];
        if (!name || !user || !verb || !ret)
                return -EINVAL;
        *ret = (struct policy_verdict) { .allowed = true };
        if (owner_network_refused(o, name, user, verb, remove, msg, sizeof(msg)))
                policy_verdict_refuse(ret, "network-owner", network_ls_hint, "%s", msg);
        return 0;
}
