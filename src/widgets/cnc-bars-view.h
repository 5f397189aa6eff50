/* cnc-bars-view.h
 * Grouped bar charts comparing 2–16 selected models: one chart per primary metric, bars grouped by the
 * experiment variables that tell the models apart ("what differs").
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/analysis/cnc-differs.h"
#include "cnc-chart-view.h"

G_BEGIN_DECLS

#define CNC_TYPE_BARS_VIEW (cnc_bars_view_get_type ())
G_DECLARE_FINAL_TYPE (CncBarsView, cnc_bars_view, CNC, BARS_VIEW, CncChartView)

/* CSS name "cncbarsview". Shows the set's selection when it holds 2–16 models (else a hint saying what to
 * select); a click on a bar selects that model alone. The widget asks for the height its charts need
 * (put it in a GtkScrolledWindow).
 *
 * The design: how bars are grouped. On each selection change the view computes "what differs"
 * (cnc_differs_compute, in a worker thread) and groups the bars by the first variable on the X axis and
 * the second as coloured series with a legend; with more than two variables (differs->refine) it uses the
 * first two until cnc_bars_view_set_variables picks others (the details panel's refine chips).
 * Signal "differs-changed" (): the differs of the current selection were computed (or cleared).
 * cnc_bars_view_set_design replaces the design by hand (each model's group and series labels); the view
 * drops it when the selection changes. */

GtkWidget   *cnc_bars_view_new          (CncModelSet *set);
void         cnc_bars_view_set_design   (CncBarsView        *self,
                                         guint               n_models,
                                         const guint        *models,          /* model indices */
                                         const char         *group_title,     /* e.g. "amount" */
                                         const char * const *group_labels,    /* n_models labels */
                                         const char         *series_title,    /* e.g. "retrained", or NULL */
                                         const char * const *series_labels);  /* n_models labels, or NULL */
void         cnc_bars_view_clear_design (CncBarsView *self);
/* The "what differs" result for the current selection, or NULL (fewer than 2 / more than 16, computing). */
const CncDiffers *cnc_bars_view_get_differs (CncBarsView *self);
/* Which variables of the differs group the bars (X axis) and colour them (series); -1 for none. */
void         cnc_bars_view_set_variables (CncBarsView *self, int group_variable, int series_variable);
/* Which metrics get a chart: NULL (default) = the primary metrics. */
void         cnc_bars_view_set_metrics  (CncBarsView *self, const guint *metrics, guint n_metrics);

G_END_DECLS
