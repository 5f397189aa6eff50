/* cnc-json-build.h
 * Members of the JSON documents we write, the same way everywhere: non-finite numbers and missing strings as null.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Each writes member @key (NULL: the next element of an array). */
void cnc_json_add_number  (JsonBuilder *b, const char *key, double value);        /* NaN, ±Inf: null */
void cnc_json_add_int     (JsonBuilder *b, const char *key, gint64 value);
void cnc_json_add_string  (JsonBuilder *b, const char *key, const char *value);   /* NULL: null */
void cnc_json_add_strings (JsonBuilder *b, const char *key, GPtrArray *strings);  /* char*: an array */

G_END_DECLS
