/* cnc-preferences-dialog.h
 * Preferences: the colour scheme (system, light, dark) and where jobs run (CPU threads or a CUDA device).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CNC_TYPE_PREFERENCES_DIALOG (cnc_preferences_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CncPreferencesDialog, cnc_preferences_dialog, CNC, PREFERENCES_DIALOG, GtkWindow)

/* Edits the app's settings directly ("color-scheme", "device", "cpu-threads"). The device list comes from
 * libtorch, asked in a thread. */
GtkWindow *cnc_preferences_dialog_new (GtkWindow *parent);

G_END_DECLS
