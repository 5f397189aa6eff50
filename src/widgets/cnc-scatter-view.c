/* cnc-scatter-view.c
 * The scatterplot: any metric against any other, linear or log axes, the Pareto frontier, brush selection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-scatter-view"

#include "cnc-scatter-view.h"

#include <math.h>

#include "charts/cnc-chart-scatter.h"
#include "core/analysis/cnc-metric-format.h"
#include "core/analysis/cnc-pareto.h"

struct _CncScatterView
{
  CncChartView         parent_instance;

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
};

G_DEFINE_FINAL_TYPE (CncScatterView, cnc_scatter_view, CNC_TYPE_CHART_VIEW)

enum {
  PROP_0,
  PROP_X_METRIC,
  PROP_Y_METRIC,
  PROP_X_LOG,
  PROP_Y_LOG,
  PROP_SHOW_PARETO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static CncModelSet *
model_set (CncScatterView *self)
{
  return cnc_chart_view_get_model_set (CNC_CHART_VIEW (self));
}

/* The axes may change: the frame is measured again with the static layer. */
static void
invalidate (CncScatterView *self)
{
  self->frame_w = -1;
  cnc_chart_view_invalidate (CNC_CHART_VIEW (self));
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
    self->flags[i] = (cnc_model_set_is_selected (model_set (self), i) ? CNC_CHART_POINT_SELECTED : 0)
                   | (cnc_model_set_passes_filters (model_set (self), i) ? 0 : CNC_CHART_POINT_FADED);
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
      gboolean ok = cnc_model_set_passes_filters (model_set (self), i);
      /* a log axis cannot show values ≤ 0: those take no part either */
      if (self->x_log && !(self->x[i] > 0))
        ok = FALSE;
      if (self->y_log && !(self->y[i] > 0))
        ok = FALSE;
      values[2 * i] = ok ? self->x[i] : NAN;
      values[2 * i + 1] = ok ? self->y[i] : NAN;
    }
  higher[0] = cnc_model_set_get_metric (model_set (self), self->x_metric)->higher_is_better;
  higher[1] = cnc_model_set_get_metric (model_set (self), self->y_metric)->higher_is_better;
  self->front = cnc_pareto_front (values, self->n, 2, higher, NULL);
  self->data.front = (const guint *) self->front->data;
  self->data.n_front = self->front->len;
}

static void
choose_default_metrics (CncScatterView *self)
{
  guint n = cnc_model_set_get_n_metrics (model_set (self));

  if (self->metrics_chosen && self->x_metric < (int) n && self->y_metric < (int) n)
    return;
  self->x_metric = self->y_metric = -1;
  /* Y: the first primary higher-is-better metric (accuracy); X: the first lower-is-better one (size, latency) */
  for (int pass = 0; pass < 2; pass++)
    for (guint k = 0; k < n; k++)
      {
        const CncMetric *m = cnc_model_set_get_metric (model_set (self), k);
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
  int cm = cnc_model_set_get_color_metric (model_set (self)), sm = cnc_model_set_get_size_metric (model_set (self));

  for (guint i = 0; i < self->n; i++)
    {
      self->x[i] = self->x_metric >= 0 ? cnc_model_set_get_value (model_set (self), i, self->x_metric) : NAN;
      self->y[i] = self->y_metric >= 0 ? cnc_model_set_get_value (model_set (self), i, self->y_metric) : NAN;
    }
  self->data.x_metric = self->x_metric >= 0 ? cnc_model_set_get_metric (model_set (self), self->x_metric) : NULL;
  self->data.y_metric = self->y_metric >= 0 ? cnc_model_set_get_metric (model_set (self), self->y_metric) : NULL;
  self->data.x_log = self->x_log;
  self->data.y_log = self->y_log;
  self->data.color = NULL;
  self->data.size = NULL;
  self->data.color_metric = NULL;
  if (cm >= 0)
    {
      double lo, hi;
      const CncMetric *m = cnc_model_set_get_metric (model_set (self), cm);
      if (cnc_model_set_get_range (model_set (self), cm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            self->color[i] = cnc_colormap_normalize (m, cnc_model_set_get_value (model_set (self), i, cm), lo, hi);
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
      if (cnc_model_set_get_range (model_set (self), sm, &lo, &hi))
        {
          for (guint i = 0; i < self->n; i++)
            {
              double v = cnc_model_set_get_value (model_set (self), i, sm);
              self->size[i] = isnan (v) ? NAN : hi > lo ? (v - lo) / (hi - lo) : 0.5;
            }
          self->data.size = self->size;
        }
    }
  update_front (self);
  invalidate (self);
}

static void
cnc_scatter_view_models_changed (CncChartView *view)
{
  CncScatterView *self = CNC_SCATTER_VIEW (view);

  free_arrays (self);
  self->n = cnc_model_set_get_n_models (model_set (self));
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
cnc_scatter_view_selection_changed (CncChartView *view)
{
  update_flags (CNC_SCATTER_VIEW (view));
  cnc_chart_view_invalidate (view);
}

static void
cnc_scatter_view_filter_changed (CncChartView *view)
{
  CncScatterView *self = CNC_SCATTER_VIEW (view);

  update_flags (self);
  update_front (self);
  invalidate (self);
}

static void
cnc_scatter_view_encoding_changed (CncChartView *view)
{
  update_values (CNC_SCATTER_VIEW (view));
}

/* ---- drawing -------------------------------------------------------------------------------------- */

static void
ensure_frame (CncScatterView *self, const CncChartStyle *style, int w, int h)
{
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
}

static gboolean
plottable (CncScatterView *self)
{
  return self->x_metric >= 0 && self->y_metric >= 0 && self->n > 0;
}

static void
cnc_scatter_view_draw_static (CncChartView *view, cairo_t *cr, const CncChartStyle *style, int w, int h)
{
  CncScatterView *self = CNC_SCATTER_VIEW (view);

  if (!plottable (self))
    {
      cnc_colormap_set_source (cr, style->muted, 1);
      cnc_chart_text (cr, style, self->n == 0 ? "No models to plot" : "The models need two metrics to plot",
                      w / 2.0, h / 2.0, 0.5, 0.5, CNC_CHART_TEXT_NORMAL);
      return;
    }
  ensure_frame (self, style, w, h);
  cnc_chart_scatter_draw (cr, style, &self->data, &self->frame);
}

static void
cnc_scatter_view_draw_motion (CncChartView *view, cairo_t *cr, const CncChartStyle *style, int w, int h)
{
  CncScatterView *self = CNC_SCATTER_VIEW (view);
  guint hovered = cnc_model_set_get_hovered (model_set (self));

  if (plottable (self) && self->frame_w >= 0 && hovered < self->n)
    cnc_chart_scatter_draw_hover (cr, style, &self->data, &self->frame, hovered);
}

static void
cnc_scatter_view_draw_card (CncChartView *view, cairo_t *cr, const CncChartStyle *style, guint i,
                            double x, double y, int width, int height)
{
  CncScatterView *self = CNC_SCATTER_VIEW (view);
  const CncModel *m = cnc_model_set_get_model (model_set (self), i);
  g_autofree char *op = cnc_model_set_describe_operation (model_set (self), i);
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
  cnc_chart_card_draw (cr, style, x, y, self->frame.width, self->frame.height,
                       m->label && *m->label ? m->label : m->name, op, rows, n_rows);
}

static void
cnc_scatter_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 220 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 320;
}

/* ---- hit tests ---------------------------------------------------------------------------------------- */

static guint
cnc_scatter_view_lookup_item (CncChartView *view, double x, double y)
{
  CncScatterView *self = CNC_SCATTER_VIEW (view);

  if (!plottable (self) || self->frame_w < 0)
    return CNC_MODEL_NONE;
  return cnc_chart_scatter_hit (&self->data, &self->frame, x, y, 3);
}

static GArray *
cnc_scatter_view_items_in_rect (CncChartView *view, double x0, double y0, double x1, double y1)
{
  CncScatterView *self = CNC_SCATTER_VIEW (view);

  if (!plottable (self) || self->frame_w < 0)
    return g_array_new (FALSE, FALSE, sizeof (guint));
  return cnc_chart_scatter_points_in_rect (&self->data, &self->frame, x0, y0, x1, y1);
}

/* ---- public API -------------------------------------------------------------------------------------------- */

GtkWidget *
cnc_scatter_view_new (CncModelSet *set)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  return g_object_new (CNC_TYPE_SCATTER_VIEW, "model-set", set, NULL);
}

void
cnc_scatter_view_set_x_metric (CncScatterView *self, int metric)
{
  g_return_if_fail (CNC_IS_SCATTER_VIEW (self));
  if (metric >= (int) cnc_model_set_get_n_metrics (model_set (self)))
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
  if (metric >= (int) cnc_model_set_get_n_metrics (model_set (self)))
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
  CncChartViewClass *view_class = CNC_CHART_VIEW_CLASS (klass);

  object_class->finalize = cnc_scatter_view_finalize;
  object_class->get_property = cnc_scatter_view_get_property;
  object_class->set_property = cnc_scatter_view_set_property;
  widget_class->measure = cnc_scatter_view_measure;
  view_class->models_changed = cnc_scatter_view_models_changed;
  view_class->selection_changed = cnc_scatter_view_selection_changed;
  view_class->filter_changed = cnc_scatter_view_filter_changed;
  view_class->encoding_changed = cnc_scatter_view_encoding_changed;
  view_class->draw_static = cnc_scatter_view_draw_static;
  view_class->draw_motion = cnc_scatter_view_draw_motion;
  view_class->draw_card = cnc_scatter_view_draw_card;
  view_class->lookup_item = cnc_scatter_view_lookup_item;
  view_class->items_in_rect = cnc_scatter_view_items_in_rect;

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
  self->x_metric = self->y_metric = -1;
  self->show_pareto = TRUE;
  self->frame_w = self->frame_h = -1;
}
