/* cnc-map-panel.h
 * The provenance map panel: the map view with its toolbar (colour, size, layout, selection growth, zoom).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/cnc-model-set.h"

G_BEGIN_DECLS

#define CNC_TYPE_MAP_PANEL (cnc_map_panel_get_type ())
G_DECLARE_FINAL_TYPE (CncMapPanel, cnc_map_panel, CNC, MAP_PANEL, GtkWidget)

GtkWidget *cnc_map_panel_new (CncModelSet *set);
GtkWidget *cnc_map_panel_get_view (CncMapPanel *self);   /* the CncMapView */

G_END_DECLS
