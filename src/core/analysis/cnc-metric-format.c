/* cnc-metric-format.c
 * Numbers shown to people: metric values in their unit with sensible precision.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-metric-format"

#include "cnc-metric-format.h"

#include <math.h>
#include <string.h>

static gboolean
is_percent (const CncMetric *m)
{
  return m->format && strchr (m->format, '%') != NULL;
}

static gboolean
is_bytes (const CncMetric *m)
{
  if (m->unit && (g_str_equal (m->unit, "B") || g_ascii_strcasecmp (m->unit, "bytes") == 0))
    return TRUE;
  /* The reference tool writes model sizes in bytes with an SI format (".2~s"). */
  return m->unit == NULL && m->format && strchr (m->format, 's') && m->name
         && strstr (m->name, "Size") != NULL;
}

/* Three significant digits, without trailing zeros: 82.7, 19, 0.123. */
static char *
significant (double v)
{
  double a = fabs (v);
  int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  g_autofree char *s = g_strdup_printf ("%.*f", decimals, v);

  if (strchr (s, '.'))
    {
      char *end = s + strlen (s) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  return g_steal_pointer (&s);
}

static char *
with_prefix (double      v,
             const char *unit,
             gboolean    binary_space)
{
  static const char * const prefixes[] = { "", "k", "M", "G", "T", "P" };
  double a = fabs (v);
  guint p = 0;
  g_autofree char *num = NULL;

  while (a >= 999.5 && p + 1 < G_N_ELEMENTS (prefixes))
    {
      a /= 1000;
      v /= 1000;
      p++;
    }
  num = significant (v);
  if (unit)
    return g_strdup_printf ("%s %s%s", num, prefixes[p], unit);
  return g_strdup_printf ("%s%s", num, prefixes[p]);
  (void) binary_space;
}

char *
cnc_metric_format_value (const CncMetric *m,
                         double           v)
{
  g_autofree char *num = NULL;

  if (isnan (v))
    return g_strdup ("—");
  if (isinf (v))
    return g_strdup (v > 0 ? "∞" : "−∞");
  if (is_percent (m))
    return g_strdup_printf ("%.1f%%", v * 100);
  if (is_bytes (m))
    return with_prefix (v, "B", FALSE);
  if (m->format && strchr (m->format, 's'))
    return with_prefix (v, m->unit, FALSE);
  if (m->unit && g_str_equal (m->unit, "ms") && fabs (v) >= 1000)
    {
      g_autofree char *seconds = significant (v / 1000);
      return g_strdup_printf ("%s s", seconds);
    }
  if (v == floor (v) && fabs (v) < 1e15)
    num = g_strdup_printf ("%.0f", v);
  else
    num = significant (v);
  if (m->unit)
    return g_strdup_printf ("%s %s", num, m->unit);
  return g_steal_pointer (&num);
}

char *
cnc_metric_format_change (const CncMetric *m,
                          double           v,
                          double           parent)
{
  g_autofree char *num = NULL;
  double d;

  if (isnan (v))
    return g_strdup ("—");
  if (isnan (parent))
    return g_strdup ("new");
  if (is_percent (m))
    {
      d = (v - parent) * 100;
      if (fabs (d) < 0.05)
        return g_strdup ("±0 pp");
      return g_strdup_printf ("%s%.1f pp", d > 0 ? "+" : "−", fabs (d));
    }
  if (parent == 0)
    return v == 0 ? g_strdup ("±0%") : g_strdup ("new");
  d = (v - parent) / fabs (parent) * 100;
  if (fabs (d) < 0.05)
    return g_strdup ("±0%");
  num = significant (fabs (d));
  return g_strdup_printf ("%s%s%%", d > 0 ? "+" : "−", num);
}
