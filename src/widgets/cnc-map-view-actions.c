/* cnc-map-view-actions.c
 * The provenance map's widget actions ("map.zoom-in", "map.go-parent", …) and the keys bound to them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-map-view"

#include "cnc-map-view-private.h"

#include <math.h>

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
  const guint *children = cnc_model_set_get_children (_cnc_map_view_get_set (self), i, &n_children);
  guint best = CNC_MODEL_NONE;

  for (guint k = 0; k < n_children; k++)
    if (self->parent[children[k]] == (int) i && !self->layout->nodes[children[k]].hidden
        && (best == CNC_MODEL_NONE || self->layout->nodes[children[k]].row < self->layout->nodes[best].row))
      best = children[k];
  return best;
}

/* Where the arrow keys go from the focused model. */
typedef enum {
  GO_PARENT,
  GO_CHILD,
  GO_PREVIOUS,
  GO_NEXT,
} Direction;

/* Moves the keyboard focus (and the selection: @extend adds to it) to the parent, first child or a sibling of the
 * focused model; without a focused model, to the first selected one or the first root. */
static void
go (CncMapView *self, Direction direction, gboolean extend)
{
  CncModelSet *set = _cnc_map_view_get_set (self);
  guint next = CNC_MODEL_NONE;

  if (self->focus == CNC_MODEL_NONE || self->focus >= self->n || self->layout->nodes[self->focus].hidden)
    {
      g_autoptr(GArray) sel = cnc_model_set_get_selection (set);
      next = sel->len > 0 ? g_array_index (sel, guint, 0)
                          : (self->layout->n_columns > 0 && self->layout->column_n_nodes[0] > 0
                             ? self->layout->column_nodes[0][0] : 0);
    }
  else
    switch (direction)
      {
      case GO_PARENT:
        next = self->parent[self->focus] >= 0 ? (guint) self->parent[self->focus] : CNC_MODEL_NONE;
        break;
      case GO_CHILD:
        next = first_child (self, self->focus);
        break;
      case GO_PREVIOUS:
        next = sibling (self, self->focus, -1);
        break;
      case GO_NEXT:
        next = sibling (self, self->focus, 1);
        break;
      default:
        g_assert_not_reached ();
      }
  if (next == CNC_MODEL_NONE)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  if (!(self->flags[next] & CNC_CHART_MAP_FADED))
    {
      if (extend)
        cnc_model_set_extend (set, next);
      else
        cnc_model_set_select_one (set, next);
    }
  _cnc_map_view_set_focus_model (self, next);
  _cnc_map_view_scroll_to (self, next);
}

static void
go_parent_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go (CNC_MAP_VIEW (widget), GO_PARENT, g_variant_get_boolean (parameter));
}

static void
go_child_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go (CNC_MAP_VIEW (widget), GO_CHILD, g_variant_get_boolean (parameter));
}

static void
go_previous_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go (CNC_MAP_VIEW (widget), GO_PREVIOUS, g_variant_get_boolean (parameter));
}

static void
go_next_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go (CNC_MAP_VIEW (widget), GO_NEXT, g_variant_get_boolean (parameter));
}

static void
zoom_in_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_map_view_zoom_in (CNC_MAP_VIEW (widget));
}

static void
zoom_out_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_map_view_zoom_out (CNC_MAP_VIEW (widget));
}

static void
zoom_fit_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_map_view_zoom_fit (CNC_MAP_VIEW (widget));
}

static void
zoom_reset_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_map_view_zoom_reset (CNC_MAP_VIEW (widget));
}

static void
toggle_fold_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CncMapView *self = CNC_MAP_VIEW (widget);

  if (self->focus != CNC_MODEL_NONE)
    _cnc_map_view_toggle_collapsed (self, self->focus);
}

static void
fold_selected_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_map_view_collapse_selected (CNC_MAP_VIEW (widget));
}

static void
unfold_all_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_map_view_expand_all (CNC_MAP_VIEW (widget));
}

static void
select_all_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_model_set_select_all (_cnc_map_view_get_set (CNC_MAP_VIEW (widget)));
}

static void
select_none_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cnc_model_set_select_none (_cnc_map_view_get_set (CNC_MAP_VIEW (widget)));
}

static void
open_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CncMapView *self = CNC_MAP_VIEW (widget);

  if (self->focus != CNC_MODEL_NONE)
    g_signal_emit_by_name (self, "model-activated", self->focus);
}

static const struct {
  const char                   *name;
  const char                   *parameter_type;
  GtkWidgetActionActivateFunc   activate;
} actions[] = {
  { "map.zoom-in", NULL, zoom_in_activated },
  { "map.zoom-out", NULL, zoom_out_activated },
  { "map.zoom-fit", NULL, zoom_fit_activated },
  { "map.zoom-reset", NULL, zoom_reset_activated },
  { "map.toggle-fold", NULL, toggle_fold_activated },
  { "map.fold-selected", NULL, fold_selected_activated },
  { "map.unfold-all", NULL, unfold_all_activated },
  { "map.go-parent", "b", go_parent_activated },
  { "map.go-child", "b", go_child_activated },
  { "map.go-previous", "b", go_previous_activated },
  { "map.go-next", "b", go_next_activated },
  { "map.select-all", NULL, select_all_activated },
  { "map.select-none", NULL, select_none_activated },
  { "map.open", NULL, open_activated },
};

void
_cnc_map_view_class_add_actions (GtkWidgetClass *widget_class)
{
  static const struct { guint keyval; GdkModifierType mods; const char *action; } keys[] = {
    { GDK_KEY_plus, 0, "map.zoom-in" },
    { GDK_KEY_equal, 0, "map.zoom-in" },
    { GDK_KEY_KP_Add, 0, "map.zoom-in" },
    { GDK_KEY_minus, 0, "map.zoom-out" },
    { GDK_KEY_KP_Subtract, 0, "map.zoom-out" },
    { GDK_KEY_0, 0, "map.zoom-fit" },
    { GDK_KEY_KP_0, 0, "map.zoom-fit" },
    { GDK_KEY_1, 0, "map.zoom-reset" },
    { GDK_KEY_KP_1, 0, "map.zoom-reset" },
    { GDK_KEY_c, 0, "map.toggle-fold" },
    { GDK_KEY_a, GDK_CONTROL_MASK, "map.select-all" },
    { GDK_KEY_Escape, 0, "map.select-none" },
    { GDK_KEY_Return, 0, "map.open" },
    { GDK_KEY_KP_Enter, 0, "map.open" },
  };
  static const struct { guint keyval; const char *action; } arrows[] = {
    { GDK_KEY_Left, "map.go-parent" },
    { GDK_KEY_Right, "map.go-child" },
    { GDK_KEY_Up, "map.go-previous" },
    { GDK_KEY_Down, "map.go-next" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (actions); k++)
    gtk_widget_class_install_action (widget_class, actions[k].name, actions[k].parameter_type, actions[k].activate);
  /* the layout (0 by step, 1 by operation): buttons name it with a target */
  gtk_widget_class_install_property_action (widget_class, "map.layout", "layout-mode");
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    gtk_widget_class_add_binding_action (widget_class, keys[k].keyval, keys[k].mods, keys[k].action, NULL);
  /* Shift extends the selection; Ctrl changes nothing */
  for (guint k = 0; k < G_N_ELEMENTS (arrows); k++)
    for (guint m = 0; m < 4; m++)
      gtk_widget_class_add_binding_action (widget_class, arrows[k].keyval,
                                           (m & 1 ? GDK_SHIFT_MASK : 0) | (m & 2 ? GDK_CONTROL_MASK : 0),
                                           arrows[k].action, "b", (gboolean) (m & 1));
}

void
_cnc_map_view_update_actions (CncMapView *self)
{
  gboolean any = self->layout != NULL && self->n > 0;

  for (guint k = 0; k < G_N_ELEMENTS (actions); k++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[k].name, any);
}
