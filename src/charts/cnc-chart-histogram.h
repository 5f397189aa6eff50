/* cnc-chart-histogram.h
 * A histogram of one metric over all models and over those that pass the filters, with a brushed range.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "charts/cnc-chart-axis.h"

G_BEGIN_DECLS

typedef struct {
  const CncMetric *metric;
  guint            n_bins;
  const guint     *all;            /* n_bins counts over every model with a value */
  const guint     *passing;        /* n_bins counts over those passing every filter; may be NULL */
  double           lo, hi;         /* the binned range */
  gboolean         log_scale;
  gboolean         has_brush;
  double           brush_lo, brush_hi;
  guint            n_passing, n_total;   /* "N of M models" */
} CncChartHistogramData;

/* Counts @values (NAN skipped, optionally only where @mask is set) into n_bins equal bins over [lo, hi]
 * (log10-spaced when @log_scale); the top bin includes hi. */
void   cnc_chart_histogram_bin  (const double *values, const guint8 *mask, guint n, double lo, double hi,
                                 gboolean log_scale, guint n_bins, guint *counts);
/* Draws into width × height; @x_scale (optional) receives the value ↔ pixel scale for brushing. */
void   cnc_chart_histogram_draw (cairo_t *cr, const CncChartStyle *style, const CncChartHistogramData *data,
                                 double width, double height, CncChartScale *x_scale);

G_END_DECLS
