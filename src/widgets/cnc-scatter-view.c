/* cnc-scatter-view.c
 * The scatterplot: any metric against any other, linear or log axes, the Pareto frontier, brush selection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-scatter-view"

#include "cnc-scatter-view.h"

#include <math.h>

#include "charts/cnc-chart-scatter.h"
#include "core/analysis/cnc-metric-format.h"
#include "core/analysis/cnc-pareto.h"
#include "cnc-widget-util.h"

struct _CncScatterView
{
  GtkWidget            parent_instance;

  CncModelSet         *set;
  int                  x_metric, y_metric;
  gboolean             x_log, y_log;
  gboolean             show_pareto;
  gboolean             metrics_chosen;

  guint                n;
  double              *x, *y, *color, *size;
  guint8              *flags;
  GArray              *front;        /* guint */
  CncChartScatterData  data;
  CncChartScatterFrame frame;
  int                  frame_w, frame_h;

  GdkTexture          *cache;
  double               pointer_x, pointer_y;
  gboolean             pointer_in;
  gboolean             brushing;
  double               brush_x, brush_y, brush_dx, brush_dy;
};

G_DEFINE_FINAL_TYPE (CncScatterView, cnc_scatter_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL_SET,
  PROP_X_METRIC,
  PROP_Y_METRIC,
  PROP_X_LOG,
  PROP_Y_LOG,
  PROP_SHOW_PARETO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
invalidate (CncScatterView *self)
{
  g_clear_object (&self->cache);
  self->frame_w = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
free_arrays (CncScatterView *self)
{
  g_clear_pointer (&self->x, g_free);
  g_clear_pointer (&self->y, g_free);
  g_clear_pointer (&self->color, g_free);
  g_clear_pointer (&self->size, g_free);
  g_clear_pointer (&self->flags, g_free);
  g_clear_pointer (&self->front, g_array_unref);
}

static void
update_flags (CncScatterView *self)
{
  for (guint i = 0; i < self->n; i++)
    self->flags[i] = (cnc_model_set_is_selected (self->set, i) ? CNC_CHART_POINT_SELECTED : 0)
                   | (cnc_model_set_passes_filters (self->set, i) ? 0 : CNC_CHART_POINT_FADED);
}

/* The frontier over the models that pass the filters, from the analytics. */
static void
update_front (CncScatterView *self)
{
  g_autofree double *values = NULL;
  gboolean higher[2];

  g_clear_pointer (&self->front, g_array_unref);
  self->data.front = NULL;
  self->data.n_front = 0;
  if (!self->show_pareto || self->x_metric < 0 || self->y_metric < 0 || self->n == 0)
    return;
  values = g_new (double, 2 * self->n);
  for (guint i = 0; i < self->n; i++)
    {
      gboolean ok = cnc_model_set_passes_filters (self->set, i);
      /* a log axis cannot show values ≤ 0: those take no part either */
      if (self->x_log && !(self->x[i] > 0))
        ok = FALSE;
      if (self->y_log && !(self->y[i] > 0))
        ok = FALSE;
      values[2 * i] = ok ? self->x[i] : NAN;
      values[2 * i + 1] = ok ? self->y[i] : NAN;
    }
  higher[0] = cnc_model_set_get_metric (self->set, self->x_metric)->higher_is_better;
  higher[1] = cnc_model_set_get_metric (self->set, self->y_metric)->higher_is_better;
  self->front = cnc_pareto_front (values, self->n, 2, higher, NULL);
  self->data.front = (const guint *) self->front->data;
  self->data.n_front = self->front->len;
}

static void
choose_default_metrics (CncScatterView *self)
{
  guint n = cnc_model_set_get_n_metrics (self->set);

  if (self->metrics_chosen && self->x_metric < (int) n && self->y_metric < (int) n)
    return;
  self->x_metric = self->y_metric = -1;
  /* Y: the first primary higher-is-better metric (accuracy); X: the first lower-is-better one (size, latency) */
  for (int pass = 0; pass < 2; pass++)
    for (guint k = 0; k < n; k++)
      {
        const CncMetric *m = cnc_model_set_get_metric (self->set, k);
        if (pass == 0 && !m->primary)
          continue;
        if (self->y_metric < 0 && m->higher_is_better)
          self->y_metric = k;
        if (self->x_metric < 0 && !m->higher_is_better)
          self->x_metric = k;
      }
  if (self->x_metric < 0 && n > 1)
    self->x_metric = self->y_metric == 0 ? 1 : 0;
  if (self->y_metric < 0 && n > 0)
    self->y_metric = self->x_metric == 0 && n > 1 ? 1 : 0;
}

static void
update_values (CncScatterView *self)
{
  int cm = cnc_model_set_get_color_metric (self->set), sm = cnc_model_set_get_size_metric (self->set);

  for (guint i = 0; i < self->n; i++)
    {
      self->x[i] = self->x_metric >= 0 ? cnc_model_set_get_value (self->set, i, self->x_metric) : NAN;
      self->y[i] = self->y_metric >= 0 ? cnc_model_set_get_value (self->set, i, self->y_metric) : NAN;
    }
  self->data.x_metric = self->x_metric >= 0 ? cnc_model_set_get_metric (self->set, self->x_metric) : NULL;
  self->data.y_metric = self->y_metric >= 0 ? cnc_model_set_get_metric (self->set, self->y_metric) : NULL;
  self->data.x_log = self->x_log;
  self->data.y_log = self->y_log;
  self->data.color = NULL;
  self->data.size = NULL;
  self->data.color_metric = NULL;
  if (cm >= 0)
    {
      double lo, hi;
      const CncMetric *m = cnc_model_set_get_metric (self->set, cm);
      if (cnc_model_set_get_range (self->set, cm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            self->color[i] = cnc_colormap_normalize (m, cnc_model_set_get_value (self->set, i, cm), lo, hi);
          self->data.color = self->color;
          /* the legend only when the colour says something the axes do not */
          if (cm != self->x_metric && cm != self->y_metric)
            {
              self->data.color_metric = m;
              self->data.color_lo = lo;
              self->data.color_hi = hi;
            }
        }
    }
  if (sm >= 0)
    {
      double lo, hi;
      if (cnc_model_set_get_range (self->set, sm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            {
              double v = cnc_model_set_get_value (self->set, i, sm);
              self->size[i] = isnan (v) ? NAN : hi > lo ? (v - lo) / (hi - lo) : 0.5;
            }
          self->data.size = self->size;
        }
    }
  update_front (self);
  invalidate (self);
}

static void
on_changed (CncScatterView *self)
{
  free_arrays (self);
  self->n = cnc_model_set_get_n_models (self->set);
  self->x = g_new (double, MAX (self->n, 1));
  self->y = g_new (double, MAX (self->n, 1));
  self->color = g_new (double, MAX (self->n, 1));
  self->size = g_new (double, MAX (self->n, 1));
  self->flags = g_new0 (guint8, MAX (self->n, 1));
  self->data.n = self->n;
  self->data.x = self->x;
  self->data.y = self->y;
  self->data.flags = self->flags;
  choose_default_metrics (self);
  update_flags (self);
  update_values (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_METRIC]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_Y_METRIC]);
}

static void
on_selection_changed (CncScatterView *self)
{
  update_flags (self);
  g_clear_object (&self->cache);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_filter_changed (CncScatterView *self)
{
  update_flags (self);
  update_front (self);
  invalidate (self);
}

/* ---- drawing -------------------------------------------------------------------------------------- */

static void
ensure_frame (CncScatterView *self, const CncChartStyle *style)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_surface_t *s;
  cairo_t *cr;

  if (w == self->frame_w && h == self->frame_h)
    return;
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (s);
  cnc_chart_scatter_frame (cr, style, &self->data, w, h, &self->frame);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  self->frame_w = w;
  self->frame_h = h;
  g_clear_object (&self->cache);
}

static void
draw_card (CncScatterView *self, cairo_t *cr, const CncChartStyle *style, guint i)
{
  const CncModel *m = cnc_model_set_get_model (self->set, i);
  g_autofree char *op = cnc_model_set_describe_operation (self->set, i);
  g_autofree char *xv = NULL, *yv = NULL;
  CncChartCardRow rows[3] = { { 0 } };
  guint n_rows = 0;
  gboolean on_front = FALSE;

  for (guint k = 0; self->front && k < self->front->len; k++)
    on_front |= g_array_index (self->front, guint, k) == i;
  if (self->data.x_metric)
    {
      xv = cnc_metric_format_value (self->data.x_metric, self->x[i]);
      rows[n_rows++] = (CncChartCardRow) { self->data.x_metric->name, xv, NULL, 0 };
    }
  if (self->data.y_metric)
    {
      yv = cnc_metric_format_value (self->data.y_metric, self->y[i]);
      rows[n_rows++] = (CncChartCardRow) { self->data.y_metric->name, yv, NULL, 0 };
    }
  if (self->front)
    rows[n_rows++] = (CncChartCardRow) { "Pareto", on_front ? "on the frontier" : "dominated", NULL, 0 };
  cnc_chart_card_draw (cr, style, self->pointer_x, self->pointer_y, self->frame.width, self->frame.height,
                       m->label && *m->label ? m->label : m->name, op, rows, n_rows);
}

static void
cnc_scatter_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CncScatterView *self = CNC_SCATTER_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, w, h);
  CncChartStyle style;
  guint hovered;
  cairo_t *cr;

  cnc_widget_chart_style (widget, &style);
  if (self->x_metric < 0 || self->y_metric < 0 || self->n == 0)
    {
      cr = gtk_snapshot_append_cairo (snapshot, &bounds);
      cnc_colormap_set_source (cr, style.muted, 1);
      cnc_chart_text (cr, &style, self->n == 0 ? "No models to plot" : "The models need two metrics to plot",
                      w / 2.0, h / 2.0, 0.5, 0.5, CNC_CHART_TEXT_NORMAL);
      cairo_destroy (cr);
      return;
    }
  ensure_frame (self, &style);
  if (self->cache == NULL && w > 0 && h > 0)
    {
      int scale = gtk_widget_get_scale_factor (widget);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w * scale, h * scale);

      cairo_surface_set_device_scale (surface, scale, scale);
      cr = cairo_create (surface);
      cnc_chart_scatter_draw (cr, &style, &self->data, &self->frame);
      cairo_destroy (cr);
      self->cache = cnc_widget_texture_from_surface (surface);
      cairo_surface_destroy (surface);
    }
  if (self->cache)
    gtk_snapshot_append_texture (snapshot, self->cache, &bounds);

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  hovered = cnc_model_set_get_hovered (self->set);
  if (hovered < self->n)
    cnc_chart_scatter_draw_hover (cr, &style, &self->data, &self->frame, hovered);
  if (self->brushing)
    {
      cairo_rectangle (cr, MIN (self->brush_x, self->brush_x + self->brush_dx) + 0.5,
                       MIN (self->brush_y, self->brush_y + self->brush_dy) + 0.5,
                       fabs (self->brush_dx), fabs (self->brush_dy));
      cnc_colormap_set_source (cr, style.accent, 0.12);
      cairo_fill_preserve (cr);
      cnc_colormap_set_source (cr, style.accent, 0.9);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }
  if (self->pointer_in && !self->brushing && hovered < self->n
      && cnc_chart_scatter_hit (&self->data, &self->frame, self->pointer_x, self->pointer_y, 3) == hovered)
    draw_card (self, cr, &style, hovered);
  cairo_destroy (cr);
}

static void
cnc_scatter_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 220 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 320;
}

static void
cnc_scatter_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  CncScatterView *self = CNC_SCATTER_VIEW (widget);

  if (width != self->frame_w || height != self->frame_h)
    invalidate (self);
}

/* ---- input -------------------------------------------------------------------------------------------- */

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, CncScatterView *self)
{
  guint hit;

  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_in = TRUE;
  if (self->brushing || self->frame_w < 0)
    return;
  hit = cnc_chart_scatter_hit (&self->data, &self->frame, x, y, 3);
  cnc_model_set_set_hovered (self->set, hit);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), hit != CNC_MODEL_NONE ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion, CncScatterView *self)
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
on_released (GtkGestureClick *gesture, int n_press, double x, double y, CncScatterView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  guint hit;

  if (self->frame_w < 0)
    return;
  hit = cnc_chart_scatter_hit (&self->data, &self->frame, x, y, 3);
  if (hit == CNC_MODEL_NONE)
    {
      if (mode_for (state) == CNC_SELECT_REPLACE)
        cnc_model_set_select_none (self->set);
      return;
    }
  cnc_model_set_select (self->set, &hit, 1, mode_for (state));
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CncScatterView *self)
{
  self->brush_x = x;
  self->brush_y = y;
  self->brush_dx = self->brush_dy = 0;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, CncScatterView *self)
{
  self->brush_dx = dx;
  self->brush_dy = dy;
  if (!self->brushing && hypot (dx, dy) > 4)
    {
      self->brushing = TRUE;
      cnc_model_set_set_hovered (self->set, CNC_MODEL_NONE);
    }
  if (self->brushing)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, CncScatterView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  if (self->brushing)
    {
      g_autoptr(GArray) inside = cnc_chart_scatter_points_in_rect (&self->data, &self->frame, self->brush_x,
                                                                   self->brush_y, self->brush_x + dx,
                                                                   self->brush_y + dy);
      cnc_model_set_select (self->set, (guint *) inside->data, inside->len, mode_for (state));
    }
  self->brushing = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- public API -------------------------------------------------------------------------------------------- */

GtkWidget *
cnc_scatter_view_new (CncModelSet *set)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  return g_object_new (CNC_TYPE_SCATTER_VIEW, "model-set", set, NULL);
}

CncModelSet *
cnc_scatter_view_get_model_set (CncScatterView *self)
{
  g_return_val_if_fail (CNC_IS_SCATTER_VIEW (self), NULL);
  return self->set;
}

void
cnc_scatter_view_set_x_metric (CncScatterView *self, int metric)
{
  g_return_if_fail (CNC_IS_SCATTER_VIEW (self));
  if (metric >= (int) cnc_model_set_get_n_metrics (self->set))
    metric = -1;
  self->metrics_chosen = TRUE;
  if (self->x_metric == metric)
    return;
  self->x_metric = metric;
  update_values (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_METRIC]);
}

int
cnc_scatter_view_get_x_metric (CncScatterView *self)
{
  g_return_val_if_fail (CNC_IS_SCATTER_VIEW (self), -1);
  return self->x_metric;
}

void
cnc_scatter_view_set_y_metric (CncScatterView *self, int metric)
{
  g_return_if_fail (CNC_IS_SCATTER_VIEW (self));
  if (metric >= (int) cnc_model_set_get_n_metrics (self->set))
    metric = -1;
  self->metrics_chosen = TRUE;
  if (self->y_metric == metric)
    return;
  self->y_metric = metric;
  update_values (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_Y_METRIC]);
}

int
cnc_scatter_view_get_y_metric (CncScatterView *self)
{
  g_return_val_if_fail (CNC_IS_SCATTER_VIEW (self), -1);
  return self->y_metric;
}

void
cnc_scatter_view_set_x_log (CncScatterView *self, gboolean log_scale)
{
  g_return_if_fail (CNC_IS_SCATTER_VIEW (self));
  if (self->x_log == !!log_scale)
    return;
  self->x_log = !!log_scale;
  update_values (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_LOG]);
}

void
cnc_scatter_view_set_y_log (CncScatterView *self, gboolean log_scale)
{
  g_return_if_fail (CNC_IS_SCATTER_VIEW (self));
  if (self->y_log == !!log_scale)
    return;
  self->y_log = !!log_scale;
  update_values (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_Y_LOG]);
}

void
cnc_scatter_view_set_show_pareto (CncScatterView *self, gboolean show)
{
  g_return_if_fail (CNC_IS_SCATTER_VIEW (self));
  if (self->show_pareto == !!show)
    return;
  self->show_pareto = !!show;
  update_front (self);
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PARETO]);
}

GArray *
cnc_scatter_view_get_pareto (CncScatterView *self)
{
  GArray *out;

  g_return_val_if_fail (CNC_IS_SCATTER_VIEW (self), NULL);
  out = g_array_new (FALSE, FALSE, sizeof (guint));
  if (self->front)
    g_array_append_vals (out, self->front->data, self->front->len);
  return out;
}

/* ---- GObject ---------------------------------------------------------------------------------------------- */

static void
set_model_set (CncScatterView *self, CncModelSet *set)
{
  self->set = g_object_ref (set);
  g_signal_connect_object (set, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "selection-changed", G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "filter-changed", G_CALLBACK (on_filter_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "encoding-changed", G_CALLBACK (update_values), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (set, "hover-changed", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  on_changed (self);
}

static void
cnc_scatter_view_dispose (GObject *object)
{
  CncScatterView *self = CNC_SCATTER_VIEW (object);

  g_clear_object (&self->cache);
  g_clear_object (&self->set);
  G_OBJECT_CLASS (cnc_scatter_view_parent_class)->dispose (object);
}

static void
cnc_scatter_view_finalize (GObject *object)
{
  free_arrays (CNC_SCATTER_VIEW (object));
  G_OBJECT_CLASS (cnc_scatter_view_parent_class)->finalize (object);
}

static void
cnc_scatter_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CncScatterView *self = CNC_SCATTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL_SET:
      g_value_set_object (value, self->set);
      break;
    case PROP_X_METRIC:
      g_value_set_int (value, self->x_metric);
      break;
    case PROP_Y_METRIC:
      g_value_set_int (value, self->y_metric);
      break;
    case PROP_X_LOG:
      g_value_set_boolean (value, self->x_log);
      break;
    case PROP_Y_LOG:
      g_value_set_boolean (value, self->y_log);
      break;
    case PROP_SHOW_PARETO:
      g_value_set_boolean (value, self->show_pareto);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_scatter_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CncScatterView *self = CNC_SCATTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL_SET:
      set_model_set (self, g_value_get_object (value));
      break;
    case PROP_X_METRIC:
      cnc_scatter_view_set_x_metric (self, g_value_get_int (value));
      break;
    case PROP_Y_METRIC:
      cnc_scatter_view_set_y_metric (self, g_value_get_int (value));
      break;
    case PROP_X_LOG:
      cnc_scatter_view_set_x_log (self, g_value_get_boolean (value));
      break;
    case PROP_Y_LOG:
      cnc_scatter_view_set_y_log (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_PARETO:
      cnc_scatter_view_set_show_pareto (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_scatter_view_class_init (CncScatterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_scatter_view_dispose;
  object_class->finalize = cnc_scatter_view_finalize;
  object_class->get_property = cnc_scatter_view_get_property;
  object_class->set_property = cnc_scatter_view_set_property;
  widget_class->snapshot = cnc_scatter_view_snapshot;
  widget_class->measure = cnc_scatter_view_measure;
  widget_class->size_allocate = cnc_scatter_view_size_allocate;

  properties[PROP_MODEL_SET] =
    g_param_spec_object ("model-set", NULL, NULL, CNC_TYPE_MODEL_SET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_METRIC] =
    g_param_spec_int ("x-metric", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_Y_METRIC] =
    g_param_spec_int ("y-metric", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_LOG] =
    g_param_spec_boolean ("x-log", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_Y_LOG] =
    g_param_spec_boolean ("y-log", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_PARETO] =
    g_param_spec_boolean ("show-pareto", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cncscatterview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cnc_scatter_view_init (CncScatterView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->x_metric = self->y_metric = -1;
  self->show_pareto = TRUE;
  self->frame_w = self->frame_h = -1;

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}
