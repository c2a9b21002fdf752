/* SPDX-License-Identifier: MIT */
#pragma once

/* Every verb of berthctl: argv[0] is the verb; config_dir is --config,
 * else $BERTH_CONFIG, else /etc/berth.  Returns the exit status. */
int verb_check_config(int argc, char **argv, const char *config_dir);
