/* cnc-chart-scatter.h
 * The scatterplot of models on two metrics, linear or log axes, with the Pareto frontier as a step line.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "charts/cnc-chart-axis.h"

G_BEGIN_DECLS

typedef enum {
  CNC_CHART_POINT_SELECTED = 1 << 0,
  CNC_CHART_POINT_FADED    = 1 << 1,   /* filtered out: faded, not on the frontier */
} CncChartPointFlags;

/* Arrays have n entries and are borrowed. */
typedef struct {
  guint               n;
  const double       *x, *y;           /* NAN: not drawn */
  const double       *color;           /* scale position in [0, 1] (1 = better), NAN = no value; NULL: one colour */
  const double       *size;            /* [0, 1]; NULL: one size */
  const guint8       *flags;           /* CncChartPointFlags; may be NULL */
  const CncMetric    *x_metric, *y_metric;
  gboolean            x_log, y_log;
  const guint        *front;           /* Pareto front (indices), may be NULL */
  guint               n_front;
  const CncMetric    *color_metric;    /* legend; NULL: none */
  double              color_lo, color_hi;
} CncChartScatterData;

/* The plot area and scales for a size: computed once, used to draw and to hit-test. */
typedef struct {
  double        width, height;
  double        left, top, right, bottom;   /* the plot rectangle */
  CncChartScale x, y;
} CncChartScatterFrame;

void     cnc_chart_scatter_frame      (cairo_t *cr, const CncChartStyle *style, const CncChartScatterData *data,
                                       double width, double height, CncChartScatterFrame *frame);
void     cnc_chart_scatter_draw       (cairo_t *cr, const CncChartStyle *style, const CncChartScatterData *data,
                                       const CncChartScatterFrame *frame);
void     cnc_chart_scatter_draw_hover (cairo_t *cr, const CncChartStyle *style, const CncChartScatterData *data,
                                       const CncChartScatterFrame *frame, guint point);
double   cnc_chart_scatter_radius     (const CncChartScatterData *data, guint point);
gboolean cnc_chart_scatter_position   (const CncChartScatterData *data, const CncChartScatterFrame *frame,
                                       guint point, double *px, double *py);
/* The point nearest (x, y) within its radius + @slop (faded points excluded), or G_MAXUINT. */
guint    cnc_chart_scatter_hit        (const CncChartScatterData *data, const CncChartScatterFrame *frame,
                                       double x, double y, double slop);
GArray  *cnc_chart_scatter_points_in_rect (const CncChartScatterData *data, const CncChartScatterFrame *frame,
                                           double x0, double y0, double x1, double y1);

G_END_DECLS
