/* cnc-models-panel.h
 * The models table: every model with its operation, parameters, tags and one sortable column per metric.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_MODELS_PANEL (cnc_models_panel_get_type ())
G_DECLARE_FINAL_TYPE (CncModelsPanel, cnc_models_panel, CNC, MODELS_PANEL, GtkWidget)

GtkWidget *cnc_models_panel_new (CncModelSet *set);
/* Shows the name search and moves the focus into it. */
void       cnc_models_panel_focus_search (CncModelsPanel *self);
GtkColumnView *cnc_models_panel_get_column_view (CncModelsPanel *self);

G_END_DECLS
