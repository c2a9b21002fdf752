/* SPDX-License-Identifier: MIT */
/* One check runner for every unit suite; the Makefile lists the suites
 * (suites.inc) from the "Suite *X_suite(void)" definitions it finds. */
#include <check.h>
#include <stdlib.h>

#define SUITE(f) Suite *f(void);
#include "suites.inc"
#undef SUITE

int main(void) {
        SRunner *sr = srunner_create(NULL);
#define SUITE(f) srunner_add_suite(sr, f());
#include "suites.inc"
#undef SUITE
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
