/* cnc-colormap.c
 * Colour scales for metrics: perceptual and colour-blind-safe, "better" always at the same end.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-colormap.h"

#include <math.h>

/* viridis (matplotlib, CC0) at t = 0, 0.1, ... 1 */
static const guint32 viridis[] = {
  0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
  0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725,
};

/* ColorBrewer BrBG (colour-blind safe), worse (brown) to better (teal). */
static const guint32 brbg[] = {
  0x8c510a, 0xbf812d, 0xdfc27d, 0xf6e8c3, 0xf0f0f0, 0xc7eae5, 0x80cdc1, 0x35978f, 0x01665e,
};

/* Okabe & Ito, "Color Universal Design". */
static const guint32 okabe_ito[] = {
  0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7, 0x56b4e9, 0xd55e00, 0xf0e442, 0x6b6b6b,
};

static CncRgb
rgb (guint32 hex)
{
  CncRgb c = { ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0, (hex & 0xff) / 255.0 };
  return c;
}

static CncRgb
ramp (const guint32 *stops, guint n, double t)
{
  double x = CLAMP (t, 0.0, 1.0) * (n - 1);
  guint i = MIN ((guint) floor (x), n - 2);
  double f = x - i;
  CncRgb a = rgb (stops[i]), b = rgb (stops[i + 1]), c;

  c.r = a.r + (b.r - a.r) * f;
  c.g = a.g + (b.g - a.g) * f;
  c.b = a.b + (b.b - a.b) * f;
  return c;
}

CncRgb
cnc_colormap_missing (void)
{
  return rgb (0x9a9a9a);
}

CncRgb
cnc_colormap_sequential (double t)
{
  if (isnan (t))
    return cnc_colormap_missing ();
  return ramp (viridis, G_N_ELEMENTS (viridis), t);
}

CncRgb
cnc_colormap_diverging (double t)
{
  if (isnan (t))
    return cnc_colormap_missing ();
  return ramp (brbg, G_N_ELEMENTS (brbg), (CLAMP (t, -1.0, 1.0) + 1) / 2);
}

CncRgb
cnc_colormap_category (guint index)
{
  return rgb (okabe_ito[index % G_N_ELEMENTS (okabe_ito)]);
}

double
cnc_colormap_normalize (const CncMetric *metric, double value, double lo, double hi)
{
  double t;

  if (isnan (value))
    return NAN;
  if (!(hi > lo))
    return 0.5;
  t = CLAMP ((value - lo) / (hi - lo), 0.0, 1.0);
  if (metric && !metric->higher_is_better)
    t = 1 - t;
  return t;
}

static double
linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

double
cnc_colormap_luminance (CncRgb c)
{
  return 0.2126 * linear (c.r) + 0.7152 * linear (c.g) + 0.0722 * linear (c.b);
}

CncRgb
cnc_colormap_outline (CncRgb fill, CncRgb background)
{
  double lf = cnc_colormap_luminance (fill), lb = cnc_colormap_luminance (background);
  CncRgb dark = { 0.12, 0.12, 0.14 }, light = { 0.96, 0.96, 0.96 };

  /* The outline contrasts with the background first; with a fill close to the background it is what
   * keeps the mark visible. */
  if (lb > 0.4)
    return lf > 0.5 ? dark : (CncRgb) { fill.r * 0.55, fill.g * 0.55, fill.b * 0.55 };
  return lf < 0.25 ? light : (CncRgb) { MIN (1, fill.r * 0.6 + 0.4), MIN (1, fill.g * 0.6 + 0.4), MIN (1, fill.b * 0.6 + 0.4) };
}

void
cnc_colormap_set_source (cairo_t *cr, CncRgb color, double alpha)
{
  cairo_set_source_rgba (cr, color.r, color.g, color.b, alpha);
}
