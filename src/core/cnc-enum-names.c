/* cnc-enum-names.c
 * Names of enum values both ways, from the nicks glib-mkenums registers (cnc-core-enums.h, engine's too).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-enum-names"

#include "cnc-enum-names.h"

/* The class of an enum type, referenced once and kept: its value table is static. */
static GEnumClass *
enum_class (GType type)
{
  gpointer klass = g_type_class_peek (type);

  if (klass == NULL)
    klass = g_type_class_ref (type);
  return klass;
}

const char *
cnc_enum_get_nick (GType type,
                   gint  value)
{
  GEnumValue *v;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), NULL);

  v = g_enum_get_value (enum_class (type), value);
  return v ? v->value_nick : NULL;
}

gboolean
cnc_enum_from_nick (GType       type,
                    const char *nick,
                    gint       *value)
{
  GEnumValue *v;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), FALSE);

  if (nick == NULL || (v = g_enum_get_value_by_nick (enum_class (type), nick)) == NULL)
    return FALSE;
  if (value)
    *value = v->value;
  return TRUE;
}
