/* cnc-scatter-view.h
 * The scatterplot: any metric against any other, linear or log axes, the Pareto frontier, brush selection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cnc-chart-view.h"

G_BEGIN_DECLS

#define CNC_TYPE_SCATTER_VIEW (cnc_scatter_view_get_type ())
G_DECLARE_FINAL_TYPE (CncScatterView, cnc_scatter_view, CNC, SCATTER_VIEW, CncChartView)

/* CSS name "cncscatterview". Colour and size come from the model set's encodings; hover is shared with the map.
 * Mouse: click selects (Shift adds, Ctrl toggles; on empty space clears), drag draws a brush rectangle that selects
 * (Shift adds, Ctrl toggles): see CncChartView.
 * The Pareto frontier (for each metric's better direction, from CncMetric.higher_is_better) is drawn as a step
 * line; models it dominates are dimmed. Only models passing the filters take part.
 * Properties: "model-set", "x-metric" / "y-metric" (int, -1 none; defaults: the first primary metric that is
 *   lower-is-better on X, higher-is-better on Y), "x-log" / "y-log" (gboolean), "show-pareto" (gboolean, TRUE). */

GtkWidget   *cnc_scatter_view_new             (CncModelSet *set);
void         cnc_scatter_view_set_x_metric    (CncScatterView *self, int metric);
int          cnc_scatter_view_get_x_metric    (CncScatterView *self);
void         cnc_scatter_view_set_y_metric    (CncScatterView *self, int metric);
int          cnc_scatter_view_get_y_metric    (CncScatterView *self);
void         cnc_scatter_view_set_x_log       (CncScatterView *self, gboolean log_scale);
void         cnc_scatter_view_set_y_log       (CncScatterView *self, gboolean log_scale);
void         cnc_scatter_view_set_show_pareto (CncScatterView *self, gboolean show);
/* The model indices on the drawn frontier (ascending), as cnc_pareto_front computes them. */
GArray      *cnc_scatter_view_get_pareto      (CncScatterView *self);

G_END_DECLS
