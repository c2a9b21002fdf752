/* SPDX-License-Identifier: MIT */
/* Docker's containers and event stream kept in m's ledger and mirror
 * (docker-watch.c). */
#pragma once

#include "manager.h"

typedef struct DockerWatch DockerWatch;

/* Connects to Docker now or, when it is not up yet, keeps retrying from m's
 * loop; m->docker_synced says when the ledger is Docker's. */
int docker_watch_new(Manager *m, DockerWatch **ret);
/* Stops watching and closes m->docker. */
void docker_watch_free(DockerWatch *w);
