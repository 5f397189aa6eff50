/* cnc-chart-histogram.c
 * A histogram of one metric over all models and over those that pass the filters, with a brushed range.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-chart-histogram.h"

#include <math.h>
#include <string.h>

#include "core/analysis/cnc-metric-format.h"

void
cnc_chart_histogram_bin (const double *values, const guint8 *mask, guint n, double lo, double hi,
                         gboolean log_scale, guint n_bins, guint *counts)
{
  double a = lo, b = hi;

  memset (counts, 0, sizeof (guint) * n_bins);
  if (n_bins == 0)
    return;
  if (log_scale)
    {
      a = log10 (MAX (lo, 1e-300));
      b = log10 (MAX (hi, 1e-300));
    }
  for (guint i = 0; i < n; i++)
    {
      double v = values[i], t;
      int bin;

      if (!isfinite (v) || (mask && !mask[i]) || v < lo || v > hi || (log_scale && v <= 0))
        continue;
      if (log_scale)
        v = log10 (v);
      t = b > a ? (v - a) / (b - a) : 0.5;
      bin = (int) floor (t * n_bins);
      counts[CLAMP (bin, 0, (int) n_bins - 1)]++;
    }
}

void
cnc_chart_histogram_draw (cairo_t *cr, const CncChartStyle *style, const CncChartHistogramData *d,
                          double width, double height, CncChartScale *x_scale)
{
  CncChartScale xs = { d->lo, d->hi, 10, width - 10, d->log_scale };
  double th, top = 6, bottom, bin_w, y_max = 1;
  g_autofree char *summary = NULL;

  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &th);
  bottom = height - 2 * th - 10;
  for (guint b = 0; b < d->n_bins; b++)
    y_max = MAX (y_max, d->all[b]);
  bin_w = (xs.px1 - xs.px0) / MAX (d->n_bins, 1);

  cairo_save (cr);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_paint (cr);

  /* the brushed range behind the bars */
  if (d->has_brush)
    {
      double b0 = cnc_chart_scale_map (&xs, CLAMP (d->brush_lo, d->lo, d->hi));
      double b1 = cnc_chart_scale_map (&xs, CLAMP (d->brush_hi, d->lo, d->hi));
      cairo_rectangle (cr, MIN (b0, b1), top, fabs (b1 - b0), bottom - top);
      cnc_colormap_set_source (cr, style->accent, 0.14);
      cairo_fill_preserve (cr);
      cnc_colormap_set_source (cr, style->accent, 0.9);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      /* handles */
      for (int k = 0; k < 2; k++)
        {
          double hx = k == 0 ? MIN (b0, b1) : MAX (b0, b1);
          cnc_chart_rounded_rect (cr, hx - 3, (top + bottom) / 2 - 9, 6, 18, 3);
          cnc_colormap_set_source (cr, style->accent, 1);
          cairo_fill (cr);
        }
    }

  /* all models (light), those passing (solid), each bar coloured by where its bin sits on the scale */
  for (int layer = 0; layer < 2; layer++)
    {
      const guint *counts = layer == 0 ? d->all : d->passing;
      if (counts == NULL)
        continue;
      for (guint b = 0; b < d->n_bins; b++)
        {
          double h = (bottom - top) * counts[b] / y_max;
          double mid = cnc_chart_scale_invert (&xs, xs.px0 + (b + 0.5) * bin_w);
          CncRgb c = cnc_colormap_sequential (cnc_colormap_normalize (d->metric, mid, d->lo, d->hi));

          if (counts[b] == 0)
            continue;
          cairo_rectangle (cr, xs.px0 + b * bin_w + 0.5, bottom - MAX (h, 1.5), bin_w - 1, MAX (h, 1.5));
          if (layer == 0)
            cnc_colormap_set_source (cr, style->muted, d->passing ? 0.25 : 0.7);
          else
            cnc_colormap_set_source (cr, c, 1);
          cairo_fill_preserve (cr);
          cnc_colormap_set_source (cr, layer == 0 ? style->muted : cnc_colormap_outline (c, style->background),
                                   layer == 0 ? 0.35 : 0.8);
          cairo_set_line_width (cr, 1);
          cairo_stroke (cr);
        }
    }

  /* baseline, range ends, brush bounds and the count */
  cnc_colormap_set_source (cr, style->muted, 1);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, xs.px0, bottom + 0.5);
  cairo_line_to (cr, xs.px1, bottom + 0.5);
  cairo_stroke (cr);
  {
    double lo_v = d->has_brush ? MIN (d->brush_lo, d->brush_hi) : d->lo;
    double hi_v = d->has_brush ? MAX (d->brush_lo, d->brush_hi) : d->hi;
    g_autofree char *lo_text = cnc_metric_format_value (d->metric, lo_v);
    g_autofree char *hi_text = cnc_metric_format_value (d->metric, hi_v);

    cnc_colormap_set_source (cr, d->has_brush ? style->accent : style->foreground, 1);
    cnc_chart_text (cr, style, lo_text, xs.px0, bottom + 3, 0, 0,
                    CNC_CHART_TEXT_SMALL | (d->has_brush ? CNC_CHART_TEXT_BOLD : 0));
    cnc_chart_text (cr, style, hi_text, xs.px1, bottom + 3, 1, 0,
                    CNC_CHART_TEXT_SMALL | (d->has_brush ? CNC_CHART_TEXT_BOLD : 0));
  }
  summary = g_strdup_printf ("%u of %u models", d->n_passing, d->n_total);
  cnc_colormap_set_source (cr, style->muted, 1);
  cnc_chart_text (cr, style, summary, width / 2, bottom + 3 + th, 0.5, 0, CNC_CHART_TEXT_SMALL);
  cairo_restore (cr);
  if (x_scale)
    *x_scale = xs;
}
