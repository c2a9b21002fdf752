/* SPDX-License-Identifier: MIT */
/* The facts policy_check() needs and cannot look up itself, because it is
 * pure: where bind sources, volume device= paths and devices really lead on
 * the host, and whose the containers, volumes and networks a spec names are.
 * The wrapper and berth-gate both call spec_facts_resolve(), so a docker run
 * and a POST /containers/create are judged on the same facts. */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "basic/util.h"
#include "policy/spec.h"

/* The owner question (berth-slicemgr's owner op, kind "container", "volume"
 * or "network"): one answer object per name, in order; *ret_admin when
 * berth-slicemgr said the caller is an admin.  Negative errno, the sentence
 * in err, when it cannot be asked. */
typedef int (*spec_owner_fn)(void *userdata, const char *kind, char **names, json_t **ret_answers, bool *ret_admin,
                             struct berth_error *err);

enum spec_facts_refusal {
        SPEC_FACTS_OK,
        SPEC_FACTS_VOLUME,  /* a volume is another user's */
        SPEC_FACTS_NETWORK, /* a network is another user's, or its --network value cannot be checked */
};

struct spec_facts {
        const char *user; /* the caller */
        const char *cwd;  /* relative bind sources resolve against it ("/" for the API) */
        spec_owner_fn ask;
        void *userdata;
        bool admin; /* out: an owner answer said the caller is an admin */
};

/* Everything policy_check() needs looked up, in the wrapper's order: host
 * paths and devices, then the containers the spec names, its volumes, its
 * networks.  Fills s in place: mounts' resolved and device= options, devices'
 * resolved and kind, refs' owners.  0 with *ret_refused SPEC_FACTS_OK when
 * all is known; 0 with a refusal kind and the sentence in err when a volume
 * or network is another user's (the caller audits and adds its hint);
 * negative errno with a sentence in err when something could not be asked. */
int spec_facts_resolve(struct spec_facts *f, struct container_spec *s, enum spec_facts_refusal *ret_refused,
                       struct berth_error *err);

/* The image a run (or a tag's source) of image finds first (DESIGN §5):
 * the caller's own berth/<user>/IMAGE when image is a plain name and that
 * image exists; *ret NULL otherwise (the image as typed, which Docker then
 * finds or pulls).  An owner question that cannot be asked leaves the image
 * as typed. */
int spec_facts_own_image(struct spec_facts *f, const char *image, char **ret);
