/* cnc-window.h
 * The main window of one workspace: header bar, the dock of panels, drag-and-drop import, messages.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "widgets/cnc-dock.h"
#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_WINDOW (cnc_window_get_type ())
G_DECLARE_FINAL_TYPE (CncWindow, cnc_window, CNC, WINDOW, GtkApplicationWindow)

/* The title names the app and the workspace: "NAME — Compress & Compare".
 * Panels (dock ids): "map" (centre), "scatter" and "details" / "filters" (right), "models" / "jobs" (bottom).
 * Actions (win.): new, open, import, import-json, export-json, close, find, reload, select-all, select-none,
 *   add-parents, add-children, add-ancestors, add-descendants, zoom-fit; the dock's as dock.*.
 * Signals: "loaded" () the workspace's models are on screen (after the first load and each reload). */

/* @app may be NULL (tests). Opens @dir (made a workspace when it is an empty or missing folder). */
CncWindow    *cnc_window_new                (GtkApplication *app,
                                             const char     *dir);
const char   *cnc_window_get_workspace_dir  (CncWindow *self);
CncModelSet  *cnc_window_get_model_set      (CncWindow *self);
CncDock      *cnc_window_get_dock           (CncWindow *self);
/* TRUE once the workspace is open and its models loaded. */
gboolean      cnc_window_get_loaded         (CncWindow *self);

/* A message on top of the window: errors stay until dismissed, other messages go after a few seconds. */
void          cnc_window_show_message       (CncWindow  *self,
                                             gboolean    error,
                                             const char *format,
                                             ...) G_GNUC_PRINTF (3, 4);

/* Opens the import dialog on @paths (model files and models.json files), with @parent (a model name,
 * or NULL) as the parent of the model files. Returns the dialog. */
GtkWindow    *cnc_window_import_paths       (CncWindow          *self,
                                             const char * const *paths,
                                             const char         *parent);

G_END_DECLS
