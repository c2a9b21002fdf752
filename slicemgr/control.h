/* SPDX-License-Identifier: MIT */
/* The control socket (control.c): requests in, ops_handle(), replies out. */
#pragma once

#include "basic/error.h"
#include "lookup.h"
#include "manager.h"

typedef struct Control Control;

/* Listens on m->config->control_socket, serving from m's loop; questions
 * Docker must answer go to lookup (NULL: asked at once, on the loop). */
int control_new(Manager *m, Lookup *lookup, Control **ret, struct berth_error *err);
/* Closes every connection and the socket. */
void control_free(Control *c);
