/* cnc-predictions.h
 * Stored predictions of one evaluation (model × dataset split): packed columnar arrays, loaded whole.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-workspace.h"

G_BEGIN_DECLS

/* Which arrays to load. */
typedef enum {
  CNC_PREDICTIONS_LABELS    = 1 << 0,   /* gint16 [n] true classes */
  CNC_PREDICTIONS_PREDICTED = 1 << 1,   /* gint16 [n] arg-max class */
  CNC_PREDICTIONS_TOP5      = 1 << 2,   /* gint16 [n × 5] best first (-1 past k) */
  CNC_PREDICTIONS_PROBS     = 1 << 3,   /* float  [n] p_true and p_max (softmax) */
  CNC_PREDICTIONS_LOGITS    = 1 << 4,   /* guint16 [n × k] IEEE half floats */
  CNC_PREDICTIONS_ALL       = 0x1f,
} CncPredictionsArrays;

/* The evaluation of @model on @dataset (by id) / @split; NOT_FOUND when it has not been evaluated.
 * @dataset < 0: the model's most recent evaluation, whatever the dataset. */
CncPredictions *cnc_predictions_load   (CncWorkspace *workspace,
                                        gint64        model,
                                        gint64        dataset,
                                        const char   *split,
                                        CncPredictionsArrays arrays,
                                        GError      **error);

/* Replaces the model's evaluation on that dataset split, arrays included (inside a transaction). */
gboolean        cnc_predictions_store  (CncWorkspace *workspace,
                                        CncPredictions *p,
                                        gint64        job,
                                        GError      **error);

float           cnc_half_to_float      (guint16 h);
guint16         cnc_float_to_half      (float f);   /* round to nearest even, as PyTorch's .half() */

/* Every evaluation of @model (@model < 0: of every model), newest first, without arrays. */
GPtrArray      *cnc_predictions_list   (CncWorkspace *workspace,
                                        gint64        model,
                                        GError      **error);   /* CncPredictions* */

/* The name and class names of dataset @dataset (a row of `datasets`), for showing evaluations. */
gboolean        cnc_predictions_get_dataset (CncWorkspace *workspace,
                                             gint64        dataset,
                                             char        **name,
                                             GStrv        *classes,
                                             GError      **error);

/* Converts @n floats to IEEE half floats (as cnc_float_to_half). */
void            cnc_floats_to_halves   (const float *in,
                                        guint16     *out,
                                        gsize        n);

G_END_DECLS
