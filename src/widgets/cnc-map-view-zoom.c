/* cnc-map-view-zoom.c
 * The provenance map's zoom and scrolling: the view's spacing and offset, "fit" and 1:1, zooming about a point,
 * keeping some of the graph in the pane, the wheel and pinch.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-map-view"

#include "cnc-map-view-private.h"

#include <math.h>

#define ZOOM_STEP_KEY   1.25
#define ZOOM_STEP_WHEEL 1.1
#define MAX_ROW_PX      64.0

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

void
_cnc_map_view_zoom_to_rows (CncMapView *self, double row_px)
{
  self->zoom = CLAMP (row_px / MAX (self->fit_row, 1e-6), min_zoom (self), max_zoom (self));
  self->fitted = FALSE;
  apply_zoom (self);
}

/* Keeps some of the graph in view: the content may not leave the pane. */
void
_cnc_map_view_clamp_view (CncMapView *self)
{
  CncChartMapView *v = &self->view;
  double pad = 40;
  double cw = self->layout && self->layout->n_columns > 0 ? (self->layout->n_columns - 1) * v->column_px : 0;
  double ch = self->layout && self->layout->n_rows > 0 ? (self->layout->n_rows - 1) * v->row_px : 0;
  double top = v->header_height + 26, bottom = v->height - 18;
  double lo, hi;

  lo = v->width - pad - cw;
  hi = pad;
  v->x0 = CLAMP (v->x0, MIN (lo, hi), MAX (lo, hi));
  lo = bottom - ch;
  hi = top;
  v->y0 = CLAMP (v->y0, MIN (lo, hi), MAX (lo, hi));
}

void
_cnc_map_view_ensure_view (CncMapView *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  CncChartMapView fit;

  if (self->layout == NULL || (w == self->last_w && h == self->last_h))
    return;
  if (self->fold_pending && w > 0 && h > 0)
    {
      self->fold_pending = FALSE;
      _cnc_map_view_fold_to_fit (self, h);
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
          _cnc_map_view_clamp_view (self);
        }
      else
        self->zoom = 1;
    }
  else
    {
      self->view.width = w;
      self->view.height = h;
      apply_zoom (self);
      _cnc_map_view_clamp_view (self);
    }
  self->last_w = w;
  self->last_h = h;
  g_clear_pointer (&self->minimap, cairo_surface_destroy);
}

static void
zoom_at (CncMapView *self, double factor, double px, double py)
{
  CncChartMapView *v = &self->view;
  double c, r, old = self->zoom;

  _cnc_map_view_ensure_view (self);
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
  _cnc_map_view_clamp_view (self);
  _cnc_map_view_notify_zoom (self);
  _cnc_map_view_invalidate (self);
}

static void
pan_by (CncMapView *self, double dx, double dy)
{
  self->view.x0 += dx;
  self->view.y0 += dy;
  self->fitted = FALSE;
  _cnc_map_view_clamp_view (self);
  _cnc_map_view_invalidate (self);
}

void
_cnc_map_view_center_on (CncMapView *self, guint index)
{
  double x, y;

  cnc_chart_map_node_position (&self->data, &self->view, index, &x, &y);
  self->view.x0 += self->view.width / 2 - x;
  self->view.y0 += (self->view.height + self->view.header_height) / 2 - y;
  _cnc_map_view_clamp_view (self);
}

/* Scrolls just enough for @index to be inside the pane. */
void
_cnc_map_view_scroll_to (CncMapView *self, guint index)
{
  double x, y, m = 40;
  CncChartMapView *v = &self->view;

  _cnc_map_view_ensure_view (self);
  cnc_chart_map_node_position (&self->data, v, index, &x, &y);
  if (x < m)
    v->x0 += m - x;
  else if (x > v->width - m)
    v->x0 -= x - (v->width - m);
  if (y < v->header_height + m)
    v->y0 += v->header_height + m - y;
  else if (y > v->height - m)
    v->y0 -= y - (v->height - m);
  _cnc_map_view_clamp_view (self);
  self->fitted = FALSE;
  _cnc_map_view_invalidate (self);
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
  _cnc_map_view_ensure_view (self);
  _cnc_map_view_notify_zoom (self);
  _cnc_map_view_invalidate (self);
}

void
cnc_map_view_zoom_reset (CncMapView *self)
{
  guint target = self->focus;

  g_return_if_fail (CNC_IS_MAP_VIEW (self));
  _cnc_map_view_ensure_view (self);
  if (self->layout == NULL)
    return;
  _cnc_map_view_zoom_to_rows (self, CNC_CHART_MAP_ROW_PX);
  if (target == CNC_MODEL_NONE || target >= self->n)
    {
      g_autoptr(GArray) sel = cnc_model_set_get_selection (_cnc_map_view_get_set (self));
      target = sel->len ? g_array_index (sel, guint, 0) : CNC_MODEL_NONE;
    }
  if (target != CNC_MODEL_NONE && !self->layout->nodes[target].hidden)
    _cnc_map_view_center_on (self, target);
  else
    {
      self->view.x0 = 40;
      self->view.y0 = self->view.header_height + 26;
    }
  _cnc_map_view_clamp_view (self);
  _cnc_map_view_notify_zoom (self);
  _cnc_map_view_invalidate (self);
}

double
cnc_map_view_get_zoom (CncMapView *self)
{
  g_return_val_if_fail (CNC_IS_MAP_VIEW (self), 1);
  return self->view.row_px > 0 ? self->view.row_px / CNC_CHART_MAP_ROW_PX : 1;
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll, double dx, double dy, CncMapView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (scroll);
  double step = unit == GDK_SCROLL_UNIT_WHEEL ? 48 : 1;
  double px = 0, py = 0;

  if (self->layout == NULL)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    {
      /* small steps: one notch is ×1.1; smooth scrolling proportionally */
      double notches = unit == GDK_SCROLL_UNIT_WHEEL ? dy : dy / 20;

      cnc_chart_view_get_pointer (CNC_CHART_VIEW (self), &px, &py);
      zoom_at (self, pow (ZOOM_STEP_WHEEL, -notches), px, py);
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

void
_cnc_map_view_add_zoom_controllers (CncMapView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
