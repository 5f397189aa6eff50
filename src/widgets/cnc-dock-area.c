/* cnc-dock-area.c
 * One area of the dock (left, right, bottom or centre): up to two tabbed frames split by a GtkPaned.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-dock"

#include "cnc-dock-area.h"
#include "cnc-widgets-enums.h"
#include "core/cnc-enum-names.h"

struct _CncDockArea
{
  GtkWidget        parent_instance;

  CncDockPosition  position;
  GtkPaned        *paned;
  GtkStack        *frames[CNC_DOCK_N_FRAMES];
  GtkNotebook     *notebooks[CNC_DOCK_N_FRAMES];
  GtkWidget       *zones[CNC_DOCK_N_FRAMES];
  double           split;
  guint            split_pending : 1;
  guint            dragging : 1;
  guint            zone_split : 1;   /* a drag shows one frame's drop zone beside the other's panels */
};

G_DEFINE_FINAL_TYPE (CncDockArea, cnc_dock_area, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  PANEL_DROPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

CNC_DEFINE_ENUM_NAMES (CncDockPosition, CNC_TYPE_DOCK_POSITION, cnc_dock_position_name, cnc_dock_position_from_name)

GtkNotebook *
cnc_dock_notebook_new (void)
{
  GtkNotebook *notebook = GTK_NOTEBOOK (gtk_notebook_new ());

  gtk_notebook_set_group_name (notebook, CNC_DOCK_GROUP_NAME);
  gtk_notebook_set_scrollable (notebook, TRUE);
  gtk_notebook_set_show_border (notebook, FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (notebook), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (notebook), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (notebook), "cnc-dock-notebook");
  return notebook;
}

static void
update_frames (CncDockArea *self)
{
  gboolean shown[CNC_DOCK_N_FRAMES];
  gboolean any_pages = FALSE;
  gboolean both_before = gtk_widget_get_visible (GTK_WIDGET (self->frames[0]))
                         && gtk_widget_get_visible (GTK_WIDGET (self->frames[1]));

  gboolean zone_split_before = self->zone_split;
  gboolean has[CNC_DOCK_N_FRAMES];

  /* Remember where the user put the split before a frame comes or goes (not a drag's own split). */
  if (both_before && !zone_split_before)
    cnc_dock_area_get_split (self);

  for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
    {
      gboolean has_pages = gtk_notebook_get_n_pages (self->notebooks[f]) > 0;

      any_pages |= has_pages;
      has[f] = has_pages;
      /* An empty notebook's tab strip would measure below zero. */
      gtk_notebook_set_show_tabs (self->notebooks[f], has_pages);
      gtk_stack_set_visible_child (self->frames[f],
                                   has_pages ? GTK_WIDGET (self->notebooks[f]) : self->zones[f]);
      shown[f] = has_pages || self->dragging;
    }
  /* The centre's second frame only appears while dragging; an empty centre keeps its first frame. */
  if (self->position == CNC_DOCK_CENTRE && !any_pages)
    shown[0] = TRUE;
  for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
    gtk_widget_set_visible (GTK_WIDGET (self->frames[f]), shown[f]);
  /* While dragging, a drop zone beside panels takes a quarter: the panels stay usable. */
  self->zone_split = self->dragging && has[0] != has[1];
  if (shown[0] && shown[1] && (!both_before || self->zone_split != zone_split_before))
    self->split_pending = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
on_pages_changed (GtkNotebook *notebook,
                  GtkWidget   *child,
                  guint        page_num,
                  CncDockArea *self)
{
  update_frames (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
on_zone_drop (GtkDropTarget *target,
              const GValue  *value,
              double         x,
              double         y,
              CncDockArea   *self)
{
  GtkWidget *zone = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  GtkNotebookPage *page;
  GtkWidget *child;

  if (!G_VALUE_HOLDS (value, GTK_TYPE_NOTEBOOK_PAGE))
    return FALSE;
  page = g_value_get_object (value);
  child = page ? gtk_notebook_page_get_child (page) : NULL;
  if (child == NULL)
    return FALSE;
  for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
    if (self->zones[f] == zone)
      {
        g_signal_emit (self, signals[PANEL_DROPPED], 0, child, f);
        return TRUE;
      }
  return FALSE;
}

static GtkWidget *
make_zone (CncDockArea *self)
{
  GtkWidget *zone = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name ("list-add-symbolic");
  GtkWidget *label = gtk_label_new ("Drop a panel here");
  GtkDropTarget *target = gtk_drop_target_new (GTK_TYPE_NOTEBOOK_PAGE, GDK_ACTION_MOVE);

  gtk_widget_add_css_class (zone, "cnc-dock-zone");
  gtk_widget_set_valign (icon, GTK_ALIGN_END);
  gtk_widget_set_vexpand (icon, TRUE);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 24);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  gtk_widget_set_vexpand (label, TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (zone), icon);
  gtk_box_append (GTK_BOX (zone), label);
  g_signal_connect (target, "drop", G_CALLBACK (on_zone_drop), self);
  gtk_widget_add_controller (zone, GTK_EVENT_CONTROLLER (target));
  return zone;
}

static void
cnc_dock_area_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  CncDockArea *self = CNC_DOCK_AREA (widget);

  if (self->paned)
    gtk_widget_measure (GTK_WIDGET (self->paned), orientation, for_size, minimum, natural,
                        minimum_baseline, natural_baseline);
}

static void
cnc_dock_area_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  CncDockArea *self = CNC_DOCK_AREA (widget);

  if (self->split_pending
      && gtk_widget_get_visible (GTK_WIDGET (self->frames[0]))
      && gtk_widget_get_visible (GTK_WIDGET (self->frames[1])))
    {
      int length = gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) == GTK_ORIENTATION_VERTICAL
                   ? height : width;

      if (length > 1)
        {
          double split = self->zone_split
                         ? (gtk_notebook_get_n_pages (self->notebooks[0]) > 0 ? 0.75 : 0.25) : self->split;

          gtk_paned_set_position (self->paned, (int) (split * length + 0.5));
          self->split_pending = FALSE;
        }
    }
  gtk_widget_allocate (GTK_WIDGET (self->paned), width, height, baseline, NULL);
}

static void
cnc_dock_area_dispose (GObject *object)
{
  CncDockArea *self = CNC_DOCK_AREA (object);

  /* Pages leave the notebooks as they are destroyed: not a change anyone should hear of. */
  for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
    if (self->notebooks[f])
      {
        g_signal_handlers_disconnect_by_data (self->notebooks[f], self);
        self->notebooks[f] = NULL;
      }
  if (self->paned)
    gtk_widget_unparent (GTK_WIDGET (self->paned));
  self->paned = NULL;
  G_OBJECT_CLASS (cnc_dock_area_parent_class)->dispose (object);
}

static void
cnc_dock_area_class_init (CncDockAreaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cnc_dock_area_dispose;
  widget_class->size_allocate = cnc_dock_area_size_allocate;

  /* No layout manager: size_allocate turns saved sizes into paned positions first. */
  widget_class->measure = cnc_dock_area_measure;
  gtk_widget_class_set_css_name (widget_class, "cncdockarea");

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[PANEL_DROPPED] = g_signal_new ("panel-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         GTK_TYPE_WIDGET, G_TYPE_UINT);
}

static void
cnc_dock_area_init (CncDockArea *self)
{
  self->split = 0.5;
}

CncDockArea *
cnc_dock_area_new (CncDockPosition position)
{
  CncDockArea *self;
  GtkOrientation orientation;

  g_return_val_if_fail (position < CNC_DOCK_N_AREAS, NULL);

  self = g_object_new (CNC_TYPE_DOCK_AREA, NULL);
  self->position = position;
  gtk_widget_add_css_class (GTK_WIDGET (self), cnc_dock_position_name (position));

  /* Side areas stack their frames; the bottom and the centre put them side by side. */
  orientation = (position == CNC_DOCK_LEFT || position == CNC_DOCK_RIGHT)
                ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL;
  self->paned = GTK_PANED (gtk_paned_new (orientation));
  gtk_widget_set_parent (GTK_WIDGET (self->paned), GTK_WIDGET (self));

  for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
    {
      self->frames[f] = GTK_STACK (gtk_stack_new ());
      self->notebooks[f] = cnc_dock_notebook_new ();
      self->zones[f] = make_zone (self);
      g_object_set_data (G_OBJECT (self->notebooks[f]), "cnc-dock-area", self);
      g_object_set_data (G_OBJECT (self->notebooks[f]), "cnc-dock-frame", GUINT_TO_POINTER (f));
      gtk_stack_add_child (self->frames[f], GTK_WIDGET (self->notebooks[f]));
      gtk_stack_add_child (self->frames[f], self->zones[f]);
      g_signal_connect (self->notebooks[f], "page-added", G_CALLBACK (on_pages_changed), self);
      g_signal_connect (self->notebooks[f], "page-removed", G_CALLBACK (on_pages_changed), self);
      g_signal_connect (self->notebooks[f], "page-reordered", G_CALLBACK (on_pages_changed), self);
    }
  gtk_paned_set_start_child (self->paned, GTK_WIDGET (self->frames[0]));
  gtk_paned_set_end_child (self->paned, GTK_WIDGET (self->frames[1]));
  gtk_paned_set_shrink_start_child (self->paned, FALSE);
  gtk_paned_set_shrink_end_child (self->paned, FALSE);
  update_frames (self);
  return self;
}

CncDockPosition
cnc_dock_area_get_position (CncDockArea *self)
{
  g_return_val_if_fail (CNC_IS_DOCK_AREA (self), CNC_DOCK_CENTRE);
  return self->position;
}

GtkNotebook *
cnc_dock_area_get_notebook (CncDockArea *self,
                            guint        frame)
{
  g_return_val_if_fail (CNC_IS_DOCK_AREA (self), NULL);
  g_return_val_if_fail (frame < CNC_DOCK_N_FRAMES, NULL);
  return self->notebooks[frame];
}

guint
cnc_dock_area_get_n_pages (CncDockArea *self)
{
  guint n = 0;

  g_return_val_if_fail (CNC_IS_DOCK_AREA (self), 0);
  for (guint f = 0; f < CNC_DOCK_N_FRAMES; f++)
    if (self->notebooks[f])
      n += gtk_notebook_get_n_pages (self->notebooks[f]);
  return n;
}

void
cnc_dock_area_set_dragging (CncDockArea *self,
                            gboolean     dragging)
{
  g_return_if_fail (CNC_IS_DOCK_AREA (self));
  if (self->dragging == !!dragging)
    return;
  self->dragging = !!dragging;
  update_frames (self);
}

gboolean
cnc_dock_area_get_dragging (CncDockArea *self)
{
  g_return_val_if_fail (CNC_IS_DOCK_AREA (self), FALSE);
  return self->dragging;
}

double
cnc_dock_area_get_split (CncDockArea *self)
{
  int length;

  g_return_val_if_fail (CNC_IS_DOCK_AREA (self), 0.5);
  if (self->split_pending || self->zone_split
      || !gtk_widget_get_visible (GTK_WIDGET (self->frames[0]))
      || !gtk_widget_get_visible (GTK_WIDGET (self->frames[1])))
    return self->split;
  length = gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) == GTK_ORIENTATION_VERTICAL
           ? gtk_widget_get_height (GTK_WIDGET (self->paned))
           : gtk_widget_get_width (GTK_WIDGET (self->paned));
  if (length <= 1)
    return self->split;
  self->split = CLAMP ((double) gtk_paned_get_position (self->paned) / length, 0.05, 0.95);
  return self->split;
}

void
cnc_dock_area_set_split (CncDockArea *self,
                         double       split)
{
  g_return_if_fail (CNC_IS_DOCK_AREA (self));
  self->split = CLAMP (split, 0.05, 0.95);
  self->split_pending = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}
