/* cnc-dock.c
 * The dock: left, right, bottom and centre areas of tabbed panels that can be reordered, moved, detached,
 * closed and brought back, with a layout that can be saved and restored.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dock"

#include "cnc-dock-private.h"

#define HANDLE_PX 1

G_DEFINE_FINAL_TYPE (CncDock, cnc_dock, GTK_TYPE_WIDGET)

enum {
  LAYOUT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const int _cnc_dock_default_sizes[CNC_DOCK_N_AREAS] = { 300, 440, 250, 0 };

static void
panel_free (CncDockPanel *panel)
{
  g_free (panel->id);
  g_free (panel->title);
  g_free (panel->icon_name);
  g_clear_object (&panel->child);
  g_clear_object (&panel->tab);
  g_clear_object (&panel->toggle);
  g_free (panel);
}

CncDockPanel *
_cnc_dock_find_panel (CncDock    *self,
                      const char *id)
{
  return id ? g_hash_table_lookup (self->by_id, id) : NULL;
}

CncDockPanel *
_cnc_dock_find_panel_by_child (CncDock   *self,
                               GtkWidget *child)
{
  for (guint i = 0; i < self->panels->len; i++)
    {
      CncDockPanel *panel = g_ptr_array_index (self->panels, i);
      if (panel->child == child)
        return panel;
    }
  return NULL;
}

GtkNotebook *
_cnc_dock_panel_notebook (CncDockPanel *panel)
{
  GtkWidget *parent = gtk_widget_get_parent (panel->child);

  return parent ? GTK_NOTEBOOK (gtk_widget_get_ancestor (parent, GTK_TYPE_NOTEBOOK)) : NULL;
}

static CncDockPosition
notebook_position (GtkNotebook *notebook,
                   guint       *frame)
{
  CncDockArea *area = g_object_get_data (G_OBJECT (notebook), "cnc-dock-area");

  if (frame)
    *frame = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (notebook), "cnc-dock-frame"));
  if (area)
    return cnc_dock_area_get_position (area);
  return CNC_DOCK_DETACHED;
}

CncDockPosition
_cnc_dock_panel_position (CncDockPanel *panel,
                          guint        *frame)
{
  GtkNotebook *notebook = _cnc_dock_panel_notebook (panel);

  if (frame)
    *frame = 0;
  if (notebook == NULL)
    return CNC_DOCK_CLOSED;
  return notebook_position (notebook, frame);
}

void
_cnc_dock_panel_take_out (CncDockPanel *panel)
{
  GtkNotebook *notebook = _cnc_dock_panel_notebook (panel);

  if (notebook)
    gtk_notebook_remove_page (notebook, gtk_notebook_page_num (notebook, panel->child));
}

void
_cnc_dock_panel_put (CncDockPanel *panel,
                     GtkNotebook  *notebook,
                     int           position)
{
  g_assert (_cnc_dock_panel_notebook (panel) == NULL);
  gtk_notebook_insert_page (notebook, panel->child, panel->tab, position);
  gtk_notebook_set_tab_reorderable (notebook, panel->child, TRUE);
  gtk_notebook_set_tab_detachable (notebook, panel->child, TRUE);
}

/* ---------------------------------------------------------------- state */

static void
update_areas (CncDock *self)
{
  for (guint a = 0; a < CNC_DOCK_N_AREAS; a++)
    {
      CncDockArea *area = self->areas[a];
      gboolean shown = a == CNC_DOCK_CENTRE
                       || (self->revealed[a] && (cnc_dock_area_get_n_pages (area) > 0 || self->dragging));
      gboolean was_shown = gtk_widget_get_visible (GTK_WIDGET (area));

      if (shown == was_shown)
        continue;
      if (was_shown && a != CNC_DOCK_CENTRE)
        self->sizes[a] = cnc_dock_get_area_size (self, a);
      else
        self->size_pending[a] = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (area), shown);
    }
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

void
_cnc_dock_sync_now (CncDock *self)
{
  static const char * const reveal_names[] = { "reveal-left", "reveal-right", "reveal-bottom" };

  g_clear_handle_id (&self->sync_idle, g_source_remove);
  for (guint i = 0; i < self->panels->len; i++)
    {
      CncDockPanel *panel = g_ptr_array_index (self->panels, i);
      guint frame;
      CncDockPosition position = _cnc_dock_panel_position (panel, &frame);

      if (position < CNC_DOCK_N_AREAS)
        {
          panel->home_position = position;
          panel->home_frame = frame;
        }
      g_simple_action_set_state (panel->toggle, g_variant_new_boolean (position != CNC_DOCK_CLOSED));
    }
  for (guint a = 0; a < G_N_ELEMENTS (reveal_names); a++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), reveal_names[a]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), cnc_dock_area_get_n_pages (self->areas[a]) > 0);
      g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (self->revealed[a]));
    }
  update_areas (self);
  if (!self->restoring)
    g_signal_emit (self, signals[LAYOUT_CHANGED], 0);
}

static gboolean
sync_idle_cb (gpointer data)
{
  CncDock *self = data;

  self->sync_idle = 0;
  _cnc_dock_sync_now (self);
  return G_SOURCE_REMOVE;
}

void
_cnc_dock_queue_sync (CncDock *self)
{
  /* At the default priority: a busy display would starve a lower one. */
  if (self->sync_idle == 0)
    self->sync_idle = g_idle_add_full (G_PRIORITY_DEFAULT, sync_idle_cb, self, NULL);
}

static void
on_area_changed (CncDockArea *area,
                 CncDock     *self)
{
  /* A tab dropped on a notebook ends the drag (the drop does not always say "leave"). */
  _cnc_dock_set_dragging (self, FALSE);
  _cnc_dock_queue_sync (self);
}

static void
on_panel_dropped (CncDockArea *area,
                  GtkWidget   *child,
                  guint        frame,
                  CncDock     *self)
{
  CncDockPanel *panel = _cnc_dock_find_panel_by_child (self, child);

  _cnc_dock_set_dragging (self, FALSE);
  if (panel)
    cnc_dock_move_panel (self, panel->id, cnc_dock_area_get_position (area), frame);
}

/* While a tab is dragged over the dock, empty areas and frames show drop zones. */
void
_cnc_dock_set_dragging (CncDock  *self,
                        gboolean  dragging)
{
  if (self->dragging == dragging)
    return;
  self->dragging = dragging;
  for (guint a = 0; a < CNC_DOCK_N_AREAS; a++)
    cnc_dock_area_set_dragging (self->areas[a], dragging);
  update_areas (self);
}

static void
on_drag_enter (GtkDropControllerMotion *motion,
               double                   x,
               double                   y,
               CncDock                 *self)
{
  GdkDrop *drop = gtk_drop_controller_motion_get_drop (motion);

  if (drop && gdk_content_formats_contain_gtype (gdk_drop_get_formats (drop), GTK_TYPE_NOTEBOOK_PAGE))
    _cnc_dock_set_dragging (self, TRUE);
}

static void
on_drag_leave (GtkDropControllerMotion *motion,
               CncDock                 *self)
{
  _cnc_dock_set_dragging (self, FALSE);
}

/* ---------------------------------------------------------------- tabs */

static void
on_tab_close_clicked (GtkButton    *button,
                      CncDockPanel *panel)
{
  cnc_dock_close_panel (panel->dock, panel->id);
}

static void
on_tab_pressed (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                CncDockPanel    *panel)
{
  CncDock *self = panel->dock;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) move = g_menu_new ();
  g_autoptr(GMenu) close = g_menu_new ();
  static const struct { CncDockPosition position; const char *label; } places[] = {
    { CNC_DOCK_LEFT, "Move to _Left Sidebar" },
    { CNC_DOCK_RIGHT, "Move to _Right Sidebar" },
    { CNC_DOCK_BOTTOM, "Move to _Bottom Panel" },
    { CNC_DOCK_CENTRE, "Move to the _Centre" },
    { CNC_DOCK_DETACHED, "Open in a New _Window" },
  };
  CncDockPosition now = _cnc_dock_panel_position (panel, NULL);
  graphene_point_t point;
  GdkRectangle rect;

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autoptr(GMenuItem) item = NULL;

      if (places[i].position == now)
        continue;
      item = g_menu_item_new (places[i].label, NULL);
      g_menu_item_set_action_and_target_value (item, "dock.move-panel",
                                               g_variant_new ("(ss)", panel->id,
                                                              cnc_dock_position_name (places[i].position)));
      g_menu_append_item (move, item);
    }
  {
    g_autoptr(GMenuItem) item = g_menu_item_new ("_Close Panel", NULL);
    g_menu_item_set_action_and_target_value (item, "dock.close-panel", g_variant_new_string (panel->id));
    g_menu_append_item (close, item);
  }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (move));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (close));
  gtk_popover_menu_set_menu_model (self->tab_menu, G_MENU_MODEL (menu));

  if (!gtk_widget_compute_point (panel->tab, GTK_WIDGET (self), &GRAPHENE_POINT_INIT (x, y), &point))
    return;
  rect = (GdkRectangle) { (int) point.x, (int) point.y, 1, 1 };
  gtk_popover_set_pointing_to (GTK_POPOVER (self->tab_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->tab_menu));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static GtkWidget *
make_tab (CncDockPanel *panel)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (panel->title);
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");
  GtkGesture *press = gtk_gesture_click_new ();
  g_autofree char *tooltip = g_strdup_printf ("Close the %s panel (View brings it back)", panel->title);

  gtk_widget_add_css_class (box, "cnc-dock-tab");
  if (panel->icon_name)
    gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (panel->icon_name));
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (close, "flat");
  gtk_widget_add_css_class (close, "circular");
  gtk_widget_add_css_class (close, "cnc-dock-tab-close");
  gtk_widget_set_tooltip_text (close, tooltip);
  gtk_widget_set_valign (close, GTK_ALIGN_CENTER);
  g_signal_connect (close, "clicked", G_CALLBACK (on_tab_close_clicked), panel);
  gtk_box_append (GTK_BOX (box), close);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (press), GDK_BUTTON_SECONDARY);
  g_signal_connect (press, "pressed", G_CALLBACK (on_tab_pressed), panel);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (press));
  return g_object_ref_sink (box);
}

/* ---------------------------------------------------------------- actions */

static void
reveal_change_state (GSimpleAction *action,
                     GVariant      *state,
                     gpointer       data)
{
  CncDock *self = data;
  const char *name = g_action_get_name (G_ACTION (action));
  CncDockPosition area;

  if (!cnc_dock_position_from_name (name + strlen ("reveal-"), &area))
    return;
  cnc_dock_set_revealed (self, area, g_variant_get_boolean (state));
}

static void
panel_change_state (GSimpleAction *action,
                    GVariant      *state,
                    gpointer       data)
{
  CncDockPanel *panel = data;

  if (g_variant_get_boolean (state))
    cnc_dock_present_panel (panel->dock, panel->id);
  else
    cnc_dock_close_panel (panel->dock, panel->id);
}

static void
move_panel_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       data)
{
  CncDock *self = data;
  const char *id, *where;
  CncDockPosition position;

  g_variant_get (parameter, "(&s&s)", &id, &where);
  if (cnc_dock_position_from_name (where, &position))
    cnc_dock_move_panel (self, id, position, 0);
}

static void
close_panel_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       data)
{
  cnc_dock_close_panel (data, g_variant_get_string (parameter, NULL));
}

static void
present_panel_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       data)
{
  cnc_dock_present_panel (data, g_variant_get_string (parameter, NULL));
}

static void
reset_layout_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       data)
{
  cnc_dock_reset_layout (data);
}

/* ---------------------------------------------------------------- widget */

static void
cnc_dock_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  CncDock *self = CNC_DOCK (widget);

  if (self->outer)
    gtk_widget_measure (GTK_WIDGET (self->outer), orientation, for_size, minimum, natural,
                        minimum_baseline, natural_baseline);
}

static void
cnc_dock_size_allocate (GtkWidget *widget,
                        int        width,
                        int        height,
                        int        baseline)
{
  CncDock *self = CNC_DOCK (widget);
  gboolean left_shown = gtk_widget_get_visible (GTK_WIDGET (self->areas[CNC_DOCK_LEFT]));
  gboolean right_shown = gtk_widget_get_visible (GTK_WIDGET (self->areas[CNC_DOCK_RIGHT]));
  gboolean bottom_shown = gtk_widget_get_visible (GTK_WIDGET (self->areas[CNC_DOCK_BOTTOM]));

  /* Sizes restored or revealed since the last allocation become paned positions now that the
   * dock's size is known. */
  if (width > 1 && height > 1)
    {
      int left = left_shown ? self->sizes[CNC_DOCK_LEFT] : 0;

      if (left_shown && self->size_pending[CNC_DOCK_LEFT])
        {
          left = MIN (self->sizes[CNC_DOCK_LEFT], width / 2);
          gtk_paned_set_position (self->outer, left);
          self->size_pending[CNC_DOCK_LEFT] = FALSE;
        }
      else if (left_shown)
        left = gtk_paned_get_position (self->outer);
      if (right_shown && self->size_pending[CNC_DOCK_RIGHT])
        {
          int rest = width - (left_shown ? left + HANDLE_PX : 0);
          int right = MIN (self->sizes[CNC_DOCK_RIGHT], rest / 2);

          gtk_paned_set_position (self->middle, rest - right - HANDLE_PX);
          self->size_pending[CNC_DOCK_RIGHT] = FALSE;
        }
      if (bottom_shown && self->size_pending[CNC_DOCK_BOTTOM])
        {
          int bottom = MIN (self->sizes[CNC_DOCK_BOTTOM], height / 2);

          gtk_paned_set_position (self->column, height - bottom - HANDLE_PX);
          self->size_pending[CNC_DOCK_BOTTOM] = FALSE;
        }
    }
  gtk_widget_allocate (GTK_WIDGET (self->outer), width, height, baseline, NULL);
  gtk_popover_present (GTK_POPOVER (self->tab_menu));
}

static void
cnc_dock_dispose (GObject *object)
{
  CncDock *self = CNC_DOCK (object);

  g_clear_handle_id (&self->sync_idle, g_source_remove);
  _cnc_dock_destroy_windows (self);
  for (guint a = 0; a < CNC_DOCK_N_AREAS; a++)
    if (self->areas[a])
      {
        g_signal_handlers_disconnect_by_data (self->areas[a], self);
        self->areas[a] = NULL;
      }
  if (self->tab_menu)
    gtk_widget_unparent (GTK_WIDGET (self->tab_menu));
  self->tab_menu = NULL;
  if (self->outer)
    gtk_widget_unparent (GTK_WIDGET (self->outer));
  self->outer = NULL;
  if (self->panels)
    g_ptr_array_set_size (self->panels, 0);
  G_OBJECT_CLASS (cnc_dock_parent_class)->dispose (object);
}

static void
cnc_dock_finalize (GObject *object)
{
  CncDock *self = CNC_DOCK (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->panels, g_ptr_array_unref);
  g_clear_object (&self->actions);
  g_clear_object (&self->panels_menu);
  G_OBJECT_CLASS (cnc_dock_parent_class)->finalize (object);
}

static void
cnc_dock_class_init (CncDockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_dock_dispose;
  object_class->finalize = cnc_dock_finalize;
  widget_class->size_allocate = cnc_dock_size_allocate;

  /* No layout manager: size_allocate turns saved sizes into paned positions first. */
  widget_class->measure = cnc_dock_measure;
  gtk_widget_class_set_css_name (widget_class, "cncdock");

  signals[LAYOUT_CHANGED] = g_signal_new ("layout-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cnc_dock_init (CncDock *self)
{
  static const GActionEntry entries[] = {
    { "reveal-left", NULL, NULL, "true", reveal_change_state },
    { "reveal-right", NULL, NULL, "true", reveal_change_state },
    { "reveal-bottom", NULL, NULL, "true", reveal_change_state },
    { "move-panel", move_panel_activated, "(ss)" },
    { "close-panel", close_panel_activated, "s" },
    { "present-panel", present_panel_activated, "s" },
    { "reset-layout", reset_layout_activated },
  };
  GtkEventController *motion;

  self->panels = g_ptr_array_new_with_free_func ((GDestroyNotify) panel_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->panels_menu = g_menu_new ();
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "dock", G_ACTION_GROUP (self->actions));

  for (guint a = 0; a < CNC_DOCK_N_AREAS; a++)
    {
      self->areas[a] = cnc_dock_area_new (a);
      self->revealed[a] = TRUE;
      self->sizes[a] = _cnc_dock_default_sizes[a];
      self->size_pending[a] = TRUE;
      self->default_splits[a] = 0.5;
      g_signal_connect (self->areas[a], "changed", G_CALLBACK (on_area_changed), self);
      g_signal_connect (self->areas[a], "panel-dropped", G_CALLBACK (on_panel_dropped), self);
      for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
        g_signal_connect (cnc_dock_area_get_notebook (self->areas[a], f), "create-window",
                          G_CALLBACK (_cnc_dock_on_create_window), self);
    }

  self->column = GTK_PANED (gtk_paned_new (GTK_ORIENTATION_VERTICAL));
  gtk_paned_set_start_child (self->column, GTK_WIDGET (self->areas[CNC_DOCK_CENTRE]));
  gtk_paned_set_end_child (self->column, GTK_WIDGET (self->areas[CNC_DOCK_BOTTOM]));
  gtk_paned_set_resize_end_child (self->column, FALSE);
  gtk_paned_set_shrink_end_child (self->column, FALSE);
  gtk_paned_set_shrink_start_child (self->column, FALSE);

  self->middle = GTK_PANED (gtk_paned_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_paned_set_start_child (self->middle, GTK_WIDGET (self->column));
  gtk_paned_set_end_child (self->middle, GTK_WIDGET (self->areas[CNC_DOCK_RIGHT]));
  gtk_paned_set_resize_end_child (self->middle, FALSE);
  gtk_paned_set_shrink_end_child (self->middle, FALSE);
  gtk_paned_set_shrink_start_child (self->middle, FALSE);

  self->outer = GTK_PANED (gtk_paned_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_paned_set_start_child (self->outer, GTK_WIDGET (self->areas[CNC_DOCK_LEFT]));
  gtk_paned_set_end_child (self->outer, GTK_WIDGET (self->middle));
  gtk_paned_set_resize_start_child (self->outer, FALSE);
  gtk_paned_set_shrink_start_child (self->outer, FALSE);
  gtk_paned_set_shrink_end_child (self->outer, FALSE);
  gtk_widget_set_parent (GTK_WIDGET (self->outer), GTK_WIDGET (self));

  self->tab_menu = GTK_POPOVER_MENU (gtk_popover_menu_new_from_model (NULL));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->tab_menu), FALSE);
  gtk_widget_set_halign (GTK_WIDGET (self->tab_menu), GTK_ALIGN_START);
  gtk_widget_set_parent (GTK_WIDGET (self->tab_menu), GTK_WIDGET (self));

  motion = GTK_EVENT_CONTROLLER (gtk_drop_controller_motion_new ());
  g_signal_connect (motion, "enter", G_CALLBACK (on_drag_enter), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_drag_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  update_areas (self);
}

CncDock *
cnc_dock_new (void)
{
  return g_object_new (CNC_TYPE_DOCK, NULL);
}

void
cnc_dock_add_panel (CncDock         *self,
                    const char      *id,
                    const char      *title,
                    const char      *icon_name,
                    GtkWidget       *child,
                    CncDockPosition  position,
                    guint            frame)
{
  CncDockPanel *panel;
  g_autofree char *action_name = NULL;
  g_autofree char *detailed = NULL;
  g_autoptr(GMenuItem) item = NULL;

  g_return_if_fail (CNC_IS_DOCK (self));
  g_return_if_fail (id != NULL && title != NULL);
  g_return_if_fail (GTK_IS_WIDGET (child));
  g_return_if_fail (position < CNC_DOCK_N_AREAS && frame < CNC_DOCK_N_FRAMES);
  g_return_if_fail (_cnc_dock_find_panel (self, id) == NULL);

  panel = g_new0 (CncDockPanel, 1);
  panel->dock = self;
  panel->id = g_strdup (id);
  panel->title = g_strdup (title);
  panel->icon_name = g_strdup (icon_name);
  panel->child = g_object_ref_sink (child);
  panel->tab = make_tab (panel);
  panel->default_position = panel->home_position = position;
  panel->default_frame = panel->home_frame = frame;
  action_name = g_strdup_printf ("panel-%s", id);
  panel->toggle = g_simple_action_new_stateful (action_name, NULL, g_variant_new_boolean (TRUE));
  g_signal_connect (panel->toggle, "change-state", G_CALLBACK (panel_change_state), panel);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (panel->toggle));
  g_ptr_array_add (self->panels, panel);
  g_hash_table_insert (self->by_id, panel->id, panel);

  detailed = g_strdup_printf ("dock.%s", action_name);
  item = g_menu_item_new (title, detailed);
  g_menu_append_item (self->panels_menu, item);

  _cnc_dock_panel_put (panel, cnc_dock_area_get_notebook (self->areas[position], frame), -1);
  _cnc_dock_queue_sync (self);
}

GtkWidget *
cnc_dock_get_panel (CncDock    *self,
                    const char *id)
{
  CncDockPanel *panel;

  g_return_val_if_fail (CNC_IS_DOCK (self), NULL);
  panel = _cnc_dock_find_panel (self, id);
  return panel ? panel->child : NULL;
}

CncDockPosition
cnc_dock_get_panel_position (CncDock    *self,
                             const char *id,
                             guint      *frame)
{
  CncDockPanel *panel;

  g_return_val_if_fail (CNC_IS_DOCK (self), CNC_DOCK_CLOSED);
  panel = _cnc_dock_find_panel (self, id);
  g_return_val_if_fail (panel != NULL, CNC_DOCK_CLOSED);
  return _cnc_dock_panel_position (panel, frame);
}

static void
move_into (CncDock         *self,
           CncDockPanel    *panel,
           CncDockPosition  position,
           guint            frame,
           GtkNotebook     *window_notebook)
{
  GtkNotebook *target;

  if (position == CNC_DOCK_CLOSED)
    {
      _cnc_dock_panel_take_out (panel);
      return;
    }
  if (position == CNC_DOCK_DETACHED)
    {
      int width = gtk_widget_get_width (panel->child);
      int height = gtk_widget_get_height (panel->child);

      target = window_notebook;
      _cnc_dock_panel_take_out (panel);
      if (target == NULL)
        target = _cnc_dock_new_window (self, width > 1 ? width : 480, height > 1 ? height + 40 : 400);
      _cnc_dock_panel_put (panel, target, -1);
      return;
    }
  target = cnc_dock_area_get_notebook (self->areas[position], MIN (frame, CNC_DOCK_N_FRAMES - 1));
  if (_cnc_dock_panel_notebook (panel) == target)
    return;
  _cnc_dock_panel_take_out (panel);
  _cnc_dock_panel_put (panel, target, -1);
  gtk_notebook_set_current_page (target, gtk_notebook_page_num (target, panel->child));
  if (position != CNC_DOCK_CENTRE && !self->revealed[position])
    cnc_dock_set_revealed (self, position, TRUE);
}

void
cnc_dock_move_panel (CncDock         *self,
                     const char      *id,
                     CncDockPosition  position,
                     guint            frame)
{
  CncDockPanel *panel;

  g_return_if_fail (CNC_IS_DOCK (self));
  g_return_if_fail (position <= CNC_DOCK_CLOSED);
  panel = _cnc_dock_find_panel (self, id);
  g_return_if_fail (panel != NULL);

  move_into (self, panel, position, frame, NULL);
  _cnc_dock_sync_now (self);
}

void
cnc_dock_close_panel (CncDock    *self,
                      const char *id)
{
  cnc_dock_move_panel (self, id, CNC_DOCK_CLOSED, 0);
}

void
cnc_dock_present_panel (CncDock    *self,
                        const char *id)
{
  CncDockPanel *panel;
  GtkNotebook *notebook;
  CncDockPosition position;

  g_return_if_fail (CNC_IS_DOCK (self));
  panel = _cnc_dock_find_panel (self, id);
  g_return_if_fail (panel != NULL);

  position = _cnc_dock_panel_position (panel, NULL);
  if (position == CNC_DOCK_CLOSED)
    move_into (self, panel, panel->home_position, panel->home_frame, NULL);
  notebook = _cnc_dock_panel_notebook (panel);
  gtk_notebook_set_current_page (notebook, gtk_notebook_page_num (notebook, panel->child));
  position = _cnc_dock_panel_position (panel, NULL);
  if (position < CNC_DOCK_N_AREAS && position != CNC_DOCK_CENTRE && !self->revealed[position])
    cnc_dock_set_revealed (self, position, TRUE);
  else if (position == CNC_DOCK_DETACHED)
    gtk_window_present (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (notebook))));
  _cnc_dock_sync_now (self);
}

void
cnc_dock_set_revealed (CncDock         *self,
                       CncDockPosition  area,
                       gboolean         revealed)
{
  g_return_if_fail (CNC_IS_DOCK (self));
  g_return_if_fail (area < CNC_DOCK_N_AREAS);

  if (area == CNC_DOCK_CENTRE || self->revealed[area] == !!revealed)
    return;
  self->revealed[area] = !!revealed;
  _cnc_dock_sync_now (self);
}

gboolean
cnc_dock_get_revealed (CncDock         *self,
                       CncDockPosition  area)
{
  g_return_val_if_fail (CNC_IS_DOCK (self), FALSE);
  g_return_val_if_fail (area < CNC_DOCK_N_AREAS, FALSE);
  return self->revealed[area];
}

CncDockArea *
cnc_dock_get_area (CncDock         *self,
                   CncDockPosition  area)
{
  g_return_val_if_fail (CNC_IS_DOCK (self), NULL);
  g_return_val_if_fail (area < CNC_DOCK_N_AREAS, NULL);
  return self->areas[area];
}

int
cnc_dock_get_area_size (CncDock         *self,
                        CncDockPosition  area)
{
  GtkWidget *widget;
  int size;

  g_return_val_if_fail (CNC_IS_DOCK (self), 0);
  g_return_val_if_fail (area < CNC_DOCK_N_AREAS, 0);

  widget = GTK_WIDGET (self->areas[area]);
  if (self->size_pending[area] || !gtk_widget_get_visible (widget) || !gtk_widget_get_mapped (widget))
    return self->sizes[area];
  size = area == CNC_DOCK_BOTTOM ? gtk_widget_get_height (widget) : gtk_widget_get_width (widget);
  return size > 1 ? size : self->sizes[area];
}

void
cnc_dock_set_area_size (CncDock         *self,
                        CncDockPosition  area,
                        int              size)
{
  g_return_if_fail (CNC_IS_DOCK (self));
  g_return_if_fail (area < CNC_DOCK_N_AREAS);

  self->sizes[area] = MAX (size, 120);
  self->size_pending[area] = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

GActionGroup *
cnc_dock_get_action_group (CncDock *self)
{
  g_return_val_if_fail (CNC_IS_DOCK (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

GMenuModel *
cnc_dock_get_panels_menu (CncDock *self)
{
  g_return_val_if_fail (CNC_IS_DOCK (self), NULL);
  return G_MENU_MODEL (self->panels_menu);
}

GList *
cnc_dock_get_windows (CncDock *self)
{
  g_return_val_if_fail (CNC_IS_DOCK (self), NULL);
  return self->windows;
}
