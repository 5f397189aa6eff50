/* cnc-application.h
 * The GtkApplication: one window per workspace, app actions, style sheet, colour scheme, settings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CNC_APPLICATION_ID "io.github.compress_compare.CompressCompare"
#define CNC_RESOURCE_PATH "/io/github/compress_compare/CompressCompare"

#define CNC_TYPE_APPLICATION (cnc_application_get_type ())
G_DECLARE_FINAL_TYPE (CncApplication, cnc_application, CNC, APPLICATION, GtkApplication)

/* Actions: app.quit (Ctrl+Q), app.about, app.preferences (Ctrl+,), app.open-workspace (s: a folder). */

/* @workspace_dir: the workspace the first window opens (created when missing). */
CncApplication *cnc_application_new            (const char     *workspace_dir);
/* Presents the window of the workspace in @dir, opening one when there is none. */
GtkWindow      *cnc_application_open_workspace (CncApplication *self,
                                                const char     *dir);

/* Whether a display can be opened (gtk_init_check). */
gboolean        cnc_application_can_run        (void);
/* Runs the GUI on @workspace_dir until its last window closes; returns the exit status. */
int             cnc_application_run_gui        (const char     *workspace_dir);

/* Registers the compiled resources, loads style.css and the app icon path, applies the colour scheme:
 * what every window needs, also without a CncApplication (tests). Idempotent; needs gtk_init. */
void            cnc_application_ensure_ui      (void);

/* The app's settings, or NULL when the schema is installed nowhere (neither system-wide nor in the
 * build tree). Main thread only. */
GSettings      *cnc_application_get_settings   (void);

/* Adds @dir at the front of the recent workspaces (at most 10). */
void            cnc_application_add_recent     (const char     *dir);

G_END_DECLS
