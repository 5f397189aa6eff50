/* cnc-filters-panel.h
 * Filters: one brushable histogram per metric, combined with AND, with the count of models that pass.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_FILTERS_PANEL (cnc_filters_panel_get_type ())
G_DECLARE_FINAL_TYPE (CncFiltersPanel, cnc_filters_panel, CNC, FILTERS_PANEL, GtkWidget)

GtkWidget *cnc_filters_panel_new (CncModelSet *set);

G_END_DECLS
