/* cnc-accuracy.h
 * Accuracy of one evaluation's predictions: top-1, top-5 and per class.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/cnc-records.h"

G_BEGIN_DECLS

/* Fraction of instances whose predicted class is the true one (needs labels and predicted). */
double          cnc_predictions_accuracy (const CncPredictions *p);
/* Fraction of instances whose true class is among the top 5 (needs labels and top5). */
double          cnc_predictions_top5_accuracy (const CncPredictions *p);

/* Per class c in [0, k): the accuracy on the instances labelled c (NAN when there are none) and
 * how many there are (@support, optional). Needs labels and predicted. */
void            cnc_predictions_class_accuracy (const CncPredictions *p,
                                                double               *accuracy,
                                                gint64               *support);

G_END_DECLS
