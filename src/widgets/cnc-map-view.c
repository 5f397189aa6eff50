/* cnc-map-view.c
 * The provenance map: the lineage of a workspace's models as a zoomable, selectable graph.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-map-view"

#include "cnc-map-view.h"

#include <math.h>

#include "charts/cnc-chart-map.h"
#include "core/analysis/cnc-metric-format.h"
#include "cnc-widget-util.h"

#define ZOOM_STEP_KEY   1.25
#define ZOOM_STEP_WHEEL 1.1
#define MAX_ROW_PX      64.0
#define MINIMAP_W       180.0
#define MINIMAP_H       110.0
#define MINIMAP_MARGIN  10.0

typedef enum {
  DRAG_NONE,
  DRAG_BAND,       /* rubber band */
  DRAG_PAN,
  DRAG_MINIMAP,
} DragMode;

struct _CncMapView
{
  GtkWidget             parent_instance;

  CncModelSet          *set;
  CncLineageLayoutMode  mode;
  gboolean              show_minimap;

  /* per model, rebuilt from the set */
  guint                 n;
  int                  *parent;
  int                  *teacher;
  double               *color;
  double               *size;
  guint8               *flags;
  char                **labels;      /* parameters, filled for what is in view */
  gboolean             *collapsed;
  CncLineageLayout     *layout;
  CncChartMapData       data;

  /* view: zoom relative to "fit", and the offset */
  CncChartMapView       view;
  double                fit_col, fit_row;
  double                zoom;         /* 1 = fit */
  gboolean              fitted;       /* follows the size until the user zooms or pans */
  int                   last_w, last_h;
  guint                 focus;

  /* cached static drawing */
  GdkTexture           *cache;
  cairo_surface_t      *minimap;
  CncChartMapView       minimap_view;

  /* pointer */
  double                pointer_x, pointer_y;
  gboolean              pointer_in;
  DragMode              drag;
  double                drag_x, drag_y, drag_dx, drag_dy;
  double                pan_x0, pan_y0;
  gboolean              space_down;
  gboolean              click_on_nothing;
  double                pinch_scale;
  GHashTable           *collapsed_ids;  /* model ids, kept across reloads */
  gboolean              fold_pending;   /* fold large subtrees once the pane's height is known */
};

G_DEFINE_FINAL_TYPE (CncMapView, cnc_map_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL_SET,
  PROP_LAYOUT_MODE,
  PROP_ZOOM,
  PROP_SHOW_MINIMAP,
  N_PROPS
};

enum {
  SIGNAL_MODEL_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- data from the set ------------------------------------------------------------------------- */

static void
invalidate (CncMapView *self)
{
  g_clear_object (&self->cache);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
invalidate_all (CncMapView *self)
{
  g_clear_pointer (&self->minimap, cairo_surface_destroy);
  invalidate (self);
}

static void
free_arrays (CncMapView *self)
{
  g_clear_pointer (&self->parent, g_free);
  g_clear_pointer (&self->teacher, g_free);
  g_clear_pointer (&self->color, g_free);
  g_clear_pointer (&self->size, g_free);
  g_clear_pointer (&self->flags, g_free);
  g_clear_pointer (&self->collapsed, g_free);
  if (self->labels)
    for (guint i = 0; i < self->n; i++)
      g_free (self->labels[i]);
  g_clear_pointer (&self->labels, g_free);
  g_clear_pointer (&self->layout, cnc_lineage_layout_free);
}

static void
update_flags (CncMapView *self)
{
  for (guint i = 0; i < self->n; i++)
    self->flags[i] = (cnc_model_set_is_selected (self->set, i) ? CNC_CHART_MAP_SELECTED : 0)
                   | (cnc_model_set_passes_filters (self->set, i) ? 0 : CNC_CHART_MAP_FADED)
                   | (i == self->focus && gtk_widget_has_focus (GTK_WIDGET (self)) ? CNC_CHART_MAP_FOCUSED : 0);
}

static void
update_encodings (CncMapView *self)
{
  int cm = cnc_model_set_get_color_metric (self->set), sm = cnc_model_set_get_size_metric (self->set);

  self->data.color = NULL;
  self->data.size = NULL;
  self->data.color_metric = NULL;
  self->data.size_metric = NULL;
  if (cm >= 0 && self->n > 0)
    {
      const double *v = cnc_model_set_get_values (self->set, cm);
      double lo, hi;

      self->data.color_metric = cnc_model_set_get_metric (self->set, cm);
      if (cnc_model_set_get_range (self->set, cm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            self->color[i] = cnc_colormap_normalize (self->data.color_metric, v[i], lo, hi);
          self->data.color = self->color;
          self->data.color_lo = lo;
          self->data.color_hi = hi;
        }
      else
        self->data.color_metric = NULL;
    }
  if (sm >= 0 && self->n > 0)
    {
      const double *v = cnc_model_set_get_values (self->set, sm);
      double lo, hi;

      if (cnc_model_set_get_range (self->set, sm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            self->size[i] = isnan (v[i]) ? NAN : hi > lo ? (v[i] - lo) / (hi - lo) : 0.5;
          self->data.size = self->size;
          self->data.size_metric = cnc_model_set_get_metric (self->set, sm);
          self->data.size_lo = lo;
          self->data.size_hi = hi;
        }
    }
}

static void
set_collapsed_flag (CncMapView *self, guint i, gboolean collapsed)
{
  const CncModel *m = cnc_model_set_get_model (self->set, i);

  self->collapsed[i] = collapsed;
  if (collapsed)
    g_hash_table_add (self->collapsed_ids, g_memdup2 (&m->id, sizeof m->id));
  else
    g_hash_table_remove (self->collapsed_ids, &m->id);
}

/* The layout's input; free the two arrays it points to with g_free. */
static void
make_input (CncMapView *self, CncLineageInput *input)
{
  const char **ops = g_new0 (const char *, MAX (self->n, 1));
  const char **params = g_new0 (const char *, MAX (self->n, 1));

  for (guint i = 0; i < self->n; i++)
    {
      const CncModel *m = cnc_model_set_get_model (self->set, i);
      ops[i] = m->operation;
      params[i] = m->parameters;
    }
  *input = (CncLineageInput) { 0 };
  input->n = self->n;
  input->parent = self->parent;
  input->teacher = self->teacher;
  input->operation = ops;
  input->parameters = params;
  input->collapsed = self->collapsed;
}

static void
free_input (CncLineageInput *input)
{
  g_free ((gpointer) input->operation);
  g_free ((gpointer) input->parameters);
}

static void
relayout (CncMapView *self)
{
  CncLineageInput input;

  make_input (self, &input);
  g_clear_pointer (&self->layout, cnc_lineage_layout_free);
  self->layout = cnc_lineage_layout_new (&input, self->mode);
  free_input (&input);
  for (guint i = 0; i < self->n; i++)
    g_clear_pointer (&self->labels[i], g_free);
  self->data.layout = self->layout;
  self->last_w = self->last_h = -1;   /* recompute the fit */
  invalidate_all (self);
}

static void
on_changed (CncMapView *self)
{
  /* a first load folds what does not fit; reloads keep what the user folded */
  if (self->n == 0)
    self->fold_pending = TRUE;
  free_arrays (self);
  self->n = cnc_model_set_get_n_models (self->set);
  self->parent = g_new (int, MAX (self->n, 1));
  self->teacher = g_new (int, MAX (self->n, 1));
  self->color = g_new (double, MAX (self->n, 1));
  self->size = g_new (double, MAX (self->n, 1));
  self->flags = g_new0 (guint8, MAX (self->n, 1));
  self->labels = g_new0 (char *, MAX (self->n, 1));
  self->collapsed = g_new0 (gboolean, MAX (self->n, 1));
  for (guint i = 0; i < self->n; i++)
    {
      guint p = cnc_model_set_get_parent (self->set, i), t = cnc_model_set_get_teacher (self->set, i);
      self->parent[i] = p == CNC_MODEL_NONE ? -1 : (int) p;
      self->teacher[i] = t == CNC_MODEL_NONE ? -1 : (int) t;
      /* collapsed subtrees stay collapsed across reloads */
      self->collapsed[i] = g_hash_table_contains (self->collapsed_ids, &cnc_model_set_get_model (self->set, i)->id);
    }
  self->data.parent = self->parent;
  self->data.teacher = self->teacher;
  self->data.flags = self->flags;
  self->data.labels = (const char * const *) self->labels;
  if (self->focus >= self->n)
    self->focus = CNC_MODEL_NONE;
  update_encodings (self);
  update_flags (self);
  self->fitted = TRUE;
  relayout (self);
}

static void
on_selection_changed (CncMapView *self)
{
  update_flags (self);
  invalidate (self);
}

static void
on_filter_changed (CncMapView *self)
{
  update_flags (self);
  invalidate_all (self);
}

static void
on_encoding_changed (CncMapView *self)
{
  update_encodings (self);
  self->last_w = -1;   /* the legend's room may change */
  invalidate_all (self);
}

static void
on_hover_changed (CncMapView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- view geometry -------------------------------------------------------------------------------- */

static void
apply_zoom (CncMapView *self)
{
  double readable_col = MAX (self->fit_col, CNC_CHART_MAP_COLUMN_PX);

  self->view.row_px = MIN (self->fit_row * self->zoom, MAX_ROW_PX);
  self->view.column_px = MIN (self->fit_col * self->zoom, readable_col);
}

static double
min_zoom (CncMapView *self)
{
  return 0.5;
}

static double
max_zoom (CncMapView *self)
{
  return MAX (1, MAX_ROW_PX / MAX (self->fit_row, 1e-6));
}

/* Keeps some of the graph in view: the content may not leave the pane. */
static void
clamp_view (CncMapView *self)
{
  CncChartMapView *v = &self->view;
  double pad = 40;
  double cw = self->layout && self->layout->n_columns > 0 ? (self->layout->n_columns - 1) * v->column_px : 0;
  double ch = self->layout && self->layout->n_rows > 0 ? (self->layout->n_rows - 1) * v->row_px : 0;
  double top = v->header_height + 26, bottom = v->height - 18;
  double lo, hi;

  lo = v->width - pad - cw;
  hi = pad;
  if (lo > hi)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  v->x0 = CLAMP (v->x0, lo, hi);
  lo = bottom - ch;
  hi = top;
  if (lo > hi)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  v->y0 = CLAMP (v->y0, lo, hi);
}

/* Folds the largest subtrees until each row gets a readable height. */
static gboolean
fold_to_fit (CncMapView *self, int height)
{
  CncLineageInput input;
  g_autofree gboolean *fold = NULL;
  double room = height - CNC_CHART_MAP_HEADER_PX - 36 - cnc_chart_map_legend_height (&self->data);
  guint max_rows = (guint) MAX (4, room / 16);

  make_input (self, &input);
  input.collapsed = NULL;
  fold = cnc_lineage_auto_collapse (&input, max_rows);
  free_input (&input);
  if (fold == NULL)
    return FALSE;
  for (guint i = 0; i < self->n; i++)
    if (fold[i] && !self->collapsed[i])
      set_collapsed_flag (self, i, TRUE);
  relayout (self);
  return TRUE;
}

static void
ensure_view (CncMapView *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  CncChartMapView fit;

  if (self->layout == NULL || (w == self->last_w && h == self->last_h))
    return;
  if (self->fold_pending && w > 0 && h > 0)
    {
      self->fold_pending = FALSE;
      fold_to_fit (self, h);
    }
  cnc_chart_map_fit (&self->data, w, h, CNC_CHART_MAP_HEADER_PX, TRUE, &fit);
  self->fit_col = fit.column_px;
  self->fit_row = fit.row_px;
  if (self->fitted || self->last_w < 0)
    {
      double old_x = self->view.x0, old_y = self->view.y0;
      gboolean keep = !self->fitted;

      self->view = fit;
      if (keep)
        {
          /* a reload or resize keeps the user's zoom and position */
          apply_zoom (self);
          self->view.x0 = old_x;
          self->view.y0 = old_y;
          clamp_view (self);
        }
      else
        self->zoom = 1;
    }
  else
    {
      self->view.width = w;
      self->view.height = h;
      apply_zoom (self);
      clamp_view (self);
    }
  self->last_w = w;
  self->last_h = h;
  g_clear_object (&self->cache);
  g_clear_pointer (&self->minimap, cairo_surface_destroy);
}

static void
zoom_at (CncMapView *self, double factor, double px, double py)
{
  CncChartMapView *v = &self->view;
  double c, r, old = self->zoom;

  ensure_view (self);
  if (self->layout == NULL)
    return;
  c = (px - v->x0) / v->column_px;
  r = (py - v->y0) / v->row_px;
  self->zoom = CLAMP (self->zoom * factor, min_zoom (self), max_zoom (self));
  if (self->zoom == old)
    return;
  self->fitted = FALSE;
  apply_zoom (self);
  v->x0 = px - c * v->column_px;
  v->y0 = py - r * v->row_px;
  clamp_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  invalidate (self);
}

static void
pan_by (CncMapView *self, double dx, double dy)
{
  self->view.x0 += dx;
  self->view.y0 += dy;
  self->fitted = FALSE;
  clamp_view (self);
  invalidate (self);
}

static void
center_on (CncMapView *self, guint index)
{
  double x, y;

  cnc_chart_map_node_position (&self->data, &self->view, index, &x, &y);
  self->view.x0 += self->view.width / 2 - x;
  self->view.y0 += (self->view.height + self->view.header_height) / 2 - y;
  clamp_view (self);
}

/* Scrolls just enough for @index to be inside the pane. */
static void
scroll_to (CncMapView *self, guint index)
{
  double x, y, m = 40;
  CncChartMapView *v = &self->view;

  ensure_view (self);
  cnc_chart_map_node_position (&self->data, v, index, &x, &y);
  if (x < m)
    v->x0 += m - x;
  else if (x > v->width - m)
    v->x0 -= x - (v->width - m);
  if (y < v->header_height + m)
    v->y0 += v->header_height + m - y;
  else if (y > v->height - m)
    v->y0 -= y - (v->height - m);
  clamp_view (self);
  self->fitted = FALSE;
  invalidate (self);
}

/* ---- drawing -------------------------------------------------------------------------------------- */

/* Parameter labels of the columns in view, once per column: what the column's models share goes to its
 * header, each model's label keeps what varies. */
static void
fill_visible_labels (CncMapView *self)
{
  CncLineageLayout *l = self->layout;
  CncChartMapView *v = &self->view;
  g_autofree const char **params = NULL;

  if (v->row_px < 12)
    return;
  for (guint c = 0; c < l->n_columns; c++)
    {
      double x = v->x0 + c * v->column_px;
      g_auto(GStrv) labels = NULL;
      char *shared = NULL;

      if (x < -v->column_px || x > v->width + v->column_px || l->column_n_nodes[c] == 0
          || self->labels[l->column_nodes[c][0]] != NULL)
        continue;
      if (params == NULL)
        {
          params = g_new (const char *, MAX (self->n, 1));
          for (guint i = 0; i < self->n; i++)
            params[i] = cnc_model_set_get_model (self->set, i)->parameters;
        }
      labels = cnc_lineage_column_labels (l, c, params, &shared);
      for (guint k = 0; k < l->column_n_nodes[c]; k++)
        {
          guint i = l->column_nodes[c][k];
          g_free (self->labels[i]);
          self->labels[i] = g_strdup (labels[k]);
        }
      if (l->columns[c].detail == NULL)
        l->columns[c].detail = shared;
      else
        g_free (shared);
    }
}

static void
render_cache (CncMapView *self, const CncChartStyle *style)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int w = (int) self->view.width, h = (int) self->view.height;
  cairo_surface_t *surface;
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  fill_visible_labels (self);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w * scale, h * scale);
  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  cnc_chart_map_draw (cr, style, &self->data, &self->view);
  cairo_destroy (cr);
  self->cache = cnc_widget_texture_from_surface (surface);
  cairo_surface_destroy (surface);
}

static gboolean
minimap_needed (CncMapView *self)
{
  const CncLineageLayout *l = self->layout;
  CncChartMapView *v = &self->view;

  if (!self->show_minimap || l == NULL || l->n_rows == 0)
    return FALSE;
  return (l->n_columns - 1) * v->column_px > v->width - 60
         || (l->n_rows - 1) * v->row_px > v->height - v->header_height - 40;
}

static void
minimap_rect (CncMapView *self, double *x, double *y)
{
  *x = self->view.width - MINIMAP_W - MINIMAP_MARGIN;
  *y = self->view.height - MINIMAP_H - MINIMAP_MARGIN;
}

static void
draw_minimap (CncMapView *self, cairo_t *cr, const CncChartStyle *style)
{
  double mx, my;
  CncChartMapView *mv = &self->minimap_view, *v = &self->view;

  minimap_rect (self, &mx, &my);
  if (self->minimap == NULL)
    {
      CncChartMapData d = self->data;
      cairo_t *mcr;

      d.labels = NULL;
      cnc_chart_map_fit (&d, MINIMAP_W, MINIMAP_H, 0, FALSE, mv);
      /* tighter margins than a full pane */
      mv->x0 = 8;
      mv->column_px = self->layout->n_columns > 1 ? (MINIMAP_W - 16) / (self->layout->n_columns - 1) : 0;
      mv->y0 = 6;
      mv->row_px = self->layout->n_rows > 1 ? (MINIMAP_H - 12) / (self->layout->n_rows - 1) : 0;
      mv->row_px = CLAMP (mv->row_px, 1e-3, 9);
      self->minimap = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MINIMAP_W, MINIMAP_H);
      mcr = cairo_create (self->minimap);
      cnc_chart_map_draw (mcr, style, &d, mv);
      cairo_destroy (mcr);
    }
  cairo_save (cr);
  cnc_chart_rounded_rect (cr, mx - 1, my - 1, MINIMAP_W + 2, MINIMAP_H + 2, 5);
  cairo_set_source_rgba (cr, 0, 0, 0, style->dark ? 0.6 : 0.18);
  cairo_fill (cr);
  cairo_set_source_surface (cr, self->minimap, mx, my);
  cairo_paint_with_alpha (cr, 0.95);
  cairo_rectangle (cr, mx + 0.5, my + 0.5, MINIMAP_W - 1, MINIMAP_H - 1);
  cnc_colormap_set_source (cr, style->muted, 0.6);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  /* the part in view */
  {
    double c0 = (0 - v->x0) / v->column_px, c1 = (v->width - v->x0) / v->column_px;
    double r0 = (v->header_height - v->y0) / v->row_px, r1 = (v->height - v->y0) / v->row_px;
    double x0 = mx + mv->x0 + c0 * mv->column_px, x1 = mx + mv->x0 + c1 * mv->column_px;
    double y0 = my + mv->y0 + r0 * mv->row_px, y1 = my + mv->y0 + r1 * mv->row_px;

    x0 = CLAMP (x0, mx, mx + MINIMAP_W);
    x1 = CLAMP (x1, mx, mx + MINIMAP_W);
    y0 = CLAMP (y0, my, my + MINIMAP_H);
    y1 = CLAMP (y1, my, my + MINIMAP_H);
    cairo_rectangle (cr, x0, y0, MAX (x1 - x0, 2), MAX (y1 - y0, 2));
    cnc_colormap_set_source (cr, style->accent, 0.15);
    cairo_fill_preserve (cr);
    cnc_colormap_set_source (cr, style->accent, 1);
    cairo_set_line_width (cr, 1.5);
    cairo_stroke (cr);
  }
  cairo_restore (cr);
}

static void
draw_hover_card (CncMapView *self, cairo_t *cr, const CncChartStyle *style, guint i)
{
  const CncModel *m = cnc_model_set_get_model (self->set, i);
  g_autofree char *op = cnc_model_set_describe_operation (self->set, i);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (CncChartCardRow));
  guint parent = cnc_model_set_get_parent (self->set, i);
  g_autofree char *subtitle = NULL;

  if (self->layout->nodes[i].folded > 0)
    subtitle = g_strdup_printf ("%s · %u models folded in (double-click to expand)", op,
                                self->layout->nodes[i].folded);
  else
    subtitle = g_strdup (op);
  for (guint k = 0; k < cnc_model_set_get_n_metrics (self->set); k++)
    {
      const CncMetric *metric = cnc_model_set_get_metric (self->set, k);
      double v = cnc_model_set_get_value (self->set, i, k);
      CncChartCardRow row = { 0 };

      if (!metric->primary)
        continue;
      row.label = metric->name;
      row.value = cnc_metric_format_value (metric, v);
      g_ptr_array_add (strings, (char *) row.value);
      if (parent != CNC_MODEL_NONE && !isnan (v))
        {
          double pv = cnc_model_set_get_value (self->set, parent, k);
          row.change = cnc_metric_format_change (metric, v, pv);
          g_ptr_array_add (strings, (char *) row.change);
          if (!isnan (pv) && v != pv)
            row.change_sign = ((v > pv) == !!metric->higher_is_better) ? 1 : -1;
        }
      g_array_append_val (rows, row);
    }
  cnc_chart_card_draw (cr, style, self->pointer_x, self->pointer_y, self->view.width, self->view.height,
                       m->label && *m->label ? m->label : m->name, subtitle,
                       (const CncChartCardRow *) rows->data, rows->len);
}

static void
cnc_map_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CncMapView *self = CNC_MAP_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, w, h);
  CncChartStyle style;
  cairo_t *cr;
  guint hovered;

  cnc_widget_chart_style (widget, &style);
  if (self->layout == NULL || self->n == 0)
    {
      cr = gtk_snapshot_append_cairo (snapshot, &bounds);
      cnc_colormap_set_source (cr, style.muted, 1);
      cnc_chart_text (cr, &style,
                      cnc_model_set_get_loading (self->set) ? "Loading the workspace…"
                      : "No models yet: drop model files or a models.json here, or use Import",
                      w / 2.0, h / 2.0, 0.5, 0.5, CNC_CHART_TEXT_NORMAL);
      cairo_destroy (cr);
      return;
    }
  ensure_view (self);
  if (self->cache == NULL)
    render_cache (self, &style);
  if (self->cache)
    gtk_snapshot_append_texture (snapshot, self->cache, &bounds);

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  hovered = cnc_model_set_get_hovered (self->set);
  if (hovered != CNC_MODEL_NONE && hovered < self->n)
    cnc_chart_map_draw_hover (cr, &style, &self->data, &self->view, hovered);
  if (self->drag == DRAG_BAND)
    {
      double x0 = self->drag_x, y0 = self->drag_y, x1 = x0 + self->drag_dx, y1 = y0 + self->drag_dy;
      cairo_rectangle (cr, MIN (x0, x1) + 0.5, MIN (y0, y1) + 0.5, fabs (x1 - x0), fabs (y1 - y0));
      cnc_colormap_set_source (cr, style.accent, 0.12);
      cairo_fill_preserve (cr);
      cnc_colormap_set_source (cr, style.accent, 0.9);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }
  if (minimap_needed (self))
    draw_minimap (self, cr, &style);
  /* a column header under the pointer: its full name, how many models, what they share */
  if (self->pointer_in && self->drag == DRAG_NONE && hovered == CNC_MODEL_NONE)
    {
      int column = cnc_chart_map_header_at (&self->data, &self->view, self->pointer_x, self->pointer_y);
      if (column >= 0)
        {
          const CncLineageColumn *col = &self->layout->columns[column];
          g_autofree char *count = g_strdup_printf ("%u", col->n_nodes);
          CncChartCardRow rows[2] = { { "models", count, NULL, 0 }, { "shared", col->detail, NULL, 0 } };

          cnc_chart_card_draw (cr, &style, self->pointer_x, self->pointer_y, w, h, col->label,
                               "click to select the column", rows, col->detail ? 2 : 1);
        }
    }
  /* the card only while the pointer is over that model here */
  if (self->pointer_in && self->drag == DRAG_NONE && hovered != CNC_MODEL_NONE && hovered < self->n
      && cnc_chart_map_hit (&self->data, &self->view, self->pointer_x, self->pointer_y, 4) == hovered)
    draw_hover_card (self, cr, &style, hovered);
  cairo_destroy (cr);
}

static void
cnc_map_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  gtk_widget_queue_draw (widget);
}

static void
cnc_map_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                      int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 150;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 600;
}

/* ---- input -------------------------------------------------------------------------------------------- */

static gboolean
in_minimap (CncMapView *self, double x, double y)
{
  double mx, my;

  if (!minimap_needed (self))
    return FALSE;
  minimap_rect (self, &mx, &my);
  return x >= mx && x <= mx + MINIMAP_W && y >= my && y <= my + MINIMAP_H;
}

static void
minimap_jump (CncMapView *self, double x, double y)
{
  double mx, my, c, r;
  CncChartMapView *mv = &self->minimap_view, *v = &self->view;

  if (self->minimap == NULL || mv->column_px <= 0 || mv->row_px <= 0)
    return;
  minimap_rect (self, &mx, &my);
  c = (x - mx - mv->x0) / MAX (mv->column_px, 1e-6);
  r = (y - my - mv->y0) / mv->row_px;
  if (self->layout->n_columns <= 1)
    c = 0;
  v->x0 = v->width / 2 - c * v->column_px;
  v->y0 = (v->height + v->header_height) / 2 - r * v->row_px;
  self->fitted = FALSE;
  clamp_view (self);
  invalidate (self);
}

static void
set_focus_model (CncMapView *self, guint index)
{
  self->focus = index;
  update_flags (self);
  invalidate (self);
}

static void
toggle_collapsed (CncMapView *self, guint index)
{
  cnc_map_view_set_collapsed (self, index, !cnc_map_view_get_collapsed (self, index));
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, CncMapView *self)
{
  guint hit;

  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_in = TRUE;
  if (self->layout == NULL || self->drag != DRAG_NONE)
    return;
  hit = in_minimap (self, x, y) ? CNC_MODEL_NONE : cnc_chart_map_hit (&self->data, &self->view, x, y, 4);
  if (hit != CNC_MODEL_NONE && (self->flags[hit] & CNC_CHART_MAP_FADED))
    hit = CNC_MODEL_NONE;
  cnc_model_set_set_hovered (self->set, hit);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   hit != CNC_MODEL_NONE || cnc_chart_map_header_at (&self->data, &self->view, x, y) >= 0
                                   ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion, CncMapView *self)
{
  self->pointer_in = FALSE;
  if (self->set)
    cnc_model_set_set_hovered (self->set, CNC_MODEL_NONE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static CncSelectMode
mode_for (GdkModifierType state)
{
  if (state & GDK_CONTROL_MASK)
    return CNC_SELECT_TOGGLE;
  if (state & GDK_SHIFT_MASK)
    return CNC_SELECT_ADD;
  return CNC_SELECT_REPLACE;
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CncMapView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  guint hit;
  int column;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->layout == NULL || in_minimap (self, x, y))
    return;
  column = cnc_chart_map_header_at (&self->data, &self->view, x, y);
  if (column >= 0)
    {
      /* the whole column, those that pass the filters */
      g_autoptr(GArray) pick = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint k = 0; k < self->layout->column_n_nodes[column]; k++)
        {
          guint i = self->layout->column_nodes[column][k];
          if (!(self->flags[i] & CNC_CHART_MAP_FADED))
            g_array_append_val (pick, i);
        }
      cnc_model_set_select (self->set, (guint *) pick->data, pick->len, mode_for (state));
      return;
    }
  hit = cnc_chart_map_hit (&self->data, &self->view, x, y, 4);
  if (hit == CNC_MODEL_NONE)
    {
      /* the "+N" badge of a collapsed node expands it */
      double r = 14;
      guint near = cnc_chart_map_hit (&self->data, &self->view, x - 24, y, r);
      if (near != CNC_MODEL_NONE && self->layout->nodes[near].folded > 0)
        {
          cnc_map_view_set_collapsed (self, near, FALSE);
          return;
        }
      /* a click on nothing clears the selection on release, unless it became a rubber band */
      self->click_on_nothing = !(state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) && n_press == 1;
      return;
    }
  if (self->flags[hit] & CNC_CHART_MAP_FADED)
    return;
  if (n_press == 2)
    {
      if (self->layout->nodes[hit].n_children > 0)
        toggle_collapsed (self, hit);
      else
        g_signal_emit (self, signals[SIGNAL_MODEL_ACTIVATED], 0, hit);
      return;
    }
  self->focus = hit;
  cnc_model_set_select (self->set, &hit, 1, mode_for (state));
  update_flags (self);
}

static void
on_released (GtkGestureClick *gesture, int n_press, double x, double y, CncMapView *self)
{
  if (self->click_on_nothing)
    {
      self->click_on_nothing = FALSE;
      if (self->drag == DRAG_NONE && self->layout
          && cnc_chart_map_hit (&self->data, &self->view, x, y, 4) == CNC_MODEL_NONE
          && cnc_chart_map_header_at (&self->data, &self->view, x, y) < 0)
        cnc_model_set_select_none (self->set);
    }
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CncMapView *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
  self->drag = DRAG_NONE;
  if (self->layout == NULL)
    return;
  if (in_minimap (self, x, y))
    {
      self->drag = DRAG_MINIMAP;
      minimap_jump (self, x, y);
      return;
    }
  if (button == GDK_BUTTON_MIDDLE || button == GDK_BUTTON_SECONDARY || self->space_down)
    {
      self->drag = DRAG_PAN;
      self->pan_x0 = self->view.x0;
      self->pan_y0 = self->view.y0;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      return;
    }
  /* a press on a node is a click; on empty space it starts a rubber band once it moves */
  if (cnc_chart_map_hit (&self->data, &self->view, x, y, 4) != CNC_MODEL_NONE
      || cnc_chart_map_header_at (&self->data, &self->view, x, y) >= 0)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, CncMapView *self)
{
  self->drag_dx = dx;
  self->drag_dy = dy;
  switch (self->drag)
    {
    case DRAG_MINIMAP:
      minimap_jump (self, self->drag_x + dx, self->drag_y + dy);
      break;
    case DRAG_PAN:
      self->view.x0 = self->pan_x0 + dx;
      self->view.y0 = self->pan_y0 + dy;
      self->fitted = FALSE;
      clamp_view (self);
      invalidate (self);
      break;
    case DRAG_NONE:
      if (hypot (dx, dy) > 4)
        {
          self->drag = DRAG_BAND;
          cnc_model_set_set_hovered (self->set, CNC_MODEL_NONE);
        }
      G_GNUC_FALLTHROUGH;
    case DRAG_BAND:
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    default:
      break;
    }
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, CncMapView *self)
{
  if (self->drag == DRAG_BAND)
    {
      GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
      g_autoptr(GArray) inside = cnc_chart_map_nodes_in_rect (&self->data, &self->view, self->drag_x, self->drag_y,
                                                              self->drag_x + dx, self->drag_y + dy);
      g_autoptr(GArray) pick = g_array_new (FALSE, FALSE, sizeof (guint));

      for (guint k = 0; k < inside->len; k++)
        {
          guint i = g_array_index (inside, guint, k);
          if (!(self->flags[i] & CNC_CHART_MAP_FADED))
            g_array_append_val (pick, i);
        }
      cnc_model_set_select (self->set, (guint *) pick->data, pick->len, mode_for (state));
      self->click_on_nothing = FALSE;
    }
  if (self->drag == DRAG_PAN)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), NULL);
  self->drag = DRAG_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll, double dx, double dy, CncMapView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (scroll);
  double step = unit == GDK_SCROLL_UNIT_WHEEL ? 48 : 1;

  if (self->layout == NULL)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    {
      /* small steps: one notch is ×1.1; smooth scrolling proportionally */
      double notches = unit == GDK_SCROLL_UNIT_WHEEL ? dy : dy / 20;
      zoom_at (self, pow (ZOOM_STEP_WHEEL, -notches), self->pointer_x, self->pointer_y);
      return TRUE;
    }
  if (state & GDK_SHIFT_MASK)
    pan_by (self, -dy * step, -dx * step);
  else
    pan_by (self, -dx * step, -dy * step);
  return TRUE;
}

static void
on_zoom_begin (GtkGesture *gesture, GdkEventSequence *sequence, CncMapView *self)
{
  self->pinch_scale = 1;   /* the scale reported so far */
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture, double scale, CncMapView *self)
{
  double cx, cy;

  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy);
  if (self->pinch_scale > 0)
    zoom_at (self, scale / self->pinch_scale, cx, cy);
  self->pinch_scale = scale;
}

static guint
sibling (CncMapView *self, guint i, int direction)
{
  const CncLineageLayout *l = self->layout;
  int p = self->parent[i];
  guint best = CNC_MODEL_NONE;
  double best_d = INFINITY;

  /* siblings share the parent; roots are siblings of each other */
  for (guint j = 0; j < self->n; j++)
    {
      double d;
      if (j == i || self->parent[j] != p || l->nodes[j].hidden)
        continue;
      d = (l->nodes[j].row - l->nodes[i].row) * direction;
      if (d > 0 && d < best_d)
        {
          best_d = d;
          best = j;
        }
    }
  return best;
}

static guint
first_child (CncMapView *self, guint i)
{
  guint n_children;
  const guint *children = cnc_model_set_get_children (self->set, i, &n_children);
  guint best = CNC_MODEL_NONE;

  for (guint k = 0; k < n_children; k++)
    if (self->parent[children[k]] == (int) i && !self->layout->nodes[children[k]].hidden
        && (best == CNC_MODEL_NONE || self->layout->nodes[children[k]].row < self->layout->nodes[best].row))
      best = children[k];
  return best;
}

static gboolean
on_key_pressed (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state, CncMapView *self)
{
  guint next = CNC_MODEL_NONE;

  if (self->layout == NULL || self->n == 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      cnc_map_view_zoom_in (self);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      cnc_map_view_zoom_out (self);
      return TRUE;
    case GDK_KEY_0:
    case GDK_KEY_KP_0:
      cnc_map_view_zoom_fit (self);
      return TRUE;
    case GDK_KEY_1:
    case GDK_KEY_KP_1:
      cnc_map_view_zoom_reset (self);
      return TRUE;
    case GDK_KEY_space:
      self->space_down = TRUE;
      return TRUE;
    case GDK_KEY_Escape:
      cnc_model_set_select_none (self->set);
      return TRUE;
    case GDK_KEY_a:
      if (state & GDK_CONTROL_MASK)
        {
          cnc_model_set_select_all (self->set);
          return TRUE;
        }
      return FALSE;
    case GDK_KEY_c:
      if (self->focus != CNC_MODEL_NONE)
        toggle_collapsed (self, self->focus);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
      if (self->focus != CNC_MODEL_NONE)
        g_signal_emit (self, signals[SIGNAL_MODEL_ACTIVATED], 0, self->focus);
      return TRUE;
    default:
      break;
    }

  if (keyval != GDK_KEY_Left && keyval != GDK_KEY_Right && keyval != GDK_KEY_Up && keyval != GDK_KEY_Down)
    return FALSE;
  if (self->focus == CNC_MODEL_NONE || self->focus >= self->n || self->layout->nodes[self->focus].hidden)
    {
      g_autoptr(GArray) sel = cnc_model_set_get_selection (self->set);
      next = sel->len > 0 ? g_array_index (sel, guint, 0)
                          : (self->layout->n_columns > 0 && self->layout->column_n_nodes[0] > 0
                             ? self->layout->column_nodes[0][0] : 0);
    }
  else
    switch (keyval)
      {
      case GDK_KEY_Left:
        next = self->parent[self->focus] >= 0 ? (guint) self->parent[self->focus] : CNC_MODEL_NONE;
        break;
      case GDK_KEY_Right:
        next = first_child (self, self->focus);
        break;
      case GDK_KEY_Up:
        next = sibling (self, self->focus, -1);
        break;
      case GDK_KEY_Down:
        next = sibling (self, self->focus, 1);
        break;
      default:
        break;
      }
  if (next == CNC_MODEL_NONE)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return TRUE;
    }
  if (!(self->flags[next] & CNC_CHART_MAP_FADED))
    {
      if (state & GDK_SHIFT_MASK)
        cnc_model_set_extend (self->set, next);
      else
        cnc_model_set_select_one (self->set, next);
    }
  set_focus_model (self, next);
  scroll_to (self, next);
  return TRUE;
}

static void
on_key_released (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state, CncMapView *self)
{
  if (keyval == GDK_KEY_space)
    self->space_down = FALSE;
}

static void
on_focus_changed (CncMapView *self)
{
  if (self->flags)
    {
      update_flags (self);
      invalidate (self);
    }
}

/* ---- public API ------------------------------------------------------------------------------------------ */

GtkWidget *
cnc_map_view_new (CncModelSet *set)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  return g_object_new (CNC_TYPE_MAP_VIEW, "model-set", set, NULL);
}

CncModelSet *
cnc_map_view_get_model_set (CncMapView *self)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), NULL);
  return self->set;
}

void
cnc_map_view_set_layout_mode (CncMapView *self, CncLineageLayoutMode mode)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (self->mode == mode)
    return;
  self->mode = mode;
  self->fitted = TRUE;
  if (self->parent)
    relayout (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT_MODE]);
}

CncLineageLayoutMode
cnc_map_view_get_layout_mode (CncMapView *self)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), CNC_LINEAGE_LAYOUT_BY_OPERATION);
  return self->mode;
}

void
cnc_map_view_zoom_in (CncMapView *self)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  zoom_at (self, ZOOM_STEP_KEY, self->view.width / 2, (self->view.height + self->view.header_height) / 2);
}

void
cnc_map_view_zoom_out (CncMapView *self)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  zoom_at (self, 1 / ZOOM_STEP_KEY, self->view.width / 2, (self->view.height + self->view.header_height) / 2);
}

void
cnc_map_view_zoom_fit (CncMapView *self)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  self->fitted = TRUE;
  self->last_w = -1;
  ensure_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  invalidate (self);
}

void
cnc_map_view_zoom_reset (CncMapView *self)
{
  guint target = self->focus;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  ensure_view (self);
  if (self->layout == NULL)
    return;
  self->zoom = CLAMP (CNC_CHART_MAP_ROW_PX / MAX (self->fit_row, 1e-6), min_zoom (self), max_zoom (self));
  self->fitted = FALSE;
  apply_zoom (self);
  if (target == CNC_MODEL_NONE || target >= self->n)
    {
      g_autoptr(GArray) sel = cnc_model_set_get_selection (self->set);
      target = sel->len ? g_array_index (sel, guint, 0) : CNC_MODEL_NONE;
    }
  if (target != CNC_MODEL_NONE && !self->layout->nodes[target].hidden)
    center_on (self, target);
  else
    {
      self->view.x0 = 40;
      self->view.y0 = self->view.header_height + 26;
    }
  clamp_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  invalidate (self);
}

double
cnc_map_view_get_zoom (CncMapView *self)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), 1);
  return self->view.row_px > 0 ? self->view.row_px / CNC_CHART_MAP_ROW_PX : 1;
}

void
cnc_map_view_reveal (CncMapView *self, guint index)
{
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (index >= self->n)
    return;
  for (int p = self->parent[index]; p >= 0; p = self->parent[p])
    if (self->collapsed[p])
      {
        set_collapsed_flag (self, p, FALSE);
        changed = TRUE;
      }
  if (changed)
    {
      gboolean fitted = self->fitted;
      relayout (self);
      self->fitted = fitted;
      ensure_view (self);
    }
  if (self->view.row_px < 6)
    {
      /* zoom in to where the model can be seen */
      self->zoom = CLAMP (12 / MAX (self->fit_row, 1e-6), min_zoom (self), max_zoom (self));
      self->fitted = FALSE;
      apply_zoom (self);
      center_on (self, index);
    }
  scroll_to (self, index);
}

void
cnc_map_view_set_collapsed (CncMapView *self, guint index, gboolean collapsed)
{
  gboolean fitted;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (index >= self->n || !!self->collapsed[index] == !!collapsed)
    return;
  if (collapsed && self->layout->nodes[index].n_children == 0)
    return;
  set_collapsed_flag (self, index, collapsed);
  fitted = self->fitted;
  relayout (self);
  self->fitted = fitted;
}

gboolean
cnc_map_view_get_collapsed (CncMapView *self, guint index)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), FALSE);
  return index < self->n && self->collapsed[index];
}

void
cnc_map_view_collapse_selected (CncMapView *self)
{
  g_autoptr(GArray) sel = NULL;
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  sel = cnc_model_set_get_selection (self->set);
  for (guint k = 0; k < sel->len; k++)
    {
      guint i = g_array_index (sel, guint, k);
      if (self->layout->nodes[i].n_children > 0 && !self->collapsed[i])
        {
          set_collapsed_flag (self, i, TRUE);
          changed = TRUE;
        }
    }
  if (changed)
    relayout (self);
}

void
cnc_map_view_expand_all (CncMapView *self)
{
  gboolean changed = FALSE;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  for (guint i = 0; i < self->n; i++)
    {
      changed |= self->collapsed[i];
      self->collapsed[i] = FALSE;
    }
  g_hash_table_remove_all (self->collapsed_ids);
  if (changed)
    relayout (self);
}

void
cnc_map_view_collapse_to_fit (CncMapView *self)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  if (self->n == 0)
    return;
  cnc_map_view_expand_all (self);
  self->fitted = TRUE;
  if (!fold_to_fit (self, MAX (gtk_widget_get_height (GTK_WIDGET (self)), 400)))
    relayout (self);
}

void
cnc_map_view_set_show_minimap (CncMapView *self, gboolean show)
{
  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  show = !!show;
  if (self->show_minimap == show)
    return;
  self->show_minimap = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_MINIMAP]);
}

gboolean
cnc_map_view_get_model_position (CncMapView *self, guint index, double *x, double *y)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), FALSE);
  if (self->layout == NULL || index >= self->n || self->layout->nodes[index].hidden)
    return FALSE;
  ensure_view (self);
  cnc_chart_map_node_position (&self->data, &self->view, index, x, y);
  return *x >= 0 && *x <= self->view.width && *y >= self->view.header_height && *y <= self->view.height;
}

guint
cnc_map_view_model_at (CncMapView *self, double x, double y)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), CNC_MODEL_NONE);
  if (self->layout == NULL)
    return CNC_MODEL_NONE;
  ensure_view (self);
  return cnc_chart_map_hit (&self->data, &self->view, x, y, 4);
}

/* ---- GObject ---------------------------------------------------------------------------------------------- */

static void
set_model_set (CncMapView *self, CncModelSet *set)
{
  g_return_if_fail (self->set == NULL);
  self->set = g_object_ref (set);
  g_signal_connect_object (set, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "selection-changed", G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "filter-changed", G_CALLBACK (on_filter_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "encoding-changed", G_CALLBACK (on_encoding_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "hover-changed", G_CALLBACK (on_hover_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "notify::loading", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  on_changed (self);
}

static void
cnc_map_view_dispose (GObject *object)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  g_clear_object (&self->cache);
  g_clear_pointer (&self->minimap, cairo_surface_destroy);
  g_clear_object (&self->set);
  G_OBJECT_CLASS (cnc_map_view_parent_class)->dispose (object);
}

static void
cnc_map_view_finalize (GObject *object)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  free_arrays (self);
  g_hash_table_unref (self->collapsed_ids);
  G_OBJECT_CLASS (cnc_map_view_parent_class)->finalize (object);
}

static void
cnc_map_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL_SET:
      g_value_set_object (value, self->set);
      break;
    case PROP_LAYOUT_MODE:
      g_value_set_int (value, self->mode);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, cnc_map_view_get_zoom (self));
      break;
    case PROP_SHOW_MINIMAP:
      g_value_set_boolean (value, self->show_minimap);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_map_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CncMapView *self = CNC_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL_SET:
      set_model_set (self, g_value_get_object (value));
      break;
    case PROP_LAYOUT_MODE:
      cnc_map_view_set_layout_mode (self, g_value_get_int (value));
      break;
    case PROP_SHOW_MINIMAP:
      cnc_map_view_set_show_minimap (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_map_view_class_init (CncMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_map_view_dispose;
  object_class->finalize = cnc_map_view_finalize;
  object_class->get_property = cnc_map_view_get_property;
  object_class->set_property = cnc_map_view_set_property;
  widget_class->snapshot = cnc_map_view_snapshot;
  widget_class->measure = cnc_map_view_measure;
  widget_class->size_allocate = cnc_map_view_size_allocate;

  properties[PROP_MODEL_SET] =
    g_param_spec_object ("model-set", NULL, NULL, CNC_TYPE_MODEL_SET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAYOUT_MODE] =
    g_param_spec_int ("layout-mode", NULL, NULL, CNC_LINEAGE_LAYOUT_BY_STEP, CNC_LINEAGE_LAYOUT_BY_OPERATION,
                      CNC_LINEAGE_LAYOUT_BY_OPERATION,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0, G_MAXDOUBLE, 1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_MINIMAP] =
    g_param_spec_boolean ("show-minimap", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_MODEL_ACTIVATED] =
    g_signal_new ("model-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "cncmapview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cnc_map_view_init (CncMapView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->mode = CNC_LINEAGE_LAYOUT_BY_OPERATION;
  self->show_minimap = TRUE;
  self->focus = CNC_MODEL_NONE;
  self->zoom = 1;
  self->fitted = TRUE;
  self->last_w = self->last_h = -1;
  self->collapsed_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_pressed), self);
  g_signal_connect (gesture, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (on_key_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect (self, "notify::has-focus", G_CALLBACK (on_focus_changed), NULL);
}
