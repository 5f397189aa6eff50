/* cnc-chart-bars.c
 * A grouped bar chart of one metric for a few models: groups on the X axis, coloured series, a legend.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-chart-bars.h"

#include <math.h>

#include "core/analysis/cnc-metric-format.h"

#define PLOT_PX 120.0

double
cnc_chart_bars_height (cairo_t *cr, const CncChartStyle *style, const CncChartBarsData *data)
{
  double th;

  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &th);
  return th + 8 + PLOT_PX + 6 + th + (data->group_title ? th + 2 : 0) + 8;
}

static guint
series_of (const CncChartBarsData *d, guint b)
{
  return d->series ? d->series[b] : 0;
}

void
cnc_chart_bars_draw (cairo_t *cr, const CncChartStyle *style, const CncChartBarsData *d,
                     double x, double y, double width, double height, CncChartBarRect *rects)
{
  CncChartScale scale = { 0 };
  g_autoptr(GArray) ticks = NULL;
  g_autofree guint *slot = g_new0 (guint, MAX (d->n_bars, 1));
  g_autofree guint *per_group = g_new0 (guint, MAX (d->n_groups, 1));
  double th, label_w = 0, left, right, top, bottom, group_w, bar_w;
  guint max_per_group = 1;
  double lo = 0, hi = 0;
  gboolean any = FALSE, show_values = TRUE;

  cairo_save (cr);
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &th);

  /* title: the metric, and which way is better */
  {
    double w;
    g_autofree char *hint = NULL;

    cnc_colormap_set_source (cr, style->foreground, 1);
    w = cnc_chart_text (cr, style, d->metric ? d->metric->name : "", x, y, 0, 0, CNC_CHART_TEXT_BOLD);
    if (d->metric)
      {
        hint = g_strdup_printf ("%s is better", d->metric->higher_is_better ? "higher" : "lower");
        cnc_colormap_set_source (cr, style->muted, 1);
        cnc_chart_text (cr, style, hint, x + w + 8, y + th * 0.1, 0, 0, CNC_CHART_TEXT_SMALL);
      }
  }

  for (guint b = 0; b < d->n_bars; b++)
    if (isfinite (d->values[b]))
      {
        lo = any ? MIN (lo, d->values[b]) : MIN (0, d->values[b]);
        hi = any ? MAX (hi, d->values[b]) : MAX (0, d->values[b]);
        any = TRUE;
      }
  scale.lo = lo;
  scale.hi = hi > lo ? hi : lo + 1;
  cnc_chart_scale_nice (&scale, 4);
  ticks = cnc_chart_ticks (&scale, 4);
  for (guint i = 0; i < ticks->len; i++)
    {
      g_autofree char *s = d->metric ? cnc_metric_format_value (d->metric, g_array_index (ticks, double, i))
                                     : g_strdup_printf ("%g", g_array_index (ticks, double, i));
      label_w = MAX (label_w, cnc_chart_text_width (cr, style, s, CNC_CHART_TEXT_SMALL, NULL));
    }

  left = x + label_w + 12;
  right = x + width - 4;
  top = y + th + 8;
  bottom = MIN (top + PLOT_PX, y + height - th - 8 - (d->group_title ? th + 2 : 0));
  scale.px0 = bottom;
  scale.px1 = top;
  cnc_chart_axis_draw (cr, style, &scale, CNC_CHART_AXIS_LEFT, left, right, d->metric, NULL, 4);

  /* slots inside each group, by series */
  for (guint s = 0; s <= d->n_series; s++)
    for (guint b = 0; b < d->n_bars; b++)
      if (series_of (d, b) == s && d->group[b] < d->n_groups)
        slot[b] = per_group[d->group[b]]++;
  for (guint g = 0; g < d->n_groups; g++)
    max_per_group = MAX (max_per_group, per_group[g]);
  group_w = (right - left) / MAX (d->n_groups, 1);
  bar_w = MIN ((group_w - 14) / max_per_group, 56);
  /* values over the bars: on all of them or on none */
  for (guint b = 0; b < d->n_bars && show_values; b++)
    if (isfinite (d->values[b]))
      {
        g_autofree char *s = d->metric ? cnc_metric_format_value (d->metric, d->values[b])
                                       : g_strdup_printf ("%g", d->values[b]);
        show_values = cnc_chart_text_width (cr, style, s, CNC_CHART_TEXT_SMALL, NULL) <= bar_w + 4;
      }

  for (guint b = 0; b < d->n_bars; b++)
    {
      guint g = d->group[b], in_group = g < d->n_groups ? per_group[g] : 1;
      double gx = left + g * group_w + group_w / 2 - in_group * bar_w / 2 + slot[b] * bar_w;
      double v = d->values[b], y0 = cnc_chart_scale_map (&scale, 0), y1;
      CncRgb c = cnc_colormap_category (d->n_series > 1 ? series_of (d, b) : 0);
      gboolean hovered = b == d->hovered;

      if (rects)
        rects[b] = (CncChartBarRect) { gx, top, bar_w, bottom - top };
      if (!isfinite (v))
        {
          cnc_colormap_set_source (cr, style->muted, 1);
          cnc_chart_text (cr, style, "—", gx + bar_w / 2, bottom - 2, 0.5, 1, CNC_CHART_TEXT_SMALL);
          continue;
        }
      y1 = cnc_chart_scale_map (&scale, v);
      cairo_rectangle (cr, gx + 1, MIN (y0, y1), bar_w - 2, fabs (y1 - y0));
      cnc_colormap_set_source (cr, c, hovered ? 1 : 0.88);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, d->selected && d->selected[b] ? 2.2 : 1);
      if (d->selected && d->selected[b])
        cnc_colormap_set_source (cr, style->accent, 1);
      else
        cnc_colormap_set_source (cr, cnc_colormap_outline (c, style->background), hovered ? 1 : 0.6);
      cairo_stroke (cr);
      /* the value over the bar when it fits */
      {
        g_autofree char *s = d->metric ? cnc_metric_format_value (d->metric, v) : g_strdup_printf ("%g", v);
        if (show_values)
          {
            cnc_colormap_set_source (cr, style->foreground, 0.85);
            cnc_chart_text (cr, style, s, gx + bar_w / 2, MIN (y0, y1) - 1, 0.5, 1, CNC_CHART_TEXT_SMALL);
          }
      }
    }

  /* baseline and group labels */
  cnc_colormap_set_source (cr, style->muted, 1);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, left, round (cnc_chart_scale_map (&scale, 0)) + 0.5);
  cairo_line_to (cr, right, round (cnc_chart_scale_map (&scale, 0)) + 0.5);
  cairo_stroke (cr);
  for (guint g = 0; g < d->n_groups; g++)
    {
      g_autofree char *label = cnc_chart_text_fit (cr, style, d->group_labels ? d->group_labels[g] : "",
                                                   group_w - 4, CNC_CHART_TEXT_SMALL);
      cnc_colormap_set_source (cr, style->foreground, 0.9);
      cnc_chart_text (cr, style, label, left + g * group_w + group_w / 2, bottom + 4, 0.5, 0, CNC_CHART_TEXT_SMALL);
    }
  if (d->group_title)
    {
      cnc_colormap_set_source (cr, style->muted, 1);
      cnc_chart_text (cr, style, d->group_title, (left + right) / 2, bottom + 4 + th, 0.5, 0, CNC_CHART_TEXT_SMALL);
    }
  cairo_restore (cr);
}

double
cnc_chart_bars_legend (cairo_t *cr, const CncChartStyle *style, const CncChartBarsData *d,
                       double x, double y, double width)
{
  double th, cx = x;

  if (d->n_series < 2)
    return 0;
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &th);
  cairo_save (cr);
  if (d->series_title)
    {
      cnc_colormap_set_source (cr, style->foreground, 1);
      cx += cnc_chart_text (cr, style, d->series_title, cx, y, 0, 0, CNC_CHART_TEXT_BOLD) + 12;
    }
  for (guint s = 0; s < d->n_series; s++)
    {
      const char *label = d->series_labels ? d->series_labels[s] : "";
      double w = cnc_chart_text_width (cr, style, label, CNC_CHART_TEXT_NORMAL, NULL);

      if (cx + 16 + w > x + width && cx > x)
        {
          cx = x;
          y += th + 4;
        }
      cairo_arc (cr, cx + 5, y + th / 2, 5, 0, 2 * G_PI);
      cnc_colormap_set_source (cr, cnc_colormap_category (s), 1);
      cairo_fill (cr);
      cnc_colormap_set_source (cr, style->foreground, 1);
      cx += 14 + cnc_chart_text (cr, style, label, cx + 14, y, 0, 0, CNC_CHART_TEXT_NORMAL) + 14;
    }
  cairo_restore (cr);
  return th + 6;
}

guint
cnc_chart_bars_hit (const CncChartBarRect *rects, guint n_bars, double x, double y)
{
  for (guint b = 0; b < n_bars; b++)
    if (x >= rects[b].x && x < rects[b].x + rects[b].w && y >= rects[b].y && y <= rects[b].y + rects[b].h)
      return b;
  return G_MAXUINT;
}

void
cnc_chart_bars_design_clear (CncChartBarsDesign *design)
{
  g_clear_pointer (&design->group, g_free);
  g_clear_pointer (&design->series, g_free);
  g_clear_pointer (&design->group_labels, g_ptr_array_unref);
  g_clear_pointer (&design->series_labels, g_ptr_array_unref);
  g_clear_pointer (&design->group_title, g_free);
  g_clear_pointer (&design->series_title, g_free);
  design->n_models = 0;
}

void
cnc_chart_bars_design_from_differs (CncChartBarsDesign *design, const CncDiffers *differs,
                                    int group_variable, int series_variable)
{
  guint n_vars = differs->variables->len;
  CncDiffersVariable *gv = NULL, *sv = NULL;

  cnc_chart_bars_design_clear (design);
  design->n_models = differs->n_models;
  design->group = g_new0 (guint, MAX (differs->n_models, 1));
  design->series = g_new0 (guint, MAX (differs->n_models, 1));
  design->group_labels = g_ptr_array_new_with_free_func (g_free);
  design->series_labels = g_ptr_array_new_with_free_func (g_free);
  if (group_variable >= 0 && (guint) group_variable < n_vars)
    gv = g_ptr_array_index (differs->variables, group_variable);
  if (series_variable >= 0 && (guint) series_variable < n_vars && series_variable != group_variable)
    sv = g_ptr_array_index (differs->variables, series_variable);
  if (gv == NULL)
    {
      for (guint j = 0; j < differs->n_models; j++)
        {
          design->group[j] = j;
          g_ptr_array_add (design->group_labels, g_strdup (differs->names[j]));
        }
      return;
    }
  design->group_title = g_strdup (gv->name);
  for (guint k = 0; gv->values[k]; k++)
    g_ptr_array_add (design->group_labels, g_strdup (gv->values[k]));
  if (sv)
    {
      design->series_title = g_strdup (sv->name);
      for (guint k = 0; sv->values[k]; k++)
        g_ptr_array_add (design->series_labels, g_strdup (sv->values[k]));
    }
  for (guint j = 0; j < differs->n_models; j++)
    {
      design->group[j] = gv->model_values[j];
      design->series[j] = sv ? sv->model_values[j] : 0;
    }
}

void
cnc_chart_bars_design_apply (const CncChartBarsDesign *design, CncChartBarsData *data)
{
  data->n_bars = design->n_models;
  data->group = design->group;
  data->series = design->series;
  data->n_groups = design->group_labels ? design->group_labels->len : 0;
  data->group_labels = design->group_labels ? (const char * const *) design->group_labels->pdata : NULL;
  data->group_title = design->group_title;
  data->n_series = design->series_labels ? design->series_labels->len : 0;
  data->series_labels = design->series_labels ? (const char * const *) design->series_labels->pdata : NULL;
  data->series_title = design->series_title;
}
