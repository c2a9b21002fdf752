/* SPDX-License-Identifier: MIT */
/* NUMA facts for GPU placement (libnuma, or a sysfs tree in tests). */
#pragma once

/* NUMA node numbers berth accepts, from sysfs or NVML. */
#define MAX_NUMA_NODES 1024


/* The CPUs of a NUMA node in canonical cpulist form ("0-15,32-47"; "" for a
 * node without CPUs).  With sysfs_root NULL or "/sys" libnuma answers (when
 * the kernel has NUMA support); otherwise
 * <sysfs_root>/devices/system/node/node<N>/cpulist is read.  -ENOENT when
 * the node does not exist, -EBADMSG when its cpulist file is not one. */
int gpu_numa_node_cpus(const char *sysfs_root, int node, char **ret_cpulist);
