/* cnc-compress-dialog.h
 * The compress dialog: one operation on one model (pruning, quantization, fine-tuning, BatchNorm recalibration,
 * distillation), its parameters and the new model's name; queued on the window's worker as a job.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "engine/cnc-operation-job.h"
#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_COMPRESS_DIALOG (cnc_compress_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CncCompressDialog, cnc_compress_dialog, CNC, COMPRESS_DIALOG, GtkWindow)

/* Signal "submitted" (CncJob *job): the operation is queued; the dialog then closes itself. A name
 * already taken, or parameters out of range, are said in the dialog and nothing is queued. */
GtkWindow *cnc_compress_dialog_new           (GtkWindow        *parent_window,
                                              CncModelSet      *set,
                                              CncWorker        *worker,
                                              guint             model);

/* For tests: the operation and the fields as the user would set them. */
void       cnc_compress_dialog_set_operation (CncCompressDialog *self,
                                              CncOperationKind   kind);
void       cnc_compress_dialog_set_amount    (CncCompressDialog *self,
                                              double             percent);
const char *cnc_compress_dialog_get_name     (CncCompressDialog *self);
/* Queues the operation as the Run button does; FALSE (and the reason shown) when it cannot. */
gboolean   cnc_compress_dialog_run           (CncCompressDialog *self);
const char *cnc_compress_dialog_get_error    (CncCompressDialog *self);

G_END_DECLS
