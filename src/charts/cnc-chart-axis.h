/* cnc-chart-axis.h
 * What every chart shares: the style (colours, font), scales with nice ticks, axes, text.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "charts/cnc-colormap.h"
#include "core/cnc-records.h"

G_BEGIN_DECLS

typedef struct {
  CncRgb      background;
  CncRgb      foreground;    /* text, axes */
  CncRgb      muted;         /* secondary text */
  CncRgb      grid;          /* grid lines, guides */
  CncRgb      accent;        /* selection */
  CncRgb      edge;          /* lineage ribbons when not coloured */
  gboolean    dark;
  const char *font_family;
  double      font_size;     /* px */
} CncChartStyle;

void     cnc_chart_style_init   (CncChartStyle *style, gboolean dark);

/* A linear or log scale from a data domain to a pixel range (px0 may be greater than px1: Y axes). */
typedef struct {
  double   lo, hi;
  double   px0, px1;
  gboolean log;
} CncChartScale;

double   cnc_chart_scale_map    (const CncChartScale *scale, double value);
double   cnc_chart_scale_invert (const CncChartScale *scale, double px);
/* Widens [lo, hi] to nice tick values (and away from a zero-width range). Log scales need lo > 0. */
void     cnc_chart_scale_nice   (CncChartScale *scale, guint max_ticks);
/* Tick values (doubles) inside the domain: 1-2-5 steps; log scales: powers of ten (and 2, 5 between when
 * the domain spans few decades). */
GArray  *cnc_chart_ticks        (const CncChartScale *scale, guint max_ticks);

typedef enum {
  CNC_CHART_AXIS_BOTTOM,
  CNC_CHART_AXIS_LEFT,
} CncChartAxisSide;

/* Draws an axis along the scale at cross coordinate @at (y for bottom, x for left), its tick labels
 * formatted with cnc_metric_format_value (plain numbers when @metric is NULL), its @title, and grid lines
 * across to @grid_to (NAN: none). */
void     cnc_chart_axis_draw    (cairo_t             *cr,
                                 const CncChartStyle *style,
                                 const CncChartScale *scale,
                                 CncChartAxisSide     side,
                                 double               at,
                                 double               grid_to,
                                 const CncMetric     *metric,
                                 const char          *title,
                                 guint                max_ticks);

/* Text (Pango): @ax/@ay place the anchor (0 left/top, 0.5 centre, 1 right/bottom). Returns the width. */
typedef enum {
  CNC_CHART_TEXT_NORMAL = 0,
  CNC_CHART_TEXT_BOLD   = 1 << 0,
  CNC_CHART_TEXT_SMALL  = 1 << 1,
  CNC_CHART_TEXT_HALO   = 1 << 2,   /* outlined in the background colour: readable over lines */
} CncChartTextFlags;

double   cnc_chart_text         (cairo_t *cr, const CncChartStyle *style, const char *text,
                                 double x, double y, double ax, double ay, CncChartTextFlags flags);
/* Size of a text without drawing it. */
double   cnc_chart_text_width   (cairo_t *cr, const CncChartStyle *style, const char *text,
                                 CncChartTextFlags flags, double *height);
/* Cuts @text to @max_width with "…"; returns a new string. */
char    *cnc_chart_text_fit     (cairo_t *cr, const CncChartStyle *style, const char *text,
                                 double max_width, CncChartTextFlags flags);

/* A rounded rectangle path. */
void     cnc_chart_rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r);

/* A colour ramp legend for @metric over [lo, hi]: "better" at the right end, named; the
 * ticks formatted as the metric. Returns the height used. */
double   cnc_chart_color_legend (cairo_t *cr, const CncChartStyle *style, const CncMetric *metric,
                                 double lo, double hi, double x, double y, double width);

/* Hit tests: the mark nearest (x, y) among those offered, each within its own reach (radius plus slop). */
typedef struct {
  double x, y;
  double best;    /* distance of the nearest so far */
  guint  hit;     /* G_MAXUINT: none */
} CncChartNearest;

void     cnc_chart_nearest_init      (CncChartNearest *nearest, double x, double y);
void     cnc_chart_nearest_offer     (CncChartNearest *nearest, guint mark, double mark_x, double mark_y,
                                      double reach);

/* Strokes the current path as a @line_width line of @color over a @halo_width halo of the background colour:
 * visible on any fill. */
void     cnc_chart_stroke_on_halo    (cairo_t *cr, const CncChartStyle *style, double halo_width,
                                      double line_width, CncRgb color, double alpha);

/* Rings around selected marks (map nodes, scatter points): a gap in the background colour under an accent
 * line, visible on any fill. */
typedef struct {
  double x, y;
  double radius;
} CncChartRing;

void     cnc_chart_selection_rings   (cairo_t *cr, const CncChartStyle *style, const CncChartRing *rings,
                                      guint n_rings);

/* A card of lines (the hover card): a bold title, then rows "label  value  change"; @change_sign per row
 * (-1 worse, 0 neutral, +1 better) colours the change. Placed near (x, y) inside width × height. */
typedef struct {
  const char *label;
  const char *value;
  const char *change;       /* may be NULL */
  int         change_sign;
} CncChartCardRow;

void     cnc_chart_card_draw         (cairo_t *cr, const CncChartStyle *style, double x, double y,
                                      double width, double height, const char *title, const char *subtitle,
                                      const CncChartCardRow *rows, guint n_rows);

G_END_DECLS
