/* SPDX-License-Identifier: MIT */
/* The Engine API's volume and network request bodies (API v1.41–v1.47) as
 * berth judges them, and the bodies berth-gate forwards instead: what the
 * wrapper reads from docker volume|network create|connect|disconnect, read
 * here from POST /volumes/create (volume.CreateOptions), POST
 * /networks/create (network.CreateRequest) and POST
 * /networks/{id}/connect|disconnect, into the struct object_spec that
 * policy/objects.h judges.  Pure: no I/O.
 *
 * Strictness as in api-spec.h: one JSON object of at most API_BODY_MAX
 * bytes, keys spelled exactly as moby's structs spell them (a case variant
 * or an unknown key is refused), no duplicate keys, values of Docker's
 * types, null taken as absent.  (A key spelled with \u escapes is matched
 * as decoded, as Docker decodes it; api-spec.c refuses those outright.)  Returns 0; -ENOMEM; or, with one sentence
 * starting "berth: " in *err, -EINVAL (a body Docker would refuse too),
 * -EPERM (one berth refuses: an unknown or case-variant key, a duplicate
 * key), -E2BIG.  What the body asks for is the policy's to judge: a parse
 * refuses no driver, option or label.  The ret_ parameters are left
 * untouched on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "basic/error.h"
#include "policy/objects.h"

/* POST /volumes/create: Name, Driver, DriverOpts, Labels; a
 * ClusterVolumeSpec (not looked into) sets ret->cluster.  *ret_doc (may be NULL) gets the parsed document. */
int api_volume_create_parse(const char *body, size_t len, struct object_spec *ret, json_t **ret_doc,
                            struct berth_error *err);

/* POST /networks/create: Name, CheckDuplicate, Driver, Scope, EnableIPv6,
 * IPAM (Driver, Options, Config[] of Subnet, IPRange, Gateway,
 * AuxiliaryAddresses), Internal, Attachable, Ingress, ConfigOnly,
 * ConfigFrom (Network), Options, Labels. */
int api_network_create_parse(const char *body, size_t len, struct object_spec *ret, json_t **ret_doc,
                             struct berth_error *err);

/* The create body to forward: doc with Labels["berth.user"] = user, as
 * the wrapper's --label berth.user=USER makes it; every other berth.* key
 * (any case, the policy refused all but berth.project) goes.  doc is left
 * as it is; *ret_body is compact JSON (free() it).  -EINVAL, -ENOMEM. */
int api_object_create_rewrite(const json_t *doc, const char *user, char **ret_body);

/* POST /networks/{id}/connect (connect: Container, EndpointConfig, a
 * network.EndpointSettings checked as api_create_parse() checks
 * NetworkingConfig.EndpointsConfig) or /disconnect (Container, Force).
 * *ret_container: the Container as given, never empty. */
int api_network_attach_parse(const char *body, size_t len, bool connect, char **ret_container, json_t **ret_doc,
                             struct berth_error *err);

/* The connect or disconnect body to forward: doc with Container = id. */
int api_network_attach_rewrite(const json_t *doc, const char *id, char **ret_body);
