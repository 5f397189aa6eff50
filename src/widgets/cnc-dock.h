/* cnc-dock.h
 * The dock: left, right, bottom and centre areas of tabbed panels that can be reordered, moved, detached,
 * closed and brought back, with a layout that can be saved and restored.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cnc-dock-area.h"

G_BEGIN_DECLS

#define CNC_TYPE_DOCK (cnc_dock_get_type ())
G_DECLARE_FINAL_TYPE (CncDock, cnc_dock, CNC, DOCK, GtkWidget)

/* CSS name "cncdock". The left and right areas take the full height; the bottom area sits under the centre.
 * Every tab can be reordered, dragged to another area (an empty area or frame shows a drop zone while a tab
 * is dragged over the dock), dropped outside the window to detach it into a window of its own (closing that
 * window brings its panels back), closed with its tab's button, or moved with its tab's context menu.
 *
 * Actions (group "dock", from cnc_dock_get_action_group; insert it on the window as "dock"):
 *   reveal-left, reveal-right, reveal-bottom   boolean state: the area is shown (disabled while it is empty)
 *   panel-ID                                   boolean state: the panel is open (the View menu's items)
 *   move-panel (ss)                            (ID, "left" | "right" | "bottom" | "centre" | "window")
 *   close-panel (s), present-panel (s)
 *   reset-layout                               every panel back where cnc_dock_add_panel put it
 * Signals: "layout-changed" () a panel moved, opened or closed, or an area was shown or hidden. */

CncDock         *cnc_dock_new                (void);

/* Adds a panel (the dock keeps a reference) at its default place: @position (an area) and @frame (0 or 1;
 * frame 1 splits the area). @id names it in actions and saved layouts: lower case, digits and '-'. */
void             cnc_dock_add_panel          (CncDock         *self,
                                              const char      *id,
                                              const char      *title,
                                              const char      *icon_name,
                                              GtkWidget       *child,
                                              CncDockPosition  position,
                                              guint            frame);
GtkWidget       *cnc_dock_get_panel          (CncDock *self, const char *id);
/* Where a panel is now; @frame (optional) gets its frame in an area. */
CncDockPosition  cnc_dock_get_panel_position (CncDock *self, const char *id, guint *frame);
/* Moves a panel to the end of an area's frame, into a new window (CNC_DOCK_DETACHED), or closes it. */
void             cnc_dock_move_panel         (CncDock *self, const char *id, CncDockPosition position, guint frame);
void             cnc_dock_close_panel        (CncDock *self, const char *id);
/* Opens a closed panel where it last was, shows its area and switches to its tab. */
void             cnc_dock_present_panel      (CncDock *self, const char *id);

/* Areas: hidden areas keep their panels. */
void             cnc_dock_set_revealed       (CncDock *self, CncDockPosition area, gboolean revealed);
gboolean         cnc_dock_get_revealed       (CncDock *self, CncDockPosition area);
CncDockArea     *cnc_dock_get_area           (CncDock *self, CncDockPosition area);
/* The width (left, right) or height (bottom) an area has or will get when shown. */
int              cnc_dock_get_area_size      (CncDock *self, CncDockPosition area);
void             cnc_dock_set_area_size      (CncDock *self, CncDockPosition area, int size);
/* The share of an area its first frame takes by default (and after "Reset layout"): 0.5 unless set. */
void             cnc_dock_set_default_split  (CncDock *self, CncDockPosition area, double split);

/* The layout as a GVariant of type a{sv}: "panels" a(ssub) (id, position name, frame or window number,
 * current tab), "sizes" a{si}, "splits" a{sd}, "revealed" a{sb}. Restoring ignores unknown panels and puts
 * panels the layout does not name at their default place; a layout that is not a{sv} is refused. */
GVariant        *cnc_dock_save_layout        (CncDock *self);
gboolean         cnc_dock_restore_layout     (CncDock *self, GVariant *layout);
void             cnc_dock_reset_layout       (CncDock *self);

GActionGroup    *cnc_dock_get_action_group   (CncDock *self);
/* One item per panel, "dock.panel-ID", in the order they were added: for the View menu. */
GMenuModel      *cnc_dock_get_panels_menu    (CncDock *self);
/* The detached windows (GtkWindow*), for tests. */
GList           *cnc_dock_get_windows        (CncDock *self);

G_END_DECLS
