/* cnc-chart-flips.h
 * How each compared model's predictions fared against the base's: one stacked bar per model (both right,
 * both wrong alike, both wrong differently, broken, fixed), and per-class accuracy changes as diverging bars.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "charts/cnc-chart-axis.h"

G_BEGIN_DECLS

/* The segments of a flip bar, in drawing order. */
typedef enum {
  CNC_CHART_FLIP_BOTH_CORRECT,
  CNC_CHART_FLIP_BOTH_WRONG_SAME,
  CNC_CHART_FLIP_BOTH_WRONG_DIFFERENT,
  CNC_CHART_FLIP_BROKEN,              /* base right, model wrong */
  CNC_CHART_FLIP_FIXED,               /* base wrong, model right */
  CNC_CHART_N_FLIPS,
} CncChartFlip;

const char *cnc_chart_flip_label (CncChartFlip flip);   /* "both right", …, "broken", "fixed" */
CncRgb      cnc_chart_flip_color (const CncChartStyle *style, CncChartFlip flip);

typedef struct {
  guint               n_models;
  const char * const *names;      /* [n_models] */
  const gint64       *counts;     /* [n_models × CNC_CHART_N_FLIPS] */
  int                 selected_model;   /* a segment outlined (-1: none) */
  CncChartFlip        selected_flip;
} CncChartFlipsData;

/* Where the bars sit in width × height. */
typedef struct {
  double x0, x1;          /* the bars' span (all of a model's instances) */
  double y0, row;         /* first bar's top, one row per model */
  double bar;             /* bar height */
  double width, height;
} CncChartFlipsFrame;

void      cnc_chart_flips_frame (cairo_t *cr, const CncChartStyle *style, const CncChartFlipsData *data,
                                 double width, double height, CncChartFlipsFrame *frame);
/* The bars, each segment labelled with its count and share where it fits, and a legend. */
void      cnc_chart_flips_draw  (cairo_t *cr, const CncChartStyle *style, const CncChartFlipsData *data,
                                 const CncChartFlipsFrame *frame);
/* The segment under (x, y). */
gboolean  cnc_chart_flips_hit   (const CncChartFlipsData *data, const CncChartFlipsFrame *frame, double x,
                                 double y, guint *model, CncChartFlip *flip);

/* Per-class accuracy changes of each compared model against the base, in percentage points. */
typedef struct {
  guint               k;
  guint               n_models;
  const char * const *labels;     /* [k] class names (NULL: numbers) */
  const char * const *names;      /* [n_models] */
  const double       *delta;      /* [n_models × k] accuracy change (fractions; NAN: class absent) */
  int                 selected_class;   /* outlined (-1: none) */
} CncChartClassDeltaData;

typedef struct {
  double x_zero, x_scale;   /* px of a change of 0, px per unit of change */
  double y0, row;           /* one row per class */
  double bar;               /* a model's bar height inside its class's row */
  double label_w;
  double width, height;
} CncChartClassDeltaFrame;

void      cnc_chart_class_delta_frame (cairo_t *cr, const CncChartStyle *style, const CncChartClassDeltaData *data,
                                       double width, double height, CncChartClassDeltaFrame *frame);
void      cnc_chart_class_delta_draw  (cairo_t *cr, const CncChartStyle *style, const CncChartClassDeltaData *data,
                                       const CncChartClassDeltaFrame *frame);
/* The class (row) under y; FALSE outside the rows. */
gboolean  cnc_chart_class_delta_hit   (const CncChartClassDeltaData *data, const CncChartClassDeltaFrame *frame,
                                       double x, double y, guint *class_index);

G_END_DECLS
