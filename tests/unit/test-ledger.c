/* SPDX-License-Identifier: MIT */
/* The GPU ledger over hand-built inventories: allocation order, every quota
 * at its limit and one past it (with the sentences users read), atomicity,
 * the reservation life cycle, adoption from Docker, and a seeded stress run
 * that checks the invariants after every step. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>

#include "policy/ledger.h"
#include "basic/util.h"

#define GPU0 "GPU-00000000-0000-4000-8000-000000000000"
#define GPU1 "GPU-11111111-1111-4111-8111-111111111111" /* split into MIG, not handed out */
#define GPU2 "GPU-22222222-2222-4222-8222-222222222222"
#define GPU3 "GPU-33333333-3333-4333-8333-333333333333"
#define MIG_A "MIG-aaaaaaaa-aaaa-5aaa-8aaa-aaaaaaaaaaaa" /* 3/7 of GPU1 */
#define MIG_B "MIG-bbbbbbbb-bbbb-5bbb-8bbb-bbbbbbbbbbbb" /* 2/7 of GPU1 */
#define MIG_C "MIG-cccccccc-cccc-5ccc-8ccc-cccccccccccc" /* 2/7 of GPU1 */
#define GONE "GPU-deadbeef-dead-4dea-8dea-deadbeefdead"  /* not on this machine */

#define SEC 1000000ULL
#define TTL (30 * SEC)

enum { I_GPU0, I_MIG_A, I_MIG_B, I_MIG_C, I_GPU2, I_GPU3 };

/* 4 GPUs, the second split 3+2+2: 3 whole GPUs and 3 MIG instances, in NVML
 * order with the instances in place of their parent. */
static struct gpu_device devices4[] = {
        { (char *) GPU0, (char *) "0000:17:00.0", 0, (char *) "H100", GPU_SLICES, NULL, 0 },
        { (char *) MIG_A, (char *) "0000:3b:00.0", 0, (char *) "H100 MIG 3g", 3, (char *) GPU1, 0 },
        { (char *) MIG_B, (char *) "0000:3b:00.0", 0, (char *) "H100 MIG 2g", 2, (char *) GPU1, 0 },
        { (char *) MIG_C, (char *) "0000:3b:00.0", 0, (char *) "H100 MIG 2g", 2, (char *) GPU1, 0 },
        { (char *) GPU2, (char *) "0000:86:00.0", 1, (char *) "H100", GPU_SLICES, NULL, 0 },
        { (char *) GPU3, (char *) "0000:af:00.0", 1, (char *) "H100", GPU_SLICES, NULL, 0 },
};
static const struct gpu_inventory inv4 = { devices4, ELEMENTSOF(devices4) };

/* The same box after MIG mode was turned off on GPU1. */
static struct gpu_device devices_whole[] = {
        { (char *) GPU0, (char *) "0000:17:00.0", 0, (char *) "H100", GPU_SLICES, NULL, 0 },
        { (char *) GPU1, (char *) "0000:3b:00.0", 0, (char *) "H100", GPU_SLICES, NULL, 0 },
        { (char *) GPU2, (char *) "0000:86:00.0", 1, (char *) "H100", GPU_SLICES, NULL, 0 },
        { (char *) GPU3, (char *) "0000:af:00.0", 1, (char *) "H100", GPU_SLICES, NULL, 0 },
};
static const struct gpu_inventory inv_whole = { devices_whole, ELEMENTSOF(devices_whole) };

static int counter_id(char *ret, void *userdata) {
        uint64_t *n = userdata;
        snprintf(ret, LEDGER_ID_LEN + 1, "%016" PRIx64 "%016" PRIx64, UINT64_C(0xfeed), ++*n);
        return 0;
}

static uint64_t id_counter;

static struct ledger *new_ledger(const struct gpu_inventory *inv) {
        struct ledger *l = NULL;
        ck_assert_int_eq(ledger_new(inv, &l), 0);
        id_counter = 0;
        ledger_set_id_generator(l, counter_id, &id_counter);
        return l;
}

static uid_t uid_of(const char *user) {
        return streq(user, "alice") ? 1000 : streq(user, "bob") ? 1001 : streq(user, "carol") ? 1002 : 2000;
}

static struct ledger_request req_for(const char *user, const char *container, double gpus) {
        return (struct ledger_request) {
                .user = user,
                .uid = uid_of(user),
                .group = "students",
                .container = container,
                .gpus = gpus,
                .user_gpus_max = INFINITY,
                .per_container_gpus_max = INFINITY,
                .group_gpus_max = INFINITY,
                .user_containers_max = UINT64_MAX,
                .group_containers_max = UINT64_MAX,
                .ttl_usec = TTL,
        };
}

/* Reserve and insist it works; returns the entry. */
static const struct ledger_entry *must_reserve(struct ledger *l, const struct ledger_request *req, uint64_t now) {
        const struct ledger_entry *e = NULL;
        struct berth_error err = { 0 };
        int r = ledger_reserve(l, req, now, &e, &err);
        ck_assert_msg(r == 0, "reserve for %s failed: %d %s", req->user, r, err.message);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
        return e;
}

/* Everything a caller can observe, as text, to prove a refusal changed nothing. */
static char *snapshot(const struct ledger *l) {
        char *buf = NULL;
        size_t n = 0, len;
        FILE *f = open_memstream(&buf, &len);
        const struct ledger_entry *const *es = ledger_entries(l, &n);

        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < n; i++) {
                const struct ledger_entry *e = es[i];
                fprintf(f, "%s %s %s %u %s %s %s %u %" PRIu64 " %" PRIu64 " %d:", e->id, ledger_state_name(e->state),
                        e->user, (unsigned) e->uid, e->group, strempty(e->container), strempty(e->container_id),
                        e->slices, e->created_usec, e->expires_usec, e->conflict);
                for (size_t j = 0; j < e->n_devices; j++)
                        fprintf(f, " %s/%zu/%u", e->devices[j].uuid, e->devices[j].index, e->devices[j].slices);
                fputc('\n', f);
        }
        fprintf(f, "next %" PRIu64 "\n", ledger_next_expiry(l));
        fclose(f);
        return buf;
}

static void assert_uuids(const struct ledger_entry *e, const char *want) {
        _cleanup_free_ char *s = NULL;
        ck_assert_int_eq(ledger_entry_uuids(e, &s), 0);
        ck_assert_str_eq(s, want);
}

/* Reserve must fail with r, the given kind, the given message, and change nothing. */
static void assert_refused(struct ledger *l, const struct ledger_request *req, int r, const char *message) {
        _cleanup_free_ char *before = snapshot(l), *after = NULL;
        const struct ledger_entry *e = (const struct ledger_entry *) 0x1;
        struct berth_error err = { 0 };

        ck_assert_int_eq(ledger_reserve(l, req, 5 * SEC, &e, &err), r);
        ck_assert_int_eq(err.code, r);
        ck_assert_ptr_eq(e, (const struct ledger_entry *) 0x1); /* ret untouched */
        if (message)
                ck_assert_str_eq(err.message, message);
        ck_assert_msg(strncmp(err.message, "berth: ", 7) == 0, "%s", err.message);
        ck_assert_msg(err.message[strlen(err.message) - 1] == '.', "not one sentence: %s", err.message);
        after = snapshot(l);
        ck_assert_str_eq(before, after);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
}

START_TEST(test_whole_then_mig_largest_first) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        static const char *const order[] = { GPU0, GPU2, GPU3, MIG_A, MIG_B, MIG_C };
        char name[32], id[LEDGER_ID_LEN + 1];

        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                snprintf(name, sizeof(name), "c%zu._.alice", i);
                struct ledger_request req = req_for("alice", name, 1);
                const struct ledger_entry *e = must_reserve(l, &req, 0);
                ck_assert_uint_eq(e->n_devices, 1);
                ck_assert_str_eq(e->devices[0].uuid, order[i]);
                ck_assert_int_eq(e->state, LEDGER_RESERVED);
                ck_assert_uint_eq(e->expires_usec, TTL);
                snprintf(id, sizeof(id), "000000000000feed%016zx", i + 1);
                ck_assert_str_eq(e->id, id);
                ck_assert_ptr_eq(ledger_find(l, id), e);
        }
        ck_assert_uint_eq(ledger_find(l, "000000000000feed0000000000000004")->devices[0].index, I_MIG_A);
        ck_assert(fabs(ledger_find(l, "000000000000feed0000000000000005")->gpus - 2.0 / 7) < 1e-12);

        struct ledger_request req = req_for("bob", "late._.bob", 1);
        assert_refused(l, &req, -EBUSY,
                       "berth: all 6 GPUs and MIG instances are in use (c0._.alice, c1._.alice, c2._.alice, c3._.alice, "
                       "c4._.alice, c5._.alice); 'berthctl status' shows who holds them.");
        ck_assert_str_eq(ledger_error_kind_name(ledger_error_kind_from_errno(-EBUSY)), "gpus_unavailable");

        double gpus;
        uint64_t n;
        ledger_user_usage(l, "alice", &gpus, &n);
        ck_assert(fabs(gpus - (3 + 7.0 / 7)) < 1e-12);
        ck_assert_uint_eq(n, 6);
        ledger_group_usage(l, "students", &gpus, &n);
        ck_assert(fabs(gpus - 4) < 1e-12);
        ck_assert_uint_eq(n, 6);
}
END_TEST

START_TEST(test_multi_gpu) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "two._.alice", 2);
        const struct ledger_entry *e = must_reserve(l, &req, 0);

        assert_uuids(e, GPU0 "," GPU2);
        ck_assert_uint_eq(e->slices, 14);
        req = req_for("bob", "three._.bob", 3);
        e = must_reserve(l, &req, 0);
        assert_uuids(e, GPU3 "," MIG_A "," MIG_B);
        ck_assert_uint_eq(e->slices, 7 + 3 + 2);

        req = req_for("carol", "two._.carol", 2);
        assert_refused(l, &req, -EBUSY,
                       "berth: you asked for 2 GPUs but only 1 is free (the others are held by two._.alice, three._.bob); "
                       "ask for fewer or wait, 'berthctl status' shows who holds them.");
        req = req_for("carol", "many._.carol", 7);
        assert_refused(l, &req, -EBUSY,
                       "berth: you asked for 7 GPUs but this machine has only 6 GPUs and MIG instances; ask for fewer.");
}
END_TEST

START_TEST(test_fractions) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req;
        const struct ledger_entry *e;

        /* smallest MIG instance that is big enough, then larger ones, then whole GPUs */
        req = req_for("alice", "a._.alice", 0.25);
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_B);
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_C);
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_A);
        e = must_reserve(l, &req, 0);
        ck_assert_str_eq(e->devices[0].uuid, GPU0);
        ck_assert(e->gpus == 1);

        _cleanup_ledger_ struct ledger *m = new_ledger(&inv4);
        req = req_for("alice", "b._.alice", 0.3); /* 2/7 is too small */
        ck_assert_str_eq(must_reserve(m, &req, 0)->devices[0].uuid, MIG_A);
        req = req_for("alice", "c._.alice", 0.429); /* 3/7 written with 3 decimals */
        ck_assert_str_eq(must_reserve(m, &req, 0)->devices[0].uuid, GPU0);
        req = req_for("alice", "d._.alice", 0.286); /* 2/7 */
        ck_assert_str_eq(must_reserve(m, &req, 0)->devices[0].uuid, MIG_B);
        req = req_for("alice", "e._.alice", 0.5); /* no 4/7 instance: a whole GPU */
        ck_assert_str_eq(must_reserve(m, &req, 0)->devices[0].uuid, GPU2);
        req = req_for("alice", "f._.alice", 0.001);
        ck_assert_str_eq(must_reserve(m, &req, 0)->devices[0].uuid, MIG_C);

        /* only GPU3 left; take it, then nothing of 0.5 or more is free */
        req = req_for("bob", "g._.bob", 1);
        must_reserve(m, &req, 0);
        req = req_for("bob", "h._.bob", 0.5);
        assert_refused(m, &req, -EBUSY, NULL);
}
END_TEST

START_TEST(test_fraction_only_small_free) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "big._.alice", 3);
        const char *keep[] = { MIG_A, NULL };

        must_reserve(l, &req, 0);                 /* the three whole GPUs */
        req = req_for("alice", "mig._.alice", 0);
        req.devices = (char *const *) keep;
        must_reserve(l, &req, 0);                 /* MIG_A */
        req = req_for("bob", "half._.bob", 0.5);  /* MIG_B, MIG_C (2/7) free but too small */
        assert_refused(l, &req, -EBUSY,
                       "berth: no free GPU or MIG instance has 0.5 GPU or more (the others are held by big._.alice, "
                       "mig._.alice); ask for less or wait, 'berthctl status' shows who holds them.");
        req = req_for("bob", "quarter._.bob", 0.25);
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_B);
}
END_TEST

START_TEST(test_zero_gpus) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "cpu._.alice", 0);
        const struct ledger_entry *e = must_reserve(l, &req, 0);
        uint64_t n;

        ck_assert_uint_eq(e->n_devices, 0);
        ck_assert_uint_eq(e->slices, 0);
        assert_uuids(e, "");
        ledger_user_usage(l, "alice", NULL, &n);
        ck_assert_uint_eq(n, 1);

        /* a CPU-only box */
        _cleanup_ledger_ struct ledger *none = new_ledger(NULL);
        must_reserve(none, &req, 0);
        req.gpus = 1;
        assert_refused(none, &req, -EBUSY, "berth: this machine has no GPUs to hand out; run without --gpus.");
}
END_TEST

START_TEST(test_invalid) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req;
        const char *empty[] = { NULL };
        const char *unknown[] = { GONE, NULL };
        const char *parent[] = { GPU1, NULL };
        const char *twice[] = { GPU0, GPU2, GPU0, NULL };

        req = req_for("alice", "x._.alice", 1.5);
        assert_refused(l, &req, -EINVAL,
                       "berth: cannot reserve 1.5 GPUs; ask for a whole number of GPUs or a fraction below 1 (such as 0.5).");
        req.gpus = -1;
        assert_refused(l, &req, -EINVAL, NULL);
        req.gpus = NAN;
        assert_refused(l, &req, -EINVAL, NULL);
        req.gpus = INFINITY;
        assert_refused(l, &req, -EINVAL, NULL);
        req.gpus = 1e9;
        assert_refused(l, &req, -EINVAL, NULL);
        req = req_for("alice", "x._.alice", 1);
        req.user_gpus_max = NAN;
        assert_refused(l, &req, -EINVAL, NULL);
        req = req_for("", "x._.alice", 1);
        assert_refused(l, &req, -EINVAL, NULL);
        req = req_for("alice", "x._.alice", 1);
        req.group = NULL;
        assert_refused(l, &req, -EINVAL, NULL);

        req = req_for("alice", "x._.alice", 0);
        req.devices = (char *const *) empty;
        assert_refused(l, &req, -EINVAL, NULL);
        req.devices = (char *const *) unknown;
        assert_refused(l, &req, -EINVAL,
                       "berth: this machine has no GPU " GONE " to hand out; 'berthctl status' lists the GPUs.");
        req.devices = (char *const *) parent;
        assert_refused(l, &req, -EINVAL,
                       "berth: " GPU1 " is split into MIG instances and is not handed out whole; name one of its "
                       "instances (such as " MIG_A ") instead.");
        req.devices = (char *const *) twice;
        assert_refused(l, &req, -EINVAL, "berth: " GPU0 " is listed twice; name each device once.");
        ck_assert_str_eq(ledger_error_kind_name(ledger_error_kind_from_errno(-EINVAL)), "invalid");

        struct berth_error err = { 0 };
        ck_assert_int_eq(ledger_reserve(l, NULL, 0, NULL, &err), -EINVAL);
        ck_assert_uint_eq(ledger_next_expiry(l), LEDGER_NEVER);
}
END_TEST

START_TEST(test_explicit_devices) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        const char *two[] = { GPU3, MIG_C, NULL };
        const char *taken[] = { GPU2, MIG_C, NULL };
        const char *whole[] = { GPU0, NULL };
        struct ledger_request req = req_for("alice", "pick._.alice", 5 /* ignored */);
        const struct ledger_entry *e;

        req.devices = (char *const *) two;
        e = must_reserve(l, &req, 0);
        assert_uuids(e, GPU3 "," MIG_C);
        ck_assert_uint_eq(e->slices, 9);
        ck_assert_uint_eq(e->devices[1].index, I_MIG_C);
        ck_assert_str_eq(e->devices[1].parent_uuid, GPU1);

        req = req_for("bob", "want._.bob", 0);
        req.devices = (char *const *) taken;
        assert_refused(l, &req, -EBUSY,
                       "berth: " MIG_C " is held by pick._.alice; leave out device= to get a free GPU, or wait, "
                       "'berthctl status' shows who holds them.");
        /* the caps hold for explicit devices too */
        req.devices = (char *const *) whole;
        req.per_container_gpus_max = 0.5;
        assert_refused(l, &req, -EDQUOT,
                       "berth: a container may hold at most 0.5 GPU and you asked for 1; ask for fewer.");
        req.per_container_gpus_max = 1;
        must_reserve(l, &req, 0);
        /* admins bypass quotas but never get a held device */
        req = req_for("root", "ops._.root", 0);
        req.admin = true;
        req.user_gpus_max = req.per_container_gpus_max = req.group_gpus_max = 0;
        req.user_containers_max = req.group_containers_max = 0;
        req.devices = (char *const *) taken;
        assert_refused(l, &req, -EBUSY, NULL);
        req.devices = NULL;
        req.gpus = 2;
        e = must_reserve(l, &req, 0);
        assert_uuids(e, GPU2 "," MIG_A);
}
END_TEST

START_TEST(test_quota_per_container) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "train._.alice", 1);

        req.per_container_gpus_max = 1;
        must_reserve(l, &req, 0);
        req.gpus = 2;
        assert_refused(l, &req, -EDQUOT, "berth: a container may hold at most 1 GPU and you asked for 2; ask for fewer.");
        ck_assert_str_eq(ledger_error_kind_name(ledger_error_kind_from_errno(-EDQUOT)), "quota_exceeded");
        req.per_container_gpus_max = 0;
        req.gpus = 0.25;
        assert_refused(l, &req, -EDQUOT,
                       "berth: your containers may not hold GPUs (the per-container limit is 0); run without --gpus or ask an admin.");
        req.gpus = 0;
        must_reserve(l, &req, 0); /* no GPU, no GPU cap */

        /* 0.5 per container: a 3/7 instance fits, a whole GPU does not */
        req = req_for("bob", "half._.bob", 0.5);
        req.per_container_gpus_max = 0.5;
        assert_refused(l, &req, -EDQUOT,
                       "berth: the smallest free device with at least 0.5 GPU is a whole GPU, but a container may hold "
                       "at most 0.5 GPU; wait for a smaller one to be freed.");
        req.gpus = 0.4;
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_A);
}
END_TEST

START_TEST(test_quota_user_gpus) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "train._.alice", 1);

        req.user_gpus_max = 2;
        must_reserve(l, &req, 0);
        req.gpus = 2;
        req.container = "big._.alice";
        assert_refused(l, &req, -EDQUOT,
                       "berth: you hold 1 of 2 GPUs (train._.alice) and asked for 2 more; ask for fewer or retire one "
                       "with 'container retire NAME'.");
        req.gpus = 1;
        req.container = "eval._.alice";
        must_reserve(l, &req, 0); /* exactly at the limit */
        req.container = "third._.alice";
        assert_refused(l, &req, -EDQUOT,
                       "berth: you already hold 2 of 2 GPUs (train._.alice, eval._.alice); retire one with 'container "
                       "retire NAME'.");
        req.gpus = 0.25;
        assert_refused(l, &req, -EDQUOT, NULL);
        req.gpus = 0; /* a CPU container is still fine */
        must_reserve(l, &req, 0);

        /* another user is not affected */
        req = req_for("bob", "b._.bob", 3);
        req.user_gpus_max = 2;
        assert_refused(l, &req, -EDQUOT, "berth: you may hold 2 GPUs at once and asked for 3; ask for fewer.");
        req.user_gpus_max = 0;
        req.gpus = 1;
        assert_refused(l, &req, -EDQUOT,
                       "berth: you may not hold any GPU (your limit is 0); run without --gpus or ask an admin to raise it.");

        /* fractions count as fractions: 2/7 + 2/7 + 3/7 = 1 */
        req = req_for("carol", "m1._.carol", 0.25);
        req.user_gpus_max = 1;
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_B);
        req.container = "m2._.carol";
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_C);
        req.container = "m3._.carol";
        req.gpus = 0.4;
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_A);
        req.container = "m4._.carol";
        req.gpus = 0.1;
        assert_refused(l, &req, -EDQUOT,
                       "berth: you already hold 1 of 1 GPU (m1._.carol, m2._.carol, m3._.carol); retire one with "
                       "'container retire NAME'.");
}
END_TEST

START_TEST(test_quota_fraction_headroom) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "mig._.alice", 0);
        const char *migs[] = { MIG_A, MIG_B, MIG_C, NULL };

        req.devices = (char *const *) migs;
        must_reserve(l, &req, 0);
        /* bob may hold 0.5: only whole GPUs are free */
        req = req_for("bob", "small._.bob", 0.25);
        req.user_gpus_max = 0.5;
        assert_refused(l, &req, -EDQUOT,
                       "berth: the smallest free device with at least 0.25 GPU is a whole GPU, but you may hold at most "
                       "0.5 GPU; wait for a smaller one to be freed.");
        req.user_gpus_max = 1.5;
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, GPU0);
        req.container = "more._.bob";
        assert_refused(l, &req, -EDQUOT,
                       "berth: the smallest free device with at least 0.25 GPU is a whole GPU, but you hold 1 of 1.5 "
                       "GPUs (small._.bob); wait for a smaller one to be freed or retire one with 'container retire NAME'.");

        req = req_for("carol", "small._.carol", 0.25);
        req.group = "guests";
        req.group_gpus_max = 0.5;
        assert_refused(l, &req, -EDQUOT,
                       "berth: the smallest free device with at least 0.25 GPU is a whole GPU, but group guests may hold "
                       "at most 0.5 GPU; wait for a smaller one to be freed or ask an admin.");
        req.group_gpus_max = 1.5;
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, GPU2);
        req = req_for("dave", "small._.dave", 0.25);
        req.group = "guests";
        req.group_gpus_max = 1.5;
        assert_refused(l, &req, -EDQUOT,
                       "berth: the smallest free device with at least 0.25 GPU is a whole GPU, but group guests holds 1 "
                       "of 1.5 GPUs; wait for a smaller one to be freed or ask an admin.");
}
END_TEST

START_TEST(test_quota_group_gpus) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req;

        req = req_for("alice", "a._.alice", 2);
        req.group_gpus_max = 4;
        must_reserve(l, &req, 0);
        req = req_for("bob", "b._.bob", 3);
        req.group_gpus_max = 4;
        assert_refused(l, &req, -EDQUOT,
                       "berth: group students holds 2 of 4 GPUs and you asked for 3 more; ask for fewer, ask an admin, "
                       "or wait for one to be freed.");
        req.gpus = 2;
        must_reserve(l, &req, 0); /* GPU3 + MIG_A: the group holds 24/7 */
        req = req_for("carol", "c._.carol", 0.25);
        req.group_gpus_max = 4;
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_B); /* 26/7 */
        req.container = "d._.carol";
        req.gpus = 0.5;
        assert_refused(l, &req, -EDQUOT,
                       "berth: group students holds 3.71 of 4 GPUs and you asked for 0.5 more; ask for fewer, ask an "
                       "admin, or wait for one to be freed.");
        req.gpus = 0.25; /* MIG_C: exactly 4 */
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, MIG_C);
        req.container = "e._.carol";
        req.gpus = 0.001;
        assert_refused(l, &req, -EDQUOT,
                       "berth: group students already holds 4 of 4 GPUs; ask an admin or wait for one to be freed.");

        /* at the limit exactly, with whole GPUs */
        _cleanup_ledger_ struct ledger *m = new_ledger(&inv_whole);
        req = req_for("alice", "a._.alice", 2);
        req.group_gpus_max = 4;
        must_reserve(m, &req, 0);
        req = req_for("bob", "b._.bob", 2);
        req.group_gpus_max = 4;
        must_reserve(m, &req, 0);
        req = req_for("carol", "c._.carol", 1);
        req.group_gpus_max = 4;
        assert_refused(m, &req, -EDQUOT,
                       "berth: group students already holds 4 of 4 GPUs; ask an admin or wait for one to be freed.");
        req.group = "staff"; /* another group is not affected */
        assert_refused(m, &req, -EBUSY, NULL);
        req.group = "empty";
        req.group_gpus_max = 0;
        assert_refused(m, &req, -EDQUOT,
                       "berth: group empty may not hold any GPU; run without --gpus or ask an admin.");
}
END_TEST

START_TEST(test_quota_user_containers) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        static const char *const names[] = { "a._.bob", "b._.bob", "c._.bob" };
        struct ledger_request req;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                req = req_for("bob", names[i], i == 1 ? 1 : 0);
                req.user_containers_max = 3;
                must_reserve(l, &req, 0); /* the third is exactly at the limit */
        }
        req = req_for("bob", "d._.bob", 0);
        req.user_containers_max = 3;
        assert_refused(l, &req, -EDQUOT,
                       "berth: you may hold 3 containers at once and hold 3 (a._.bob, b._.bob, c._.bob); retire one "
                       "with 'container retire NAME' first.");
        req.user_containers_max = 0;
        assert_refused(l, &req, -EDQUOT,
                       "berth: you may not hold containers (your limit is 0); ask an admin to raise it.");
        /* pending reservations count: commit or not */
        req = req_for("alice", "x._.alice", 0);
        req.user_containers_max = 1;
        must_reserve(l, &req, 0);
        req.container = NULL;
        assert_refused(l, &req, -EDQUOT,
                       "berth: you may hold 1 container at once and hold 1 (x._.alice); retire one with 'container "
                       "retire NAME' first.");
        req.user_containers_max = 2;
        const struct ledger_entry *e = must_reserve(l, &req, 0);
        req.user_containers_max = 2;
        char want[256];
        snprintf(want, sizeof(want),
                 "berth: you may hold 2 containers at once and hold 2 (x._.alice, pending reservation %.8s); retire one "
                 "with 'container retire NAME' first.",
                 e->id);
        assert_refused(l, &req, -EDQUOT, want);
}
END_TEST

START_TEST(test_quota_group_containers) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req;

        req = req_for("alice", "a._.alice", 0);
        req.group_containers_max = 2;
        must_reserve(l, &req, 0);
        req = req_for("bob", "b._.bob", 1);
        req.group_containers_max = 2;
        must_reserve(l, &req, 0);
        req = req_for("carol", "c._.carol", 0);
        req.group_containers_max = 2;
        assert_refused(l, &req, -EDQUOT,
                       "berth: group students may hold 2 containers at once and holds 2; ask an admin or wait for one to "
                       "be retired.");
        req.group_containers_max = 0;
        assert_refused(l, &req, -EDQUOT, "berth: group students may not hold containers; ask an admin.");
        req.group_containers_max = 3;
        must_reserve(l, &req, 0);

        /* admins bypass every quota */
        req = req_for("root", "ops._.root", 1);
        req.admin = true;
        req.user_gpus_max = req.per_container_gpus_max = req.group_gpus_max = 0;
        req.user_containers_max = req.group_containers_max = 0;
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, GPU2);
}
END_TEST

START_TEST(test_quota_order) {
        /* per container, then user GPUs, then group GPUs, then user and group containers */
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "a._.alice", 1);
        struct berth_error err = { 0 };

        req.group_gpus_max = 1;
        req.user_containers_max = 1;
        req.group_containers_max = 1;
        must_reserve(l, &req, 0);
        req.per_container_gpus_max = 0.5;
        req.user_gpus_max = 1;
        ck_assert_int_eq(ledger_reserve(l, &req, 0, NULL, &err), -EDQUOT);
        ck_assert_ptr_nonnull(strstr(err.message, "a container may hold"));
        req.per_container_gpus_max = 1;
        ck_assert_int_eq(ledger_reserve(l, &req, 0, NULL, &err), -EDQUOT);
        ck_assert_ptr_nonnull(strstr(err.message, "you already hold 1 of 1 GPU"));
        req.user_gpus_max = 2;
        ck_assert_int_eq(ledger_reserve(l, &req, 0, NULL, &err), -EDQUOT);
        ck_assert_ptr_nonnull(strstr(err.message, "group students already holds"));
        req.group_gpus_max = 2;
        ck_assert_int_eq(ledger_reserve(l, &req, 0, NULL, &err), -EDQUOT);
        ck_assert_ptr_nonnull(strstr(err.message, "you may hold 1 container"));
        req.user_containers_max = 2;
        ck_assert_int_eq(ledger_reserve(l, &req, 0, NULL, &err), -EDQUOT);
        ck_assert_ptr_nonnull(strstr(err.message, "group students may hold 1 container"));
        req.group_containers_max = 2;
        must_reserve(l, &req, 0);
}
END_TEST

START_TEST(test_commit_cancel_ownership) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "train._.alice", 1);
        const struct ledger_entry *e = must_reserve(l, &req, 0);
        struct berth_error err = { 0 };
        char id[LEDGER_ID_LEN + 1];
        _cleanup_free_ char *before = NULL, *after = NULL;

        memcpy(id, e->id, sizeof(id));
        before = snapshot(l);
        ck_assert_int_eq(ledger_commit(l, id, 1001, false, SEC, &err), -EPERM);
        ck_assert_str_eq(err.message, "berth: reservation 000000000000feed0000000000000001 belongs to another user; "
                                      "only its owner or an admin may commit or cancel it.");
        ck_assert_int_eq(ledger_cancel(l, id, 1001, false, SEC, &err), -EPERM);
        ck_assert_int_eq(ledger_commit(l, "0123", 1000, false, SEC, &err), -ENOENT);
        ck_assert_str_eq(err.message, "berth: reservation 0123 is unknown or has expired; run the command again to get a new one.");
        ck_assert_int_eq(ledger_cancel(l, "0123", 1000, false, SEC, &err), -ENOENT);
        ck_assert_int_eq(ledger_commit(l, NULL, 1000, false, SEC, &err), -EINVAL);
        after = snapshot(l);
        ck_assert_str_eq(before, after);

        /* owner commits: expiry moves to now + ttl */
        ck_assert_int_eq(ledger_commit(l, id, 1000, false, 10 * SEC, &err), 0);
        ck_assert_int_eq(e->state, LEDGER_COMMITTED);
        ck_assert_uint_eq(e->expires_usec, 10 * SEC + TTL);
        /* admin commits again (another uid): moves again */
        ck_assert_int_eq(ledger_commit(l, id, 0, true, 20 * SEC, &err), 0);
        ck_assert_uint_eq(e->expires_usec, 20 * SEC + TTL);
        ck_assert_int_eq(ledger_check_invariants(l), 0);

        /* owner cancels: freed at once */
        ck_assert_int_eq(ledger_cancel(l, id, 1000, false, 21 * SEC, &err), 0);
        ck_assert_ptr_null(ledger_find(l, id));
        ck_assert_ptr_null(ledger_device_holder(l, I_GPU0));

        /* admin cancels someone else's */
        e = must_reserve(l, &req, 30 * SEC);
        memcpy(id, e->id, sizeof(id));
        ck_assert_ptr_eq(ledger_device_holder(l, I_GPU0), e);
        ck_assert_int_eq(ledger_cancel(l, id, 0, true, 31 * SEC, &err), 0);
        ck_assert_ptr_null(ledger_device_holder(l, I_GPU0));

        /* bound: commit is a no-op, cancel refuses (the container holds it) */
        e = must_reserve(l, &req, 40 * SEC);
        memcpy(id, e->id, sizeof(id));
        ck_assert_int_eq(ledger_bind(l, id, "train._.alice", "c0ffee", 41 * SEC, NULL), 0);
        ck_assert_int_eq(ledger_commit(l, id, 1000, false, 42 * SEC, &err), 0);
        ck_assert_int_eq(e->state, LEDGER_BOUND);
        ck_assert_int_eq(ledger_cancel(l, id, 1000, false, 42 * SEC, &err), -EBUSY);
        ck_assert_str_eq(err.message, "berth: reservation 000000000000feed0000000000000003 already belongs to container "
                                      "train._.alice; retire the container to free its GPUs.");
        ck_assert_ptr_eq(ledger_find(l, id), e);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
}
END_TEST

struct seen {
        size_t n;
        char ids[8][LEDGER_ID_LEN + 1];
        char uuids[8][256];
        enum ledger_state states[8];
};

static void record(const struct ledger_entry *e, void *userdata) {
        struct seen *s = userdata;
        _cleanup_free_ char *u = NULL;

        ck_assert_uint_lt(s->n, 8);
        ck_assert_int_eq(ledger_entry_uuids(e, &u), 0);
        memcpy(s->ids[s->n], e->id, sizeof(s->ids[s->n]));
        snprintf(s->uuids[s->n], sizeof(s->uuids[s->n]), "%s", u);
        s->states[s->n] = e->state;
        s->n++;
}

/* A stopped container keeps its GPUs for the hold, then parks them; a later
 * start takes the same ones back when free and within quota, else is
 * refused and nothing changes. */
START_TEST(test_hold_after_stop) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "a._.alice", 1);
        struct berth_error err = { 0 };
        struct seen seen = { 0 };
        const struct ledger_entry *a = must_reserve(l, &req, 0);
        ck_assert_int_eq(ledger_bind(l, a->id, NULL, "cid-a", SEC, NULL), 0);
        ck_assert_int_eq(ledger_container_stopped(l, "nope", 5 * SEC), -ENOENT);

        /* stopped at 10 s with a 20 s hold */
        ck_assert_int_eq(ledger_container_stopped(l, "cid-a", 30 * SEC), 0);
        ck_assert_uint_eq(ledger_next_hold_end(l), 30 * SEC);
        ck_assert_uint_eq(ledger_release_held(l, 29 * SEC, record, &seen), 0);
        ck_assert_ptr_nonnull(ledger_device_holder(l, I_GPU0));
        ck_assert_uint_eq(ledger_release_held(l, 30 * SEC, record, &seen), 1);
        ck_assert_uint_eq(seen.n, 1);
        ck_assert_str_eq(seen.uuids[0], GPU0);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
        a = ledger_find_container(l, "cid-a");
        ck_assert_uint_eq(a->n_devices, 0);
        ck_assert_str_eq(a->parked[0], GPU0);
        ck_assert_uint_eq(ledger_next_hold_end(l), LEDGER_NEVER);
        ck_assert_ptr_null(ledger_device_holder(l, I_GPU0));
        double g;
        uint64_t n;
        ledger_user_usage(l, "alice", &g, &n);
        ck_assert(g == 0 && n == 1); /* still a container, no GPU */

        /* bob takes GPU0 meanwhile: alice's start is refused, nothing changes */
        struct ledger_request rb = req_for("bob", "b._.bob", 0);
        const char *dev0[] = { GPU0, NULL };
        rb.devices = (char *const *) dev0;
        const struct ledger_entry *b = must_reserve(l, &rb, 31 * SEC);
        _cleanup_free_ char *before = snapshot(l), *after = NULL;
        ck_assert_int_eq(ledger_rehold(l, "cid-a", &req, 32 * SEC, &err), -EBUSY);
        ck_assert_msg(strstr(err.message, GPU0) && strstr(err.message, "b._.bob"), "%s", err.message);
        after = snapshot(l);
        ck_assert_str_eq(before, after);

        /* over her quota once it is free again: refused too */
        struct berth_error e2 = { 0 };
        ck_assert_int_eq(ledger_cancel(l, b->id, 1001, false, 33 * SEC, &e2), 0);
        req.user_gpus_max = 0;
        ck_assert_int_eq(ledger_rehold(l, "cid-a", &req, 34 * SEC, &err), -EDQUOT);
        req.user_gpus_max = INFINITY;

        /* free and allowed: the same GPU back, held until the start event */
        ck_assert_int_eq(ledger_rehold(l, "cid-a", &req, 35 * SEC, &err), 1);
        a = ledger_find_container(l, "cid-a");
        assert_uuids(a, GPU0);
        ck_assert_ptr_null(a->parked);
        ck_assert_uint_eq(a->hold_until_usec, 35 * SEC + TTL);
        ck_assert_int_eq(ledger_container_started(l, "cid-a"), 0);
        ck_assert_uint_eq(ledger_next_hold_end(l), LEDGER_NEVER);
        ck_assert_int_eq(ledger_rehold(l, "cid-a", &req, 36 * SEC, &err), 0); /* nothing parked */
        ck_assert_int_eq(ledger_check_invariants(l), 0);
}
END_TEST

START_TEST(test_expiry) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "a._.alice", 1);
        struct berth_error err = { 0 };
        struct seen seen = { 0 };
        const struct ledger_entry *a, *b, *c;
        char ida[LEDGER_ID_LEN + 1];

        ck_assert_uint_eq(ledger_next_expiry(l), LEDGER_NEVER);
        a = must_reserve(l, &req, 0);                    /* expires 30 */
        memcpy(ida, a->id, sizeof(ida));
        req.container = "b._.alice";
        req.ttl_usec = 10 * SEC;
        b = must_reserve(l, &req, 5 * SEC);              /* expires 15 */
        req.container = "c._.alice";
        req.ttl_usec = 0;                                /* the default */
        c = must_reserve(l, &req, 0);
        ck_assert_uint_eq(c->expires_usec, LEDGER_TTL_DEFAULT_USEC);
        ck_assert_int_eq(ledger_bind(l, c->id, NULL, "cid-c", SEC, NULL), 0);
        ck_assert_uint_eq(ledger_next_expiry(l), 15 * SEC);

        ck_assert_int_eq(ledger_commit(l, b->id, 1000, false, 14 * SEC, &err), 0); /* now 24 */
        ck_assert_uint_eq(ledger_next_expiry(l), 24 * SEC);
        ck_assert_uint_eq(ledger_expire(l, 23 * SEC, record, &seen), 0);
        ck_assert_uint_eq(seen.n, 0);

        /* a past-expiry entry no longer commits, binds or cancels, even before the timer runs */
        ck_assert_int_eq(ledger_commit(l, ida, 1000, false, 30 * SEC, &err), -ENOENT);
        ck_assert_int_eq(ledger_bind(l, ida, "a._.alice", "cid-a", 30 * SEC, NULL), -ENOENT);
        ck_assert_int_eq(ledger_bind(l, NULL, "a._.alice", "cid-a", 30 * SEC, NULL), -ENOENT);
        ck_assert_int_eq(ledger_cancel(l, ida, 1000, false, 30 * SEC, &err), -ENOENT);

        ck_assert_uint_eq(ledger_expire(l, 30 * SEC, record, &seen), 2);
        ck_assert_uint_eq(seen.n, 2);
        ck_assert_str_eq(seen.ids[0], ida);
        ck_assert_str_eq(seen.uuids[0], GPU0);
        ck_assert_int_eq(seen.states[0], LEDGER_RESERVED);
        ck_assert_str_eq(seen.uuids[1], GPU2);
        ck_assert_int_eq(seen.states[1], LEDGER_COMMITTED);
        ck_assert_uint_eq(ledger_next_expiry(l), LEDGER_NEVER);
        ck_assert_uint_eq(ledger_expire(l, UINT64_MAX - 1, NULL, NULL), 0); /* bound never expires */
        ck_assert_ptr_null(ledger_device_holder(l, I_GPU0));
        ck_assert_ptr_nonnull(ledger_device_holder(l, I_GPU3));
        ck_assert_int_eq(ledger_check_invariants(l), 0);

        /* freed devices are handed out again */
        req.container = "d._.alice";
        ck_assert_str_eq(must_reserve(l, &req, 31 * SEC)->devices[0].uuid, GPU0);

        /* a huge TTL saturates, never reaching LEDGER_NEVER */
        req.container = "e._.alice";
        req.ttl_usec = UINT64_MAX;
        ck_assert_uint_eq(must_reserve(l, &req, 31 * SEC)->expires_usec, LEDGER_NEVER - 1);
}
END_TEST

START_TEST(test_bind) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "train._.alice", 1);
        const struct ledger_entry *a, *b, *ret = NULL;

        a = must_reserve(l, &req, 0);
        req.container = "eval._.alice";
        b = must_reserve(l, &req, 0);

        /* by reservation id */
        ck_assert_int_eq(ledger_bind(l, a->id, "train._.alice", "cid-a", SEC, &ret), 0);
        ck_assert_ptr_eq(ret, a);
        ck_assert_int_eq(a->state, LEDGER_BOUND);
        ck_assert_uint_eq(a->expires_usec, LEDGER_NEVER);
        ck_assert_str_eq(a->container_id, "cid-a");
        /* the same event twice is fine; the container under another entry is not */
        ck_assert_int_eq(ledger_bind(l, a->id, "train._.alice", "cid-a", SEC, NULL), 0);
        ck_assert_int_eq(ledger_bind(l, b->id, "eval._.alice", "cid-a", SEC, NULL), -EEXIST);
        ck_assert_int_eq(ledger_bind(l, a->id, "train._.alice", "cid-other", SEC, NULL), -EEXIST);
        ck_assert_int_eq(ledger_bind(l, "ffffffffffffffffffffffffffffffff", "x", "cid-x", SEC, NULL), -ENOENT);
        ck_assert_int_eq(ledger_bind(l, NULL, NULL, "cid-x", SEC, NULL), -EINVAL);
        ck_assert_int_eq(ledger_bind(l, a->id, "x", NULL, SEC, NULL), -EINVAL);

        /* by name (no reservation label), only pending entries */
        ck_assert_int_eq(ledger_bind(l, NULL, "nosuch._.alice", "cid-n", SEC, NULL), -ENOENT);
        ck_assert_int_eq(ledger_bind(l, NULL, "eval._.alice", "cid-b", SEC, &ret), 0);
        ck_assert_ptr_eq(ret, b);
        ck_assert_str_eq(b->container_id, "cid-b");
        ck_assert_int_eq(ledger_bind(l, NULL, "eval._.alice", "cid-b", SEC, NULL), 0);

        /* Docker's name wins when it differs */
        req.container = NULL;
        const struct ledger_entry *c = must_reserve(l, &req, 0);
        ck_assert_ptr_null(c->container);
        ck_assert_int_eq(ledger_bind(l, c->id, "named._.alice", "cid-c", SEC, NULL), 0);
        ck_assert_str_eq(c->container, "named._.alice");
        ck_assert_ptr_eq(ledger_find_container(l, "named._.alice"), c);
        ck_assert_ptr_eq(ledger_find_container(l, "cid-c"), c);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
        ck_assert_uint_eq(ledger_next_expiry(l), LEDGER_NEVER);
}
END_TEST

START_TEST(test_adopt) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        const struct ledger_entry *e = NULL, *r0;
        const char *u1[] = { GPU0, MIG_A, MIG_A, NULL };
        const char *u2[] = { GONE, NULL };
        const char *u3[] = { GPU2, NULL };
        struct ledger_request req;
        double gpus;
        uint64_t n;

        /* known devices count; duplicates are folded */
        ck_assert_int_eq(ledger_adopt(l, "alice", 1000, "students", "old._.alice", "cid-1", (char *const *) u1, 0, &e), 0);
        ck_assert_int_eq(e->state, LEDGER_ADOPTED);
        ck_assert_uint_eq(e->expires_usec, LEDGER_NEVER);
        assert_uuids(e, GPU0 "," MIG_A);
        ck_assert_uint_eq(e->slices, 10);
        ck_assert(!e->conflict);
        ck_assert_int_eq(ledger_adopt(l, "alice", 1000, "students", "old._.alice", "cid-1", NULL, 0, NULL), -EEXIST);
        ck_assert_int_eq(ledger_adopt(l, "alice", 1000, "students", "x", NULL, NULL, 0, NULL), -EINVAL);

        /* unknown UUIDs are kept, count nothing, crash nothing */
        ck_assert_int_eq(ledger_adopt(l, "bob", 1001, "students", "gone._.bob", "cid-2", (char *const *) u2, 0, &e), 0);
        ck_assert_uint_eq(e->n_devices, 1);
        ck_assert_uint_eq(e->devices[0].index, LEDGER_DEVICE_UNKNOWN);
        ck_assert_uint_eq(e->slices, 0);
        assert_uuids(e, GONE);

        /* quotas are not checked: Docker is the truth … */
        ck_assert_int_eq(ledger_adopt(l, "alice", 1000, "students", "more._.alice", "cid-3", NULL, 0, NULL), 0);
        ledger_user_usage(l, "alice", &gpus, &n);
        ck_assert(fabs(gpus - 10.0 / 7) < 1e-12);
        ck_assert_uint_eq(n, 2);
        /* … but they hold for what comes next */
        req = req_for("alice", "new._.alice", 1);
        req.user_gpus_max = 1;
        assert_refused(l, &req, -EDQUOT,
                       "berth: you already hold 1.43 of 1 GPU (old._.alice); retire one with 'container retire NAME'.");

        /* a device someone holds: recorded, reported, handed to nobody while either holds it */
        req = req_for("carol", "r._.carol", 1);
        r0 = must_reserve(l, &req, 0);
        ck_assert_str_eq(r0->devices[0].uuid, GPU2);
        ck_assert_int_eq(ledger_adopt(l, "bob", 1001, "students", "clash._.bob", "cid-4", (char *const *) u3, 0, &e), 1);
        ck_assert(e->conflict);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
        ck_assert_int_eq(ledger_cancel(l, r0->id, 1002, false, 0, NULL), 0);
        ck_assert_ptr_eq(ledger_device_holder(l, I_GPU2), e);
        req = req_for("carol", "s._.carol", 0);
        req.devices = (char *const *) u3;
        assert_refused(l, &req, -EBUSY, NULL);
        ck_assert_int_eq(ledger_release_container(l, "cid-4", NULL, NULL), 1);
        ck_assert_ptr_null(ledger_device_holder(l, I_GPU2));
        must_reserve(l, &req, 0);
}
END_TEST

START_TEST(test_adopt_parent_guard) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        const char *parent[] = { GPU1, NULL };
        const struct ledger_entry *e = NULL;
        struct ledger_request req;

        /* a container still labelled with the whole GPU1 blocks its MIG instances */
        ck_assert_int_eq(ledger_adopt(l, "bob", 1001, "students", "whole._.bob", "cid-w", (char *const *) parent, 0, &e), 0);
        ck_assert_uint_eq(e->devices[0].index, LEDGER_DEVICE_UNKNOWN);
        ck_assert_ptr_eq(ledger_device_holder(l, I_MIG_A), e);
        ck_assert_ptr_eq(ledger_device_holder(l, I_MIG_C), e);
        ck_assert_ptr_null(ledger_device_holder(l, I_GPU0));
        req = req_for("alice", "small._.alice", 0.25);
        ck_assert_str_eq(must_reserve(l, &req, 0)->devices[0].uuid, GPU0);

        /* and a MIG instance adopted while its parent is held is a conflict */
        const char *child[] = { MIG_B, NULL };
        ck_assert_int_eq(ledger_adopt(l, "carol", 1002, "students", "mig._.carol", "cid-m", (char *const *) child, 0, &e), 1);
        ck_assert(e->conflict);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
}
END_TEST

START_TEST(test_release) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("bob", "a._.bob", 2);
        struct seen seen = { 0 };
        const struct ledger_entry *a, *b;
        uint64_t n;
        size_t n_entries;

        req.user_containers_max = 2;
        a = must_reserve(l, &req, 0);
        ck_assert_int_eq(ledger_bind(l, a->id, "a._.bob", "0123456789abcdef0123", 0, NULL), 0);
        req.container = "b._.bob";
        req.gpus = 1;
        b = must_reserve(l, &req, 0);
        ck_assert_int_eq(ledger_bind(l, b->id, "b._.bob", "cid-b", 0, NULL), 0);
        req.container = "c._.bob";
        assert_refused(l, &req, -EDQUOT, NULL);

        /* destroy by Docker id: devices and the container slot come back */
        ck_assert_int_eq(ledger_release_container(l, "0123456789abcdef0123", record, &seen), 1);
        ck_assert_uint_eq(seen.n, 1);
        ck_assert_str_eq(seen.uuids[0], GPU0 "," GPU2);
        ck_assert_ptr_null(ledger_device_holder(l, I_GPU0));
        ledger_user_usage(l, "bob", NULL, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(ledger_release_container(l, "0123456789abcdef0123", NULL, NULL), 0);
        ck_assert_int_eq(ledger_release_container(l, "nosuch", NULL, NULL), 0);
        /* a pending reservation is not released by a destroy of that name */
        b = must_reserve(l, &req, 0);
        ck_assert_int_eq(ledger_release_container(l, "c._.bob", NULL, NULL), 0);
        ck_assert_int_eq(ledger_cancel(l, b->id, 1001, false, 0, NULL), 0);
        /* by name */
        ck_assert_int_eq(ledger_release_container(l, "b._.bob", record, &seen), 1);
        ck_assert_str_eq(seen.uuids[1], GPU3);
        ledger_user_usage(l, "bob", NULL, &n);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
        ledger_entries(l, &n_entries);
        ck_assert_uint_eq(n_entries, 0);
}
END_TEST

START_TEST(test_release_admin) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "a._.alice", 1);
        struct berth_error err = { 0 };
        const struct ledger_entry *e;
        char id[LEDGER_ID_LEN + 1];
        const char *gpu3[] = { GPU3, NULL };
        size_t n;

        e = must_reserve(l, &req, 0);
        ck_assert_int_eq(ledger_bind(l, e->id, "a._.alice", "aaaaaaaaaaaabbbbbbbbbbbbcccc", 0, NULL), 0);
        req.container = "b._.alice";
        e = must_reserve(l, &req, 0);
        memcpy(id, e->id, sizeof(id));
        req.container = "c._.alice";
        must_reserve(l, &req, 0);
        ck_assert_int_eq(ledger_adopt(l, "bob", 1001, "students", "d._.bob", "cid-d", (char *const *) gpu3, 0, NULL), 1);

        ck_assert_int_eq(ledger_release_admin(l, "nothing", NULL, NULL, &err), -ENOENT);
        ck_assert_str_eq(err.message, "berth: no container, reservation or GPU named nothing is held; 'berthctl status' "
                                      "lists the holders.");
        ck_assert_int_eq(ledger_release_admin(l, "aaaaaaaaaaa", NULL, NULL, &err), -ENOENT); /* prefix too short */
        ck_assert_int_eq(ledger_release_admin(l, "aaaaaaaaaaaa", NULL, NULL, &err), 1);
        ck_assert_int_eq(ledger_release_admin(l, id, NULL, NULL, &err), 1);
        /* by a device UUID: every holder of it, the conflicting one too */
        ck_assert_int_eq(ledger_release_admin(l, GPU3, NULL, NULL, &err), 2);
        ledger_entries(l, &n);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(ledger_release_admin(l, "", NULL, NULL, &err), -EINVAL);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
}
END_TEST

START_TEST(test_set_inventory) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "mig._.alice", 0.25);
        const struct ledger_entry *m, *w;
        const char *g2[] = { GPU2, NULL };

        m = must_reserve(l, &req, 0); /* MIG_B */
        req.container = "gpu._.alice";
        req.gpus = 0;
        req.devices = (char *const *) g2;
        w = must_reserve(l, &req, 0);

        /* MIG mode off on GPU1: MIG_B vanishes, but GPU1 stays blocked while it is held */
        ck_assert_int_eq(ledger_set_inventory(l, &inv_whole), 0);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
        ck_assert_ptr_eq(ledger_inventory(l), &inv_whole);
        ck_assert_uint_eq(m->devices[0].index, LEDGER_DEVICE_UNKNOWN);
        ck_assert_uint_eq(m->slices, 0);
        ck_assert_str_eq(m->devices[0].parent_uuid, GPU1);
        ck_assert_uint_eq(w->devices[0].index, 2);
        ck_assert_ptr_eq(ledger_device_holder(l, 1), m);
        req = req_for("bob", "b._.bob", 3);
        assert_refused(l, &req, -EBUSY, NULL);
        req.gpus = 2;
        assert_uuids(must_reserve(l, &req, 0), GPU0 "," GPU3);

        /* and back: MIG_B is matched by UUID again */
        ck_assert_int_eq(ledger_set_inventory(l, &inv4), 0);
        ck_assert_uint_eq(m->devices[0].index, I_MIG_B);
        ck_assert_uint_eq(m->slices, 2);
        ck_assert_uint_eq(w->devices[0].index, I_GPU2);
        ck_assert_int_eq(ledger_check_invariants(l), 0);

        /* a new layout that relates what two entries hold marks a conflict */
        _cleanup_ledger_ struct ledger *k = new_ledger(&inv_whole);
        const char *mb[] = { MIG_B, NULL };
        const char *g1[] = { GPU1, NULL };
        ck_assert_int_eq(ledger_adopt(k, "a", 1, "g", "x", "cid-x", (char *const *) mb, 0, NULL), 0);
        req = req_for("bob", "y._.bob", 0);
        req.devices = (char *const *) g1;
        must_reserve(k, &req, 0);
        ck_assert_int_eq(ledger_set_inventory(k, &inv4), 1);
        ck_assert_int_eq(ledger_check_invariants(k), 0);
        ck_assert_int_eq(ledger_set_inventory(k, NULL), 0);
        ck_assert_int_eq(ledger_check_invariants(k), 0);
}
END_TEST

START_TEST(test_names) {
        ck_assert_str_eq(ledger_state_name(LEDGER_RESERVED), "reserved");
        ck_assert_str_eq(ledger_state_name(LEDGER_COMMITTED), "committed");
        ck_assert_str_eq(ledger_state_name(LEDGER_BOUND), "bound");
        ck_assert_str_eq(ledger_state_name(LEDGER_ADOPTED), "adopted");
        ck_assert_ptr_null(ledger_state_name(_LEDGER_STATE_MAX));
        ck_assert_int_eq(ledger_error_kind_from_errno(0), LEDGER_ERROR_NONE);
        ck_assert_int_eq(ledger_error_kind_from_errno(3), LEDGER_ERROR_NONE);
        ck_assert_str_eq(ledger_error_kind_name(ledger_error_kind_from_errno(-ENOENT)), "not_found");
        ck_assert_str_eq(ledger_error_kind_name(ledger_error_kind_from_errno(-EPERM)), "permission_denied");
        ck_assert_str_eq(ledger_error_kind_name(ledger_error_kind_from_errno(-ENOMEM)), "internal");
        ck_assert_ptr_null(ledger_error_kind_name(_LEDGER_ERROR_MAX));
}
END_TEST

START_TEST(test_random_ids) {
        /* the default generator: getrandom(2), 32 lower-case hex digits, unique */
        _cleanup_ledger_ struct ledger *l = NULL;
        struct ledger_request req = req_for("alice", NULL, 0);
        const struct ledger_entry *a = NULL, *b = NULL;

        ck_assert_int_eq(ledger_new(&inv4, &l), 0);
        ck_assert_int_eq(ledger_reserve(l, &req, 0, &a, NULL), 0);
        ck_assert_int_eq(ledger_reserve(l, &req, 0, &b, NULL), 0);
        ck_assert_uint_eq(strlen(a->id), LEDGER_ID_LEN);
        ck_assert_uint_eq(strspn(a->id, "0123456789abcdef"), LEDGER_ID_LEN);
        ck_assert_str_ne(a->id, b->id);
        ck_assert_int_eq(ledger_check_invariants(l), 0);
}
END_TEST

static int stuck_id(char *ret, void *userdata) {
        memcpy(ret, "0123456789abcdef0123456789abcdef", LEDGER_ID_LEN + 1);
        return 0;
}

static int bad_id(char *ret, void *userdata) {
        memcpy(ret, "not hex", 8);
        return 0;
}

START_TEST(test_id_generator_failure) {
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        struct ledger_request req = req_for("alice", "a._.alice", 1);
        struct berth_error err = { 0 };

        ledger_set_id_generator(l, stuck_id, NULL);
        must_reserve(l, &req, 0);
        /* a generator that repeats itself: refused, nothing changes */
        assert_refused(l, &req, -EIO, NULL);
        ledger_set_id_generator(l, bad_id, NULL);
        ck_assert_int_eq(ledger_reserve(l, &req, 0, NULL, &err), -EIO);
        ck_assert_int_eq(ledger_adopt(l, "a", 1, "g", "n", "cid", NULL, 0, NULL), -EIO);
        ledger_set_id_generator(l, NULL, NULL);
        must_reserve(l, &req, 0);
}
END_TEST

/* --- stress ------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void) {
        /* xorshift64*: fixed seed, same run every time */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * UINT64_C(2685821657736338717);
}

static void assert_single_holders(const struct ledger *l) {
        const struct gpu_inventory *inv = ledger_inventory(l);
        size_t n;
        const struct ledger_entry *const *es = ledger_entries(l, &n);

        for (size_t d = 0; d < inv->n_devices; d++) {
                unsigned holders = 0;
                for (size_t i = 0; i < n; i++)
                        for (size_t j = 0; j < es[i]->n_devices; j++)
                                if (streq(es[i]->devices[j].uuid, inv->devices[d].uuid) ||
                                    streq_ptr(es[i]->devices[j].uuid, inv->devices[d].parent_uuid))
                                        holders++;
                ck_assert_uint_le(holders, 1);
        }
}

START_TEST(test_stress) {
        static const char *const users[] = { "alice", "bob", "carol", "dave", "erin" };
        static const double wants[] = { 0, 0, 1, 1, 2, 3, 0.25, 0.4, 0.5, 0.9 };
        _cleanup_ledger_ struct ledger *l = new_ledger(&inv4);
        uint64_t now = 0, cid = 0, ok = 0, refused = 0;

        rng_state = 0x9e3779b97f4a7c15ULL;
        for (unsigned step = 0; step < 20000; step++) {
                size_t n;
                const struct ledger_entry *const *es = ledger_entries(l, &n);
                const struct ledger_entry *pick = n ? es[rnd() % n] : NULL;
                const char *user = users[rnd() % ELEMENTSOF(users)];
                char name[64], id[64];
                struct berth_error err = { 0 };

                now += rnd() % (3 * SEC);
                switch (rnd() % 8) {
                case 0:
                case 1: {
                        struct ledger_request req = req_for(user, NULL, wants[rnd() % ELEMENTSOF(wants)]);
                        snprintf(name, sizeof(name), "s%u._.%s", step, user);
                        req.container = name;
                        req.uid = (uid_t) (3000 + (strchr("abcde", user[0]) - "abcde"));
                        req.group = user[0] < 'c' ? "students" : "staff";
                        req.user_gpus_max = 2;
                        req.per_container_gpus_max = 2;
                        req.group_gpus_max = 3;
                        req.user_containers_max = 3;
                        req.group_containers_max = 5;
                        req.ttl_usec = (1 + rnd() % 20) * SEC;
                        int r = ledger_reserve(l, &req, now, NULL, &err);
                        ck_assert_msg(r == 0 || r == -EDQUOT || r == -EBUSY, "%d %s", r, err.message);
                        if (r == 0)
                                ok++;
                        else
                                refused++;
                        break;
                }
                case 2:
                        if (pick)
                                ledger_commit(l, pick->id, pick->uid + (rnd() % 4 == 0), rnd() % 8 == 0, now, &err);
                        break;
                case 3:
                        if (pick)
                                ledger_cancel(l, pick->id, pick->uid + (rnd() % 4 == 0), false, now, &err);
                        break;
                case 4:
                        if (pick) {
                                snprintf(id, sizeof(id), "cid-%" PRIu64, ++cid);
                                snprintf(name, sizeof(name), "%s", strempty(pick->container));
                                if (rnd() % 2)
                                        ledger_bind(l, pick->id, name, id, now, NULL);
                                else
                                        ledger_bind(l, NULL, name, id, now, NULL);
                        }
                        break;
                case 5:
                        if (pick) {
                                snprintf(name, sizeof(name), "%s",
                                         pick->container_id ? pick->container_id : strempty(pick->container));
                                ledger_release_container(l, name, NULL, NULL);
                        }
                        break;
                case 6:
                        ledger_expire(l, now, NULL, NULL);
                        break;
                case 7:
                        if (pick && rnd() % 4 == 0) {
                                snprintf(id, sizeof(id), "%s", pick->id);
                                ck_assert_int_ge(ledger_release_admin(l, id, NULL, NULL, &err), 1);
                        }
                        break;
                default:
                        ck_abort();
                }

                ck_assert_msg(ledger_check_invariants(l) == 0, "invariants broken at step %u", step);
                assert_single_holders(l);
                /* quotas hold (nothing here is adopted) */
                for (size_t u = 0; u < ELEMENTSOF(users); u++) {
                        double gpus;
                        uint64_t c;
                        ledger_user_usage(l, users[u], &gpus, &c);
                        ck_assert(gpus <= 2 + 1e-9);
                        ck_assert_uint_le(c, 3);
                }
                for (unsigned g = 0; g < 2; g++) {
                        double gpus;
                        uint64_t c;
                        ledger_group_usage(l, g ? "staff" : "students", &gpus, &c);
                        ck_assert(gpus <= 3 + 1e-9);
                        ck_assert_uint_le(c, 5);
                }
        }
        /* the run did exercise both paths */
        ck_assert_uint_gt(ok, 1000);
        ck_assert_uint_gt(refused, 1000);
}
END_TEST

Suite *ledger_suite(void) {
        Suite *s = suite_create("ledger");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_whole_then_mig_largest_first);
        tcase_add_test(tc, test_multi_gpu);
        tcase_add_test(tc, test_fractions);
        tcase_add_test(tc, test_fraction_only_small_free);
        tcase_add_test(tc, test_zero_gpus);
        tcase_add_test(tc, test_invalid);
        tcase_add_test(tc, test_explicit_devices);
        tcase_add_test(tc, test_quota_per_container);
        tcase_add_test(tc, test_quota_user_gpus);
        tcase_add_test(tc, test_quota_fraction_headroom);
        tcase_add_test(tc, test_quota_group_gpus);
        tcase_add_test(tc, test_quota_user_containers);
        tcase_add_test(tc, test_quota_group_containers);
        tcase_add_test(tc, test_quota_order);
        tcase_add_test(tc, test_commit_cancel_ownership);
        tcase_add_test(tc, test_expiry);
        tcase_add_test(tc, test_hold_after_stop);
        tcase_add_test(tc, test_bind);
        tcase_add_test(tc, test_adopt);
        tcase_add_test(tc, test_adopt_parent_guard);
        tcase_add_test(tc, test_release);
        tcase_add_test(tc, test_release_admin);
        tcase_add_test(tc, test_set_inventory);
        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_random_ids);
        tcase_add_test(tc, test_id_generator_failure);
        tcase_add_test(tc, test_stress);
        suite_add_tcase(s, tc);
        return s;
}
