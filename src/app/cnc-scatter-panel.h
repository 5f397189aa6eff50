/* cnc-scatter-panel.h
 * The scatterplot panel: the scatter view with its axis choices (metric, log scale) and the Pareto switch.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_SCATTER_PANEL (cnc_scatter_panel_get_type ())
G_DECLARE_FINAL_TYPE (CncScatterPanel, cnc_scatter_panel, CNC, SCATTER_PANEL, GtkWidget)

GtkWidget *cnc_scatter_panel_new (CncModelSet *set);
GtkWidget *cnc_scatter_panel_get_view (CncScatterPanel *self);   /* the CncScatterView */
/* Sets the axes as the user does with the dropdowns: kept when the workspace reloads. */
void       cnc_scatter_panel_set_axes (CncScatterPanel *self, int x_metric, int y_metric);

G_END_DECLS
