/* cnc-histogram-view.c
 * A brushable histogram of one metric: the range brushed becomes that metric's filter in the model set.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-histogram-view"

#include "cnc-histogram-view.h"

#include <math.h>

#include "charts/cnc-chart-histogram.h"

typedef enum {
  BRUSH_NONE,
  BRUSH_NEW,
  BRUSH_LO,      /* dragging the low edge */
  BRUSH_HI,
  BRUSH_MOVE,
} BrushDrag;

struct _CncHistogramView
{
  CncChartView   parent_instance;

  guint          metric;
  guint          n_bins;
  guint         *all, *passing;
  CncChartHistogramData data;
  CncChartScale  scale;
  gboolean       has_scale;

  BrushDrag      drag;
  double         drag_x, grab_lo, grab_hi;
};

G_DEFINE_FINAL_TYPE (CncHistogramView, cnc_histogram_view, CNC_TYPE_CHART_VIEW)

enum {
  PROP_0,
  PROP_METRIC,
  PROP_N_BINS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static CncModelSet *
model_set (CncHistogramView *self)
{
  return cnc_chart_view_get_model_set (CNC_CHART_VIEW (self));
}

static void
recount (CncHistogramView *self)
{
  guint n = cnc_model_set_get_n_models (model_set (self));
  const double *values;
  g_autofree guint8 *mask = NULL;
  double lo, hi;

  g_clear_pointer (&self->all, g_free);
  g_clear_pointer (&self->passing, g_free);
  self->data.metric = NULL;
  self->has_scale = FALSE;
  cnc_chart_view_invalidate (CNC_CHART_VIEW (self));
  if (self->metric >= cnc_model_set_get_n_metrics (model_set (self))
      || !cnc_model_set_get_range (model_set (self), self->metric, &lo, &hi))
    return;
  values = cnc_model_set_get_values (model_set (self), self->metric);
  mask = g_new (guint8, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    mask[i] = cnc_model_set_passes_filters (model_set (self), i);
  if (hi <= lo)
    {
      double pad = lo != 0 ? fabs (lo) * 0.05 : 0.5;
      lo -= pad;
      hi += pad;
    }
  self->all = g_new (guint, self->n_bins);
  self->passing = g_new (guint, self->n_bins);
  cnc_chart_histogram_bin (values, NULL, n, lo, hi, FALSE, self->n_bins, self->all);
  cnc_chart_histogram_bin (values, mask, n, lo, hi, FALSE, self->n_bins, self->passing);
  self->data.metric = cnc_model_set_get_metric (model_set (self), self->metric);
  self->data.n_bins = self->n_bins;
  self->data.all = self->all;
  self->data.passing = self->passing;
  self->data.lo = lo;
  self->data.hi = hi;
  self->data.has_brush = cnc_model_set_get_filter (model_set (self), self->metric, &self->data.brush_lo,
                                                   &self->data.brush_hi);
  self->data.n_passing = cnc_model_set_get_n_passing (model_set (self));
  self->data.n_total = n;
}

static void
cnc_histogram_view_models_changed (CncChartView *view)
{
  recount (CNC_HISTOGRAM_VIEW (view));
}

static void
cnc_histogram_view_draw_static (CncChartView *view, cairo_t *cr, const CncChartStyle *style, int w, int h)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (view);

  if (self->data.metric == NULL)
    {
      cnc_colormap_set_source (cr, style->muted, 1);
      cnc_chart_text (cr, style, "No model has a value for this metric", w / 2.0, h / 2.0, 0.5, 0.5,
                      CNC_CHART_TEXT_SMALL);
    }
  else
    {
      cnc_chart_histogram_draw (cr, style, &self->data, w, h, &self->scale);
      self->has_scale = TRUE;
    }
}

static void
cnc_histogram_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                            int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 160 : 90;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 280 : 120;
}

static double
value_at (CncHistogramView *self, double x)
{
  return CLAMP (cnc_chart_scale_invert (&self->scale, x), self->data.lo, self->data.hi);
}

static CncChartDrag
cnc_histogram_view_drag_begin (CncChartView *view, guint button, double x, double y)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (view);

  self->drag = BRUSH_NONE;
  if (!self->has_scale || button != GDK_BUTTON_PRIMARY)
    return CNC_CHART_DRAG_NONE;
  self->drag_x = x;
  self->drag = BRUSH_NEW;
  if (self->data.has_brush)
    {
      double x0 = cnc_chart_scale_map (&self->scale, self->data.brush_lo);
      double x1 = cnc_chart_scale_map (&self->scale, self->data.brush_hi);

      self->grab_lo = self->data.brush_lo;
      self->grab_hi = self->data.brush_hi;
      if (fabs (x - x0) <= 6)
        self->drag = BRUSH_LO;
      else if (fabs (x - x1) <= 6)
        self->drag = BRUSH_HI;
      else if (x > x0 && x < x1)
        self->drag = BRUSH_MOVE;
    }
  return CNC_CHART_DRAG_OWN;
}

static void
cnc_histogram_view_drag_update (CncChartView *view, double dx, double dy)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (view);
  double a, b;

  switch (self->drag)
    {
    case BRUSH_NEW:
      if (fabs (dx) < 3)
        return;
      a = value_at (self, self->drag_x);
      b = value_at (self, self->drag_x + dx);
      break;
    case BRUSH_LO:
      a = value_at (self, cnc_chart_scale_map (&self->scale, self->grab_lo) + dx);
      b = self->grab_hi;
      break;
    case BRUSH_HI:
      a = self->grab_lo;
      b = value_at (self, cnc_chart_scale_map (&self->scale, self->grab_hi) + dx);
      break;
    case BRUSH_MOVE:
      {
        double shift = cnc_chart_scale_invert (&self->scale, cnc_chart_scale_map (&self->scale, self->grab_lo) + dx)
                       - self->grab_lo;
        shift = CLAMP (shift, self->data.lo - self->grab_lo, self->data.hi - self->grab_hi);
        a = self->grab_lo + shift;
        b = self->grab_hi + shift;
      }
      break;
    case BRUSH_NONE:
    default:
      return;
    }
  cnc_model_set_set_filter (model_set (self), self->metric, MIN (a, b), MAX (a, b));
}

static void
cnc_histogram_view_drag_end (CncChartView *view, double dx, double dy)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (view);

  /* a click (no drag) outside the brush clears it */
  if (self->drag == BRUSH_NEW && fabs (dx) < 3 && self->data.has_brush)
    cnc_model_set_remove_filter (model_set (self), self->metric);
  self->drag = BRUSH_NONE;
}

static const char *
cnc_histogram_view_get_cursor (CncChartView *view, double x, double y, guint item)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (view);
  const char *cursor = "crosshair";

  if (self->has_scale && self->data.has_brush)
    {
      double x0 = cnc_chart_scale_map (&self->scale, self->data.brush_lo);
      double x1 = cnc_chart_scale_map (&self->scale, self->data.brush_hi);
      if (fabs (x - x0) <= 6 || fabs (x - x1) <= 6)
        cursor = "ew-resize";
      else if (x > x0 && x < x1)
        cursor = "grab";
    }
  return cursor;
}

/* ---- public API ------------------------------------------------------------------------------------------------- */

GtkWidget *
cnc_histogram_view_new (CncModelSet *set, guint metric)
{
  g_return_val_if_fail (CNC_IS_MODEL_SET (set), NULL);
  return g_object_new (CNC_TYPE_HISTOGRAM_VIEW, "model-set", set, "metric", metric, NULL);
}

void
cnc_histogram_view_set_metric (CncHistogramView *self, guint metric)
{
  g_return_if_fail (CNC_IS_HISTOGRAM_VIEW (self));
  if (self->metric == metric)
    return;
  self->metric = metric;
  if (model_set (self))
    recount (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METRIC]);
}

guint
cnc_histogram_view_get_metric (CncHistogramView *self)
{
  g_return_val_if_fail (CNC_IS_HISTOGRAM_VIEW (self), 0);
  return self->metric;
}

void
cnc_histogram_view_set_n_bins (CncHistogramView *self, guint n_bins)
{
  g_return_if_fail (CNC_IS_HISTOGRAM_VIEW (self));
  n_bins = CLAMP (n_bins, 2, 200);
  if (self->n_bins == n_bins)
    return;
  self->n_bins = n_bins;
  if (model_set (self))
    recount (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BINS]);
}

/* ---- GObject ---------------------------------------------------------------------------------------------------- */

static void
cnc_histogram_view_finalize (GObject *object)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (object);

  g_free (self->all);
  g_free (self->passing);
  G_OBJECT_CLASS (cnc_histogram_view_parent_class)->finalize (object);
}

static void
cnc_histogram_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (object);

  switch (prop_id)
    {
    case PROP_METRIC:
      g_value_set_uint (value, self->metric);
      break;
    case PROP_N_BINS:
      g_value_set_uint (value, self->n_bins);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_histogram_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CncHistogramView *self = CNC_HISTOGRAM_VIEW (object);

  switch (prop_id)
    {
    case PROP_METRIC:
      cnc_histogram_view_set_metric (self, g_value_get_uint (value));
      break;
    case PROP_N_BINS:
      cnc_histogram_view_set_n_bins (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_histogram_view_class_init (CncHistogramViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  CncChartViewClass *view_class = CNC_CHART_VIEW_CLASS (klass);

  object_class->finalize = cnc_histogram_view_finalize;
  object_class->get_property = cnc_histogram_view_get_property;
  object_class->set_property = cnc_histogram_view_set_property;
  widget_class->measure = cnc_histogram_view_measure;
  view_class->models_changed = cnc_histogram_view_models_changed;
  view_class->filter_changed = cnc_histogram_view_models_changed;
  view_class->draw_static = cnc_histogram_view_draw_static;
  view_class->get_cursor = cnc_histogram_view_get_cursor;
  view_class->drag_begin = cnc_histogram_view_drag_begin;
  view_class->drag_update = cnc_histogram_view_drag_update;
  view_class->drag_end = cnc_histogram_view_drag_end;
  properties[PROP_METRIC] =
    g_param_spec_uint ("metric", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_BINS] =
    g_param_spec_uint ("n-bins", NULL, NULL, 2, 200, 24,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cnchistogramview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cnc_histogram_view_init (CncHistogramView *self)
{
  self->n_bins = 24;
}
