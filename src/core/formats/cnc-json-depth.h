/* cnc-json-depth.h
 * How deeply a JSON text nests, found before it is parsed: a parser recurses once per level.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deeper than any file we read needs (a models.json nests 5 levels, a safetensors header 3). */
#define CNC_JSON_MAX_DEPTH 64

/* The deepest nesting of arrays and objects in @text (@length bytes), strings and their escapes
 * skipped; it stops counting past @limit and returns limit + 1. Not a validator: what it cannot
 * make sense of is left for the parser to refuse. */
guint  cnc_json_depth (const char *text,
                       gsize       length,
                       guint       limit);

G_END_DECLS
