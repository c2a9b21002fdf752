/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>

#include "basic/util.h"
#include "gate/owner-cache.h"

static json_t *answer(const char *id, bool mine) {
        return json_pack("{s:s,s:b,s:s,s:s,s:s,s:b,s:b,s:b}", "target", "web", "exists", true, "id", id, "name",
                         "web._.alice", "user", mine ? "alice" : "bob", "managed", true, "mine", mine, "host_paths",
                         false);
}

START_TEST(test_owner_cache) {
        OwnerCache *c = NULL;
        ck_assert_int_eq(owner_cache_new(&c), 0);
        _cleanup_json_ json_t *a = answer("aaaa", true), *theirs = answer("bbbb", false);
        const uint64_t t0 = 1000000;

        ck_assert_ptr_null(owner_cache_get(c, 1000, "web", t0));
        owner_cache_put(c, 1000, "web", a, t0);
        json_t *got = owner_cache_get(c, 1000, "web", t0 + 1);
        ck_assert_ptr_nonnull(got);
        ck_assert_ptr_ne(got, a); /* a copy, the caller's own */
        ck_assert_str_eq(json_string_value(json_object_get(got, "id")), "aaaa");
        json_decref(got);
        /* kept for that uid and that spelling alone */
        ck_assert_ptr_null(owner_cache_get(c, 1001, "web", t0 + 1));
        ck_assert_ptr_null(owner_cache_get(c, 1000, "web._.alice", t0 + 1));
        /* and for its time alone */
        ck_assert_ptr_null(owner_cache_get(c, 1000, "web", t0 + OWNER_CACHE_TTL_USEC));
        ck_assert_ptr_null(owner_cache_get(c, 1000, "web", t0 + 1));

        /* an answer that the container is someone else's is never kept */
        owner_cache_put(c, 1000, "other", theirs, t0);
        ck_assert_ptr_null(owner_cache_get(c, 1000, "other", t0 + 1));
        _cleanup_json_ json_t *noid = json_pack("{s:b}", "mine", true);
        owner_cache_put(c, 1000, "noid", noid, t0);
        ck_assert_ptr_null(owner_cache_get(c, 1000, "noid", t0 + 1));

        /* forgetting a uid forgets all of its answers and nobody else's */
        owner_cache_put(c, 1000, "web", a, t0);
        owner_cache_put(c, 1000, "aaaa", a, t0);
        owner_cache_put(c, 1001, "web", a, t0);
        owner_cache_forget(c, 1000);
        ck_assert_ptr_null(owner_cache_get(c, 1000, "web", t0 + 1));
        ck_assert_ptr_null(owner_cache_get(c, 1000, "aaaa", t0 + 1));
        got = owner_cache_get(c, 1001, "web", t0 + 1);
        ck_assert_ptr_nonnull(got);
        json_decref(got);

        /* many more names than slots: the newest stay findable, nothing leaks */
        char name[32];
        for (int i = 0; i < 4 * OWNER_CACHE_SLOTS; i++) {
                snprintf(name, sizeof(name), "c%d", i);
                owner_cache_put(c, 1000, name, a, t0);
        }
        got = owner_cache_get(c, 1000, name, t0 + 1);
        ck_assert_ptr_nonnull(got);
        json_decref(got);
        ck_assert_ptr_null(owner_cache_free(c));
        ck_assert_ptr_null(owner_cache_free(NULL));
        ck_assert_ptr_null(owner_cache_get(NULL, 1, "x", t0));
}
END_TEST

Suite *gate_owner_cache_suite(void) {
        Suite *s = suite_create("gate_owner_cache");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_owner_cache);
        suite_add_tcase(s, tc);
        return s;
}
