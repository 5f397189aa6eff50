/* cnc-window-private.h
 * In-tree API of the main window, shared by cnc-window.c, cnc-window-actions.c and cnc-window-dnd.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-window.h"
#include "engine/cnc-worker.h"

G_BEGIN_DECLS

struct _CncWindow
{
  GtkApplicationWindow  parent_instance;

  /* Template children. */
  GtkButton            *import_button;
  GtkToggleButton      *reveal_left_button;
  GtkToggleButton      *reveal_right_button;
  GtkToggleButton      *reveal_bottom_button;
  GtkMenuButton        *menu_button;
  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkStack             *main_stack;
  GtkSpinner           *loading_spinner;
  GtkLabel             *loading_label;
  GtkLabel             *error_label;
  CncDock              *dock;
  GtkRevealer          *drop_revealer;
  GtkLabel             *drop_label;
  GtkLabel             *drop_detail_label;
  GtkRevealer          *toast_revealer;
  GtkImage             *toast_icon;
  GtkLabel             *toast_label;
  GtkButton            *toast_close_button;
  GtkRevealer          *demo_revealer;
  GtkLabel             *demo_title;
  GtkLabel             *demo_detail;
  GtkProgressBar       *demo_progress;
  GtkButton            *demo_cancel_button;

  /* State. */
  char                 *dir;
  CncWorkspace         *workspace;     /* NULL until opened */
  CncModelSet          *set;
  CncWorker            *worker;        /* NULL when jobs cannot run (read-only workspace, …) */
  GCancellable         *cancellable;
  GtkWidget            *map_panel;
  GtkWidget            *scatter_panel;
  GtkWidget            *models_panel;
  GtkWidget            *details_panel;
  GtkWidget            *filters_panel;
  GtkWidget            *jobs_panel;
  GMenu                *recent_section;
  GMenu                *file_section;
  GtkDropTarget        *drop_target;
  GtkNativeDialog      *chooser;       /* the file chooser open now, if any */
  guint                 toast_timeout;
  guint                 loaded : 1;
  guint                 busy : 1;      /* an import or export is running */
  struct _CncDemo      *demo;          /* the demo being built into this workspace, if any */
  CncJob               *demo_job;      /* its running job, whose progress the card shows */
};

/* cnc-window-actions.c */
void           _cnc_window_add_actions     (CncWindow *self);
/* Fills the Open Recent menu (and keeps it up to date). */
void           _cnc_window_setup_recent    (CncWindow *self);
/* Enables and disables every win. action and sets the hints that say what a disabled one needs. */
void           _cnc_window_update_actions  (CncWindow *self);
void           _cnc_window_set_busy        (CncWindow *self, gboolean busy);
/* Reopens the workspace after a failure, else reloads its models. */
void           _cnc_window_reload          (CncWindow *self);

/* cnc-window-demo.c */
/* Builds the demo into the (new, empty) workspace, with a progress card; models appear as they are made. */
void           _cnc_window_build_demo      (CncWindow *self);
void           _cnc_window_demo_dispose    (CncWindow *self);

/* cnc-window-dnd.c */
void           _cnc_window_setup_dnd       (CncWindow *self);
/* The window's drop target for GdkFileList (tests emit its "drop" signal). */
GtkDropTarget *_cnc_window_get_drop_target (CncWindow *self);
/* The model under window coordinates (x, y) on the map, or CNC_MODEL_NONE. */
guint          _cnc_window_model_at        (CncWindow *self, double x, double y);

G_END_DECLS
