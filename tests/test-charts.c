/* test-charts.c
 * Tests of the lineage layout and the Cairo charts, headless: columns, rows, folding, headers, colours, pixels.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-charts"

#include <math.h>
#include <string.h>

#include "charts/cnc-chart-loss.h"
#include "charts/cnc-chart-flips.h"
#include "charts/cnc-chart-map.h"
#include "charts/cnc-chart-matrix.h"
#include "charts/cnc-chart-scatter.h"
#include "charts/cnc-colormap.h"
#include "core/analysis/cnc-lineage-layout.h"
#include "core/analysis/cnc-pareto.h"

/* A hand-written lineage (index: operation, parent):
 *   0 train (root)
 *   1 prune ← 0      3 prune ← 0      5 train ← 0      7 quantize ← 0
 *   2 train ← 1      8 train ← 3      6 prune ← 5
 *   4 quantize ← 2
 * Worked out by hand:
 *   by step: depth 0: {0}; 1: {1, 3, 5, 7}; 2: {2, 6, 8}; 3: {4}
 *   by operation (breadth first, the first column of the kind right of the parent's, else a new one):
 *     train | prune | train (2nd) | quantize | prune (2nd)
 *     0       1 3     5 2 8         7 4        6
 *   rows (depth first; siblings by column, then operation, then parameters as numbers; a parent on its first
 *   child's row): by step, leaves 4, 8, 7, 6 take rows 0..3; 0, 1, 2 sit on row 0, 3 on 1, 5 on 3. */
#define N 9
static const int parent[N] = { -1, 0, 1, 0, 2, 0, 5, 0, 3 };
static const char * const ops[N] = {
  "train", "prune", "train", "prune", "quantize", "train", "prune", "quantize", "train",
};
static const char * const params[N] = {
  "{\"epochs\":90}", "{\"amount\":0.5}", "{\"epochs\":5}", "{\"amount\":0.9}", "{\"bits\":8}",
  "{\"epochs\":30}", "{\"amount\":0.5}", "{\"bits\":8}", "{\"epochs\":5}",
};

static CncLineageLayout *
hand_layout (CncLineageLayoutMode mode, const gboolean *collapsed)
{
  CncLineageInput in = { N, parent, NULL, ops, params, collapsed };
  return cnc_lineage_layout_new (&in, mode);
}

/* Every visible node appears exactly once in its column's list, lists sorted by row. */
static void
check_column_lists (const CncLineageLayout *l)
{
  g_autofree guint *seen = g_new0 (guint, l->n_nodes);
  guint total = 0;

  for (guint c = 0; c < l->n_columns; c++)
    {
      g_assert_cmpuint (l->column_n_nodes[c], ==, l->columns[c].n_nodes);
      for (guint k = 0; k < l->column_n_nodes[c]; k++)
        {
          guint i = l->column_nodes[c][k];
          g_assert_cmpuint (l->nodes[i].column, ==, c);
          g_assert_false (l->nodes[i].hidden);
          seen[i]++;
          if (k > 0)
            g_assert_cmpfloat (l->nodes[l->column_nodes[c][k - 1]].row, <, l->nodes[i].row);
        }
      total += l->column_n_nodes[c];
    }
  for (guint i = 0; i < l->n_nodes; i++)
    g_assert_cmpuint (seen[i], ==, l->nodes[i].hidden ? 0 : 1);
  (void) total;
}

static void
test_layout_by_step (void)
{
  g_autoptr(CncLineageLayout) l = hand_layout (CNC_LINEAGE_LAYOUT_BY_STEP, NULL);
  static const guint expected_column[N] = { 0, 1, 2, 1, 3, 1, 2, 1, 2 };
  /* siblings of the root by operation, then parameters: prune 0.5 (1), prune 0.9 (3), quantize (7), train (5) */
  static const double expected_row[N] = { 0, 0, 0, 1, 0, 3, 3, 2, 1 };

  g_assert_cmpuint (l->n_nodes, ==, N);
  g_assert_cmpuint (l->n_columns, ==, 4);
  g_assert_cmpuint (l->n_rows, ==, 4);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpuint (l->nodes[i].column, ==, expected_column[i]);
      g_assert_cmpfloat (l->nodes[i].row, ==, expected_row[i]);
    }
  g_assert_cmpuint (l->column_n_nodes[0], ==, 1);
  g_assert_cmpuint (l->column_n_nodes[1], ==, 4);
  g_assert_cmpuint (l->column_n_nodes[2], ==, 3);
  g_assert_cmpuint (l->column_n_nodes[3], ==, 1);
  g_assert_cmpstr (l->columns[0].label, ==, "root");
  g_assert_cmpstr (l->columns[3].label, ==, "step 3");
  /* one operation in the column: named with its shared parameters */
  g_assert_cmpstr (l->columns[3].detail, ==, "quantize (bits 8)");
  check_column_lists (l);
}

static void
test_layout_by_operation (void)
{
  g_autoptr(CncLineageLayout) l = hand_layout (CNC_LINEAGE_LAYOUT_BY_OPERATION, NULL);
  static const guint expected_column[N] = { 0, 1, 2, 1, 3, 2, 4, 3, 2 };
  static const char * const labels[] = { "train", "prune", "train (2nd)", "quantize", "prune (2nd)" };

  g_assert_cmpuint (l->n_columns, ==, G_N_ELEMENTS (labels));
  for (guint c = 0; c < l->n_columns; c++)
    g_assert_cmpstr (l->columns[c].label, ==, labels[c]);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpuint (l->nodes[i].column, ==, expected_column[i]);
      /* every column holds one kind of operation, and edges run to the right */
      g_assert_cmpstr (l->columns[l->nodes[i].column].kind, ==, ops[i]);
      if (parent[i] >= 0)
        g_assert_cmpuint (l->nodes[parent[i]].column, <, l->nodes[i].column);
    }
  /* both quantize steps share their parameters: the header says so */
  g_assert_cmpstr (l->columns[3].detail, ==, "bits 8");
  g_assert_null (l->columns[2].detail);   /* epochs 30 and 5 differ */
  g_assert_cmpstr (l->columns[2].short_label, ==, "train 2");
  check_column_lists (l);
}

static void
test_layout_collapse (void)
{
  gboolean collapsed[N] = { FALSE };
  g_autoptr(CncLineageLayout) a = NULL, b = NULL;
  g_autofree gboolean *fold = NULL;
  CncLineageInput in = { N, parent, NULL, ops, params, NULL };
  guint n_visible = 0;

  collapsed[1] = TRUE;   /* folds 2 and 4 */
  a = hand_layout (CNC_LINEAGE_LAYOUT_BY_OPERATION, collapsed);
  g_assert_true (a->nodes[2].hidden);
  g_assert_true (a->nodes[4].hidden);
  g_assert_cmpuint (a->nodes[1].folded, ==, 2);
  g_assert_cmpuint (a->n_rows, ==, 4);
  for (guint c = 0; c < a->n_columns; c++)
    n_visible += a->column_n_nodes[c];
  g_assert_cmpuint (n_visible, ==, N - 2);
  check_column_lists (a);

  collapsed[0] = TRUE;   /* everything into the root */
  b = hand_layout (CNC_LINEAGE_LAYOUT_BY_OPERATION, collapsed);
  g_assert_cmpuint (b->n_rows, ==, 1);
  g_assert_cmpuint (b->nodes[0].folded, ==, N - 1);
  g_assert_cmpuint (b->n_columns, ==, 1);   /* columns with nothing visible go */
  check_column_lists (b);

  /* folding to fit: 4 leaves fit 4 rows; 2 rows need the root folded (its 4 children do not fit) */
  g_assert_null (cnc_lineage_auto_collapse (&in, 4));
  fold = cnc_lineage_auto_collapse (&in, 2);
  g_assert_nonnull (fold);
  g_assert_true (fold[0]);
  g_clear_pointer (&fold, g_free);
  /* 3 rows: opening the root would take 4 rows (its 4 children): it stays folded */
  fold = cnc_lineage_auto_collapse (&in, 3);
  g_assert_true (fold[0]);
}

/* 7 px per character, as a rough font. */
static double
measure_chars (const char *text, gpointer user_data)
{
  return 7.0 * g_utf8_strlen (text, -1);
}

static double
measure_pango (const char *text, gpointer user_data)
{
  cairo_t *cr = user_data;
  CncChartStyle style;

  cnc_chart_style_init (&style, FALSE);
  return cnc_chart_text_width (cr, &style, text, CNC_CHART_TEXT_BOLD, NULL);
}

/* A layout with many repeated kinds: long and numbered headers. */
static CncLineageLayout *
many_columns_layout (void)
{
  static const char * const kinds[] = { "train", "magnitude prune", "quantize", "calibrate", "gradient prune" };
  guint n = 60;
  g_autofree int *p = g_new (int, n);
  g_autofree const char **o = g_new (const char *, n);
  CncLineageInput in = { 0 };

  /* one long chain cycling through the kinds: every step is a new column */
  for (guint i = 0; i < n; i++)
    {
      p[i] = (int) i - 1;
      o[i] = kinds[i % G_N_ELEMENTS (kinds)];
    }
  in.n = n;
  in.parent = p;
  in.operation = o;
  return cnc_lineage_layout_new (&in, CNC_LINEAGE_LAYOUT_BY_OPERATION);
}

static void
check_headers (const CncLineageLayout *l, CncLineageMeasureFunc measure, gpointer data, double column_px)
{
  g_autofree CncLineageHeaderKind *kinds = cnc_lineage_layout_place_headers (l, column_px, 8, measure, data);
  double last_end = -INFINITY;
  guint shown = 0;

  for (guint c = 0; c < l->n_columns; c++)
    {
      const char *text;
      double w, x = c * column_px;

      if (kinds[c] == CNC_LINEAGE_HEADER_NONE)
        continue;
      text = kinds[c] == CNC_LINEAGE_HEADER_FULL ? l->columns[c].label : l->columns[c].short_label;
      w = measure (text, data);
      /* never overlapping, with the gap */
      g_assert_cmpfloat (x - w / 2, >=, last_end + 8 - 1e-9);
      last_end = x + w / 2;
      shown++;
    }
  g_assert_cmpuint (shown, >=, 1);   /* something is always named */
}

static void
test_headers_never_overlap (void)
{
  g_autoptr(CncLineageLayout) l = many_columns_layout ();
  g_autoptr(CncLineageLayout) hand = hand_layout (CNC_LINEAGE_LAYOUT_BY_OPERATION, NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 4, 4);
  cairo_t *cr = cairo_create (s);
  g_autofree CncLineageHeaderKind *wide = NULL;

  g_assert_cmpuint (l->n_columns, ==, 60);
  g_assert_cmpstr (l->columns[5].label, ==, "train (2nd)");
  g_assert_cmpstr (l->columns[11].label, ==, "magnitude prune (3rd)");
  for (double px = 1; px <= 400; px *= 1.07)
    {
      check_headers (l, measure_chars, NULL, px);
      check_headers (l, measure_pango, cr, px);
      check_headers (hand, measure_pango, cr, px);
    }
  /* room enough: every header in full */
  wide = cnc_lineage_layout_place_headers (hand, 400, 8, measure_pango, cr);
  for (guint c = 0; c < hand->n_columns; c++)
    g_assert_cmpint (wide[c], ==, CNC_LINEAGE_HEADER_FULL);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* ---- colours -------------------------------------------------------------------------------------------- */

static gboolean
rgb_near (CncRgb c, guint32 hex)
{
  return fabs (c.r - ((hex >> 16) & 0xff) / 255.0) < 1e-6 && fabs (c.g - ((hex >> 8) & 0xff) / 255.0) < 1e-6
         && fabs (c.b - (hex & 0xff) / 255.0) < 1e-6;
}

/* WCAG 2 relative luminance and contrast, computed here independently. */
static double
wcag_luminance (CncRgb c)
{
  double v[3] = { c.r, c.g, c.b };
  for (int k = 0; k < 3; k++)
    v[k] = v[k] <= 0.03928 ? v[k] / 12.92 : pow ((v[k] + 0.055) / 1.055, 2.4);
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}

static double
contrast (CncRgb a, CncRgb b)
{
  double la = wcag_luminance (a), lb = wcag_luminance (b);
  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

static void
test_colormap (void)
{
  CncMetric accuracy = { .name = "Top-1 Accuracy", .higher_is_better = TRUE };
  CncMetric latency = { .name = "Latency", .higher_is_better = FALSE };
  CncChartStyle light, dark;
  double last = -1;

  /* viridis ends, the BrBG ends and its neutral middle */
  g_assert_true (rgb_near (cnc_colormap_sequential (0), 0x440154));
  g_assert_true (rgb_near (cnc_colormap_sequential (1), 0xfde725));
  g_assert_true (rgb_near (cnc_colormap_sequential (-3), 0x440154));   /* clamped */
  g_assert_true (rgb_near (cnc_colormap_diverging (-1), 0x8c510a));
  g_assert_true (rgb_near (cnc_colormap_diverging (1), 0x01665e));
  g_assert_true (rgb_near (cnc_colormap_diverging (0), 0xf0f0f0));
  g_assert_true (rgb_near (cnc_colormap_sequential (NAN), 0x9a9a9a));

  /* perceptual: lightness grows steadily along the ramp */
  for (int k = 0; k <= 20; k++)
    {
      double l = wcag_luminance (cnc_colormap_sequential (k / 20.0));
      g_assert_cmpfloat (l, >, last);
      last = l;
    }

  /* better is always the bright end: low latency and high accuracy both map to 1 */
  g_assert_cmpfloat (cnc_colormap_normalize (&accuracy, 0.9, 0.5, 0.9), ==, 1);
  g_assert_cmpfloat (cnc_colormap_normalize (&accuracy, 0.5, 0.5, 0.9), ==, 0);
  g_assert_cmpfloat (cnc_colormap_normalize (&latency, 2, 2, 20), ==, 1);
  g_assert_cmpfloat (cnc_colormap_normalize (&latency, 20, 2, 20), ==, 0);
  g_assert_cmpfloat (cnc_colormap_normalize (&latency, 11, 2, 20), ==, 0.5);
  g_assert_true (isnan (cnc_colormap_normalize (&latency, NAN, 2, 20)));

  /* every mark stands out from the background, light or dark, whatever its fill (WCAG 3:1 for graphics) */
  cnc_chart_style_init (&light, FALSE);
  cnc_chart_style_init (&dark, TRUE);
  for (int k = 0; k <= 40; k++)
    {
      CncRgb fill = cnc_colormap_sequential (k / 40.0);
      g_assert_cmpfloat (contrast (cnc_colormap_outline (fill, light.background), light.background), >=, 3);
      g_assert_cmpfloat (contrast (cnc_colormap_outline (fill, dark.background), dark.background), >=, 3);
    }
}

/* ---- pixels ------------------------------------------------------------------------------------------------ */

/* Whether two opaque pixels match within one step per channel (Cairo rounds colours its own way). */
static gboolean
same_pixel (guint32 a, guint32 b)
{
  if ((a >> 24) != 0xff || (b >> 24) != 0xff)
    return FALSE;
  for (int shift = 0; shift < 24; shift += 8)
    if (abs ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 1)
      return FALSE;
  return TRUE;
}

static double pixel_luminance (cairo_surface_t *s, double x, double y);

/* A distillation teacher (5 teaches 8): a dashed curve between them, in the text colour. */
static void
test_map_teacher_edge (void)
{
  int teacher[N] = { -1, -1, -1, -1, -1, -1, -1, -1, 5 };
  guint dark[2] = { 0, 0 };

  for (int with = 0; with < 2; with++)
    {
      CncLineageInput in = { N, parent, with ? teacher : NULL, ops, params, NULL };
      g_autoptr(CncLineageLayout) l = cnc_lineage_layout_new (&in, CNC_LINEAGE_LAYOUT_BY_OPERATION);
      CncChartMapData d = { 0 };
      CncChartMapView v;
      CncChartStyle style;
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 900, 420);
      cairo_t *cr = cairo_create (s);
      double x5, y5, x8, y8, r;

      d.layout = l;
      d.parent = parent;
      d.teacher = with ? teacher : NULL;
      cnc_chart_style_init (&style, FALSE);
      cnc_chart_map_fit (&d, 900, 420, CNC_CHART_MAP_HEADER_PX, FALSE, &v);
      cnc_chart_map_draw (cr, &style, &d, &v);
      cairo_destroy (cr);
      cairo_surface_flush (s);
      /* both in the "train (2nd)" column: the curve bows out to the right of it, between their rows */
      cnc_chart_map_node_position (&d, &v, 5, &x5, &y5);
      cnc_chart_map_node_position (&d, &v, 8, &x8, &y8);
      g_assert_cmpfloat (x5, ==, x8);
      r = cnc_chart_map_node_radius (&d, &v, 5) + 3;
      for (double y = MIN (y5, y8) + r; y <= MAX (y5, y8) - r; y++)
        for (double x = x5 + 3; x <= x5 + v.column_px * 0.35; x++)
          if (pixel_luminance (s, x, y) < 0.6)
            dark[with]++;
      cairo_surface_destroy (s);
    }
  g_assert_cmpuint (dark[0], ==, 0);
  g_assert_cmpuint (dark[1], >, 3);
}

static double
pixel_luminance (cairo_surface_t *s, double x, double y)
{
  guint32 p = ((guint32 *) cairo_image_surface_get_data (s))[(int) y * cairo_image_surface_get_stride (s) / 4 + (int) x];
  return (0.2126 * ((p >> 16) & 0xff) + 0.7152 * ((p >> 8) & 0xff) + 0.0722 * (p & 0xff)) / 255.0;
}

/* Counts 4-connected regions of pixels of colour @argb (opaque). */
static guint
count_blobs (cairo_surface_t *s, guint32 argb)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int stride = cairo_image_surface_get_stride (s) / 4;
  guint32 *px = (guint32 *) cairo_image_surface_get_data (s);
  g_autofree guint8 *seen = g_new0 (guint8, (gsize) w * h);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (int));
  guint blobs = 0;

  cairo_surface_flush (s);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int start = y * w + x;

        if (seen[start] || !same_pixel (px[y * stride + x], argb))
          continue;
        blobs++;
        seen[start] = 1;
        g_array_append_val (stack, start);
        while (stack->len > 0)
          {
            int p = g_array_index (stack, int, stack->len - 1), px0 = p % w, py0 = p / w;
            static const int dx[] = { 1, -1, 0, 0 }, dy[] = { 0, 0, 1, -1 };

            g_array_set_size (stack, stack->len - 1);
            for (int k = 0; k < 4; k++)
              {
                int nx = px0 + dx[k], ny = py0 + dy[k];
                if (nx < 0 || ny < 0 || nx >= w || ny >= h || seen[ny * w + nx] || !same_pixel (px[ny * stride + nx], argb))
                  continue;
                seen[ny * w + nx] = 1;
                g_array_append_val (stack, (int) { ny * w + nx });
              }
          }
      }
  return blobs;
}

static guint32
opaque (CncRgb c)
{
  return 0xff000000u | ((guint32) lround (c.r * 255) << 16) | ((guint32) lround (c.g * 255) << 8)
         | (guint32) lround (c.b * 255);
}

/* Draws the hand lineage with one colour per node, the colour of each node unique: each is one blob. */
static void
test_map_draws_every_node (void)
{
  static const double palette[N] = { 0.0, 0.12, 0.24, 0.36, 0.48, 0.6, 0.72, 0.84, 1.0 };
  gboolean collapsed[N] = { FALSE };

  for (int fold = 0; fold < 2; fold++)
    {
      g_autoptr(CncLineageLayout) l = NULL;
      CncChartMapData d = { 0 };
      CncChartMapView v;
      CncChartStyle style;
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 900, 420);
      cairo_t *cr = cairo_create (s);
      guint drawn = 0;

      collapsed[1] = fold;
      l = hand_layout (CNC_LINEAGE_LAYOUT_BY_OPERATION, collapsed);
      d.layout = l;
      d.parent = parent;
      d.color = palette;
      cnc_chart_style_init (&style, FALSE);
      cnc_chart_map_fit (&d, 900, 420, CNC_CHART_MAP_HEADER_PX, FALSE, &v);
      g_assert_cmpfloat (v.row_px, >=, 12);   /* the detail level: real marks */
      cnc_chart_map_draw (cr, &style, &d, &v);
      cairo_destroy (cr);
      /* 32 colour levels: 0.12 apart, each node has its own; count the blobs of each node's fill */
      for (guint i = 0; i < N; i++)
        {
          guint b = (guint) round (palette[i] * 31);
          guint blobs = count_blobs (s, opaque (cnc_colormap_sequential (b / 31.0)));
          /* hidden: nothing; folded: the node and the stack behind it; else one mark */
          if (l->nodes[i].hidden)
            g_assert_cmpuint (blobs, ==, 0);
          else
            g_assert_cmpuint (blobs, ==, l->nodes[i].folded ? 2 : 1);
          drawn += blobs > 0;
        }
      g_assert_cmpuint (drawn, ==, fold ? N - 2 : N);
      /* the node is where the hit test says */
      for (guint i = 0; i < N; i++)
        if (!l->nodes[i].hidden)
          {
            double x, y;
            cnc_chart_map_node_position (&d, &v, i, &x, &y);
            g_assert_cmpuint (cnc_chart_map_hit (&d, &v, x + 1, y - 1, 0), ==, i);
          }
      cairo_surface_destroy (s);
    }
}


/* Hand-made: X lower is better, Y higher is better. A(1,1) B(2,3) C(3,2) D(4,4) E(2.5,1.5):
 * C is dominated by B (worse on both), E by B; the front is A, B, D. */
static void
test_scatter_pareto (void)
{
  double x[] = { 1, 2, 3, 4, 2.5 }, y[] = { 1, 3, 2, 4, 1.5 }, xy[10];
  gboolean higher[2] = { FALSE, TRUE };
  CncMetric mx = { .name = "Latency", .unit = "ms", .higher_is_better = FALSE };
  CncMetric my = { .name = "Score", .higher_is_better = TRUE };
  g_autoptr(GArray) front = NULL;
  CncChartScatterData d = { 0 };
  CncChartScatterFrame f;
  CncChartStyle style;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 500, 360);
  cairo_t *cr = cairo_create (s);
  double px, py, qx, qy;

  for (guint i = 0; i < 5; i++)
    {
      xy[2 * i] = x[i];
      xy[2 * i + 1] = y[i];
    }
  front = cnc_pareto_front (xy, 5, 2, higher, NULL);
  g_assert_cmpuint (front->len, ==, 3);
  g_assert_cmpuint (g_array_index (front, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (front, guint, 1), ==, 1);
  g_assert_cmpuint (g_array_index (front, guint, 2), ==, 3);

  d.n = 5;
  d.x = x;
  d.y = y;
  d.x_metric = &mx;
  d.y_metric = &my;
  d.front = (guint *) front->data;
  d.n_front = front->len;
  cnc_chart_style_init (&style, FALSE);
  cnc_chart_scatter_frame (cr, &style, &d, 500, 360, &f);
  cnc_chart_scatter_draw (cr, &style, &d, &f);
  cairo_destroy (cr);
  cairo_surface_flush (s);

  /* the step from A to B runs along A's Y to B's X (the corner is the worse of each): drawn dark there */
  px = cnc_chart_scale_map (&f.x, 1.5);
  py = cnc_chart_scale_map (&f.y, 1);
  g_assert_cmpfloat (pixel_luminance (s, px, py), <, 0.45);
  /* and not along the straight line between them */
  qx = cnc_chart_scale_map (&f.x, 1.5);
  qy = cnc_chart_scale_map (&f.y, 2);
  g_assert_cmpfloat (pixel_luminance (s, qx, qy), >, 0.8);
  /* the vertical part of the step at B's X, between A's and B's Y */
  g_assert_cmpfloat (pixel_luminance (s, cnc_chart_scale_map (&f.x, 2), cnc_chart_scale_map (&f.y, 2.2)), <, 0.45);
  /* dominated C is drawn dimmer (lighter on white) than A on the front */
  g_assert_cmpfloat (pixel_luminance (s, cnc_chart_scale_map (&f.x, 3), cnc_chart_scale_map (&f.y, 2)), >,
                     pixel_luminance (s, cnc_chart_scale_map (&f.x, 4) - 0.0, cnc_chart_scale_map (&f.y, 4)) + 0.1);
  /* hits: each point where it is drawn */
  for (guint i = 0; i < 5; i++)
    {
      double hx, hy;
      g_assert_true (cnc_chart_scatter_position (&d, &f, i, &hx, &hy));
      g_assert_cmpuint (cnc_chart_scatter_hit (&d, &f, hx, hy, 0), ==, i);
    }
  cairo_surface_destroy (s);
}

static void
test_ticks (void)
{
  CncChartScale s = { 0.013, 0.87, 0, 100, FALSE };
  g_autoptr(GArray) t = NULL, lt = NULL;
  CncChartScale l = { 3, 4500, 0, 100, TRUE };

  cnc_chart_scale_nice (&s, 5);
  g_assert_cmpfloat (s.lo, ==, 0);
  g_assert_cmpfloat (fabs (s.hi - 1.0), <, 1e-12);
  t = cnc_chart_ticks (&s, 5);
  g_assert_cmpuint (t->len, ==, 6);   /* 0, 0.2, … 1 */
  g_assert_cmpfloat (fabs (g_array_index (t, double, 3) - 0.6), <, 1e-12);
  cnc_chart_scale_nice (&l, 6);
  g_assert_cmpfloat (l.lo, ==, 1);
  g_assert_cmpfloat (l.hi, ==, 10000);
  lt = cnc_chart_ticks (&l, 6);
  g_assert_cmpuint (lt->len, ==, 5);   /* 1, 10, 100, 1000, 10000 */
  g_assert_cmpfloat (cnc_chart_scale_map (&l, 100), ==, 50);
  g_assert_cmpfloat (fabs (cnc_chart_scale_invert (&l, 75) - 1000), <, 1e-9);
}

/* The loss chart: parsed from the JSON kept with a model; the curve drawn in the accent colour, going down
 * from left to right as the losses do. */
static void
test_loss_chart (void)
{
  static const char json[] = "{\"epoch_loss\": [1.5, 0.375], \"step_loss\": [2.0, 1.0, 0.5, 0.25], "
                             "\"log_every\": 10, \"batches\": 40, \"seconds\": 1.5}";
  CncChartLossData d;
  CncChartStyle style;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 200);
  cairo_t *cr = cairo_create (s);
  guint32 *px;
  int stride;
  double sum_left = 0, sum_right = 0;
  guint n_left = 0, n_right = 0;

  g_assert_false (cnc_chart_loss_parse ("not json", &d));
  g_assert_false (cnc_chart_loss_parse ("{}", &d));
  cnc_chart_loss_clear (&d);
  g_assert_true (cnc_chart_loss_parse (json, &d));
  g_assert_cmpuint (d.n_steps, ==, 4);
  g_assert_cmpuint (d.n_epochs, ==, 2);
  g_assert_cmpuint (d.log_every, ==, 10);
  g_assert_cmpuint (d.batches, ==, 40);
  g_assert_cmpfloat (d.epoch_loss[1], ==, 0.375);

  cnc_chart_style_init (&style, FALSE);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cnc_chart_loss_draw (cr, &style, &d, 400, 200);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  if (g_getenv ("CNC_SHOTS_DIR"))
    {
      g_autofree char *path = g_build_filename (g_getenv ("CNC_SHOTS_DIR"), "loss-chart.png", NULL);
      cairo_surface_write_to_png (s, path);
    }

  /* Pixels of the accent colour: their mean row on the left half is higher up than on the right. */
  px = (guint32 *) cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s) / 4;
  for (int y = 0; y < 200; y++)
    for (int x = 0; x < 400; x++)
      {
        guint32 p = px[y * stride + x];
        double r = ((p >> 16) & 0xff) / 255.0, g = ((p >> 8) & 0xff) / 255.0, b = (p & 0xff) / 255.0;

        if (fabs (r - style.accent.r) < 0.08 && fabs (g - style.accent.g) < 0.08 && fabs (b - style.accent.b) < 0.08)
          {
            if (x < 200)
              {
                sum_left += y;
                n_left++;
              }
            else
              {
                sum_right += y;
                n_right++;
              }
          }
      }
  g_assert_cmpuint (n_left, >, 40);
  g_assert_cmpuint (n_right, >, 40);
  g_assert_cmpfloat (sum_left / n_left, <, sum_right / n_right - 20);
  cnc_chart_loss_clear (&d);
  cairo_surface_destroy (s);
}

/* ---- matrices -------------------------------------------------------------------------------------------- */

static guint32
rgb_pixel (CncRgb c)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  guint32 p;

  cnc_colormap_set_source (cr, c, 1);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  p = *(guint32 *) cairo_image_surface_get_data (s);
  cairo_surface_destroy (s);
  return p;
}

static guint32
pixel_of (cairo_surface_t *s, double x, double y)
{
  return ((guint32 *) cairo_image_surface_get_data (s))[(int) y * cairo_image_surface_get_stride (s) / 4 + (int) x];
}

/* A 3-class change matrix, worked out by hand: the diagonal muted, the largest off-diagonal count (7)
 * at the dark end of the ramp, 3 at 3/7 of it, empty cells left as background; clicking a cell finds it. */
static void
test_matrix_counts (void)
{
  const gint64 cells[9] = { 50, 3, 0,
                            7, 40, 1,
                            0, 2, 30 };
  const char * const labels[3] = { "T-shirt/top", "Shirt", "Coat" };
  CncChartMatrixData d = { 3, cells, CNC_CHART_MATRIX_COUNTS, labels, "base predicts", "pruned predicts",
                           FALSE, TRUE, NULL };
  CncChartMatrixFrame f;
  CncChartStyle style;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 360);
  cairo_t *cr = cairo_create (s);
  guint row, column;
  double x, y, size;

  cnc_chart_style_init (&style, FALSE);
  cnc_chart_matrix_frame (cr, &style, &d, 400, 360, &f);
  g_assert_cmpuint (f.per_cell, ==, 1);
  g_assert_cmpuint (f.cells, ==, 3);
  g_assert_cmpuint (f.label_step, ==, 1);
  g_assert_cmpfloat (f.max_abs, ==, 7);
  g_assert_cmpfloat (f.cell, >, 50);
  g_assert_cmpfloat (f.x0 + 3 * f.cell, <=, 400);
  g_assert_cmpfloat (f.y0 + 3 * f.cell, <=, 360);
  cnc_chart_matrix_draw (cr, &style, &d, &f);
  cairo_destroy (cr);
  cairo_surface_flush (s);

  /* near each cell's corner (its count is written in the middle) */
  cnc_chart_matrix_cell_rect (&f, 1, 0, &x, &y, &size);
  g_assert_true (same_pixel (pixel_of (s, x + 3, y + 3), rgb_pixel (cnc_colormap_sequential (0))));
  cnc_chart_matrix_cell_rect (&f, 0, 1, &x, &y, &size);
  g_assert_true (same_pixel (pixel_of (s, x + 3, y + 3),
                             rgb_pixel (cnc_colormap_sequential (0.92 * (1 - 3.0 / 7)))));
  cnc_chart_matrix_cell_rect (&f, 0, 2, &x, &y, &size);
  g_assert_true (same_pixel (pixel_of (s, x + 3, y + 3), rgb_pixel (style.background)));
  cnc_chart_matrix_cell_rect (&f, 1, 1, &x, &y, &size);   /* off the dashed diagonal guide */
  g_assert_true (same_pixel (pixel_of (s, x + size - 4, y + 3), rgb_pixel (style.grid)));

  g_assert_true (cnc_chart_matrix_hit (&f, f.x0 + 1.5 * f.cell, f.y0 + 2.5 * f.cell, &row, &column));
  g_assert_cmpuint (row, ==, 2);
  g_assert_cmpuint (column, ==, 1);
  g_assert_false (cnc_chart_matrix_hit (&f, f.x0 - 2, f.y0 + 1, &row, &column));
  g_assert_false (cnc_chart_matrix_hit (&f, f.x0 + 3 * f.cell + 1, f.y0 + 1, &row, &column));
  cairo_surface_destroy (s);
}

/* A confusion delta means what it says: more right answers (diagonal) is better, more of a wrong one worse. */
static void
test_matrix_delta (void)
{
  const gint64 cells[4] = { 5, -5,
                            5, -5 };
  CncChartMatrixData d = { 2, cells, CNC_CHART_MATRIX_CONFUSION_DELTA, NULL, "true class", "predicted",
                           FALSE, FALSE, NULL };
  CncChartMatrixFrame f;
  CncChartStyle style;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 200, 200);
  cairo_t *cr = cairo_create (s);

  cnc_chart_style_init (&style, FALSE);
  cnc_chart_matrix_frame (cr, &style, &d, 200, 200, &f);
  g_assert_true (same_pixel (rgb_pixel (cnc_chart_matrix_cell_color (&style, &d, &f, 0, 0)),
                             rgb_pixel (cnc_colormap_diverging (1))));
  g_assert_true (same_pixel (rgb_pixel (cnc_chart_matrix_cell_color (&style, &d, &f, 0, 1)),
                             rgb_pixel (cnc_colormap_diverging (1))));
  g_assert_true (same_pixel (rgb_pixel (cnc_chart_matrix_cell_color (&style, &d, &f, 1, 0)),
                             rgb_pixel (cnc_colormap_diverging (-1))));
  g_assert_true (same_pixel (rgb_pixel (cnc_chart_matrix_cell_color (&style, &d, &f, 1, 1)),
                             rgb_pixel (cnc_colormap_diverging (-1))));
  cnc_chart_matrix_draw (cr, &style, &d, &f);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* 100 classes stay cells with thinned labels; 1,000 in a small pane become a density that keeps every count. */
static void
test_matrix_scales (void)
{
  for (guint pass = 0; pass < 2; pass++)
    {
      guint k = pass == 0 ? 100 : 1000;
      double size = pass == 0 ? 700 : 400;
      g_autofree gint64 *cells = g_new0 (gint64, (gsize) k * k);
      CncChartMatrixData d = { k, cells, CNC_CHART_MATRIX_COUNTS, NULL, "base", "model", TRUE, FALSE, NULL };
      CncChartMatrixFrame f;
      CncChartStyle style;
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
      cairo_t *cr = cairo_create (s);
      gint64 total = 0, drawn = 0;

      for (gsize i = 0; i < (gsize) k * k; i++)
        total += cells[i] = (i * 7919) % 13 == 0 ? (gint64) (i % 5) : 0;
      cnc_chart_style_init (&style, TRUE);
      cnc_chart_matrix_frame (cr, &style, &d, size, size, &f);
      if (pass == 0)
        {
          g_assert_cmpuint (f.per_cell, ==, 1);
          g_assert_cmpfloat (f.cell, >=, CNC_CHART_MATRIX_MIN_LABELLED_CELL);
          g_assert_cmpuint (f.label_step, >, 1);
        }
      else
        {
          g_assert_cmpuint (f.per_cell, >, 1);
          g_assert_cmpfloat (f.cell, >=, 1);
          g_assert_cmpuint (f.label_step, ==, 0);
        }
      g_assert_cmpfloat (f.x0 + f.cells * f.cell, <=, size);
      for (guint r = 0; r < f.cells; r++)
        for (guint c = 0; c < f.cells; c++)
          drawn += cnc_chart_matrix_cell_value (&d, &f, r, c);
      g_assert_cmpint (drawn, ==, total);
      cnc_chart_matrix_draw (cr, &style, &d, &f);
      cairo_destroy (cr);
      cairo_surface_destroy (s);
    }
}

/* Flip bars: each segment as long as its share (worked out by hand), in its colour; hovering finds it. */
static void
test_flips (void)
{
  const char * const names[2] = { "prune-90", "prune-90-ft" };
  const gint64 counts[2 * CNC_CHART_N_FLIPS] = { 600, 100, 50, 200, 50,     /* of 1000 */
                                                 900, 0, 0, 0, 100 };
  CncChartFlipsData d = { 2, names, counts, -1, 0 };
  CncChartFlipsFrame f;
  CncChartStyle style;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 600, 160);
  cairo_t *cr = cairo_create (s);
  double span, y0;
  guint model;
  CncChartFlip flip;

  cnc_chart_style_init (&style, FALSE);
  cnc_chart_flips_frame (cr, &style, &d, 600, 160, &f);
  cnc_chart_flips_draw (cr, &style, &d, &f);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  span = f.x1 - f.x0;
  y0 = f.y0 + f.row / 2;
  /* model 0: both right [0, .6), alike [.6, .7), differently [.7, .75), broken [.75, .95), fixed [.95, 1) */
  g_assert_true (cnc_chart_flips_hit (&d, &f, f.x0 + 0.85 * span, y0, &model, &flip));
  g_assert_cmpuint (model, ==, 0);
  g_assert_cmpint (flip, ==, CNC_CHART_FLIP_BROKEN);
  g_assert_true (same_pixel (pixel_of (s, f.x0 + 0.76 * span, y0 - f.bar / 2 + 2),
                             rgb_pixel (cnc_chart_flip_color (&style, CNC_CHART_FLIP_BROKEN))));
  g_assert_true (cnc_chart_flips_hit (&d, &f, f.x0 + 0.72 * span, y0, &model, &flip));
  g_assert_cmpint (flip, ==, CNC_CHART_FLIP_BOTH_WRONG_DIFFERENT);
  /* model 1: both right [0, .9), fixed [.9, 1) */
  g_assert_true (cnc_chart_flips_hit (&d, &f, f.x0 + 0.95 * span, y0 + f.row, &model, &flip));
  g_assert_cmpuint (model, ==, 1);
  g_assert_cmpint (flip, ==, CNC_CHART_FLIP_FIXED);
  g_assert_true (same_pixel (pixel_of (s, f.x0 + 0.97 * span, y0 + f.row),
                             rgb_pixel (cnc_chart_flip_color (&style, CNC_CHART_FLIP_FIXED))));
  g_assert_false (cnc_chart_flips_hit (&d, &f, f.x0 - 3, y0, &model, &flip));
  cairo_surface_destroy (s);
}

/* Per-class changes: a loss drawn left of zero in the "worse" colour, a gain right of it in the "better" one,
 * each as long as its change; the row under the pointer is its class. */
static void
test_class_delta (void)
{
  const char * const labels[3] = { "T-shirt/top", "Trouser", "Shirt" };
  const char * const names[1] = { "prune-90" };
  const double delta[3] = { 0.05, NAN, -0.20 };
  CncChartClassDeltaData d = { 3, 1, labels, names, delta, -1 };
  CncChartClassDeltaFrame f;
  CncChartStyle style;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 500, 200);
  cairo_t *cr = cairo_create (s);
  guint c;
  double y;

  cnc_chart_style_init (&style, FALSE);
  cnc_chart_class_delta_frame (cr, &style, &d, 500, 200, &f);
  cnc_chart_class_delta_draw (cr, &style, &d, &f);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  y = f.y0 + 2.5 * f.row;
  g_assert_true (same_pixel (pixel_of (s, f.x_zero - 0.19 * f.x_scale, y),
                             rgb_pixel (cnc_colormap_diverging (-0.75))));
  g_assert_true (same_pixel (pixel_of (s, f.x_zero - 0.21 * f.x_scale, y), rgb_pixel (style.background)));
  y = f.y0 + 0.5 * f.row;
  g_assert_true (same_pixel (pixel_of (s, f.x_zero + 0.04 * f.x_scale, y), rgb_pixel (cnc_colormap_diverging (0.75))));
  g_assert_true (same_pixel (pixel_of (s, f.x_zero - 0.02 * f.x_scale, y), rgb_pixel (style.background)));
  g_assert_true (cnc_chart_class_delta_hit (&d, &f, 100, f.y0 + 2.2 * f.row, &c));
  g_assert_cmpuint (c, ==, 2);
  g_assert_false (cnc_chart_class_delta_hit (&d, &f, 100, f.y0 + 3.2 * f.row, &c));
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/charts/layout/by-step", test_layout_by_step);
  g_test_add_func ("/charts/layout/by-operation", test_layout_by_operation);
  g_test_add_func ("/charts/layout/collapse", test_layout_collapse);
  g_test_add_func ("/charts/layout/headers-never-overlap", test_headers_never_overlap);
  g_test_add_func ("/charts/colormap", test_colormap);
  g_test_add_func ("/charts/ticks", test_ticks);
  g_test_add_func ("/charts/map/draws-every-node", test_map_draws_every_node);
  g_test_add_func ("/charts/map/teacher-edge", test_map_teacher_edge);
  g_test_add_func ("/charts/scatter/pareto", test_scatter_pareto);
  g_test_add_func ("/charts/loss", test_loss_chart);
  g_test_add_func ("/charts/matrix/counts", test_matrix_counts);
  g_test_add_func ("/charts/matrix/delta", test_matrix_delta);
  g_test_add_func ("/charts/matrix/scales", test_matrix_scales);
  g_test_add_func ("/charts/flips", test_flips);
  g_test_add_func ("/charts/class-delta", test_class_delta);
  return g_test_run ();
}
