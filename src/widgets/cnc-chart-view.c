/* cnc-chart-view.c
 * The base of every chart view: the model set's signals, a cached static layer, the style, hover and the hover
 * card, click and rubber-band selection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-chart-view"

#include "cnc-chart-view.h"

#include <math.h>
#include <string.h>

#include "cnc-widget-util.h"

/* How far a press moves before it becomes a rubber band. */
#define BAND_THRESHOLD_PX 4.0

typedef struct
{
  CncModelSet   *set;
  GSignalGroup  *set_signals;

  /* the static layer, and what it was drawn for */
  GdkTexture    *cache;
  int            cache_width, cache_height, cache_scale;
  gboolean       cache_dark;

  double         pointer_x, pointer_y;
  gboolean       pointer_in;
  guint          pointer_item;

  CncChartDrag   drag;               /* what the press under way may become */
  gboolean       banding;            /* the band moved past the threshold */
  double         drag_x, drag_y, drag_dx, drag_dy;
  gboolean       click_on_nothing;   /* clear the selection on release */
} CncChartViewPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CncChartView, cnc_chart_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL_SET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define CLASS(self) CNC_CHART_VIEW_GET_CLASS (self)

/* ---- the model set's signals ------------------------------------------------------------------------------- */

static void
on_models_changed (CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  priv->pointer_item = CNC_MODEL_NONE;
  if (CLASS (self)->models_changed)
    CLASS (self)->models_changed (self);
}

static void
on_selection_changed (CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  priv->pointer_item = CNC_MODEL_NONE;
  if (CLASS (self)->selection_changed)
    CLASS (self)->selection_changed (self);
}

static void
on_filter_changed (CncChartView *self)
{
  if (CLASS (self)->filter_changed)
    CLASS (self)->filter_changed (self);
}

static void
on_encoding_changed (CncChartView *self)
{
  if (CLASS (self)->encoding_changed)
    CLASS (self)->encoding_changed (self);
}

/* ---- drawing --------------------------------------------------------------------------------------------------- */

static gboolean
dragging (CncChartViewPrivate *priv)
{
  return priv->drag == CNC_CHART_DRAG_OWN || priv->banding;
}

static void
render_static (CncChartView *self, const CncChartStyle *style, int width, int height, int scale)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_t *cr;

  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  CLASS (self)->draw_static (self, cr, style, width, height);
  cairo_destroy (cr);
  g_clear_object (&priv->cache);
  priv->cache = cnc_widget_texture_from_surface (surface);
  priv->cache_width = width;
  priv->cache_height = height;
  priv->cache_scale = scale;
  priv->cache_dark = style->dark;
  cairo_surface_destroy (surface);
}

static void
draw_band (CncChartViewPrivate *priv, cairo_t *cr, const CncChartStyle *style)
{
  double x0 = priv->drag_x, y0 = priv->drag_y, x1 = x0 + priv->drag_dx, y1 = y0 + priv->drag_dy;

  cairo_rectangle (cr, MIN (x0, x1) + 0.5, MIN (y0, y1) + 0.5, fabs (x1 - x0), fabs (y1 - y0));
  cnc_colormap_set_source (cr, style->accent, 0.12);
  cairo_fill_preserve (cr);
  cnc_colormap_set_source (cr, style->accent, 0.9);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
cnc_chart_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CncChartView *self = CNC_CHART_VIEW (widget);
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);
  CncChartViewClass *klass = CLASS (self);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, w, h);
  CncChartStyle style;
  cairo_t *cr;

  cnc_widget_chart_style (widget, &style);
  if (klass->draw_static)
    {
      int scale = gtk_widget_get_scale_factor (widget);

      if (priv->cache == NULL || priv->cache_width != w || priv->cache_height != h || priv->cache_scale != scale
          || priv->cache_dark != style.dark)
        {
          g_clear_object (&priv->cache);
          if (w > 0 && h > 0)
            render_static (self, &style, w, h, scale);
        }
      if (priv->cache)
        gtk_snapshot_append_texture (snapshot, priv->cache, &bounds);
    }

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  if (priv->banding)
    draw_band (priv, cr, &style);
  if (klass->draw_motion)
    klass->draw_motion (self, cr, &style, w, h);
  /* the card only while the pointer rests on the hovered item here */
  if (klass->draw_card && priv->set && priv->pointer_in && !dragging (priv))
    {
      guint hovered = cnc_model_set_get_hovered (priv->set);

      if (hovered != CNC_MODEL_NONE
          && cnc_chart_view_lookup_item (self, priv->pointer_x, priv->pointer_y) == hovered)
        klass->draw_card (self, cr, &style, hovered, priv->pointer_x, priv->pointer_y, w, h);
    }
  cairo_destroy (cr);
}

/* ---- pointer --------------------------------------------------------------------------------------------------- */

static void
update_hover (CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);
  CncChartViewClass *klass = CLASS (self);
  double x = priv->pointer_x, y = priv->pointer_y;
  guint item = cnc_chart_view_lookup_item (self, x, y);

  priv->pointer_item = item;
  if (klass->lookup_item && priv->set)
    cnc_model_set_set_hovered (priv->set, item);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   klass->get_cursor ? klass->get_cursor (self, x, y, item)
                                   : item != CNC_MODEL_NONE ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  priv->pointer_x = x;
  priv->pointer_y = y;
  priv->pointer_in = TRUE;
  if (!dragging (priv))
    update_hover (self);
}

static void
on_leave (GtkEventControllerMotion *motion, CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  priv->pointer_in = FALSE;
  priv->pointer_item = CNC_MODEL_NONE;
  if (CLASS (self)->lookup_item && priv->set)
    cnc_model_set_set_hovered (priv->set, CNC_MODEL_NONE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);
  CncChartViewClass *klass = CLASS (self);
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  guint item;

  priv->click_on_nothing = FALSE;
  if (gtk_widget_get_focusable (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));
  if (klass->lookup_item == NULL || priv->set == NULL)
    return;
  item = klass->lookup_item (self, x, y);
  if (klass->press && klass->press (self, item, n_press, x, y, state))
    return;
  if (item != CNC_MODEL_NONE)
    cnc_model_set_select (priv->set, &item, 1, cnc_chart_view_select_mode (self, state));
  else
    /* cleared on release, unless the press becomes a rubber band */
    priv->click_on_nothing = (klass->flags & CNC_CHART_VIEW_CLICK_CLEARS) && n_press == 1
                             && !(state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK));
}

static void
on_released (GtkGestureClick *gesture, int n_press, double x, double y, CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  if (!priv->click_on_nothing)
    return;
  priv->click_on_nothing = FALSE;
  if (!priv->banding && cnc_chart_view_lookup_item (self, x, y) == CNC_MODEL_NONE)
    cnc_model_set_select_none (priv->set);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);
  CncChartViewClass *klass = CLASS (self);
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  priv->drag_x = x;
  priv->drag_y = y;
  priv->drag_dx = priv->drag_dy = 0;
  priv->banding = FALSE;
  if (klass->drag_begin)
    priv->drag = klass->drag_begin (self, button, x, y);
  else
    priv->drag = button == GDK_BUTTON_PRIMARY && klass->items_in_rect ? CNC_CHART_DRAG_BAND : CNC_CHART_DRAG_NONE;
  if (priv->drag == CNC_CHART_DRAG_BAND && klass->items_in_rect == NULL)
    priv->drag = CNC_CHART_DRAG_NONE;
  if (priv->drag == CNC_CHART_DRAG_NONE)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  priv->drag_dx = dx;
  priv->drag_dy = dy;
  if (priv->drag == CNC_CHART_DRAG_OWN)
    {
      if (CLASS (self)->drag_update)
        CLASS (self)->drag_update (self, dx, dy);
      return;
    }
  if (priv->drag != CNC_CHART_DRAG_BAND)
    return;
  if (!priv->banding && hypot (dx, dy) > BAND_THRESHOLD_PX)
    {
      priv->banding = TRUE;
      priv->click_on_nothing = FALSE;
      cnc_model_set_set_hovered (priv->set, CNC_MODEL_NONE);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);
  CncChartViewClass *klass = CLASS (self);

  if (priv->drag == CNC_CHART_DRAG_BAND && priv->banding)
    {
      GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
      g_autoptr(GArray) inside = klass->items_in_rect (self, priv->drag_x, priv->drag_y,
                                                       priv->drag_x + dx, priv->drag_y + dy);

      priv->click_on_nothing = FALSE;
      cnc_model_set_select (priv->set, (const guint *) inside->data, inside->len,
                            cnc_chart_view_select_mode (self, state));
    }
  else if (priv->drag == CNC_CHART_DRAG_OWN && klass->drag_end)
    klass->drag_end (self, dx, dy);
  priv->drag = CNC_CHART_DRAG_NONE;
  priv->banding = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- exported actions ------------------------------------------------------------------------------------------ */

static void
on_exported_activate (GSimpleAction *action, GVariant *parameter, CncChartView *self)
{
  const char *full_name = g_object_get_data (G_OBJECT (action), "cnc-chart-view-action");

  gtk_widget_activate_action_variant (GTK_WIDGET (self), full_name, parameter);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

/* ---- public API ------------------------------------------------------------------------------------------------ */

CncModelSet *
cnc_chart_view_get_model_set (CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  g_return_val_if_fail (CNC_IS_CHART_VIEW (self), NULL);
  return priv->set;
}

void
cnc_chart_view_invalidate (CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  g_return_if_fail (CNC_IS_CHART_VIEW (self));
  g_clear_object (&priv->cache);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
cnc_chart_view_lookup_item (CncChartView *self, double x, double y)
{
  g_return_val_if_fail (CNC_IS_CHART_VIEW (self), CNC_MODEL_NONE);
  return CLASS (self)->lookup_item ? CLASS (self)->lookup_item (self, x, y) : CNC_MODEL_NONE;
}

gboolean
cnc_chart_view_get_pointer (CncChartView *self, double *x, double *y)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  g_return_val_if_fail (CNC_IS_CHART_VIEW (self), FALSE);
  if (x)
    *x = priv->pointer_x;
  if (y)
    *y = priv->pointer_y;
  return priv->pointer_in && !dragging (priv);
}

guint
cnc_chart_view_get_pointer_item (CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  g_return_val_if_fail (CNC_IS_CHART_VIEW (self), CNC_MODEL_NONE);
  return priv->pointer_in ? priv->pointer_item : CNC_MODEL_NONE;
}

CncSelectMode
cnc_chart_view_select_mode (CncChartView *self, GdkModifierType state)
{
  g_return_val_if_fail (CNC_IS_CHART_VIEW (self), CNC_SELECT_REPLACE);
  if (!(CLASS (self)->flags & CNC_CHART_VIEW_CLICK_MODES))
    return CNC_SELECT_REPLACE;
  if (state & GDK_CONTROL_MASK)
    return CNC_SELECT_TOGGLE;
  if (state & GDK_SHIFT_MASK)
    return CNC_SELECT_ADD;
  return CNC_SELECT_REPLACE;
}

GActionGroup *
cnc_chart_view_export_actions (CncChartView *self, const char *prefix)
{
  GSimpleActionGroup *group;
  GtkWidgetClass *klass;
  gsize len;
  const char *name;
  const GVariantType *parameter_type;
  const char *property;
  GType owner;

  g_return_val_if_fail (CNC_IS_CHART_VIEW (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  group = g_simple_action_group_new ();
  klass = GTK_WIDGET_GET_CLASS (self);
  len = strlen (prefix);
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &parameter_type, &property); i++)
    {
      g_autoptr(GSimpleAction) action = NULL;

      if (strncmp (name, prefix, len) != 0 || name[len] != '.')
        continue;
      if (property != NULL)
        {
          /* a property action: its state is the view's property */
          g_autoptr(GPropertyAction) state = g_property_action_new (name + len + 1, self, property);
          g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (state));
          continue;
        }
      action = g_simple_action_new (name + len + 1, parameter_type);
      g_object_set_data_full (G_OBJECT (action), "cnc-chart-view-action", g_strdup (name), g_free);
      g_signal_connect_object (action, "activate", G_CALLBACK (on_exported_activate), self, 0);
      g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
    }
  return G_ACTION_GROUP (group);
}

/* ---- GObject --------------------------------------------------------------------------------------------------- */

static void
set_model_set (CncChartView *self, CncModelSet *set)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);

  g_return_if_fail (priv->set == NULL);
  if (set == NULL)
    return;
  priv->set = g_object_ref (set);
  g_signal_group_set_target (priv->set_signals, set);
  on_models_changed (self);
}

static void
cnc_chart_view_dispose (GObject *object)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (CNC_CHART_VIEW (object));

  g_signal_group_set_target (priv->set_signals, NULL);
  g_clear_object (&priv->cache);
  g_clear_object (&priv->set);
  G_OBJECT_CLASS (cnc_chart_view_parent_class)->dispose (object);
}

static void
cnc_chart_view_finalize (GObject *object)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (CNC_CHART_VIEW (object));

  g_clear_object (&priv->set_signals);
  G_OBJECT_CLASS (cnc_chart_view_parent_class)->finalize (object);
}

static void
cnc_chart_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (CNC_CHART_VIEW (object));

  switch (prop_id)
    {
    case PROP_MODEL_SET:
      g_value_set_object (value, priv->set);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_chart_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_MODEL_SET:
      set_model_set (CNC_CHART_VIEW (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnc_chart_view_class_init (CncChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_chart_view_dispose;
  object_class->finalize = cnc_chart_view_finalize;
  object_class->get_property = cnc_chart_view_get_property;
  object_class->set_property = cnc_chart_view_set_property;
  widget_class->snapshot = cnc_chart_view_snapshot;
  klass->flags = CNC_CHART_VIEW_CLICK_MODES | CNC_CHART_VIEW_CLICK_CLEARS;

  properties[PROP_MODEL_SET] =
    g_param_spec_object ("model-set", NULL, NULL, CNC_TYPE_MODEL_SET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cnc_chart_view_init (CncChartView *self)
{
  CncChartViewPrivate *priv = cnc_chart_view_get_instance_private (self);
  GtkEventController *controller;
  GtkGesture *gesture;

  priv->pointer_item = CNC_MODEL_NONE;
  priv->set_signals = g_signal_group_new (CNC_TYPE_MODEL_SET);
  g_signal_group_connect_object (priv->set_signals, "changed", G_CALLBACK (on_models_changed), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->set_signals, "selection-changed", G_CALLBACK (on_selection_changed), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->set_signals, "filter-changed", G_CALLBACK (on_filter_changed), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->set_signals, "encoding-changed", G_CALLBACK (on_encoding_changed), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->set_signals, "hover-changed", G_CALLBACK (gtk_widget_queue_draw), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->set_signals, "notify::loading", G_CALLBACK (cnc_chart_view_invalidate), self,
                                 G_CONNECT_SWAPPED);

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
}
