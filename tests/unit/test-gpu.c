/* SPDX-License-Identifier: MIT */
/* The GPU inventory, loaded from the fake libnvidia-ml.so.1 through the real
 * dlopen path, and the NUMA helpers against a sysfs tree made per test. */
#include <check.h>
#include <dlfcn.h>
#include <ftw.h>
#include <limits.h>
#include <numa.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "system/nvml.h"
#include "system/numa.h"
#include "basic/util.h"

#include "../fakes/nvml/nvml-fake.h"
#include "basic/cpulist.h"
#include "basic/fileio.h"

#define UUID0 "GPU-0c5ad3c4-3ed9-4f4a-9b0e-4c8f4d0a0000"
#define UUID1 "GPU-1f3e2d1c-0b9a-4877-8665-544332211111"
#define UUID2 "GPU-2a2b2c2d-2e2f-4a4b-8c8d-8e8f90912222"
#define UUID3 "GPU-3d3e3f40-4142-4344-8546-474849503333"
#define MIG_A "MIG-a1a1a1a1-0000-5000-8000-00000000000a"
#define MIG_B "MIG-b2b2b2b2-0000-5000-8000-00000000000b"
#define MIG_C "MIG-c3c3c3c3-0000-5000-8000-00000000000c"

/* Four GPUs; the second split 3+2+2 into MIG instances.  GPU 0's "numa"
 * disagrees with sysfs (sysfs wins); GPU 2 is not in sysfs (NVML's memory
 * affinity answers); GPU 3 is in sysfs without a node. */
static const char INVENTORY[] =
        "{\"gpus\": ["
        " {\"uuid\": \"" UUID0 "\", \"pci\": \"00000000:17:00.0\", \"numa\": 1},"
        " {\"uuid\": \"" UUID1 "\", \"pci\": \"0000:3B:00.0\", \"name\": \"NVIDIA H100 80GB HBM3\","
        "  \"memory\": 85899345920, \"mig\": ["
        "   {\"uuid\": \"" MIG_A "\", \"slices\": 3},"
        "   {\"uuid\": \"" MIG_B "\", \"slices\": 2},"
        "   {\"uuid\": \"" MIG_C "\", \"slices\": 2}]},"
        " {\"uuid\": \"" UUID2 "\", \"pci\": \"0000:86:00.0\", \"numa\": 1},"
        " {\"uuid\": \"" UUID3 "\", \"pci\": \"0000:af:00.0\"}"
        "]}";

static char *tmp;

/* $BERTH_FAKE_NVML_LIB, else the fake built next to this binary ($(O)/fakes/,
 * so SANITIZE=1 gets its own), else build/fakes/ from the repo root. */
static const char *fake_library(void) {
        static char path[PATH_MAX];
        const char *p = getenv("BERTH_FAKE_NVML_LIB");
        char exe[PATH_MAX], *slash;
        ssize_t n;

        if (p && *p)
                return p;
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = 0;
                slash = strrchr(exe, '/');
                if (slash) {
                        *slash = 0;
                        if ((size_t) snprintf(path, sizeof(path), "%s/fakes/libnvidia-ml.so.1", exe) < sizeof(path) &&
                            access(path, R_OK) == 0)
                                return path;
                }
        }
        return "build/fakes/libnvidia-ml.so.1";
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void setup(void) {
        tmp = strdup("/tmp/berth-test-gpu-XXXXXX");
        ck_assert_ptr_nonnull(tmp);
        ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void) {
        nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(tmp);
        tmp = NULL;
        unsetenv("BERTH_FAKE_NVML");
}

/* Write <tmp>/<rel>, making its directories. */
static void write_file(const char *rel, const char *content) {
        _cleanup_free_ char *path = NULL;
        FILE *f;

        ck_assert_int_ge(asprintf(&path, "%s/%s", tmp, rel), 0);
        for (char *s = path + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %m", path);
                *s = '/';
        }
        f = fopen(path, "we");
        ck_assert_msg(f, "%s: %m", path);
        fputs(content, f);
        ck_assert_int_eq(fclose(f), 0);
}

static void make_sysfs(void) {
        write_file("sys/bus/pci/devices/0000:17:00.0/numa_node", "0\n");
        write_file("sys/bus/pci/devices/0000:3b:00.0/numa_node", "1\n");
        write_file("sys/bus/pci/devices/0000:af:00.0/numa_node", "-1\n");
        write_file("sys/devices/system/node/node0/cpulist", "\n");
        write_file("sys/devices/system/node/node1/cpulist", "0-15,32-47\n");
        write_file("sys/devices/system/node/node3/cpulist", "0-3,2-5\n");
}

/* Point the fake at an inventory holding json (NULL: unset the variable). */
static void set_inventory(const char *json) {
        _cleanup_free_ char *path = NULL;

        if (!json) {
                unsetenv("BERTH_FAKE_NVML");
                return;
        }
        write_file("inventory.json", json);
        ck_assert_int_ge(asprintf(&path, "%s/inventory.json", tmp), 0);
        ck_assert_int_eq(setenv("BERTH_FAKE_NVML", path, 1), 0);
}

static int load(const char *json, struct gpu_inventory **ret, struct berth_error *err) {
        _cleanup_free_ char *sysfs = NULL;

        set_inventory(json);
        ck_assert_int_ge(asprintf(&sysfs, "%s/sys", tmp), 0);
        return gpu_inventory_load_nvml(fake_library(), sysfs, ret, err);
}

static void check_device(const struct gpu_device *d, const char *uuid, const char *pci, int numa, unsigned slices,
                         const char *parent, const char *name) {
        ck_assert_str_eq(d->uuid, uuid);
        ck_assert_str_eq(d->pci_bus_id, pci);
        ck_assert_int_eq(d->numa_node, numa);
        ck_assert_uint_eq(d->slices, slices);
        if (parent)
                ck_assert_str_eq(d->parent_uuid, parent);
        else
                ck_assert_ptr_null(d->parent_uuid);
        ck_assert_str_eq(d->name, name);
}

START_TEST(test_load_mig) {
        _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;
        struct berth_error err = {};
        unsigned total = 0;

        make_sysfs();
        ck_assert_msg(load(INVENTORY, &inv, &err) == 0, "%s", err.message);
        ck_assert_uint_eq(inv->n_devices, 6);

        check_device(&inv->devices[0], UUID0, "0000:17:00.0", 0, 7, NULL, "NVIDIA A100-SXM4-80GB");
        check_device(&inv->devices[1], MIG_A, "0000:3b:00.0", 1, 3, UUID1, "NVIDIA H100 80GB HBM3 MIG 3g.40gb");
        check_device(&inv->devices[2], MIG_B, "0000:3b:00.0", 1, 2, UUID1, "NVIDIA H100 80GB HBM3 MIG 2g.20gb");
        check_device(&inv->devices[3], MIG_C, "0000:3b:00.0", 1, 2, UUID1, "NVIDIA H100 80GB HBM3 MIG 2g.20gb");
        check_device(&inv->devices[4], UUID2, "0000:86:00.0", 1, 7, NULL, "NVIDIA A100-SXM4-80GB");
        check_device(&inv->devices[5], UUID3, "0000:af:00.0", -1, 7, NULL, "NVIDIA A100-SXM4-80GB");
        ck_assert_uint_eq(inv->devices[0].memory, 80ULL << 30);
        ck_assert_uint_eq(inv->devices[1].memory, 40ULL << 30);

        /* Four GPUs' worth of slices, and the split GPU itself is not handed out. */
        for (size_t i = 0; i < inv->n_devices; i++)
                total += inv->devices[i].slices;
        ck_assert_uint_eq(total, 4 * GPU_SLICES);
        ck_assert_ptr_null(gpu_inventory_find(inv, UUID1));
        ck_assert_ptr_eq(gpu_inventory_find(inv, MIG_B), &inv->devices[2]);
        ck_assert_ptr_eq(gpu_inventory_find(inv, UUID3), &inv->devices[5]);
        ck_assert_ptr_null(gpu_inventory_find(inv, "GPU-nope"));
        ck_assert_ptr_null(gpu_inventory_find(inv, NULL));
}
END_TEST

START_TEST(test_load_twice) {
        /* The library is unloaded and its state dropped between loads. */
        for (int i = 0; i < 2; i++) {
                _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;
                struct berth_error err = {};
                ck_assert_msg(load(i == 0 ? INVENTORY : "{\"gpus\": []}", &inv, &err) == 0, "%s", err.message);
                ck_assert_uint_eq(inv->n_devices, i == 0 ? 6 : 0);
        }
}
END_TEST

START_TEST(test_load_mig_modes) {
        _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;
        struct berth_error err = {};

        /* MIG mode without instances runs no CUDA work: left out.  MIG-capable
         * with MIG off: a whole GPU. */
        ck_assert_msg(load("{\"gpus\": ["
                           " {\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": []},"
                           " {\"uuid\": \"" UUID1 "\", \"pci\": \"0000:18:00.0\", \"mig_capable\": true},"
                           " {\"uuid\": \"" UUID2 "\", \"pci\": \"0000:19:00.0\", \"mig\": ["
                           "   {\"uuid\": \"" MIG_A "\", \"slices\": 7}]}]}",
                           &inv, &err) == 0,
                      "%s", err.message);
        ck_assert_uint_eq(inv->n_devices, 2);
        check_device(&inv->devices[0], UUID1, "0000:18:00.0", -1, 7, NULL, "NVIDIA A100-SXM4-80GB");
        check_device(&inv->devices[1], MIG_A, "0000:19:00.0", -1, 7, UUID2, "NVIDIA A100-SXM4-80GB MIG 7g.80gb");
}
END_TEST

/* Two compute instances sharing a 4-slice GPU instance count 2 each; one
 * alone in a 3-slice GPU instance holds all 3. */
START_TEST(test_load_compute_instances) {
        _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;
        struct berth_error err = {};

        ck_assert_msg(load("{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": ["
                           " {\"uuid\": \"" MIG_A "\", \"slices\": 4, \"gi\": 1, \"compute_slices\": 2},"
                           " {\"uuid\": \"" MIG_B "\", \"slices\": 4, \"gi\": 1, \"compute_slices\": 2},"
                           " {\"uuid\": \"" MIG_C "\", \"slices\": 3, \"gi\": 2, \"compute_slices\": 1}]}]}",
                           &inv, &err) == 0,
                      "%s", err.message);
        ck_assert_uint_eq(inv->n_devices, 3);
        check_device(&inv->devices[0], MIG_A, "0000:17:00.0", -1, 2, UUID0, "NVIDIA A100-SXM4-80GB MIG 2c.4g.40gb");
        check_device(&inv->devices[1], MIG_B, "0000:17:00.0", -1, 2, UUID0, "NVIDIA A100-SXM4-80GB MIG 2c.4g.40gb");
        check_device(&inv->devices[2], MIG_C, "0000:17:00.0", -1, 3, UUID0, "NVIDIA A100-SXM4-80GB MIG 1c.3g.40gb");
}
END_TEST

START_TEST(test_load_duplicate_uuid) {
        struct gpu_inventory *inv = (struct gpu_inventory *) 0x1;
        struct berth_error err = {};

        ck_assert_int_eq(load("{\"gpus\": ["
                              " {\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\"},"
                              " {\"uuid\": \"" UUID0 "\", \"pci\": \"0000:18:00.0\"}]}",
                              &inv, &err),
                         -EEXIST);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
        ck_assert_str_eq(err.message, "NVML reports two devices with UUID " UUID0);
}
END_TEST

START_TEST(test_load_bad_numa_node) {
        struct gpu_inventory *inv = (struct gpu_inventory *) 0x1;
        struct berth_error err = {};

        write_file("sys/bus/pci/devices/0000:17:00.0/numa_node", "zero\n");
        ck_assert_int_eq(load("{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\"}]}", &inv, &err),
                         -EBADMSG);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
        ck_assert_ptr_nonnull(strstr(err.message, "cannot read the NUMA node of GPU " UUID0));
}
END_TEST

START_TEST(test_load_missing_library) {
        struct gpu_inventory *inv = (struct gpu_inventory *) 0x1;
        struct berth_error err = {};

        ck_assert_int_eq(gpu_inventory_load_nvml("/nonexistent/libnvidia-ml.so.1", NULL, &inv, &err), -ENOENT);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
        ck_assert_int_eq(err.code, -ENOENT);
        ck_assert_msg(strncmp(err.message, "cannot load NVML library '/nonexistent/libnvidia-ml.so.1': ",
                              strlen("cannot load NVML library '/nonexistent/libnvidia-ml.so.1': ")) == 0,
                      "%s", err.message);

        /* Loads, but is no NVML. */
        ck_assert_int_eq(gpu_inventory_load_nvml("libc.so.6", NULL, &inv, &err), -ENOSYS);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
        ck_assert_ptr_nonnull(strstr(err.message, "NVML library 'libc.so.6' has no nvmlInit_v2"));

        ck_assert_int_eq(gpu_inventory_load_nvml("", NULL, &inv, &err), -EINVAL);
        ck_assert_int_eq(gpu_inventory_load_nvml(NULL, NULL, &inv, &err), -EINVAL);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
}
END_TEST

START_TEST(test_load_missing_inventory) {
        struct gpu_inventory *inv = (struct gpu_inventory *) 0x1;
        struct berth_error err = {};

        ck_assert_int_eq(load(NULL, &inv, &err), -ENODEV);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
        ck_assert_msg(strstr(err.message, "cannot initialise NVML from '") &&
                              strstr(err.message, "Driver Not Loaded (fake NVML: BERTH_FAKE_NVML is not set)"),
                      "%s", err.message);

        ck_assert_int_eq(setenv("BERTH_FAKE_NVML", "/nonexistent/inventory.json", 1), 0);
        ck_assert_int_eq(gpu_inventory_load_nvml(fake_library(), NULL, &inv, &err), -ENODEV);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
        ck_assert_msg(strstr(err.message, "/nonexistent/inventory.json: No such file or directory"), "%s",
                      err.message);
}
END_TEST

static const char *const malformed[] = {
        "",
        "{",
        "[]",
        "{\"gpus\": {}}",
        "{\"gpus\": [], \"gpus\": []}",
        "{\"gpus\": [], \"extra\": 1}",
        "{\"gpus\": [1]}",
        "{\"gpus\": [{\"pci\": \"0000:17:00.0\"}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\"}]}",
        "{\"gpus\": [{\"uuid\": \"nope\", \"pci\": \"0000:17:00.0\"}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"17:00.0\"}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.8\"}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"numa\": \"0\"}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"numa_node\": 0}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"uuid\": \"" UUID1 "\"}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": [{\"uuid\": \"" MIG_A "\"}]}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": [{\"uuid\": \"" MIG_A
        "\", \"slices\": 5}]}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": [{\"uuid\": \"" MIG_A
        "\", \"slices\": 4}, {\"uuid\": \"" MIG_B "\", \"slices\": 4}]}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": [{\"uuid\": \"" UUID1
        "\", \"slices\": 1}]}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig_capable\": false, \"mig\": []}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": [{\"uuid\": \"" MIG_A
        "\", \"slices\": 2, \"compute_slices\": 3}]}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": ["
        " {\"uuid\": \"" MIG_A "\", \"slices\": 4, \"gi\": 1, \"compute_slices\": 3},"
        " {\"uuid\": \"" MIG_B "\", \"slices\": 4, \"gi\": 1, \"compute_slices\": 2}]}]}",
        "{\"gpus\": [{\"uuid\": \"" UUID0 "\", \"pci\": \"0000:17:00.0\", \"mig\": ["
        " {\"uuid\": \"" MIG_A "\", \"slices\": 4, \"gi\": 1, \"compute_slices\": 1},"
        " {\"uuid\": \"" MIG_B "\", \"slices\": 3, \"gi\": 1, \"compute_slices\": 1}]}]}",
};

START_TEST(test_load_malformed_inventory) {
        struct gpu_inventory *inv = (struct gpu_inventory *) 0x1;
        struct berth_error err = {};
        const char *json = malformed[_i];

        ck_assert_msg(load(json, &inv, &err) == -EIO, "accepted: %s", json);
        ck_assert_ptr_eq(inv, (struct gpu_inventory *) 0x1);
        ck_assert_msg(strstr(err.message, "Unknown Error (fake NVML: "), "%s: %s", json, err.message);
}
END_TEST

START_TEST(test_inventory_none) {
        _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;

        ck_assert_int_eq(gpu_inventory_none(&inv), 0);
        ck_assert_uint_eq(inv->n_devices, 0);
        ck_assert_ptr_null(inv->devices);
        ck_assert_ptr_null(gpu_inventory_find(inv, UUID0));
        gpu_inventory_free(NULL);
}
END_TEST

/* The fake itself, called as the real library would be. */
START_TEST(test_fake_semantics) {
        char buf[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
        nvmlDevice_t gpu0, gpu1, gpu2, mig, parent;
        nvmlPciInfo_t pci;
        nvmlDeviceAttributes_t attr;
        nvmlMemory_t mem;
        unsigned long nodes[2];
        unsigned count, cur, pend, id;
        void *dl;

        dl = dlopen(fake_library(), RTLD_NOW | RTLD_LOCAL);
        ck_assert_msg(dl, "%s", dlerror());
#define SYM(f) __typeof__(f) *f##_p = (__typeof__(f) *) dlsym(dl, #f); ck_assert_msg(f##_p, "%s", #f)
        SYM(nvmlInit_v2);
        SYM(nvmlShutdown);
        SYM(nvmlErrorString);
        SYM(nvmlDeviceGetCount_v2);
        SYM(nvmlDeviceGetHandleByIndex_v2);
        SYM(nvmlDeviceGetUUID);
        SYM(nvmlDeviceGetPciInfo_v3);
        SYM(nvmlDeviceGetMemoryInfo);
        SYM(nvmlDeviceGetMemoryAffinity);
        SYM(nvmlDeviceGetMigMode);
        SYM(nvmlDeviceGetMaxMigDeviceCount);
        SYM(nvmlDeviceGetMigDeviceHandleByIndex);
        SYM(nvmlDeviceGetDeviceHandleFromMigDeviceHandle);
        SYM(nvmlDeviceGetGpuInstanceId);
        SYM(nvmlDeviceGetAttributes_v2);
#undef SYM

        set_inventory(INVENTORY);
        ck_assert_int_eq(nvmlDeviceGetCount_v2_p(&count), NVML_ERROR_UNINITIALIZED);
        ck_assert_int_eq(nvmlShutdown_p(), NVML_ERROR_UNINITIALIZED);
        ck_assert_str_eq(nvmlErrorString_p(NVML_ERROR_INSUFFICIENT_SIZE), "Insufficient Size");

        /* Reference counted. */
        ck_assert_int_eq(nvmlInit_v2_p(), NVML_SUCCESS);
        ck_assert_int_eq(nvmlInit_v2_p(), NVML_SUCCESS);
        ck_assert_int_eq(nvmlDeviceGetCount_v2_p(&count), NVML_SUCCESS);
        ck_assert_uint_eq(count, 4);
        ck_assert_int_eq(nvmlDeviceGetCount_v2_p(NULL), NVML_ERROR_INVALID_ARGUMENT);
        ck_assert_int_eq(nvmlDeviceGetHandleByIndex_v2_p(4, &gpu0), NVML_ERROR_INVALID_ARGUMENT);
        ck_assert_int_eq(nvmlDeviceGetHandleByIndex_v2_p(0, &gpu0), NVML_SUCCESS);
        ck_assert_int_eq(nvmlDeviceGetHandleByIndex_v2_p(1, &gpu1), NVML_SUCCESS);
        ck_assert_int_eq(nvmlDeviceGetHandleByIndex_v2_p(2, &gpu2), NVML_SUCCESS);

        ck_assert_int_eq(nvmlDeviceGetUUID_p(gpu0, buf, 8), NVML_ERROR_INSUFFICIENT_SIZE);
        ck_assert_int_eq(nvmlDeviceGetUUID_p(gpu0, buf, (unsigned) strlen(UUID0)), NVML_ERROR_INSUFFICIENT_SIZE);
        ck_assert_int_eq(nvmlDeviceGetUUID_p(gpu0, buf, (unsigned) strlen(UUID0) + 1), NVML_SUCCESS);
        ck_assert_str_eq(buf, UUID0);
        ck_assert_int_eq(nvmlDeviceGetUUID_p((nvmlDevice_t) buf, buf, sizeof(buf)), NVML_ERROR_INVALID_ARGUMENT);
        ck_assert_int_eq(nvmlDeviceGetUUID_p(NULL, buf, sizeof(buf)), NVML_ERROR_INVALID_ARGUMENT);

        ck_assert_int_eq(nvmlDeviceGetPciInfo_v3_p(gpu1, &pci), NVML_SUCCESS);
        ck_assert_str_eq(pci.busId, "00000000:3B:00.0");
        ck_assert_str_eq(pci.busIdLegacy, "0000:3B:00.0");
        ck_assert_uint_eq(pci.domain, 0);
        ck_assert_uint_eq(pci.bus, 0x3b);
        ck_assert_uint_eq(pci.device, 0);
        ck_assert_uint_eq(pci.pciDeviceId & 0xffff, 0x10de);

        ck_assert_int_eq(nvmlDeviceGetMemoryInfo_p(gpu1, &mem), NVML_SUCCESS);
        ck_assert_uint_eq(mem.total, 85899345920ULL);
        ck_assert_int_eq(nvmlDeviceGetMemoryAffinity_p(gpu2, 2, nodes, 0), NVML_SUCCESS);
        ck_assert_uint_eq(nodes[0], 2);
        ck_assert_uint_eq(nodes[1], 0);

        ck_assert_int_eq(nvmlDeviceGetMigMode_p(gpu0, &cur, &pend), NVML_ERROR_NOT_SUPPORTED);
        ck_assert_int_eq(nvmlDeviceGetMigMode_p(gpu1, &cur, &pend), NVML_SUCCESS);
        ck_assert_uint_eq(cur, NVML_DEVICE_MIG_ENABLE);
        ck_assert_uint_eq(pend, NVML_DEVICE_MIG_ENABLE);
        ck_assert_int_eq(nvmlDeviceGetMaxMigDeviceCount_p(gpu0, &count), NVML_SUCCESS);
        ck_assert_uint_eq(count, 0);
        ck_assert_int_eq(nvmlDeviceGetMaxMigDeviceCount_p(gpu1, &count), NVML_SUCCESS);
        ck_assert_uint_eq(count, 7);
        ck_assert_int_eq(nvmlDeviceGetMigDeviceHandleByIndex_p(gpu0, 0, &mig), NVML_ERROR_NOT_SUPPORTED);
        ck_assert_int_eq(nvmlDeviceGetMigDeviceHandleByIndex_p(gpu1, 3, &mig), NVML_ERROR_NOT_FOUND);
        ck_assert_int_eq(nvmlDeviceGetMigDeviceHandleByIndex_p(gpu1, 7, &mig), NVML_ERROR_INVALID_ARGUMENT);
        ck_assert_int_eq(nvmlDeviceGetMigDeviceHandleByIndex_p(gpu1, 1, &mig), NVML_SUCCESS);
        ck_assert_int_eq(nvmlDeviceGetUUID_p(mig, buf, sizeof(buf)), NVML_SUCCESS);
        ck_assert_str_eq(buf, MIG_B);
        ck_assert_int_eq(nvmlDeviceGetAttributes_v2_p(mig, &attr), NVML_SUCCESS);
        ck_assert_uint_eq(attr.gpuInstanceSliceCount, 2);
        ck_assert_int_eq(nvmlDeviceGetAttributes_v2_p(gpu1, &attr), NVML_ERROR_NOT_SUPPORTED);
        ck_assert_int_eq(nvmlDeviceGetGpuInstanceId_p(mig, &id), NVML_SUCCESS);
        ck_assert_uint_eq(id, 2);
        ck_assert_int_eq(nvmlDeviceGetGpuInstanceId_p(gpu1, &id), NVML_ERROR_NOT_SUPPORTED);
        ck_assert_int_eq(nvmlDeviceGetDeviceHandleFromMigDeviceHandle_p(mig, &parent), NVML_SUCCESS);
        ck_assert_ptr_eq(parent, gpu1);
        ck_assert_int_eq(nvmlDeviceGetDeviceHandleFromMigDeviceHandle_p(gpu1, &parent), NVML_ERROR_INVALID_ARGUMENT);
        ck_assert_int_eq(nvmlDeviceGetPciInfo_v3_p(mig, &pci), NVML_ERROR_NOT_SUPPORTED);

        ck_assert_int_eq(nvmlShutdown_p(), NVML_SUCCESS);
        ck_assert_int_eq(nvmlDeviceGetCount_v2_p(&count), NVML_SUCCESS);
        ck_assert_int_eq(nvmlShutdown_p(), NVML_SUCCESS);
        ck_assert_int_eq(nvmlDeviceGetCount_v2_p(&count), NVML_ERROR_UNINITIALIZED);
        ck_assert_int_eq(nvmlDeviceGetUUID_p(gpu0, buf, sizeof(buf)), NVML_ERROR_UNINITIALIZED);
        ck_assert_int_eq(nvmlShutdown_p(), NVML_ERROR_UNINITIALIZED);

        /* A failed init leaves the library uninitialised and says why. */
        set_inventory("{\"gpus\": 1}");
        ck_assert_int_eq(nvmlInit_v2_p(), NVML_ERROR_UNKNOWN);
        ck_assert_ptr_nonnull(strstr(nvmlErrorString_p(NVML_ERROR_UNKNOWN), "\"gpus\" must be an array"));
        ck_assert_int_eq(nvmlDeviceGetCount_v2_p(&count), NVML_ERROR_UNINITIALIZED);

        ck_assert_int_eq(dlclose(dl), 0);
}
END_TEST

START_TEST(test_pci_bus_id_normalize) {
        static const char *const good[][2] = {
                { "00000000:17:00.0", "0000:17:00.0" },
                { "00000000:3B:00.0", "0000:3b:00.0" },
                { "0000:af:1f.7", "0000:af:1f.7" },
                { "00010000:01:00.1", "10000:01:00.1" },
        };
        static const char *const bad[] = {
                "", "17:00.0", "000:17:00.0", "000000000:17:00.0", "0000:17:00", "0000:17:00.8",
                "0000:17:20.0", "0000:g7:00.0", "0000:17:00.0 ", " 0000:17:00.0", "0000-17:00.0", "0000:1:00.0",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_free_ char *s = NULL;
                ck_assert_int_eq(gpu_pci_bus_id_normalize(good[i][0], &s), 0);
                ck_assert_str_eq(s, good[i][1]);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *s = (char *) 0x1;
                ck_assert_msg(gpu_pci_bus_id_normalize(bad[i], &s) == -EINVAL, "accepted '%s'", bad[i]);
                ck_assert_ptr_eq(s, (char *) 0x1);
        }
}
END_TEST

START_TEST(test_cpulist_count) {
        static const struct {
                const char *list;
                int count;
        } good[] = {
                { "", 0 },
                { "0", 1 },
                { "7", 1 },
                { "0-15,32-47", 32 },
                { "1,3,5-7", 5 },
                { "0-3,4-7", 8 },
                { "10-11,100", 3 },
                { "65535", 1 },
                { "0-65535", 65536 },
        };
        static const char *const bad[] = {
                ",", "0,", ",0", "0,,1", "1-0", "3-3", "0-3,2-5", "5,3", "3,3", "01", "00", "0-07", "-1",
                "+1", " 1", "1 ", "1\n", "1-", "-", "a", "1a", "65536", "0-65536", "99999999999999999999",
                "0:2", "1--2", "1-2-3", "0-3:2/4", "0x1",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ck_assert_msg(cpulist_count(good[i].list) == good[i].count, "'%s' counts %d", good[i].list,
                              cpulist_count(good[i].list));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(cpulist_count(bad[i]) == -EINVAL, "accepted '%s'", bad[i]);
        ck_assert_int_eq(cpulist_count(NULL), -EINVAL);
}
END_TEST

START_TEST(test_numa_node_cpus_sysfs) {
        _cleanup_free_ char *sysfs = NULL, *cpus = NULL, *empty = NULL;
        char *untouched = (char *) 0x1;

        make_sysfs();
        ck_assert_int_ge(asprintf(&sysfs, "%s/sys", tmp), 0);
        ck_assert_int_eq(gpu_numa_node_cpus(sysfs, 1, &cpus), 0);
        ck_assert_str_eq(cpus, "0-15,32-47");
        ck_assert_int_eq(cpulist_count(cpus), 32);
        ck_assert_int_eq(gpu_numa_node_cpus(sysfs, 0, &empty), 0);
        ck_assert_str_eq(empty, "");
        ck_assert_int_eq(gpu_numa_node_cpus(sysfs, 2, &untouched), -ENOENT);
        ck_assert_int_eq(gpu_numa_node_cpus(sysfs, 3, &untouched), -EBADMSG);
        ck_assert_int_eq(gpu_numa_node_cpus(sysfs, -1, &untouched), -EINVAL);
        ck_assert_ptr_eq(untouched, (char *) 0x1);
}
END_TEST

/* On the live system libnuma answers; it must agree with the kernel's own
 * cpulist file. */
START_TEST(test_numa_node_cpus_live) {
        _cleanup_free_ char *cpus = NULL, *file = NULL;
        char *untouched = (char *) 0x1;
        size_t len;

        if (numa_available() < 0 ||
            read_full_file("/sys/devices/system/node/node0/cpulist", 65536, &file, &len) < 0)
                return; /* no NUMA here: nothing to compare */
        if (len > 0 && file[len - 1] == '\n')
                file[len - 1] = 0;
        ck_assert_int_eq(gpu_numa_node_cpus("/sys", 0, &cpus), 0);
        ck_assert_str_eq(cpus, file);
        ck_assert_int_gt(cpulist_count(cpus), 0);
        ck_assert_int_eq(gpu_numa_node_cpus(NULL, 1023, &untouched), -ENOENT);
        ck_assert_ptr_eq(untouched, (char *) 0x1);
}
END_TEST

#define LIVE_INVENTORY(util, procs, mutil, mprocs)                                                             \
        "{\"gpus\":[{\"uuid\":\"GPU-11111111-1111-1111-1111-111111111111\",\"pci\":\"0000:17:00.0\","             \
        "\"utilization\":" util ",\"processes\":" procs "},"                                                        \
        "{\"uuid\":\"GPU-22222222-2222-2222-2222-222222222222\",\"pci\":\"0000:3b:00.0\",\"mig\":["               \
        "{\"uuid\":\"MIG-33333333-3333-3333-3333-333333333333\",\"slices\":3,\"utilization\":" mutil              \
        ",\"processes\":" mprocs "}]}]}"

START_TEST(test_sample_live) {
        char g1[] = "GPU-11111111-1111-1111-1111-111111111111", m3[] = "MIG-33333333-3333-3333-3333-333333333333",
             g9[] = "GPU-99999999-9999-9999-9999-999999999999";
        char *uuids[] = { g1, m3, g9, NULL };
        struct gpu_sample *s = NULL;
        size_t n = 0;
        struct berth_error err = { 0 };

        set_inventory(LIVE_INVENTORY("87", "[4242, 4243]", "3", "[]"));
        ck_assert_msg(gpu_sample_load(fake_library(), uuids, &s, &n, &err) == 0, "%s", err.message);
        ck_assert_uint_eq(n, 3);
        ck_assert(s[0].found && s[0].utilization == 87 && s[0].processes_known);
        ck_assert_uint_eq(s[0].n_pids, 2);
        ck_assert_uint_eq(s[0].pids[0], 4242);
        ck_assert_uint_eq(s[0].pids[1], 4243);
        ck_assert(s[1].found && s[1].utilization == 3 && s[1].processes_known && s[1].n_pids == 0);
        ck_assert(!s[2].found && s[2].utilization == -1 && !s[2].processes_known); /* not NVML's */
        gpu_samples_free(s, n);

        /* the test makes the GPU idle and the MIG instance busy */
        set_inventory(LIVE_INVENTORY("0", "[]", "100", "[77]"));
        ck_assert_int_eq(gpu_sample_load(fake_library(), uuids, &s, &n, &err), 0);
        ck_assert(s[0].utilization == 0 && s[0].n_pids == 0);
        ck_assert(s[1].utilization == 100 && s[1].n_pids == 1 && s[1].pids[0] == 77);
        gpu_samples_free(s, n);

        /* memory: the GPU's "memory" in total, "memory_used" of it in use */
        set_inventory("{\"gpus\":[{\"uuid\":\"GPU-11111111-1111-1111-1111-111111111111\",\"pci\":\"0000:17:00.0\","
                      "\"memory\":8589934592,\"memory_used\":1073741824}]}");
        ck_assert_int_eq(gpu_sample_load(fake_library(), uuids, &s, &n, &err), 0);
        ck_assert(s[0].memory_known);
        ck_assert_uint_eq(s[0].memory_total, 8589934592ULL);
        ck_assert_uint_eq(s[0].memory_used, 1073741824ULL);
        ck_assert(!s[2].memory_known);
        gpu_samples_free(s, n);
        /* more in use than there is, or a negative amount: malformed */
        set_inventory("{\"gpus\":[{\"uuid\":\"GPU-11111111-1111-1111-1111-111111111111\",\"pci\":\"0000:17:00.0\","
                      "\"memory\":1024,\"memory_used\":2048}]}");
        ck_assert_int_lt(gpu_sample_load(fake_library(), uuids, &s, &n, &err), 0);
        set_inventory("{\"gpus\":[{\"uuid\":\"GPU-11111111-1111-1111-1111-111111111111\",\"pci\":\"0000:17:00.0\","
                      "\"memory_used\":-1}]}");
        ck_assert_int_lt(gpu_sample_load(fake_library(), uuids, &s, &n, &err), 0);

        /* a bad value is refused at init like any malformed inventory */
        set_inventory(LIVE_INVENTORY("101", "[]", "0", "[]"));
        ck_assert_int_lt(gpu_sample_load(fake_library(), uuids, &s, &n, &err), 0);
        set_inventory(LIVE_INVENTORY("1", "[0]", "0", "[]"));
        ck_assert_int_lt(gpu_sample_load(fake_library(), uuids, &s, &n, &err), 0);
}
END_TEST

/* Within one NVML session the fake re-reads the live keys when the file
 * changes (a long-lived sampler sees a test's rewrite). */
START_TEST(test_fake_live_refresh) {
        typedef int (*init_t)(void);
        typedef int (*by_uuid_t)(const char *, void **);
        typedef int (*util_t)(void *, unsigned *);
        typedef int (*procs_t)(void *, unsigned *, void *);
        void *dl, *h;
        unsigned u[2];
        unsigned count = 0;

        set_inventory(LIVE_INVENTORY("50", "[1]", "0", "[]"));
        dl = dlopen(fake_library(), RTLD_NOW | RTLD_LOCAL);
        ck_assert_ptr_nonnull(dl);
        init_t init = (init_t) dlsym(dl, "nvmlInit_v2"), shutdown = (init_t) dlsym(dl, "nvmlShutdown");
        by_uuid_t by_uuid = (by_uuid_t) dlsym(dl, "nvmlDeviceGetHandleByUUID");
        util_t util = (util_t) dlsym(dl, "nvmlDeviceGetUtilizationRates");
        procs_t procs = (procs_t) dlsym(dl, "nvmlDeviceGetComputeRunningProcesses_v3");
        ck_assert(init && shutdown && by_uuid && util && procs);
        ck_assert_int_eq(init(), 0);
        ck_assert_int_eq(by_uuid("GPU-11111111-1111-1111-1111-111111111111", &h), 0);
        ck_assert_int_eq(util(h, u), 0);
        ck_assert_uint_eq(u[0], 50);
        ck_assert_int_eq(procs(h, &count, NULL), 7); /* NVML_ERROR_INSUFFICIENT_SIZE */
        ck_assert_uint_eq(count, 1);
        /* rewritten while NVML is open: a longer file, so size and mtime move */
        set_inventory(LIVE_INVENTORY("9", "[11, 12, 13]", "0", "[]"));
        ck_assert_int_eq(util(h, u), 0);
        ck_assert_uint_eq(u[0], 9);
        count = 0;
        ck_assert_int_eq(procs(h, &count, NULL), 7);
        ck_assert_uint_eq(count, 3);
        ck_assert_int_eq(by_uuid("GPU-nope", &h), 6); /* NVML_ERROR_NOT_FOUND */
        ck_assert_int_eq(shutdown(), 0);
        dlclose(dl);
}
END_TEST

Suite *gpu_suite(void) {
        Suite *s = suite_create("gpu");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_load_mig);
        tcase_add_test(tc, test_load_twice);
        tcase_add_test(tc, test_load_mig_modes);
        tcase_add_test(tc, test_load_compute_instances);
        tcase_add_test(tc, test_load_duplicate_uuid);
        tcase_add_test(tc, test_load_bad_numa_node);
        tcase_add_test(tc, test_load_missing_library);
        tcase_add_test(tc, test_load_missing_inventory);
        tcase_add_loop_test(tc, test_load_malformed_inventory, 0, (int) ELEMENTSOF(malformed));
        tcase_add_test(tc, test_inventory_none);
        tcase_add_test(tc, test_fake_semantics);
        tcase_add_test(tc, test_pci_bus_id_normalize);
        tcase_add_test(tc, test_cpulist_count);
        tcase_add_test(tc, test_numa_node_cpus_sysfs);
        tcase_add_test(tc, test_numa_node_cpus_live);
        tcase_add_test(tc, test_sample_live);
        tcase_add_test(tc, test_fake_live_refresh);
        suite_add_tcase(s, tc);
        return s;
}
