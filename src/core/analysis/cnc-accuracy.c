/* cnc-accuracy.c
 * Accuracy of one evaluation's predictions: top-1, top-5 and per class.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cnc-accuracy"

#include "cnc-accuracy.h"

#include <math.h>

double
cnc_predictions_accuracy (const CncPredictions *p)
{
  gint64 right = 0;

  g_return_val_if_fail (p != NULL && p->labels != NULL && p->predicted != NULL, NAN);
  if (p->n == 0)
    return NAN;
  for (gint64 i = 0; i < p->n; i++)
    right += p->predicted[i] == p->labels[i];
  return (double) right / p->n;
}

double
cnc_predictions_top5_accuracy (const CncPredictions *p)
{
  gint64 right = 0;

  g_return_val_if_fail (p != NULL && p->labels != NULL && p->top5 != NULL, NAN);
  if (p->n == 0)
    return NAN;
  for (gint64 i = 0; i < p->n; i++)
    for (guint j = 0; j < 5; j++)
      right += p->top5[i * 5 + j] == p->labels[i];
  return (double) right / p->n;
}

void
cnc_predictions_class_accuracy (const CncPredictions *p,
                                double               *accuracy,
                                gint64               *support)
{
  g_autofree gint64 *count = NULL, *right = NULL;

  g_return_if_fail (p != NULL && p->labels != NULL && p->predicted != NULL && accuracy != NULL);
  count = g_new0 (gint64, p->k);
  right = g_new0 (gint64, p->k);
  for (gint64 i = 0; i < p->n; i++)
    {
      gint16 c = p->labels[i];
      if (c < 0 || (guint) c >= p->k)
        continue;
      count[c]++;
      right[c] += p->predicted[i] == c;
    }
  for (guint c = 0; c < p->k; c++)
    {
      accuracy[c] = count[c] ? (double) right[c] / count[c] : NAN;
      if (support)
        support[c] = count[c];
    }
}
