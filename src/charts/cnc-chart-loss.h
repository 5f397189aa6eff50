/* cnc-chart-loss.h
 * A model's training loss curve: the mean loss of each run of batches, and each epoch's mean as a step.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "charts/cnc-chart-axis.h"

G_BEGIN_DECLS

typedef struct {
  const double *step_loss;     /* the mean loss of each run of log_every batches */
  guint         n_steps;
  guint         log_every;
  const double *epoch_loss;    /* the mean loss of each epoch */
  guint         n_epochs;
  guint         batches;       /* batches run in all */
} CncChartLossData;

/* Parses the JSON a loss curve is kept as (cnc_loss_curve_to_json); FALSE when it is not one. The
 * arrays are new (g_free). */
gboolean cnc_chart_loss_parse (const char *json, CncChartLossData *data);
void     cnc_chart_loss_clear (CncChartLossData *data);

/* Draws into width × height: batches on X, loss on Y, the step curve and the epoch means. */
void     cnc_chart_loss_draw  (cairo_t *cr, const CncChartStyle *style, const CncChartLossData *data,
                               double width, double height);

G_END_DECLS
