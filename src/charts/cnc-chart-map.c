/* cnc-chart-map.c
 * The provenance map drawn with Cairo: ribbons from parent to child, nodes coloured and sized by metrics,
 * column headers, legend; level of detail so that 10,000 models draw within a frame.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-charts"

#include "cnc-chart-map.h"

#include <math.h>
#include <string.h>

#include "core/analysis/cnc-metric-format.h"

#define N_BUCKETS 32               /* colour levels batched into one path each */
#define MISSING_BUCKET N_BUCKETS

/* Below this row spacing a row is less than what a mark can show: aggregate per pixel. */
#define AGGREGATE_ROW_PX 2.5
#define DETAIL_ROW_PX    12.0
#define LABEL_ROW_PX     17.0

static guint
n_nodes (const CncChartMapData *d)
{
  return d->layout->n_nodes;
}

static guint8
flags_of (const CncChartMapData *d, guint i)
{
  return d->flags ? d->flags[i] : 0;
}

static double
base_radius (const CncChartMapView *v)
{
  return CLAMP (MIN (v->row_px * 0.42, v->column_px * 0.16), 0.8, 11.0);
}

double
cnc_chart_map_node_radius (const CncChartMapData *data, const CncChartMapView *view, guint node)
{
  double r = base_radius (view);

  if (data->size == NULL || isnan (data->size[node]))
    return r * 0.72;
  return r * (0.42 + 0.58 * sqrt (CLAMP (data->size[node], 0, 1)));
}

void
cnc_chart_map_node_position (const CncChartMapData *data, const CncChartMapView *view, guint node,
                             double *x, double *y)
{
  const CncLineageNode *n = &data->layout->nodes[node];

  *x = view->x0 + n->column * view->column_px;
  *y = view->y0 + n->row * view->row_px;
}

static guint
bucket_of (const CncChartMapData *d, guint i)
{
  double t;

  if (d->color == NULL)
    return N_BUCKETS * 2 / 3;
  t = d->color[i];
  if (isnan (t))
    return MISSING_BUCKET;
  return (guint) round (CLAMP (t, 0, 1) * (N_BUCKETS - 1));
}

static CncRgb
bucket_color (guint b)
{
  if (b == MISSING_BUCKET)
    return cnc_colormap_missing ();
  return cnc_colormap_sequential (b / (double) (N_BUCKETS - 1));
}

/* ---- fitting ------------------------------------------------------------------------------------ */

double
cnc_chart_map_legend_height (const CncChartMapData *data)
{
  return data->color_metric || data->size_metric ? 54 : 0;
}

void
cnc_chart_map_fit (const CncChartMapData *data, double width, double height, double header_height,
                   gboolean legend, CncChartMapView *view)
{
  const CncLineageLayout *l = data->layout;
  double pad_x = 36, pad_top = 26, pad_bottom = 18 + (legend ? cnc_chart_map_legend_height (data) : 0);
  double avail_w = MAX (width - 2 * pad_x, 10), avail_h = MAX (height - header_height - pad_top - pad_bottom, 10);
  double cw, rh, used_w, used_h;

  /* Columns spread over the width (labels for the last one need some room on the right). */
  cw = l->n_columns > 1 ? avail_w / (l->n_columns - 1 + 0.35) : avail_w;
  cw = MIN (cw, 420);
  rh = l->n_rows > 1 ? avail_h / (l->n_rows - 1) : avail_h;
  rh = MIN (rh, 44);
  used_w = cw * (l->n_columns > 0 ? l->n_columns - 1 : 0);
  used_h = rh * (l->n_rows > 0 ? l->n_rows - 1 : 0);

  view->width = width;
  view->height = height;
  view->column_px = cw;
  view->row_px = rh;
  view->header_height = header_height;
  view->legend = legend;
  view->x0 = l->n_columns > 1 && cw < 420 ? pad_x : MAX (pad_x, (width - used_w) / 2);
  view->y0 = header_height + pad_top + MAX (0, (avail_h - used_h) / 2 * (rh >= 44 ? 0 : 1));
}

/* ---- culling ------------------------------------------------------------------------------------- */

/* Visible nodes inside the pane (with a margin), in column order. */
static GArray *
nodes_in_view (const CncChartMapData *d, const CncChartMapView *v, double margin)
{
  const CncLineageLayout *l = d->layout;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  double row_lo = (v->header_height - margin - v->y0) / v->row_px;
  double row_hi = (v->height + margin - v->y0) / v->row_px;

  for (guint c = 0; c < l->n_columns; c++)
    {
      double x = v->x0 + c * v->column_px;
      guint first, count;

      if (x < -margin || x > v->width + margin)
        continue;
      count = cnc_lineage_layout_rows_in_range (l, c, row_lo, row_hi, &first);
      g_array_append_vals (out, l->column_nodes[c] + first, count);
    }
  return out;
}

/* ---- ribbons -------------------------------------------------------------------------------------- */

static void
ribbon_path (cairo_t *cr, double xp, double yp, double xc, double yc, double column_px)
{
  cairo_move_to (cr, xp, yp);
  if (fabs (yc - yp) < 0.25 && xc > xp)
    {
      cairo_line_to (cr, xc, yc);
      return;
    }
  if (xc > xp)
    {
      /* bend within the first gap, then run straight to the child: bundles read as ribbons */
      double d = MIN (column_px * 0.9, xc - xp);
      cairo_curve_to (cr, xp + d * 0.55, yp, xp + d * 0.45, yc, xp + d, yc);
      if (xc > xp + d)
        cairo_line_to (cr, xc, yc);
      return;
    }
  {
    double k = MAX (60, column_px * 0.5);
    cairo_curve_to (cr, xp + k, yp, xc - k, yc, xc, yc);
  }
}

#define CLIP_MARGIN 30.0

/* The part of a ribbon that can show in the pane: toward a child far above or below the pane the ribbon
 * bends to just past the pane's edge and stops; straight runs are cut at the pane's sides. @clamped_side
 * gets -1 / +1 when the child is above / below the pane (such ribbons from one parent are all the same).
 * FALSE when nothing shows. */
static gboolean
ribbon_path_clipped (cairo_t *cr, const CncChartMapView *v, double xp, double yp, double xc, double yc,
                     int *clamped_side)
{
  double top = v->header_height - CLIP_MARGIN, bottom = v->height + CLIP_MARGIN;
  double right = v->width + CLIP_MARGIN, d;

  *clamped_side = 0;
  if (xc <= xp)
    {
      ribbon_path (cr, xp, yp, xc, yc, v->column_px);
      return TRUE;
    }
  if (yc < top)
    {
      yc = top;
      *clamped_side = -1;
    }
  else if (yc > bottom)
    {
      yc = bottom;
      *clamped_side = 1;
    }
  if (*clamped_side && ((yp < top && *clamped_side < 0) || (yp > bottom && *clamped_side > 0)))
    return FALSE;
  d = MIN (v->column_px * 0.9, xc - xp);
  if (xp > right)
    return FALSE;
  if (xp + d < -CLIP_MARGIN)
    {
      /* the bend is off to the left: only the straight run */
      if (*clamped_side)
        return FALSE;
      cairo_move_to (cr, -CLIP_MARGIN, yc);
      cairo_line_to (cr, MIN (xc, right), yc);
      return TRUE;
    }
  cairo_move_to (cr, xp, yp);
  if (fabs (yc - yp) < 0.25)
    {
      cairo_line_to (cr, MIN (xc, right), yc);
      return TRUE;
    }
  cairo_curve_to (cr, xp + d * 0.55, yp, xp + d * 0.45, yc, xp + d, yc);
  if (!*clamped_side && xc > xp + d)
    cairo_line_to (cr, MIN (xc, right), yc);
  return TRUE;
}

static gboolean
edge_maybe_visible (const CncChartMapView *v, double xp, double yp, double xc, double yc)
{
  double x_lo = MIN (xp, xc) - 80, x_hi = MAX (xp, xc) + 80;
  double y_lo = MIN (yp, yc) - 4, y_hi = MAX (yp, yc) + 4;

  return x_hi >= 0 && x_lo <= v->width && y_hi >= v->header_height && y_lo <= v->height;
}

/* Below a few pixels per row a curve cannot be seen: elbows of one-pixel lines, written straight into a
 * coverage mask the size of the pane, then painted in one go. */
static void
draw_edges_aggregate (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d,
                      const CncChartMapView *v, GArray *order)
{
  int w = (int) ceil (v->width), h = (int) ceil (v->height), top = (int) v->header_height;
  cairo_surface_t *mask;
  guint8 *px;
  int stride;

  if (w <= 0 || h <= 0)
    return;
  mask = cairo_image_surface_create (CAIRO_FORMAT_A8, w, h);
  px = cairo_image_surface_get_data (mask);
  stride = cairo_image_surface_get_stride (mask);
  for (guint k = 0; k < order->len; k++)
    {
      guint i = g_array_index (order, guint, k);
      double xp, yp, xc, yc;
      int x0, x1, y0, y1, yr;

      cnc_chart_map_node_position (d, v, d->parent[i], &xp, &yp);
      cnc_chart_map_node_position (d, v, i, &xc, &yc);
      x0 = (int) lround (xp) + 1;
      x1 = MIN ((int) lround (xc), w - 1);
      yr = (int) floor (yc);
      /* the drop beside the parent */
      if (x0 >= 0 && x0 < w)
        {
          y0 = MAX ((int) floor (MIN (yp, yc)), top);
          y1 = MIN ((int) floor (MAX (yp, yc)), h - 1);
          for (int y = y0; y <= y1; y++)
            px[y * stride + x0] = 255;
        }
      /* the run to the child */
      if (yr >= top && yr < h)
        {
          if (x1 > MAX (x0, 0))
            memset (px + yr * stride + MAX (x0, 0), 255, x1 - MAX (x0, 0));
        }
    }
  cairo_surface_mark_dirty (mask);
  cnc_colormap_set_source (cr, style->edge, CLAMP (v->row_px * 0.3, style->dark ? 0.22 : 0.18, 0.5));
  cairo_mask_surface (cr, mask, 0, 0);
  cairo_surface_destroy (mask);
}

static void
draw_edges (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v,
            gboolean aggregate)
{
  const CncLineageLayout *l = d->layout;
  guint n = n_nodes (d);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) clamped = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint counts[2][N_BUCKETS + 1] = { { 0 } }, start[2][N_BUCKETS + 1], acc = 0;
  g_autofree guint *sorted = NULL;
  gboolean per_edge_width;

  /* Which edges may show. */
  for (guint i = 0; i < n; i++)
    {
      int p = d->parent[i];
      double xp, yp, xc, yc;

      if (p < 0 || l->nodes[i].hidden)
        continue;
      cnc_chart_map_node_position (d, v, p, &xp, &yp);
      cnc_chart_map_node_position (d, v, i, &xc, &yc);
      if (!edge_maybe_visible (v, xp, yp, xc, yc))
        continue;
      g_array_append_val (order, i);
    }

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  if (aggregate)
    draw_edges_aggregate (cr, style, d, v, order);
  else
    {
      /* grouped by (faded, colour level of the child): one stroke per group */
      sorted = g_new (guint, MAX (order->len, 1));
      for (guint k = 0; k < order->len; k++)
        {
          guint i = g_array_index (order, guint, k);
          counts[(flags_of (d, i) & CNC_CHART_MAP_FADED) ? 1 : 0][bucket_of (d, i)]++;
        }
      for (guint f = 0; f < 2; f++)
        for (guint b = 0; b <= N_BUCKETS; b++)
          {
            start[f][b] = acc;
            acc += counts[f][b];
          }
      for (guint k = 0; k < order->len; k++)
        {
          guint i = g_array_index (order, guint, k);
          guint f = (flags_of (d, i) & CNC_CHART_MAP_FADED) ? 1 : 0;
          sorted[start[f][bucket_of (d, i)]++] = i;
        }
      /* ribbons as wide as their child's mark when there are few; one width otherwise */
      per_edge_width = d->size != NULL && v->row_px >= DETAIL_ROW_PX && order->len < 1500;
      cairo_set_line_width (cr, MAX (1.0, base_radius (v) * 0.4));
      for (guint f = 0; f < 2; f++)
        for (guint b = 0; b <= N_BUCKETS; b++)
          {
            guint end = start[f][b], begin = end - counts[f][b];
            CncRgb c = bucket_color (b);
            double alpha = f ? 0.10 : (style->dark ? 0.55 : 0.5);
            gboolean any = FALSE;

            for (guint k = begin; k < end; k++)
              {
                guint i = sorted[k];
                int p = d->parent[i], side;
                double xp, yp, xc, yc;

                cnc_chart_map_node_position (d, v, p, &xp, &yp);
                cnc_chart_map_node_position (d, v, i, &xc, &yc);
                if (!ribbon_path_clipped (cr, v, xp, yp, xc, yc, &side))
                  continue;
                if (side != 0)
                  {
                    /* ribbons from one parent toward the same edge of the pane coincide: draw one */
                    gpointer key = GUINT_TO_POINTER ((guint) p * 2 + (side > 0) + 1);
                    if (g_hash_table_contains (clamped, key))
                      {
                        cairo_new_path (cr);
                        continue;
                      }
                    g_hash_table_add (clamped, key);
                  }
                any = TRUE;
                if (per_edge_width)
                  {
                    cairo_set_line_width (cr, MAX (1.0, cnc_chart_map_node_radius (d, v, i) * 0.45));
                    cnc_colormap_set_source (cr, c, alpha);
                    cairo_stroke (cr);
                  }
              }
            if (any && !per_edge_width)
              {
                cnc_colormap_set_source (cr, c, alpha);
                cairo_stroke (cr);
              }
          }
    }

  /* Teacher edges: dashed, in the text colour, whatever the level of detail. */
  if (d->teacher)
    {
      double dash[] = { 4, 3 };
      gboolean any = FALSE;

      cairo_set_dash (cr, dash, 2, 0);
      cairo_set_line_width (cr, 1.5);
      for (guint i = 0; i < n; i++)
        {
          int t = d->teacher[i];
          double xp, yp, xc, yc;

          if (t < 0 || l->nodes[i].hidden || l->nodes[t].hidden)
            continue;
          cnc_chart_map_node_position (d, v, t, &xp, &yp);
          cnc_chart_map_node_position (d, v, i, &xc, &yc);
          if (!edge_maybe_visible (v, xp, yp, xc, yc))
            continue;
          cairo_move_to (cr, xp, yp);
          if (fabs (xc - xp) < v->column_px * 0.3)
            {
              /* teacher and student in one column: bow out to the right, clear of the ribbons */
              double k = MAX (v->column_px * 0.35, 12);
              cairo_curve_to (cr, xp + k, yp, xc + k, yc, xc, yc);
            }
          else
            cairo_curve_to (cr, (xp + xc) / 2, yp, (xp + xc) / 2, yc, xc, yc);
          any = TRUE;
        }
      if (any)
        {
          cnc_colormap_set_source (cr, style->foreground, 0.7);
          cairo_stroke (cr);
        }
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_restore (cr);
}

/* ---- nodes ----------------------------------------------------------------------------------------- */

static guint32
premultiplied (CncRgb c, double alpha)
{
  guint32 a = (guint32) lround (alpha * 255);

  return (a << 24) | ((guint32) lround (c.r * alpha * 255) << 16) | ((guint32) lround (c.g * alpha * 255) << 8)
         | (guint32) lround (c.b * alpha * 255);
}

/* Per column and pixel row: one short bar in the mean colour of the models there (what a pixel can show),
 * its ends in the outline colour so that pale bars stay visible on a pale background. Written straight
 * into an image the size of the pane. */
static void
draw_nodes_aggregate (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d,
                      const CncChartMapView *v, GArray *visible)
{
  const CncLineageLayout *l = d->layout;
  int w = (int) ceil (v->width), h = (int) ceil (v->height), top = (int) v->header_height;
  int bar = (int) CLAMP (round (v->column_px * 0.1), 3, 8);
  g_autofree double *sum = NULL;
  g_autofree guint *cnt = NULL, *missing = NULL, *faded = NULL;
  guint32 palette[N_BUCKETS + 1], outline[N_BUCKETS + 1], faded_px;
  cairo_surface_t *image;
  guint32 *px;
  int stride;
  guint k = 0;

  if (w <= 0 || h <= 0)
    return;
  (void) w;
  for (guint b = 0; b <= N_BUCKETS; b++)
    {
      palette[b] = premultiplied (bucket_color (b), 1);
      outline[b] = premultiplied (cnc_colormap_outline (bucket_color (b), style->background), 1);
    }
  faded_px = premultiplied (style->muted, 0.25);
  sum = g_new (double, h);
  cnt = g_new (guint, h);
  missing = g_new (guint, h);
  faded = g_new (guint, h);
  cairo_save (cr);
  while (k < visible->len)
    {
      guint c = l->nodes[g_array_index (visible, guint, k)].column;
      int x0 = (int) lround (v->x0 + c * v->column_px) - bar / 2;
      int y_first = h, y_last = -1;

      memset (sum, 0, sizeof (double) * h);
      memset (cnt, 0, sizeof (guint) * h);
      memset (missing, 0, sizeof (guint) * h);
      memset (faded, 0, sizeof (guint) * h);
      for (; k < visible->len && l->nodes[g_array_index (visible, guint, k)].column == c; k++)
        {
          guint i = g_array_index (visible, guint, k);
          int py = (int) floor (v->y0 + l->nodes[i].row * v->row_px);

          if (py < top || py >= h)
            continue;
          y_first = MIN (y_first, py);
          y_last = MAX (y_last, py);
          if (flags_of (d, i) & CNC_CHART_MAP_FADED)
            faded[py]++;
          else if (d->color && !isnan (d->color[i]))
            {
              sum[py] += d->color[i];
              cnt[py]++;
            }
          else
            missing[py]++;
        }
      if (y_last < y_first)
        continue;
      /* one strip image per column: only as large as its marks */
      image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, bar, y_last - y_first + 1);
      px = (guint32 *) cairo_image_surface_get_data (image);
      stride = cairo_image_surface_get_stride (image) / 4;
      for (int py = y_first; py <= y_last; py++)
        {
          guint32 fill, edge, *row = px + (py - y_first) * stride;
          guint b;

          if (cnt[py] + missing[py] == 0 && faded[py] == 0)
            continue;
          if (cnt[py] + missing[py] == 0)
            fill = edge = faded_px;
          else
            {
              b = cnt[py] ? (d->color ? (guint) lround (sum[py] / cnt[py] * (N_BUCKETS - 1)) : N_BUCKETS * 2 / 3)
                          : MISSING_BUCKET;
              fill = palette[b];
              edge = outline[b];
            }
          for (int x = 0; x < bar; x++)
            row[x] = (x == 0 || x == bar - 1) ? edge : fill;
        }
      cairo_surface_mark_dirty (image);
      cairo_set_source_surface (cr, image, x0, y_first);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_rectangle (cr, x0, y_first, bar, y_last - y_first + 1);
      cairo_fill (cr);
      cairo_surface_destroy (image);
    }
  cairo_restore (cr);
}

static void
draw_nodes (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v,
            GArray *visible)
{
  guint counts[2][N_BUCKETS + 1] = { { 0 } }, start[2][N_BUCKETS + 1];
  g_autofree guint *sorted = g_new (guint, MAX (visible->len, 1));
  gboolean outline = v->row_px >= 4;
  guint acc = 0;

  for (guint k = 0; k < visible->len; k++)
    {
      guint i = g_array_index (visible, guint, k);
      counts[(flags_of (d, i) & CNC_CHART_MAP_FADED) ? 1 : 0][bucket_of (d, i)]++;
    }
  for (guint f = 0; f < 2; f++)
    for (guint b = 0; b <= N_BUCKETS; b++)
      {
        start[f][b] = acc;
        acc += counts[f][b];
      }
  for (guint k = 0; k < visible->len; k++)
    {
      guint i = g_array_index (visible, guint, k);
      guint f = (flags_of (d, i) & CNC_CHART_MAP_FADED) ? 1 : 0;
      sorted[start[f][bucket_of (d, i)]++] = i;
    }

  cairo_save (cr);
  cairo_set_line_width (cr, v->row_px >= DETAIL_ROW_PX ? 1.2 : 0.8);
  /* faded first, underneath */
  for (guint f = 2; f-- > 0;)
    for (guint b = 0; b <= N_BUCKETS; b++)
      {
        guint end = start[f][b], begin = end - counts[f][b];
        CncRgb fill = bucket_color (b), line = cnc_colormap_outline (fill, style->background);

        if (begin == end)
          continue;
        /* pass 0: a folded subtree shows as a mark behind its node (a stack); pass 1: the nodes */
        for (int pass = 0; pass < 2; pass++)
          {
            gboolean any = FALSE;

            for (guint k = begin; k < end; k++)
              {
                guint i = sorted[k];
                double x, y, r = cnc_chart_map_node_radius (d, v, i);

                if (pass == 0 && (d->layout->nodes[i].folded == 0 || v->row_px < 6))
                  continue;
                cnc_chart_map_node_position (d, v, i, &x, &y);
                if (pass == 0)
                  {
                    x += r * 0.55;
                    y += r * 0.35;
                  }
                cairo_new_sub_path (cr);
                cairo_arc (cr, x, y, r, 0, 2 * G_PI);
                any = TRUE;
              }
            if (!any)
              continue;
            cnc_colormap_set_source (cr, fill, f ? 0.22 : 1);
            if (outline)
              {
                cairo_fill_preserve (cr);
                cnc_colormap_set_source (cr, line, f ? 0.3 : 0.9);
                cairo_stroke (cr);
              }
            else
              cairo_fill (cr);
          }
      }
  cairo_restore (cr);
}

static void
draw_selection (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v,
                GArray *visible)
{
  g_autoptr(GArray) rings = NULL;
  gboolean tiny = v->row_px < AGGREGATE_ROW_PX;

  if (d->flags == NULL)
    return;
  rings = g_array_new (FALSE, FALSE, sizeof (CncChartRing));
  for (guint k = 0; k < visible->len; k++)
    {
      guint i = g_array_index (visible, guint, k);
      CncChartRing ring;

      if (!(d->flags[i] & CNC_CHART_MAP_SELECTED))
        continue;
      cnc_chart_map_node_position (d, v, i, &ring.x, &ring.y);
      ring.radius = tiny ? 2.5 : cnc_chart_map_node_radius (d, v, i) + 2.5;
      g_array_append_val (rings, ring);
    }
  cnc_chart_selection_rings (cr, style, (const CncChartRing *) rings->data, rings->len);
  cairo_save (cr);
  /* focus: a dotted ring */
  for (guint k = 0; k < visible->len; k++)
    {
      guint i = g_array_index (visible, guint, k);
      double x, y, r, dash[] = { 2, 2 };

      if (!(d->flags[i] & CNC_CHART_MAP_FOCUSED))
        continue;
      cnc_chart_map_node_position (d, v, i, &x, &y);
      r = cnc_chart_map_node_radius (d, v, i) + 5.5;
      cairo_set_dash (cr, dash, 2, 0);
      cairo_set_line_width (cr, 1.2);
      cnc_colormap_set_source (cr, style->foreground, 0.9);
      cairo_arc (cr, x, y, MAX (r, 5), 0, 2 * G_PI);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_restore (cr);
}

static void
draw_labels (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v,
             GArray *visible)
{
  double text_h;

  if (v->row_px < DETAIL_ROW_PX)
    return;
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_SMALL, &text_h);
  cairo_save (cr);
  for (guint k = 0; k < visible->len && k < 1500; k++)
    {
      guint i = g_array_index (visible, guint, k);
      const CncLineageNode *node = &d->layout->nodes[i];
      double x, y, r = cnc_chart_map_node_radius (d, v, i);
      gboolean faded = flags_of (d, i) & CNC_CHART_MAP_FADED;

      cnc_chart_map_node_position (d, v, i, &x, &y);
      /* how many models a collapsed node holds */
      if (node->folded > 0)
        {
          g_autofree char *count = g_strdup_printf ("+%u", node->folded);
          double w = cnc_chart_text_width (cr, style, count, CNC_CHART_TEXT_SMALL | CNC_CHART_TEXT_BOLD, NULL);
          double bx = x + r + 6, by = y - text_h / 2 - 1;

          cnc_chart_rounded_rect (cr, bx, by, w + 10, text_h + 2, (text_h + 2) / 2);
          cnc_colormap_set_source (cr, style->foreground, faded ? 0.3 : 0.85);
          cairo_fill (cr);
          cnc_colormap_set_source (cr, style->background, 1);
          cnc_chart_text (cr, style, count, bx + 5, y, 0, 0.5, CNC_CHART_TEXT_SMALL | CNC_CHART_TEXT_BOLD);
          continue;
        }
      /* the operation's parameters: above the ribbon that leads in; a root's under it, when there is room */
      if (d->labels && d->labels[i] && d->labels[i][0] && v->row_px >= LABEL_ROW_PX && v->column_px >= 70
          && (d->parent[i] >= 0 || v->row_px >= 3 * text_h + 8))   /* a root's label must clear the next row's */
        {
          double max_w = d->parent[i] >= 0 ? v->column_px - r - 14 : v->column_px * 0.8;
          g_autofree char *text = cnc_chart_text_fit (cr, style, d->labels[i], max_w, CNC_CHART_TEXT_SMALL);

          if (*text == '\0')
            continue;
          cnc_colormap_set_source (cr, style->muted, faded ? 0.4 : 1);
          if (d->parent[i] >= 0)
            cnc_chart_text (cr, style, text, x - r - 3, y - r - 1, 1, 1, CNC_CHART_TEXT_SMALL | CNC_CHART_TEXT_HALO);
          else
            cnc_chart_text (cr, style, text, MAX (x - r, 4), y + r + 2, 0, 0,
                            CNC_CHART_TEXT_SMALL | CNC_CHART_TEXT_HALO);
        }
    }
  cairo_restore (cr);
}

/* ---- headers and legend ---------------------------------------------------------------------------- */

typedef struct {
  cairo_t             *cr;
  const CncChartStyle *style;
} Measure;

static double
measure_header (const char *text, gpointer user_data)
{
  Measure *m = user_data;
  return cnc_chart_text_width (m->cr, m->style, text, CNC_CHART_TEXT_BOLD, NULL);
}

static void
draw_headers (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v)
{
  const CncLineageLayout *l = d->layout;
  Measure m = { cr, style };
  g_autofree CncLineageHeaderKind *kinds = NULL;
  double text_h, last_end = -INFINITY;

  if (v->header_height <= 0)
    return;
  cairo_save (cr);
  /* the band stays on top of the content scrolled under it */
  cairo_rectangle (cr, 0, 0, v->width, v->header_height);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_fill (cr);
  cairo_move_to (cr, 0, v->header_height - 0.5);
  cairo_line_to (cr, v->width, v->header_height - 0.5);
  cnc_colormap_set_source (cr, style->grid, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  kinds = cnc_lineage_layout_place_headers (l, v->column_px, 10, measure_header, &m);
  cnc_chart_text_width (cr, style, "Ag", CNC_CHART_TEXT_NORMAL, &text_h);
  for (guint c = 0; c < l->n_columns; c++)
    {
      double x = v->x0 + c * v->column_px, w;
      const char *text;

      if (kinds[c] == CNC_LINEAGE_HEADER_NONE || x < -v->column_px || x > v->width + v->column_px)
        continue;
      text = kinds[c] == CNC_LINEAGE_HEADER_FULL ? l->columns[c].label : l->columns[c].short_label;
      /* a header at the pane's edge slides in rather than being cut, unless that would make it overlap */
      w = cnc_chart_text_width (cr, style, text, CNC_CHART_TEXT_BOLD, NULL);
      if (x - w / 2 < 4 && x > -w / 2)
        x = 4 + w / 2;
      else if (x + w / 2 > v->width - 4 && x < v->width + w / 2)
        x = v->width - 4 - w / 2;
      if (x - w / 2 < last_end + 10)
        continue;
      last_end = x + w / 2;
      cnc_colormap_set_source (cr, style->foreground, 1);
      cnc_chart_text (cr, style, text, x, 5, 0.5, 0, CNC_CHART_TEXT_BOLD);
      /* the parameters every model of the column shares, when there is room */
      if (kinds[c] == CNC_LINEAGE_HEADER_FULL && l->columns[c].detail && v->header_height >= text_h * 2 + 6)
        {
          double room = MAX (w, v->column_px - 14);
          g_autofree char *detail = cnc_chart_text_fit (cr, style, l->columns[c].detail, room,
                                                        CNC_CHART_TEXT_SMALL);
          cnc_colormap_set_source (cr, style->muted, 1);
          cnc_chart_text (cr, style, detail, x, 5 + text_h, 0.5, 0, CNC_CHART_TEXT_SMALL);
        }
    }
  cairo_restore (cr);
}

static void
draw_guides (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v)
{
  const CncLineageLayout *l = d->layout;
  double step = 1;

  /* one faint line per column; thinned when columns are closer than 6 px */
  if (v->column_px < 6)
    step = ceil (6 / MAX (v->column_px, 0.01));
  cairo_save (cr);
  for (double c = 0; c < l->n_columns; c += step)
    {
      double x = round (v->x0 + c * v->column_px) + 0.5;
      if (x < 0 || x > v->width)
        continue;
      cairo_move_to (cr, x, v->header_height);
      cairo_line_to (cr, x, v->height);
    }
  cnc_colormap_set_source (cr, style->grid, style->dark ? 0.8 : 0.9);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_legend (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *d, const CncChartMapView *v)
{
  double h = cnc_chart_map_legend_height (d), x = 10, y = v->height - h - 6, w = 0;
  double color_w = 190;

  if (h == 0)
    return;
  w = (d->color_metric ? color_w + 16 : 0) + (d->size_metric ? 170 : 0) + 8;
  cairo_save (cr);
  cnc_chart_rounded_rect (cr, x, y, w, h, 6);
  cnc_colormap_set_source (cr, style->background, 0.92);
  cairo_fill_preserve (cr);
  cnc_colormap_set_source (cr, style->grid, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  x += 10;
  if (d->color_metric)
    {
      cnc_chart_color_legend (cr, style, d->color_metric, d->color_lo, d->color_hi, x, y + 6, color_w);
      x += color_w + 16;
    }
  if (d->size_metric)
    {
      g_autofree char *lo = cnc_metric_format_value (d->size_metric, d->size_lo);
      g_autofree char *hi = cnc_metric_format_value (d->size_metric, d->size_hi);
      double cy = y + h - 18, r_small = 11 * 0.42, r_big = 11, tx;

      cnc_colormap_set_source (cr, style->foreground, 1);
      cnc_chart_text (cr, style, d->size_metric->name, x, y + 6, 0, 0, CNC_CHART_TEXT_SMALL);
      cnc_colormap_set_source (cr, style->muted, 0.5);
      cairo_arc (cr, x + r_big, cy, r_small, 0, 2 * G_PI);
      cairo_fill (cr);
      cnc_colormap_set_source (cr, style->foreground, 0.85);
      tx = x + r_big + r_small + 4;
      tx += cnc_chart_text (cr, style, lo, tx, cy, 0, 0.5, CNC_CHART_TEXT_SMALL) + 12;
      cnc_colormap_set_source (cr, style->muted, 0.5);
      cairo_arc (cr, tx + r_big, cy, r_big, 0, 2 * G_PI);
      cairo_fill (cr);
      cnc_colormap_set_source (cr, style->foreground, 0.85);
      cnc_chart_text (cr, style, hi, tx + 2 * r_big + 4, cy, 0, 0.5, CNC_CHART_TEXT_SMALL);
    }
  cairo_restore (cr);
}

/* ---- entry points ------------------------------------------------------------------------------------ */

void
cnc_chart_map_draw (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *data,
                    const CncChartMapView *view)
{
  g_autoptr(GArray) visible = NULL;
  gboolean aggregate;

  g_return_if_fail (cr != NULL && style != NULL && data != NULL && view != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, view->width, view->height);
  cairo_clip (cr);
  cnc_colormap_set_source (cr, style->background, 1);
  cairo_paint (cr);

  aggregate = view->row_px < AGGREGATE_ROW_PX;
  visible = nodes_in_view (data, view, 20);
  draw_guides (cr, style, data, view);
  draw_edges (cr, style, data, view, aggregate);
  if (aggregate)
    draw_nodes_aggregate (cr, style, data, view, visible);
  else
    draw_nodes (cr, style, data, view, visible);
  draw_selection (cr, style, data, view, visible);
  draw_labels (cr, style, data, view, visible);
  draw_headers (cr, style, data, view);
  if (view->legend)
    draw_legend (cr, style, data, view);
  cairo_restore (cr);
}

void
cnc_chart_map_draw_hover (cairo_t *cr, const CncChartStyle *style, const CncChartMapData *data,
                          const CncChartMapView *view, guint node)
{
  double x, y, r;
  int p;

  g_return_if_fail (data != NULL && view != NULL);
  if (node >= n_nodes (data) || data->layout->nodes[node].hidden)
    return;
  cnc_chart_map_node_position (data, view, node, &x, &y);
  r = view->row_px < AGGREGATE_ROW_PX ? 3 : cnc_chart_map_node_radius (data, view, node);
  cairo_save (cr);
  cairo_rectangle (cr, 0, view->header_height, view->width, view->height - view->header_height);
  cairo_clip (cr);
  /* the path up to the root, emphasised */
  cairo_set_line_width (cr, 2);
  for (guint i = node, steps = 0; (p = data->parent[i]) >= 0 && steps < 4096; i = p, steps++)
    {
      double xp, yp, xc, yc;
      cnc_chart_map_node_position (data, view, p, &xp, &yp);
      cnc_chart_map_node_position (data, view, i, &xc, &yc);
      ribbon_path (cr, xp, yp, xc, yc, view->column_px);
    }
  cnc_colormap_set_source (cr, style->foreground, 0.55);
  cairo_stroke (cr);
  {
    CncRgb fill = data->color ? cnc_colormap_sequential (data->color[node]) : bucket_color (N_BUCKETS * 2 / 3);
    cairo_arc (cr, x, y, MAX (r, 3), 0, 2 * G_PI);
    cnc_colormap_set_source (cr, fill, 1);
    cairo_fill (cr);
  }
  cairo_arc (cr, x, y, MAX (r, 3) + 3, 0, 2 * G_PI);
  cairo_set_line_width (cr, 2);
  cnc_colormap_set_source (cr, style->foreground, 0.9);
  cairo_stroke (cr);
  cairo_restore (cr);
}

guint
cnc_chart_map_hit (const CncChartMapData *data, const CncChartMapView *view, double x, double y, double slop)
{
  const CncLineageLayout *l;
  CncChartNearest nearest;
  double fc;

  g_return_val_if_fail (data != NULL && view != NULL, G_MAXUINT);
  l = data->layout;
  if (l->n_columns == 0 || y < view->header_height || view->column_px <= 0 || view->row_px <= 0)
    return G_MAXUINT;
  cnc_chart_nearest_init (&nearest, x, y);
  fc = (x - view->x0) / view->column_px;
  for (int c = (int) floor (fc); c <= (int) ceil (fc); c++)
    {
      double row = (y - view->y0) / view->row_px, reach;
      guint first, count;

      if (c < 0 || (guint) c >= l->n_columns)
        continue;
      reach = (base_radius (view) + slop) / view->row_px + 0.5;
      count = cnc_lineage_layout_rows_in_range (l, c, row - reach, row + reach, &first);
      for (guint k = first; k < first + count; k++)
        {
          guint i = l->column_nodes[c][k];
          double nx, ny;

          cnc_chart_map_node_position (data, view, i, &nx, &ny);
          cnc_chart_nearest_offer (&nearest, i, nx, ny, MAX (cnc_chart_map_node_radius (data, view, i), 2) + slop);
        }
    }
  return nearest.hit;
}

GArray *
cnc_chart_map_nodes_in_rect (const CncChartMapData *data, const CncChartMapView *view,
                             double x0, double y0, double x1, double y1)
{
  const CncLineageLayout *l = data->layout;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  double xl = MIN (x0, x1), xh = MAX (x0, x1), yl = MIN (y0, y1), yh = MAX (y0, y1);

  for (guint c = 0; c < l->n_columns; c++)
    {
      double x = view->x0 + c * view->column_px;
      guint first, count;

      if (x < xl || x > xh)
        continue;
      count = cnc_lineage_layout_rows_in_range (l, c, (yl - view->y0) / view->row_px,
                                                (yh - view->y0) / view->row_px, &first);
      g_array_append_vals (out, l->column_nodes[c] + first, count);
    }
  return out;
}

int
cnc_chart_map_header_at (const CncChartMapData *data, const CncChartMapView *view, double x, double y)
{
  double fc;
  int c;

  if (y < 0 || y >= view->header_height || view->column_px <= 0)
    return -1;
  fc = (x - view->x0) / view->column_px;
  c = (int) round (fc);
  if (c < 0 || (guint) c >= data->layout->n_columns || fabs (fc - c) * view->column_px > MAX (view->column_px / 2, 4))
    return -1;
  return c;
}
