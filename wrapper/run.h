/* SPDX-License-Identifier: MIT */
/* docker run and create, policed. */
#pragma once

#include "context.h"

/* The exit status of the command: docker's own, or WRAPPER_EXIT_REFUSED. */
int wrapper_run(struct wrapper *w);
