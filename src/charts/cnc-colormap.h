/* cnc-colormap.h
 * Colour scales for metrics: perceptual and colour-blind-safe, "better" always at the same end.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "core/cnc-records.h"

G_BEGIN_DECLS

typedef struct {
  double r, g, b;
} CncRgb;

/* Sequential (viridis): t in [0, 1], 0 = worst (dark violet), 1 = best (yellow). Clamped; NAN gives the
 * "no value" grey. */
CncRgb  cnc_colormap_sequential (double t);
/* Diverging around zero for a change (brown–white–teal): t in [-1, 1], -1 = much worse, +1 = much better. */
CncRgb  cnc_colormap_diverging  (double t);
/* Categorical (Okabe–Ito), for series: cycles after 8. */
CncRgb  cnc_colormap_category   (guint index);
/* The grey for models without a value. */
CncRgb  cnc_colormap_missing    (void);

/* @value of @metric in [lo, hi] as a position on the scale: 1 is better, so lower-is-better metrics are
 * inverted. NAN for a missing value. A degenerate range gives 0.5. */
double  cnc_colormap_normalize  (const CncMetric *metric, double value, double lo, double hi);

/* Relative luminance (WCAG) and a mark outline that stands out on @background for any fill. */
double  cnc_colormap_luminance  (CncRgb color);
CncRgb  cnc_colormap_outline    (CncRgb fill, CncRgb background);

void    cnc_colormap_set_source (cairo_t *cr, CncRgb color, double alpha);

G_END_DECLS
