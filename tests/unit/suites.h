/* SPDX-License-Identifier: MIT */
/* Declares every unit suite (forced into each test file with -include), so
 * the strict -Werror=missing-prototypes holds for tests too. */
#pragma once
#include <check.h>

#define SUITE(f) Suite *f(void);
#include "suites.inc"
#undef SUITE
