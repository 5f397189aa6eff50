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

/* Define the functions that name an enum's values, from its GType's nicks, so that no enum keeps a
 * second table of its names:
 *   const char *TO_NAME (Type value);                     NULL (with a critical) for no value of the enum
 *   gboolean    FROM_NAME (const char *name, Type *value); FALSE for no name of it (@value may be NULL) */
#define CNC_DEFINE_ENUM_TO_NAME(Type, type_macro, to_name)               \
  const char *                                                          \
  to_name (Type value)                                                  \
  {                                                                     \
    const char *nick = cnc_enum_get_nick (type_macro, (gint) value);    \
                                                                        \
    g_return_val_if_fail (nick != NULL, NULL);                          \
    return nick;                                                        \
  }

#define CNC_DEFINE_ENUM_FROM_NAME(Type, type_macro, from_name)           \
  gboolean                                                              \
  from_name (const char *name,                                          \
             Type       *value)                                         \
  {                                                                     \
    gint v;                                                             \
                                                                        \
    if (!cnc_enum_from_nick (type_macro, name, &v))                     \
      return FALSE;                                                     \
    if (value != NULL)                                                  \
      *value = (Type) v;                                                \
    return TRUE;                                                        \
  }

#define CNC_DEFINE_ENUM_NAMES(Type, type_macro, to_name, from_name)      \
  CNC_DEFINE_ENUM_TO_NAME (Type, type_macro, to_name)                   \
  CNC_DEFINE_ENUM_FROM_NAME (Type, type_macro, from_name)

G_END_DECLS
