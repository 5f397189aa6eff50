/* cnc-chart-bars.h
 * A grouped bar chart of one metric for a few models: groups on the X axis, coloured series, a legend.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "charts/cnc-chart-axis.h"
#include "core/analysis/cnc-differs.h"

G_BEGIN_DECLS

/* One bar per model; arrays of n_bars entries, borrowed. */
typedef struct {
  const CncMetric    *metric;         /* title and value format */
  guint               n_bars;
  const double       *values;         /* NAN: "no value" marker instead of a bar */
  const guint        *group;          /* group index of each bar */
  const guint        *series;         /* series index of each bar (NULL: all 0) */
  guint               n_groups;
  const char * const *group_labels;
  const char         *group_title;    /* under the X axis, may be NULL */
  guint               n_series;
  const char * const *series_labels;  /* legend (only with 2+ series) */
  const char         *series_title;
  const guint8       *selected;       /* may be NULL: ring the bar's outline */
  guint               hovered;        /* bar index or G_MAXUINT */
} CncChartBarsData;

/* Each bar's rectangle after drawing, for hit tests. */
typedef struct {
  double x, y, w, h;
} CncChartBarRect;

/* The height a chart needs at a width (title, plot, axis). */
double   cnc_chart_bars_height (cairo_t *cr, const CncChartStyle *style, const CncChartBarsData *data);
/* Draws into (x, y, width, height); @rects (optional) receives n_bars rectangles. */
void     cnc_chart_bars_draw   (cairo_t *cr, const CncChartStyle *style, const CncChartBarsData *data,
                                double x, double y, double width, double height, CncChartBarRect *rects);
/* The legend of the series, as one line; returns its height. */
double   cnc_chart_bars_legend (cairo_t *cr, const CncChartStyle *style, const CncChartBarsData *data,
                                double x, double y, double width);
guint    cnc_chart_bars_hit    (const CncChartBarRect *rects, guint n_bars, double x, double y);

/* How a comparison's bars are grouped: per model (in the differs' order) a group and a series. */
typedef struct {
  guint      n_models;
  guint     *group;
  guint     *series;
  GPtrArray *group_labels;   /* char* */
  GPtrArray *series_labels;  /* char*; empty for one series */
  char      *group_title;
  char      *series_title;
} CncChartBarsDesign;

/* The X axis from variable @group_variable of @differs, the series from @series_variable (-1: none); with no
 * variable (identical lineages) each model is its own group, named. */
void     cnc_chart_bars_design_from_differs (CncChartBarsDesign *design, const CncDiffers *differs,
                                             int group_variable, int series_variable);
/* Points @data's grouping fields at @design (values, metric, selection are the caller's). */
void     cnc_chart_bars_design_apply        (const CncChartBarsDesign *design, CncChartBarsData *data);
void     cnc_chart_bars_design_clear        (CncChartBarsDesign *design);

G_END_DECLS
