/* SPDX-License-Identifier: MIT */
#include "system/numa.h"

#include <limits.h>
#include <numa.h>
#include <stdbool.h>

#include "basic/cpulist.h"
#include "basic/fileio.h"
#include "basic/util.h"

static void bitmask_freep(struct bitmask **b) {
        if (*b)
                numa_bitmask_free(*b);
}

static int cpulist_from_bitmask(const struct bitmask *cpus, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        bool first = true;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (unsigned i = 0; i < cpus->size; i++) {
                unsigned j = i;
                if (!numa_bitmask_isbitset(cpus, i))
                        continue;
                while (j + 1 < cpus->size && numa_bitmask_isbitset(cpus, j + 1))
                        j++;
                if (j > i)
                        fprintf(f, "%s%u-%u", first ? "" : ",", i, j);
                else
                        fprintf(f, "%s%u", first ? "" : ",", i);
                first = false;
                i = j;
        }
        if (fclose(f) != 0 || !buf)
                return -ENOMEM;
        if (cpulist_count(buf) < 0)
                return -ERANGE;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int numa_node_cpus_libnuma(int node, char **ret) {
        _cleanup_(bitmask_freep) struct bitmask *cpus = NULL;

        if (node > numa_max_node() || !numa_bitmask_isbitset(numa_nodes_ptr, (unsigned) node))
                return -ENOENT;
        cpus = numa_allocate_cpumask();
        if (!cpus)
                return -ENOMEM;
        if (numa_node_to_cpus(node, cpus) < 0)
                return errno == ERANGE ? -ENOENT : -(errno ? errno : EIO);
        return cpulist_from_bitmask(cpus, ret);
}

static int numa_node_cpus_sysfs(const char *sysfs_root, int node, char **ret) {
        _cleanup_free_ char *path = NULL, *s = NULL;
        size_t len;
        int r;

        if (asprintf(&path, "%s/devices/system/node/node%d/cpulist", sysfs_root, node) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &s, &len);
        if (r < 0)
                return r;
        if (len > 0 && s[len - 1] == '\n')
                s[len - 1] = 0;
        if (cpulist_count(s) < 0)
                return -EBADMSG;
        *ret = TAKE_PTR(s);
        return 0;
}

int gpu_numa_node_cpus(const char *sysfs_root, int node, char **ret_cpulist) {
        if (node < 0 || node >= MAX_NUMA_NODES || !ret_cpulist)
                return -EINVAL;
        /* On the live system libnuma knows the nodes (and copes with sysfs
         * quirks); a different root is a test tree or a chroot's view. */
        if ((!sysfs_root || streq(sysfs_root, "/sys")) && numa_available() >= 0)
                return numa_node_cpus_libnuma(node, ret_cpulist);
        return numa_node_cpus_sysfs(sysfs_root ? sysfs_root : "/sys", node, ret_cpulist);
}
