/* cnc-chart-matrix.h
 * A K × K matrix of counts between classes: the confusion-change matrix, a confusion matrix and its delta.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "charts/cnc-chart-axis.h"

G_BEGIN_DECLS

typedef enum {
  /* Counts (≥ 0) on a sequential ramp that stands out from the background in either style: the
   * change matrix (base's prediction × model's) or one model's confusion matrix (true × predicted). */
  CNC_CHART_MATRIX_COUNTS,
  /* A confusion matrix's change (model − base, true × predicted) on the diverging ramp, coloured by
   * what the change means: more on the diagonal (right answers) is better, more off it is worse. */
  CNC_CHART_MATRIX_CONFUSION_DELTA,
} CncChartMatrixKind;

typedef struct {
  guint               k;
  const gint64       *cells;          /* k × k, [row · k + column] */
  CncChartMatrixKind  kind;
  const char * const *labels;         /* k class names; NULL: the class numbers */
  const char         *row_title;      /* "prune-90 predicts", "true class" … (left) */
  const char         *column_title;   /* (bottom) */
  gboolean            log_scale;      /* COUNTS: colour by log(1 + count) */
  gboolean            mute_diagonal;  /* COUNTS: the diagonal (unchanged / right) in grey, out of the scale */
  const guint8       *selected;       /* k × k flags or NULL: cells outlined in the accent colour */
} CncChartMatrixData;

/* Where the matrix sits in width × height. With many classes a drawn cell gathers @per_cell × @per_cell
 * classes (their counts summed), so that every cell is at least a pixel: at 1,000 classes the matrix is a
 * density. Labels are thinned to every @label_step-th. */
typedef struct {
  double x0, y0;        /* top-left corner of the grid */
  double cell;          /* drawn cell size, px */
  guint  cells;         /* drawn cells per side: ⌈k / per_cell⌉ */
  guint  per_cell;      /* classes per drawn cell, per side */
  guint  label_step;    /* 0: no labels */
  double width, height;
  double max_abs;       /* the colour scale's end: the largest |cell| drawn (diagonal left out when muted) */
} CncChartMatrixFrame;

/* The smallest drawn cell (px) at which labels are drawn, and counts written when they fit. */
#define CNC_CHART_MATRIX_MIN_LABELLED_CELL 4.0

void      cnc_chart_matrix_frame      (cairo_t *cr, const CncChartStyle *style, const CncChartMatrixData *data,
                                       double width, double height, CncChartMatrixFrame *frame);
/* The value of drawn cell (r, c): the sum of the classes it gathers. */
gint64    cnc_chart_matrix_cell_value (const CncChartMatrixData *data, const CncChartMatrixFrame *frame,
                                       guint r, guint c);
void      cnc_chart_matrix_draw       (cairo_t *cr, const CncChartStyle *style, const CncChartMatrixData *data,
                                       const CncChartMatrixFrame *frame);
/* The drawn cell under (x, y): its first row and column class. FALSE outside the grid. */
gboolean  cnc_chart_matrix_hit        (const CncChartMatrixFrame *frame, double x, double y, guint *row,
                                       guint *column);
/* The cell's rectangle (drawn cell containing class row × column). */
void      cnc_chart_matrix_cell_rect  (const CncChartMatrixFrame *frame, guint row, guint column, double *x,
                                       double *y, double *size);
/* The fill of a drawn cell (for tests and legends). */
CncRgb    cnc_chart_matrix_cell_color (const CncChartStyle *style, const CncChartMatrixData *data,
                                       const CncChartMatrixFrame *frame, guint r, guint c);

G_END_DECLS
