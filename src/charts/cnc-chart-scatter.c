/* cnc-chart-scatter.c
 * The scatterplot of models on two metrics, linear or log axes, with the Pareto frontier as a step line.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-chart-scatter.h"

#include <math.h>
#include <string.h>

#include "core/analysis/cnc-metric-format.h"

#define N_BUCKETS 32
#define MAX_TICKS_X 7
#define MAX_TICKS_Y 6

static gboolean
usable (double v, gboolean log_scale)
{
  return isfinite (v) && (!log_scale || v > 0);
}

static void
domain (const double *v, guint n, gboolean log_scale, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint i = 0; i < n; i++)
    if (usable (v[i], log_scale))
      {
        *lo = MIN (*lo, v[i]);
        *hi = MAX (*hi, v[i]);
      }
  if (*lo > *hi)
    {
      *lo = log_scale ? 1 : 0;
      *hi = log_scale ? 10 : 1;
      return;
    }
  if (!log_scale)
    {
      double pad = (*hi - *lo) * 0.04;
      if (pad == 0)
        pad = *lo != 0 ? fabs (*lo) * 0.05 : 0.5;
      /* do not pad past zero when the data stops there */
      *lo = *lo >= 0 && *lo - pad < 0 ? 0 : *lo - pad;
      *hi += pad;
    }
}

static char *
axis_title (const CncMetric *m, gboolean log_scale)
{
  if (m == NULL)
    return g_strdup ("");
  return g_strdup_printf ("%s%s  (%s is better)", m->name, log_scale ? ", log" : "",
                          m->higher_is_better ? "higher" : "lower");
}

void
cnc_chart_scatter_frame (cairo_t *cr, const CncChartStyle *style, const CncChartScatterData *data,
                         double width, double height, CncChartScatterFrame *f)
{
  g_autoptr(GArray) ticks = NULL;
  double lo, hi, label_w = 0, th;

  memset (f, 0, sizeof *f);
  f->width = width;
  f->height = height;
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &th);

  domain (data->x, data->n, data->x_log, &lo, &hi);
  f->x.lo = lo;
  f->x.hi = hi;
  f->x.log = data->x_log;
  cnc_chart_scale_nice (&f->x, MAX_TICKS_X);
  domain (data->y, data->n, data->y_log, &lo, &hi);
  f->y.lo = lo;
  f->y.hi = hi;
  f->y.log = data->y_log;
  cnc_chart_scale_nice (&f->y, MAX_TICKS_Y);

  ticks = cnc_chart_ticks (&f->y, MAX_TICKS_Y);
  for (guint i = 0; i < ticks->len; i++)
    {
      g_autofree char *s = data->y_metric ? cnc_metric_format_value (data->y_metric, g_array_index (ticks, double, i))
                                          : g_strdup_printf ("%g", g_array_index (ticks, double, i));
      label_w = MAX (label_w, cnc_chart_text_width (cr, style, s, CNC_CHART_TEXT_SMALL, NULL));
    }
  f->left = 14 + th + label_w + 10;
  /* the last X tick label is centred on the plot's right edge: leave it room */
  {
    g_autoptr(GArray) xt = cnc_chart_ticks (&f->x, MAX_TICKS_X);
    double last_w = 0;
    if (xt->len > 0)
      {
        g_autofree char *s = data->x_metric ? cnc_metric_format_value (data->x_metric,
                                                                       g_array_index (xt, double, xt->len - 1))
                                            : g_strdup_printf ("%g", g_array_index (xt, double, xt->len - 1));
        last_w = cnc_chart_text_width (cr, style, s, CNC_CHART_TEXT_SMALL, NULL);
      }
    f->right = width - MAX (16, last_w / 2 + 6);
  }
  f->top = data->color_metric ? 12 + th * 2 + 14 : 12;
  f->bottom = height - (10 + th * 2 + 8);
  if (f->right < f->left + 20)
    f->right = f->left + 20;
  if (f->bottom < f->top + 20)
    f->bottom = f->top + 20;
  f->x.px0 = f->left;
  f->x.px1 = f->right;
  f->y.px0 = f->bottom;
  f->y.px1 = f->top;
}

double
cnc_chart_scatter_radius (const CncChartScatterData *data, guint i)
{
  double big = data->n > 2000 ? 4.5 : data->n > 300 ? 6 : 8.5;

  if (data->size == NULL || isnan (data->size[i]))
    return big * 0.62;
  return big * (0.38 + 0.62 * sqrt (CLAMP (data->size[i], 0, 1)));
}

gboolean
cnc_chart_scatter_position (const CncChartScatterData *data, const CncChartScatterFrame *f, guint i,
                            double *px, double *py)
{
  if (i >= data->n || !usable (data->x[i], data->x_log) || !usable (data->y[i], data->y_log))
    return FALSE;
  *px = cnc_chart_scale_map (&f->x, data->x[i]);
  *py = cnc_chart_scale_map (&f->y, data->y[i]);
  return TRUE;
}

static guint8
flags_of (const CncChartScatterData *d, guint i)
{
  return d->flags ? d->flags[i] : 0;
}

/* Better of two values on a metric. */
static gboolean
better (const CncMetric *m, double a, double b)
{
  return (m == NULL || m->higher_is_better) ? a > b : a < b;
}

/* The frontier as steps through the points sorted by X: between neighbours the corner takes the worse
 * value of each metric. @continue_path: line to the first point instead of moving there. */
static void
staircase (cairo_t *cr, const CncChartScatterData *d, const CncChartScatterFrame *f, const guint *order, guint n,
           gboolean continue_path)
{
  double x0 = cnc_chart_scale_map (&f->x, d->x[order[0]]), y0 = cnc_chart_scale_map (&f->y, d->y[order[0]]);

  if (continue_path)
    cairo_line_to (cr, x0, y0);
  else
    cairo_move_to (cr, x0, y0);
  for (guint k = 1; k < n; k++)
    {
      guint a = order[k - 1], b = order[k];
      double cx = better (d->x_metric, d->x[a], d->x[b]) ? d->x[b] : d->x[a];
      double cy = better (d->y_metric, d->y[a], d->y[b]) ? d->y[b] : d->y[a];

      cairo_line_to (cr, cnc_chart_scale_map (&f->x, cx), cnc_chart_scale_map (&f->y, cy));
      cairo_line_to (cr, cnc_chart_scale_map (&f->x, d->x[b]), cnc_chart_scale_map (&f->y, d->y[b]));
    }
}

static void
draw_front (cairo_t *cr, const CncChartStyle *style, const CncChartScatterData *d,
            const CncChartScatterFrame *f)
{
  g_autofree guint *order = NULL;
  guint n = 0;

  if (d->front == NULL || d->n_front == 0)
    return;
  order = g_new (guint, d->n_front);
  for (guint k = 0; k < d->n_front; k++)
    if (d->front[k] < d->n && usable (d->x[d->front[k]], d->x_log) && usable (d->y[d->front[k]], d->y_log))
      order[n++] = d->front[k];
  if (n == 0)
    return;
  /* sort by x (insertion: fronts are short) */
  for (guint a = 1; a < n; a++)
    for (guint b = a; b > 0 && d->x[order[b]] < d->x[order[b - 1]]; b--)
      {
        guint t = order[b];
        order[b] = order[b - 1];
        order[b - 1] = t;
      }

  cairo_save (cr);
  cairo_rectangle (cr, f->left, f->top, f->right - f->left, f->bottom - f->top);
  cairo_clip (cr);

  /* The region the front dominates, lightly shaded: below the end with the best X runs down to the worse
   * edge, from the end with the best Y it runs across to the worse edge. */
  {
    double worse_x = better (d->x_metric, 1, 0) ? f->left : f->right;
    double worse_y = better (d->y_metric, 1, 0) ? f->bottom : f->top;
    guint first = order[0], last = order[n - 1];
    gboolean best_x_first = !better (d->x_metric, 1, 0);   /* sorted ascending: lower X first */
    double fx = cnc_chart_scale_map (&f->x, d->x[first]), fy = cnc_chart_scale_map (&f->y, d->y[first]);
    double lx = cnc_chart_scale_map (&f->x, d->x[last]), ly = cnc_chart_scale_map (&f->y, d->y[last]);

    if (best_x_first)
      cairo_move_to (cr, fx, worse_y);
    else
      cairo_move_to (cr, worse_x, fy);
    staircase (cr, d, f, order, n, TRUE);
    if (best_x_first)
      cairo_line_to (cr, worse_x, ly);
    else
      cairo_line_to (cr, lx, worse_y);
    cairo_line_to (cr, worse_x, worse_y);
    cairo_close_path (cr);
    cnc_colormap_set_source (cr, style->foreground, style->dark ? 0.06 : 0.035);
    cairo_fill (cr);

    /* the staircase itself, on a halo of the background */
    staircase (cr, d, f, order, n, FALSE);
    cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
    cnc_chart_stroke_on_halo (cr, style, 4, 1.8, style->foreground, 0.85);
  }
  cairo_restore (cr);
}

void
cnc_chart_scatter_draw (cairo_t *cr, const CncChartStyle *style, const CncChartScatterData *d,
                        const CncChartScatterFrame *f)
{
  g_autofree guint8 *on_front = g_new0 (guint8, MAX (d->n, 1));
  g_autofree char *x_title = axis_title (d->x_metric, d->x_log);
  g_autofree char *y_title = axis_title (d->y_metric, d->y_log);
  /* three layers: faded, dominated (dimmed), on the front */
  GArray *layers[3][N_BUCKETS + 1];

  cairo_save (cr);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_paint (cr);

  cnc_chart_axis_draw (cr, style, &f->x, CNC_CHART_AXIS_BOTTOM, f->bottom, f->top, d->x_metric, x_title,
                       MAX_TICKS_X);
  cnc_chart_axis_draw (cr, style, &f->y, CNC_CHART_AXIS_LEFT, f->left, f->right, d->y_metric, y_title,
                       MAX_TICKS_Y);
  if (d->color_metric)
    cnc_chart_color_legend (cr, style, d->color_metric, d->color_lo, d->color_hi,
                            MAX (f->left, f->right - 200), 8, 200);

  draw_front (cr, style, d, f);

  for (guint k = 0; k < d->n_front && d->front; k++)
    if (d->front[k] < d->n)
      on_front[d->front[k]] = 1;
  for (guint l = 0; l < 3; l++)
    for (guint b = 0; b <= N_BUCKETS; b++)
      layers[l][b] = NULL;
  for (guint i = 0; i < d->n; i++)
    {
      double px, py;
      guint layer, b;

      if (!cnc_chart_scatter_position (d, f, i, &px, &py))
        continue;
      layer = (flags_of (d, i) & CNC_CHART_POINT_FADED) ? 0 : (d->front && !on_front[i]) ? 1 : 2;
      b = d->color == NULL ? N_BUCKETS * 2 / 3
          : isnan (d->color[i]) ? N_BUCKETS : (guint) round (CLAMP (d->color[i], 0, 1) * (N_BUCKETS - 1));
      if (layers[layer][b] == NULL)
        layers[layer][b] = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_val (layers[layer][b], i);
    }

  cairo_rectangle (cr, f->left - 10, f->top - 10, f->right - f->left + 20, f->bottom - f->top + 20);
  cairo_clip (cr);
  cairo_set_line_width (cr, 1);
  for (guint l = 0; l < 3; l++)
    for (guint b = 0; b <= N_BUCKETS; b++)
      {
        GArray *pts = layers[l][b];
        CncRgb fill = b == N_BUCKETS ? cnc_colormap_missing () : cnc_colormap_sequential (b / (double) (N_BUCKETS - 1));
        CncRgb line = cnc_colormap_outline (fill, style->background);
        double alpha = l == 0 ? 0.12 : l == 1 ? 0.38 : 1;

        if (pts == NULL)
          continue;
        for (guint k = 0; k < pts->len; k++)
          {
            guint i = g_array_index (pts, guint, k);
            double px, py;

            cnc_chart_scatter_position (d, f, i, &px, &py);
            cairo_new_sub_path (cr);
            cairo_arc (cr, px, py, cnc_chart_scatter_radius (d, i), 0, 2 * G_PI);
          }
        cnc_colormap_set_source (cr, fill, alpha);
        cairo_fill_preserve (cr);
        cnc_colormap_set_source (cr, line, l == 2 ? 0.9 : alpha * 0.8);
        cairo_stroke (cr);
        g_array_unref (pts);
      }

  /* selection rings */
  if (d->flags)
    {
      g_autoptr(GArray) rings = g_array_new (FALSE, FALSE, sizeof (CncChartRing));

      for (guint i = 0; i < d->n; i++)
        {
          CncChartRing ring;

          if (!(d->flags[i] & CNC_CHART_POINT_SELECTED) || !cnc_chart_scatter_position (d, f, i, &ring.x, &ring.y))
            continue;
          ring.radius = cnc_chart_scatter_radius (d, i) + 2.5;
          g_array_append_val (rings, ring);
        }
      cnc_chart_selection_rings (cr, style, (const CncChartRing *) rings->data, rings->len);
    }
  cairo_restore (cr);
}

void
cnc_chart_scatter_draw_hover (cairo_t *cr, const CncChartStyle *style, const CncChartScatterData *d,
                              const CncChartScatterFrame *f, guint i)
{
  double px, py, r;

  if (!cnc_chart_scatter_position (d, f, i, &px, &py))
    return;
  r = cnc_chart_scatter_radius (d, i);
  cairo_save (cr);
  /* guides to the axes, so the values can be read */
  {
    double dash[] = { 3, 3 };
    cairo_set_dash (cr, dash, 2, 0);
    cairo_set_line_width (cr, 1);
    cnc_colormap_set_source (cr, style->foreground, 0.45);
    cairo_move_to (cr, f->left, py);
    cairo_line_to (cr, px - r - 2, py);
    cairo_move_to (cr, px, f->bottom);
    cairo_line_to (cr, px, py + r + 2);
    cairo_stroke (cr);
    cairo_set_dash (cr, NULL, 0, 0);
  }
  cairo_arc (cr, px, py, r + 3, 0, 2 * G_PI);
  cairo_set_line_width (cr, 2);
  cnc_colormap_set_source (cr, style->foreground, 0.9);
  cairo_stroke (cr);
  cairo_restore (cr);
}

guint
cnc_chart_scatter_hit (const CncChartScatterData *d, const CncChartScatterFrame *f, double x, double y,
                       double slop)
{
  CncChartNearest nearest;

  cnc_chart_nearest_init (&nearest, x, y);
  for (guint i = 0; i < d->n; i++)
    {
      double px, py;

      if (!(flags_of (d, i) & CNC_CHART_POINT_FADED) && cnc_chart_scatter_position (d, f, i, &px, &py))
        cnc_chart_nearest_offer (&nearest, i, px, py, cnc_chart_scatter_radius (d, i) + slop);
    }
  return nearest.hit;
}

GArray *
cnc_chart_scatter_points_in_rect (const CncChartScatterData *d, const CncChartScatterFrame *f,
                                  double x0, double y0, double x1, double y1)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  double xl = MIN (x0, x1), xh = MAX (x0, x1), yl = MIN (y0, y1), yh = MAX (y0, y1);

  for (guint i = 0; i < d->n; i++)
    {
      double px, py;
      if ((flags_of (d, i) & CNC_CHART_POINT_FADED) || !cnc_chart_scatter_position (d, f, i, &px, &py))
        continue;
      if (px >= xl && px <= xh && py >= yl && py <= yh)
        g_array_append_val (out, i);
    }
  return out;
}
