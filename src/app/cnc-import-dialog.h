/* cnc-import-dialog.h
 * The import dialog: model files and models.json files, with name, parent, operation and parameters, tags,
 * and whether to evaluate the new models; the import runs in a thread, all or nothing per action.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_IMPORT_DIALOG (cnc_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CncImportDialog, cnc_import_dialog, CNC, IMPORT_DIALOG, GtkWindow)

/* Signals: "imported" (const char *summary, GVariant *evaluate) the import succeeded; @evaluate ("ax")
 *   holds the ids of the new runnable models to evaluate (empty unless "Evaluate now" was on). The dialog
 *   closes itself after success; a failure shows the importer's message in the dialog and changes nothing. */

/* @paths: model files (TorchScript, state dict, safetensors) and/or models.json files. @parent: the model
 * to pre-fill as their parent (a map node they were dropped on), or NULL. */
GtkWindow  *cnc_import_dialog_new              (GtkWindow          *parent_window,
                                                CncModelSet        *set,
                                                const char         *workspace_dir,
                                                const char * const *paths,
                                                const char         *parent);
void        cnc_import_dialog_set_can_evaluate (CncImportDialog *self,
                                                gboolean         can_evaluate,
                                                const char      *why_not);

/* For tests and the window: the fields as they are. */
const char *cnc_import_dialog_get_parent       (CncImportDialog *self);   /* NULL: a root */
void        cnc_import_dialog_set_operation    (CncImportDialog *self, const char *operation,
                                                const char *parameters);  /* "amount=0.5, retrained=yes" */
/* Starts the import as the Import button does. */
void        cnc_import_dialog_run              (CncImportDialog *self);
/* The message shown after a failure, or NULL. */
const char *cnc_import_dialog_get_error        (CncImportDialog *self);
gboolean    cnc_import_dialog_get_running      (CncImportDialog *self);

G_END_DECLS
