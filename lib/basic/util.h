/* SPDX-License-Identifier: MIT */
/* What nearly every file of berth uses: the conventions (macro.h), string
 * vectors and the error struct.  Anything else in basic/ is included by
 * name where it is used. */
#pragma once

#include "basic/error.h"
#include "basic/macro.h"
#include "basic/strv.h"
