/* SPDX-License-Identifier: MIT */
/* Volumes and networks as berth judges them (DESIGN §5): the one set of
 * rules behind docker volume|network create, inspect, rm, connect and
 * disconnect, whether the wrapper read the request from docker's argv or
 * berth-gate from the Engine API (policy/api-objects.h).  Pure: who owns a
 * name is berth-slicemgr's owner answer (see core/owner-answer.h), asked
 * by the caller and handed in.  Admins are allowed everything; these
 * functions judge only ordinary users. */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "policy/policy.h"

/* What a volume or network create asks for. */
struct object_spec {
        char *name;        /* NULL or "": Docker picks one (volumes) */
        char *driver;      /* NULL or "": Docker's default (local, bridge) */
        char **opts;       /* driver options, "key=value" (-o, DriverOpts, Options) */
        char **labels;     /* "key=value" */
        /* networks */
        char *ipam_driver; /* NULL or "": the default */
        bool config_from;  /* --config-from, ConfigFrom: given at all */
        bool config_only;
        bool ingress;
        /* volumes */
        bool cluster;      /* a swarm cluster volume (--scope, --group …, ClusterVolumeSpec) */
};

void object_spec_done(struct object_spec *s);

/* volume create: a local volume with no driver options (-o
 * type=none,o=bind,device=/etc would be a bind of any host path under a
 * volume's name), no cluster volume and no berth.* label but berth.project.
 * 0 with *ret filled, allowed or not (rule "volume-opt", "volume-driver",
 * "cluster-volume", "label"); -EINVAL. */
int policy_check_volume_create(const struct object_spec *s, struct policy_verdict *ret);

/* network create: a plain bridge network: no driver options, no other
 * driver, no IPAM driver but the default, no config networks, no ingress
 * and no berth.* label but berth.project.  Like policy_check_volume_create()
 * (rules "network-opt", "network-driver", "ipam-driver", "network-admin",
 * "label"). */
int policy_check_network_create(const struct object_spec *s, struct policy_verdict *ret);

/* The name a create gives (kind "volume" or "network"), against
 * berth-slicemgr's owner answer o for it: a name with white space at an
 * end, or one that is another user's or shared, is not the caller's to
 * create (rule "name").  A name that does not exist yet, or is the
 * caller's own, is allowed. */
int policy_check_object_name(const char *kind, json_t *o, const char *name, const char *user,
                             struct policy_verdict *ret);

/* volume inspect and rm (remove) of name, whose owner answer is o: only the
 * caller's own volumes and shared ones (no berth.user label) may be
 * inspected, and only their own removed (rule "volume-owner").  verb: the
 * word the message quotes ("inspect", "rm"). */
int policy_check_volume_target(json_t *o, const char *name, const char *user, const char *verb, bool remove,
                               struct policy_verdict *ret);

/* network inspect, rm (remove), connect and disconnect of name: the
 * caller's own, shared and Docker's own networks may be used and
 * inspected, only their own removed (owner_network_refused(); rule
 * "network-owner"). */
int policy_check_network_target(json_t *o, const char *name, const char *user, const char *verb, bool remove,
                                struct policy_verdict *ret);
