/* SPDX-License-Identifier: MIT */
/* The places berth looks for things when the configuration names none: one
 * definition each, for the loader, the daemons, the wrapper and the
 * commands (berth.conf(5) documents the same defaults). */
#pragma once

#define BERTH_CONFIG_DIR "/etc/berth"
#define BERTH_DEFAULT_DOCKER_SOCKET "/run/docker.sock"
#define BERTH_DEFAULT_CONTROL_SOCKET "/run/berth/slicemgr.sock"
#define BERTH_DEFAULT_REAL_DOCKER "/usr/bin/docker"
#define BERTH_DEFAULT_ADMIN_GROUP "berth-admin"
#define BERTH_DEFAULT_GROUP "default"
#define BERTH_DEFAULT_SEAL_KEY "/var/lib/berth/seal.key"
#define BERTH_DEFAULT_EXEMPTIONS "/var/lib/berth/exemptions.json"
