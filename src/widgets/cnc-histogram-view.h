/* cnc-histogram-view.h
 * A brushable histogram of one metric: the range brushed becomes that metric's filter in the model set.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cnc-chart-view.h"

G_BEGIN_DECLS

#define CNC_TYPE_HISTOGRAM_VIEW (cnc_histogram_view_get_type ())
G_DECLARE_FINAL_TYPE (CncHistogramView, cnc_histogram_view, CNC, HISTOGRAM_VIEW, CncChartView)

/* CSS name "cnchistogramview". Bars show all models (light) and those passing every filter (solid);
 * dragging across the plot sets the set's filter for this metric (cnc_model_set_set_filter), dragging the
 * brush edges adjusts it, a click outside the brush clears it (cnc_model_set_remove_filter). The brushed
 * range's bounds are written with cnc_metric_format_value, with "N of M models" under the plot.
 * Properties: "model-set", "metric" (int), "n-bins" (uint, default 24). Natural height ~120 px. */

GtkWidget   *cnc_histogram_view_new           (CncModelSet *set, guint metric);
void         cnc_histogram_view_set_metric    (CncHistogramView *self, guint metric);
guint        cnc_histogram_view_get_metric    (CncHistogramView *self);
void         cnc_histogram_view_set_n_bins    (CncHistogramView *self, guint n_bins);

G_END_DECLS
