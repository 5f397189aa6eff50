/* cnc-enum-names.h
 * Names of enum values both ways, from the nicks glib-mkenums registers (cnc-core-enums.h, engine's too).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The nick of @value in the enum @type, or NULL when @value is none of its values. */
const char *cnc_enum_get_nick  (GType       type,
                                gint        value);

/* The value whose nick is @nick: TRUE and *@value set (@value may be NULL), or FALSE when none is
 * (or @nick is NULL). */
gboolean    cnc_enum_from_nick (GType       type,
                                const char *nick,
                                gint       *value);

G_END_DECLS
