/* cnc-json-build.c
 * Members of the JSON documents we write (see cnc-json-build.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-json"

#include "cnc-json-build.h"

#include <math.h>

static void
member (JsonBuilder *b,
        const char  *key)
{
  if (key)
    json_builder_set_member_name (b, key);
}

void
cnc_json_add_number (JsonBuilder *b,
                     const char  *key,
                     double       value)
{
  member (b, key);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
cnc_json_add_int (JsonBuilder *b,
                  const char  *key,
                  gint64       value)
{
  member (b, key);
  json_builder_add_int_value (b, value);
}

void
cnc_json_add_string (JsonBuilder *b,
                     const char  *key,
                     const char  *value)
{
  member (b, key);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
cnc_json_add_strings (JsonBuilder *b,
                      const char  *key,
                      GPtrArray   *strings)
{
  member (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; i < strings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (strings, i));
  json_builder_end_array (b);
}
