/* SPDX-License-Identifier: MIT */
/* Docker's containers and event stream kept in m's ledger and mirror
 * (docker-watch.c). */
#pragma once

#include <jansson.h>

#include "manager.h"

typedef struct DockerWatch DockerWatch;

/* Connects to Docker now or, when it is not up yet, keeps retrying from m's
 * loop; m->docker_synced says when the ledger is Docker's. */
int docker_watch_new(Manager *m, DockerWatch **ret);
/* Stops watching and closes m->docker. */
void docker_watch_free(DockerWatch *w);

/* The ledger, the mirror and the forged containers rebuilt from Docker's
 * list of containers (GET /containers/json?all=1) and volumes (the
 * "Volumes" of GET /volumes; may be NULL, then m->docker is asked); only
 * containers whose seal verifies are counted.  Returns how many are. */
int docker_watch_rebuild(Manager *m, json_t *containers, json_t *volumes, struct berth_error *err);
/* One event of Docker's stream, applied to the ledger and the mirror. */
int docker_watch_event(Manager *m, json_t *event);
