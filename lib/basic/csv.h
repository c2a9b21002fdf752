/* SPDX-License-Identifier: MIT */
#pragma once

/* Split one CSV record the way Go's encoding/csv does (docker's --gpus and
 * --mount values): fields separated by ',', a field in double quotes may
 * hold ',' and "" for '"'; "a," has an empty last field.  -EINVAL for an
 * unterminated quote or a quote inside an unquoted field. */
int csv_split(const char *s, char ***ret);
