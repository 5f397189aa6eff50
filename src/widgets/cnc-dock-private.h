/* cnc-dock-private.h
 * What the dock's files share: the dock and its panels, and the helpers its layouts and detached windows use.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-dock.h"

G_BEGIN_DECLS

typedef struct {
  CncDock         *dock;
  char            *id;
  char            *title;
  char            *icon_name;
  GtkWidget       *child;      /* owned: survives closing and moves */
  GtkWidget       *tab;        /* owned: the tab label */
  CncDockPosition  default_position;
  guint            default_frame;
  CncDockPosition  home_position;   /* the area it was last docked in */
  guint            home_frame;
  GSimpleAction   *toggle;
} CncDockPanel;

struct _CncDock
{
  GtkWidget           parent_instance;

  GtkPaned           *outer;      /* left | rest */
  GtkPaned           *middle;     /* centre column | right */
  GtkPaned           *column;     /* centre / bottom */
  CncDockArea        *areas[CNC_DOCK_N_AREAS];
  gboolean            revealed[CNC_DOCK_N_AREAS];
  int                 sizes[CNC_DOCK_N_AREAS];
  gboolean            size_pending[CNC_DOCK_N_AREAS];
  double              default_splits[CNC_DOCK_N_AREAS];

  GPtrArray          *panels;     /* CncDockPanel*, in the order they were added */
  GHashTable         *by_id;      /* id -> CncDockPanel* */
  GList              *windows;    /* detached GtkWindow* */

  GSimpleActionGroup *actions;
  GMenu              *panels_menu;
  GtkPopoverMenu     *tab_menu;
  guint               sync_idle;
  gboolean            dragging;
  gboolean            restoring;
};

/* The width (left, right) or height (bottom) of each area by default. */
extern const int _cnc_dock_default_sizes[CNC_DOCK_N_AREAS];

/* cnc-dock.c */
CncDockPanel    *_cnc_dock_find_panel          (CncDock *self, const char *id);
CncDockPanel    *_cnc_dock_find_panel_by_child (CncDock *self, GtkWidget *child);
/* The notebook that holds @panel now, or NULL when it is closed. */
GtkNotebook     *_cnc_dock_panel_notebook      (CncDockPanel *panel);
CncDockPosition  _cnc_dock_panel_position      (CncDockPanel *panel, guint *frame);
void             _cnc_dock_panel_take_out      (CncDockPanel *panel);
void             _cnc_dock_panel_put           (CncDockPanel *panel, GtkNotebook *notebook, int position);
/* Brings the panels' homes, the actions' states and the areas' visibility up to date ("layout-changed"). */
void             _cnc_dock_sync_now            (CncDock *self);
void             _cnc_dock_queue_sync          (CncDock *self);
void             _cnc_dock_set_dragging        (CncDock *self, gboolean dragging);

/* cnc-dock-window.c: detached windows */
GtkNotebook     *_cnc_dock_new_window          (CncDock *self, int width, int height);
/* GtkNotebook::create-window of every dock notebook: a tab dropped outside the window. */
GtkNotebook     *_cnc_dock_on_create_window    (GtkNotebook *notebook, GtkWidget *page, CncDock *self);
/* Takes every panel out of the detached windows; the windows close when their notebook empties. */
void             _cnc_dock_empty_windows       (CncDock *self);
void             _cnc_dock_destroy_windows     (CncDock *self);

/* cnc-dock-layout.c */
/* Every panel at its default place, default sizes and splits, every area shown. */
void             _cnc_dock_apply_defaults      (CncDock *self);

G_END_DECLS
