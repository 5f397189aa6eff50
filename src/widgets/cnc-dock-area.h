/* cnc-dock-area.h
 * One area of the dock (left, right, bottom or centre): up to two tabbed frames split by a GtkPaned.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Where a panel is. The first four are the dock's areas. */
typedef enum {
  CNC_DOCK_LEFT,
  CNC_DOCK_RIGHT,
  CNC_DOCK_BOTTOM,
  CNC_DOCK_CENTRE,
  CNC_DOCK_DETACHED,   /*< nick=window >*/ /* in a window of its own */
  CNC_DOCK_CLOSED,     /* closed: comes back from the View menu */
} CncDockPosition;

#define CNC_DOCK_N_AREAS 4
#define CNC_DOCK_N_FRAMES 2

/* "left", "right", "bottom", "centre", "window", "closed": the nicks of CNC_TYPE_DOCK_POSITION. */
const char *cnc_dock_position_name      (CncDockPosition position);
gboolean    cnc_dock_position_from_name (const char *name, CncDockPosition *position);

/* The group name every dock notebook shares, so tabs can be dragged between them. */
#define CNC_DOCK_GROUP_NAME "cnc-dock-panels"

#define CNC_TYPE_DOCK_AREA (cnc_dock_area_get_type ())
G_DECLARE_FINAL_TYPE (CncDockArea, cnc_dock_area, CNC, DOCK_AREA, GtkWidget)

/* CSS name "cncdockarea", with the style class of its position ("left", …). Each frame is a GtkNotebook;
 * an empty frame is hidden, except while a panel is being dragged, when it shows a drop zone.
 * Signals: "changed" () a page was added, removed or reordered;
 *          "panel-dropped" (GtkWidget *child, guint frame) a panel tab was dropped on an empty frame's zone. */

CncDockArea     *cnc_dock_area_new            (CncDockPosition position);
CncDockPosition  cnc_dock_area_get_position   (CncDockArea *self);
GtkNotebook     *cnc_dock_area_get_notebook   (CncDockArea *self, guint frame);
guint            cnc_dock_area_get_n_pages    (CncDockArea *self);
/* While a tab drag is over the dock, empty frames show their drop zones. */
void             cnc_dock_area_set_dragging   (CncDockArea *self, gboolean dragging);
gboolean         cnc_dock_area_get_dragging   (CncDockArea *self);
/* The share of the area the first frame takes (0..1), when both frames are shown. */
double           cnc_dock_area_get_split      (CncDockArea *self);
void             cnc_dock_area_set_split      (CncDockArea *self, double split);

/* A new notebook set up as a dock frame (group name, scrollable tabs): for detached windows too. */
GtkNotebook     *cnc_dock_notebook_new        (void);

G_END_DECLS
