/* cnc-chart-flips.c
 * How each compared model's predictions fared against the base's: one stacked bar per model (both right,
 * both wrong alike, both wrong differently, broken, fixed), and per-class accuracy changes as diverging bars.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-chart-flips.h"

#include <math.h>

static const char * const flip_labels[CNC_CHART_N_FLIPS] = {
  "both right", "both wrong, alike", "both wrong, differently", "broken", "fixed",
};

const char *
cnc_chart_flip_label (CncChartFlip flip)
{
  g_return_val_if_fail (flip < CNC_CHART_N_FLIPS, NULL);
  return flip_labels[flip];
}

CncRgb
cnc_chart_flip_color (const CncChartStyle *style, CncChartFlip flip)
{
  /* what changed stands out on the diverging ramp (broken: worse, fixed: better); what did not, in greys */
  switch (flip)
    {
    case CNC_CHART_FLIP_BROKEN:
      return cnc_colormap_diverging (-0.85);
    case CNC_CHART_FLIP_FIXED:
      return cnc_colormap_diverging (0.85);
    case CNC_CHART_FLIP_BOTH_CORRECT:
      return style->dark ? (CncRgb) { 0.30, 0.31, 0.33 } : (CncRgb) { 0.86, 0.87, 0.88 };
    case CNC_CHART_FLIP_BOTH_WRONG_SAME:
      return style->dark ? (CncRgb) { 0.45, 0.46, 0.48 } : (CncRgb) { 0.66, 0.67, 0.69 };
    case CNC_CHART_FLIP_BOTH_WRONG_DIFFERENT:
    default:
      return style->dark ? (CncRgb) { 0.60, 0.61, 0.63 } : (CncRgb) { 0.48, 0.49, 0.51 };
    }
}

static gint64
model_total (const CncChartFlipsData *d, guint m)
{
  gint64 total = 0;

  for (guint f = 0; f < CNC_CHART_N_FLIPS; f++)
    total += d->counts[m * CNC_CHART_N_FLIPS + f];
  return total;
}

static double
names_width (cairo_t *cr, const CncChartStyle *style, const char * const *names, guint n, double cap)
{
  double w = 0;

  for (guint i = 0; names && i < n; i++)
    w = MAX (w, cnc_chart_text_width (cr, style, names[i], CNC_CHART_TEXT_NORMAL, NULL));
  return MIN (w, cap);
}

void
cnc_chart_flips_frame (cairo_t *cr, const CncChartStyle *style, const CncChartFlipsData *d,
                       double width, double height, CncChartFlipsFrame *f)
{
  double th, legend;

  *f = (CncChartFlipsFrame) { .width = width, .height = height };
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);
  legend = th + 12;
  f->x0 = 8 + names_width (cr, style, d->names, d->n_models, width / 3) + 10;
  f->x1 = MAX (f->x0 + 10, width - 10);
  f->y0 = 8;
  f->row = d->n_models ? MIN (40, (height - f->y0 - legend) / d->n_models) : 0;
  f->bar = MAX (4, f->row * 0.7);
}

/* Walks the segments of model @m: calls @visit with each one's extent. */
typedef void (*SegmentFunc) (guint m, CncChartFlip flip, gint64 count, double share, double x, double w,
                             gpointer data);

static void
each_segment (const CncChartFlipsData *d, const CncChartFlipsFrame *f, guint m, SegmentFunc visit, gpointer data)
{
  gint64 total = model_total (d, m);
  double x = f->x0;

  for (guint k = 0; k < CNC_CHART_N_FLIPS; k++)
    {
      gint64 count = d->counts[m * CNC_CHART_N_FLIPS + k];
      double share = total > 0 ? (double) count / total : 0;
      double w = share * (f->x1 - f->x0);

      visit (m, k, count, share, x, w, data);
      x += w;
    }
}

typedef struct {
  cairo_t                  *cr;
  const CncChartStyle      *style;
  const CncChartFlipsData  *d;
  const CncChartFlipsFrame *f;
} Drawing;

static void
draw_segment (guint m, CncChartFlip flip, gint64 count, double share, double x, double w, gpointer data)
{
  Drawing *g = data;
  double y = g->f->y0 + m * g->f->row + (g->f->row - g->f->bar) / 2;
  CncRgb fill = cnc_chart_flip_color (g->style, flip);
  g_autofree char *text = NULL;
  double tw;

  if (count == 0)
    return;
  cairo_rectangle (g->cr, x, y, MAX (w, 1), g->f->bar);
  cnc_colormap_set_source (g->cr, fill, 1);
  cairo_fill (g->cr);
  if ((int) m == g->d->selected_model && flip == g->d->selected_flip)
    {
      cairo_rectangle (g->cr, x + 1, y + 1, MAX (w - 2, 1), g->f->bar - 2);
      cnc_colormap_set_source (g->cr, g->style->accent, 1);
      cairo_set_line_width (g->cr, 2);
      cairo_stroke (g->cr);
    }
  /* the count, and its share where there is room */
  text = share >= 0.001 ? g_strdup_printf ("%" G_GINT64_FORMAT " (%.1f%%)", count, 100 * share)
                        : g_strdup_printf ("%" G_GINT64_FORMAT, count);
  tw = cnc_chart_text_width (g->cr, g->style, text, CNC_CHART_TEXT_SMALL, NULL);
  if (tw + 6 > w)
    {
      g_free (text);
      text = g_strdup_printf ("%" G_GINT64_FORMAT, count);
      tw = cnc_chart_text_width (g->cr, g->style, text, CNC_CHART_TEXT_SMALL, NULL);
    }
  if (tw + 6 <= w)
    {
      gboolean light = cnc_colormap_luminance (fill) > 0.4;
      cnc_colormap_set_source (g->cr, light ? (CncRgb) { 0.08, 0.08, 0.1 } : (CncRgb) { 1, 1, 1 }, 1);
      cnc_chart_text (g->cr, g->style, text, x + w / 2, y + g->f->bar / 2, 0.5, 0.5, CNC_CHART_TEXT_SMALL);
    }
}

void
cnc_chart_flips_draw (cairo_t *cr, const CncChartStyle *style, const CncChartFlipsData *d,
                      const CncChartFlipsFrame *f)
{
  Drawing g = { cr, style, d, f };
  double th, x;

  cairo_save (cr);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_paint (cr);
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);
  for (guint m = 0; m < d->n_models; m++)
    {
      g_autofree char *name = cnc_chart_text_fit (cr, style, d->names[m], f->x0 - 18, CNC_CHART_TEXT_NORMAL);

      cnc_colormap_set_source (cr, style->foreground, 1);
      cnc_chart_text (cr, style, name, f->x0 - 10, f->y0 + (m + 0.5) * f->row, 1, 0.5, CNC_CHART_TEXT_NORMAL);
      each_segment (d, f, m, draw_segment, &g);
    }

  /* the legend, one swatch per kind */
  x = f->x0;
  for (guint k = 0; k < CNC_CHART_N_FLIPS; k++)
    {
      double y = f->y0 + d->n_models * f->row + 6;

      cairo_rectangle (cr, x, y + 1, th - 2, th - 2);
      cnc_colormap_set_source (cr, cnc_chart_flip_color (style, k), 1);
      cairo_fill (cr);
      cnc_colormap_set_source (cr, style->muted, 1);
      x += th + 2 + cnc_chart_text (cr, style, flip_labels[k], x + th + 2, y, 0, 0, CNC_CHART_TEXT_SMALL) + 14;
    }
  cairo_restore (cr);
}

typedef struct {
  double        x;
  gboolean      found;
  CncChartFlip  flip;
} Finding;

static void
find_segment (guint m, CncChartFlip flip, gint64 count, double share, double x, double w, gpointer data)
{
  Finding *find = data;

  if (count > 0 && find->x >= x && find->x < x + MAX (w, 1))
    {
      find->found = TRUE;
      find->flip = flip;
    }
}

gboolean
cnc_chart_flips_hit (const CncChartFlipsData *d, const CncChartFlipsFrame *f, double x, double y, guint *model,
                     CncChartFlip *flip)
{
  Finding find = { x, FALSE, 0 };
  double in_row;
  guint m;

  if (f->row <= 0 || y < f->y0 || x < f->x0 || x >= f->x1)
    return FALSE;
  m = (guint) ((y - f->y0) / f->row);
  in_row = y - f->y0 - m * f->row;
  if (m >= d->n_models || in_row < (f->row - f->bar) / 2 || in_row > (f->row + f->bar) / 2)
    return FALSE;
  each_segment (d, f, m, find_segment, &find);
  if (!find.found)
    return FALSE;
  *model = m;
  *flip = find.flip;
  return TRUE;
}

/* ---- per-class changes --------------------------------------------------------------------------------------- */

static char *
class_label (const CncChartClassDeltaData *d, guint c)
{
  return d->labels && d->labels[c] ? g_strdup (d->labels[c]) : g_strdup_printf ("%u", c);
}

static char *
delta_text (double delta)
{
  if (isnan (delta))
    return g_strdup ("—");
  return g_strdup_printf ("%s%.1f pp", delta > 0 ? "+" : delta < 0 ? "−" : "", fabs (100 * delta));
}

void
cnc_chart_class_delta_frame (cairo_t *cr, const CncChartStyle *style, const CncChartClassDeltaData *d,
                             double width, double height, CncChartClassDeltaFrame *f)
{
  double max = 0, th, value_w, legend;

  *f = (CncChartClassDeltaFrame) { .width = width, .height = height };
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);
  value_w = cnc_chart_text_width (cr, style, "−100.0 pp", CNC_CHART_TEXT_SMALL, NULL) + 6;
  legend = d->n_models > 1 ? th + 10 : 0;
  for (guint c = 0; c < d->k; c++)
    {
      g_autofree char *label = class_label (d, c);
      f->label_w = MAX (f->label_w, cnc_chart_text_width (cr, style, label, CNC_CHART_TEXT_SMALL, NULL));
    }
  f->label_w = MIN (f->label_w, width / 3);
  for (gsize i = 0; i < (gsize) d->n_models * d->k; i++)
    if (!isnan (d->delta[i]))
      max = MAX (max, fabs (d->delta[i]));
  if (max == 0)
    max = 0.01;
  /* bars both ways from zero, with room for their values at both ends */
  f->x_zero = 8 + f->label_w + 8 + value_w + (width - (8 + f->label_w + 8 + 2 * value_w) - 8) / 2;
  f->x_scale = MAX (1, (width - (8 + f->label_w + 8 + 2 * value_w) - 8) / 2) / max;
  f->y0 = 6 + legend;
  f->row = d->k ? MIN (12.0 + 10 * d->n_models, (height - f->y0 - 6) / d->k) : 0;
  f->bar = d->n_models ? MAX (2, (f->row - 4) / d->n_models) : 0;
}

void
cnc_chart_class_delta_draw (cairo_t *cr, const CncChartStyle *style, const CncChartClassDeltaData *d,
                            const CncChartClassDeltaFrame *f)
{
  double th;

  cairo_save (cr);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_paint (cr);
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);

  /* which bar is which model */
  if (d->n_models > 1)
    {
      double x = 8 + f->label_w + 8;
      for (guint m = 0; m < d->n_models; m++)
        {
          cairo_rectangle (cr, x, 6 + 2, 3, th - 4);
          cnc_colormap_set_source (cr, cnc_colormap_category (m), 1);
          cairo_fill (cr);
          cnc_colormap_set_source (cr, style->muted, 1);
          x += 6 + cnc_chart_text (cr, style, d->names[m], x + 6, 6, 0, 0, CNC_CHART_TEXT_SMALL) + 14;
        }
    }

  for (guint c = 0; c < d->k; c++)
    {
      double row_y = f->y0 + c * f->row;
      g_autofree char *label = class_label (d, c);
      g_autofree char *fit = cnc_chart_text_fit (cr, style, label, f->label_w, CNC_CHART_TEXT_SMALL);

      if ((int) c == d->selected_class)
        {
          cairo_rectangle (cr, 2, row_y, f->width - 4, f->row);
          cnc_colormap_set_source (cr, style->accent, 0.14);
          cairo_fill (cr);
        }
      if (f->row >= th || c % (guint) ceil (th / MAX (f->row, 0.1)) == 0)
        {
          cnc_colormap_set_source (cr, style->foreground, 1);
          cnc_chart_text (cr, style, fit, 8 + f->label_w, row_y + f->row / 2, 1, 0.5, CNC_CHART_TEXT_SMALL);
        }
      for (guint m = 0; m < d->n_models; m++)
        {
          double v = d->delta[(gsize) m * d->k + c];
          double y = row_y + 2 + m * f->bar, x1;

          if (isnan (v))
            continue;
          x1 = f->x_zero + v * f->x_scale;
          cairo_rectangle (cr, MIN (f->x_zero, x1), y + 0.5, MAX (fabs (x1 - f->x_zero), 1), f->bar - 1);
          /* the sign in colour (better / worse), the size in length */
          cnc_colormap_set_source (cr, cnc_colormap_diverging (v > 0 ? 0.75 : v < 0 ? -0.75 : 0), 1);
          cairo_fill (cr);
          if (d->n_models > 1)
            {
              cairo_rectangle (cr, f->x_zero - (v < 0 ? 0 : 3), y + 0.5, 3, f->bar - 1);
              cnc_colormap_set_source (cr, cnc_colormap_category (m), 1);
              cairo_fill (cr);
            }
          if (f->bar >= th - 2)
            {
              g_autofree char *text = delta_text (v);
              cnc_colormap_set_source (cr, style->foreground, 1);
              cnc_chart_text (cr, style, text, v < 0 ? x1 - 4 : x1 + 4, y + f->bar / 2, v < 0 ? 1 : 0, 0.5,
                              CNC_CHART_TEXT_SMALL);
            }
        }
    }
  /* zero */
  cairo_set_line_width (cr, 1);
  cnc_colormap_set_source (cr, style->foreground, 0.6);
  cairo_move_to (cr, round (f->x_zero) + 0.5, f->y0);
  cairo_line_to (cr, round (f->x_zero) + 0.5, f->y0 + d->k * f->row);
  cairo_stroke (cr);
  cairo_restore (cr);
}

gboolean
cnc_chart_class_delta_hit (const CncChartClassDeltaData *d, const CncChartClassDeltaFrame *f, double x, double y,
                           guint *class_index)
{
  guint c;

  if (f->row <= 0 || y < f->y0 || x < 0 || x > f->width)
    return FALSE;
  c = (guint) ((y - f->y0) / f->row);
  if (c >= d->k)
    return FALSE;
  *class_index = c;
  return TRUE;
}
