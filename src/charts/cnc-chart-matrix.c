/* cnc-chart-matrix.c
 * A K × K matrix of counts between classes: the confusion-change matrix, a confusion matrix and its delta.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-chart-matrix.h"

#include <math.h>

#define GAP 6.0   /* between labels and the grid */

static char *
label_of (const CncChartMatrixData *d, guint c)
{
  return d->labels && d->labels[c] ? g_strdup (d->labels[c]) : g_strdup_printf ("%u", c);
}

static gboolean
muted (const CncChartMatrixData *d, const CncChartMatrixFrame *f, guint r, guint c)
{
  return d->kind == CNC_CHART_MATRIX_COUNTS && d->mute_diagonal && f->per_cell == 1 && r == c;
}

gint64
cnc_chart_matrix_cell_value (const CncChartMatrixData *d, const CncChartMatrixFrame *f, guint r, guint c)
{
  gint64 sum = 0;

  for (guint i = r * f->per_cell; i < MIN ((r + 1) * f->per_cell, d->k); i++)
    for (guint j = c * f->per_cell; j < MIN ((c + 1) * f->per_cell, d->k); j++)
      sum += d->cells[(gsize) i * d->k + j];
  return sum;
}

void
cnc_chart_matrix_frame (cairo_t *cr, const CncChartStyle *style, const CncChartMatrixData *d,
                        double width, double height, CncChartMatrixFrame *f)
{
  double th, label_w = 0, title_h = 0, left, bottom, side;

  *f = (CncChartMatrixFrame) { .width = width, .height = height, .per_cell = 1 };
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);
  for (guint c = 0; c < d->k; c++)
    {
      g_autofree char *label = label_of (d, c);
      label_w = MAX (label_w, cnc_chart_text_width (cr, style, label, CNC_CHART_TEXT_SMALL, NULL));
    }
  label_w = MIN (label_w, MAX (40, width / 4));
  if (d->row_title || d->column_title)
    title_h = th + 4;

  /* First with labels; if the cells would be too small for them, without. */
  for (int labelled = 1; labelled >= 0; labelled--)
    {
      left = 4 + title_h + (labelled ? label_w + GAP : 0);
      /* column labels are turned 45°: they reach down (w + h) / √2 */
      bottom = 4 + title_h + (labelled ? (label_w + th) * M_SQRT1_2 + GAP : 0);
      side = floor (MIN (width - left - 8 - (labelled ? th : 0), height - bottom - 8));
      if (side < 1)
        side = 1;
      f->per_cell = side >= d->k ? 1 : (guint) ceil (d->k / side);
      f->cells = (d->k + f->per_cell - 1) / MAX (f->per_cell, 1);
      f->cell = f->cells ? floor (side / f->cells * 100) / 100 : side;
      if (!labelled || f->cell >= CNC_CHART_MATRIX_MIN_LABELLED_CELL)
        {
          f->label_step = labelled ? (guint) ceil ((th + 2) / f->cell) : 0;
          break;
        }
    }
  f->x0 = left;
  f->y0 = 8;

  /* the colour scale's end */
  for (guint r = 0; r < f->cells; r++)
    for (guint c = 0; c < f->cells; c++)
      if (!muted (d, f, r, c))
        f->max_abs = MAX (f->max_abs, fabs ((double) cnc_chart_matrix_cell_value (d, f, r, c)));
}

CncRgb
cnc_chart_matrix_cell_color (const CncChartStyle *style, const CncChartMatrixData *d,
                             const CncChartMatrixFrame *f, guint r, guint c)
{
  double v = cnc_chart_matrix_cell_value (d, f, r, c), t;

  if (v == 0)
    return style->background;
  if (muted (d, f, r, c))
    return style->grid;
  if (d->kind == CNC_CHART_MATRIX_CONFUSION_DELTA)
    {
      /* more right answers (diagonal) is better; more of any wrong answer is worse */
      gboolean diagonal = f->per_cell == 1 ? r == c : FALSE;
      double sign = diagonal ? 1 : -1;
      return cnc_colormap_diverging (sign * CLAMP (v / MAX (f->max_abs, 1), -1, 1));
    }
  t = d->log_scale ? log1p (v) / log1p (MAX (f->max_abs, 1)) : v / MAX (f->max_abs, 1);
  t = CLAMP (t, 0, 1);
  /* the largest counts stand out most: dark on a light background, bright on a dark one */
  return style->dark ? cnc_colormap_sequential (0.15 + 0.85 * t) : cnc_colormap_sequential (0.92 * (1 - t));
}

void
cnc_chart_matrix_cell_rect (const CncChartMatrixFrame *f, guint row, guint column, double *x, double *y,
                            double *size)
{
  *x = f->x0 + (column / f->per_cell) * f->cell;
  *y = f->y0 + (row / f->per_cell) * f->cell;
  *size = f->cell;
}

gboolean
cnc_chart_matrix_hit (const CncChartMatrixFrame *f, double x, double y, guint *row, guint *column)
{
  double gx = (x - f->x0) / f->cell, gy = (y - f->y0) / f->cell;

  if (f->cells == 0 || gx < 0 || gy < 0 || gx >= f->cells || gy >= f->cells)
    return FALSE;
  *row = (guint) gy * f->per_cell;
  *column = (guint) gx * f->per_cell;
  return TRUE;
}

static char *
value_text (const CncChartMatrixData *d, gint64 v)
{
  if (d->kind == CNC_CHART_MATRIX_CONFUSION_DELTA && v != 0)
    return g_strdup_printf ("%s%" G_GINT64_FORMAT, v > 0 ? "+" : "−", v > 0 ? v : -v);
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

void
cnc_chart_matrix_draw (cairo_t *cr, const CncChartStyle *style, const CncChartMatrixData *d,
                       const CncChartMatrixFrame *f)
{
  double side = f->cells * f->cell, th;

  cairo_save (cr);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_paint (cr);
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);

  /* cells; a density when they are smaller than a pixel or two (no gaps, no text) */
  for (guint r = 0; r < f->cells; r++)
    for (guint c = 0; c < f->cells; c++)
      {
        gint64 v = cnc_chart_matrix_cell_value (d, f, r, c);
        double x = f->x0 + c * f->cell, y = f->y0 + r * f->cell;
        double inset = f->cell >= 8 ? 0.5 : 0;
        CncRgb fill;

        if (v == 0)
          continue;
        fill = cnc_chart_matrix_cell_color (style, d, f, r, c);
        cairo_rectangle (cr, x + inset, y + inset, f->cell - 2 * inset, f->cell - 2 * inset);
        cnc_colormap_set_source (cr, fill, 1);
        cairo_fill (cr);
        if (f->cell >= th + 2)
          {
            g_autofree char *text = value_text (d, v);
            double tw = cnc_chart_text_width (cr, style, text, CNC_CHART_TEXT_SMALL, NULL);

            if (tw + 4 <= f->cell)
              {
                gboolean light = cnc_colormap_luminance (fill) > 0.4;
                CncRgb ink = muted (d, f, r, c) ? style->foreground
                             : light ? (CncRgb) { 0.08, 0.08, 0.1 } : (CncRgb) { 1, 1, 1 };
                cnc_colormap_set_source (cr, ink, muted (d, f, r, c) ? 0.7 : 1);
                cnc_chart_text (cr, style, text, x + f->cell / 2, y + f->cell / 2, 0.5, 0.5,
                                CNC_CHART_TEXT_SMALL);
              }
          }
      }

  /* the grid's frame, and the diagonal as a guide */
  cairo_set_line_width (cr, 1);
  cnc_colormap_set_source (cr, style->grid, 1);
  cairo_rectangle (cr, f->x0 - 0.5, f->y0 - 0.5, side + 1, side + 1);
  cairo_stroke (cr);
  if (f->cell >= 4)
    {
      double dashes[] = { 2, 3 };
      cairo_set_dash (cr, dashes, 2, 0);
      cnc_colormap_set_source (cr, style->muted, 0.5);
      cairo_move_to (cr, f->x0, f->y0);
      cairo_line_to (cr, f->x0 + side, f->y0 + side);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  /* selected cells */
  if (d->selected)
    {
      cairo_set_line_width (cr, 2);
      cnc_colormap_set_source (cr, style->accent, 1);
      for (guint i = 0; i < d->k; i++)
        for (guint j = 0; j < d->k; j++)
          if (d->selected[(gsize) i * d->k + j])
            {
              double x, y, s;
              cnc_chart_matrix_cell_rect (f, i, j, &x, &y, &s);
              cairo_rectangle (cr, x + 1, y + 1, MAX (s - 2, 1), MAX (s - 2, 1));
              cairo_stroke (cr);
            }
    }

  /* labels: rows on the left, columns turned 45° below */
  cnc_colormap_set_source (cr, style->foreground, 1);
  for (guint r = 0; f->label_step && r < f->cells; r += f->label_step)
    {
      g_autofree char *label = label_of (d, r * f->per_cell);
      g_autofree char *fit = cnc_chart_text_fit (cr, style, label, f->x0 - GAP - 4, CNC_CHART_TEXT_SMALL);
      cnc_chart_text (cr, style, fit, f->x0 - GAP, f->y0 + (r + 0.5) * f->cell, 1, 0.5, CNC_CHART_TEXT_SMALL);
    }
  for (guint c = 0; f->label_step && c < f->cells; c += f->label_step)
    {
      g_autofree char *label = label_of (d, c * f->per_cell);
      g_autofree char *fit = cnc_chart_text_fit (cr, style, label, f->x0 - GAP - 4, CNC_CHART_TEXT_SMALL);
      cairo_save (cr);
      cairo_translate (cr, f->x0 + (c + 0.5) * f->cell, f->y0 + side + GAP);
      cairo_rotate (cr, M_PI / 4);
      cnc_chart_text (cr, style, fit, 0, 0, 0, 0.5, CNC_CHART_TEXT_SMALL);
      cairo_restore (cr);
    }

  /* axis titles */
  cnc_colormap_set_source (cr, style->muted, 1);
  if (d->column_title)
    cnc_chart_text (cr, style, d->column_title, f->x0 + side / 2, f->height - 4, 0.5, 1, CNC_CHART_TEXT_SMALL);
  if (d->row_title)
    {
      cairo_save (cr);
      cairo_translate (cr, 4, f->y0 + side / 2);
      cairo_rotate (cr, -M_PI / 2);
      cnc_chart_text (cr, style, d->row_title, 0, 0, 0.5, 0, CNC_CHART_TEXT_SMALL);
      cairo_restore (cr);
    }
  cairo_restore (cr);
}
